"""Reachability: every path the blueprint declares is admitted by the security groups in force, and the groups
admit nothing the blueprint does not declare.

Declared paths: a load balancer's ``allow_from`` ranges → its listener ports (and the test listener of a blue/green,
canary or linear service); a load balancer → each target's container port (and a target health-check port; a
blue/green service's second target group sends to the same port); a Service Connect client → each server of its
namespace on the served port; a service's ``allow_from`` ranges → its ports. A service's groups are those of its
``NetworkConfiguration`` (awsvpc) or, for bridge/host tasks, the instance security group of every EC2 capacity its
tasks may land on (dynamic bridge host ports are 32768–65535). Groups the stack does not create (passed in by ID)
are outside the template and left out. Cloud Map registrations name no clients, so they declare no path.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import Problem
from ..model import (
    Container,
    ListenerProtocol,
    LoadBalancer,
    LoadBalancerTarget,
    Namespace,
    NetworkMode,
    Service,
    Stack,
)
from ..model.derived import load_balancers_of, test_listeners
from ..names import CLUSTER, LOAD_BALANCER, SERVICE, logical_id
from ._template import Template, canon, canon_model, ports

__all__ = ["EPHEMERAL_PORTS", "Ingress", "Path", "check"]

#: the host ports Docker picks dynamic ports from (bridge networking)
EPHEMERAL_PORTS = (32768, 65535)
SG = "AWS::EC2::SecurityGroup"


@dataclass(frozen=True)
class Ingress:
    """One ingress rule of a group the template creates: ``source`` is ``cidr:<range>`` or ``group:<logical>``."""

    group: str
    source: str
    protocol: str
    low: int
    high: int
    where: str

    def __str__(self) -> str:
        span = "all traffic" if self.protocol == "-1" else f"{self.protocol}/{_span(self.low, self.high)}"
        return f"{self.group} admits {span} from {_shown(self.source)} ({self.where})"


@dataclass(frozen=True)
class Path:
    """A path the blueprint declares: from any of ``sources`` to any of ``groups`` (each a set of groups one
    endpoint carries; every combination must be admitted), on ``protocol`` ports ``low``–``high``."""

    sources: tuple[frozenset[str], ...]
    groups: tuple[frozenset[str], ...]
    protocol: str
    low: int
    high: int
    label: str
    at: str


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _shown(source: str) -> str:
    kind, _, value = source.partition(":")
    return value if kind == "cidr" else f"security group {value}"


def ingress_rules(t: Template) -> list[Ingress]:
    """Every ingress rule of a security group the template creates: inline and ``SecurityGroupIngress`` resources."""
    found: list[tuple[str, dict, str]] = []
    for group in t.of_type(SG):
        for i, rule in enumerate(t.props(group).get("SecurityGroupIngress", []) or []):
            found.append((group, rule, f"{group} SecurityGroupIngress[{i}]"))
    for logical in t.of_type("AWS::EC2::SecurityGroupIngress"):
        props = t.props(logical)
        group = t.target(props.get("GroupId"), SG) or t.target(props.get("GroupName"), SG)
        if group is not None:
            found.append((group, props, logical))
    rules = []
    for group, rule, where in found:
        protocol = str(rule.get("IpProtocol", "")).lower()
        protocol = {"6": "tcp", "17": "udp"}.get(protocol, protocol)
        span = (0, 65535) if protocol == "-1" else ports(rule.get("FromPort"), rule.get("ToPort"))
        if span is None:
            span = (0, 65535)  # a token range could be anything
        if "SourceSecurityGroupId" in rule:
            ref = rule["SourceSecurityGroupId"]
            source = f"group:{t.target(ref, SG) or canon(ref)}"
        elif "CidrIp" in rule or "CidrIpv6" in rule:
            source = f"cidr:{canon(rule.get('CidrIp', rule.get('CidrIpv6')))}"
        else:
            source = f"other:{canon({k: v for k, v in rule.items() if k.startswith('Source')})}"
        rules.append(Ingress(group, source, protocol, span[0], span[1], where))
    return rules


def _covers(rule_source: str, wanted: str) -> bool:
    if rule_source == wanted:
        return True
    if rule_source.startswith("cidr:") and wanted.startswith("cidr:"):
        try:
            return ipaddress.ip_network(wanted[5:], strict=False).subnet_of(  # type: ignore[arg-type]
                ipaddress.ip_network(rule_source[5:], strict=False))
        except (TypeError, ValueError):
            return False
    return False


def _admits(rules: list[Ingress], group: str, source: str, protocol: str, low: int, high: int) -> bool:
    """Whether the rules of ``group`` from ``source`` cover every port ``low``–``high`` of ``protocol``."""
    spans = sorted((r.low, r.high) for r in rules if r.group == group and _covers(r.source, source)
                   and r.protocol in (protocol, "-1"))
    reach = low
    for a, b in spans:
        if a > reach:
            break
        reach = max(reach, b + 1)
    return reach > high


# ---- the groups in force -------------------------------------------------------------------------------------
def _capacity_groups(t: Template, provider: str) -> frozenset[str]:
    """The instance security groups of an EC2 capacity provider (provider → group → launch template)."""
    asg = t.target(t.props(provider).get("AutoScalingGroupProvider", {}).get("AutoScalingGroupArn"))
    asg_props = t.props(asg) if asg else {}
    spec = asg_props.get("LaunchTemplate") or asg_props.get("MixedInstancesPolicy", {}).get(
        "LaunchTemplate", {}).get("LaunchTemplateSpecification", {})
    template = t.target(spec.get("LaunchTemplateId"))
    data = t.props(template).get("LaunchTemplateData", {}) if template else {}
    return frozenset(g for g in (t.target(v, SG) for v in data.get("SecurityGroupIds", []) or []) if g)


def _providers(t: Template, service: Service) -> list[str]:
    """The in-template EC2 capacity providers a bridge/host service's tasks may land on."""
    props = t.props(logical_id(service.name, SERVICE))
    ec2 = set(t.of_type("AWS::ECS::CapacityProvider"))
    strategy = props.get("CapacityProviderStrategy")
    cluster = logical_id(service.cluster.name, CLUSTER)
    associations = [t.props(a) for a in t.of_type("AWS::ECS::ClusterCapacityProviderAssociations")
                    if t.target(t.props(a).get("Cluster")) == cluster]
    if strategy is None and "LaunchType" not in props:
        strategy = [item for a in associations for item in a.get("DefaultCapacityProviderStrategy", []) or []]
    if strategy is not None:
        named = [t.target(item.get("CapacityProvider")) for item in strategy]
    else:  # a launch type: any container instance of the cluster
        named = [t.target(p) for a in associations for p in a.get("CapacityProviders", []) or []]
    return sorted({p for p in named if p in ec2})


