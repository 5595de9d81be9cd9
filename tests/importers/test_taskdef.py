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


def test_a_keyword_that_does_not_reproduce_the_input_falls_back_to_overrides(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a keyword's compiled value not be the input's (simulated: the converters for ulimits and
    dockerLabels write the wrong values), those keys go back to overrides= as given, with a warning, and the
    blueprint still reproduces the input."""
    from ecsstack.importers import _mapping

    monkeypatch.setitem(_mapping.CONTAINER_KEYS, "ulimits", ("ulimits", lambda value, ctx: {"nofile": (1, 2)}))
    monkeypatch.setitem(_mapping.CONTAINER_KEYS, "dockerLabels", ("docker_labels", lambda value, ctx: {"x": "y"}))
    path = FIXTURES / "taskdef" / "firelens.json"
    data = json.loads(path.read_text())
    data["containerDefinitions"][1]["ulimits"] = [{"name": "nofile", "softLimit": 1024, "hardLimit": 2048}]
    result = import_taskdef(data)
    assert any("the keywords for dockerLabels, ulimits did not reproduce the input" in w for w in result.warnings)
    assert "Ulimits" in result.source and "DockerLabels" in result.source
    assert "ulimits=" not in result.source and "docker_labels=" not in result.source
    [compiled] = task_definitions(ecsstack.synth(build(result.source)))
    assert compiled["ContainerDefinitions"][1]["Ulimits"] == [{"Name": "nofile", "SoftLimit": 1024, "HardLimit": 2048}]


def test_a_setting_a_rule_refuses_falls_back_to_overrides(tmp_path: Path) -> None:
    """privileged on Fargate is a rule error (ECS120) with the keyword; ECS registers it (and refuses to run
    it), so the importer keeps the input's value in overrides= with a warning, and only that key."""
    result = import_taskdef({"family": "p", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                             "cpu": "256", "memory": "512", "containerDefinitions": [
                                 {"name": "a", "image": "nginx:1.27", "privileged": True, "interactive": True}]})
    assert result.overrides == ["task p › container a: Privileged"]
    assert any("the keywords for privileged did not reproduce the input (error ECS120" in w for w in result.warnings)
    assert "interactive=True" in result.source
    [compiled] = task_definitions(ecsstack.synth(build(result.source)))
    assert compiled["ContainerDefinitions"][0]["Privileged"] is True
    check_ruff(result.source, tmp_path)


#: what each fixture carries in overrides=, and why: the model has no keyword for it
CARRIED = {
    "ci_template": ["task Billing-API: Volumes"],  # a Docker volume (dockerVolumeConfiguration)
    "firelens": ["task orders-api › container api: LogConfiguration"],  # secretOptions only
    "minecraft_efs_firelens": ["task minecraft: Volumes"],  # EFS transitEncryptionPort
}


def test_keywords_the_model_has_are_used_not_overrides() -> None:
    """Every fixture carries in overrides= exactly what the model has no keyword for; every key of the tables
    that a fixture has is written with its keyword (and the tables cover every keyword they name)."""
    from ecsstack.importers._mapping import CONTAINER_KEYS, KNOWN_TODAY, TASK_KEYS, container_keywords, task_keywords
    from ecsstack.importers._taskdef import pruned

    assert {kw for kw, _ in CONTAINER_KEYS.values()} <= container_keywords()
    assert {kw for kw, _ in TASK_KEYS.values()} <= task_keywords()
    assert {kw for kw, _ in (*CONTAINER_KEYS.values(), *TASK_KEYS.values())} == KNOWN_TODAY
    for path in TASKDEFS:
        data, result = _imported(path)
        assert result.overrides == CARRIED.get(path.stem, []), path.stem
        assert not any("did not reproduce" in w for w in result.warnings), path.stem
        td = pruned(task_definition_of(data))  # (empty values carry nothing)
        used = {kw for key, (kw, _) in TASK_KEYS.items() if td.get(key) not in (None, [], {})}
        used |= {kw for c in td["containerDefinitions"] for key, (kw, _) in CONTAINER_KEYS.items()
                 if c.get(key) not in (None, [], {}) and kw != "essential"}
        for keyword in used:
            assert f"{keyword}=" in result.source, (path.stem, keyword)
    firelens = _imported(FIXTURES / "taskdef" / "firelens.json")[1].source
    assert '"LogConfiguration": {"SecretOptions"' in firelens.replace("\n", "").replace("  ", "")


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
