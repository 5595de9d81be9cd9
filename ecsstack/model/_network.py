"""A VPC made for the stack: public and private subnets across availability zones, NAT, routes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ._check import as_int, as_overrides, fail
from ._overrides import Overridable, Part, document_parts
from ._tokens import Token

__all__ = ["SubnetGroup", "Vpc"]

#: every created VPC is cut into this many equal blocks (two per AZ, room for a third AZ), so growing
#: ``max_azs`` from 2 to 3 adds subnets without renumbering the existing ones
SUBNET_BLOCKS = 8


@dataclass(frozen=True, eq=False)
class SubnetGroup(Token):
    """The public or private subnets of a created ``Vpc``; use it wherever subnets are expected.

    Get one from ``vpc.public_subnets`` or ``vpc.private_subnets``.
    """

    vpc: Vpc
    public: bool

    @property
    def kind(self) -> str:
        return "public" if self.public else "private"

    def __repr__(self) -> str:
        return f"{self.vpc.name}.{self.kind}_subnets"


@document_parts
@dataclass(eq=False)
class Vpc(Overridable):
    """A VPC with a public and a private subnet in each of ``max_azs`` availability zones.

    The AZs are the region's first ``max_azs`` (``Fn::GetAZs``), never hard-coded names; subnet ranges
    are cut from ``cidr`` by ``Fn::Cidr``. Public subnets route to an internet gateway; private subnets
    reach the internet through NAT gateways.

    ``cidr``: Default ``"10.0.0.0/16"`` (a /16 to /24 IPv4 block). ``max_azs``: Default 2 (2 or 3).
    ``nat_gateways``: Default 1 (shared by every private subnet); 0 for private subnets without
    internet access, ``max_azs`` for one per AZ (survives the loss of an AZ, costs more).
    """

    PARTS = (
        Part("Vpc", "AWS::EC2::VPC", "the VPC"),
        Part("InternetGateway", "AWS::EC2::InternetGateway", "its internet gateway"),
        Part("GatewayAttachment", "AWS::EC2::VPCGatewayAttachment", "the gateway's attachment"),
        Part("PublicRouteTable", "AWS::EC2::RouteTable", "the public subnets' route table"),
        Part("PublicDefaultRoute", "AWS::EC2::Route", "the public route to the internet gateway"),
        Part("PublicSubnet", "AWS::EC2::Subnet", "a public subnet", each="AZ number"),
        Part("PrivateSubnet", "AWS::EC2::Subnet", "a private subnet", each="AZ number"),
        Part("PublicSubnetRouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation",
             "a public subnet's route table association", each="AZ number"),
        Part("PrivateSubnetRouteTableAssociation", "AWS::EC2::SubnetRouteTableAssociation",
             "a private subnet's route table association", each="AZ number"),
        Part("PrivateRouteTable", "AWS::EC2::RouteTable", "a private subnet's route table",
             each="AZ number"),
        Part("NatGateway", "AWS::EC2::NatGateway", "a NAT gateway", when="with nat_gateways > 0",
             each="gateway number"),
        Part("NatGatewayEip", "AWS::EC2::EIP", "a NAT gateway's Elastic IP", when="with nat_gateways > 0",
             each="gateway number"),
        Part("PrivateDefaultRoute", "AWS::EC2::Route", "a private route table's route to its NAT gateway",
             when="with nat_gateways > 0", each="AZ number"),
    )

    name: str
    cidr: str = "10.0.0.0/16"
    max_azs: int = 2
    nat_gateways: int = 1
    overrides: dict[str, Any] = field(default_factory=dict)
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        if not isinstance(self.name, str) or not self.name:
            raise fail("vpc", f"a VPC needs a name, got {self.name!r}.")
        path = self.path
        try:
            ipaddress.IPv4Network(self.cidr, strict=True)
        except (ValueError, TypeError):
            raise fail(path, f"cidr={self.cidr!r} is not an IPv4 network block.",
                       'Write cidr="10.0.0.0/16".') from None
        as_int(self.max_azs, path, "max_azs")
        as_int(self.nat_gateways, path, "nat_gateways")
        self.overrides = as_overrides(self.overrides, path)
        self._normalise_part_overrides()

    @property
    def path(self) -> str:
        return f"vpc {self.name}"

    @property
    def public_subnets(self) -> SubnetGroup:
        """The public subnets (one per AZ): for internet-facing load balancers."""
        return SubnetGroup(self, public=True)

    @property
    def private_subnets(self) -> SubnetGroup:
        """The private subnets (one per AZ): for tasks and internal load balancers."""
        return SubnetGroup(self, public=False)

    @property
    def subnet_host_bits(self) -> int:
        """Host bits of each subnet block (``Fn::Cidr``'s third argument)."""
        prefix = ipaddress.IPv4Network(self.cidr).prefixlen
        return 32 - prefix - (SUBNET_BLOCKS.bit_length() - 1)