def service_groups(t: Template, service: Service) -> tuple[frozenset[str], ...]:
    """The group sets a service's tasks carry: its ENI's groups (awsvpc), else one instance group set per EC2
    capacity its tasks may land on. Empty when none of them is created by the template."""
    if service.task.network_mode is NetworkMode.AWSVPC:
        cfg = t.props(logical_id(service.name, SERVICE)).get("NetworkConfiguration", {}).get(
            "AwsvpcConfiguration", {})
        groups = frozenset(g for g in (t.target(v, SG) for v in cfg.get("SecurityGroups", []) or []) if g)
        return (groups,) if groups else ()
    return tuple(g for g in (_capacity_groups(t, p) for p in _providers(t, service)) if g)


def _lb_group(t: Template, lb: LoadBalancer) -> frozenset[str]:
    props = t.props(logical_id(lb.name, LOAD_BALANCER))
    return frozenset(g for g in (t.target(v, SG) for v in props.get("SecurityGroups", []) or []) if g)


def task_ports(service: Service, container: Container | None, port: int) -> tuple[int, int]:
    """The ports on the task's groups that traffic to container port ``port`` arrives at: the host port of a
    fixed mapping, the ephemeral range for a dynamic bridge port, else the port itself."""
    mapping = next((p for p in (container.ports if container is not None else []) if p.container_port == port), None)
    mode = service.task.network_mode
    if mode is NetworkMode.AWSVPC:
        return port, port
    if mapping is not None and mapping.host_port:
        return mapping.host_port, mapping.host_port
    if mode is NetworkMode.BRIDGE:
        return EPHEMERAL_PORTS
    return port, port


