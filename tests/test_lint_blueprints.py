"""cfn-lint over every blueprint's template: any error fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecsstack.lint import lint_template
from ecsstack.loader import load_blueprint

from .conftest import BLUEPRINTS


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: p.stem)
def test_blueprint_template_has_no_lint_error(blueprint: Path) -> None:
    findings = lint_template(load_blueprint(blueprint).to_dict())
    errors = [str(f) for f in findings if f.is_error]
    assert errors == []


def test_lint_reports_errors_with_rule_and_path() -> None:
    broken = {"AWSTemplateFormatVersion": "2010-09-09",
              "Resources": {"C": {"Type": "AWS::ECS::Cluster", "Properties": {"Bogus": 1}}}}
    findings = lint_template(broken)
    assert any(f.is_error and f.rule.startswith("E") and "Resources/C" in f.path for f in findings)
