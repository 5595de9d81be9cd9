"""Services and the security group each awsvpc service gets; the features of a service (capacity,
placement, discovery, load balancers, rollback alarms) contribute their properties here."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, ec2, ecs

from ..model import LaunchType, NetworkMode, Service
from ..names import SECURITY_GROUP, SERVICE, logical_id
from . import alarms, capacity, discovery, loadbalancing, settings, traffic
from ._context import Context
from .network import subnet_refs, vpc_ref
from .task import task_definition

__all__ = ["compile_service"]


def _security_group(service: Service, ctx: Context, base: str) -> str:
    vpc = vpc_ref(service.vpc, ctx)
    name = f"{base}{SECURITY_GROUP}"
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
    ctx.add(ec2.SecurityGroup(ctx.part(service, "SecurityGroup", name), **props))
    return name


def _network(service: Service, ctx: Context, base: str) -> ecs.NetworkConfiguration:
    subnets = subnet_refs(service.vpc if service.subnets is None else service.subnets, ctx)
    if service.security_groups is None:
        groups: Any = [GetAtt(_security_group(service, ctx, base), "GroupId")]
    else:
        groups = ctx.value(service.security_groups)
    return ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
        AssignPublicIp="ENABLED" if service.assign_public_ip else "DISABLED",
        Subnets=subnets, SecurityGroups=groups))


def _deployment(service: Service, ctx: Context) -> ecs.DeploymentConfiguration:
    deployment: dict[str, Any] = {
        "MinimumHealthyPercent": service.min_healthy_percent,
        "MaximumPercent": service.max_percent,
    }
    if service.circuit_breaker:
        deployment["DeploymentCircuitBreaker"] = ecs.DeploymentCircuitBreaker(Enable=True,
                                                                              Rollback=service.rollback)
    settings.daemon_deployment(service, deployment)
    rollback = alarms.deployment_alarms(service, ctx)
    if rollback is not None:
        deployment["Alarms"] = rollback
    traffic.strategy_properties(service, ctx, deployment)  # deployment=: Strategy, bake time, shifts, hooks
    return ecs.DeploymentConfiguration(**deployment)


def compile_service(service: Service, ctx: Context) -> None:
    """The ECS service, built once with its own properties and those its features contribute."""
    base = logical_id(service.name, SERVICE)
    ctx.register(service, base)
    ctx.part(service, "Service", base)
    props: dict[str, Any] = {
        "Cluster": Ref(ctx.logical(service.cluster)),
        "TaskDefinition": task_definition(service.task, ctx),
        "DeploymentConfiguration": _deployment(service, ctx),
        "PropagateTags": service.propagate_tags.value,
        "EnableECSManagedTags": service.enable_ecs_managed_tags,
    }
    if service.propagate_tags.value == "NONE":
        del props["PropagateTags"]  # CloudFormation spells "no propagation" by leaving the property out
    # a daemon service runs one task per container instance: it has no desired count
    if service.desired_count is not None and not service.is_daemon:
        props["DesiredCount"] = ctx.value(service.desired_count)
    elif not service.scalings and not service.is_daemon:
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
    depends_on: set[str] = set()
    for part in (capacity.launch(service, ctx),  # LaunchType, or a capacity provider strategy
                 capacity.service_properties(service, ctx),
                 discovery.service_properties(service, ctx),
                 loadbalancing.service_properties(service, ctx),
                 settings.service_properties(service, ctx)):
        for key, value in part.items():
            if key == "DependsOn":
                depends_on.update(value)
            else:
                assert key not in props, f"two compilers set {key}"  # features contribute disjoint properties
                props[key] = value
    depends_on.update(logical_id(other.name, SERVICE) for other in service.after)  # deploy order (after=)
    capacity.admit_load_balancers(service, ctx)
    traffic.compile_traffic(service, ctx)  # a blue/green service's green target group, test route and roles
    # the order of DependsOn means nothing to CloudFormation: sorted, the bytes stay the same
    attributes = {"DependsOn": sorted(depends_on)} if depends_on else {}
    ctx.add(ecs.Service(base, **props, **attributes))
