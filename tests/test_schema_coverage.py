"""tools/schema_coverage.py: the first-class share of each ECS resource's CloudFormation schema cannot silently
drop, and the maximal blueprints it measures are valid, cfn-lint clean templates."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ecsstack import synth
from ecsstack.lint import lint_template

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import schema_coverage

#: what the maximal blueprints reach today (issue 9 measured 22, 11, 18 and 5 before); raise these, never lower
FLOORS = {"container definitions": 42, "task definitions": 17, "services": 23, "clusters": 7}


def test_first_class_properties_do_not_drop() -> None:
    found = schema_coverage.coverage()
    assert set(found) == set(FLOORS)
    for label, (have, total, missing) in found.items():
        assert have >= FLOORS[label], f"{label}: {have} first-class, fewer than {FLOORS[label]} (missing {missing})"
        assert have + len(missing) == total, label


def test_what_is_left_is_named() -> None:
    found = schema_coverage.coverage()
    assert "RestartPolicy" in found["container definitions"][2] or found["container definitions"][0] == 42
    assert found["clusters"][2] == []


def test_the_report_prints_each_resource(capsys: pytest.CaptureFixture[str]) -> None:
    schema_coverage.main()
    out = capsys.readouterr().out
    assert "container definitions 42 of 42" in out
    assert "clusters 7 of 7" in out


@pytest.mark.parametrize("build", [schema_coverage.maximal_fargate, schema_coverage.maximal_ec2],
                         ids=["fargate", "ec2"])
def test_maximal_templates_are_lint_clean(build) -> None:
    errors = [str(f) for f in lint_template(synth(build())) if f.is_error]
    assert errors == []
