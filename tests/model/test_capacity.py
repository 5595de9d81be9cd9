"""Capacity providers, strategies, EC2 capacity and placement: argument mistakes raise ECS001."""

from __future__ import annotations

import pytest

from ecsstack import (
    CapacityProvider,
    CapacityProviderStrategy,
    Cluster,
    CpuArchitecture,
    FargateTaskDefinition,
    OsFamily,
    PlacementConstraint,
    PlacementStrategy,
    Service,
    ValidationError,
)

from ._support import fargate

SPOT = CapacityProviderStrategy("FARGATE_SPOT")





# ---- argument checks (ECS001) --------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: CapacityProviderStrategy(""),
    lambda: CapacityProviderStrategy(5),
    lambda: Cluster("main", capacity_providers="FARGATE"),
    lambda: Cluster("main", default_strategy=["FARGATE"]),
    lambda: Cluster("main").add_ec2_capacity("bad name"),
    lambda: Cluster("main").add_ec2_capacity("ec2", architecture="sparc"),
    lambda: Cluster("main").add_ec2_capacity("ec2", subnets="subnet-1"),
    lambda: Cluster("main").add_ec2_capacity("ec2", spot="yes"),
    lambda: Cluster("main").add_ec2_capacity("ec2", colour="red"),
    lambda: PlacementStrategy.binpack("disk"),
    lambda: PlacementStrategy.spread(""),
    lambda: PlacementConstraint.member_of(" "),
    lambda: FargateTaskDefinition("web", cpu_architecture="sparc"),
    lambda: FargateTaskDefinition("web", os_family="BeOS"),
    lambda: Service("web", cluster=Cluster("main"), task=fargate(), capacity_provider_strategy="FARGATE"),
    lambda: Service("web", cluster=Cluster("main"), task=fargate(), placement_strategies=["spread"]),
])
def test_capacity_argument_mistakes_raise_ecs001(make):
    with pytest.raises(ValidationError) as info:
        make()
    assert [p.rule for p in info.value.problems] == ["ECS001"]


def test_values_are_normalised():
    assert CapacityProviderStrategy("fargate_spot").provider is CapacityProvider.FARGATE_SPOT
    assert CapacityProviderStrategy("my-provider").provider == "my-provider"
    cluster = Cluster("main", default_strategy=SPOT, capacity_providers=["fargate"])
    assert cluster.default_strategy == [SPOT] and cluster.capacity_providers == [CapacityProvider.FARGATE]
    task = FargateTaskDefinition("web", cpu_architecture="arm64", os_family="linux")
    assert task.cpu_architecture is CpuArchitecture.ARM64 and task.os_family is OsFamily.LINUX
    service = Service("web", cluster=cluster, task=task, placement_strategies=PlacementStrategy.random())
    assert service.placement_strategies == [PlacementStrategy.random()]
    capacity = cluster.add_ec2_capacity("ec2", architecture="arm64")
    assert cluster.ec2_capacity == [capacity] and capacity.path == "cluster main › capacity ec2"
    assert capacity.related() == [cluster]
    assert capacity.ami_parameter.endswith("/arm64/recommended/image_id")
