"""The deploy plumbing against a real HTTP endpoint: moto_server on 127.0.0.1 (see ../shared/emulator.md).

Only what the emulator does like AWS is asserted here: stacks, change sets, templates, S3, tags, SSM.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from rich.console import Console

from ecsstack.deploy import DataLossError, DeployError, Outcome, Provider, deploy, destroy, diff, outputs, status

from .fakeaws import FakeTime

REGION = "us-east-1"


def template(value: str = "a", *, logs: bool = True, log_name: str | None = None, **top: Any) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Param": {"Type": "AWS::SSM::Parameter",
                  "Properties": {"Name": {"Fn::Sub": "/${AWS::StackName}/p"}, "Type": "String",
                                 "Value": {"Ref": "Value"}}},
    }
    if logs:
        resources["Logs"] = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain",
                             "UpdateReplacePolicy": "Retain", "Properties": {"RetentionInDays": 7}}
        if log_name:
            resources["Logs"]["Properties"]["LogGroupName"] = log_name
    return {"Parameters": {"Value": {"Type": "String", "Default": value}}, "Resources": resources,
            "Outputs": {"ParamName": {"Value": {"Ref": "Param"}}}, **top}


def unexecuted_change_sets(cfn: Any, stack: str) -> list[str]:
    """Change sets left behind (the emulator keeps executed ones listed; AWS drops them)."""
    return [c["ChangeSetName"] for c in cfn.list_change_sets(StackName=stack)["Summaries"]
            if c.get("ExecutionStatus") != "EXECUTE_COMPLETE"]


class Run:
    """Calls the API against the emulator with fake time and captured output."""

    def __init__(self, url: str):
        self.url = url
        self.time = FakeTime()
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=200, highlight=False, soft_wrap=True)

    def kw(self, **extra: Any) -> dict[str, Any]:
        return {"endpoint_url": self.url, "region": REGION, "console": self.console, "sleep": self.time.sleep,
                "clock": self.time.clock, **extra}

    def deploy(self, tpl: dict[str, Any], name: str = "app", **extra: Any) -> Any:
        return deploy(tpl, name, **self.kw(yes=True, lint=False, **extra))

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=REGION)

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


@pytest.fixture
def run(moto: str) -> Run:
    return Run(moto)


def test_create_prints_resources_with_physical_ids(run: Run) -> None:
    result = run.deploy(template("a"), tags={"team": "web", "env": "dev"})
    assert result.ok and result.outcome is Outcome.CREATED and result.status == "CREATE_COMPLETE"
    physical = {r.logical_id: r.physical_id for r in result.resources}
    assert physical["Param"] == "/app/p"
    assert "/app/p" in run.text and "Resources" in run.text and "+ Add" in run.text
    stack = run.client("cloudformation").describe_stacks(StackName="app")["Stacks"][0]
    assert {t["Key"]: t["Value"] for t in stack["Tags"]} == {
        "team": "web", "env": "dev",  # and where the deploy history is (test_history.py)
        "ecsstack:history": "s3://ecsstack-templates-123456789012-us-east-1/ecsstack-history/app/"}
    assert run.client("ssm").get_parameter(Name="/app/p")["Parameter"]["Value"] == "a"
    assert sum(run.time.sleeps) < 5  # the emulator is synchronous: no real waiting needed


def test_update_then_no_changes(run: Run) -> None:
    run.deploy(template("a"))
    updated = run.deploy(template("a"), parameters={"Value": "b"})
    assert updated.outcome is Outcome.UPDATED and updated.status == "UPDATE_COMPLETE"
    assert run.client("ssm").get_parameter(Name="/app/p")["Parameter"]["Value"] == "b"
    assert "Template: identical to the deployed one" in run.text
    assert "~ Value: a → b" in run.text, "the parameter change is shown"
    again = run.deploy(template("a"), parameters={"Value": "b"})
    assert again.outcome is Outcome.NO_CHANGES and again.ok
    assert "no changes" in run.text
    assert unexecuted_change_sets(run.client("cloudformation"), "app") == []


def test_parameters_given_on_create_are_kept_on_update(run: Run) -> None:
    run.deploy(template("a"), parameters={"Value": "given"})
    assert run.deploy(template("a")).outcome is Outcome.NO_CHANGES  # UsePreviousValue, not the default


def test_diff_shows_changes_and_leaves_nothing_behind(run: Run) -> None:
    new = diff(template("a"), "fresh", **run.kw())
    assert not new.exists and [c.action for c in new.changes] == ["Add", "Add"]
    cfn = run.client("cloudformation")
    assert Provider(endpoint_url=run.url, region=REGION).describe_stack("fresh") is None  # no REVIEW stack left

    run.deploy(template("a"))
    shown = diff(template("b", logs=False), "app", **run.kw())
    assert shown.exists and not shown.no_changes
    assert [(e.section, e.name, e.kind) for e in shown.template_diff] == [
        ("Parameters", "Value", "~"), ("Resources", "Logs", "-")]
    assert [r.logical_id for r in shown.risks] == ["Logs"]
    assert "DATA AT RISK" in run.text and "Default" in run.text
    assert unexecuted_change_sets(cfn, "app") == []
    assert diff(template("a"), "app", **run.kw()).no_changes


def test_destroy_keeps_retained_resources_and_says_so(run: Run) -> None:
    run.deploy(template("a"))
    result = destroy("app", **run.kw(yes=True))
    assert result.outcome is Outcome.DELETED and result.retained == ["Logs"]
    assert "Kept after deletion" in run.text
    assert Provider(endpoint_url=run.url, region=REGION).describe_stack("app") is None
    assert destroy("app", **run.kw(yes=True)).outcome is Outcome.NOT_FOUND


def test_destroy_without_terminal_or_yes_refuses(run: Run) -> None:
    run.deploy(template("a"))
    with pytest.raises(DeployError, match="no terminal"):
        destroy("app", **run.kw())
    assert Provider(endpoint_url=run.url, region=REGION).describe_stack("app") is not None


def test_deploy_without_terminal_or_yes_refuses_and_cleans_up(run: Run) -> None:
    with pytest.raises(DeployError, match="refusing to deploy without confirmation") as caught:
        deploy(template("a"), "app", **run.kw(lint=False))
    assert "--yes" in str(caught.value)
    assert Provider(endpoint_url=run.url, region=REGION).describe_stack("app") is None


def test_confirm_is_asked_and_no_cancels(run: Run) -> None:
    asked: list[str] = []
    result = deploy(template("a"), "app", **run.kw(lint=False, confirm=lambda q: asked.append(q) or False))
    assert result.outcome is Outcome.CANCELLED and not result.ok
    assert asked == ["Deploy these changes to app?"]
    assert deploy(template("a"), "app", **run.kw(lint=False, confirm=lambda q: True)).ok


def test_large_template_goes_through_s3(run: Run) -> None:
    """Through a bucket made for the test (--s3-bucket): the emulator applies the TLS-only policy of the
    bucket ecsstack would create without its condition, refusing every upload (see test_bucket.py)."""
    big = template("a", Metadata={"Padding": "x" * 60_000})
    run.client("s3").create_bucket(Bucket="mine")
    result = run.deploy(big, s3_bucket="mine")
    assert result.ok
    assert "uploaded to https://mine.s3.us-east-1.amazonaws.com/ecsstack/app/" in run.text
    keys = [o["Key"] for o in run.client("s3").list_objects_v2(Bucket="mine")["Contents"]]
    assert sorted(keys)[0] == "ecsstack-history/app/000001.json"  # the deploy's record (test_history.py)
    assert len(keys) == 2 and sorted(keys)[1].startswith("ecsstack/app/")
    # the same template again: no changes, the same key (and no new record)
    assert run.deploy(big, s3_bucket="mine").outcome is Outcome.NO_CHANGES
    assert run.client("s3").list_objects_v2(Bucket="mine")["KeyCount"] == 2
    with pytest.raises(DeployError, match="the bucket missing \\(--s3-bucket\\) does not exist"):
        run.deploy(big, s3_bucket="missing")


def test_small_template_is_sent_inline(run: Run) -> None:
    run.deploy(template("a"))
    assert "uploaded to" not in run.text
    assert "Contents" not in run.client("s3").list_buckets() or run.client("s3").list_buckets()["Buckets"] == []


def test_nested_stacks(run: Run) -> None:
    s3 = run.client("s3")
    s3.create_bucket(Bucket="children")
    child = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"Arn": {"Value": {"Ref": "Topic"}}}}
    s3.put_object(Bucket="children", Key="child.json", Body=json.dumps(child).encode())
    parent = {"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {
        "TemplateURL": "https://children.s3.us-east-1.amazonaws.com/child.json"}}}}
    result = run.deploy(parent, "parent")
    assert result.ok
    [nested] = [r for r in result.resources if r.logical_id == "Child"]
    assert nested.resource_type == "AWS::CloudFormation::Stack"
    assert "parent-Child-" in nested.physical_id  # AWS gives the child's ARN, the emulator its name
    children = [s for s in run.client("cloudformation").describe_stacks()["Stacks"]
                if s["StackName"].startswith("parent-Child-")]
    assert children and children[0]["StackStatus"] == "CREATE_COMPLETE"
    assert destroy("parent", **run.kw(yes=True)).ok


def test_data_loss_guard_stops_even_with_yes(run: Run) -> None:
    run.deploy(template("a"))
    cfn = run.client("cloudformation")
    with pytest.raises(DataLossError) as caught:
        run.deploy(template("a", logs=False))  # yes=True
    assert "Logs" in str(caught.value) and "--allow-replace" in str(caught.value)
    assert "Logs" in cfn.get_template(StackName="app")["TemplateBody"]["Resources"]  # nothing changed
    assert unexecuted_change_sets(cfn, "app") == []
    assert run.deploy(template("a", logs=False), allow_replace=True).outcome is Outcome.UPDATED


def test_data_loss_guard_catches_a_replaced_named_log_group(run: Run) -> None:
    run.deploy(template("a", log_name="/app/one"))
    with pytest.raises(DataLossError, match="remove or replace 1 resource"):
        run.deploy(template("a", log_name="/app/two"))
    assert "would be replaced" in run.text


def test_status_and_outputs(run: Run) -> None:
    run.deploy(template("a"))
    shown = status("app", endpoint_url=run.url, region=REGION, console=run.console)
    assert shown.exists and shown.status == "CREATE_COMPLETE" and shown.events
    assert "Stack app: CREATE_COMPLETE" in run.text
    assert isinstance(outputs("app", endpoint_url=run.url, region=REGION), dict)
    assert not status("nope", endpoint_url=run.url, region=REGION, console=run.console).exists
    with pytest.raises(DeployError, match="does not exist"):
        outputs("nope", endpoint_url=run.url, region=REGION)


def test_execute_change_set_error_is_one_clean_error(run: Run) -> None:
    broken = {"Resources": {"Svc": {"Type": "AWS::ECS::Service", "Properties": {
        "Cluster": "no-such-cluster", "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/x:1",
        "DesiredCount": 1}}}}
    with pytest.raises(DeployError) as caught:
        run.deploy(broken, "broken")
    message = str(caught.value)
    assert message.startswith("executing the change set failed:")
    assert "The stack broken is now" in message
    assert "\n" not in message


def test_throttling_is_retried(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real botocore retries (standard mode) against a real endpoint: the first two DescribeStacks are
    throttled; the deploy still succeeds."""
    from botocore.awsrequest import AWSResponse
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    provider = Provider(endpoint_url=run.url, region=REGION)
    attempts: list[str] = []

    class Raw:
        def stream(self, **_: Any) -> Any:
            yield (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                   b"<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>")

    def throttle(request: Any, **_: Any) -> Any:
        attempts.append("try")
        if len(attempts) <= 2:
            return AWSResponse(request.url, 400, {}, Raw())
        return None

    provider.cfn.meta.events.register("before-send.cloudformation.DescribeStacks", throttle)
    result = run.deploy(template("a"), provider=provider)
    assert result.ok
    assert len(attempts) > 3  # two throttled, then the real calls
    assert provider.config().retries["mode"] in ("standard", "adaptive")


