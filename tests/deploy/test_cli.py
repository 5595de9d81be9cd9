"""The deploy commands through click's CliRunner: exit codes 0/1/2/130 and one-line messages."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from local_emulator import demo_parameters, ensure_network

from ecsstack.cli import _deploy, main
from ecsstack.cli._deploy import parse_pairs
from ecsstack.deploy import UsageError
from ecsstack.loader import load_blueprint

from .test_emulator import template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run ``ecsstack ARGS`` against the emulator; ``cli.template`` is what the blueprint compiles to."""
    blueprint = tmp_path / "app.py"
    blueprint.write_text("def build():\n    raise AssertionError('replaced by the test')\n")
    state: dict[str, Any] = {"template": template("a")}
    monkeypatch.setattr(_deploy, "_template_of", lambda path, strict=False: (state["template"], "app"))

    def run(*args: str, endpoint: str | None = moto, blueprint_arg: bool = True) -> Any:
        argv = list(args)
        if blueprint_arg and argv[0] in ("deploy", "diff"):
            argv.insert(1, str(blueprint))
        if endpoint:
            argv += ["--endpoint-url", endpoint]
        if argv[0] == "deploy":
            argv.append("--no-lint")
        return CliRunner().invoke(main, argv)

    run.state = state  # type: ignore[attr-defined]
    return run


def one_error_line(result: Any) -> str:
    errors = [line for line in result.output.splitlines() if line.startswith("error")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    return errors[0]


def test_deploy_then_no_changes(cli: Any) -> None:
    first = cli("deploy", "--yes", "--tag", "team=web")
    assert first.exit_code == 0, first.output
    assert "Stack app created" in first.output and "/app/p" in first.output
    again = cli("deploy", "--yes")
    assert again.exit_code == 0 and "no changes" in again.output


def test_deploy_without_yes_and_without_terminal_refuses(cli: Any) -> None:
    result = cli("deploy")
    assert result.exit_code == 1
    assert "refusing to deploy without confirmation" in one_error_line(result)


@pytest.mark.parametrize(("args", "words"), [
    (("deploy", "--yes", "--parameter", "Value"), "--parameter 'Value': expected KEY=VALUE"),
    (("deploy", "--yes", "--tag", "=x"), "--tag '=x': expected KEY=VALUE"),
    (("deploy", "--yes", "--parameter", "Nope=1"), "unknown parameter Nope"),
    (("diff", "--parameter", "Nope=1"), "unknown parameter Nope"),
])
def test_usage_errors_exit_2(cli: Any, args: tuple[str, ...], words: str) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert words in one_error_line(result)


def test_parse_pairs() -> None:
    assert parse_pairs(["A=1", "B=x=y", "C="], "--parameter") == {"A": "1", "B": "x=y", "C": ""}
    for bad in ("A", "=1"):
        with pytest.raises(UsageError, match="expected KEY=VALUE") as caught:
            parse_pairs([bad], "--parameter")
        assert caught.value.exit_code == 2


def test_data_loss_guard_exit_1_unless_allowed(cli: Any) -> None:
    assert cli("deploy", "--yes").exit_code == 0
    cli.state["template"] = template("a", logs=False)
    stopped = cli("deploy", "--yes")
    assert stopped.exit_code == 1
    assert "DATA AT RISK Logs" in stopped.output
    assert "--allow-replace" in one_error_line(stopped)
    assert cli("deploy", "--yes", "--allow-replace").exit_code == 0


def test_diff_status_outputs_destroy(cli: Any) -> None:
    shown = cli("diff")
    assert shown.exit_code == 0 and "+ Add" in shown.output
    assert cli("deploy", "--yes").exit_code == 0
    status = cli("status", "--stack-name", "app")
    assert status.exit_code == 0 and "Stack app: CREATE_COMPLETE" in status.output
    outputs = cli("outputs", "--stack-name", "app", "--format", "json")
    assert outputs.exit_code == 0 and isinstance(json.loads(outputs.stdout), dict)
    assert cli("destroy", "--stack-name", "app").exit_code == 1  # no terminal, no --yes
    gone = cli("destroy", "--stack-name", "app", "--yes")
    assert gone.exit_code == 0 and "deleted" in gone.output
    missing = cli("status", "--stack-name", "app")
    assert missing.exit_code == 1 and "does not exist" in missing.output
    assert "does not exist" in one_error_line(cli("outputs", "--stack-name", "app"))
    assert cli("destroy").exit_code == 2


def test_unreachable_endpoint_is_one_line(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = cli("deploy", "--yes", endpoint=closed)
    assert result.exit_code == 1
    assert f"cannot reach {closed}" in one_error_line(result)


def test_missing_credentials_is_one_line(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = cli("status", "--stack-name", "app")
    assert result.exit_code == 1
    assert "no AWS credentials found" in one_error_line(result)


def test_ctrl_c_exits_130_with_how_to_follow(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsstack import deploy as package
    from ecsstack.deploy import DeployInterrupted

    def interrupted(*_: Any, **__: Any) -> Any:
        raise DeployInterrupted("app")

    monkeypatch.setattr(package, "deploy", interrupted)
    result = cli("deploy", "--yes")
    assert result.exit_code == 130
    assert "ecsstack status --stack-name app" in result.output and "Traceback" not in result.output


def test_lint_errors_stop_the_deploy(cli: Any, moto: str, tmp_path: Path) -> None:
    cli.state["template"] = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup",
                                                    "Properties": {"RetentionInDays": "often"}}}}
    result = CliRunner().invoke(main, ["deploy", str(tmp_path / "app.py"), "--yes", "--endpoint-url", moto])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1] == "error cfn-lint found 2 errors; nothing was deployed."
    assert any(line.startswith("error E3012 Resources/Logs/Properties/RetentionInDays") for line in lines)
    assert boto3.client("cloudformation", endpoint_url=moto).describe_stacks()["Stacks"] == []


