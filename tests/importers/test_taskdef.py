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
