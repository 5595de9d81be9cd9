"""The ECS deployment's progress while CloudFormation waits on a service: rollout state from describe_services,
lifecycle stage, traffic shift and hooks from the service deployments API. The emulator keeps no deployment
configuration, so these run on recorded ECS responses (validated against botocore's ECS model) and Stubber."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botocore.stub import Stubber

from ecsstack.deploy import Provider, deploy
from ecsstack.deploy._ecs import EcsWatcher, rollout_line, stage_line
from ecsstack.deploy._events import StackEvent
from ecsstack.deploy._provider import ACTIVE_DEPLOYMENTS

from .fakeaws import BASE, FakeTime, Recorded, StackScript, event, make_client
from .test_recorded import DEPLOYED, SVC_ARN, TEMPLATE, World, row

DEPLOYMENT_ARN = "arn:aws:ecs:us-east-1:123456789012:service-deployment/main/app-web/abc123"
REVISION_ARN = "arn:aws:ecs:us-east-1:123456789012:service-revision/main/app-web/222"
HOOK_ARN = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test"


def service(rollout: str, running: int = 1, strategy: str = "BLUE_GREEN", reason: str = "") -> dict[str, Any]:
    """describe_services' service with a PRIMARY deployment in ``rollout`` state."""
    primary: dict[str, Any] = {"id": "ecs-svc/2", "status": "PRIMARY", "desiredCount": 2, "runningCount": running,
                               "pendingCount": 2 - running, "rolloutState": rollout, "createdAt": BASE}
    if reason:
        primary["rolloutStateReason"] = reason
    return {"serviceName": "app-web", "serviceArn": SVC_ARN, "events": [],
            "deploymentConfiguration": {"strategy": strategy, "bakeTimeInMinutes": 10},
            "deployments": [primary, {"id": "ecs-svc/1", "status": "ACTIVE", "desiredCount": 2, "runningCount": 2}]}


def service_deployment(stage: str, production: float, test: float, status: str = "IN_PROGRESS",
                       hooks: list[dict[str, Any]] | None = None, strategy: str = "BLUE_GREEN") -> dict[str, Any]:
    return {"serviceDeploymentArn": DEPLOYMENT_ARN, "serviceArn": SVC_ARN, "status": status, "lifecycleStage": stage,
            "createdAt": BASE, "deploymentConfiguration": {"strategy": strategy},
            "targetServiceRevision": {"arn": REVISION_ARN, "requestedTaskCount": 2, "runningTaskCount": 2,
                                      "pendingTaskCount": 0, "requestedProductionTrafficWeight": production,
                                      "requestedTestTrafficWeight": test},
            "lifecycleHookDetails": hooks or []}


def watch(ecs: Recorded, fake_time: FakeTime) -> EcsWatcher:
    watcher = EcsWatcher(Provider(clients={"ecs": ecs.client}), fake_time.clock, interval=10)
    watcher.observe(StackEvent("e1", "stack", BASE, "Svc", "AWS::ECS::Service", "UPDATE_IN_PROGRESS", SVC_ARN))
    return watcher


def rounds(watcher: EcsWatcher, fake_time: FakeTime, n: int) -> list[str]:
    lines: list[str] = []
    for _ in range(n):
        lines += watcher.poll()
        fake_time.sleep(10)
    return lines


