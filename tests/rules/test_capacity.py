"""ECS703-ECS706, ECS711, ECS712, ECS715: capacity providers, placement, runtime platform; and the builders' checks."""

from __future__ import annotations

import pytest

from ecsstack import (
    CapacityProviderStrategy,
    Cluster,
    CpuArchitecture,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    OsFamily,
    PlacementConstraint,
    PlacementStrategy,
    Service,
    Stack,
)

SPOT = CapacityProviderStrategy("FARGATE_SPOT")


def fargate(family: str = "web", **kwargs) -> FargateTaskDefinition:
    task = FargateTaskDefinition(family, **kwargs)
    task.add_container("app", image="app:1")
    return task


def ec2(family: str = "web", **kwargs) -> Ec2TaskDefinition:
    task = Ec2TaskDefinition(family, memory=512, **kwargs)
    task.add_container("app", image="app:1")
    return task


def one(task=None, cluster: Cluster | None = None, **kwargs) -> Stack:
    return Stack("app").add(Service("web", cluster=cluster or Cluster("main"), task=task or fargate(), **kwargs))


# ---- ECS703 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("strategy", "text"), [
    ([CapacityProviderStrategy("FARGATE", base=1), CapacityProviderStrategy("FARGATE_SPOT", base=2)],
     "gives a base to 2 providers"),
    ([CapacityProviderStrategy("FARGATE", weight=0), CapacityProviderStrategy("FARGATE_SPOT", weight=0)],
     "every provider of capacity_provider_strategy has weight=0"),
    ([SPOT, CapacityProviderStrategy("fargate_spot", weight=2)], "names FARGATE_SPOT twice"),
    ([SPOT, CapacityProviderStrategy("my-ec2-provider")], "mixes Fargate and EC2"),
])
def test_ecs703_bad_service_strategy(found, strategy, text):
    problems = found(one(capacity_provider_strategy=strategy), "ECS703")
    assert any(p.path == "service web" and text in p.message for p in problems), [p.message for p in problems]


def test_ecs703_launch_type_and_strategy(found):
    [problem] = found(one(launch_type=LaunchType.FARGATE, capacity_provider_strategy=[SPOT]), "ECS703")
    assert "both launch_type= and capacity_provider_strategy=" in problem.message


def test_ecs703_cluster_default_strategy_checked_too(found):
    cluster = Cluster("main", default_strategy=[CapacityProviderStrategy("FARGATE", weight=0)])
    [problem] = found(one(cluster=cluster), "ECS703")
    assert problem.path == "cluster main" and "default_strategy" in problem.message


def test_ecs703_provider_not_associated(found):
    cluster = Cluster("main", capacity_providers=["FARGATE"])
    [problem] = found(one(cluster=cluster, capacity_provider_strategy=[SPOT]), "ECS703")
    assert "does not associate" in problem.message and "'FARGATE_SPOT'" in problem.hint


def test_ecs703_ec2_capacity_of_another_cluster(found):
    other = Cluster("other")
    capacity = other.add_ec2_capacity("ec2")
    [problem] = found(one(ec2(), capacity_provider_strategy=[CapacityProviderStrategy(capacity)]), "ECS703")
    assert "of cluster 'other'" in problem.message


@pytest.mark.parametrize("strategy", [
    [SPOT],
    [CapacityProviderStrategy("FARGATE_SPOT", weight=4), CapacityProviderStrategy("FARGATE", weight=1, base=1)],
    [CapacityProviderStrategy("FARGATE", weight=0, base=2), CapacityProviderStrategy("FARGATE_SPOT", weight=1)],
])
def test_ecs703_allows_valid_strategies(found, strategy):
    assert found(one(capacity_provider_strategy=strategy), "ECS703") == []


def test_ecs703_allows_explicitly_associated_and_own_ec2(found):
    cluster = Cluster("main", capacity_providers=["FARGATE", "FARGATE_SPOT"],
                      default_strategy=[SPOT])
    capacity = cluster.add_ec2_capacity("ec2")
    stack = one(cluster=cluster)
    stack.add(Service("bat", cluster=cluster, task=ec2("bat"),
                      capacity_provider_strategy=[CapacityProviderStrategy(capacity)]))
    assert found(stack, "ECS703") == []


# ---- ECS704 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"placement_strategies": [PlacementStrategy.spread()]},
    {"placement_constraints": [PlacementConstraint.distinct_instance()]},
    {"placement_strategies": [PlacementStrategy.random()], "capacity_provider_strategy": [SPOT]},
])
def test_ecs704_placement_on_fargate(found, kwargs):
    [problem] = found(one(**kwargs), "ECS704")
    assert problem.path == "service web" and "Fargate" in problem.message


