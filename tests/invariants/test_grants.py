"""Grants: the roles made for a task hold exactly what the model references."""

from __future__ import annotations

import pytest

from ecsstack import Cluster, FargateTaskDefinition, Queue, Secret, Service, Stack, Sub
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import check_template, grants
from ecsstack.invariants._template import Template

from .cases import shipped


@pytest.mark.parametrize("stack", shipped(), ids=lambda s: s.name)
def test_shipped_blueprints_pass(stack: Stack) -> None:
    template, _ = compile_with_warnings(stack)
    assert grants.check(stack, Template(template)) == []


def _stack() -> Stack:
    stack = Stack("demo")
    queue = Queue("jobs")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1.0", ports=[80],
                       secrets={"A": Secret.ssm("/demo/a"), "B": Secret.secrets_manager("demo/b", key="k")})
    task.add_container("side", image=Sub("${Registry}/side:1"), essential=False)
    stack.parameter("Registry", default="public.ecr.aws/x")
    task.allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"], queue.arn)
    task.add_efs_volume("data", "fs-12345678", iam_authorization=True)
    task.containers[0].mount("data", "/data", read_only=True)
    return stack.add(queue, Service("web", cluster=Cluster("main"), task=task, enable_execute_command=True))


def _policies(template: dict, role: str) -> list:
    return template["Resources"][role]["Properties"]["Policies"]


def test_every_kind_of_grant_passes() -> None:
    stack = _stack()
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template) == []


def test_a_widened_grant_fires() -> None:
    stack = _stack()
    template, _ = compile_with_warnings(stack)
    _policies(template, "WebTaskRole")[0]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]})
    [problem] = grants.check(stack, Template(template))
    assert problem.rule == "ECS921" and "s3:* on *" in problem.message and "WebTaskRole" in problem.message


def test_a_widened_resource_fires() -> None:
    stack = _stack()
    template, _ = compile_with_warnings(stack)
    for policy in _policies(template, "WebExecutionRole"):
        for statement in policy["PolicyDocument"]["Statement"]:
            if "ssm:GetParameters" in statement["Action"]:
                statement["Resource"] = ["*"]
    rules = sorted(p.rule for p in grants.check(stack, Template(template)))
    assert rules == ["ECS920", "ECS921"]  # the parameter no longer named; every parameter granted


def test_a_missing_grant_fires() -> None:
    stack = _stack()
    template, _ = compile_with_warnings(stack)
    for policy in _policies(template, "WebTaskRole"):
        policy["PolicyDocument"]["Statement"] = [s for s in policy["PolicyDocument"]["Statement"]
                                                 if "sqs:ReceiveMessage" not in s["Action"]]
    problems = grants.check(stack, Template(template))
    assert [p.rule for p in problems] == ["ECS920", "ECS920"]  # both actions of the statement
    assert all("allow()" in p.message and "${JobsQueue.Arn}" in p.message for p in problems)


def test_a_managed_policy_is_a_grant_too() -> None:
    stack = _stack()
    template, _ = compile_with_warnings(stack)
    template["Resources"]["WebTaskRole"]["Properties"]["ManagedPolicyArns"] = ["arn:aws:iam::aws:policy/AdminAccess"]
    [problem] = grants.check(stack, Template(template))
    assert problem.rule == "ECS921" and "AdminAccess" in problem.message


def test_needs_read_the_image_registry() -> None:
    task = _stack().of_type(FargateTaskDefinition)[0]
    shown = sorted(s for n in grants.execution_needs(task) for s in n.shown if ":ecr:" in s)
    assert shown == ["arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*",
                     "arn:${AWS::Partition}:ecr:us-east-1:111122223333:repository/app"]
