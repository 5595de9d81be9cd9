"""Paths the emulator cannot produce, driven by recorded CloudFormation/ECS responses (see fakeaws.py)
and botocore's Stubber: per-resource events, rollbacks and their root cause (also in nested stacks),
stuck and in-progress stacks, ECS service events and stopped tasks, Ctrl-C, the poll rhythm."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from botocore.stub import ANY, Stubber
from rich.console import Console

from ecsstack.deploy import DeployError, DeployInterrupted, Outcome, Provider, deploy, status
from ecsstack.deploy._failure import root_cause
from ecsstack.deploy._progress import Backoff, Waiter
from ecsstack.deploy._view import Reporter

from .fakeaws import BASE, FakeTime, Recorded, StackScript, event, make_client, stack_arn, stack_description

CS_ARN = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/ecsstack-1/abc"
SVC_ARN = "arn:aws:ecs:us-east-1:123456789012:service/main/app-web"
TEMPLATE = {"Resources": {
    "Svc": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 2}},
    "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
}}
DEPLOYED = {"Resources": {
    "Svc": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 1}},
    "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
}}


def row(action: str, logical: str, kind: str = "AWS::ECS::Service", replacement: str = "False") -> dict[str, Any]:
    change: dict[str, Any] = {"Action": action, "LogicalResourceId": logical, "ResourceType": kind}
    if action == "Modify":
        change["Replacement"] = replacement
    return {"Type": "Resource", "ResourceChange": change}


def change_set(stack: str, changes: list[dict[str, Any]], state: str = "CREATE_COMPLETE",
               reason: str = "") -> dict[str, Any]:
    answer = {"ChangeSetName": "ecsstack-1", "ChangeSetId": CS_ARN, "StackId": stack_arn(stack),
              "StackName": stack, "Status": state, "ExecutionStatus": "AVAILABLE", "Changes": changes}
    if reason:
        answer["StatusReason"] = reason
    return answer


RESOURCES = {"StackResourceSummaries": [
    {"LogicalResourceId": "Svc", "PhysicalResourceId": SVC_ARN, "ResourceType": "AWS::ECS::Service",
     "LastUpdatedTimestamp": BASE, "ResourceStatus": "UPDATE_COMPLETE"}]}


class World:
    """A provider over recorded clients, fake time and captured plain output."""

    def __init__(self, cfn: Recorded, ecs: Recorded, fake_time: FakeTime):
        self.cfn, self.ecs, self.time = cfn, ecs, fake_time
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=220, highlight=False, soft_wrap=True)
        self.provider = Provider(clients={"cloudformation": cfn.client, "ecs": ecs.client})

    def kw(self, **extra: Any) -> dict[str, Any]:
        return {"provider": self.provider, "console": self.console, "sleep": self.time.sleep,
                "clock": self.time.clock, "lint": False, **extra}

    def update(self, script: StackScript, changes: list[dict[str, Any]], deployed: dict[str, Any]) -> None:
        script.install(self.cfn)
        self.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": script.arn})
        self.cfn.add("describe_change_set", change_set(script.name, changes, "CREATE_PENDING"),
                     change_set(script.name, changes))
        self.cfn.add("get_template", {"TemplateBody": json.dumps(deployed)})
        self.cfn.add("execute_change_set", script.start)
        self.cfn.add("list_stack_resources", RESOURCES, sticky=True)

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


@pytest.fixture
def world(cfn: Recorded, ecs: Recorded, fake_time: FakeTime) -> World:
    return World(cfn, ecs, fake_time)


@pytest.fixture
def stubbed(fake_time: FakeTime) -> tuple[World, Stubber]:
    """A world whose CloudFormation client answers only through botocore's Stubber, in strict order."""
    client = make_client("cloudformation")
    world = World(Recorded(make_client("cloudformation")), Recorded(make_client("ecs")), fake_time)
    world.provider = Provider(clients={"cloudformation": client})
    return world, Stubber(client)


