"""Stack names (issue 8, case 12): `make deploy BLUEPRINT=ec2_bridge` used the stack name ``ec2_bridge``,
which CloudFormation refuses. Names are derived valid; an explicit invalid --stack-name is refused locally,
before any AWS call, with the name to use instead."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ecsstack.cli import main
from ecsstack.deploy import UsageError
from ecsstack.deploy._template import STACK_NAME, check_stack_name, derive_stack_name, template_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "derived"), [
    ("ec2_bridge", "ec2-bridge"), ("web", "web"), ("my app.v2", "my-app-v2"), ("__x__", "x"),
    ("1st", "stack-1st"), ("___", "stack"), ("a" * 200, "a" * 128), ("a_" * 100, ("a-" * 64)[:127]),
])
def test_derived_names_are_valid(name: str, derived: str) -> None:
    assert derive_stack_name(name) == derived
    assert STACK_NAME.fullmatch(derived)


def test_an_invalid_explicit_name_is_refused_with_the_fix() -> None:
    with pytest.raises(UsageError) as caught:
        check_stack_name("ec2_bridge")
    assert caught.value.exit_code == 2
    assert str(caught.value) == ("--stack-name 'ec2_bridge' is not a valid CloudFormation stack name (a letter, "
                                 "then letters, digits and hyphens, at most 128 characters). Use --stack-name "
                                 "ec2-bridge.")
    assert check_stack_name("arn:aws:cloudformation:us-east-1:1:stack/x/1", arn_ok=True).startswith("arn:")
    with pytest.raises(UsageError):
        check_stack_name("a" * 129)


def test_a_template_file_stem_is_made_valid_and_an_explicit_name_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "ec2_bridge.json"
    path.write_text('{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')
    assert template_of(path)[1] == "ec2-bridge"
    with pytest.raises(UsageError, match="Use --stack-name my-stack"):
        template_of(path, "my_stack")


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace ``ecsstack.deploy.deploy`` (what the CLI calls) by one that records the stack name."""
    from ecsstack import deploy as package
    from ecsstack.deploy import DeployError

    seen: dict[str, Any] = {}

    def fake(template: Any, stack_name: str | None = None, **_: Any) -> Any:
        seen["stack_name"] = template_of(template, stack_name)[1]
        raise DeployError("stopped by the test")

    monkeypatch.setattr(package, "deploy", fake)
    return seen


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_deploy_of_ec2_bridge_uses_a_valid_stack_name(captured: dict[str, Any]) -> None:
    shown = subprocess.run(["make", "-n", "-s", "deploy", "BLUEPRINT=ec2_bridge"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout
    command = " ".join(shown.replace("\\\n", " ").split())
    assert "ecsstack deploy blueprints/ec2_bridge.py" in command and "--stack-name" not in command
    args = command.split("ecsstack ", 1)[1].split()
    result = CliRunner().invoke(main, [*args[:2], *(a for a in args[2:] if a.startswith("--"))])
    assert captured == {"stack_name": "ec2-bridge"}, result.output
    with_stack = subprocess.run(["make", "-n", "-s", "deploy", "BLUEPRINT=web", "STACK=web-dev"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    assert "--stack-name web-dev" in with_stack


def test_the_cli_refuses_an_invalid_stack_name_before_any_aws_call(captured: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["deploy", str(ROOT / "blueprints" / "ec2_bridge.py"),
                                       "--stack-name", "ec2_bridge", "--yes"])
    assert result.exit_code == 2, result.output
    assert "error --stack-name 'ec2_bridge' is not a valid CloudFormation stack name" in result.output
    assert "Use --stack-name ec2-bridge." in result.output and captured == {}
    status = CliRunner().invoke(main, ["status", "--stack-name", "my_stack"])
    assert status.exit_code == 2 and "Use --stack-name my-stack." in status.output
