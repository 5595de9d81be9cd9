"""One operation, run once and followed alone: client tokens on every mutating call (reused by botocore's
retries), only this deploy's events (a concurrent deploy's success is never reported as ours), Ctrl-C and
lost answers on ExecuteChangeSet, and a stack left in REVIEW_IN_PROGRESS by an interrupted deploy.

Concurrent deploys cannot be shown faithfully by the emulator (it neither honours tokens nor reports them
on events): recorded responses play them (see fakeaws.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

from ecsstack.deploy import DeployError, DeployInterrupted, Outcome, deploy, destroy, diff

from .fakeaws import OURS, AwsFault, FakeTime, Recorded, StackScript, event, stack_arn
from .test_recorded import CS_ARN, DEPLOYED, RESOURCES, TEMPLATE, World, change_set, row

TOKEN = re.compile(r"[a-zA-Z0-9][-a-zA-Z0-9]{0,127}")
OTHER = "Console-UpdateStack-7d1c"


@pytest.fixture
def world(cfn: Recorded, ecs: Recorded, fake_time: FakeTime) -> World:
    return World(cfn, ecs, fake_time)


def updating(world: World, steps: list[tuple[str | None, list[dict[str, Any]]]]) -> StackScript:
    script = StackScript("app", [("UPDATE_COMPLETE", []), *steps])
    world.update(script, [row("Modify", "Svc")], DEPLOYED)
    return script


def test_every_mutating_call_carries_its_own_client_token(world: World) -> None:
    updating(world, [("UPDATE_IN_PROGRESS", [event("app", 1, "app", "UPDATE_IN_PROGRESS", token=OURS)]),
                     ("UPDATE_COMPLETE", [event("app", 2, "app", "UPDATE_COMPLETE", token=OURS)])])
    assert deploy(TEMPLATE, "app", **world.kw(yes=True)).outcome is Outcome.UPDATED
    created = world.cfn.params("create_change_set")[0]["ClientToken"]
    executed = world.cfn.params("execute_change_set")[0]["ClientRequestToken"]
    assert TOKEN.fullmatch(created) and TOKEN.fullmatch(executed) and created != executed

    world.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": stack_arn("app")})
    world.cfn.add("describe_change_set", change_set("app", [row("Modify", "Svc")]))
    world.cfn.add("get_template", {"TemplateBody": "{}"})
    world.cfn.add("delete_change_set", {})
    diff(TEMPLATE, "app", **{k: v for k, v in world.kw().items() if k != "lint"})
    assert world.cfn.params("create_change_set")[1]["ClientToken"] not in (created, executed)

    gone = StackScript("app", [("UPDATE_COMPLETE", []), ("DELETE_IN_PROGRESS", []),
                               ("DELETE_COMPLETE", [event("app", 3, "app", "DELETE_COMPLETE", token=OURS)])])
    world.cfn.sticky.clear()
    gone.install(world.cfn)
    world.cfn.add("list_stack_resources", RESOURCES, sticky=True)
    world.cfn.add("get_template", {"TemplateBody": "{}"})
    world.cfn.add("delete_stack", gone.start)
    assert destroy("app", **{k: v for k, v in world.kw(yes=True).items() if k != "lint"}).ok
    deleted = world.cfn.params("delete_stack")[0]["ClientRequestToken"]
    assert TOKEN.fullmatch(deleted) and deleted not in (created, executed)


def test_a_concurrent_deploys_success_is_not_reported_as_ours(world: World) -> None:
    """Our update rolls back; another operation then updates the stack successfully. The stack ends
    UPDATE_COMPLETE, but this deploy failed, and says so with its own root cause."""
    updating(world, [
        ("UPDATE_IN_PROGRESS", [event("app", 1, "app", "UPDATE_IN_PROGRESS", "User Initiated", token=OURS),
                                event("app", 2, "Svc", "UPDATE_FAILED", "Invalid request: no such subnet",
                                      token=OURS)]),
        ("UPDATE_ROLLBACK_IN_PROGRESS", [event("app", 3, "app", "UPDATE_ROLLBACK_IN_PROGRESS", token=OURS)]),
        ("UPDATE_ROLLBACK_COMPLETE", [event("app", 4, "app", "UPDATE_ROLLBACK_COMPLETE", token=OURS),
                                      event("app", 5, "app", "UPDATE_IN_PROGRESS", "User Initiated", token=OTHER),
                                      event("app", 6, "Svc", "UPDATE_COMPLETE", "theirs", token=OTHER),
                                      event("app", 7, "app", "UPDATE_COMPLETE", token=OTHER)]),
        ("UPDATE_COMPLETE", []),
    ])
    result = deploy(TEMPLATE, "app", **world.kw(yes=True))
    assert result.outcome is Outcome.FAILED and not result.ok
    assert result.status == "UPDATE_ROLLBACK_COMPLETE"
    assert result.failure is not None and "no such subnet" in result.failure.event.reason
    assert "theirs" not in world.text and "Stack app updated" not in world.text


def test_a_stack_changed_only_by_another_operation_is_not_our_success(world: World) -> None:
    updating(world, [
        ("UPDATE_IN_PROGRESS", [event("app", 1, "app", "UPDATE_IN_PROGRESS", "User Initiated", token=OTHER)]),
        ("UPDATE_COMPLETE", [event("app", 2, "app", "UPDATE_COMPLETE", token=OTHER)]),
    ])
    with pytest.raises(DeployError) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    message = str(caught.value)
    assert f"the stack app is UPDATE_COMPLETE, but from another operation (ClientRequestToken {OTHER})" in message
    assert "Stack app updated" not in world.text


def test_botocore_retries_send_the_same_token(moto: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost request on ExecuteChangeSet is retried by botocore with the same ClientRequestToken."""
    from botocore.retries import standard

    from ecsstack.deploy import Provider

    from .test_emulator import Run, template

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    run = Run(moto)
    provider = Provider(endpoint_url=moto, region="us-east-1")
    bodies: list[str] = []

    def lose_the_first(request: Any, **_: Any) -> None:
        bodies.append(request.body.decode() if isinstance(request.body, bytes) else str(request.body))
        if len(bodies) == 1:
            raise ConnectionClosedError(endpoint_url=request.url)

    provider.cfn.meta.events.register("before-send.cloudformation.ExecuteChangeSet", lose_the_first)
    assert run.deploy(template("a"), provider=provider).ok
    tokens = [re.search(r"ClientRequestToken=([-a-zA-Z0-9]+)", b) for b in bodies]
    assert len(bodies) == 2 and all(tokens)
    assert tokens[0].group(1) == tokens[1].group(1)  # type: ignore[union-attr]


