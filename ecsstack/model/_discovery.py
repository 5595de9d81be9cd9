"""Services finding each other by name: Cloud Map DNS namespaces and ECS Service Connect."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_bool, as_int, as_overrides, fail
from ._network import Vpc
from ._overrides import Overridable, Part, document_parts
from ._settings import ServiceConnectTls

if TYPE_CHECKING:
    from ._service import Service

__all__ = ["DnsRegistration", "Namespace", "ServiceConnect", "ServiceConnectPort", "dns_registration"]

_DNS_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


@document_parts
@dataclass(eq=False)
class Namespace(Overridable):
    """A Cloud Map private DNS namespace (``name`` like ``"internal"`` or ``"shop.local"``), resolvable
    inside one VPC. ``vpc``: Default: the ``VpcId`` stack parameter's VPC."""

    PARTS = (Part("Namespace", "AWS::ServiceDiscovery::PrivateDnsNamespace", "the namespace"),)

    name: str
    vpc: Vpc | None = None
    description: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        if not isinstance(self.name, str) or not _DNS_NAME.match(self.name):
            raise fail(f"namespace {self.name}", f"a namespace needs a lower-case DNS name, got {self.name!r}.",
                       'Write Namespace("internal") or Namespace("shop.local").')
        if self.vpc is not None and not isinstance(self.vpc, Vpc):
            raise fail(self.path, f"vpc must be a Vpc(...), got {self.vpc!r}.",
                       "Leave it out to use the VpcId stack parameter.")
        self.overrides = as_overrides(self.overrides, self.path)
        self._normalise_part_overrides()

    @property
    def path(self) -> str:
        return f"namespace {self.name}"

    def related(self) -> list[object]:
        """What a stack must hold for this namespace: its VPC, if created."""
        return [self.vpc] if self.vpc is not None else []


@dataclass(frozen=True)
class DnsRegistration:
    """A service's tasks registered in Cloud Map. Create it with ``service.register_dns(namespace)``."""

    namespace: Namespace
    name: str


@dataclass(frozen=True)
class ServiceConnectPort:
    """A named port mapping served through Service Connect.

    ``port_name``: the ``name`` of a ``PortMapping`` of one of the task's containers. ``dns_name``:
    Default: the service's name (``service-portname`` when it serves several ports). ``port``: Default:
    the mapping's container port. Clients call ``http://<dns_name>:<port>``. ``idle_timeout``: seconds an
    idle connection stays open (0: never closed); Default None (ECS: 5 minutes for HTTP, 1 hour for TCP).
    ``per_request_timeout``: seconds to wait for a whole response (0: no limit; not for TCP ports); Default
    None (15 s).
    """

    port_name: str
    dns_name: str | None = None
    port: int | None = None
    idle_timeout: int | None = None
    per_request_timeout: int | None = None

    def __post_init__(self) -> None:
        where = f"service connect port {self.port_name}"
        if not isinstance(self.port_name, str) or not self.port_name:
            raise fail("service connect port", f"port_name must name a port mapping, got {self.port_name!r}.",
                       'Write PortMapping(8080, name="http") and ServiceConnectPort("http").')
        if self.dns_name is not None and (not isinstance(self.dns_name, str) or not _DNS_NAME.match(self.dns_name)):
            raise fail(where, f"dns_name={self.dns_name!r} is not a lower-case DNS name.", 'Write dns_name="api".')
        as_int(self.port, where, "port", optional=True)
        as_int(self.idle_timeout, where, "idle_timeout", optional=True)
        as_int(self.per_request_timeout, where, "per_request_timeout", optional=True)


@dataclass(eq=False)
class ServiceConnect:
    """ECS Service Connect for a service: call other services of ``namespace`` by name and, for each
    of ``ports``, be called by name.

    ``namespace``: Default: the cluster's ``service_connect_namespace``. ``ports``: Default none (the
    service is a client only); names of port mappings or ``ServiceConnectPort(...)``. ``client``:
    Default True (it calls other services, so their security groups admit it); False for a server that
    calls no one. Proxy logs go to the task's log group when it has one. ``tls``: Default None (plain
    traffic between proxies); ``ServiceConnectTls(ca_arn)`` encrypts what this service serves.
    """

    namespace: Namespace | None = None
    ports: list[ServiceConnectPort | str] = field(default_factory=list)
    client: bool = True
    tls: ServiceConnectTls | None = None

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        if self.namespace is not None and not isinstance(self.namespace, Namespace):
            raise fail("service connect", f"namespace must be a Namespace(...), got {self.namespace!r}.")
        if isinstance(self.ports, str | ServiceConnectPort):
            self.ports = [self.ports]
        if not isinstance(self.ports, list | tuple):
            raise fail("service connect", f"ports must be a list of port names, got {self.ports!r}.",
                       'Write ports=["http"].')
        self.ports = [p if isinstance(p, ServiceConnectPort) else ServiceConnectPort(p) for p in self.ports]
        as_bool(self.client, "service connect", "client")
        if not self.client and not self.ports:
            raise fail("service connect", "client=False with no ports: the service would neither call nor serve.",
                       'Add ports=["http"], or leave client= out.')
        if self.tls is not None:
            if not isinstance(self.tls, ServiceConnectTls):
                raise fail("service connect", f"tls must be ServiceConnectTls(...), got {self.tls!r}.",
                           'Write tls=ServiceConnectTls("arn:aws:acm-pca:...").')
            self.tls.normalise()

    def dns_name(self, service: Service, port: ServiceConnectPort) -> str:
        """The name clients call ``port`` by."""
        if port.dns_name is not None:
            return port.dns_name
        base = str(service.name).lower().replace("_", "-")
        return base if len(self.ports) == 1 else f"{base}-{port.port_name.lower()}"


def dns_registration(service: Service, namespace: Namespace, name: str | None = None) -> DnsRegistration:
    """A checked registration of ``service``'s tasks in ``namespace`` as ``name`` (Default: the service's
    name)."""
    path = service.path
    if not isinstance(namespace, Namespace):
        raise fail(path, f"register_dns needs a Namespace(...), got {namespace!r}.",
                   'Create one with Namespace("internal").')
    if name is None:
        name = str(service.name).lower().replace("_", "-")
    if not isinstance(name, str) or not _DNS_NAME.match(name):
        raise fail(path, f"register_dns name={name!r} is not a lower-case DNS name.", 'Write name="api".')
    return DnsRegistration(namespace, name)
