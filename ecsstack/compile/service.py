"""Clusters, services and the security group each awsvpc service gets."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, ec2, ecs

from ..model import Cluster, LaunchType, NetworkMode, Service
from ._context import Context, compiler, run_hooks
from .ids import logical_id

__all__ = ["compile_cluster", "compile_service"]


@compiler(Cluster, order=10)
def compile_cluster(cluster: Cluster, ctx: Context) -> None:
    name = logical_id(cluster.name, "Cluster")
    ctx.register(cluster, name)
    props: dict[str, Any] = {
        "ClusterSettings": [ecs.ClusterSetting(Name="containerInsights",
                                               Value="enabled" if cluster.container_insights else "disabled")],
    }
    if cluster.cluster_name:
        props["ClusterName"] = cluster.cluster_name
    ctx.add(run_hooks("cluster", cluster, ctx, ecs.Cluster(name, **props)))
    if cluster.overrides:
        ctx.overrides.append((name, None, cluster.overrides))


def _security_group(service: Service, ctx: Context, base: str) -> str:
    from .network import vpc_ref

    vpc = vpc_ref(service.vpc, ctx)
    name = f"{base}SecurityGroup"
    ports = sorted({(p.container_port, p.protocol.value) for c in service.task.containers for p in c.ports})
    ingress = [
        ec2.SecurityGroupRule(IpProtocol=proto, FromPort=port, ToPort=port, CidrIp=cidr,
                              Description=f"{proto}/{port} from {cidr}")
        for cidr in service.allow_from for port, proto in ports
    ]
    props: dict[str, Any] = {"GroupDescription": f"ECS service {service.name}", "VpcId": vpc,
                             "SecurityGroupEgress": [ec2.SecurityGroupRule(
                                 IpProtocol="-1", CidrIp="0.0.0.0/0", Description="all outbound")]}
    if ingress:
        props["SecurityGroupIngress"] = ingress
    ctx.add(ec2.SecurityGroup(name, **props))
    return name


def _network(service: Service, ctx: Context, base: str) -> ecs.NetworkConfiguration:
    from .network import subnet_refs

    subnets = subnet_refs(service.vpc if service.subnets is None else service.subnets, ctx)
    if service.security_groups is None:
        groups: Any = [GetAtt(_security_group(service, ctx, base), "GroupId")]
    else:
        groups = ctx.value(service.security_groups)
    return ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
        AssignPublicIp="ENABLED" if service.assign_public_ip else "DISABLED",
        Subnets=subnets, SecurityGroups=groups))


@compiler(Service, order=30)
def compile_service(service: Service, ctx: Context) -> None:
    base = logical_id(service.name, "Service")
    ctx.register(service, base)
    deployment: dict[str, Any] = {
        "MinimumHealthyPercent": service.min_healthy_percent,
        "MaximumPercent": service.max_percent,
    }
    if service.circuit_breaker:
        deployment["DeploymentCircuitBreaker"] = ecs.DeploymentCircuitBreaker(Enable=True,
                                                                              Rollback=service.rollback)
    props: dict[str, Any] = {
        "Cluster": Ref(ctx.logical(service.cluster)),
        "TaskDefinition": Ref(ctx.logical(service.task)),
        "LaunchType": service.effective_launch_type.value,
        "DeploymentConfiguration": ecs.DeploymentConfiguration(**deployment),
        "PropagateTags": service.propagate_tags.value,
        "EnableECSManagedTags": True,
    }
    if service.desired_count is not None:
        props["DesiredCount"] = ctx.value(service.desired_count)
    elif not service.scalings:
        props["DesiredCount"] = 1
    # an auto-scaled service without a desired count starts at 1 and is then kept in range by autoscaling;
    # leaving DesiredCount out means a stack update never resets the count autoscaling chose
    if service.task.network_mode is NetworkMode.AWSVPC:
        props["NetworkConfiguration"] = _network(service, ctx, base)
    if service.enable_execute_command:
        props["EnableExecuteCommand"] = True
    if service.platform_version and service.effective_launch_type is LaunchType.FARGATE:
        props["PlatformVersion"] = service.platform_version
    if service.health_check_grace_period is not None:
        props["HealthCheckGracePeriodSeconds"] = service.health_check_grace_period
    if service.force_new_deployment:
        props["ForceNewDeployment"] = ecs.ForceNewDeployment(EnableForceNewDeployment=True)
    if service.service_name:
        props["ServiceName"] = service.service_name
    ctx.add(run_hooks("service", service, ctx, ecs.Service(base, **props)))
    if service.overrides:
        ctx.overrides.append((base, None, service.overrides))