def test_events_stream_once_each_with_progress_and_gentle_polling(world: World) -> None:
    history = [event("app", i, "Svc", "UPDATE_COMPLETE", at=i - 100) for i in range(1, 5)]
    script = StackScript("app", [
        ("UPDATE_COMPLETE", history),
        ("UPDATE_IN_PROGRESS", [event("app", 10, "app", "UPDATE_IN_PROGRESS", "User Initiated"),
                                event("app", 11, "Svc", "UPDATE_IN_PROGRESS", physical=SVC_ARN)]),
        ("UPDATE_IN_PROGRESS", []),
        ("UPDATE_IN_PROGRESS", []),
        ("UPDATE_IN_PROGRESS", []),
        ("UPDATE_IN_PROGRESS", [event("app", 12, "Svc", "UPDATE_COMPLETE", physical=SVC_ARN)]),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", [event("app", 13, "app", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")]),
        ("UPDATE_COMPLETE", [event("app", 14, "app", "UPDATE_COMPLETE")]),
    ])
    world.update(script, [row("Modify", "Svc")], DEPLOYED)
    world.ecs.add("describe_services", {"services": []}, sticky=True)
    world.ecs.add("list_tasks", {"taskArns": []}, sticky=True)

    result = deploy(TEMPLATE, "app", **world.kw(yes=True))

    assert result.outcome is Outcome.UPDATED and result.status == "UPDATE_COMPLETE"
    lines = world.text.splitlines()
    event_lines = [line for line in lines if "AWS::" in line and ("_IN_PROGRESS" in line or "_COMPLETE" in line)
                   and line[:2].isdigit()]
    assert len(event_lines) == 5  # events 10..14, each once; the 4 historic ones never
    assert sum("Svc" in line and "UPDATE_COMPLETE " in line for line in event_lines) == 1
    assert "User Initiated" in world.text
    assert "app: UPDATE_IN_PROGRESS (0/1 resources)" in world.text
    assert "app: UPDATE_COMPLETE (1/1 resources)" in world.text
    assert "Properties.DesiredCount: 1 → 2" in world.text
    assert "Stack app updated" in world.text and SVC_ARN in world.text
    # change set: one short wait; stack: from 1 s, backing off while idle, capped at 2 s, reset on activity
    sleeps = world.time.sleeps
    assert sleeps[0] == 1.0
    assert max(sleeps) <= 2.0 and sleeps[1:5] == [1.0, 1.25, 1.5625, 1.953125]
    assert len(sleeps) == 1 + len(script.steps) - 2  # no sleep after the final state


def rollback_script(name: str = "app", cause: str = "CannotPullContainerError: pull access denied") -> StackScript:
    return StackScript(name, [
        (None, []),
        ("REVIEW_IN_PROGRESS", [event(name, 1, name, "REVIEW_IN_PROGRESS", "User Initiated")]),
        ("CREATE_IN_PROGRESS", [event(name, 2, name, "CREATE_IN_PROGRESS", "User Initiated"),
                                event(name, 3, "Logs", "CREATE_IN_PROGRESS", kind="AWS::Logs::LogGroup"),
                                event(name, 4, "Svc", "CREATE_IN_PROGRESS")]),
        ("CREATE_IN_PROGRESS", [event(name, 5, "Logs", "CREATE_COMPLETE", kind="AWS::Logs::LogGroup")]),
        ("ROLLBACK_IN_PROGRESS", [
            event(name, 6, "Svc", "CREATE_FAILED", f"Resource handler returned message: \"{cause}\""),
            event(name, 7, name, "ROLLBACK_IN_PROGRESS",
                  "The following resource(s) failed to create: [Svc]. Rollback requested by user.")]),
        ("ROLLBACK_COMPLETE", [event(name, 8, "Logs", "DELETE_SKIPPED", kind="AWS::Logs::LogGroup"),
                               event(name, 9, "Svc", "DELETE_COMPLETE"),
                               event(name, 10, name, "ROLLBACK_COMPLETE")]),
    ])