def test_a_lost_answer_on_execute_is_followed_when_cloudformation_runs_it(world: World) -> None:
    script = updating(world, [("UPDATE_IN_PROGRESS", [event("app", 1, "app", "UPDATE_IN_PROGRESS", token=OURS)]),
                              ("UPDATE_COMPLETE", [event("app", 2, "app", "UPDATE_COMPLETE", token=OURS)])])
    world.cfn.queues["ExecuteChangeSet"].clear()

    def sent_but_lost(params: dict[str, Any]) -> dict[str, Any]:
        script.start(params)
        raise ConnectionClosedError(endpoint_url="https://cloudformation.us-east-1.amazonaws.com")

    world.cfn.add("execute_change_set", sent_but_lost)
    world.cfn.add("describe_change_set", {**change_set("app", []), "ExecutionStatus": "EXECUTE_IN_PROGRESS"})
    result = deploy(TEMPLATE, "app", **world.kw(yes=True))
    assert result.outcome is Outcome.UPDATED
    assert "CloudFormation has the change set EXECUTE_IN_PROGRESS all the same" in world.text


def test_a_lost_answer_on_execute_that_nobody_can_check_says_how_to_find_out(world: World) -> None:
    updating(world, [])
    world.cfn.queues["ExecuteChangeSet"].clear()
    lost = EndpointConnectionError(endpoint_url="https://cloudformation.us-east-1.amazonaws.com")
    world.cfn.add("execute_change_set", lambda p: (_ for _ in ()).throw(lost))
    world.cfn.add("describe_change_set", lambda p: (_ for _ in ()).throw(lost))
    with pytest.raises(DeployError) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    message = str(caught.value)
    assert "Whether CloudFormation received the execute request is unknown" in message
    assert "ecsstack status --stack-name app" in message and "ClientRequestToken ecsstack-execute-" in message


@pytest.mark.parametrize(("execution", "words", "deleted"), [
    ("EXECUTE_IN_PROGRESS", "after CloudFormation accepted the execute request", 0),
    ("AVAILABLE", "before CloudFormation executed the change set (it was AVAILABLE): nothing changed", 1),
    (None, "whether CloudFormation received it is unknown", 0),
])
def test_ctrl_c_during_execute_says_whether_it_was_sent(world: World, execution: str | None, words: str,
                                                         deleted: int) -> None:
    updating(world, [])
    world.cfn.queues["ExecuteChangeSet"].clear()

    def interrupted(_: dict[str, Any]) -> dict[str, Any]:
        raise KeyboardInterrupt

    world.cfn.add("execute_change_set", interrupted)
    if execution is None:
        world.cfn.error("describe_change_set", "Throttling", "Rate exceeded")
    else:
        world.cfn.add("describe_change_set", {**change_set("app", []), "ExecutionStatus": execution})
    world.cfn.add("delete_change_set", {})
    with pytest.raises(DeployInterrupted) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    assert words in caught.value.hint
    assert world.cfn.count("delete_change_set") == deleted