def test_ecs704_too_many(found):
    stack = one(ec2(), launch_type="EC2", placement_strategies=[PlacementStrategy.spread()] * 6,
                placement_constraints=[PlacementConstraint.member_of("attribute:ecs.os-type == linux")] * 11)
    messages = [p.message for p in found(stack, "ECS704")]
    assert any("6 placement strategies" in m for m in messages)
    assert any("11 placement constraints" in m for m in messages)


def test_ecs704_allows_placement_on_ec2(found):
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2")
    stack = one(ec2(), cluster=cluster, capacity_provider_strategy=[CapacityProviderStrategy(capacity)],
                placement_strategies=[PlacementStrategy.spread("instanceId"), PlacementStrategy.binpack("cpu")],
                placement_constraints=[PlacementConstraint.distinct_instance()])
    assert found(stack, "ECS704") == []
    assert found(one(ec2(), launch_type="EC2", placement_strategies=[PlacementStrategy.random()]), "ECS704") == []


# ---- ECS705 ------------------------------------------------------------------------------------

def test_ecs705_arm64_spot_on_old_platform(found):
    stack = one(fargate(cpu_architecture="ARM64"), platform_version="1.3.0", capacity_provider_strategy=[SPOT])
    [problem] = found(stack, "ECS705")
    assert problem.path == "service web › task web" and "1.4.0" in problem.message


def test_ecs705_windows_on_spot(found):
    task = fargate(cpu=1024, memory=2048, os_family=OsFamily.WINDOWS_SERVER_2022_CORE)
    cluster = Cluster("main", default_strategy=[SPOT])
    [problem] = found(one(task, cluster=cluster), "ECS705")
    assert "Linux tasks only" in problem.message


@pytest.mark.parametrize("kwargs", [
    {"capacity_provider_strategy": [SPOT]},
    {"capacity_provider_strategy": [SPOT], "platform_version": "LATEST"},
    {"capacity_provider_strategy": [CapacityProviderStrategy("FARGATE"), SPOT]},
])
def test_ecs705_arm64_on_fargate_spot_is_not_supported(found, kwargs):
    [problem] = found(one(fargate(cpu_architecture=CpuArchitecture.ARM64), **kwargs), "ECS705")
    assert problem.path == "service web › task web" and "ARM64" in problem.message
    assert "FARGATE" in problem.hint


def test_ecs705_arm64_spot_through_the_cluster_default_strategy(found):
    cluster = Cluster("main", default_strategy=[SPOT])
    assert found(one(fargate(cpu_architecture="ARM64"), cluster=cluster), "ECS705")


@pytest.mark.parametrize("kwargs", [
    {"capacity_provider_strategy": [SPOT], "platform_version": "1.4.0"},
    {"capacity_provider_strategy": [CapacityProviderStrategy("FARGATE")], "platform_version": "1.3.0"},
    {"capacity_provider_strategy": [CapacityProviderStrategy("FARGATE")]},
])
def test_ecs705_allows_arm64_on_fargate_or_pinned_spot(found, kwargs):
    assert found(one(fargate(cpu_architecture=CpuArchitecture.ARM64), **kwargs), "ECS705") == []


# ---- ECS706 ------------------------------------------------------------------------------------

def test_ecs706_instance_type_of_the_other_architecture(found):
    cluster = Cluster("main")
    cluster.add_ec2_capacity("arm", instance_type="t3.medium", architecture="ARM64")
    cluster.add_ec2_capacity("x86", instance_type="m7g.large")
    problems = found(Stack("app").add(cluster), "ECS706")
    assert [p.path for p in problems] == ["cluster main › capacity arm", "cluster main › capacity x86"]


def test_ecs706_task_architecture_differs(found):
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("arm", instance_type="t4g.medium", architecture="ARM64")
    stack = one(ec2(cpu_architecture="X86_64"), cluster=cluster,
                capacity_provider_strategy=[CapacityProviderStrategy(capacity)])
    [problem] = found(stack, "ECS706")
    assert problem.path == "service web › task web" and problem.severity == "error"


def test_ecs706_launch_type_ec2_uses_every_capacity_of_the_cluster(found):
    cluster = Cluster("main")
    cluster.add_ec2_capacity("arm", instance_type="c7g.large", architecture="ARM64")
    [problem] = found(one(ec2(), cluster=cluster, launch_type="EC2"), "ECS706")
    assert problem.severity == "warning" and "cpu_architecture=" in problem.message