# ---- declared paths ---------------------------------------------------------------------------------------------
def _cidrs(values: list) -> list[str]:
    out = []
    for v in values:
        text = canon_model(v)
        if text is not None:
            out.append(f"cidr:{text}")
    return out


def _load_balancer_paths(t: Template, stack: Stack) -> Iterator[Path]:
    for lb in load_balancers_of(stack):
        group = _lb_group(t, lb)
        if not group:
            continue
        for listener in lb.listeners:
            proto = "udp" if listener.protocol is ListenerProtocol.UDP else "tcp"
            for cidr in _cidrs(lb.allow_from):
                yield Path((frozenset({cidr}),), (group,), proto, listener.port, listener.port,
                           f"{_shown(cidr)} → {lb.path} listener {proto}/{listener.port}", lb.path)
        # a blue/green, canary or linear service's test listener is reached like the other listeners
        for port, target in test_listeners(lb):
            proto = "udp" if target.listener.protocol is ListenerProtocol.UDP else "tcp"
            for cidr in _cidrs(lb.allow_from):
                yield Path((frozenset({cidr}),), (group,), proto, port, port,
                           f"{_shown(cidr)} → {lb.path} test listener {proto}/{port} ({target.service.path})",
                           lb.path)
        # the green target group of such a service reaches the same container port as the target's own group
        for target in lb.targets:
            yield from _target_paths(t, target, group)


def _target_paths(t: Template, target: LoadBalancerTarget, lb_group: frozenset[str]) -> Iterator[Path]:
    service, port = target.service, target.container_port
    groups = service_groups(t, service)
    if port is None or not groups:
        return
    proto = "udp" if target.listener.protocol is ListenerProtocol.UDP else "tcp"
    container = target.container
    low, high = task_ports(service, container, port)
    name = container.name if container is not None else "?"
    yield Path((lb_group,), groups, proto, low, high,
               f"{target.load_balancer.path} → {service.path} (container {name}, {proto}/{_span(low, high)})",
               service.path)
    hc = target.health_check.port
    # a health-check port of its own reaches the task's groups as is, unless the traffic port is dynamic (bridge),
    # where only "traffic-port" works (a rule's business)
    if hc is not None and (low, high) != EPHEMERAL_PORTS and (hc, "tcp") != (low, proto):
        yield Path((lb_group,), groups, "tcp", hc, hc,
                   f"{target.load_balancer.path} → {service.path} (health checks, tcp/{hc})", service.path)


def namespace_of(service: Service) -> Namespace | None:
    """The namespace a service's Service Connect uses: its own, else its cluster's default."""
    sc = service.service_connect
    if sc is None:
        return None
    return sc.namespace or service.cluster.service_connect_namespace


def _served_ports(server: Service) -> Iterator[tuple[Container | None, int]]:
    sc = server.service_connect
    for port in sc.ports if sc is not None else []:
        found = next(((c, p) for c in server.task.containers for p in c.ports if p.name == port.port_name), None)
        if found is not None:
            yield found[0], found[1].container_port
        elif port.port is not None:
            yield None, port.port