def test_help_imports_no_boto3_and_lists_the_commands() -> None:
    code = ("import sys\nfrom ecsstack.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'cfnlint')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("[]")
    for command in ("diff", "deploy", "destroy", "status", "outputs"):
        assert f"  {command} " in result.stdout


@pytest.mark.skipif(not (ROOT / "blueprints" / "web.py").exists(), reason="needs blueprints/web.py")
def test_web_blueprint_end_to_end(moto: str) -> None:
    """What `make deploy-local` does: synth, validate, lint, deploy; the second time: no changes."""
    ec2 = boto3.client("ec2", endpoint_url=moto, region_name="us-east-1")
    vpc, subnets = ensure_network(ec2)
    assert ensure_network(ec2) == (vpc, subnets)  # found again by tag, not created twice
    template = load_blueprint(ROOT / "blueprints" / "web.py").to_dict()
    params = demo_parameters(template, moto)
    assert params == demo_parameters(template, moto), "the demo's surroundings are made once"
    assert params.get("VpcId") == vpc, "the web blueprint takes its network as parameters"
    argv = ["deploy", str(ROOT / "blueprints" / "web.py"), "--stack-name", "web-local", "--endpoint-url", moto,
            "--yes", *[arg for k, v in params.items() for arg in ("--parameter", f"{k}={v}")]]
    first = CliRunner().invoke(main, argv)
    assert first.exit_code == 0, first.output
    assert "Stack web-local created" in first.output and "AWS::ECS::Service" in first.output
    second = CliRunner().invoke(main, argv)
    assert second.exit_code == 0 and "no changes" in second.output
    forced = CliRunner().invoke(main, [*argv, "--force-new-deployment"])
    assert forced.exit_code == 0, forced.output
    deployed = boto3.client("cloudformation", endpoint_url=moto).get_template(StackName="web-local")["TemplateBody"]
    services = [r for r in deployed["Resources"].values() if r["Type"] == "AWS::ECS::Service"]
    assert services and all(s["Properties"]["ForceNewDeployment"]["EnableForceNewDeployment"] for s in services)


def test_unknown_profile_is_one_line(cli: Any) -> None:
    result = cli("status", "--stack-name", "app", "--profile", "nope")
    assert result.exit_code == 1
    assert "The config profile (nope) could not be found" in one_error_line(result)


def test_a_synthesized_template_file_deploys_under_its_stem(moto: str, tmp_path: Path) -> None:
    """CI synthesizes build/<stack>.json; deploying that file needs no Python blueprint."""
    out = tmp_path / "build"
    assert CliRunner().invoke(main, ["synth", str(ROOT / "blueprints" / "worker.py"), "-o", str(out)]).exit_code == 0
    network = demo_parameters(json.loads((out / "worker.json").read_text()), moto)
    yaml_file = tmp_path / "tiny.yaml"
    yaml_file.write_text("Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
                         "      RetentionInDays: 7\nOutputs:\n  Name:\n    Value: !Ref Logs\n")
    for path, name, params in ((out / "worker.json", "worker", network), (yaml_file, "tiny", {})):
        args = [arg for k, v in params.items() for arg in ("--parameter", f"{k}={v}")]
        result = CliRunner().invoke(main, ["deploy", str(path), "--endpoint-url", moto, "--yes", *args])
        assert result.exit_code == 0, result.output
        assert f"Stack {name} created" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = CliRunner().invoke(main, ["deploy", str(broken), "--endpoint-url", moto, "--yes"])
    assert result.exit_code == 2 and "not a CloudFormation template" in result.output


WARNED = """
from ecsstack import Cluster, Condition, FargateTaskDefinition, Service, Stack

def build():
    stack = Stack("warned")
    stack.parameter("Tag", default="1")
    stack.parameter("tag", default="2")
    task = FargateTaskDefinition("web", cpu=256, memory=512)
    app = task.add_container("app", image="nginx:1.27", ports=[80])
    side = task.add_container("side", image="busybox", essential=False)
    app.depends_on(side, Condition.START)
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    return stack
"""


def test_the_cli_synthesizes_and_prints_the_rule_warnings(moto: str, tmp_path: Path) -> None:
    """diff/deploy of a blueprint: warnings are printed (and the command goes on); errors stop it."""
    blueprint = tmp_path / "warned.py"
    blueprint.write_text(WARNED)
    network = demo_parameters(load_blueprint(blueprint).to_dict(), moto)
    args = [arg for k, v in network.items() for arg in ("--parameter", f"{k}={v}")]
    shown = CliRunner().invoke(main, ["diff", str(blueprint), "--endpoint-url", moto, *args])
    assert shown.exit_code == 0, shown.output
    assert f"{blueprint}: warning ECS503" in shown.output and "+ Add" in shown.output
    broken = tmp_path / "broken.py"
    broken.write_text(WARNED.replace("Condition.START", "Condition.HEALTHY"))  # side has no health check
    stopped = CliRunner().invoke(main, ["deploy", str(broken), "--endpoint-url", moto, "--yes", *args])
    assert stopped.exit_code == 1
    assert f"{broken}: error ECS201" in stopped.output and "nothing was deployed" in stopped.output
    assert boto3.client("cloudformation", endpoint_url=moto).describe_stacks()["Stacks"] == []
