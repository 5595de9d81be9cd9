"""The settings of a container, task, service and cluster that are values of their own: Linux parameters,
ulimits, the App Mesh proxy, managed EBS volumes, Service Connect TLS, tags.

``normalise`` here checks types and shapes only; ranges and what a launch type or network mode allows are
rules (``rules/settings.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem, ValidationError
from ._check import as_bool, as_int, as_str_list, as_str_map, as_text, fail
from ._kms import as_kms_key
from ._tokens import Token

__all__ = [
    "Device",
    "ExecuteCommandLogging",
    "LinuxParameters",
    "ManagedEbsVolume",
    "ProxyConfiguration",
    "ServiceConnectTls",
    "Tmpfs",
    "Ulimit",
    "as_tags",
    "as_ulimits",
    "normalise_under",
]


def normalise_under(value: Any, path: str) -> None:
    """``value.normalise()``, its problems reported under ``path`` (the container, task or service it belongs to)."""
    try:
        value.normalise()
    except ValidationError as exc:
        raise ValidationError(Problem(p.rule, f"{path} › {p.path}", p.message, p.hint)
                              for p in exc.problems) from None


@dataclass(eq=False)
class Tmpfs:
    """A tmpfs mount of ``size`` MiB at ``container_path``. ``mount_options``: Default none (Docker's defaults),
    e.g. ``["noexec", "nosuid"]``. EC2 only."""

    container_path: str
    size: int
    mount_options: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form."""
        path = "tmpfs"
        if not isinstance(self.container_path, str) or not self.container_path:
            raise fail(path, f"container_path must be a path such as '/tmp', got {self.container_path!r}.")
        as_int(self.size, path, "size")
        self.mount_options = as_str_list(self.mount_options, path, "mount_options", token_ok=False) or []


@dataclass(eq=False)
class Device:
    """A host device exposed to the container (EC2 only). ``container_path``: Default: the same as
    ``host_path``. ``permissions``: Default None (read, write and mknod); a list of ``"read"``, ``"write"``,
    ``"mknod"``."""

    host_path: str
    container_path: str | None = None
    permissions: list[str] | None = None

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form."""
        path = "device"
        if not isinstance(self.host_path, str) or not self.host_path:
            raise fail(path, f"host_path must be a device path such as '/dev/fuse', got {self.host_path!r}.")
        as_text(self.container_path, path, "container_path")
        self.permissions = as_str_list(self.permissions, path, "permissions", token_ok=False)
        if self.permissions is not None:
            self.permissions = [p.lower() for p in self.permissions]


def _objects(value: Any, kind: type, path: str, name: str, example: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, kind):
        return [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, kind) for v in value):
        raise fail(path, f"{name} must be a list of {kind.__name__}(...), got {value!r}.", f"Write {name}=[{example}].")
    return list(value)


def _capabilities(value: Any, path: str, name: str) -> list[str]:
    items = as_str_list(value, path, name, token_ok=False) or []
    # AWS spells them without the CAP_ prefix the kernel uses (CAP_SYS_PTRACE is SYS_PTRACE)
    return [c.upper().removeprefix("CAP_") for c in items]


@dataclass(eq=False)
class LinuxParameters:
    """Linux-specific settings of a container (Linux containers only).

    ``init_process_enabled``: Default None (no init process); True runs an init that forwards signals and
    reaps zombies (``docker run --init``). ``capabilities_add`` / ``capabilities_drop``: kernel capabilities
    (``"SYS_PTRACE"``, ``"NET_ADMIN"``, ``"ALL"``; a ``CAP_`` prefix is dropped); Default none. On Fargate only
    ``SYS_PTRACE`` may be added. ``shared_memory_size``: MiB of ``/dev/shm``; Default None (Docker's 64 MiB);
    EC2 only. ``tmpfs``: ``[Tmpfs(...)]``, EC2 only; Default none. ``devices``: ``[Device(...)]``, EC2 only;
    Default none. ``max_swap``: MiB of swap (0: none); Default None (the instance's setting); EC2 only.
    ``swappiness``: 0-100, used with ``max_swap``; Default None (60); EC2 only.
    """

    init_process_enabled: bool | None = None
    capabilities_add: list[str] = field(default_factory=list)
    capabilities_drop: list[str] = field(default_factory=list)
    shared_memory_size: int | None = None
    tmpfs: list[Tmpfs] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    max_swap: int | None = None
    swappiness: int | None = None

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form."""
        path = "linux_parameters"
        if self.init_process_enabled is not None:
            as_bool(self.init_process_enabled, path, "init_process_enabled")
        self.capabilities_add = _capabilities(self.capabilities_add, path, "capabilities_add")
        self.capabilities_drop = _capabilities(self.capabilities_drop, path, "capabilities_drop")
        for name in ("shared_memory_size", "max_swap", "swappiness"):
            as_int(getattr(self, name), path, name, optional=True)
        self.tmpfs = _objects(self.tmpfs, Tmpfs, path, "tmpfs", 'Tmpfs("/tmp", size=64)')
        self.devices = _objects(self.devices, Device, path, "devices", 'Device("/dev/fuse")')

    @property
    def is_empty(self) -> bool:
        return (self.init_process_enabled is None and not self.capabilities_add and not self.capabilities_drop
                and self.shared_memory_size is None and not self.tmpfs and not self.devices
                and self.max_swap is None and self.swappiness is None)


@dataclass(frozen=True)
class Ulimit:
    """A resource limit of a container: ``name`` (``"nofile"``, ``"nproc"``, …), ``soft`` and ``hard`` limits."""

    name: str
    soft: int
    hard: int


def as_ulimits(value: Any, path: str) -> list[Ulimit]:
    """``{"nofile": (soft, hard)}`` or ``{"nofile": 65536}`` (soft = hard) or ``[Ulimit(...)]``, as Ulimits."""
    if value is None:
        return []
    hint = 'Write ulimits={"nofile": (65536, 65536)} or ulimits=[Ulimit("nofile", 65536, 65536)].'
    if isinstance(value, Ulimit):
        value = [value]
    if isinstance(value, Mapping):
        out = []
        for name, limits in value.items():
            if not isinstance(name, str) or not name:
                raise fail(path, f"ulimits has a key {name!r} that is not a limit name.", hint)
            if isinstance(limits, int) and not isinstance(limits, bool):
                limits = (limits, limits)
            if not isinstance(limits, tuple | list) or len(limits) != 2:
                raise fail(path, f"ulimits[{name!r}] must be a (soft, hard) pair or one number, got {limits!r}.", hint)
            out.append(Ulimit(name, *limits))
        value = out
    if not isinstance(value, list | tuple) or not all(isinstance(u, Ulimit) for u in value):
        raise fail(path, f"ulimits must map limit names to (soft, hard) pairs, got {value!r}.", hint)
    for u in value:
        if not isinstance(u.name, str) or not u.name:
            raise fail(path, f"a ulimit needs a name such as 'nofile', got {u.name!r}.", hint)
        as_int(u.soft, path, f"ulimits[{u.name!r}] soft limit")
        as_int(u.hard, path, f"ulimits[{u.name!r}] hard limit")
    return list(value)


@dataclass(eq=False)
class ProxyConfiguration:
    """The App Mesh proxy of a task (awsvpc only): traffic to and from the application's ports is redirected
    through ``container_name`` (a container of the task, or its name; the Envoy sidecar).

    ``ignored_uid`` / ``ignored_gid``: the proxy's user / group ID, whose own traffic is not redirected; at
    least one. ``app_ports``: the application's ports. ``proxy_ingress_port``: Default 15000.
    ``proxy_egress_port``: Default 15001. ``egress_ignored_ports`` / ``egress_ignored_ips``: Default none.
    """

    container_name: Any
    ignored_uid: int | None = None
    ignored_gid: int | None = None
    app_ports: list[int] = field(default_factory=list)
    proxy_ingress_port: int = 15000
    proxy_egress_port: int = 15001
    egress_ignored_ports: list[int] = field(default_factory=list)
    egress_ignored_ips: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form."""
        path = "proxy_configuration"
        name = getattr(self.container_name, "name", self.container_name)
        if not isinstance(name, str) or not name:
            raise fail(path, f"container_name must be a container of the task or its name, got "
                       f"{self.container_name!r}.", 'Write ProxyConfiguration("envoy", ignored_uid=1337, ...).')
        for attr in ("ignored_uid", "ignored_gid"):
            as_int(getattr(self, attr), path, attr, optional=True)
        for attr in ("proxy_ingress_port", "proxy_egress_port"):
            as_int(getattr(self, attr), path, attr)
        for attr in ("app_ports", "egress_ignored_ports"):
            items = getattr(self, attr)
            items = [] if items is None else [items] if isinstance(items, int) else items
            if not isinstance(items, list | tuple):
                raise fail(path, f"{attr} must be a list of ports, got {items!r}.", f"Write {attr}=[8080].")
            setattr(self, attr, [as_int(p, path, attr) for p in items])
        self.egress_ignored_ips = as_str_list(self.egress_ignored_ips, path, "egress_ignored_ips",
                                              token_ok=False) or []

    @property
    def name(self) -> str:
        """The proxy container's name."""
        return str(getattr(self.container_name, "name", self.container_name))

    def properties(self) -> list[tuple[str, str]]:
        """The CNI plugin's (key, value) pairs, in the order ECS documents them; an unset one left out."""
        pairs = [("IgnoredUID", self.ignored_uid), ("IgnoredGID", self.ignored_gid),
                 ("AppPorts", ",".join(str(p) for p in self.app_ports)),
                 ("ProxyIngressPort", self.proxy_ingress_port), ("ProxyEgressPort", self.proxy_egress_port),
                 ("EgressIgnoredPorts", ",".join(str(p) for p in self.egress_ignored_ports)),
                 ("EgressIgnoredIPs", ",".join(self.egress_ignored_ips))]
        return [(k, str(v)) for k, v in pairs if v is not None and v != ""]


@dataclass(eq=False)
class ManagedEbsVolume:
    """An EBS volume ECS creates for each task of a service and attaches at launch, mounted where the task's
    volume ``name`` (made with ``task.add_ebs_volume(name)``) is mounted; deleted with the task.

    ``size_gib``: required unless ``snapshot_id`` is given. ``volume_type``: Default None (gp3).
    ``iops``/``throughput``: Default None (the type's baseline; io1/io2 need ``iops``). ``encrypted``: Default
    True. ``kms_key``: Default None (the account's EBS key); an ARN or parameter, whose key policy must let
    the infrastructure role use it. ``snapshot_id``: Default None (an empty volume). ``file_system_type``:
    ``"xfs"`` (Default None: xfs), ``"ext3"``, ``"ext4"``. ``role``: the infrastructure role ECS manages the
    volume with; Default: one made for the service (trusting ecs.amazonaws.com, with the AWS managed policy
    AmazonECSInfrastructureRolePolicyForVolumes).
    """

    name: str
    size_gib: int | Token | None = None
    volume_type: str | None = None
    iops: int | None = None
    throughput: int | None = None
    encrypted: bool = True
    kms_key: str | Token | None = None
    snapshot_id: str | Token | None = None
    file_system_type: str | None = None
    role: str | Token | None = None

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form."""
        if not isinstance(self.name, str) or not self.name:
            raise fail("managed EBS volume", f"a managed EBS volume needs the name of a task volume, got "
                       f"{self.name!r}.", 'Write task.add_ebs_volume("data") and ManagedEbsVolume("data", ...).')
        path = f"managed EBS volume {self.name}"
        if not isinstance(self.size_gib, Token):
            as_int(self.size_gib, path, "size_gib", optional=True)
        as_text(self.volume_type, path, "volume_type")
        if isinstance(self.volume_type, str):
            self.volume_type = self.volume_type.lower()
        as_int(self.iops, path, "iops", optional=True)
        as_int(self.throughput, path, "throughput", optional=True)
        as_bool(self.encrypted, path, "encrypted")
        self.kms_key = as_kms_key(self.kms_key, path, "kms_key")
        as_text(self.snapshot_id, path, "snapshot_id", token_ok=True)
        as_text(self.file_system_type, path, "file_system_type")
        if isinstance(self.file_system_type, str):
            self.file_system_type = self.file_system_type.lower()
        as_text(self.role, path, "role", token_ok=True)


@dataclass(eq=False)
class ServiceConnectTls:
    """TLS between Service Connect proxies, with certificates from an AWS Private CA.

    ``issuer_certificate_authority_arn``: the Private CA (ARN or parameter). ``kms_key``: Default None (an
    AWS-owned key). ``role``: the infrastructure role ECS issues certificates with; Default: one made for the
    service (trusting ecs.amazonaws.com, with the AWS managed policy
    AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity).
    """

    issuer_certificate_authority_arn: str | Token
    kms_key: str | Token | None = None
    role: str | Token | None = None

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form."""
        path = "service connect tls"
        ca = self.issuer_certificate_authority_arn
        if not isinstance(ca, str | Token) or not ca:
            raise fail(path, f"issuer_certificate_authority_arn must be an AWS Private CA ARN or a parameter, got "
                       f"{ca!r}.", 'Write ServiceConnectTls("arn:aws:acm-pca:...:certificate-authority/...").')
        self.kms_key = as_kms_key(self.kms_key, path, "kms_key")
        as_text(self.role, path, "role", token_ok=True)


@dataclass(eq=False)
class ExecuteCommandLogging:
    """Where a cluster records ECS Exec sessions (``Cluster(..., execute_command_logging=ExecuteCommandLogging(...))``):
    a CloudWatch Logs group and/or an S3 bucket; the task role of every task run with ``enable_execute_command``
    in the cluster may write there, nothing more.

    ``log_group``: a log group name (or parameter); Default None. ``cloudwatch_encryption``: Default False;
    True refuses to log into an unencrypted group. ``s3_bucket``: a bucket name (or parameter); Default None.
    ``s3_prefix``: Default None (the bucket's root). ``s3_encryption``: Default False; True refuses to log into
    an unencrypted bucket (the task role may then read the bucket's encryption configuration).
    """

    log_group: str | Token | None = None
    cloudwatch_encryption: bool = False
    s3_bucket: str | Token | None = None
    s3_prefix: str | None = None
    s3_encryption: bool = False

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form."""
        path = "execute_command_logging"
        for name in ("log_group", "s3_bucket"):
            as_text(getattr(self, name), path, name, token_ok=True)
            if getattr(self, name) == "":
                raise fail(path, f"{name}= is empty.", f"Give a name, or leave {name}= out.")
        as_text(self.s3_prefix, path, "s3_prefix")
        as_bool(self.cloudwatch_encryption, path, "cloudwatch_encryption")
        as_bool(self.s3_encryption, path, "s3_encryption")


def as_tags(value: Any, path: str, name: str = "tags") -> dict[str, Any]:
    """Tags as a ``{key: value}`` dict (a value may be a parameter); numbers and booleans become strings."""
    return as_str_map(value, path, name, f'Write {name}={{"team": "web"}}.')