def test_a_lost_connection_while_following_says_the_stack_keeps_changing(world: World) -> None:
    script = StackScript("app", [("UPDATE_COMPLETE", []), ("UPDATE_IN_PROGRESS", [])])
    world.update(script, [row("Modify", "Svc")], DEPLOYED)
    world.cfn.sticky.pop("DescribeStacks")
    world.cfn.add("describe_stacks", script.describe_stacks, script.describe_stacks,
                  AwsFault("ServiceUnavailable", "down", 503))
    with pytest.raises(DeployError) as caught:
        deploy(TEMPLATE, "app", **world.kw(yes=True))
    message = str(caught.value)
    assert "The request was accepted: the stack app keeps changing in AWS" in message
    assert "ClientRequestToken ecsstack-execute-" in message


def test_review_in_progress_with_an_unexecuted_change_set_is_recovered(world: World) -> None:
    """An interrupted first deploy left the stack in REVIEW_IN_PROGRESS: the next one deletes the stale
    change set and creates the stack (it is not "never created")."""
    script = StackScript("app", [
        ("REVIEW_IN_PROGRESS", [event("app", 1, "app", "REVIEW_IN_PROGRESS", "User Initiated")]),
        ("CREATE_IN_PROGRESS", [event("app", 2, "app", "CREATE_IN_PROGRESS", "User Initiated", token=OURS)]),
        ("CREATE_COMPLETE", [event("app", 3, "app", "CREATE_COMPLETE", token=OURS)]),
    ]).install(world.cfn)
    stale = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/ecsstack-old/1"
    world.cfn.add("list_stack_resources", {"StackResourceSummaries": []})
    world.cfn.add("list_change_sets", {"Summaries": [
        {"ChangeSetId": stale, "ChangeSetName": "ecsstack-old", "ExecutionStatus": "AVAILABLE",
         "Status": "CREATE_COMPLETE", "StackId": script.arn}]})
    world.cfn.add("delete_change_set", {})
    world.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": script.arn})
    world.cfn.add("describe_change_set", change_set("app", [row("Add", "Svc")]))
    world.cfn.add("execute_change_set", script.start)
    world.cfn.add("list_stack_resources", RESOURCES, sticky=True)

    result = deploy(TEMPLATE, "app", **world.kw(yes=True))

    assert result.outcome is Outcome.CREATED, world.text
    assert world.cfn.params("delete_change_set") == [{"ChangeSetName": stale}]
    assert world.cfn.params("create_change_set")[0]["ChangeSetType"] == "CREATE"
    assert "Deleting the stale change set(s) (ecsstack-old)" in world.text
    assert "never created" not in world.text



def test_a_change_set_that_is_never_computed_ends_the_wait(world: World) -> None:
    from ecsstack.deploy._provider import ChangeSet

    world.cfn.add("describe_change_set", change_set("app", [], "CREATE_IN_PROGRESS"), sticky=True)
    with pytest.raises(DeployError, match=r"still computing the change set .* after 5 looks; nothing was executed"):
        world.provider.wait_change_set(ChangeSet(CS_ARN, stack_arn("app")), world.time.sleep, iter([1.0] * 10),
                                       max_polls=5)
    assert world.cfn.count("describe_change_set") == 5


def test_diff_of_a_stack_in_review_changes_nothing(world: World) -> None:
    script = StackScript("app", [("REVIEW_IN_PROGRESS", [])]).install(world.cfn)
    world.cfn.add("list_stack_resources", {"StackResourceSummaries": []})
    world.cfn.add("create_change_set", {"Id": CS_ARN, "StackId": script.arn})
    world.cfn.add("describe_change_set", change_set("app", [row("Add", "Svc")]))
    world.cfn.add("delete_change_set", {})
    shown = diff(TEMPLATE, "app", **{k: v for k, v in world.kw().items() if k != "lint"})
    assert [c.action for c in shown.changes] == ["Add"]
    assert world.cfn.params("delete_change_set") == [{"ChangeSetName": CS_ARN}]  # its own change set only
    assert world.cfn.count("delete_stack") == 0 and world.cfn.count("list_change_sets") == 0
