"""Drift detection and StackSet failure paths on recorded responses (the emulator answers drift detection
with HTTP 500 and never fails a stack instance)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from ecsstack.cli import main
from ecsstack.deploy import DeployError, DeployInterrupted, Provider
from ecsstack.deploy._drift import drift
from ecsstack.deploy._stacksets import Targets, _groups, rollout, rollout_destroy
from ecsstack.environments import Rollout

from .fakeaws import FakeTime, Recorded, make_client

DETECTION = "11111111-2222-3333-4444-555555555555"
TEMPLATE = {
    "Resources": {
        "Service": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 2, "TaskDefinition": {"Ref": "Task"}}},
        "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "web"}},
        "Scaling": {"Type": "AWS::ApplicationAutoScaling::ScalableTarget",
                    "Properties": {"ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 2, "MaxCapacity": 9,
                                   "ServiceNamespace": "ecs",
                                   "ResourceId": {"Fn::Join": ["/", ["service", "c", {"Fn::GetAtt": ["Service",
                                                                                                     "Name"]}]]}}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
    },
}
TASK = "arn:aws:ecs:us-east-1:123456789012:task-definition/web"


def status(state: str, drift_status: str = "", reason: str = "", count: int = 0) -> dict[str, Any]:
    answer: dict[str, Any] = {"StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/web/1",
                              "StackDriftDetectionId": DETECTION, "DetectionStatus": state,
                              "Timestamp": "2025-01-01T12:00:00Z"}
    if drift_status:
        answer["StackDriftStatus"] = drift_status
    if reason:
        answer["DetectionStatusReason"] = reason
    if count:
        answer["DriftedStackResourceCount"] = count
    return answer


def resource_drift(logical: str, kind: str, drift_status: str, *diffs: tuple[str, str, str, str]) -> dict[str, Any]:
    return {"StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/web/1", "LogicalResourceId": logical,
            "PhysicalResourceId": f"{logical.lower()}-1", "ResourceType": kind,
            "StackResourceDriftStatus": drift_status, "Timestamp": "2025-01-01T12:00:00Z",
            "PropertyDifferences": [{"PropertyPath": p, "ExpectedValue": e, "ActualValue": a, "DifferenceType": t}
                                    for p, e, a, t in diffs]}


class Fake:
    def __init__(self) -> None:
        self.cfn = Recorded(make_client("cloudformation"))
        self.sts = Recorded(make_client("sts"))
        self.provider = Provider(clients={"cloudformation": self.cfn.client, "sts": self.sts.client})
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=200, highlight=False, soft_wrap=True)
        self.time = FakeTime()

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def drift(self, **kw: Any) -> Any:
        return drift("web", provider=self.provider, console=self.console, sleep=self.time.sleep,
                     clock=self.time.clock, **kw)

    def detection(self, *states: dict[str, Any], drifts: list[list[dict[str, Any]]] = ()) -> None:
        self.cfn.add("detect_stack_drift", {"StackDriftDetectionId": DETECTION})
        self.cfn.add("describe_stack_drift_detection_status", *states)
        self.cfn.add("get_template", {"TemplateBody": json.dumps(TEMPLATE)}, sticky=True)
        for i, page in enumerate(drifts):
            answer: dict[str, Any] = {"StackResourceDrifts": page}
            if i < len(drifts) - 1:
                answer["NextToken"] = f"page-{i + 1}"
            self.cfn.add("describe_stack_resource_drifts", answer)


def test_in_sync_waits_for_detection_and_exits_0() -> None:
    fake = Fake()
    fake.detection(status("DETECTION_IN_PROGRESS"), status("DETECTION_IN_PROGRESS"),
                   status("DETECTION_COMPLETE", "IN_SYNC"))
    result = fake.drift(poll=2)
    assert result.status == "IN_SYNC" and result.exit_code == 0 and result.resources == []
    assert fake.time.sleeps == [2, 2] and "web: in sync" in fake.text
    assert fake.cfn.count("describe_stack_resource_drifts") == 0


def test_drift_is_listed_per_property_across_pages_and_exits_2() -> None:
    fake = Fake()
    fake.detection(status("DETECTION_COMPLETE", "DRIFTED", count=3), drifts=[
        [resource_drift("Service", "AWS::ECS::Service", "MODIFIED", ("/DesiredCount", "2", "7", "NOT_EQUAL"))],
        [resource_drift("Logs", "AWS::Logs::LogGroup", "MODIFIED", ("/RetentionInDays", "7", "1", "NOT_EQUAL"),
                        ("/KmsKeyId", "", "arn:aws:kms:us-east-1:1:key/x", "ADD")),
         resource_drift("Task", "AWS::ECS::TaskDefinition", "DELETED")],
    ])
    result = fake.drift()
    assert result.exit_code == 2
    assert [r.logical_id for r in result.resources] == ["Logs", "Service", "Task"]
    assert [r.logical_id for r in result.unexpected] == ["Logs", "Task"]
    service = result.resources[1]
    assert service.expected and "Application Auto Scaling" in service.differences[0].expected
    assert fake.cfn.params("describe_stack_resource_drifts")[1]["NextToken"] == "page-1"
    assert fake.cfn.params("describe_stack_resource_drifts")[0]["StackResourceDriftStatusFilters"] == [
        "MODIFIED", "DELETED"]
    text = fake.text
    assert "~ /RetentionInDays: 7 → 1 [NOT_EQUAL]" in text and "+ /KmsKeyId: (none) → arn:aws:kms" in text
    assert "MODIFIED Service AWS::ECS::Service service-1 (expected)" in text
    assert "DELETED Task" in text and "no longer exists" in text
    assert "drifted (2 resources; 1 expected by design)" in text


def test_drift_expected_by_design_exits_0_unless_strict() -> None:
    drifts = [[resource_drift("Service", "AWS::ECS::Service", "MODIFIED", ("/DesiredCount", "2", "5", "NOT_EQUAL"),
                              ("/TaskDefinition", f"{TASK}:3", f"{TASK}:4", "NOT_EQUAL"))]]
    fake = Fake()
    fake.detection(status("DETECTION_COMPLETE", "DRIFTED", count=1), drifts=drifts)
    relaxed = fake.drift()
    assert relaxed.exit_code == 0 and relaxed.resources[0].expected
    assert "another revision of the same task definition family" in fake.text
    assert "except for drift that is expected by design (1; --strict counts it)" in fake.text
    strict = Fake()
    strict.detection(status("DETECTION_COMPLETE", "DRIFTED", count=1), drifts=drifts)
    assert strict.drift(strict=True).exit_code == 2


def test_a_desired_count_without_autoscaling_is_real_drift() -> None:
    from ecsstack.deploy._drift import expected_reason

    unscaled = {"Resources": {k: v for k, v in TEMPLATE["Resources"].items() if k != "Scaling"}}
    assert expected_reason("AWS::ECS::Service", "Service", "/DesiredCount", "2", "5", unscaled) == ""
    assert expected_reason("AWS::ECS::Service", "Service", "/TaskDefinition", f"{TASK}:3",
                           "arn:aws:ecs:us-east-1:1:task-definition/other:1", TEMPLATE) == ""


def test_failed_detection_exits_1_with_the_reason() -> None:
    fake = Fake()
    fake.detection(status("DETECTION_FAILED", "DRIFTED", reason="Failed to detect drift on resource [Logs]"),
                   drifts=[[]])
    result = fake.drift()
    assert result.exit_code == 1 and "drift detection failed" in fake.text and "[Logs]" in fake.text


def test_detection_that_never_ends_times_out() -> None:
    fake = Fake()
    fake.detection(status("DETECTION_IN_PROGRESS"))
    fake.cfn.add("describe_stack_drift_detection_status", status("DETECTION_IN_PROGRESS"), sticky=True)
    with pytest.raises(DeployError, match="did not finish in 30 s"):
        fake.drift(wait_timeout=30, poll=10)


def test_the_drift_command_exit_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsstack.deploy import _drift

    fake = Fake()
    fake.detection(status("DETECTION_COMPLETE", "DRIFTED", count=1), drifts=[
        [resource_drift("Logs", "AWS::Logs::LogGroup", "MODIFIED", ("/RetentionInDays", "7", "1", "NOT_EQUAL"))]])
    real = _drift.drift
    monkeypatch.setattr(_drift, "drift", lambda name, **kw: real(name, **{**kw, "provider": fake.provider}))
    result = CliRunner().invoke(main, ["drift", "--stack-name", "web"])
    assert result.exit_code == 2 and "/RetentionInDays" in result.output
    assert CliRunner().invoke(main, ["drift"]).exit_code == 2


# -- StackSets: failure paths -------------------------------------------------------------------------------
def stack_set(body: dict[str, Any]) -> dict[str, Any]:
    return {"StackSet": {"StackSetName": "svc", "StackSetId": "svc:1", "Status": "ACTIVE",
                         "TemplateBody": json.dumps(body), "Parameters": [], "PermissionModel": "SELF_MANAGED"}}


def test_a_failed_instance_gives_its_root_cause_and_a_failed_result() -> None:
    fake = Fake()
    fake.cfn.error("describe_stack_set", "StackSetNotFoundException", "StackSet svc not found")
    fake.sts.add("get_caller_identity", {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/x",
                                         "UserId": "x"})
    fake.cfn.add("create_stack_set", {"StackSetId": "svc:1"})
    fake.cfn.add("create_stack_instances", lambda p: {"OperationId": p["OperationId"]})
    fake.cfn.add("describe_stack_set_operation",
                 {"StackSetOperation": {"OperationId": "op", "Status": "RUNNING"}},
                 {"StackSetOperation": {"OperationId": "op", "Status": "FAILED",
                                        "StatusReason": "The operation failed: 1 of 2 instances"}})
    reason = ("ResourceLogicalId:Param, ResourceType:AWS::SSM::Parameter, ResourceStatusReason:Access denied "
              "(Service: Ssm, Status Code: 400).")
    fake.cfn.add("list_stack_set_operation_results",
                 {"Summaries": [{"Account": "111111111111", "Region": "us-east-1", "Status": "RUNNING"},
                                {"Account": "111111111111", "Region": "eu-west-1", "Status": "PENDING"}]},
                 {"Summaries": [{"Account": "111111111111", "Region": "us-east-1", "Status": "SUCCEEDED"},
                                {"Account": "111111111111", "Region": "eu-west-1", "Status": "FAILED",
                                 "StatusReason": reason}]})
    targets = Targets.of(Rollout(accounts=("111111111111",), regions=("us-east-1", "eu-west-1")))
    template = {"Resources": {"Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String",
                                                                                     "Value": "x"}}}}
    result = rollout(template, "svc", targets, yes=True, provider=fake.provider, console=fake.console,
                     sleep=fake.time.sleep, poll=1, preferences={"FailureToleranceCount": 0,
                                                                 "RegionConcurrencyType": "PARALLEL"})
    assert not result.ok
    assert [(i.account, i.region, i.status) for i in result.failed] == [("111111111111", "eu-west-1", "FAILED")]
    assert f"root cause 111111111111/eu-west-1: {reason}" in fake.text
    assert "1 instance(s) failed" in fake.text
    made = fake.cfn.params("create_stack_set")[0]
    assert made["ClientRequestToken"].startswith("ecsstack-stackset-")
    assert made["AdministrationRoleARN"] == "arn:aws:iam::123456789012:role/AWSCloudFormationStackSetAdministrationRole"
    assert made["ExecutionRoleName"] == "AWSCloudFormationStackSetExecutionRole"
    call = fake.cfn.params("create_stack_instances")[0]
    assert call["OperationId"].startswith("ecsstack-op-") and call["Regions"] == ["us-east-1", "eu-west-1"]
    assert call["OperationPreferences"] == {"FailureToleranceCount": 0, "RegionConcurrencyType": "PARALLEL"}
    # the running line came before the final one: progress per instance
    assert fake.text.index("us-east-1       RUNNING") < fake.text.index("us-east-1       SUCCEEDED")


def test_ctrl_c_leaves_the_operation_running_and_says_how_to_follow_it() -> None:
    fake = Fake()
    fake.cfn.add("describe_stack_set", stack_set({"Resources": {}}))
    fake.cfn.add("list_stack_instances", {"Summaries": []})
    fake.cfn.add("create_stack_instances", lambda p: {"OperationId": p["OperationId"]})
    fake.cfn.add("describe_stack_set_operation", {"StackSetOperation": {"Status": "RUNNING"}}, sticky=True)
    fake.cfn.add("list_stack_set_operation_results", {"Summaries": []}, sticky=True)

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    targets = Targets.of(Rollout(accounts=("111111111111",), regions=("us-east-1",)))
    with pytest.raises(DeployInterrupted) as caught:
        rollout({"Resources": {}}, "svc", targets, yes=True, provider=fake.provider, console=fake.console,
                sleep=interrupt, administration_role=None, execution_role=None)
    op = fake.cfn.params("create_stack_instances")[0]["OperationId"]
    assert "keeps running in AWS" in caught.value.hint
    assert f"ecsstack rollout status --stack-set-name svc --operation-id {op}" in caught.value.hint
    assert fake.cfn.count("stop_stack_set_operation") == 0


def test_destroy_names_the_data_that_goes_and_asks() -> None:
    fake = Fake()
    body = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"},
                          "Kept": {"Type": "AWS::EFS::FileSystem", "DeletionPolicy": "Retain"}}}
    fake.cfn.add("describe_stack_set", stack_set(body))
    fake.cfn.add("list_stack_instances", {"Summaries": [
        {"Account": "111111111111", "Region": "us-east-1", "StackSetId": "svc:1", "Status": "CURRENT"}]})
    asked: list[str] = []
    result = rollout_destroy("svc", confirm=lambda q: asked.append(q) or False, provider=fake.provider,
                             console=fake.console)
    assert result.cancelled and asked == ["Delete 1 instance(s) of svc and the StackSet?"]
    assert "DATA AT RISK deleted with every instance: Logs (AWS::Logs::LogGroup)" in fake.text
    assert "Kept" not in fake.text.split("DATA AT RISK")[1]
    assert fake.cfn.count("delete_stack_instances") == 0 and fake.cfn.count("delete_stack_set") == 0

    fake2 = Fake()
    fake2.cfn.add("describe_stack_set", stack_set(body))
    fake2.cfn.add("list_stack_instances", {"Summaries": [
        {"Account": "111111111111", "Region": "us-east-1", "StackSetId": "svc:1", "Status": "CURRENT"}]})
    with pytest.raises(DeployError, match="refusing to destroy without confirmation"):
        rollout_destroy("svc", provider=fake2.provider, console=fake2.console)


def test_instances_are_grouped_into_full_account_by_region_calls() -> None:
    calls = _groups([("1", "a", {}), ("1", "b", {}), ("2", "a", {}), ("2", "b", {"X": "y"}), ("3", "a", {}),
                     ("3", "b", {})])
    assert sorted((tuple(a), tuple(r), tuple(o.items())) for o, a, r in calls) == [
        (("1", "3"), ("a", "b"), ()), (("2",), ("a",), ()), (("2",), ("b",), (("X", "y"),))]


def test_the_bootstrap_templates_are_lint_clean() -> None:
    from ecsstack.deploy._bootstrap import administration_role_template, execution_role_template
    from ecsstack.lint import lint_template
    from ecsstack.render import to_json

    for tpl in (administration_role_template(), execution_role_template("123456789012")):
        assert [f for f in lint_template(to_json(tpl)) if f.is_error] == []
    execution = execution_role_template("123456789012", managed_policies=["arn:aws:iam::aws:policy/PowerUserAccess"])
    role = execution["Resources"]["ExecutionRole"]["Properties"]
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/PowerUserAccess"]
    assert "AWSCloudFormationStackSetAdministrationRole" in json.dumps(role["AssumeRolePolicyDocument"])


def test_a_service_managed_rollout_deploys_to_organizational_units() -> None:
    fake = Fake()
    fake.cfn.error("describe_stack_set", "StackSetNotFoundException", "StackSet svc not found")
    fake.cfn.add("create_stack_set", {"StackSetId": "svc:1"})
    fake.cfn.add("create_stack_instances", lambda p: {"OperationId": p["OperationId"]})
    fake.cfn.add("describe_stack_set_operation", {"StackSetOperation": {"Status": "SUCCEEDED"}})
    fake.cfn.add("list_stack_set_operation_results", {"Summaries": [
        {"Account": "333333333333", "Region": "eu-west-1", "Status": "SUCCEEDED",
         "OrganizationalUnitId": "ou-abcd-12345678"}]})
    plan = Rollout(regions=("eu-west-1",), organizational_units=("ou-abcd-12345678",),
                   permission_model="SERVICE_MANAGED", auto_deployment=True, call_as="DELEGATED_ADMIN")
    result = rollout({"Resources": {}}, "svc", Targets.of(plan), yes=True, permission_model="SERVICE_MANAGED",
                     auto_deployment=True, call_as="DELEGATED_ADMIN", provider=fake.provider,
                     console=fake.console)
    assert result.ok and result.created
    made = fake.cfn.params("create_stack_set")[0]
    assert made["PermissionModel"] == "SERVICE_MANAGED" and made["CallAs"] == "DELEGATED_ADMIN"
    assert made["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert "AdministrationRoleARN" not in made and "ExecutionRoleName" not in made
    call = fake.cfn.params("create_stack_instances")[0]
    assert call["DeploymentTargets"] == {"OrganizationalUnitIds": ["ou-abcd-12345678"]}
    assert call["Regions"] == ["eu-west-1"] and "Accounts" not in call
    assert "every account of ou-abcd-12345678 in eu-west-1" in fake.text