def test_failure_rolls_back_and_the_root_cause_is_the_first_failed_event(world: World) -> None:
    script = rollback_script().install(world.cfn)
    world.cfn.add("create_change_set", lambda p: (script.advance(), {"Id": CS_ARN, "StackId": script.arn})[1])
    world.cfn.add("describe_change_set", change_set("app", [row("Add", "Svc"), row("Add", "Logs",
                                                                                   "AWS::Logs::LogGroup")]))
    world.cfn.add("execute_change_set", script.start)

    result = deploy(TEMPLATE, "app", **world.kw(yes=True))

    assert result.outcome is Outcome.FAILED and not result.ok and result.status == "ROLLBACK_COMPLETE"
    assert result.failure is not None and result.failure.event.logical_id == "Svc"
    assert "CannotPullContainerError: pull access denied" in result.failure.event.reason
    text = world.text
    assert text.index("Root cause") < text.index("Stack state") < text.index("Next step")
    assert "Root cause Svc (AWS::ECS::Service) CREATE_FAILED: Resource handler returned message" in text
    assert "--recreate-failed" in result.next_step


def test_root_cause_follows_nested_stacks(world: World) -> None:
    child_arn = stack_arn("app-Db-1")
    script = StackScript("app", [("ROLLBACK_COMPLETE", [
        event("app", 1, "app", "CREATE_IN_PROGRESS", "User Initiated"),
        event("app", 2, "Db", "CREATE_IN_PROGRESS", kind="AWS::CloudFormation::Stack", physical=child_arn),
        event("app", 3, "Web", "CREATE_FAILED", "Resource creation cancelled", kind="AWS::CloudFormation::Stack"),
        event("app", 9, "Db", "CREATE_FAILED", f"Embedded stack {child_arn} was not successfully created: "
              "The following resource(s) failed to create: [Volume].", kind="AWS::CloudFormation::Stack",
              physical=child_arn),
        event("app", 10, "app", "ROLLBACK_IN_PROGRESS", "Rollback requested by user."),
        event("app", 11, "app", "ROLLBACK_COMPLETE"),
    ])], others={"app-Db-1": [
        event("app-Db-1", 0, "Old", "CREATE_FAILED", "from an earlier life", at=-500),
        event("app-Db-1", 4, "app-Db-1", "CREATE_IN_PROGRESS", "User Initiated"),
        event("app-Db-1", 5, "Volume", "CREATE_FAILED", "The volume size 5000 GiB exceeds the quota",
              kind="AWS::EC2::Volume"),
        event("app-Db-1", 6, "app-Db-1", "ROLLBACK_IN_PROGRESS", "Rollback requested by user."),
    ]}).install(world.cfn)

    found = root_cause(world.provider, script.arn)
    assert found is not None
    assert found.where == "Db/Volume" and "exceeds the quota" in str(found)

    world.cfn.add("list_stack_resources", {"StackResourceSummaries": []})  # status looks for ECS services
    shown = status("app", **{k: v for k, v in world.kw().items() if k in ("provider", "console")})
    assert shown.failure is not None and shown.failure.where == "Db/Volume"
    assert "Root cause Db/Volume (AWS::EC2::Volume) CREATE_FAILED: The volume size 5000 GiB" in world.text


def test_update_rollback_failed_explains_continue_update_rollback(stubbed: tuple[World, Stubber]) -> None:
    world, stub = stubbed
    stub.add_response("describe_stacks", stack_description("app", "UPDATE_ROLLBACK_FAILED"), {"StackName": "app"})
    stub.add_response("describe_stack_events", {"StackEvents": [
        event("app", 4, "app", "UPDATE_ROLLBACK_FAILED"),
        event("app", 3, "Svc", "UPDATE_FAILED", "Service was deleted outside CloudFormation"),
        event("app", 2, "Svc", "UPDATE_FAILED", "Invalid request: subnet-123 not found"),
        event("app", 1, "app", "UPDATE_IN_PROGRESS", "User Initiated"),
    ]}, {"StackName": stack_arn("app")})
    with stub, pytest.raises(DeployError) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    stub.assert_no_pending_responses()
    message = str(caught.value)
    assert "it is UPDATE_ROLLBACK_FAILED" in message
    assert "aws cloudformation continue-update-rollback --stack-name app" in message
    assert "Root cause Svc (AWS::ECS::Service) UPDATE_FAILED: Invalid request: subnet-123 not found" in world.text