def test_blue_green_progress_shows_each_stage_and_traffic_shift_once(ecs: Recorded, fake_time: FakeTime) -> None:
    ecs.add("describe_services", {"services": [service("IN_PROGRESS", 0)]}, {"services": [service("IN_PROGRESS", 2)]},
            {"services": [service("IN_PROGRESS", 2)]}, {"services": [service("IN_PROGRESS", 2)]},
            {"services": [service("COMPLETED", 2)]}, sticky=True)
    ecs.add("list_service_deployments", {"serviceDeployments": [{"serviceDeploymentArn": DEPLOYMENT_ARN}]},
            sticky=True)
    hook = {"hookId": "h1", "targetType": "AWS_LAMBDA", "targetArn": HOOK_ARN, "status": "IN_PROGRESS"}
    ecs.add("describe_service_deployments",
            {"serviceDeployments": [service_deployment("SCALE_UP", 0, 0)]},
            {"serviceDeployments": [service_deployment("POST_TEST_TRAFFIC_SHIFT", 0, 100, hooks=[hook])]},
            {"serviceDeployments": [service_deployment("POST_TEST_TRAFFIC_SHIFT", 0, 100, hooks=[hook])]},
            {"serviceDeployments": [service_deployment("BAKE_TIME", 100, 100)]}, sticky=True)
    ecs.add("list_tasks", {"taskArns": []}, sticky=True)

    lines = rounds(watch(ecs, fake_time), fake_time, 6)

    assert lines == [
        "Svc (ECS): rollout IN_PROGRESS: 0 of 2 tasks running, 2 pending",
        "Svc (ECS): blue/green IN_PROGRESS at SCALE_UP: new revision gets production 0%, test 0% of traffic; "
        "2 of 2 new tasks running",
        "Svc (ECS): rollout IN_PROGRESS: 2 of 2 tasks running",
        "Svc (ECS): blue/green IN_PROGRESS at POST_TEST_TRAFFIC_SHIFT: new revision gets production 0%, test 100% of "
        "traffic; 2 of 2 new tasks running; hooks: smoke-test IN_PROGRESS",
        "Svc (ECS): blue/green IN_PROGRESS at BAKE_TIME: new revision gets production 100%, test 100% of traffic; "
        "2 of 2 new tasks running",
        "Svc (ECS): rollout COMPLETED: 2 of 2 tasks running",
    ]
    # the service deployments API is asked only while the rollout is in progress, for the active deployments only
    assert ecs.count("list_service_deployments") == 4
    assert ecs.params("list_service_deployments")[0] == {"cluster": "main", "service": "app-web",
                                                         "status": list(ACTIVE_DEPLOYMENTS)}
    assert ecs.params("describe_service_deployments")[0] == {"serviceDeploymentArns": [DEPLOYMENT_ARN]}


def test_a_rolling_service_without_deployments_asks_nothing_more(ecs: Recorded, fake_time: FakeTime) -> None:
    ecs.add("describe_services", {"services": [{"serviceName": "app-web", "events": []}]}, sticky=True)
    ecs.add("list_tasks", {"taskArns": []}, sticky=True)

    assert rounds(watch(ecs, fake_time), fake_time, 3) == []
    assert ecs.count("list_service_deployments") == 0


def test_without_the_service_deployments_api_the_rollout_state_still_shows(ecs: Recorded, fake_time: FakeTime) -> None:
    later = service("FAILED", 0, reason="ECS deployment circuit breaker: tasks failed to start.")
    ecs.add("describe_services", {"services": [service("IN_PROGRESS", 0)]}, {"services": [later]}, sticky=True)
    ecs.error("list_service_deployments", "AccessDeniedException", "not authorized: ecs:ListServiceDeployments")
    ecs.add("list_tasks", {"taskArns": []}, sticky=True)

    lines = rounds(watch(ecs, fake_time), fake_time, 3)

    assert lines[0] == "Svc (ECS): rollout IN_PROGRESS: 0 of 2 tasks running, 2 pending"
    assert lines[1] == ("Svc (ECS): (deployment stages unavailable: AccessDeniedException: not authorized: "
                        "ecs:ListServiceDeployments)")
    assert lines[2] == ("Svc (ECS): rollout FAILED: 0 of 2 tasks running, 2 pending (ECS deployment circuit "
                        "breaker: tasks failed to start.)")
    assert len(lines) == 3 and ecs.count("list_service_deployments") == 1  # asked once, then left alone