def test_aws_endpoint_url_is_honoured(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run.deploy(template("a"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", run.url)
    assert status("app", console=run.console).status == "CREATE_COMPLETE"  # no endpoint_url passed
    assert Provider().endpoint_url == run.url


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "blueprints" / "web.py").exists(),
                    reason="needs blueprints/web.py")
def test_a_compiled_blueprint_deploys_under_its_own_name(run: Run) -> None:
    from local_emulator import demo_parameters

    from ecsstack.loader import load_blueprint

    stack = load_blueprint(Path(__file__).resolve().parents[2] / "blueprints" / "web.py")
    compiled = stack.to_dict()
    params = demo_parameters(compiled, run.client("ec2").meta.endpoint_url)
    result = deploy(compiled, stack.name, **run.kw(yes=True, lint=False, parameters=params))
    assert result.ok and result.stack_name == stack.name
    # ECS properties are asserted on the compiled template, never on what the emulator kept
    kinds = {r.resource_type for r in result.resources}
    assert "AWS::ECS::Service" in kinds and "AWS::ECS::TaskDefinition" in kinds
    retained = [r for r in compiled["Resources"].values() if r["Type"] == "AWS::Logs::LogGroup"]
    assert retained and all(r.get("DeletionPolicy") == "Retain" for r in retained)


def test_a_template_file_deploys_under_its_stem_and_a_second_time_is_no_change(run: Run, tmp_path: Path) -> None:
    from local_emulator import demo_parameters

    from ecsstack.loader import load_blueprint
    from ecsstack.render import to_json

    compiled = load_blueprint(Path(__file__).resolve().parents[2] / "blueprints" / "worker.py").to_dict()
    path = tmp_path / "worker.json"
    path.write_text(to_json(compiled), encoding="utf-8")
    params = demo_parameters(compiled, run.client("ec2").meta.endpoint_url)
    first = deploy(path, **run.kw(yes=True, lint=False, parameters=params))
    assert first.ok and first.stack_name == "worker"
    again = deploy(str(path), **run.kw(yes=True, lint=False, parameters=params))
    assert again.ok and again.outcome is Outcome.NO_CHANGES
