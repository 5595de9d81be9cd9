"""Created VPCs (subnets, gateways, routes), subnet and VPC references, and security group wiring."""

from __future__ import annotations

from typing import Any

from troposphere import Cidr, GetAtt, GetAZs, Ref, Select, Sub, Tags, ec2

from ..model import NetworkMode, Service, SubnetGroup, Vpc
from ._context import Context, compiler
from .ids import logical_id

__all__ = ["admit", "compile_vpc", "service_security_group", "subnet_refs", "vpc_ref"]


def _base(vpc: Vpc) -> str:
    return logical_id(vpc.name, "Vpc")


def _compiled(obj: Any, ctx: Context) -> bool:
    try:
        ctx.logical(obj)
    except LookupError:
        return False
    return True


@compiler(Vpc, order=5)
def compile_vpc(vpc: Vpc, ctx: Context) -> None:
    """VPC, internet gateway, a public and a private subnet per AZ, NAT gateway(s), route tables."""
    if _compiled(vpc, ctx):
        return
    base = _base(vpc)
    ctx.register(vpc, base)
    ctx.add(ec2.VPC(base, CidrBlock=vpc.cidr, EnableDnsHostnames=True, EnableDnsSupport=True,
                    Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}"))))
    if vpc.overrides:
        ctx.overrides.append((base, None, vpc.overrides))
    ctx.add(ec2.InternetGateway(f"{base}InternetGateway",
                                Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}"))))
    attachment = f"{base}GatewayAttachment"
    ctx.add(ec2.VPCGatewayAttachment(attachment, VpcId=Ref(base), InternetGatewayId=Ref(f"{base}InternetGateway")))
    ctx.add(ec2.RouteTable(f"{base}PublicRouteTable", VpcId=Ref(base),
                           Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-public"))))
    ctx.add(ec2.Route(f"{base}PublicDefaultRoute", RouteTableId=Ref(f"{base}PublicRouteTable"),
                      DestinationCidrBlock="0.0.0.0/0", GatewayId=Ref(f"{base}InternetGateway"),
                      DependsOn=[attachment]))
    # Two blocks per AZ (public 2i, private 2i+1): a third AZ appends blocks, never renumbers.
    blocks = Cidr(GetAtt(base, "CidrBlock"), str(2 * vpc.max_azs), str(vpc.subnet_host_bits))
    for i in range(vpc.max_azs):
        for public in (True, False):
            kind = "Public" if public else "Private"
            subnet = f"{base}{kind}Subnet{i + 1}"
            ctx.add(ec2.Subnet(subnet, VpcId=Ref(base), AvailabilityZone=Select(i, GetAZs("")),
                               CidrBlock=Select(2 * i + (0 if public else 1), blocks), MapPublicIpOnLaunch=public,
                               Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-{kind.lower()}-{i + 1}"))))
    for i in range(vpc.max_azs):
        ctx.add(ec2.SubnetRouteTableAssociation(f"{base}PublicSubnet{i + 1}RouteTableAssociation",
                                                SubnetId=Ref(f"{base}PublicSubnet{i + 1}"),
                                                RouteTableId=Ref(f"{base}PublicRouteTable")))
    for k in range(vpc.nat_gateways):
        nat = f"{base}NatGateway{k + 1}"
        ctx.add(ec2.EIP(f"{nat}Eip", Domain="vpc", DependsOn=[attachment]))
        ctx.add(ec2.NatGateway(nat, AllocationId=GetAtt(f"{nat}Eip", "AllocationId"),
                               SubnetId=Ref(f"{base}PublicSubnet{k + 1}"),
                               Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-{k + 1}"))))
    for i in range(vpc.max_azs):
        table = f"{base}PrivateRouteTable{i + 1}"
        ctx.add(ec2.RouteTable(table, VpcId=Ref(base),
                               Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-private-{i + 1}"))))
        if vpc.nat_gateways:
            ctx.add(ec2.Route(f"{base}PrivateDefaultRoute{i + 1}", RouteTableId=Ref(table),
                              DestinationCidrBlock="0.0.0.0/0",
                              NatGatewayId=Ref(f"{base}NatGateway{i % vpc.nat_gateways + 1}")))
        ctx.add(ec2.SubnetRouteTableAssociation(f"{base}PrivateSubnet{i + 1}RouteTableAssociation",
                                                SubnetId=Ref(f"{base}PrivateSubnet{i + 1}"),
                                                RouteTableId=Ref(table)))


def internet_route(vpc: Vpc) -> str:
    """The logical ID of the public subnets' route to the internet gateway (wait on it before
    creating anything internet-facing)."""
    return f"{_base(vpc)}PublicDefaultRoute"


def vpc_ref(vpc: Vpc | None, ctx: Context) -> Any:
    """``Ref`` of a created VPC, or of the ``VpcId`` stack parameter when ``vpc`` is None."""
    if vpc is None:
        return ctx.parameter("VpcId", "AWS::EC2::VPC::Id", "VPC the services run in")
    compile_vpc(vpc, ctx)
    return Ref(ctx.logical(vpc))


def subnet_refs(value: Any, ctx: Context, *, parameter: str = "Subnets",
                description: str = "Subnets the tasks run in") -> Any:
    """Subnet IDs for ``value``: a ``SubnetGroup`` or ``Vpc`` (its private subnets), a list or a token;
    None means the stack parameter ``parameter`` (a ``List<AWS::EC2::Subnet::Id>``)."""
    if value is None:
        return ctx.parameter(parameter, "List<AWS::EC2::Subnet::Id>", description)
    if isinstance(value, Vpc):
        value = value.private_subnets
    if isinstance(value, SubnetGroup):
        compile_vpc(value.vpc, ctx)
        kind = "Public" if value.public else "Private"
        return [Ref(f"{_base(value.vpc)}{kind}Subnet{i + 1}") for i in range(value.vpc.max_azs)]
    return ctx.value(value)


def service_security_group(service: Service) -> str | None:
    """The logical ID of the security group made for ``service``; None when the service brings its
    own groups or its tasks do not use awsvpc networking."""
    if service.security_groups is not None or service.task.network_mode is not NetworkMode.AWSVPC:
        return None
    return logical_id(service.name, "Service") + "SecurityGroup"


def admit(ctx: Context, group: str, source: str, port: int, protocol: str, description: str) -> None:
    """Let ``source`` (a security group's logical ID) reach ``port`` in ``group``: one
    ``AWS::EC2::SecurityGroupIngress`` (a separate resource, so groups may admit each other)."""
    name = f"{group.removesuffix('SecurityGroup')}From{source.removesuffix('SecurityGroup')}{protocol.title()}{port}"
    if name in ctx.template.resources:
        return
    ctx.add(ec2.SecurityGroupIngress(name, GroupId=GetAtt(group, "GroupId"), IpProtocol=protocol, FromPort=port,
                                     ToPort=port, SourceSecurityGroupId=GetAtt(source, "GroupId"),
                                     Description=description))
