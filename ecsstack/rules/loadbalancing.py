"""ECS6xx: load balancers, listeners and the services behind them."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import (
    Container,
    ExistingTaskDefinition,
    Listener,
    ListenerProtocol,
    LoadBalancer,
    LoadBalancerTarget,
    NetworkMode,
    SubnetGroup,
    TargetType,
    Vpc,
)
from ._helpers import did_you_mean, fmt_list, q
from ._registry import Index, Rule, rule

__all__ = ["vpc_name"]


def _load_balancers(ix: Index) -> list[LoadBalancer]:
    return ix.load_balancers


def _listeners(ix: Index) -> Iterator[Listener]:
    for lb in _load_balancers(ix):
        yield from lb.listeners


def _targets(ix: Index) -> Iterator[LoadBalancerTarget]:
    for listener in _listeners(ix):
        yield from listener.targets


def vpc_name(vpc: object) -> str:
    """How messages name a VPC: ``vpc 'main'`` for a created one, else the parameter's."""
    return f"vpc {q(vpc.name)}" if isinstance(vpc, Vpc) else "the VpcId parameter's VPC"


def _ports(container: Container) -> list[tuple[int, str]]:
    return [(p.container_port, p.protocol.value) for p in container.ports]


@rule("ECS601", "a load balancer target's type fits its task's network mode")
def _target_type(ix: Index, r: Rule) -> Iterator[Problem]:
    for t in _targets(ix):
        mode = t.service.task.network_mode
        if mode is NetworkMode.NONE:
            yield r.problem(t.path, f"task {q(t.service.task.family)} uses network_mode=none, so its tasks cannot "
                            "receive traffic from a load balancer.",
                            "Use network_mode=awsvpc (or bridge on EC2), or remove the target.")
        elif t.target_type is TargetType.IP and mode in (NetworkMode.BRIDGE, NetworkMode.HOST):
            yield r.problem(t.path, f"target_type=ip, but task {q(t.service.task.family)} uses "
                            f"network_mode={mode.value}; only awsvpc tasks have an IP address of their own.",
                            "Remove target_type= (instance is chosen for bridge/host), or use awsvpc.")
        elif t.target_type is TargetType.INSTANCE and mode is NetworkMode.AWSVPC:
            yield r.problem(t.path, f"target_type=instance, but task {q(t.service.task.family)} uses awsvpc; "
                            "awsvpc tasks register by IP address.",
                            "Remove target_type= (ip is chosen for awsvpc).")


@rule("ECS602", "an HTTPS listener has a certificate")
def _certificate(ix: Index, r: Rule) -> Iterator[Problem]:
    for listener in _listeners(ix):
        if listener.protocol is ListenerProtocol.HTTPS and listener.certificate in (None, ""):
            yield r.problem(listener.path, "is an HTTPS listener without a certificate.",
                            'Pass certificate=stack.parameter("CertificateArn") or an ACM certificate ARN '
                            "to listen_https(...).")


@rule("ECS603", "listener rules of one listener have distinct priorities from 1 to 50000")
def _priorities(ix: Index, r: Rule) -> Iterator[Problem]:
    for listener in _listeners(ix):
        seen: dict[int, LoadBalancerTarget] = {}
        for t in listener.targets:
            if t.priority is None:
                continue
            if not 1 <= t.priority <= 50000:
                yield r.problem(t.path, f"priority={t.priority} is out of range; it is 1 to 50000.",
                                "Use a priority from 1 to 50000, or leave it out to number rules in order.")
            elif t.priority in seen:
                other = seen[t.priority].service.name
                yield r.problem(t.path, f"priority={t.priority} is also the priority of the rule for service "
                                f"{q(other)} on this listener.",
                                "Give each rule its own priority, or leave priority= out to number them in order.")
            else:
                seen[t.priority] = t


@rule("ECS604", "two targets of one listener do not match the same path and host")
def _same_route(ix: Index, r: Rule) -> Iterator[Problem]:
    for listener in _listeners(ix):
        seen: dict[tuple[tuple[str, ...], tuple[str, ...]], LoadBalancerTarget] = {}
        for t in listener.targets:
            key = (tuple(sorted(t.paths)), tuple(sorted(t.hosts)))
            if key not in seen:
                seen[key] = t
                continue
            other = seen[key].service.name
            if key == ((), ()):
                message = (f"is a second default target (no path, no host); service {q(other)} already takes "
                           "everything no rule matches, so this one would get no traffic.")
            else:
                route = " and ".join(x for x in (f"path {fmt_list(key[0])}" if key[0] else "",
                                                  f"host {fmt_list(key[1])}" if key[1] else "") if x)
                message = f"matches the same {route} as the target for service {q(other)}; one of them gets nothing."
            yield r.problem(t.path, message, "Give the target its own path= or host=, or remove one of them.")


