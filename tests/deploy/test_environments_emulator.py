"""Environments against the local emulator: the STS account guard (assume_role into 111111111111 gives that
identity), deploy/diff --env with merged parameters and their origins, and a StackSet rollout to two
accounts × two regions: create, no-change, update (template, parameter, overrides), status and destroy."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from rich.console import Console

from ecsstack.cli import main
from ecsstack.deploy import Provider
from ecsstack.deploy._bootstrap import assumed_provider
from ecsstack.deploy._guard import AccountMismatch, check_target
from ecsstack.deploy._stacksets import Targets, rollout, rollout_destroy, rollout_status
from ecsstack.environments import Rollout, load_environments

from .test_emulator import template

BLUEPRINT = """\
from ecsstack import FargateTaskDefinition, Stack, Sub


def build(env):
    stack = Stack("app")
    stack.parameter("ImageTag", default="1.0")
    task = FargateTaskDefinition("job", cpu=env.get("cpu", 256), memory=env.get("memory", 512))
    task.add_container("main", image=Sub("nginx:${ImageTag}"))
    stack.add(task)
    return stack
"""

ENVIRONMENTS = """\
[defaults]
tags = { team = "payments" }

[environments.dev]
account = "123456789012"
region = "us-east-1"

[environments.prod]
account = "111111111111"
regions = ["us-east-1", "eu-west-1"]
settings = { cpu = 512, memory = 1024 }

[environments.prod.parameters]
ImageTag = "1.4"

[environments.fleet]
account = "123456789012"
region = "us-east-1"
parameters = { ImageTag = "1.4" }

[environments.fleet.rollout]
accounts = ["111111111111", "222222222222"]
regions = ["us-east-1", "eu-west-1"]

[environments.fleet.rollout.preferences]
max_concurrent = "50%"
region_concurrency = "parallel"

[[environments.fleet.rollout.overrides]]
accounts = ["222222222222"]
regions = ["eu-west-1"]
parameters = { ImageTag = "1.3" }
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "blueprints"
    folder.mkdir()
    (folder / "app.py").write_text(BLUEPRINT)
    (folder / "environments.toml").write_text(textwrap.dedent(ENVIRONMENTS))
    monkeypatch.chdir(tmp_path)
    return folder