def test_stage_line_reads_canary_rollbacks_and_pause_hooks() -> None:
    canary = service_deployment("PRODUCTION_TRAFFIC_SHIFT", 10, 100, status="ROLLBACK_IN_PROGRESS", strategy="CANARY",
                                hooks=[{"targetType": "PAUSE", "status": "AWAITING_ACTION"}])
    canary["rollback"] = {"reason": "alarm web-5xx fired", "startedAt": BASE + timedelta(minutes=3)}
    assert stage_line(canary) == (
        "canary ROLLBACK_IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT: new revision gets production 10%, test 100% of "
        "traffic; 2 of 2 new tasks running; hooks: PAUSE AWAITING_ACTION; rolling back: alarm web-5xx fired")
    assert stage_line({"status": "PENDING"}) == "deployment PENDING"
    assert rollout_line({"rolloutState": "IN_PROGRESS", "runningCount": 1, "desiredCount": 3, "failedTasks": 2}) == \
        "rollout IN_PROGRESS: 1 of 3 tasks running, 2 failed"


def test_service_deployments_through_stubber_in_strict_order() -> None:
    client = make_client("ecs")
    provider = Provider(clients={"ecs": client})
    with Stubber(client) as stub:
        stub.add_response("list_service_deployments", {"serviceDeployments": [
            {"serviceDeploymentArn": DEPLOYMENT_ARN, "status": "IN_PROGRESS"}]},
            {"cluster": "main", "service": "app-web", "status": list(ACTIVE_DEPLOYMENTS)})
        stub.add_response("describe_service_deployments",
                          {"serviceDeployments": [service_deployment("TEST_TRAFFIC_SHIFT", 0, 50)]},
                          {"serviceDeploymentArns": [DEPLOYMENT_ARN]})
        stub.add_response("list_service_deployments", {"serviceDeployments": []},
                          {"cluster": "main", "service": "app-web", "status": list(ACTIVE_DEPLOYMENTS)})
        found = provider.service_deployments("main", "app-web")
        assert [d["lifecycleStage"] for d in found] == ["TEST_TRAFFIC_SHIFT"]
        assert provider.service_deployments("main", "app-web") == []  # nothing under way: no describe call
        stub.assert_no_pending_responses()


def test_deploy_shows_the_deployment_progress_between_stack_events(cfn: Recorded, ecs: Recorded,
                                                                    fake_time: FakeTime) -> None:
    world = World(cfn, ecs, fake_time)
    steps: list[tuple[str | None, list[dict[str, Any]]]] = [
        ("UPDATE_COMPLETE", []),
        ("UPDATE_IN_PROGRESS", [event("app", 1, "app", "UPDATE_IN_PROGRESS", "User Initiated"),
                                event("app", 2, "Svc", "UPDATE_IN_PROGRESS", physical=SVC_ARN)]),
    ]
    steps += [("UPDATE_IN_PROGRESS", [])] * 8
    steps += [("UPDATE_COMPLETE", [event("app", 20, "Svc", "UPDATE_COMPLETE", physical=SVC_ARN),
                                   event("app", 21, "app", "UPDATE_COMPLETE")])]
    world.update(StackScript("app", steps), [row("Modify", "Svc")], DEPLOYED)
    world.ecs.add("describe_services", {"services": [service("IN_PROGRESS", 1, strategy="LINEAR")]}, sticky=True)
    world.ecs.add("list_service_deployments", {"serviceDeployments": [{"serviceDeploymentArn": DEPLOYMENT_ARN}]},
                  sticky=True)
    world.ecs.add("describe_service_deployments", {"serviceDeployments": [
        service_deployment("PRODUCTION_TRAFFIC_SHIFT", 30, 100, strategy="LINEAR")]}, sticky=True)
    world.ecs.add("list_tasks", {"taskArns": []}, sticky=True)

    result = deploy(TEMPLATE, "app", **world.kw(yes=True))

    assert result.ok
    assert world.text.count("Svc (ECS): rollout IN_PROGRESS: 1 of 2 tasks running, 1 pending") == 1
    assert world.text.count("Svc (ECS): linear IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT: new revision gets "
                            "production 30%, test 100% of traffic") == 1