def test_ecs706_allows_matching_architectures(found):
    cluster = Cluster("main")
    arm = cluster.add_ec2_capacity("arm", instance_type="t4g.medium", architecture="ARM64")
    cluster.add_ec2_capacity("x86", instance_type="m6i.large")
    cluster.add_ec2_capacity("graviton1", instance_type="a1.large", architecture="ARM64")
    stack = one(ec2(cpu_architecture="ARM64"), cluster=cluster,
                capacity_provider_strategy=[CapacityProviderStrategy(arm)])
    assert found(stack, "ECS706") == []


# ---- ECS711 ------------------------------------------------------------------------------------

def test_ecs711_fargate_task_on_ec2_capacity(found):
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2")
    [problem] = found(one(cluster=cluster, capacity_provider_strategy=[CapacityProviderStrategy(capacity)]), "ECS711")
    assert problem.path == "service web" and "EC2 capacity 'ec2'" in problem.message


def test_ecs711_ec2_task_on_fargate_spot(found):
    [problem] = found(one(ec2(), capacity_provider_strategy=[SPOT]), "ECS711")
    assert "FARGATE_SPOT" in problem.message and "FargateTaskDefinition" in problem.hint


def test_ecs711_allows_compatible(found):
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2")
    stack = one(ec2(), cluster=cluster, capacity_provider_strategy=[CapacityProviderStrategy(capacity)])
    stack.add(Service("spot", cluster=cluster, task=fargate("spot"), capacity_provider_strategy=[SPOT]))
    assert found(stack, "ECS711") == []


# ---- ECS712 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "text"), [
    ({"min_size": 3, "max_size": 2}, "min_size=3 is above max_size=2"),
    ({"min_size": 1, "max_size": 4, "desired_capacity": 6}, "desired_capacity=6 is outside"),
    ({"max_size": 0}, "max_size=0"),
])
def test_ecs712_bad_sizes(found, kwargs, text):
    cluster = Cluster("main")
    cluster.add_ec2_capacity("ec2", **kwargs)
    [problem] = found(Stack("app").add(cluster), "ECS712")
    assert problem.path == "cluster main › capacity ec2" and text in problem.message


def test_ecs712_duplicate_names(found):
    a, b = Cluster("a"), Cluster("b")
    a.add_ec2_capacity("ec2")
    b.add_ec2_capacity("ec2")
    [problem] = found(Stack("app").add(a, b), "ECS712")
    assert problem.path == "cluster b › capacity ec2"


def test_ecs712_allows_sane_sizes(found):
    cluster = Cluster("main")
    cluster.add_ec2_capacity("ec2", min_size=1, max_size=4, desired_capacity=2)
    cluster.add_ec2_capacity("spot", spot=True)
    assert found(Stack("app").add(cluster), "ECS712") == []


# ---- ECS715 ------------------------------------------------------------------------------------

def test_ecs715_explicit_ec2_launch_type_bypasses_ec2_capacity(found):
    cluster = Cluster("main")
    cluster.add_ec2_capacity("ec2")
    [problem] = found(one(ec2(), cluster, launch_type=LaunchType.EC2), "ECS715")
    assert problem.severity == "warning"
    assert problem.path == "service web"
    assert problem.message.startswith("launch_type=EC2 places tasks on the instances of cluster 'main' directly, "
                                      "bypassing its capacity provider (EC2 capacity 'ec2'): managed scaling")
    assert problem.hint == ("Replace launch_type= with capacity_provider_strategy=[CapacityProviderStrategy(cap)], "
                            "where cap is the capacity cluster.add_ec2_capacity('ec2', ...) returned.")


def test_ecs715_existing_ec2_provider_of_the_default_strategy(found):
    cluster = Cluster("main", default_strategy=[CapacityProviderStrategy("my-asg-provider")])
    [problem] = found(one(ec2(), cluster, launch_type="EC2"), "ECS715")
    assert "(my-asg-provider)" in problem.message and "cap is 'my-asg-provider'" in problem.hint


def test_ecs715_allows_strategies_fargate_and_clusters_without_ec2_capacity(found):
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2")
    assert found(one(ec2(), cluster, capacity_provider_strategy=[CapacityProviderStrategy(capacity)]), "ECS715") == []
    assert found(one(fargate(), cluster, launch_type=LaunchType.FARGATE), "ECS715") == []
    assert found(one(ec2(), Cluster("bare"), launch_type=LaunchType.EC2), "ECS715") == []
    spot = Cluster("spot", default_strategy=[SPOT])
    assert found(one(ec2(), spot, launch_type=LaunchType.EC2), "ECS715") == []
