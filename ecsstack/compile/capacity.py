"""Capacity: EC2 capacity providers (launch template, Auto Scaling group, instance role), the cluster's
capacity provider associations, services' strategies and placement, and task runtime platforms."""

from __future__ import annotations

from typing import Any

import awacs.sts
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from troposphere import Base64, GetAtt, Ref, Sub, autoscaling, ec2, ecs, iam

from ..model import (
    CapacityProvider,
    Cluster,
    CpuArchitecture,
    Ec2Capacity,
    LaunchType,
    NetworkMode,
    OsFamily,
    ScheduledTask,
    Service,
    TaskDefinition,
)
from ..model.derived import (
    AMI_PARAMETERS,
    associated_providers,
    effective_strategy,
    implied_strategy,
    targets_of,
)
from ..names import (
    AUTO_SCALING_GROUP,
    CAPACITY_PROVIDER,
    CAPACITY_PROVIDERS,
    INSTANCE,
    INSTANCE_PROFILE,
    INSTANCE_ROLE,
    LAUNCH_TEMPLATE,
    SECURITY_GROUP,
    logical_id,
)
from ._context import Context
from .network import admit, subnet_refs, vpc_ref

__all__ = [
    "EPHEMERAL_PORTS",
    "admit_load_balancers",
    "admit_on_instances",
    "association_name",
    "compile_capacity",
    "instance_capacity",
    "instance_group",
    "instance_ports",
    "launch",
    "runtime_platform",
    "service_properties",
]

#: stack parameters holding the ECS-optimized AMI id, read from its public SSM parameter at deploy time
AMI_PARAMETER_NAMES = {CpuArchitecture.X86_64: "EcsAmiId", CpuArchitecture.ARM64: "EcsArm64AmiId"}
#: the stack parameter holding the ECS GPU-optimized AMI id (for capacity with GPU instance types)
GPU_AMI_PARAMETER_NAME = "EcsGpuAmiId"
#: the ports Docker picks dynamic host ports from (bridge networking)
EPHEMERAL_PORTS = (32768, 65535)


def association_name(cluster: Cluster, ctx: Context) -> str:
    """The logical ID of the cluster's capacity provider associations."""
    return f"{ctx.logical(cluster)}{CAPACITY_PROVIDERS}"


