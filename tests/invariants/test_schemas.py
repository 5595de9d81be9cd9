"""Values in range: the CloudFormation resource schemas (read from cfn-lint's data, cfn-lint not imported) and the
ECS limits they lack; tokens inside overrides= resolve."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecsstack import Cluster, FargateTaskDefinition, HealthCheck, Queue, Service, Stack, Sub, ValidationError, synth
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import limits, schemas
from ecsstack.invariants._template import Template

from .cases import shipped


def test_the_schemas_are_found() -> None:
    assert schemas.schemas_dir() is not None
    for kind in ("AWS::ECS::TaskDefinition", "AWS::ECS::Service", "AWS::ECS::Cluster", "AWS::EC2::SecurityGroup"):
        assert schemas.schema_for(kind) is not None, kind


def test_synth_does_not_import_cfnlint() -> None:
    code = ("import sys, ecsstack; from ecsstack import *; s = Stack('x'); t = FargateTaskDefinition('w');"
            "t.add_container('a', image='nginx:1'); s.add(Service('w', cluster=Cluster('c'), task=t)); s.to_dict();"
            "print([m for m in sys.modules if m.startswith('cfnlint')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("stack", shipped(), ids=lambda s: s.name)
def test_shipped_blueprints_pass(stack: Stack) -> None:
    template, _ = compile_with_warnings(stack)
    view = Template(template)
    assert schemas.check(stack, view) == [] and limits.check(stack, view) == []


def _service(**overrides: object) -> Stack:
    stack = Stack("demo")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27", ports=[80], overrides=overrides.pop("container", {}))
    return stack.add(Service("web", cluster=Cluster("main"), task=task, overrides=overrides))


@pytest.mark.parametrize(("overrides", "words"), [
    ({"LaunchType": "LAMBDA"}, "LaunchType is \"LAMBDA\", not one of"),
    ({"Bogus": 1}, "Bogus is not a property"),
    ({"DesiredCount": "many"}, "DesiredCount is \"many\", not of type integer"),
    ({"DeploymentConfiguration": {"MaximumPercent": "x"}}, "MaximumPercent"),
    ({"container": {"HealthCheck": {"Command": ["CMD", "true"], "Interval": 600}}}, "Interval is 600"),
    ({"container": {"StopTimeout": 300}}, "Fargate allows at most 120"),
])
def test_out_of_range_overrides_are_refused(overrides: dict, words: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        synth(_service(**overrides))
    assert all(p.rule in ("ECS930", "ECS931") for p in info.value.problems)
    if words:
        assert any(words in p.message for p in info.value.problems), info.value


def test_a_health_check_out_of_range_is_refused() -> None:
    stack = Stack("demo")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27", health_check=HealthCheck(["CMD", "true"], interval=600, retries=20))
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    with pytest.raises(ValidationError) as info:
        synth(stack)
    # the invariant (ECS931) catches it on the template; a rule that catches it first on the model will do too
    messages = " ".join(p.message for p in info.value.problems).lower()
    assert "600" in messages and "interval" in messages and "20" in messages and "retries" in messages


def test_tokens_inside_overrides_resolve() -> None:
    stack = Stack("demo")
    count = stack.parameter("Count", type="Number", default=2)
    queue = Queue("jobs")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27", overrides={
        "Environment": [{"Name": "REGION", "Value": Sub("${AWS::Region}")}, {"Name": "Q", "Value": queue.url}]})
    stack.add(queue, Service("web", cluster=Cluster("main"), task=task,
                             overrides={"DesiredCount": count, "ServiceName": Sub("${AWS::StackName}-web")}))
    template = synth(stack)
    service = template["Resources"]["WebService"]["Properties"]
    assert service["DesiredCount"] == {"Ref": "Count"} and "Count" in template["Parameters"]
    assert service["ServiceName"] == {"Fn::Sub": "${AWS::StackName}-web"}
    env = template["Resources"]["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"]
    assert env == [{"Name": "REGION", "Value": {"Fn::Sub": "${AWS::Region}"}},
                   {"Name": "Q", "Value": {"Ref": "JobsQueue"}}]


def test_a_broken_template_fires() -> None:
    stack = _service()
    template, _ = compile_with_warnings(stack)
    template["Resources"]["WebTaskDefinition"]["Properties"]["NetworkMode"] = "bridges"
    [problem] = schemas.check(stack, Template(template))
    assert problem.rule == "ECS930" and "NetworkMode" in problem.message and "WebTaskDefinition" in problem.path