def test_execute_change_set_client_error_is_reported_cleanly(stubbed: tuple[World, Stubber]) -> None:
    world, stub = stubbed
    stub.add_response("describe_stacks", stack_description("app", "UPDATE_COMPLETE"), {"StackName": "app"})
    stub.add_response("create_change_set", {"Id": CS_ARN, "StackId": stack_arn("app")},
                      {"StackName": "app", "ChangeSetName": ANY, "ChangeSetType": "UPDATE", "TemplateBody": ANY,
                       "Parameters": [], "Capabilities": [], "Description": ANY, "ClientToken": ANY})
    stub.add_response("describe_change_set", change_set("app", [row("Modify", "Svc")]), {"ChangeSetName": CS_ARN})
    stub.add_response("get_template", {"TemplateBody": json.dumps(DEPLOYED)},
                      {"StackName": stack_arn("app"), "TemplateStage": "Original"})
    stub.add_response("describe_stack_events", {"StackEvents": [event("app", 1, "app", "UPDATE_COMPLETE")]},
                      {"StackName": stack_arn("app")})
    stub.add_client_error("execute_change_set", "InsufficientCapabilitiesException",
                          "Requires capabilities : [CAPABILITY_NAMED_IAM]",
                          expected_params={"ChangeSetName": CS_ARN, "ClientRequestToken": ANY})
    stub.add_response("describe_change_set", change_set("app", [row("Modify", "Svc")]), {"ChangeSetName": CS_ARN})
    stub.add_response("describe_stacks", stack_description("app", "UPDATE_COMPLETE"),
                      {"StackName": stack_arn("app")})
    stub.add_response("delete_change_set", {}, {"ChangeSetName": CS_ARN})
    with stub, pytest.raises(DeployError) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    stub.assert_no_pending_responses()
    assert str(caught.value).startswith("executing the change set failed: InsufficientCapabilitiesException: "
                                        "Requires capabilities : [CAPABILITY_NAMED_IAM]. The stack app is now "
                                        "UPDATE_COMPLETE; the change set was not executed (AVAILABLE), so nothing "
                                        "changed.")
    assert caught.value.exit_code == 1


def test_a_deploy_waits_for_a_stack_in_progress(world: World) -> None:
    script = StackScript("app", [
        ("UPDATE_IN_PROGRESS", [event("app", 1, "app", "UPDATE_IN_PROGRESS", "User Initiated")]),
        ("UPDATE_IN_PROGRESS", [event("app", 2, "Svc", "UPDATE_IN_PROGRESS")]),
        ("UPDATE_COMPLETE", [event("app", 3, "Svc", "UPDATE_COMPLETE"), event("app", 4, "app", "UPDATE_COMPLETE")]),
    ], started=True).install(world.cfn)
    world.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": script.arn})
    world.cfn.add("describe_change_set", change_set("app", [], "FAILED", "The submitted information didn't "
                                                    "contain changes. Submit different information to create a "
                                                    "change set."))
    world.cfn.add("delete_change_set", {})
    world.cfn.add("list_stack_resources", RESOURCES, sticky=True)

    result = deploy(TEMPLATE, "app", **world.kw(yes=True))

    assert result.outcome is Outcome.NO_CHANGES and result.ok
    assert "is UPDATE_IN_PROGRESS; waiting for it to settle" in world.text
    assert world.cfn.params("create_change_set")[0]["ChangeSetType"] == "UPDATE"
    assert world.cfn.count("delete_change_set") == 1 and "no changes" in world.text


def test_rollback_complete_without_recreate_failed_stops_with_the_original_failure(world: World) -> None:
    script = rollback_script()
    script.step = len(script.steps) - 1
    script.install(world.cfn)
    with pytest.raises(DeployError) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    assert "it is ROLLBACK_COMPLETE" in str(caught.value) and "--recreate-failed" in str(caught.value)
    assert "Root cause Svc (AWS::ECS::Service) CREATE_FAILED" in world.text
    assert world.cfn.count("delete_stack") == 0 and world.cfn.count("create_change_set") == 0