def assume(moto: str, account: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Act as ``account`` from now on (environment credentials from STS assume_role)."""
    sts = boto3.client("sts", endpoint_url=moto, region_name="us-east-1")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/deployer", RoleSessionName="test")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_the_guard_refuses_other_credentials_and_passes_the_environments_own(
        moto: str, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prod = load_environments(project / "environments.toml")["prod"]
    with pytest.raises(AccountMismatch) as caught:
        check_target(Provider(endpoint_url=moto, region="us-east-1"), prod, "deploy")
    message = str(caught.value)
    assert "credentials belong to account 123456789012" in message
    assert "environment prod is account 111111111111" in message and "environments.toml:9" in message
    with pytest.raises(AccountMismatch, match=r"the region is ap-south-1, but environment prod is in us-east-1, "
                                              r"eu-west-1"):
        check_target(Provider(endpoint_url=moto, region="ap-south-1"), prod, "deploy")

    result = cli("deploy", str(project / "app.py"), "--env", "prod", "--endpoint-url", moto, "--yes", "--no-lint")
    assert result.exit_code == 1, result.output
    assert "refusing to deploy environment prod" in result.output and "Nothing was changed" in result.output
    cfn = boto3.client("cloudformation", endpoint_url=moto, region_name="us-east-1")
    assert cfn.describe_stacks()["Stacks"] == []  # refused before any change
    assert cli("destroy", str(project / "app.py"), "--env", "prod", "--endpoint-url", moto, "--yes").exit_code == 1

    assume(moto, "111111111111", monkeypatch)
    who = check_target(Provider(endpoint_url=moto, region="eu-west-1"), prod, "deploy")
    assert who.account == "111111111111" and who.region == "eu-west-1"
    wrong_region = cli("deploy", str(project / "app.py"), "--env", "prod", "--region", "ap-south-1",
                       "--endpoint-url", moto, "--yes", "--no-lint")
    assert wrong_region.exit_code == 2 and "--region ap-south-1 is not a region of environment prod" in \
        wrong_region.output
    ok = cli("deploy", str(project / "app.py"), "--env", "prod", "--endpoint-url", moto, "--yes", "--no-lint")
    assert ok.exit_code == 0, ok.output
    assert "environment prod: account 111111111111, region us-east-1" in ok.output
    assert "Stack app-prod created" in ok.output


def test_deploy_and_diff_merge_parameters_and_say_where_each_came_from(moto: str, project: Path) -> None:
    app = str(project / "app.py")
    first = cli("deploy", app, "--env", "fleet", "--endpoint-url", moto, "--yes", "--no-lint")
    assert first.exit_code == 0, first.output
    assert "ImageTag = 1.4  ← " in first.output and "environments.toml:19" in first.output
    cfn = boto3.client("cloudformation", endpoint_url=moto, region_name="us-east-1")
    stack = cfn.describe_stacks(StackName="app-fleet")["Stacks"][0]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {"ImageTag": "1.4"}
    tags = {t["Key"]: t["Value"] for t in stack["Tags"]}
    assert tags.pop("ecsstack:history", "").startswith("s3://")  # where the deploy history is kept
    assert tags == {"team": "payments"}

    diff = cli("diff", app, "--env", "fleet", "--parameter", "ImageTag=2.0", "--endpoint-url", moto)
    assert diff.exit_code == 0, diff.output
    assert "ImageTag = 2.0  ← command line, over" in diff.output and "environments.toml:19" in diff.output
    assert "~ ImageTag: 1.4 → 2.0" in diff.output

    # a parameter set nowhere but in the deployed stack is its previous value
    (project / "environments.toml").write_text(textwrap.dedent(ENVIRONMENTS).replace(
        'parameters = { ImageTag = "1.4" }\n\n[environments.fleet.rollout]', "\n[environments.fleet.rollout]"))
    again = cli("diff", app, "--env", "fleet", "--endpoint-url", moto)
    assert "ImageTag = 1.4  ← previous value" in again.output, again.output


class Out:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=200, highlight=False, soft_wrap=True)

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


def instance_parameters(moto: str, account: str, region: str, stack_set: str) -> dict[str, str]:
    """The parameters of ``stack_set``'s stack in ``account``/``region``, seen from inside that account."""
    base = Provider(endpoint_url=moto, region=region)
    cfn = assumed_provider(base, account, "reader").cfn
    # AWS names them StackSet-<set>-<uuid>; the emulator StackSet:<set>
    stacks = [s for s in cfn.describe_stacks()["Stacks"]
              if s["StackName"].startswith((f"StackSet-{stack_set}", f"StackSet:{stack_set}"))]
    assert len(stacks) == 1, stacks
    return {p["ParameterKey"]: p["ParameterValue"] for p in stacks[0].get("Parameters") or []}


def test_a_stackset_rollout_to_two_accounts_and_two_regions(moto: str) -> None:
    plan = Rollout(accounts=("111111111111", "222222222222"), regions=("us-east-1", "eu-west-1"),
                   overrides=())
    from ecsstack.environments import Override

    plan = Rollout(accounts=plan.accounts, regions=plan.regions,
                   overrides=(Override({"Value": "special"}, ("222222222222",), ("eu-west-1",)),))
    targets = Targets.of(plan)
    out = Out()
    kw: dict[str, Any] = {"endpoint_url": moto, "region": "us-east-1", "console": out.console, "poll": 0,
                          "sleep": lambda _s: None}

    created = rollout(template("a"), "svc", targets, parameters={"Value": "a"}, yes=True, **kw)
    assert created.ok and created.created, out.text
    assert sorted((i.account, i.region, i.status) for i in created.instances) == [
        ("111111111111", "eu-west-1", "SUCCEEDED"), ("111111111111", "us-east-1", "SUCCEEDED"),
        ("222222222222", "eu-west-1", "SUCCEEDED"), ("222222222222", "us-east-1", "SUCCEEDED")]
    cfn = boto3.client("cloudformation", endpoint_url=moto, region_name="us-east-1")
    instances = cfn.list_stack_instances(StackSetName="svc")["Summaries"]
    assert sorted((i["Account"], i["Region"]) for i in instances) == [
        ("111111111111", "eu-west-1"), ("111111111111", "us-east-1"),
        ("222222222222", "eu-west-1"), ("222222222222", "us-east-1")]
    assert instance_parameters(moto, "111111111111", "eu-west-1", "svc") == {"Value": "a"}
    assert instance_parameters(moto, "222222222222", "eu-west-1", "svc") == {"Value": "special"}
    assert "Instances to create: 111111111111/us-east-1, 111111111111/eu-west-1" in out.text

    same = rollout(template("a"), "svc", targets, parameters={"Value": "a"}, yes=True, **kw)
    assert same.no_changes and same.ok and "no changes" in out.text

    updated = rollout(template("b", logs=True), "svc", targets, parameters={"Value": "b"}, yes=True, **kw)
    assert updated.ok and not updated.created and updated.operations, out.text
    assert "parameter Value: a → b" in out.text and "Instances to update: 4" in out.text
    body = json.loads(cfn.describe_stack_set(StackSetName="svc")["StackSet"]["TemplateBody"])
    assert body["Parameters"]["Value"]["Default"] == "b"
    # (the emulator leaves the instances' stacks as they were on an update: the set itself is asserted)
    assert cfn.describe_stack_set(StackSetName="svc")["StackSet"]["Parameters"] == [
        {"ParameterKey": "Value", "ParameterValue": "b"}]

    status_out = Out()
    status = rollout_status("svc", endpoint_url=moto, region="us-east-1", console=status_out.console)
    assert len(status.instances) == 4 and all(i.status == "CURRENT" for i in status.instances)
    assert "222222222222 eu-west-1" in status_out.text and "UPDATE SUCCEEDED" in status_out.text

    # the data-loss guard: the new template drops the log group (DeletionPolicy Retain: it is kept, and said)
    from ecsstack.deploy import DataLossError

    with pytest.raises(DataLossError, match="Logs"):
        rollout(template("b", logs=False), "svc", targets, parameters={"Value": "b"}, yes=True, **kw)

    gone = rollout_destroy("svc", yes=True, **kw)
    assert gone.ok, out.text
    assert "StackSet svc: deleted" in out.text
    assert rollout_status("svc", endpoint_url=moto, region="us-east-1", console=Out().console).cancelled  # gone
    for account in ("111111111111", "222222222222"):
        for region in ("us-east-1", "eu-west-1"):
            inside = assumed_provider(Provider(endpoint_url=moto, region=region), account, "reader").cfn
            assert [s for s in inside.describe_stacks()["Stacks"] if "svc" in s["StackName"]] == []
    assert rollout_destroy("svc", yes=True, **kw).no_changes


def test_rollout_commands_with_an_environment(moto: str, project: Path) -> None:
    app = str(project / "app.py")
    common = ["--env", "fleet", "--endpoint-url", moto]
    first = cli("rollout", app, *common, "--yes", "--no-lint", "--poll", "0")
    assert first.exit_code == 0, first.output
    assert "StackSet app-fleet (new; self-managed) → 2 account(s) × us-east-1, eu-west-1" in first.output
    assert "StackSet app-fleet: rolled out" in first.output
    assert instance_parameters(moto, "222222222222", "eu-west-1", "app-fleet") == {"ImageTag": "1.3"}
    assert instance_parameters(moto, "222222222222", "us-east-1", "app-fleet") == {"ImageTag": "1.4"}

    update = cli("rollout", app, *common, "--yes", "--no-lint", "--poll", "0", "--parameter", "ImageTag=2.0",
                 "--max-concurrent", "1")
    assert update.exit_code == 0 and "parameter ImageTag: 1.4 → 2.0" in update.output, update.output
    cfn = boto3.client("cloudformation", endpoint_url=moto, region_name="us-east-1")
    assert cfn.describe_stack_set(StackSetName="app-fleet")["StackSet"]["Parameters"] == [
        {"ParameterKey": "ImageTag", "ParameterValue": "2.0"}]

    status = cli("rollout", "status", app, *common)
    assert status.exit_code == 0 and status.output.count("CURRENT") == 4, status.output

    no_terminal = cli("rollout", "destroy", app, *common, "--poll", "0")
    assert no_terminal.exit_code == 1 and "refusing to destroy without confirmation" in no_terminal.output
    destroyed = cli("rollout", "destroy", app, *common, "--yes", "--poll", "0")
    assert destroyed.exit_code == 0 and "StackSet app-fleet: deleted" in destroyed.output, destroyed.output

    unguarded = cli("rollout", app, "--env", "prod", "--endpoint-url", moto, "--yes", "--no-lint")
    assert unguarded.exit_code == 2 and "has no [environments.prod.rollout] table" in unguarded.output


def test_bootstrap_prints_and_deploys_the_two_roles(moto: str, project: Path) -> None:
    printed = cli("rollout", "bootstrap", "--role", "execution", "--administration-account", "123456789012")
    assert printed.exit_code == 0, printed.output
    role = json.loads(printed.output)["Resources"]["ExecutionRole"]
    assert role["Properties"]["RoleName"] == "AWSCloudFormationStackSetExecutionRole"
    both = json.loads(cli("rollout", "bootstrap", "--env", "fleet").output)
    admin = both["administration"]["Resources"]["AdministrationRole"]["Properties"]
    assert admin["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "cloudformation.amazonaws.com"}
    assert "AWSCloudFormationStackSetExecutionRole" in json.dumps(admin["Policies"])
    assert both["execution"]["Parameters"]["AdministrationAccount"]["Default"] == "123456789012"

    deployed = cli("rollout", "bootstrap", "--env", "fleet", "--deploy", "--assume-role", "OrgAccess", "--yes",
                   "--no-lint", "--endpoint-url", moto)
    assert deployed.exit_code == 0, deployed.output
    assert "account 111111111111 (through OrgAccess)" in deployed.output
    iam = boto3.client("iam", endpoint_url=moto, region_name="us-east-1")
    assert iam.get_role(RoleName="AWSCloudFormationStackSetAdministrationRole")["Role"]
    for account in ("111111111111", "222222222222"):
        cfn = assumed_provider(Provider(endpoint_url=moto, region="us-east-1"), account, "reader").cfn
        stack = cfn.describe_stacks(StackName="ecsstack-stackset-execution-role")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_make_deploy_with_env(moto: str, project: Path) -> None:
    """`make deploy BLUEPRINT=app ENV=fleet PARAMS=...`: the Makefile passes --env and the parameters."""
    import os
    import shutil
    import subprocess

    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "ENV": "/etc/profile-of-some-shell"}  # a shell's own $ENV must not leak in
    argv = [make, "-s", "-C", str(root), "deploy", f"BLUEPRINTS={project}", "BLUEPRINT=app", "ENV=fleet",
            "PARAMS=ImageTag=3.0", f"DEPLOY_FLAGS=--yes --no-lint --endpoint-url {moto}"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ImageTag = 3.0  ← command line, over" in done.stdout
    cfn = boto3.client("cloudformation", endpoint_url=moto, region_name="us-east-1")
    stack = cfn.describe_stacks(StackName="app-fleet")["Stacks"][0]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {"ImageTag": "3.0"}
    plain = subprocess.run([make, "-s", "-n", "-C", str(root), "deploy", "BLUEPRINT=app"], capture_output=True,
                           text=True, env=env, timeout=60, check=False)
    assert "--env" not in plain.stdout


def test_rollout_of_a_template_file_to_accounts_and_regions_given_on_the_command_line(moto: str,
                                                                                      tmp_path: Path) -> None:
    built = tmp_path / "svc.json"
    built.write_text(json.dumps(template("a", logs=False)))
    first = cli("rollout", str(built), "--accounts", "111111111111", "--accounts", "222222222222",
                "--regions", "us-east-1", "--parameter", "Value=x", "--endpoint-url", moto, "--yes", "--no-lint",
                "--poll", "0")
    assert first.exit_code == 0, first.output
    assert "StackSet svc (new; self-managed) → 2 account(s) × us-east-1" in first.output
    missing = cli("rollout", str(built), "--accounts", "111111111111", "--endpoint-url", moto, "--yes")
    assert missing.exit_code == 2 and "--accounts and --regions" in missing.output
    gone = cli("rollout", "destroy", "--stack-set-name", "svc", "--endpoint-url", moto, "--yes", "--poll", "0")
    assert gone.exit_code == 0 and "StackSet svc: deleted" in gone.output, gone.output
