"""Cloud Map namespaces and service registries; ECS Service Connect on clusters and services."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, ecs, servicediscovery

from ..model import Cluster, Container, Namespace, NetworkMode, Service
from ..names import DISCOVERY, NAMESPACE, SERVICE, logical_id
from . import capacity, settings
from ._context import Context
from .network import admit, service_security_group, vpc_ref
from .task import task_log_group

__all__ = ["cluster_properties", "compile_namespace", "namespace_of", "service_properties"]


def compile_namespace(ns: Namespace, ctx: Context) -> str:
    """A private DNS namespace in the namespace's VPC (Default: the ``VpcId`` parameter's), once: the
    discovery pass compiles the namespaces added to the stack, and whatever uses another compiles it."""
    if ctx.is_compiled(ns):
        return ctx.logical(ns)
    name = logical_id(ns.name, NAMESPACE)
    ctx.register(ns, name)
    props: dict[str, Any] = {"Name": ns.name, "Vpc": vpc_ref(ns.vpc, ctx)}
    if ns.description:
        props["Description"] = ns.description
    ctx.add(servicediscovery.PrivateDnsNamespace(ctx.part(ns, "Namespace", name), **props))
    return name


def namespace_of(service: Service) -> Namespace | None:
    """The namespace a service's Service Connect uses: its own, else its cluster's default."""
    sc = service.service_connect
    if sc is None:
        return None
    return sc.namespace or service.cluster.service_connect_namespace


def cluster_properties(cluster: Cluster, ctx: Context) -> dict[str, Any]:
    """``ServiceConnectDefaults`` of a cluster whose services use its namespace by default."""
    ns = cluster.service_connect_namespace
    if not isinstance(ns, Namespace):
        return {}
    return {"ServiceConnectDefaults": ecs.ServiceConnectDefaults(Namespace=GetAtt(compile_namespace(ns, ctx), "Arn"))}


def _named_port(service: Service, port_name: str) -> tuple[Container, Any] | None:
    for c in service.task.containers:
        for p in c.ports:
            if p.name == port_name:
                return c, p
    return None


def _srv_port(service: Service) -> tuple[Container, int] | None:
    with_ports = [c for c in service.task.containers if c.ports]
    chosen = [c for c in with_ports if c.essential] or with_ports
    return (chosen[0], chosen[0].ports[0].container_port) if chosen else None


def _registries(service: Service, ctx: Context) -> list[ecs.ServiceRegistry]:
    """The service's Cloud Map registry (its ``servicediscovery.Service`` made here) as ECS names it."""
    registries = []
    for reg in service.dns_registrations[:1]:  # ECS takes one registry per service (rule ECS609)
        ns = compile_namespace(reg.namespace, ctx)
        name = logical_id(service.name, SERVICE, DISCOVERY)
        awsvpc = service.task.network_mode is NetworkMode.AWSVPC
        ctx.add(servicediscovery.Service(
            ctx.part(service, "CloudMapService", name), Name=reg.name, NamespaceId=GetAtt(ns, "Id"),
            DnsConfig=servicediscovery.DnsConfig(
                RoutingPolicy="MULTIVALUE",
                DnsRecords=[servicediscovery.DnsRecord(Type="A" if awsvpc else "SRV", TTL=60)]),
            HealthCheckCustomConfig=servicediscovery.HealthCheckCustomConfig(FailureThreshold=1)))
        entry: dict[str, Any] = {"RegistryArn": GetAtt(name, "Arn")}
        srv = None if awsvpc else _srv_port(service)
        if srv is not None:
            entry["ContainerName"], entry["ContainerPort"] = srv[0].name, srv[1]
        registries.append(ecs.ServiceRegistry(**entry))
    return registries


