"""ECS4xx: services."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    NetworkMode,
    Service,
    Stack,
    TaskDefinition,
)


def fargate(family: str = "web") -> FargateTaskDefinition:
    task = FargateTaskDefinition(family)
    task.add_container("app", image="app:1")
    return task


def ec2(family: str = "worker", **kwargs) -> Ec2TaskDefinition:
    task = Ec2TaskDefinition(family, memory=512, **kwargs)
    task.add_container("app", image="app:1")
    return task


def one_service(task: TaskDefinition | None = None, **kwargs) -> Stack:
    return Stack("app").add(Service("web", cluster=Cluster("main"), task=task or fargate(), **kwargs))


# ---- ECS401 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("low", "high", "count", "text"), [
    (-1, 200, 1, "min_healthy_percent=-1"),
    (101, 200, 1, "min_healthy_percent=101"),
    (50, 99, 1, "max_percent=99"),
    (100, 100, 1, "no deployment can progress"),
    (100, 100, 3, "no deployment can progress"),
])
def test_ecs401_bad_deployment_percents(found, low, high, count, text):
    [problem] = found(one_service(min_healthy_percent=low, max_percent=high, desired_count=count), "ECS401")
    assert problem.path == "service web" and text in problem.message


@pytest.mark.parametrize(("low", "high", "count"), [
    (100, 200, 1), (0, 100, 1), (50, 100, 4), (100, 150, 2), (100, 100, 0),
])
def test_ecs401_good_deployment_percents(found, low, high, count):
    assert found(one_service(min_healthy_percent=low, max_percent=high, desired_count=count), "ECS401") == []


def test_ecs401_token_desired_count_may_be_running(found):
    stack = Stack("app")
    count = stack.parameter("Count", "Number", 2)
    stack.add(Service("web", cluster=Cluster("main"), task=fargate(), desired_count=count,
                      min_healthy_percent=100, max_percent=100))
    assert [p.rule for p in found(stack, "ECS401")] == ["ECS401"]


# ---- ECS402 ------------------------------------------------------------------------------------

def test_ecs402_negative_desired_count(found):
    [problem] = found(one_service(desired_count=-1), "ECS402")
    assert problem.path == "service web" and "desired_count=-1" in problem.message


def test_ecs402_allows_zero_and_tokens(found):
    stack = one_service(desired_count=0)
    stack.add(Service("api", cluster=Cluster("main"), task=fargate("api"),
                      desired_count=stack.parameter("ApiCount", "Number", 2)))
    assert found(stack, "ECS402") == []


# ---- ECS403 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("task", "launch", "compatible"), [
    (ec2(), LaunchType.FARGATE, "EC2"),
    (fargate(), LaunchType.EC2, "FARGATE"),
    (fargate(), "external", "FARGATE"),
])
def test_ecs403_launch_type_not_compatible(found, task, launch, compatible):
    [problem] = found(one_service(task, launch_type=launch), "ECS403")
    assert problem.path == "service web"
    assert f"task '{task.family}' is compatible with {compatible} only" in problem.message


@pytest.mark.parametrize("launch", [None, LaunchType.EC2, LaunchType.FARGATE])
def test_ecs403_allows_compatible_launch_type(found, launch):
    task = TaskDefinition("both", cpu=256, memory=512, compatibilities=[LaunchType.EC2, LaunchType.FARGATE])
    task.add_container("app", image="x")
    assert found(one_service(task, launch_type=launch), "ECS403") == []


def test_ecs403_one_task_two_services_with_different_launch_types(found):
    task = TaskDefinition("both", cpu=256, memory=512, compatibilities=["EC2", "FARGATE"])
    task.add_container("app", image="x:1")
    cluster = Cluster("main", cluster_name="main")  # instances launched elsewhere join it by name (ECS720)
    stack = Stack("app").add(Service("on-ec2", cluster=cluster, task=task, launch_type="EC2"),
                             Service("on-fargate", cluster=cluster, task=task, launch_type="FARGATE"))
    assert found(stack) == []


# ---- ECS404 ------------------------------------------------------------------------------------

def test_ecs404_two_services_with_one_name(found):
    cluster = Cluster("main")
    stack = Stack("app").add(Service("web", cluster=cluster, task=fargate("a")),
                             Service("web", cluster=cluster, task=fargate("b")))
    [problem] = found(stack, "ECS404")
    assert problem.path == "service web" and "'web'" in problem.message
    assert found(stack, "ECS503") == []  # reported once, by ECS404


def test_ecs404_same_physical_name_in_one_cluster(found):
    cluster = Cluster("main")
    stack = Stack("app").add(Service("a", cluster=cluster, task=fargate("a"), service_name="web"),
                             Service("b", cluster=cluster, task=fargate("b"), service_name="web"))
    [problem] = found(stack, "ECS404")
    assert problem.path == "service b" and "service_name='web'" in problem.message


def test_ecs404_allows_distinct_names(found):
    cluster = Cluster("main")
    stack = Stack("app").add(Service("a", cluster=cluster, task=fargate("a"), service_name="web"),
                             Service("b", cluster=Cluster("other"), task=fargate("b"), service_name="web"))
    assert found(stack, "ECS404") == []


# ---- ECS405 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "kwargs", "named"), [
    (NetworkMode.BRIDGE, {"assign_public_ip": True}, "assign_public_ip="),
    (NetworkMode.BRIDGE, {"subnets": ["subnet-1"]}, "subnets="),
    (NetworkMode.HOST, {"security_groups": ["sg-1"]}, "security_groups="),
    (NetworkMode.BRIDGE, {"allow_from": ["10.0.0.0/8"]}, "allow_from="),
])
def test_ecs405_network_settings_need_awsvpc(found, mode, kwargs, named):
    [problem] = found(one_service(ec2(network_mode=mode), **kwargs), "ECS405")
    assert problem.path == "service web" and named in problem.message and mode.value in problem.message


def test_ecs405_public_ip_needs_fargate(found):
    [problem] = found(one_service(ec2(network_mode="awsvpc"), assign_public_ip=True), "ECS405")
    assert "Fargate" in problem.message


@pytest.mark.parametrize(("task", "kwargs"), [
    (fargate(), {"assign_public_ip": True, "subnets": ["subnet-1"]}),
    (ec2(network_mode="awsvpc"), {"subnets": ["subnet-1"], "security_groups": ["sg-1"]}),
    (ec2(), {}),
])
def test_ecs405_allows_fitting_settings(found, task, kwargs):
    assert found(one_service(task, **kwargs), "ECS405") == []


# ---- ECS406 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("period", "expected"), [(-1, 1), (0, 0), (60, 0), (None, 0)])
def test_ecs406_grace_period(found, period, expected):
    problems = found(one_service(health_check_grace_period=period), "ECS406")
    assert len(problems) == expected
    assert all(p.path == "service web" for p in problems)


# ---- ECS407 ------------------------------------------------------------------------------------

def test_ecs407_platform_version_on_ec2(found):
    [problem] = found(one_service(ec2(), platform_version="1.4.0"), "ECS407")
    assert problem.path == "service web" and "EC2" in problem.message


@pytest.mark.parametrize("version", ["1.4.0", "LATEST", None])
def test_ecs407_allows_fargate_platform_version(found, version):
    assert found(one_service(fargate(), platform_version=version), "ECS407") == []


# ---- ECS480: after= ----------------------------------------------------------------------------

def _three() -> tuple[Stack, Service, Service, Service]:
    cluster = Cluster("main")
    db, api, web = (Service(n, cluster=cluster, task=fargate(n)) for n in ("db", "api", "web"))
    return Stack("app").add(db, api, web), db, api, web


def test_ecs480_after_is_deploy_order_compiled_to_depends_on(found) -> None:
    stack, db, api, web = _three()
    api.after = [db]
    web.after = [api, db]
    assert found(stack, "ECS480") == []
    from ecsstack import synth

    resources = synth(stack)["Resources"]
    assert resources["WebService"]["DependsOn"] == ["ApiService", "DbService"]
    assert resources["ApiService"]["DependsOn"] == ["DbService"]
    assert "DependsOn" not in resources["DbService"]


def test_ecs480_a_cycle_is_reported_once(found) -> None:
    stack, db, api, web = _three()
    db.after, api.after, web.after = [web], [db], [api]
    [problem] = found(stack, "ECS480")
    assert problem.severity == "error" and problem.path == "service db"
    assert problem.message == ("after= makes a cycle: 'db' → 'web' → 'api' → 'db'; CloudFormation cannot create any "
                               "of them first.")


def test_ecs480_itself_and_services_of_another_stack(found) -> None:
    stack, _, _, web = _three()
    other = Service("billing", cluster=Cluster("main"), task=fargate("billing"))
    web.after = [web, other]
    messages = [p.message for p in found(stack, "ECS480")]
    assert "after= names the service itself." in messages
    assert any("names service 'billing', which is not in this stack" in m for m in messages)
    assert len(messages) == 2


def test_after_takes_services_only() -> None:
    from ecsstack import ValidationError

    with pytest.raises(ValidationError, match="after must be a list of Service"):
        Service("web", cluster=Cluster("main"), task=fargate(), after=["db"])
    db = Service("db", cluster=Cluster("main"), task=fargate("db"))
    assert Service("web", cluster=Cluster("main"), task=fargate(), after=db).after == [db]