def test_rollback_complete_with_recreate_failed_deletes_then_creates(world: World) -> None:
    failed = rollback_script()
    failed.step = len(failed.steps) - 1
    state = {"deleted": False, "polls": 0}

    def describe(params: dict[str, Any]) -> dict[str, Any]:
        if not state["deleted"]:
            return failed.describe_stacks(params)
        state["polls"] += 1
        if state["polls"] == 1:
            return stack_description("app", "DELETE_IN_PROGRESS")
        if params["StackName"] == "app":
            from .fakeaws import AwsFault

            raise AwsFault("ValidationError", "Stack with id app does not exist")
        return stack_description("app", "DELETE_COMPLETE")

    world.cfn.add("describe_stacks", describe, sticky=True)
    world.cfn.add("describe_stack_events", failed.describe_stack_events, sticky=True)
    world.cfn.add("delete_stack", lambda p: (state.update(deleted=True), {})[1])
    world.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": stack_arn("app")})
    world.cfn.add("describe_change_set", change_set("app", [row("Add", "Svc")], "FAILED", "boom: stop here"))

    with pytest.raises(DeployError, match="boom: stop here"):
        deploy(TEMPLATE, "app", **world.kw(yes=True, recreate_failed=True))
    assert world.cfn.count("delete_stack") == 1
    assert world.cfn.params("create_change_set")[0]["ChangeSetType"] == "CREATE"
    assert "deleting it to create it anew" in world.text
    assert "Root cause Svc" in world.text  # the original failure, printed before deleting


def test_ecs_service_events_and_stopped_tasks_are_shown(world: World) -> None:
    steps: list[tuple[str | None, list[dict[str, Any]]]] = [
        ("UPDATE_COMPLETE", []),
        ("UPDATE_IN_PROGRESS", [event("app", 1, "app", "UPDATE_IN_PROGRESS", "User Initiated"),
                                event("app", 2, "Svc", "UPDATE_IN_PROGRESS", physical=SVC_ARN)]),
    ]
    steps += [("UPDATE_IN_PROGRESS", [])] * 8
    steps += [("UPDATE_COMPLETE", [event("app", 20, "Svc", "UPDATE_COMPLETE", physical=SVC_ARN),
                                   event("app", 21, "app", "UPDATE_COMPLETE")])]
    script = StackScript("app", steps)
    world.update(script, [row("Modify", "Svc")], DEPLOYED)
    from datetime import timedelta

    old_event = {"id": "e0", "createdAt": BASE - timedelta(hours=1), "message": "(service app-web) has reached a "
                 "steady state."}
    started = {"id": "e1", "createdAt": BASE + timedelta(seconds=3),
               "message": "(service app-web) has started 2 tasks: (task 1a2b3c4d5e6f7a8b)."}
    service = {"serviceName": "app-web", "events": [started, old_event]}
    world.ecs.add("describe_services", {"services": [service]}, sticky=True)
    world.ecs.add("list_tasks", {"taskArns": ["arn:aws:ecs:us-east-1:123456789012:task/main/1a2b3c4d5e6f7a8b"]},
                  sticky=True)
    world.ecs.add("describe_tasks", {"tasks": [{
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/main/1a2b3c4d5e6f7a8b", "lastStatus": "STOPPED",
        "stoppedAt": BASE + timedelta(seconds=5), "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "containers": [{"name": "app", "exitCode": 1, "reason": "OutOfMemoryError: Container killed"},
                       {"name": "otel", "exitCode": 0}]}]}, sticky=True)

    result = deploy(TEMPLATE, "app", **world.kw(yes=True))

    assert result.ok
    text = world.text
    assert text.count("Svc (ECS): (service app-web) has started 2 tasks") == 1
    assert "steady state" not in text  # older than this deployment
    assert text.count("Svc (ECS): task 1a2b3c4d5e6f stopped: Essential container in task exited "
                      "(container app: exit code 1, OutOfMemoryError: Container killed)") == 1
    # asked right away, then no more than every 10 s
    assert 2 <= world.ecs.count("describe_services") <= 3


def test_ctrl_c_while_waiting_says_how_to_follow(world: World) -> None:
    script = StackScript("app", [("UPDATE_COMPLETE", []), ("UPDATE_IN_PROGRESS", []),
                                 ("UPDATE_IN_PROGRESS", [])])
    world.update(script, [row("Modify", "Svc")], DEPLOYED)

    def interrupt(n: int) -> None:
        if n >= 2:  # the first sleep waits on the change set; the second is the stack wait
            raise KeyboardInterrupt

    world.time.on_sleep = interrupt
    with pytest.raises(DeployInterrupted) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    assert isinstance(caught.value, KeyboardInterrupt)
    assert "ecsstack status --stack-name app" in caught.value.hint
    assert world.cfn.count("delete_change_set") == 0 and world.cfn.count("delete_stack") == 0


