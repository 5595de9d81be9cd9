"""Deploy history and rollback: the full cycle on the emulator (deploy v1, v2; history 2; rollback to 1; the stack's
template is v1 again; history 3), through the library and the CLI; retention (the pruning function, and a record
past the limit deleting the oldest); the failure paths (no bucket, no tag, --to out of range) and a record that
cannot be written warning instead of failing the deploy (recorded responses)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from rich.console import Console

from ecsstack.cli import main
from ecsstack.deploy import DeployError, HistoryEntry, Outcome, Provider, UsageError, deploy, history, rollback
from ecsstack.deploy._history import HISTORY_TAG, KEEP, Location, history_tags, images_of, prune, record
from ecsstack.deploy._provider import StackInfo
from ecsstack.deploy._template import Template

from .fakeaws import ACCOUNT, FakeTime, Recorded, make_client
from .test_emulator import template

REGION = "us-east-1"
BUCKET = "deploys"  # made for the test: the emulator refuses uploads to the TLS-only bucket ecsstack makes


class Run:
    def __init__(self, url: str):
        self.url = url
        self.time = FakeTime()
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=250, highlight=False, soft_wrap=True)

    def kw(self, **extra: Any) -> dict[str, Any]:
        return {"endpoint_url": self.url, "region": REGION, "console": self.console, **extra}

    def timed(self, **extra: Any) -> dict[str, Any]:
        return self.kw(sleep=self.time.sleep, clock=self.time.clock, **extra)

    def deploy(self, tpl: dict[str, Any], name: str = "app", **extra: Any) -> Any:
        """Deploy ``tpl`` with its parameters' defaults given (an update keeps a parameter's value otherwise)."""
        given = {k: v["Default"] for k, v in tpl.get("Parameters", {}).items()}
        extra["parameters"] = {**given, **extra.get("parameters", {})}
        return deploy(tpl, name, **self.timed(yes=True, lint=False, **extra))

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=REGION)

    def deployed(self, name: str = "app") -> dict[str, Any]:
        body = self.client("cloudformation").get_template(StackName=name)["TemplateBody"]
        return body if isinstance(body, dict) else json.loads(body)

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


@pytest.fixture
def run(moto: str) -> Run:
    made = Run(moto)
    made.client("s3").create_bucket(Bucket=BUCKET)
    return made


def with_image(value: str, image: str) -> dict[str, Any]:
    tpl = template(value)
    tpl["Parameters"]["Tag"] = {"Type": "String", "Default": "1.0"}
    tpl["Resources"]["WebTaskDefinition"] = {"Type": "AWS::ECS::TaskDefinition", "Properties": {
        "ContainerDefinitions": [{"Name": "app", "Image": image, "Essential": True, "Memory": 512}]}}
    return tpl


# ---- the full cycle on the emulator ------------------------------------------------------------------------------

def test_deploy_twice_then_roll_back_to_the_first(run: Run) -> None:
    v1, v2 = template("one"), template("two")
    assert run.deploy(v1, s3_bucket=BUCKET).outcome is Outcome.CREATED
    stack = run.client("cloudformation").describe_stacks(StackName="app")["Stacks"][0]
    assert {t["Key"]: t["Value"] for t in stack["Tags"]}[HISTORY_TAG] == f"s3://{BUCKET}/ecsstack-history/app/"
    assert "Recorded as deploy 1 in s3://deploys/ecsstack-history/app/" in run.text
    assert run.deploy(v2).outcome is Outcome.UPDATED  # no --s3-bucket: the stack's tag says where

    entries = history("app", **run.kw())
    assert [e.number for e in entries] == [1, 2]
    assert [e.outcome for e in entries] == ["created", "updated"]
    assert entries[0].who == f"arn:aws:sts::{ACCOUNT}:user/moto" and entries[0].when.endswith("Z")
    assert json.loads(entries[0].template) == v1 and entries[1].parameters == {"Value": "two"}
    assert entries[0].changes == ["+ Add Logs", "+ Add Param"] and entries[0].summary == "created"
    assert [e.deployed for e in entries] == [False, True]

    result = rollback("app", yes=True, lint=False, **run.timed())
    assert result.ok and result.outcome is Outcome.UPDATED
    assert run.deployed() == v1  # the stack's template is v1 again
    assert run.client("ssm").get_parameter(Name="/app/p")["Parameter"]["Value"] == "one"
    assert "Rolling app back to deploy 1" in run.text and "Param" in run.text  # the diff was shown

    entries = history("app", **run.kw())
    assert [e.number for e in entries] == [1, 2, 3]
    assert entries[2].description == "rollback to 1" and json.loads(entries[2].template) == v1
    assert [e.deployed for e in entries] == [False, False, True]
    assert "[rollback to 1]" in run.text

    # rolling back again (default: the one before the newest) returns to v2's record
    assert rollback("app", yes=True, lint=False, **run.timed()).ok
    assert run.deployed() == v2


def test_history_records_the_images_deployed(run: Run) -> None:
    tpl = with_image("a", "example/app:${Tag}")
    tpl["Resources"]["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Image"] = {
        "Fn::Sub": "example/app:${Tag}"}
    assert run.deploy(tpl, s3_bucket=BUCKET, parameters={"Tag": "2.1"}).ok
    [entry] = history("app", **run.kw())
    assert entry.images == {"WebTaskDefinition/app": "example/app:2.1"}
    assert "images: example/app:2.1" in run.text


def test_rollback_shows_the_diff_and_honours_the_confirmation(run: Run) -> None:
    run.deploy(template("one"), s3_bucket=BUCKET)
    run.deploy(template("two"))
    asked: list[str] = []
    result = rollback("app", confirm=lambda q: asked.append(q) or False, lint=False, **run.timed())
    assert result.outcome is Outcome.CANCELLED and asked == ["Deploy these changes to app?"]
    assert '"two" → "one"' in run.text  # the property diff
    assert run.deployed() == template("two")
    assert [e.number for e in history("app", **run.kw())] == [1, 2]  # a cancelled rollback records nothing


def test_rollback_applies_the_data_loss_guard(run: Run) -> None:
    run.deploy(template("one", log_name="/app/logs"), s3_bucket=BUCKET)
    run.deploy(template("two", log_name="/app/logs-v2"), allow_replace=True)
    with pytest.raises(DeployError) as info:
        rollback("app", yes=True, lint=False, **run.timed())
    assert "Logs" in str(info.value)
    assert rollback("app", yes=True, allow_replace=True, lint=False, **run.timed()).ok


def test_no_changes_records_nothing_and_no_history_opts_out(run: Run) -> None:
    run.deploy(template("one"), s3_bucket=BUCKET)
    assert run.deploy(template("one")).outcome is Outcome.NO_CHANGES
    run.deploy(template("two"), history=False)
    assert [e.number for e in history("app", **run.kw())] == [1]


def test_the_cli_cycle(run: Run, tmp_path: Path) -> None:
    def cli(*args: str) -> Any:
        return CliRunner().invoke(main, [*args, "--endpoint-url", run.url, "--region", REGION])

    for value in ("one", "two"):
        path = tmp_path / "app.json"
        path.write_text(json.dumps(template(value)))
        done = cli("deploy", str(path), "--yes", "--no-lint", "--s3-bucket", BUCKET, "--description", f"v-{value}")
        assert done.exit_code == 0, done.output
    listed = cli("history", "--stack-name", "app")
    assert listed.exit_code == 0, listed.output
    assert "Deploy history of app" in listed.output and "[v-two]" in listed.output
    assert "*   2" in listed.output and f"arn:aws:sts::{ACCOUNT}:user/moto" in listed.output
    as_json = json.loads(cli("history", "--stack-name", "app", "--format", "json").output)
    assert [(r["number"], r["deployed"]) for r in as_json] == [(1, False), (2, True)]

    out_of_range = cli("rollback", "--stack-name", "app", "--to", "7", "--yes", "--no-lint")
    assert out_of_range.exit_code == 2
    assert "--to 7: no such record; the history keeps 1 to 2" in out_of_range.output
    back = cli("rollback", "--stack-name", "app", "--to", "1", "--yes", "--no-lint")
    assert back.exit_code == 0, back.output
    assert run.deployed() == template("one")
    assert len(json.loads(cli("history", "--stack-name", "app", "--format", "json").output)) == 3


# ---- failure paths -----------------------------------------------------------------------------------------------

def test_without_a_bucket_the_default_one_is_made(run: Run) -> None:
    """The default bucket is created (and secured) for the first record; the emulator then applies its TLS-only
    policy without the condition and refuses the write, which is a warning (on AWS the record is written)."""
    result = run.deploy(template("one"))
    assert result.ok
    default = f"ecsstack-templates-{ACCOUNT}-{REGION}"
    run.client("s3").head_bucket(Bucket=default)  # made
    policy = json.loads(run.client("s3").get_bucket_policy(Bucket=default)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    stack = run.client("cloudformation").describe_stacks(StackName="app")["Stacks"][0]
    assert {t["Key"]: t["Value"] for t in stack["Tags"]}[HISTORY_TAG] == f"s3://{default}/ecsstack-history/app/"


def test_a_stack_without_history_tag(run: Run) -> None:
    run.deploy(template("one"), history=False)
    with pytest.raises(DeployError, match="stack app has no deploy history: it has no ecsstack:history tag"):
        history("app", **run.kw())
    result = CliRunner().invoke(main, ["rollback", "--stack-name", "app", "--yes", "--endpoint-url", run.url,
                                       "--region", REGION])
    assert result.exit_code == 1 and "no deploy history" in result.output and "Traceback" not in result.output


def test_a_missing_stack(run: Run) -> None:
    with pytest.raises(DeployError, match="stack nope does not exist"):
        history("nope", **run.kw())


def test_one_record_is_nothing_to_roll_back_to(run: Run) -> None:
    run.deploy(template("one"), s3_bucket=BUCKET)
    with pytest.raises(DeployError, match="holds one record \\(1\\), the deploy in place"):
        rollback("app", yes=True, lint=False, **run.timed())


def test_to_out_of_range_is_a_usage_error(run: Run) -> None:
    run.deploy(template("one"), s3_bucket=BUCKET)
    run.deploy(template("two"))
    with pytest.raises(UsageError, match="--to 0: no such record; the history keeps 1 to 2") as info:
        rollback("app", to=0, yes=True, lint=False, **run.timed())
    assert info.value.exit_code == 2


def test_a_missing_bucket_warns_and_the_deploy_stands(run: Run) -> None:
    result = run.deploy(template("one"), s3_bucket="gone")
    assert result.ok and result.outcome is Outcome.CREATED
    assert "the deploy succeeded but was not recorded in the history: the bucket gone (--s3-bucket) does not " \
           "exist" in run.text
    with pytest.raises(DeployError, match="listing the deploy history in s3://gone/ecsstack-history/app/ failed"):
        history("app", **run.kw())


def test_a_deleted_bucket_is_a_clear_error_for_rollback(run: Run) -> None:
    run.deploy(template("one"), s3_bucket=BUCKET)
    run.deploy(template("two"))
    s3 = run.client("s3")
    for key in [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]:
        s3.delete_object(Bucket=BUCKET, Key=key)
    s3.delete_bucket(Bucket=BUCKET)
    with pytest.raises(DeployError, match="NoSuchBucket"):
        rollback("app", yes=True, lint=False, **run.timed())
    assert run.deployed() == template("two")


# ---- retention ---------------------------------------------------------------------------------------------------

def test_prune_keeps_the_newest() -> None:
    assert prune(range(1, 22)) == [1]
    assert prune(range(1, 21)) == []
    assert prune([5, 3, 40, 3], keep=2) == [3]
    assert prune(range(1, 30), keep=KEEP) == list(range(1, 10))
    assert prune([], keep=0) == []


def test_a_record_past_the_limit_deletes_the_oldest(run: Run) -> None:
    s3 = run.client("s3")
    location = Location.of(BUCKET, "app")
    for n in range(1, KEEP + 1):  # twenty earlier records, put there directly
        s3.put_object(Bucket=BUCKET, Key=location.key(n),
                      Body=HistoryEntry(n, "2026-01-01T00:00:00Z", "me", "updated", "{}").to_json().encode())
    provider = Provider(endpoint_url=run.url, region=REGION)
    entry = record(provider, location, stack_name="absent", template=Template.of(template("x")), outcome="updated",
                   changes=[])
    assert entry.number == KEEP + 1
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=location.prefix)["Contents"])
    assert len(keys) == KEEP and keys[0] == location.key(2) and keys[-1] == location.key(KEEP + 1)


# ---- pieces ------------------------------------------------------------------------------------------------------

def test_tags_keep_the_stacks_own_when_the_history_tag_is_added() -> None:
    where = Location.of("b", "app")
    fresh = StackInfo("app", "id", "UPDATE_COMPLETE", tags={"team": "web"})
    assert history_tags(where, None, fresh) == {"team": "web", HISTORY_TAG: "s3://b/ecsstack-history/app/"}
    tagged = StackInfo("app", "id", "UPDATE_COMPLETE", tags={"team": "web", HISTORY_TAG: where.uri})
    assert history_tags(where, None, tagged) is None  # nothing to change: the stack keeps its tags
    assert history_tags(where, {"env": "dev"}, tagged) == {"env": "dev", HISTORY_TAG: where.uri}
    assert history_tags(where, None, None) == {HISTORY_TAG: where.uri}


def test_location_parse_and_numbers() -> None:
    where = Location.parse("s3://b/ecsstack-history/app")
    assert where == Location("b", "ecsstack-history/app/")
    assert where.key(3) == "ecsstack-history/app/000003.json" and where.number(where.key(3)) == 3
    assert where.number("ecsstack-history/app/notes.txt") is None
    assert Location.parse("https://b/x") is None and Location.parse("s3://b") is None


def test_images_resolve_parameters_refs_and_subs() -> None:
    tpl = {"Resources": {
        "A": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
            {"Name": "app", "Image": {"Ref": "Image"}}, {"Name": "proxy", "Image": "envoy:1.30"}]}},
        "B": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
            {"Name": "w", "Image": {"Fn::Sub": ["${Repo}:${Tag}", {}]}}]}},
        "C": {"Type": "AWS::SSM::Parameter", "Properties": {}}}}
    assert images_of(tpl, {"Image": "app:3", "Repo": "r", "Tag": "9"}) == {
        "A/app": "app:3", "A/proxy": "envoy:1.30", "B/w": "r:9"}


def test_summary_of_changes() -> None:
    def entry(*changes: str) -> HistoryEntry:
        return HistoryEntry(2, "t", "me", "updated", "{}", changes=list(changes))

    assert entry("~ Modify Param").summary == "1 change: Modify Param"
    assert entry().summary == "no resource changes"
    assert entry("+ Add A", "- Remove B", "~ Modify C", "~ Modify D").summary == \
        "4 changes: Add A, Remove B, Modify C, +1"


def test_noecho_parameters_are_never_written_and_rollback_keeps_them() -> None:
    entry = HistoryEntry(1, "t", "me", "updated", "{}", parameters={"Password": "****", "Tag": "2"})
    assert entry.rollback_parameters() == {"Tag": "2"}


def _interrupt(_params: Any) -> Any:
    raise KeyboardInterrupt


@pytest.mark.parametrize(("refusal", "said"), [
    ("denied", "writing the deploy record s3://deploys/ecsstack-history/app/000001.json failed: AccessDenied"),
    ("ctrl-c", "interrupted."),
])
def test_a_record_that_cannot_be_written_warns_and_the_deploy_succeeds(refusal: str, said: str) -> None:
    """On recorded responses: S3 refuses the write (AccessDenied), or Ctrl-C comes while it is written; the stack
    was updated all the same, and the deploy says so."""
    from .fakeaws import StackScript, event

    cfn, s3, sts = (Recorded(make_client(s)) for s in ("cloudformation", "s3", "sts"))
    arn = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/app/1"
    tags = [{"Key": HISTORY_TAG, "Value": "s3://deploys/ecsstack-history/app/"}]
    described = {"StackName": "app", "StackId": arn, "StackStatus": "UPDATE_COMPLETE",
                 "CreationTime": "2025-01-01T00:00:00Z", "Tags": tags, "Parameters": [
                     {"ParameterKey": "Value", "ParameterValue": "b"}]}
    script = StackScript("app", [(None, [event("app", 1, "app", "UPDATE_IN_PROGRESS"),
                                         event("app", 2, "app", "UPDATE_COMPLETE")])])
    cfn.add("describe_stacks", {"Stacks": [described]}, sticky=True)
    cfn.add("create_change_set", {"Id": f"{arn}:changeSet/cs", "StackId": arn})
    cfn.add("describe_change_set", {"Status": "CREATE_COMPLETE", "ExecutionStatus": "AVAILABLE", "StackId": arn,
                                    "Changes": [{"Type": "Resource", "ResourceChange": {
                                        "Action": "Modify", "LogicalResourceId": "Param",
                                        "ResourceType": "AWS::SSM::Parameter"}}]})
    cfn.add("get_template", {"TemplateBody": json.dumps(template("a"))}, sticky=True)
    cfn.add("execute_change_set", {})
    cfn.add("describe_stack_events", lambda p: {"StackEvents": script.visible_events()}, sticky=True)
    cfn.add("list_stack_resources", {"StackResourceSummaries": []}, sticky=True)
    sts.add("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci",
                                    "UserId": "x"}, sticky=True)
    s3.add("head_bucket", {})
    s3.add("list_objects_v2", {"KeyCount": 0, "IsTruncated": False})
    if refusal == "denied":
        s3.error("put_object", "AccessDenied", "Access Denied", 403)
    else:
        s3.add("put_object", _interrupt)
    buffer = io.StringIO()
    fake = FakeTime()
    result = deploy(template("b"), "app", yes=True, lint=False, console=Console(file=buffer, width=250),
                    provider=Provider(clients={"cloudformation": cfn.client, "s3": s3.client, "sts": sts.client}),
                    sleep=fake.sleep, clock=fake.clock)
    assert result.ok and result.outcome is Outcome.UPDATED
    text = buffer.getvalue()
    assert f"the deploy succeeded but was not recorded in the history: {said}" in text
    [put] = s3.params("put_object")
    assert put["ExpectedBucketOwner"] == ACCOUNT and put["ServerSideEncryption"] == "AES256"
    assert "Tags" not in cfn.params("create_change_set")[0]  # the stack already has its history tag
