"""Created VPCs (subnets, gateways, routes), subnet and VPC references, and security group wiring."""

from __future__ import annotations

from typing import Any

from troposphere import Cidr, GetAtt, GetAZs, Ref, Select, Sub, Tags, ec2

from ..model import NetworkMode, Service, SubnetGroup, Vpc
from ..names import (
    DEFAULT_ROUTE,
    EIP,
    GATEWAY_ATTACHMENT,
    INTERNET_GATEWAY,
    NAT_GATEWAY,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_GROUP,
    SERVICE,
    SUBNET,
    VPC,
    logical_id,
)
from ._context import Context

__all__ = ["admit", "compile_vpc", "internet_route", "service_security_group", "subnet_refs", "vpc_ref"]


def _base(vpc: Vpc) -> str:
    return logical_id(vpc.name, VPC)


def compile_vpc(vpc: Vpc, ctx: Context) -> None:
    """VPC, internet gateway, a public and a private subnet per AZ, NAT gateway(s), route tables (once: the
    network pass compiles the VPCs added to the stack, and whatever refers to another VPC compiles it)."""
    if ctx.is_compiled(vpc):
        return
    base = _base(vpc)
    ctx.register(vpc, base)
    ctx.part(vpc, "Vpc", base)
    ctx.add(ec2.VPC(base, CidrBlock=vpc.cidr, EnableDnsHostnames=True, EnableDnsSupport=True,
                    Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}"))))
    gateway, attachment = f"{base}{INTERNET_GATEWAY}", f"{base}{GATEWAY_ATTACHMENT}"
    public_table = f"{base}Public{ROUTE_TABLE}"
    for part, logical in (("InternetGateway", gateway), ("GatewayAttachment", attachment),
                          ("PublicRouteTable", public_table), ("PublicDefaultRoute", internet_route(vpc))):
        ctx.part(vpc, part, logical)
    ctx.add(ec2.InternetGateway(gateway, Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}"))))
    ctx.add(ec2.VPCGatewayAttachment(attachment, VpcId=Ref(base), InternetGatewayId=Ref(gateway)))
    ctx.add(ec2.RouteTable(public_table, VpcId=Ref(base),
                           Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-public"))))
    ctx.add(ec2.Route(internet_route(vpc), RouteTableId=Ref(public_table),
                      DestinationCidrBlock="0.0.0.0/0", GatewayId=Ref(gateway),
                      DependsOn=[attachment]))
    # Two blocks per AZ (public 2i, private 2i+1): a third AZ appends blocks, never renumbers.
    blocks = Cidr(GetAtt(base, "CidrBlock"), str(2 * vpc.max_azs), str(vpc.subnet_host_bits))
    for i in range(vpc.max_azs):
        for public in (True, False):
            kind = "Public" if public else "Private"
            ctx.part(vpc, f"{kind}Subnet:{i + 1}", _subnet(vpc, public, i))
            ctx.add(ec2.Subnet(_subnet(vpc, public, i), VpcId=Ref(base), AvailabilityZone=Select(i, GetAZs("")),
                               CidrBlock=Select(2 * i + (0 if public else 1), blocks), MapPublicIpOnLaunch=public,
                               Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-{kind.lower()}-{i + 1}"))))
    for i in range(vpc.max_azs):
        subnet = _subnet(vpc, True, i)
        ctx.add(ec2.SubnetRouteTableAssociation(
            ctx.part(vpc, f"PublicSubnetRouteTableAssociation:{i + 1}", f"{subnet}{ROUTE_TABLE_ASSOCIATION}"),
            SubnetId=Ref(subnet), RouteTableId=Ref(public_table)))
    for k in range(vpc.nat_gateways):
        nat = f"{base}{NAT_GATEWAY}{k + 1}"
        ctx.part(vpc, f"NatGatewayEip:{k + 1}", f"{nat}{EIP}")
        ctx.add(ec2.EIP(f"{nat}{EIP}", Domain="vpc", DependsOn=[attachment]))
        ctx.part(vpc, f"NatGateway:{k + 1}", nat)
        ctx.add(ec2.NatGateway(nat, AllocationId=GetAtt(f"{nat}{EIP}", "AllocationId"),
                               SubnetId=Ref(_subnet(vpc, True, k)),
                               Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-{k + 1}"))))
    for i in range(vpc.max_azs):
        table = f"{base}Private{ROUTE_TABLE}{i + 1}"
        ctx.add(ec2.RouteTable(ctx.part(vpc, f"PrivateRouteTable:{i + 1}", table), VpcId=Ref(base),
                               Tags=Tags(Name=Sub(f"${{AWS::StackName}}-{vpc.name}-private-{i + 1}"))))
        if vpc.nat_gateways:
            ctx.add(ec2.Route(ctx.part(vpc, f"PrivateDefaultRoute:{i + 1}", f"{base}Private{DEFAULT_ROUTE}{i + 1}"),
                              RouteTableId=Ref(table),
                              DestinationCidrBlock="0.0.0.0/0",
                              NatGatewayId=Ref(f"{base}{NAT_GATEWAY}{i % vpc.nat_gateways + 1}")))
        subnet = _subnet(vpc, False, i)
        ctx.add(ec2.SubnetRouteTableAssociation(
            ctx.part(vpc, f"PrivateSubnetRouteTableAssociation:{i + 1}", f"{subnet}{ROUTE_TABLE_ASSOCIATION}"),
            SubnetId=Ref(subnet), RouteTableId=Ref(table)))


def _subnet(vpc: Vpc, public: bool, index: int) -> str:
    """The logical ID of the VPC's public or private subnet in its ``index``-th AZ (from 0)."""
    return f"{_base(vpc)}{'Public' if public else 'Private'}{SUBNET}{index + 1}"


def internet_route(vpc: Vpc) -> str:
    """The logical ID of the public subnets' route to the internet gateway (wait on it before
    creating anything internet-facing)."""
    return f"{_base(vpc)}Public{DEFAULT_ROUTE}"


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
        return [Ref(_subnet(value.vpc, value.public, i)) for i in range(value.vpc.max_azs)]
    return ctx.value(value)


def service_security_group(service: Service) -> str | None:
    """The logical ID of the security group made for ``service``; None when the service brings its
    own groups or its tasks do not use awsvpc networking."""
    if service.security_groups is not None or service.task.network_mode is not NetworkMode.AWSVPC:
        return None
    return logical_id(service.name, SERVICE, SECURITY_GROUP)


def admit(ctx: Context, group: str, source: str, port: int, protocol: str, description: str,
          to_port: int | None = None) -> None:
    """Let ``source`` (a security group's logical ID) reach ``port`` (to ``to_port``, for a range) in
    ``group``: one ``AWS::EC2::SecurityGroupIngress`` (a separate resource, so groups may admit each other)."""
    high = port if to_port is None else to_port
    name = (f"{group.removesuffix(SECURITY_GROUP)}From{source.removesuffix(SECURITY_GROUP)}{protocol.title()}{port}"
            + (f"To{high}" if high != port else ""))
    if name in ctx.template.resources:
        return
    owner = ctx.part_of(group)  # the builder whose group this opens: the rule is its "Ingress:From…" part
    if owner is not None:
        ctx.part(owner[0], f"Ingress:{name.removeprefix(group.removesuffix(SECURITY_GROUP))}", name)
    ctx.add(ec2.SecurityGroupIngress(name, GroupId=GetAtt(group, "GroupId"), IpProtocol=protocol, FromPort=port,
                                     ToPort=high, SourceSecurityGroupId=GetAtt(source, "GroupId"),
                                     Description=description))
