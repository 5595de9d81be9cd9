"""The grants invariant knows the grants the first-class settings need: a registry's credentials, environment
files and credential specs (execution role), the ECS Exec configuration of a cluster (task role)."""

from __future__ import annotations

import pytest

from ecsstack import Cluster, ExecuteCommandLogging, FargateTaskDefinition, Service, Stack
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import check_template, grants
from ecsstack.invariants._template import Template

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _stack() -> Stack:
    stack = Stack("demo")
    env = stack.parameter("EnvFile")
    cluster = Cluster("main", execute_command_kms_key=KEY, execute_command_logging=ExecuteCommandLogging(
        log_group=stack.parameter("ExecLogs"), s3_bucket="audit", s3_prefix="exec/", s3_encryption=True))
    task = FargateTaskDefinition("web")
    task.add_container("app", image="registry.example.com/app:1", repository_credentials="registry",
                       environment_files=["arn:aws:s3:::config/app.env", env],
                       credential_specs=["credentialspec:arn:aws:ssm:eu-west-1:123456789012:parameter/gmsa"])
    return stack.add(Service("web", cluster=cluster, task=task, enable_execute_command=True))


def _statements(template: dict, role: str, policy: str) -> list:
    [found] = [p for p in template["Resources"][role]["Properties"]["Policies"] if p["PolicyName"] == policy]
    return found["PolicyDocument"]["Statement"]


def test_every_settings_grant_passes() -> None:
    stack = _stack()
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template) == []


@pytest.mark.parametrize(("role", "policy", "action", "why"), [
    ("WebExecutionRole", "execution", "secretsmanager:GetSecretValue", "secret registry"),
    ("WebExecutionRole", "files", "s3:GetObject", "environment file"),
    ("WebExecutionRole", "files", "s3:GetBucketLocation", "environment file's bucket"),
    ("WebExecutionRole", "files", "ssm:GetParameters", "credential spec"),
    ("WebTaskRole", "ecs-exec-sessions", "kms:Decrypt", "ECS Exec in cluster main (KMS key)"),
    ("WebTaskRole", "ecs-exec-sessions", "logs:PutLogEvents", "session logs"),
    ("WebTaskRole", "ecs-exec-sessions", "s3:PutObject", "session logs in S3"),
    ("WebTaskRole", "ecs-exec-sessions", "s3:GetEncryptionConfiguration", "encrypted bucket"),
])
def test_a_missing_settings_grant_fires(role: str, policy: str, action: str, why: str) -> None:
    stack = _stack()
    template, _ = compile_with_warnings(stack)
    statements = _statements(template, role, policy)
    statements[:] = [s for s in statements if action not in s["Action"]]
    problems = grants.check(stack, Template(template))
    assert problems and all(p.rule == "ECS920" for p in problems)
    assert any(action in p.message and why in p.message for p in problems)


def test_exec_grants_only_for_services_that_enable_exec() -> None:
    stack = _stack()
    stack.of_type(Service)[0].enable_execute_command = False
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template) == []
    names = [p["PolicyName"] for p in template["Resources"]["WebTaskRole"]["Properties"].get("Policies", [])]
    assert "ecs-exec-sessions" not in names
