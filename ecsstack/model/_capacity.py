"""Where tasks run: capacity providers and their strategies, EC2 capacity, placement, runtime platform."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_bool, as_enum, as_int, as_overrides, fail, refuse_unknown
from ._enums import CapacityProvider, CpuArchitecture
from ._network import SubnetGroup, Vpc
from ._overrides import Overridable, Part, document_parts
from ._tokens import Token

if TYPE_CHECKING:
    from ._service import Cluster

__all__ = [
    "GPU_AMI_PARAMETER",
    "CapacityProviderStrategy",
    "Ec2Capacity",
    "as_strategy",
    "make_ec2_capacity",
    "provider_name",
]





def as_provider(value: Any, path: str) -> CapacityProvider | Ec2Capacity | str:
    """A capacity provider: FARGATE, FARGATE_SPOT, an ``Ec2Capacity``, or an existing provider's name."""
    if isinstance(value, CapacityProvider | Ec2Capacity):
        return value
    if isinstance(value, str) and value:
        upper = value.upper()
        return CapacityProvider(upper) if upper in CapacityProvider.__members__ else value
    raise fail(path, f"a capacity provider is 'FARGATE', 'FARGATE_SPOT', an Ec2Capacity or the name of "
               f"an existing capacity provider, got {value!r}.",
               'Write CapacityProviderStrategy("FARGATE_SPOT") or use cluster.add_ec2_capacity(...).')


def provider_name(provider: CapacityProvider | Ec2Capacity | str) -> str:
    """How messages name a provider."""
    if isinstance(provider, Ec2Capacity):
        return f"EC2 capacity '{provider.name}'"
    return str(provider)


@dataclass(frozen=True)
class CapacityProviderStrategy:
    """One item of a capacity provider strategy.

    ``provider``: ``"FARGATE"``, ``"FARGATE_SPOT"``, an ``Ec2Capacity`` or an existing provider's name.
    ``weight``: Default 1, the share of tasks beyond the bases (0 to 1000).
    ``base``: Default 0, tasks placed on this provider before weights apply (0 to 100000; only one
    provider of a strategy may have a base).
    """

    provider: CapacityProvider | Ec2Capacity | str
    weight: int = 1
    base: int = 0

    def __post_init__(self) -> None:
        path = "capacity provider strategy"
        object.__setattr__(self, "provider", as_provider(self.provider, path))
        as_int(self.weight, path, "weight")
        as_int(self.base, path, "base")


def as_strategy(value: Any, path: str, field_name: str) -> list[CapacityProviderStrategy] | None:
    """A list of ``CapacityProviderStrategy`` (a lone item is accepted)."""
    if value is None:
        return None
    if isinstance(value, CapacityProviderStrategy):
        return [value]
    if not isinstance(value, list | tuple) or not value \
            or not all(isinstance(v, CapacityProviderStrategy) for v in value):
        raise fail(path, f"{field_name} must be a non-empty list of CapacityProviderStrategy(...), got {value!r}.",
                   f'Write {field_name}=[CapacityProviderStrategy("FARGATE_SPOT", weight=3), '
                   'CapacityProviderStrategy("FARGATE", base=1)].')
    return list(value)


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")

#: The public SSM parameters of the ECS-optimized Amazon Linux 2023 AMIs.
AMI_PARAMETERS = {
    CpuArchitecture.X86_64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    CpuArchitecture.ARM64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
}
#: The public SSM parameter of the ECS GPU-optimized Amazon Linux 2023 AMI (NVIDIA drivers, x86_64).
GPU_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
#: Instance types with NVIDIA GPUs on x86_64 (g4dn, g5, g6, g6e, gr6, p3, p3dn, p4d, p4de, p5, p5e, p6-…):
#: the instance families the GPU-optimized AMI is for
_GPU_INSTANCE_TYPE = re.compile(r"^(?:p[3-9][a-z0-9-]*|g4dn|g5|g6[a-z]*|gr6)\.[a-z0-9]+$")