def _managed_policy(name: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:iam::aws:policy/{name}")


def _user_data(cap: Ec2Capacity, cluster_logical: str) -> Base64:
    lines = ["#!/bin/bash", 'echo "ECS_CLUSTER=${Cluster}" >> /etc/ecs/ecs.config']
    if cap.spot:
        lines.append('echo "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true" >> /etc/ecs/ecs.config')
    return Base64(Sub("\n".join(lines) + "\n", Cluster=Ref(cluster_logical)))


def _ec2_capacity(cap: Ec2Capacity, cluster_logical: str, ctx: Context) -> None:
    base = logical_id(cap.name)
    ctx.register(cap, f"{base}{CAPACITY_PROVIDER}")
    role, profile, group = f"{base}{INSTANCE_ROLE}", f"{base}{INSTANCE_PROFILE}", instance_group(cap)
    template, asg = f"{base}{LAUNCH_TEMPLATE}", f"{base}{AUTO_SCALING_GROUP}"
    for part, logical in (("InstanceRole", role), ("InstanceProfile", profile), ("SecurityGroup", group),
                          ("LaunchTemplate", template), ("AutoScalingGroup", asg),
                          ("CapacityProvider", ctx.logical(cap))):
        ctx.part(cap, part, logical)
    ctx.add(iam.Role(role, AssumeRolePolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Effect=Allow, Principal=Principal("Service", "ec2.amazonaws.com"), Action=[awacs.sts.AssumeRole])]),
        ManagedPolicyArns=[_managed_policy("service-role/AmazonEC2ContainerServiceforEC2Role"),
                           _managed_policy("AmazonSSMManagedInstanceCore")]))
    ctx.add(iam.InstanceProfile(profile, Roles=[Ref(role)]))
    ctx.add(ec2.SecurityGroup(group, GroupDescription=f"ECS container instances {cap.name}",
                              VpcId=vpc_ref(cap.created_vpc, ctx),
                              SecurityGroupEgress=[ec2.SecurityGroupRule(IpProtocol="-1", CidrIp="0.0.0.0/0",
                                                                         Description="all outbound")]))
    if cap.image_id is not None:
        image = ctx.value(cap.image_id)
    elif cap.ami_parameter not in AMI_PARAMETERS.values():  # no architecture's AMI: the GPU-optimized one
        image = ctx.parameter(GPU_AMI_PARAMETER_NAME, "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                              "ECS GPU-optimized Amazon Linux 2023 AMI", default=cap.ami_parameter)
    else:
        image = ctx.parameter(AMI_PARAMETER_NAMES[cap.architecture], "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                              f"ECS-optimized Amazon Linux 2023 AMI ({cap.architecture.value})",
                              default=cap.ami_parameter)
    ctx.add(ec2.LaunchTemplate(template, LaunchTemplateData=ec2.LaunchTemplateData(
        ImageId=image,
        InstanceType=ctx.value(cap.instance_type),
        IamInstanceProfile=ec2.IamInstanceProfile(Arn=GetAtt(profile, "Arn")),
        SecurityGroupIds=[GetAtt(group, "GroupId")],
        # IMDSv2 only, one hop: containers on bridge networks cannot borrow the instance role
        MetadataOptions=ec2.MetadataOptions(HttpEndpoint="enabled", HttpTokens="required", HttpPutResponseHopLimit=1),
        UserData=_user_data(cap, cluster_logical),
    )))
    launch = autoscaling.LaunchTemplateSpecification(LaunchTemplateId=Ref(template),
                                                     Version=GetAtt(template, "LatestVersionNumber"))
    props: dict[str, Any] = {
        "MinSize": str(cap.min_size),
        "MaxSize": str(cap.max_size),
        "VPCZoneIdentifier": subnet_refs(cap.subnets if cap.subnets is not None else cap.created_vpc, ctx),
        "NewInstancesProtectedFromScaleIn": cap.termination_protection,
        # ECS tags a group it manages; declaring the tag keeps stack updates from removing it
        "Tags": autoscaling.Tags(Name=Sub(f"${{AWS::StackName}}-{cap.name}"), AmazonECSManaged=""),
    }
    if cap.desired_capacity is not None:
        props["DesiredCapacity"] = str(cap.desired_capacity)
    if cap.spot:
        props["MixedInstancesPolicy"] = autoscaling.MixedInstancesPolicy(
            InstancesDistribution=autoscaling.InstancesDistribution(
                OnDemandBaseCapacity=0, OnDemandPercentageAboveBaseCapacity=0,
                SpotAllocationStrategy="price-capacity-optimized"),
            LaunchTemplate=autoscaling.LaunchTemplate(LaunchTemplateSpecification=launch))
        props["CapacityRebalance"] = True
    else:
        props["LaunchTemplate"] = launch
    ctx.add(autoscaling.AutoScalingGroup(asg, **props))
    ctx.add(ecs.CapacityProvider(ctx.logical(cap), AutoScalingGroupProvider=ecs.AutoScalingGroupProvider(
        AutoScalingGroupArn=Ref(asg),
        ManagedScaling=ecs.ManagedScaling(Status="ENABLED", TargetCapacity=cap.target_capacity),
        ManagedTerminationProtection="ENABLED" if cap.termination_protection else "DISABLED",
    )))


def provider_value(provider: Any, ctx: Context) -> Any:
    """What CloudFormation calls a provider: its short name (``Ref`` of a capacity provider made here)."""
    if isinstance(provider, Ec2Capacity):
        return Ref(ctx.logical(provider))
    return provider.value if isinstance(provider, CapacityProvider) else provider


def _strategy(items: list[Any], ctx: Context, kind: type) -> list[Any]:
    out = []
    for item in items:
        kwargs: dict[str, Any] = {"CapacityProvider": provider_value(item.provider, ctx), "Weight": item.weight}
        if item.base:
            kwargs["Base"] = item.base
        out.append(kind(**kwargs))
    return out


def instance_group(cap: Ec2Capacity) -> str:
    """The logical ID of the security group of the capacity's container instances."""
    return logical_id(cap.name, INSTANCE, SECURITY_GROUP)


def compile_capacity(cluster: Cluster, ctx: Context) -> None:
    """The cluster's EC2 capacity and its capacity provider associations (with the default strategy)."""
    cluster_logical = ctx.logical(cluster)
    for cap in cluster.ec2_capacity:
        _ec2_capacity(cap, cluster_logical, ctx)
    providers = associated_providers(cluster, ctx.stack)
    if not providers:
        return
    ctx.add(ecs.ClusterCapacityProviderAssociations(
        ctx.part(cluster, "CapacityProviderAssociations", association_name(cluster, ctx)),
        Cluster=Ref(cluster_logical),
        CapacityProviders=[provider_value(p, ctx) for p in providers],
        DefaultCapacityProviderStrategy=_strategy(cluster.default_strategy or [], ctx, ecs.CapacityProviderStrategy),
    ))


def instance_capacity(service: Service) -> list[Ec2Capacity]:
    """The EC2 capacity a service's tasks may land on."""
    strategy = effective_strategy(service)
    if strategy:
        return [s.provider for s in strategy if isinstance(s.provider, Ec2Capacity)]
    if service.effective_launch_type is LaunchType.EC2:
        return list(service.cluster.ec2_capacity)
    return []


def launch(service: Service | ScheduledTask, ctx: Context, item: type = ecs.CapacityProviderStrategyItem
           ) -> dict[str, Any]:
    """Where a service's tasks run, decided here and nowhere else.

    A service placed by a capacity provider strategy (its own, which it states as
    ``CapacityProviderStrategy``, or its cluster's default, which ECS applies) has no ``LaunchType`` and
    waits (``DependsOn``) on the cluster's capacity provider associations. So does a service that would
    run on EC2 in a cluster with EC2 capacity: it states a strategy over that capacity
    (``implied_strategy``), since with ``LaunchType: EC2`` managed scaling would ignore its tasks. Any
    other service states its ``LaunchType``. A scheduled task is placed the same way (``item``: the
    strategy item class of the resource being built).
    """
    props: dict[str, Any] = {}
    stated = service.capacity_provider_strategy or implied_strategy(service)  # a cluster default ECS applies
    if stated:
        props["CapacityProviderStrategy"] = _strategy(stated, ctx, item)
    if effective_strategy(service):
        props["DependsOn"] = [association_name(service.cluster, ctx)]
    else:
        props["LaunchType"] = service.effective_launch_type.value
    return props


def service_properties(service: Service, ctx: Context) -> dict[str, Any]:
    """A service's task placement: ``PlacementStrategies`` and ``PlacementConstraints``."""
    props: dict[str, Any] = {}
    if service.placement_strategies:
        props["PlacementStrategies"] = [
            ecs.PlacementStrategy(Type=p.type, **({"Field": p.field} if p.field else {}))
            for p in service.placement_strategies]
    if service.placement_constraints:
        props["PlacementConstraints"] = [
            ecs.PlacementConstraint(Type=p.type, **({"Expression": p.expression} if p.expression else {}))
            for p in service.placement_constraints]
    return props


def instance_ports(service: Service, container: Any, port: int | None) -> tuple[int, int] | None:
    """The instance ports traffic for ``container``'s ``port`` reaches under bridge/host networking: the
    mapping's host port, else the ephemeral range for a dynamic bridge port, else the port itself."""
    mapping = next((p for p in getattr(container, "ports", []) if p.container_port == port), None)
    if mapping is not None and mapping.host_port:
        return mapping.host_port, mapping.host_port
    if service.task.network_mode is NetworkMode.BRIDGE:
        return EPHEMERAL_PORTS
    return None if port is None else (port, port)


def admit_on_instances(service: Service, ctx: Context, source: str, ports: tuple[int, int], description: str) -> None:
    """Let ``source`` (a security group's logical ID) reach ``ports`` on the instances of every EC2 capacity
    ``service``'s tasks may land on."""
    low, high = ports
    for cap in instance_capacity(service):
        admit(ctx, instance_group(cap), source, low, "tcp", description, to_port=high)


def admit_load_balancers(service: Service, ctx: Context) -> None:
    """Instances of bridge/host services admit their load balancers' groups on the task ports only (an
    awsvpc service's own group admits them instead, see ``loadbalancing``)."""
    if service.task.network_mode not in (NetworkMode.BRIDGE, NetworkMode.HOST):
        return
    for target in targets_of(ctx.stack, service):
        ports = instance_ports(service, target.container, target.container_port)
        if ports is None:
            continue
        lb = ctx.logical(target.load_balancer)
        admit_on_instances(service, ctx, f"{lb}{SECURITY_GROUP}", ports,
                           f"tcp/{ports[0]}-{ports[1]} from load balancer {target.load_balancer.name}")
        check = target.health_check.port  # a health-check port of its own (ECS618 refuses one on dynamic ports)
        if check is not None and not ports[0] <= check <= ports[1]:
            admit_on_instances(service, ctx, f"{lb}{SECURITY_GROUP}", (check, check),
                               f"tcp/{check} health checks from load balancer {target.load_balancer.name}")


def runtime_platform(task: TaskDefinition) -> dict[str, Any]:
    """``RuntimePlatform`` when the task states its CPU architecture or operating system."""
    if task.cpu_architecture is None and task.os_family is None:
        return {}
    return {"RuntimePlatform": ecs.RuntimePlatform(
        CpuArchitecture=(task.cpu_architecture or CpuArchitecture.X86_64).value,
        OperatingSystemFamily=(task.os_family or OsFamily.LINUX).value)}
