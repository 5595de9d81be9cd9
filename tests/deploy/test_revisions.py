"""``status`` per ECS service: the revision running with its images, earlier revisions of the family, the deployment
in progress. On the emulator (which registers task definitions and runs services, without registration dates) and
on recorded responses for what it cannot give (dates, ACTIVE deployments, pages, refusals)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from rich.console import Console

import ecsstack
from ecsstack import Cluster, Service, Stack, TaskDefinition
from ecsstack.cli import main
from ecsstack.deploy import Provider, deploy, status
from ecsstack.deploy._provider import StackResource
from ecsstack.deploy._revisions import Deployment, parse_task_definition_arn, service_revisions

from .fakeaws import ACCOUNT, Recorded, make_client

REGION = "us-east-1"
WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=200, highlight=False, soft_wrap=True), buffer


def td_arn(family: str, revision: int) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"


# ---- on the emulator ---------------------------------------------------------------------------------------------

def register(ecs: Any, family: str, tag: str) -> str:
    return ecs.register_task_definition(
        family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": f"example/app:{tag}", "essential": True},
                              {"name": "proxy", "image": "envoy:1.30", "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]


def test_status_shows_the_revision_running_and_the_earlier_ones(moto: str) -> None:
    ecs = boto3.client("ecs", endpoint_url=moto, region_name=REGION)
    ec2 = boto3.client("ec2", endpoint_url=moto, region_name=REGION)
    for tag in ("1.0", "1.1", "1.2"):
        register(ecs, "shop", tag)
    register(ecs, "shop-admin", "9.9")  # shares the prefix: not one of the family's revisions
    stack = Stack("shop")
    stack.add(Service("web", cluster=Cluster("main"), task=TaskDefinition.existing("shop:2")))
    params = {"VpcId": ec2.describe_vpcs()["Vpcs"][0]["VpcId"],
              "Subnets": ec2.describe_subnets()["Subnets"][0]["SubnetId"]}
    out, buffer = console()
    kw = {"endpoint_url": moto, "region": REGION, "console": out}
    assert deploy(ecsstack.synth(stack), "shop", parameters=params, yes=True, lint=False, **kw).ok

    result = status("shop", **kw)
    [svc] = result.services
    assert svc.logical_id == "WebService" and svc.running is not None
    assert svc.running.label == "shop:2"
    assert svc.running.images == {"app": "example/app:1.1", "proxy": "envoy:1.30"}
    assert [r.label for r in svc.previous] == ["shop:1"]  # shop:3 is registered but not running; shop-admin is not
    assert svc.previous[0].images["app"] == "example/app:1.0"
    assert [d.status for d in svc.deployments] == ["PRIMARY"] and svc.deployments[0].revision == "shop:2"
    text = buffer.getvalue()
    assert "runs shop:2" in text and "app: example/app:1.1" in text
    assert "previous revisions:" in text and "shop:1" in text and "app=example/app:1.0" in text

    shown = CliRunner().invoke(main, ["status", "--stack-name", "shop", "--revisions", "0", "--endpoint-url", moto,
                                      "--region", REGION])
    assert shown.exit_code == 0, shown.output
    assert "runs shop:2" in shown.output and "previous revisions" not in shown.output


def test_status_without_ecs_services_shows_none(moto: str) -> None:
    template = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}}}}
    out, buffer = console()
    kw = {"endpoint_url": moto, "region": REGION, "console": out}
    assert deploy(template, "plain", yes=True, lint=False, **kw).ok
    assert status("plain", **kw).services == []
    assert "ECS services" not in buffer.getvalue()


# ---- recorded responses -----------------------------------------------------------------------------------------

SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/main-cluster/web-svc"
RESOURCES = [StackResource("WebService", "AWS::ECS::Service", SERVICE_ARN, "UPDATE_IN_PROGRESS"),
             StackResource("MainCluster", "AWS::ECS::Cluster", "main-cluster", "CREATE_COMPLETE")]


def definition(family: str, revision: int, tag: str) -> dict[str, Any]:
    return {"taskDefinition": {
        "taskDefinitionArn": td_arn(family, revision), "family": family, "revision": revision, "status": "ACTIVE",
        "containerDefinitions": [{"name": "app", "image": f"example/app:{tag}"}],
        "registeredAt": WHEN + timedelta(days=revision)}}


def deployment(status_: str, revision: int, rollout: str, running: int, pending: int, desired: int) -> dict:
    return {"id": f"ecs-svc/{revision}", "status": status_, "taskDefinition": td_arn("web", revision),
            "rolloutState": rollout, "rolloutStateReason": f"ECS deployment ecs-svc/{revision} {rollout.lower()}.",
            "runningCount": running, "pendingCount": pending, "desiredCount": desired,
            "createdAt": WHEN, "updatedAt": WHEN}


def recorded_ecs(deployments: list[dict], running: int = 5) -> Recorded:
    ecs = Recorded(make_client("ecs"))
    ecs.add("describe_services", {"services": [{
        "serviceArn": SERVICE_ARN, "serviceName": "web-svc", "taskDefinition": td_arn("web", running),
        "deployments": deployments}], "failures": []})
    ecs.add("list_task_definitions",
            {"taskDefinitionArns": [td_arn("web", 6), td_arn("web", 5), td_arn("web-api", 9), td_arn("web", 4)],
             "nextToken": "page2"},
            {"taskDefinitionArns": [td_arn("web", 3), td_arn("web", 2), td_arn("web", 1)]})

    def describe(params: dict[str, Any]) -> dict[str, Any]:
        family, revision = parse_task_definition_arn(params["taskDefinition"])
        return definition(family, revision, f"1.{revision}")

    ecs.add("describe_task_definition", describe, sticky=True)
    return ecs


def test_a_rollout_in_progress_with_the_old_deployment_still_running() -> None:
    ecs = recorded_ecs([deployment("PRIMARY", 5, "IN_PROGRESS", 1, 1, 2),
                        deployment("ACTIVE", 4, "COMPLETED", 2, 0, 2)])
    [svc] = service_revisions(Provider(clients={"ecs": ecs.client}), RESOURCES, previous=3)
    assert (svc.cluster, svc.service) == ("main-cluster", "web-svc")
    assert svc.running.label == "web:5" and svc.running.registered_at == WHEN + timedelta(days=5)
    assert [r.label for r in svc.previous] == ["web:4", "web:3", "web:2"]  # web:6 is newer; web-api not the family
    moving = svc.in_progress
    assert moving is not None and (moving.revision, moving.running, moving.pending) == ("web:5", 1, 1)
    # paginated: the second page was asked for with the first page's token, newest first
    pages = ecs.params("list_task_definitions")
    assert pages[0] == {"familyPrefix": "web", "sort": "DESC"}
    assert pages[1]["nextToken"] == "page2"
    assert ecs.count("describe_task_definition") == 4


def test_previous_stops_reading_when_enough_are_found() -> None:
    ecs = recorded_ecs([deployment("PRIMARY", 5, "COMPLETED", 2, 0, 2)])
    [svc] = service_revisions(Provider(clients={"ecs": ecs.client}), RESOURCES, previous=1)
    assert [r.label for r in svc.previous] == ["web:4"]
    assert ecs.count("list_task_definitions") == 1  # the second page is never fetched
    assert svc.in_progress is None


def test_status_prints_the_deployment_and_dates() -> None:
    ecs = recorded_ecs([deployment("PRIMARY", 5, "IN_PROGRESS", 1, 1, 2),
                        deployment("ACTIVE", 4, "COMPLETED", 2, 0, 2)])
    cfn = Recorded(make_client("cloudformation"))
    stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/web/1"
    cfn.add("describe_stacks", {"Stacks": [{"StackName": "web", "StackId": stack_id, "CreationTime": WHEN,
                                            "StackStatus": "UPDATE_IN_PROGRESS"}]})
    cfn.add("describe_stack_events", {"StackEvents": []})
    cfn.add("list_stack_resources", {"StackResourceSummaries": [
        {"LogicalResourceId": r.logical_id, "ResourceType": r.resource_type, "PhysicalResourceId": r.physical_id,
         "ResourceStatus": r.status, "LastUpdatedTimestamp": WHEN} for r in RESOURCES]})
    out, buffer = console()
    result = status("web", revisions=2, provider=Provider(clients={"cloudformation": cfn.client, "ecs": ecs.client}),
                    console=out)
    assert [r.label for r in result.services[0].previous] == ["web:4", "web:3"]
    text = buffer.getvalue()
    assert "WebService: service web-svc in cluster main-cluster runs web:5 (registered 2026-12-05 09:00)" in text
    assert ("deployment in progress: web:5 IN_PROGRESS, 1/2 running, 1 pending "
            "(ECS deployment ecs-svc/5 in_progress.)") in text
    assert "active web:4: 2 running, 0 pending" in text
    assert "web:3  2026-12-03 09:00  app=example/app:1.3" in text


def test_ecs_refusing_is_a_warning_not_a_failed_status() -> None:
    ecs = Recorded(make_client("ecs"))
    ecs.error("describe_services", "AccessDeniedException", "not authorized to perform ecs:DescribeServices")
    cfn = Recorded(make_client("cloudformation"))
    stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/web/1"
    cfn.add("describe_stacks", {"Stacks": [{"StackName": "web", "StackId": stack_id, "CreationTime": WHEN,
                                            "StackStatus": "CREATE_COMPLETE"}]})
    cfn.add("describe_stack_events", {"StackEvents": []})
    cfn.add("list_stack_resources", {"StackResourceSummaries": [
        {"LogicalResourceId": "WebService", "ResourceType": "AWS::ECS::Service", "PhysicalResourceId": SERVICE_ARN,
         "ResourceStatus": "CREATE_COMPLETE", "LastUpdatedTimestamp": WHEN}]})
    out, buffer = console()
    result = status("web", provider=Provider(clients={"cloudformation": cfn.client, "ecs": ecs.client}), console=out)
    assert result.exists and result.services == []
    assert "ECS services not shown: describing the ECS services of cluster main-cluster failed: " \
           "AccessDeniedException" in buffer.getvalue()


def test_a_family_that_cannot_be_listed_is_a_note_on_that_service() -> None:
    ecs = Recorded(make_client("ecs"))
    ecs.add("describe_services", {"services": [{"serviceArn": SERVICE_ARN, "serviceName": "web-svc",
                                                "taskDefinition": td_arn("web", 2), "deployments": []}]})
    ecs.add("describe_task_definition", definition("web", 2, "1.2"))
    ecs.error("list_task_definitions", "AccessDeniedException", "no ecs:ListTaskDefinitions")
    [svc] = service_revisions(Provider(clients={"ecs": ecs.client}), RESOURCES)
    assert svc.running.label == "web:2" and svc.previous == []
    assert "listing the revisions of task definition family web failed" in svc.note


def test_a_service_ecs_does_not_know() -> None:
    ecs = Recorded(make_client("ecs"))
    ecs.add("describe_services", {"services": [], "failures": [{"arn": SERVICE_ARN, "reason": "MISSING"}]})
    [svc] = service_revisions(Provider(clients={"ecs": ecs.client}), RESOURCES)
    assert svc.running is None and "does not know this service" in svc.note


def test_many_services_are_described_ten_at_a_time() -> None:
    resources = [StackResource(f"S{i}", "AWS::ECS::Service", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/c/s{i}",
                               "CREATE_COMPLETE") for i in range(12)]
    ecs = Recorded(make_client("ecs"))

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        return {"services": [{"serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/c/{n}", "serviceName": n,
                              "deployments": []} for n in params["services"]]}

    ecs.add("describe_services", answer, sticky=True)
    found = service_revisions(Provider(clients={"ecs": ecs.client}), resources)
    assert len(found) == 12 and [len(p["services"]) for p in ecs.params("describe_services")] == [10, 2]


@pytest.mark.parametrize(("arn", "parsed"), [
    (td_arn("web", 3), ("web", 3)), ("web:12", ("web", 12)), ("web", None), ("web:x", None),
])
def test_parse_task_definition_arn(arn: str, parsed: Any) -> None:
    assert parse_task_definition_arn(arn) == parsed


def test_a_steady_deployment_is_not_in_progress() -> None:
    steady = Deployment("d", "PRIMARY", td_arn("web", 1), "COMPLETED", running=2, desired=2)
    from ecsstack.deploy._revisions import ServiceRevisions

    assert ServiceRevisions("S", "c", "s", deployments=[steady]).in_progress is None
    draining = Deployment("o", "ACTIVE", td_arn("web", 0), "COMPLETED", running=1, desired=0)
    assert ServiceRevisions("S", "c", "s", deployments=[steady, draining]).in_progress is steady
