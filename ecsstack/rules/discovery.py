"""ECS6xx: Cloud Map registration and Service Connect."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import Namespace, NetworkMode, Service, ServiceConnect
from ._helpers import did_you_mean, fmt_list, q
from ._registry import Index, Rule, rule
from .loadbalancing import vpc_name

__all__: list[str] = []


def _connected(ix: Index) -> Iterator[tuple[Service, ServiceConnect]]:
    for service in ix.services:
        if service.service_connect is not None:
            yield service, service.service_connect


def _namespace(service: Service, sc: ServiceConnect) -> Namespace | None:
    return sc.namespace or service.cluster.service_connect_namespace


def _port_names(service: Service) -> list[str]:
    return [p.name for c in service.task.containers for p in c.ports if p.name is not None]


@rule("ECS607", "a Service Connect port names a named port mapping of the task")
def _port_name(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, sc in _connected(ix):
        names = _port_names(service)
        for port in sc.ports:
            name = port.port_name
            if name in names:
                continue
            family = q(service.task.family)
            have = f" (named: {fmt_list(names)})" if names else " (none has a name)"
            yield r.problem(service.path, f"Service Connect serves port {q(name)}, but no port mapping of task "
                            f"{family} has that name{have}." + did_you_mean(name, names),
                            f'Name the mapping: ports=[PortMapping(8080, name="{name}")].')


@rule("ECS609", "a service uses one namespace; Service Connect has a namespace")
def _namespaces(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        registrations = service.dns_registrations
        if len(registrations) > 1:
            names = [reg.namespace.name for reg in registrations]
            yield r.problem(service.path, f"is registered {len(registrations)} times (namespaces "
                            f"{fmt_list(q(n) for n in names)}); ECS registers a service in one registry only.",
                            "Call register_dns once.")
    for service, sc in _connected(ix):
        if _namespace(service, sc) is None:
            yield r.problem(service.path, "uses Service Connect, but neither it nor its cluster names a namespace.",
                            'Pass Cluster(..., service_connect_namespace=Namespace("internal")), or '
                            "ServiceConnect(namespace=...).")


@rule("ECS614", "names that services are called by are unique within a namespace")
def _unique_names(ix: Index, r: Rule) -> Iterator[Problem]:
    seen: dict[tuple[int, str], Service] = {}
    for service, sc in _connected(ix):
        ns = _namespace(service, sc)
        if ns is None:
            continue
        for port in sc.ports:
            name = sc.dns_name(service, port)
            other = seen.setdefault((id(ns), name), service)
            if other is not service:
                yield r.problem(service.path, f"serves {q(name)} through Service Connect in namespace {q(ns.name)}, "
                                f"but service {q(other.name)} already does.",
                                f'Give one of them another name: ServiceConnectPort("{port.port_name}", '
                                'dns_name="...").')
    for service in ix.services:
        for reg in service.dns_registrations[:1]:
            other = seen.setdefault((id(reg.namespace), f"dns:{reg.name}"), service)
            if other is not service:
                yield r.problem(service.path, f"registers {q(reg.name)} in namespace {q(reg.namespace.name)}, but "
                                f"service {q(other.name)} already does.", 'Use register_dns(namespace, name="...").')


@rule("ECS615", "a service and the namespaces it uses are in the same VPC")
def _namespace_vpc(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        used: list[Namespace | None] = [reg.namespace for reg in service.dns_registrations]
        if service.service_connect is not None:
            used.append(_namespace(service, service.service_connect))
        vpc = service.vpc
        reported: set[int] = set()
        for ns in used:
            if ns is None or ns.vpc is vpc or id(ns) in reported:
                continue
            reported.add(id(ns))
            yield r.problem(service.path, f"runs in {vpc_name(vpc)}, but namespace {q(ns.name)} is in "
                            f"{vpc_name(ns.vpc)}.", "Pass the same vpc= to the namespace and the service.")


#: the longest discovery name ECS takes for a Service Connect service
DISCOVERY_NAME_MAX = 64
PORT_MIN, PORT_MAX = 1, 65535


@rule("ECS620", "a service's Service Connect discovery names are distinct and at most 64 characters; alias ports "
                "are 1-65535")
def _discovery_names(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, sc in _connected(ix):
        own: set[str] = set()
        for port in sc.ports:
            name = sc.dns_name(service, port)
            if port.port is not None and not PORT_MIN <= port.port <= PORT_MAX:
                yield r.problem(service.path, f"Service Connect port {q(port.port_name)} gives clients port "
                                f"{port.port}; ports are {PORT_MIN} to {PORT_MAX}.",
                                f'Use a port from {PORT_MIN} to {PORT_MAX}, or leave port= out (the mapping\'s '
                                "container port).")
            if len(name) > DISCOVERY_NAME_MAX:
                yield r.problem(service.path, f"Service Connect serves {q(name)} ({len(name)} characters); ECS takes "
                                f"discovery names of at most {DISCOVERY_NAME_MAX}.",
                                f'Name it shorter: ServiceConnectPort("{port.port_name}", dns_name="...").')
            if name in own:
                yield r.problem(service.path, f"serves two Service Connect ports under the one discovery name "
                                f"{q(name)}; each port needs its own.",
                                f'Give one another name: ServiceConnectPort("{port.port_name}", dns_name="...").')
            own.add(name)


@rule("ECS621", "a Cloud Map registration of a bridge or host task has a port mapping for its SRV record")
def _srv_port(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        if not service.dns_registrations or service.task.network_mode is NetworkMode.AWSVPC:
            continue
        if any(c.ports for c in service.task.containers):
            continue
        reg = service.dns_registrations[0]
        yield r.problem(service.path, f"registers {q(reg.name)} in namespace {q(reg.namespace.name)}; a "
                        f"{service.task.network_mode.value}-mode task gets SRV records, which need a container "
                        f"port, and no container of task {q(service.task.family)} maps one.",
                        "Add the port the service listens on: add_container(..., ports=[8080]), or use "
                        'network_mode="awsvpc" (A records).')


@rule("ECS622", "Service Connect needs a task in the awsvpc or bridge network mode")
def _connect_network_mode(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        mode = service.task.network_mode
        if service.service_connect is not None and mode not in (NetworkMode.AWSVPC, NetworkMode.BRIDGE):
            yield r.problem(service.path, f"uses Service Connect, but its task {q(service.task.family)} uses the "
                            f"{mode.value} network mode; ECS runs Service Connect for awsvpc and bridge tasks only.",
                            'Use network_mode="bridge" (or "awsvpc") for the task, or leave service_connect out.')