def _service_connect_paths(t: Template, stack: Stack) -> Iterator[Path]:
    services = stack.of_type(Service)
    for server in services:
        ns = namespace_of(server)
        groups = service_groups(t, server)
        if ns is None or not groups:
            continue
        for container, port in _served_ports(server):
            low, high = task_ports(server, container, port)
            for client in services:
                if client is server or namespace_of(client) is not ns or not client.service_connect.client:
                    continue
                sources = service_groups(t, client)
                if sources:
                    yield Path(sources, groups, "tcp", low, high,
                               f"{client.path} → {server.path} (Service Connect, tcp/{_span(low, high)})",
                               server.path)


def _allow_from_paths(t: Template, stack: Stack) -> Iterator[Path]:
    for service in stack.of_type(Service):
        groups = service_groups(t, service)
        if not service.allow_from or not groups:
            continue
        for c in service.task.containers:
            for p in c.ports:
                low, high = task_ports(service, c, p.container_port)
                for cidr in _cidrs(service.allow_from):
                    yield Path((frozenset({cidr}),), groups, p.protocol.value, low, high,
                               f"{_shown(cidr)} → {service.path} (container {c.name}, "
                               f"{p.protocol.value}/{_span(low, high)}; allow_from)", service.path)


def declared_paths(t: Template, stack: Stack) -> list[Path]:
    """Every path the blueprint declares, with the groups of both ends as the template creates them."""
    return [*_load_balancer_paths(t, stack), *_service_connect_paths(t, stack), *_allow_from_paths(t, stack)]


# ---- the invariant ------------------------------------------------------------------------------------------------
def _path_admitted(path: Path, rules: list[Ingress]) -> list[str]:
    """Combinations of source and destination groups the rules do not connect (empty: admitted)."""
    missing = []
    for sources in path.sources:
        for groups in path.groups:
            wanted = [s if s.startswith("cidr:") else f"group:{s}" for s in sources]
            if not any(_admits(rules, g, s, path.protocol, path.low, path.high) for g in groups for s in wanted):
                missing.append(f"{' or '.join(sorted(groups))} from {' or '.join(_shown(s) for s in sorted(wanted))}")
    return missing


def _explained(rule: Ingress, paths: list[Path]) -> bool:
    for path in paths:
        if rule.protocol != path.protocol or not (path.low <= rule.low and rule.high <= path.high):
            continue
        if not any(rule.group in groups for groups in path.groups):
            continue
        for sources in path.sources:
            if any(rule.source == (s if s.startswith("cidr:") else f"group:{s}") for s in sources):
                return True
    return False


def check(stack: Stack, template: Template) -> list[Problem]:
    """ECS910: a declared path the groups do not admit; ECS911: an ingress rule no declared path explains."""
    rules = ingress_rules(template)
    paths = declared_paths(template, stack)
    # each path looks only at the rules into its groups, each rule only at the paths into its group: linear
    rules_into: dict[str, list[Ingress]] = {}
    for r in rules:
        rules_into.setdefault(r.group, []).append(r)
    paths_into: dict[str, list[Path]] = {}
    for path in paths:
        for group in dict.fromkeys(g for groups in path.groups for g in groups):
            paths_into.setdefault(group, []).append(path)
    problems = []
    for path in paths:
        near = [r for group in dict.fromkeys(g for groups in path.groups for g in groups)
                for r in rules_into.get(group, [])]
        for gap in _path_admitted(path, near):
            problems.append(Problem(
                "ECS910", path.at, f"the path {path.label} is not admitted: no ingress into {gap}.",
                "This is a compile bug (the template would deploy and drop this traffic); please report it."))
    for rule in rules:
        if not _explained(rule, paths_into.get(rule.group, [])):
            problems.append(Problem(
                "ECS911", f"{stack.path} › resource {rule.where.split()[0]}",
                f"the ingress rule \"{rule}\" is explained by no path the blueprint declares.",
                "This is a compile bug (the template admits traffic nobody asked for); please report it."))
    return sorted(set(problems))