def test_termination_protection_is_enabled_after_success(world: World) -> None:
    script = StackScript("app", [("UPDATE_COMPLETE", []),
                                 ("UPDATE_COMPLETE", [event("app", 1, "app", "UPDATE_COMPLETE")])])
    world.update(script, [row("Modify", "Svc")], DEPLOYED)
    world.cfn.add("update_termination_protection", {"StackId": script.arn})
    result = deploy(TEMPLATE, "app", **world.kw(yes=True, termination_protection=True))
    assert result.ok
    assert world.cfn.params("update_termination_protection") == [
        {"StackName": script.arn, "EnableTerminationProtection": True}]


def test_capabilities_and_tags_reach_the_change_set(world: World) -> None:
    script = StackScript("app", [("UPDATE_COMPLETE", []),
                                 ("UPDATE_COMPLETE", [event("app", 1, "app", "UPDATE_COMPLETE")])])
    world.update(script, [row("Modify", "Svc")], DEPLOYED)
    with_role = {"Resources": {**TEMPLATE["Resources"], "Role": {
        "Type": "AWS::IAM::Role", "Properties": {"RoleName": "fixed", "AssumeRolePolicyDocument": {}}}}}
    deploy(with_role, "app", **world.kw(yes=True, tags={"team": "web"}))
    sent = world.cfn.params("create_change_set")[0]
    assert sent["Capabilities"] == ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
    assert sent["Tags"] == [{"Key": "team", "Value": "web"}]


def test_live_display_on_a_terminal(world: World) -> None:
    script = StackScript("app", [
        ("UPDATE_IN_PROGRESS", [event("app", 1, "Svc", "UPDATE_IN_PROGRESS")]),
        ("UPDATE_IN_PROGRESS", [event("app", 2, "Svc", "UPDATE_COMPLETE")]),
        ("UPDATE_COMPLETE", [event("app", 3, "app", "UPDATE_COMPLETE")]),
    ], started=True).install(world.cfn)
    screen = io.StringIO()
    reporter = Reporter(Console(file=screen, force_terminal=True, width=160))
    assert reporter.live
    waiter = Waiter(world.provider, reporter, world.time.sleep, world.time.clock, Backoff())
    final = waiter.wait(script.arn, "app", 1, stream=waiter.stream(script.arn, prime=False))
    assert final is not None and final.status == "UPDATE_COMPLETE"
    assert "1/1" in screen.getvalue() and "UPDATE_COMPLETE" in screen.getvalue()


def test_a_change_set_failure_other_than_no_changes_is_an_error(world: World) -> None:
    StackScript("app", [("UPDATE_COMPLETE", [])]).install(world.cfn)
    world.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": stack_arn("app")})
    world.cfn.add("describe_change_set", change_set("app", [], "FAILED", "Template format error: Unresolved "
                                                    "resource dependencies [Nope] in the Resources block"))
    with pytest.raises(DeployError, match="could not create the change set: Template format error"):
        deploy(TEMPLATE, "app", **world.kw(yes=True))


def test_client_used_by_fakes_never_leaves_the_machine() -> None:
    assert make_client("cloudformation").meta.endpoint_url.startswith("http://127.0.0.1")


def test_ctrl_c_while_the_change_set_is_computed_leaves_nothing_behind(world: World) -> None:
    StackScript("app", [("UPDATE_COMPLETE", [])]).install(world.cfn)
    world.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": stack_arn("app")})
    world.cfn.add("describe_change_set", change_set("app", [], "CREATE_IN_PROGRESS"), sticky=True)
    world.cfn.add("delete_change_set", {})

    def interrupt(_: int) -> None:
        raise KeyboardInterrupt

    world.time.on_sleep = interrupt
    with pytest.raises(KeyboardInterrupt):
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    assert world.cfn.params("delete_change_set") == [{"ChangeSetName": CS_ARN}]
    assert world.cfn.count("execute_change_set") == 0