@rule("ECS605", "the container and port a load balancer sends traffic to exist in the task")
def _container_port(ix: Index, r: Rule) -> Iterator[Problem]:
    for t in _targets(ix):
        members = t.service.task.containers
        if not any(c.ports for c in members):
            continue  # ECS608
        family = q(t.service.task.family)
        if t.container_name is not None:
            container = next((c for c in members if c.name == t.container_name), None)
            if container is None:
                names = [c.name for c in members]
                yield r.problem(t.path, f"no container named {q(t.container_name)} in task {family}."
                                + did_you_mean(t.container_name, names),
                                f"Use one of: {fmt_list(names)}.")
                continue
        else:
            candidates = [c for c in members if c.essential and c.ports]
            if len(candidates) != 1:
                with_ports = [c.name for c in members if c.ports]
                yield r.problem(t.path, f"task {family} has {len(candidates) or 'no'} essential containers with "
                                "ports, so it is not clear which one takes the traffic.",
                                f"Name it: add_target(service, container=...) with one of {fmt_list(with_ports)}.")
                continue
            container = candidates[0]
        ports = _ports(container)
        if not ports:
            yield r.problem(t.path, f"container {q(container.name)} has no port mappings.",
                            f"Add ports=[...] to {q(container.name)}, or send traffic to another container.")
        elif t.port is not None and t.port not in [p for p, _ in ports]:
            yield r.problem(t.path, f"port={t.port} is not a port of container {q(container.name)} "
                            f"({fmt_list(p for p, _ in ports)}).",
                            f"Use port={ports[0][0]}, or add {t.port} to the container's ports.")


@rule("ECS606", "an internet-facing load balancer is not in private subnets")
def _public_in_private(ix: Index, r: Rule) -> Iterator[Problem]:
    for lb in _load_balancers(ix):
        if lb.internet_facing is True and isinstance(lb.subnets, SubnetGroup) and not lb.subnets.public:
            name = lb.subnets.vpc.name
            yield r.problem(lb.path, f"is internet-facing but placed in the private subnets of vpc {q(name)}; "
                            "private subnets have no route from the internet.",
                            f"Leave subnets= out (the public subnets of vpc {q(name)} are used), or make it "
                            "internal with internet_facing=False.")


@rule("ECS608", "a service behind a load balancer has a task with port mappings")
def _no_ports(ix: Index, r: Rule) -> Iterator[Problem]:
    reported: set[int] = set()
    for t in _targets(ix):
        task = t.service.task
        if id(t.service) in reported or task.network_mode is NetworkMode.NONE:
            continue
        if isinstance(task, ExistingTaskDefinition):
            continue  # ECS334 says how to name the ports of a task registered elsewhere
        if not any(c.ports for c in task.containers):
            reported.add(id(t.service))
            yield r.problem(t.service.path, f"is behind {t.load_balancer.path}, but task "
                            f"{q(task.family)} has no port mappings, so nothing can receive "
                            "its traffic.", "Add ports=[8080] to the container that serves requests.")


@rule("ECS610", "a load balancer listens on each port once")
def _listener_ports(ix: Index, r: Rule) -> Iterator[Problem]:
    for lb in _load_balancers(ix):
        seen: set[int] = set()
        for listener in lb.listeners:
            port = listener.port
            if port in seen:
                extra = (" (listen_https adds an HTTP→HTTPS redirect on 80)"
                         if any(x.redirect_to for x in lb.listeners) and port == 80 else "")
                yield r.problem(listener.path, f"is a second listener on port {port}{extra}.",
                                "Use another port, or listen_https(..., redirect_http=False).")
            seen.add(port)


@rule("ECS611", "a service and its load balancer are in the same VPC")
def _same_vpc(ix: Index, r: Rule) -> Iterator[Problem]:
    for t in _targets(ix):
        lb_vpc, svc_vpc = t.load_balancer.vpc, t.service.vpc
        if lb_vpc is svc_vpc:
            continue
        yield r.problem(t.path, f"{t.load_balancer.path} is in {vpc_name(lb_vpc)} but service "
                        f"{q(t.service.name)} runs in {vpc_name(svc_vpc)}; a load balancer reaches targets in its own "
                        "VPC only.", "Pass the same vpc= to the load balancer and the service.")


