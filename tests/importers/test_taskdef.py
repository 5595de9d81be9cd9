"""``import_taskdef``: every fixture becomes a blueprint that runs, synthesizes, is cfn-lint clean, passes ruff,
and whose task definition carries every value of the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ecsstack
from ecsstack.importers import ImportFailed, import_taskdef, task_definition_of

from ._support import (
    FIXTURES,
    READ_ONLY,
    build,
    check_lint,
    check_ruff,
    contains,
    pascal,
    task_definitions,
    unexplained,
)

TASKDEFS = sorted((FIXTURES / "taskdef").glob("*.json"))


def _imported(path: Path):
    data = json.loads(path.read_text())
    return data, import_taskdef(data, origin=path.name)


@pytest.mark.parametrize("path", TASKDEFS, ids=lambda p: p.stem)
def test_blueprint_reproduces_the_task_definition(path: Path, tmp_path: Path) -> None:
    data, result = _imported(path)
    template = ecsstack.synth(build(result.source))
    [compiled] = task_definitions(template)
    given = {k: v for k, v in task_definition_of(data).items() if k not in READ_ONLY}
    expected = pascal(given)
    problems = unexplained(contains(expected, compiled, "TaskDefinition"), result.warnings)
    assert not problems, "\n".join(problems) + "\n" + result.source


@pytest.mark.parametrize("path", TASKDEFS, ids=lambda p: p.stem)
def test_blueprint_is_formatted_and_clean(path: Path, tmp_path: Path) -> None:
    _, result = _imported(path)
    check_ruff(result.source, tmp_path)


@pytest.mark.lint
@pytest.mark.parametrize("path", TASKDEFS, ids=lambda p: p.stem)
def test_blueprint_passes_cfn_lint(path: Path) -> None:
    _, result = _imported(path)
    check_lint(ecsstack.synth(build(result.source)))


def test_not_a_task_definition_is_a_clear_error() -> None:
    with pytest.raises(ImportFailed, match="not a task definition"):
        import_taskdef({"services": {}})


def test_a_keyword_the_model_gains_is_used_and_falls_back_to_overrides_when_it_does_not_fit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each table entry is used once the model takes its keyword; should the converter's value not fit it
    (here: the model is told it takes ulimits= and docker_labels=, but refuses them), the keys go back to
    overrides= with a warning, and the blueprint still reproduces the input."""
    from ecsstack.importers import _taskdef

    today = _taskdef.container_keywords()
    monkeypatch.setattr(_taskdef, "container_keywords", lambda: today | {"ulimits", "docker_labels"})
    path = FIXTURES / "taskdef" / "firelens.json"
    data = json.loads(path.read_text())
    data["containerDefinitions"][1]["ulimits"] = [{"name": "nofile", "softLimit": 1024, "hardLimit": 2048}]
    result = import_taskdef(data)
    assert any("the keywords for dockerLabels, ulimits did not reproduce the input" in w for w in result.warnings)
    assert "Ulimits" in result.source and "DockerLabels" in result.source and "ulimits=" not in result.source
    [compiled] = task_definitions(ecsstack.synth(build(result.source)))
    assert compiled["ContainerDefinitions"][1]["Ulimits"] == [{"Name": "nofile", "SoftLimit": 1024, "HardLimit": 2048}]


def test_keywords_the_model_has_are_used_not_overrides() -> None:
    """Every key whose keyword the model takes today is written with it (none of them lands in overrides=)."""
    from ecsstack.importers._mapping import CONTAINER_KEYS, TASK_KEYS, container_keywords, task_keywords

    first_class = {k for k, (kw, _) in CONTAINER_KEYS.items() if kw in container_keywords()}
    first_class |= {k for k, (kw, _) in TASK_KEYS.items() if kw in task_keywords()}
    carried = " ".join(line for path in TASKDEFS for line in _imported(path)[1].overrides)
    for key in first_class - {"logConfiguration", "portMappings", "resourceRequirements"}:  # partly, by shape
        assert key[:1].upper() + key[1:] not in carried.split(), key


