"""Pictures of a stack: load balancers → listeners → services → tasks → containers, who waits for
whom, the start order, and who calls whom through Service Connect.

``render_text`` for terminals, ``render_mermaid`` and ``render_dot`` for diagrams.
"""

from __future__ import annotations

from .model import (
    Container,
    Listener,
    LoadBalancer,
    LoadBalancerTarget,
    Namespace,
    Service,
    ServiceConnect,
    Stack,
    TaskDefinition,
)
from .model._loadbalancing import load_balancers_of

__all__ = ["render", "render_dot", "render_mermaid", "render_text", "start_order"]

_MEANING = {
    "START": "has started",
    "COMPLETE": "has exited",
    "SUCCESS": "has exited with 0",
    "HEALTHY": "is healthy",
}


def start_order(task: TaskDefinition) -> list[list[Container]]:
    """Containers in waves: each wave starts once everything it waits for is in earlier waves.

    Containers caught in a cycle (rejected by validation) are left out.
    """
    placed: set[str] = set()
    waves: list[list[Container]] = []
    remaining = list(task.containers)
    while remaining:
        wave = [c for c in remaining if all(d.target_name in placed for d in task.dependencies_of(c))]
        if not wave:
            break
        waves.append(wave)
        placed.update(c.name for c in wave)
        remaining = [c for c in remaining if c.name not in placed]
    return waves


def _traits(c: Container) -> str:
    traits = ["init" if c.init else ("essential" if c.essential else "non-essential")]
    if c.health_check is not None:
        traits.append("health check")
    if c.ports:
        traits.append("ports " + ", ".join(str(p.container_port) for p in c.ports))
    return ", ".join(traits)


def _services(stack: Stack, task: TaskDefinition) -> list[Service]:
    return [s for s in stack.of_type(Service) if s.task is task]


def _route(t: LoadBalancerTarget) -> str:
    """How a listener picks ``t``: ``host api.example.com, path /api/*``, or ``default``."""
    parts = [f"host {' '.join(t.hosts)}"] if t.hosts else []
    if t.paths:
        parts.append(f"path {' '.join(t.paths)}")
    return ", ".join(parts) or "default"


def _edge_label(t: LoadBalancerTarget) -> str:
    """The short edge label: ``api.example.com/api/*``, or ``default``."""
    return (" ".join(t.hosts) + " ".join(t.paths)) if not t.is_default else "default"


def _listener_text(listener: Listener) -> str:
    return f"listener {listener.port} {listener.protocol.value}"


def _lb_text(lb: LoadBalancer) -> str:
    facing = "internet-facing" if lb.internet_facing else "internal"
    sources = ", ".join(str(c) for c in lb.allow_from) or "nowhere"
    return f"load balancer {lb.name} ({lb.kind}, {facing}, from {sources})"


def _connect(stack: Stack) -> list[tuple[Namespace, list[tuple[Service, list[str]]]]]:
    """Each Service Connect namespace with its services and the names each serves (none: client only)."""
    out: list[tuple[Namespace, list[tuple[Service, list[str]]]]] = []
    for s in stack.of_type(Service):
        sc = s.service_connect
        if not isinstance(sc, ServiceConnect):
            continue
        ns = sc.namespace or s.cluster.service_connect_namespace
        if not isinstance(ns, Namespace):
            continue
        served = []
        for port in sc.ports:
            mapped = [p.container_port for c in s.task.containers for p in c.ports if p.name == port.port_name]
            number = port.port or (mapped[0] if mapped else "?")
            served.append(f"{sc.dns_name(s, port)}:{number}")
        entry = next((e for e in out if e[0] is ns), None)
        if entry is None:
            out.append((ns, []))
            entry = out[-1]
        entry[1].append((s, served))
    return out


def _network_text(stack: Stack) -> list[str]:
    lines: list[str] = []
    for lb in load_balancers_of(stack):
        lines += ["", _lb_text(lb)]
        for listener in lb.listeners:
            if listener.redirect_to is not None:
                lines.append(f"  {_listener_text(listener)}: redirects to {listener.redirect_to} (301)")
                continue
            lines.append(f"  {_listener_text(listener)}:")
            if listener.default_target is None and lb.kind == "application":
                lines.append("    default → fixed 404")
            priorities = {id(t): p for t, p in listener.rule_priorities()}
            for t in listener.targets:
                where = f"container {t.container.name}:{t.container_port}" if t.container else "no container"
                rank = f" [priority {priorities[id(t)]}]" if id(t) in priorities else ""
                lines.append(f"    {_route(t)} → service {t.service.name} ({where}){rank}")
    for ns, members in _connect(stack):
        lines += ["", f"namespace {ns.name} (Service Connect)"]
        for s, served in members:
            role = [f"serves {', '.join(served)}"] if served else []
            role += ["calls others"] if s.service_connect.client else []
            lines.append(f"  service {s.name} {' and '.join(role)}")
    return lines


def render_text(stack: Stack) -> str:
    lines = [f"stack {stack.name}"]
    for task in stack.of_type(TaskDefinition):
        users = ", ".join(f"service {s.name} ×{s.count_label}" for s in _services(stack, task))
        lines.append("")
        lines.append(f"task {task.family}" + (f" (run by {users})" if users else ""))
        width = max((len(c.name) for c in task.containers), default=0)
        lines.append("  containers:")
        lines.extend(f"    {c.name:<{width}}  {_traits(c)}" for c in task.containers)
        edges = [(c, d) for c in task.containers for d in task.dependencies_of(c)]
        if edges:
            lines.append("  waits:")
            for c, d in edges:
                why = f" ({d.reason})" if d.reason else ""
                lines.append(f"    {c.name:<{width}}  waits until {d.target_name} "
                             f"{_MEANING[d.condition.value]} [{d.condition.value}]{why}")
        lines.append("  start order:")
        for n, wave in enumerate(start_order(task), 1):
            lines.append(f"    {n}. " + ", ".join(c.name for c in wave))
    lines.extend(_network_text(stack))
    return "\n".join(lines)