def _service_connect(service: Service, ctx: Context) -> ecs.ServiceConnectConfiguration | None:
    """Service Connect of the service (with ingress into its group from the namespace's clients)."""
    sc = service.service_connect
    if sc is None:
        return None
    props: dict[str, Any] = {"Enabled": True}
    if sc.namespace is not None:
        props["Namespace"] = GetAtt(compile_namespace(sc.namespace, ctx), "Arn")
    elif isinstance(service.cluster.service_connect_namespace, Namespace):
        compile_namespace(service.cluster.service_connect_namespace, ctx)
    servers = []
    for port in sc.ports:
        found = _named_port(service, port.port_name)
        container_port = found[1].container_port if found else port.port
        dns = sc.dns_name(service, port)
        extra: dict[str, Any] = {}
        timeout = settings.service_connect_timeout(port)
        if timeout is not None:
            extra["Timeout"] = timeout
        tls = settings.service_connect_tls(service, ctx)
        if tls is not None:
            extra["Tls"] = tls
        servers.append(ecs.ServiceConnectService(
            PortName=port.port_name, DiscoveryName=dns,
            ClientAliases=[ecs.ServiceConnectClientAlias(Port=port.port or container_port, DnsName=dns,
                                                         **_test_traffic(service))], **extra))
        _admit_clients(service, ctx, container_port)
    if servers:
        props["Services"] = servers
    log_group = task_log_group(service.task)
    if log_group is not None:
        props["LogConfiguration"] = ecs.LogConfiguration(LogDriver="awslogs", Options={
            "awslogs-group": Ref(log_group), "awslogs-region": Ref("AWS::Region"),
            "awslogs-stream-prefix": "service-connect"})
    return ecs.ServiceConnectConfiguration(**props)


def _client_groups(client: Service) -> list[str]:
    """The security groups a client's calls come from: its own group (awsvpc), else the instance groups of
    the EC2 capacity its bridge/host tasks run on."""
    group = service_security_group(client)
    if group is not None:
        return [group]
    if client.task.network_mode in (NetworkMode.BRIDGE, NetworkMode.HOST):
        return [capacity.instance_group(cap) for cap in capacity.instance_capacity(client)]
    return []


def _admit_clients(server: Service, ctx: Context, port: int | None) -> None:
    """Ingress from the groups of every other client service of the server's namespace (those that may call
    it), on the served port only: into the server's own group (awsvpc), or, for a server in bridge mode,
    into the instance groups of its EC2 capacity on the ephemeral range (there ECS's Service Connect proxy
    listens on a dynamic host port, whatever the application's port mapping says)."""
    ns = namespace_of(server)
    group = service_security_group(server)
    bridge = server.task.network_mode is NetworkMode.BRIDGE
    if ns is None or port is None or (group is None and not bridge):
        return
    for client in ctx.stack.of_type(Service):
        if client is server or namespace_of(client) is not ns or not client.service_connect.client:
            continue
        for source in _client_groups(client):
            if group is not None:
                admit(ctx, group, source, port, "tcp", f"tcp/{port} from service {client.name} (Service Connect)")
            else:
                low, high = capacity.EPHEMERAL_PORTS
                capacity.admit_on_instances(server, ctx, source, capacity.EPHEMERAL_PORTS,
                                            f"tcp/{low}-{high} from service {client.name} (Service Connect)")


def _test_traffic(service: Service) -> dict[str, Any]:
    """``TestTrafficRules`` of a blue/green, canary or linear service's aliases: requests carrying the deployment's
    ``test_header`` (with ``test_header_value``, when given) reach the new revision while it is tested."""
    deployment = service.deployment
    if deployment is None or deployment.test_header is None:
        return {}
    header: dict[str, Any] = {"Name": deployment.test_header}
    if deployment.test_header_value is not None:
        header["Value"] = ecs.ServiceConnectTestTrafficHeaderMatchRules(Exact=deployment.test_header_value)
    return {"TestTrafficRules": ecs.ServiceConnectTestTrafficRules(
        Header=ecs.ServiceConnectTestTrafficHeaderRules(**header))}


def service_properties(service: Service, ctx: Context) -> dict[str, Any]:
    """``ServiceRegistries`` and ``ServiceConnectConfiguration`` of a service."""
    props: dict[str, Any] = {}
    registries = _registries(service, ctx)
    if registries:
        props["ServiceRegistries"] = registries
    connect = _service_connect(service, ctx)
    if connect is not None:
        props["ServiceConnectConfiguration"] = connect
    return props