def test_port_ranges_and_unknown_keys(tmp_path: Path) -> None:
    data = [{"name": "sip", "image": "example/sip:2.0.1", "memory": 256,
             "portMappings": [{"containerPortRange": "5060-5070", "protocol": "udp"}],
             "madeUpSetting": True}]
    result = import_taskdef(data)
    assert any("unknown key 'madeUpSetting'" in w for w in result.warnings)
    [compiled] = task_definitions(ecsstack.synth(build(result.source)))
    assert compiled["ContainerDefinitions"][0]["PortMappings"] == [{"ContainerPortRange": "5060-5070",
                                                                    "Protocol": "udp"}]
    assert "MadeUpSetting" not in result.source and "madeUpSetting\"" not in result.source
    check_ruff(result.source, tmp_path)


def test_role_names_and_placeholder_families() -> None:
    result = import_taskdef({"family": "${FAMILY}-api", "executionRoleArn": "ecsTaskExecutionRole",
                             "taskRoleArn": "<taskRoleArn>",
                             "containerDefinitions": [{"name": "a", "image": "nginx:1.27", "memory": 256}]})
    [compiled] = task_definitions(ecsstack.synth(build(result.source)))
    assert compiled["ExecutionRoleArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ecsTaskExecutionRole"}
    assert compiled["TaskRoleArn"] == {"Ref": "TaskRoleArn"}
    assert compiled["Family"] == {"Fn::Sub": "${AWS::StackName}-FAMILY-api"}
    assert any("family '${FAMILY}-api' is not one ECS accepts" in w for w in result.warnings)


def test_a_volume_no_container_mounts(tmp_path: Path) -> None:
    result = import_taskdef({"family": "spare", "volumes": [{"name": "unused", "host": {"sourcePath": "/srv"}}],
                             "containerDefinitions": [{"name": "a", "image": "nginx:1.27", "memory": 256}]})
    check_ruff(result.source, tmp_path)
    [compiled] = task_definitions(ecsstack.synth(build(result.source)))
    assert compiled["Volumes"] == [{"Name": "unused", "Host": {"SourcePath": "/srv"}}]


def test_what_ecs_would_never_run_is_adjusted_with_a_warning() -> None:
    data = {"family": "odd", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
            "memory": "512", "containerDefinitions": [
                {"name": "migrate", "image": "app:1.0", "command": ["migrate"]},
                {"name": "side", "image": "envoy:1.29", "portMappings": [{"containerPort": 8080}]},
                {"name": "app", "image": "app:1.0", "portMappings": [{"containerPort": 8080}],
                 "dependsOn": [{"containerName": "migrate", "condition": "SUCCESS"},
                               {"containerName": "side", "condition": "HEALTHY"}]}]}
    result = import_taskdef(data)
    [compiled] = task_definitions(ecsstack.synth(build(result.source)))
    containers = {c["Name"]: c for c in compiled["ContainerDefinitions"]}
    assert containers["migrate"]["Essential"] is False
    assert containers["app"]["DependsOn"] == [{"ContainerName": "migrate", "Condition": "SUCCESS"},
                                              {"ContainerName": "side", "Condition": "START"}]
    assert "PortMappings" not in containers["app"]
    for needle in ("it is made non-essential", "it waits for START instead", "port 8080/tcp is already side's"):
        assert any(needle in w for w in result.warnings), needle


def test_an_ecs_anywhere_task_is_registered_without_a_service(tmp_path: Path) -> None:
    result = import_taskdef({"family": "edge", "requiresCompatibilities": ["EXTERNAL"], "networkMode": "bridge",
                             "containerDefinitions": [{"name": "a", "image": "nginx:1.27", "memory": 256}]})
    template = ecsstack.synth(build(result.source))
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"]
    [compiled] = task_definitions(template)
    assert compiled["RequiresCompatibilities"] == ["EXTERNAL"] and compiled["Family"] == "edge"
    assert any("create-service --launch-type EXTERNAL" in w for w in result.warnings)
    check_ruff(result.source, tmp_path)


def test_awslogs_create_group_with_the_role_ecsstack_makes_is_warned() -> None:
    result = import_taskdef({"family": "x", "containerDefinitions": [{
        "name": "a", "image": "nginx:1.27", "memory": 256, "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "g", "awslogs-region": "us-east-1", "awslogs-create-group": "true"}}}]})
    assert any("needs logs:CreateLogGroup" in w for w in result.warnings)
    template = ecsstack.synth(build(result.source))
    policies = json.dumps([r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"])
    assert "logs:CreateLogGroup" not in policies  # what the warning says