def _node(*parts: str) -> str:
    return "_".join("".join(ch if ch.isalnum() else "_" for ch in p) for p in parts)


def render_mermaid(stack: Stack) -> str:
    lines = ["flowchart LR"]
    for task in stack.of_type(TaskDefinition):
        tid = _node("task", task.family)
        lines.append(f'  subgraph {tid}["task {task.family}"]')
        lines.append("    direction LR")
        for c in task.containers:
            shape = ('(["', '"])') if c.init else ('["', '"]')
            lines.append(f"    {_node(task.family, c.name)}{shape[0]}{c.name}{shape[1]}")
        lines.append("  end")
        for c in task.containers:
            for d in task.dependencies_of(c):
                lines.append(f"  {_node(task.family, d.target_name)} -->|{d.condition.value}| "
                             f"{_node(task.family, c.name)}")
    for s in stack.of_type(Service):
        sid = _node("service", s.name)
        lines.append(f'  {sid}{{{{"service {s.name} ×{s.count_label}"}}}} --> {_node("task", s.task.family)}')
        lines.append(f'  {_node("cluster", s.cluster.name)}[("cluster {s.cluster.name}")] --- {sid}')
    for lb in load_balancers_of(stack):
        lid = _node("lb", lb.name)
        lines.append(f'  {lid}[/"{_lb_text(lb)}"\\]')
        for listener in lb.listeners:
            nid = _node("listener", lb.name, str(listener.port))
            lines.append(f'  {lid} --> {nid}(["{_listener_text(listener)}"])')
            if listener.redirect_to is not None:
                lines.append(f'  {nid} -.->|"301"| {_node("listener", lb.name, str(listener.redirect_to))}')
            for t in listener.targets:
                lines.append(f'  {nid} -->|"{_edge_label(t)}"| {_node("service", t.service.name)}')
    for ns, members in _connect(stack):
        nsid = _node("namespace", ns.name)
        lines.append(f'  {nsid}[("namespace {ns.name}")]')
        for s, served in members:
            sid = _node("service", s.name)
            if s.service_connect.client:
                lines.append(f'  {sid} -.->|"calls"| {nsid}')
            for name in served:
                lines.append(f'  {nsid} -.->|"{name}"| {sid}')
    return "\n".join(lines) + "\n"


def render_dot(stack: Stack) -> str:
    lines = [f'digraph "{stack.name}" {{', "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for task in stack.of_type(TaskDefinition):
        lines.append(f'  subgraph "cluster_{_node("task", task.family)}" {{')
        lines.append(f'    label="task {task.family}";')
        for c in task.containers:
            style = ', style=dashed' if c.init else ""
            lines.append(f'    "{_node(task.family, c.name)}" [label="{c.name}"{style}];')
        lines.append("  }")
        for c in task.containers:
            for d in task.dependencies_of(c):
                lines.append(f'  "{_node(task.family, d.target_name)}" -> "{_node(task.family, c.name)}" '
                             f'[label="{d.condition.value}"];')
    for s in stack.of_type(Service):
        first = s.task.containers[0].name if s.task.containers else s.task.family
        lines.append(f'  "{_node("service", s.name)}" [label="service {s.name} ×{s.count_label}", '
                     f'shape=hexagon];')
        lines.append(f'  "{_node("service", s.name)}" -> "{_node(s.task.family, first)}" '
                     f'[lhead="cluster_{_node("task", s.task.family)}"];')
    for lb in load_balancers_of(stack):
        lid = _node("lb", lb.name)
        lines.append(f'  "{lid}" [label="{_lb_text(lb)}", shape=trapezium];')
        for listener in lb.listeners:
            nid = _node("listener", lb.name, str(listener.port))
            lines.append(f'  "{nid}" [label="{_listener_text(listener)}", shape=oval];')
            lines.append(f'  "{lid}" -> "{nid}";')
            if listener.redirect_to is not None:
                lines.append(f'  "{nid}" -> "{_node("listener", lb.name, str(listener.redirect_to))}" '
                             '[label="301", style=dashed];')
            for t in listener.targets:
                lines.append(f'  "{nid}" -> "{_node("service", t.service.name)}" [label="{_edge_label(t)}"];')
    for ns, members in _connect(stack):
        nsid = _node("namespace", ns.name)
        lines.append(f'  "{nsid}" [label="namespace {ns.name}", shape=cylinder];')
        for s, served in members:
            sid = _node("service", s.name)
            if s.service_connect.client:
                lines.append(f'  "{sid}" -> "{nsid}" [label="calls", style=dashed];')
            for name in served:
                lines.append(f'  "{nsid}" -> "{sid}" [label="{name}", style=dashed];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(stack: Stack, fmt: str = "text") -> str:
    """The picture of ``stack`` in ``fmt``: ``text``, ``mermaid`` or ``dot``."""
    return {"text": render_text, "mermaid": render_mermaid, "dot": render_dot}[fmt](stack)