@document_parts
@dataclass(eq=False)
class Ec2Capacity(Overridable):
    """EC2 instances for a cluster: an Auto Scaling group behind an ECS capacity provider with managed scaling.

    Create with ``cluster.add_ec2_capacity(name, ...)``. ``instance_type``: Default ``t3.medium``.
    ``min_size``: Default 0; ``max_size``: Default 4; ``desired_capacity``: Default: left to managed
    scaling. ``architecture``: Default X86_64 (use an ARM64 instance type such as ``t4g.medium`` with
    ARM64). ``subnets``: Default the ``Subnets`` stack parameter; or a created ``Vpc`` (its private
    subnets) or a list of subnet ids / a parameter. ``vpc``: where the instances' security group lives;
    Default: the given ``Vpc``, else the ``VpcId`` parameter. ``target_capacity``: Default 100 (percent of
    the group managed scaling keeps in use). ``spot``: Default False (on-demand instances).
    ``termination_protection``: Default False (managed termination protection off, instances not
    protected from scale-in). ``image_id``: Default the ECS-optimized Amazon Linux 2023 AMI of the
    architecture, through its public SSM parameter (a stack parameter you can override); for an
    instance type with NVIDIA GPUs (``g4dn``, ``g5``, ``g6``, ``p3``, ``p4d``, ``p5`` … families) on X86_64
    the ECS GPU-optimized AMI instead (``/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/…``), whose
    drivers and ECS agent let containers reserve GPUs (``gpu=``).
    """

    PARTS = (
        Part("AutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup", "the Auto Scaling group"),
        Part("CapacityProvider", "AWS::ECS::CapacityProvider", "the capacity provider"),
        Part("LaunchTemplate", "AWS::EC2::LaunchTemplate", "the instances' launch template"),
        Part("InstanceRole", "AWS::IAM::Role", "the instances' role"),
        Part("InstanceProfile", "AWS::IAM::InstanceProfile", "its instance profile"),
        Part("SecurityGroup", "AWS::EC2::SecurityGroup", "the instances' security group"),
        Part("Ingress", "AWS::EC2::SecurityGroupIngress",
             "a rule admitting a load balancer or Service Connect client into that group (the source is the "
             "rule's logical ID after the capacity's name: ``Ingress:FromPublicLoadBalancerTcp32768To65535``)",
             when="when bridge/host services on the capacity are reached by one", each="source"),
    )

    name: str
    cluster: Cluster = field(repr=False)
    instance_type: str | Token = "t3.medium"
    min_size: int = 0
    max_size: int = 4
    desired_capacity: int | None = None
    architecture: CpuArchitecture = CpuArchitecture.X86_64
    subnets: Vpc | SubnetGroup | list[str | Token] | Token | None = None
    vpc: Vpc | None = None
    target_capacity: int = 100
    spot: bool = False
    termination_protection: bool = False
    image_id: str | Token | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise fail(f"{self.cluster.path} › capacity", f"an EC2 capacity needs a name of letters, "
                       f"digits, hyphens and underscores starting with a letter, got {self.name!r}.",
                       'Write cluster.add_ec2_capacity("ec2").')
        path = self.path
        if not isinstance(self.instance_type, str | Token) or not self.instance_type:
            raise fail(path, f"instance_type must be an EC2 instance type such as 't3.medium', "
                       f"got {self.instance_type!r}.")
        for name in ("min_size", "max_size", "target_capacity"):
            as_int(getattr(self, name), path, name)
        as_int(self.desired_capacity, path, "desired_capacity", optional=True)
        self.architecture = as_enum(CpuArchitecture, self.architecture, path, "architecture")
        as_bool(self.spot, path, "spot")
        as_bool(self.termination_protection, path, "termination_protection")
        if self.vpc is not None and not isinstance(self.vpc, Vpc):
            raise fail(path, f"vpc must be a Vpc(...), got {self.vpc!r}.", "Leave it out to use the VpcId parameter.")
        if self.subnets is not None and not _subnets_ok(self.subnets):
            raise fail(path, f"subnets must be a Vpc, a list of subnet ids or a parameter, got {self.subnets!r}.",
                       'Leave it out to use the "Subnets" stack parameter.')
        self.overrides = as_overrides(self.overrides, path)
        self._normalise_part_overrides()

    @property
    def path(self) -> str:
        return f"{self.cluster.path} › capacity {self.name}"

    def related(self) -> list[object]:
        """What a stack must hold for this capacity: its cluster."""
        return [self.cluster]

    @property
    def has_gpus(self) -> bool:
        """Whether the instance type is one with NVIDIA GPUs on x86_64 (False for a parameter: unknown)."""
        return isinstance(self.instance_type, str) and bool(_GPU_INSTANCE_TYPE.match(self.instance_type))

    @property
    def ami_parameter(self) -> str:
        """The public SSM parameter naming the default AMI: the ECS GPU-optimized AMI for an X86_64 GPU
        instance type, else the ECS-optimized AMI for this architecture."""
        if self.has_gpus and self.architecture is CpuArchitecture.X86_64:
            return GPU_AMI_PARAMETER
        return AMI_PARAMETERS[self.architecture]

    @property
    def created_vpc(self) -> Vpc | None:
        """The created ``Vpc`` this capacity runs in (from ``vpc=`` or ``subnets=``), or None."""
        if self.vpc is not None:
            return self.vpc
        return self.subnets if isinstance(self.subnets, Vpc) else None


def _subnets_ok(value: Any) -> bool:
    if isinstance(value, Token | Vpc):
        return True
    return isinstance(value, list | tuple) and bool(value) and all(
        isinstance(v, str | Token) or hasattr(v, "path") for v in value)


def make_ec2_capacity(cluster: Cluster, name: str, kwargs: dict[str, Any]) -> Ec2Capacity:
    """``Ec2Capacity(name, cluster, **kwargs)``, refusing unknown keywords with a hint."""
    refuse_unknown(f"{cluster.path} › capacity {name}", kwargs,
                   Ec2Capacity.__dataclass_fields__.keys() - {"name", "cluster"})
    return Ec2Capacity(name, cluster, **kwargs)
