"""ECS6xx: Cloud Map registration and Service Connect."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import DnsRegistration, Namespace, Service, ServiceConnect, Stack
from ._helpers import as_list, did_you_mean, fmt_list, q, task_containers
from ._registry import Rule, rule
from .loadbalancing import vpc_name

__all__: list[str] = []


def _connected(stack: Stack) -> Iterator[tuple[Service, ServiceConnect]]:
    for service in stack.of_type(Service):
        sc = getattr(service, "service_connect", None)
        if isinstance(sc, ServiceConnect):
            yield service, sc


def _namespace(service: Service, sc: ServiceConnect) -> Namespace | None:
    ns = sc.namespace if isinstance(sc.namespace, Namespace) else None
    default = getattr(getattr(service, "cluster", None), "service_connect_namespace", None)
    return ns or (default if isinstance(default, Namespace) else None)


def _registrations(service: Service) -> list[DnsRegistration]:
    return [r for r in as_list(getattr(service, "dns_registrations", None))
            if isinstance(r, DnsRegistration) and isinstance(r.namespace, Namespace)]


def _port_names(service: Service) -> list[str]:
    return [p.name for c in task_containers(getattr(service, "task", None))
            for p in as_list(getattr(c, "ports", None)) if isinstance(getattr(p, "name", None), str)]


@rule("ECS607", "a Service Connect port names a named port mapping of the task")
def _port_name(stack: Stack, r: Rule) -> Iterator[Problem]:
    for service, sc in _connected(stack):
        names = _port_names(service)
        for port in as_list(sc.ports):
            name = getattr(port, "port_name", None)
            if name in names:
                continue
            family = q(getattr(getattr(service, "task", None), "family", "?"))
            have = f" (named: {fmt_list(names)})" if names else " (none has a name)"
            yield r.problem(service.path, f"Service Connect serves port {q(name)}, but no port mapping of task "
                            f"{family} has that name{have}." + did_you_mean(name, names),
                            f'Name the mapping: ports=[PortMapping(8080, name="{name}")].')


@rule("ECS609", "a service uses one namespace; Service Connect has a namespace")
def _namespaces(stack: Stack, r: Rule) -> Iterator[Problem]:
    for service in stack.of_type(Service):
        registrations = _registrations(service)
        if len(registrations) > 1:
            names = [reg.namespace.name for reg in registrations]
            yield r.problem(service.path, f"is registered {len(registrations)} times (namespaces "
                            f"{fmt_list(q(n) for n in names)}); ECS registers a service in one registry only.",
                            "Call register_dns once.")
    for service, sc in _connected(stack):
        if _namespace(service, sc) is None:
            yield r.problem(service.path, "uses Service Connect, but neither it nor its cluster names a namespace.",
                            'Pass Cluster(..., service_connect_namespace=Namespace("internal")), or '
                            "ServiceConnect(namespace=...).")


@rule("ECS614", "names that services are called by are unique within a namespace")
def _unique_names(stack: Stack, r: Rule) -> Iterator[Problem]:
    seen: dict[tuple[int, str], Service] = {}
    for service, sc in _connected(stack):
        ns = _namespace(service, sc)
        if ns is None:
            continue
        for port in as_list(sc.ports):
            try:
                name = sc.dns_name(service, port)
            except (AttributeError, TypeError):
                continue
            other = seen.setdefault((id(ns), name), service)
            if other is not service:
                yield r.problem(service.path, f"serves {q(name)} through Service Connect in namespace {q(ns.name)}, "
                                f"but service {q(other.name)} already does.",
                                f'Give one of them another name: ServiceConnectPort("{port.port_name}", '
                                'dns_name="...").')
    for service in stack.of_type(Service):
        for reg in _registrations(service)[:1]:
            other = seen.setdefault((id(reg.namespace), f"dns:{reg.name}"), service)
            if other is not service:
                yield r.problem(service.path, f"registers {q(reg.name)} in namespace {q(reg.namespace.name)}, but "
                                f"service {q(other.name)} already does.", 'Use register_dns(namespace, name="...").')


@rule("ECS615", "a service and the namespaces it uses are in the same VPC")
def _namespace_vpc(stack: Stack, r: Rule) -> Iterator[Problem]:
    for service in stack.of_type(Service):
        used: list[Namespace | None] = [reg.namespace for reg in _registrations(service)]
        sc = getattr(service, "service_connect", None)
        if isinstance(sc, ServiceConnect):
            used.append(_namespace(service, sc))
        vpc = getattr(service, "vpc", None)
        reported: set[int] = set()
        for ns in used:
            if not isinstance(ns, Namespace) or ns.vpc is vpc or id(ns) in reported:
                continue
            reported.add(id(ns))
            yield r.problem(service.path, f"runs in {vpc_name(vpc)}, but namespace {q(ns.name)} is in "
                            f"{vpc_name(ns.vpc)}.", "Pass the same vpc= to the namespace and the service.")