@rule("ECS612", "a service behind a load balancer is not also opened to CIDR ranges")
def _allow_from(ix: Index, r: Rule) -> Iterator[Problem]:
    reported: set[int] = set()
    for t in _targets(ix):
        if id(t.service) in reported or not t.service.allow_from:
            continue
        reported.add(id(t.service))
        yield r.problem(t.service.path, f"is behind {t.load_balancer.path} and also sets allow_from="
                        f"{t.service.allow_from!r}, which would let those ranges bypass it.",
                        "Remove allow_from= from the service; use the load balancer's allow_from= instead.")


@rule("ECS613", "a target's protocol matches the container port it goes to")
def _protocol(ix: Index, r: Rule) -> Iterator[Problem]:
    for t in _targets(ix):
        container = t.container
        port = t.container_port
        mapped = dict(_ports(container)) if container is not None else {}
        if port not in mapped:
            continue  # ECS605
        wanted = "udp" if t.listener.protocol is ListenerProtocol.UDP else "tcp"
        if mapped[port] != wanted:
            yield r.problem(t.path, f"is a {t.listener.protocol.value} listener, but port {port} of container "
                            f"{q(container.name)} is mapped as {mapped[port]}.",
                            f"Map the port with protocol={wanted!r}, or use a "
                            f"{'UDP' if wanted == 'udp' else 'TCP'} listener for it.")
        elif wanted == "udp" and t.health_check.port is None:
            yield r.problem(t.path, "a UDP target is health-checked over TCP, which needs a TCP port to check.",
                            "Pass health_check=TargetHealthCheck(port=...) naming a TCP port the container serves.")


@rule("ECS616", "a network load balancer listener forwards to a target")
def _nlb_without_target(ix: Index, r: Rule) -> Iterator[Problem]:
    for lb in _load_balancers(ix):
        if lb.kind != "network":
            continue
        for listener in lb.listeners:
            if not listener.targets:
                yield r.problem(listener.path, "has no target; a Network Load Balancer listener can only forward.",
                                "Add one with listener.add_target(service), or remove the listener.")


@rule("ECS617", "an internet-facing load balancer serves HTTPS, not plain HTTP")
def _plain_http(ix: Index, r: Rule) -> Iterator[Problem]:
    for lb in _load_balancers(ix):
        if lb.kind != "application" or lb.internet_facing is not True:
            continue
        for listener in lb.listeners:
            if listener.protocol is not ListenerProtocol.HTTP or listener.redirect_to is not None \
                    or not listener.targets:
                continue
            services = fmt_list(q(t.service.name) for t in listener.targets)
            yield r.problem(
                listener.path,
                f"forwards plain HTTP from the internet to service {services}: requests and responses, "
                "cookies and credentials included, cross the internet unencrypted.",
                "Listen with HTTPS and add the targets there: listen_https(certificate=stack.parameter("
                '"CertificateArn")) also answers port 80 with a redirect to it; or make the load balancer '
                "internal with internet_facing=False.",
                severity="warning",
            )


@rule("ECS618", "a target health check keeps the traffic port when the task's host port is dynamic")
def _dynamic_health_port(ix: Index, r: Rule) -> Iterator[Problem]:
    for t in _targets(ix):
        check_port = t.health_check.port
        container, port = t.container, t.container_port
        if check_port is None or container is None or t.service.task.network_mode is not NetworkMode.BRIDGE:
            continue
        mapping = next((m for m in container.ports if m.container_port == port), None)
        if mapping is None or mapping.host_port not in (None, 0):
            continue
        fixed = f"a fixed host port: PortMapping({port}, host_port={port}) (one task per instance)."
        if t.listener.protocol is ListenerProtocol.UDP:  # the traffic port is UDP; the check needs TCP (ECS613)
            hint = f"Map {fixed}"
        else:
            hint = ("Leave port= out of TargetHealthCheck (the load balancer then checks each task on its own "
                    f"traffic port), or map {fixed}")
        yield r.problem(
            t.path,
            f"health_check port={check_port}, but container {q(container.name)} maps port {port} to a dynamic "
            "host port (bridge networking): each task listens on a host port ECS picks, so a fixed health check "
            "port does not reach it, and the targets never turn healthy.",
            hint,
        )
