"""Pictures of a stack: load balancers → listeners → services → tasks → containers, who waits for
whom, the start order, who calls whom through Service Connect, and how each service deploys.

``render_text`` for terminals, ``render_mermaid`` and ``render_dot`` for diagrams.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import (
    Container,
    Listener,
    LoadBalancer,
    LoadBalancerTarget,
    Namespace,
    ScheduledTask,
    Service,
    ServiceConnect,
    Stack,
    TaskDefinition,
)
from .model.derived import load_balancers_of, test_listeners

__all__ = ["PHASES", "phases", "render", "render_dot", "render_mermaid", "render_text", "start_order"]

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


#: the three phases a task's containers start in, in order (``phases``)
PHASES = ("sidecars", "init", "app")


def phases(task: TaskDefinition) -> list[tuple[str, list[Container]]]:
    """The task's containers by the phase they start in, non-empty phases only: sidecars (and the FireLens
    router, which starts first), then init containers, then the ordinary (app) containers."""
    def phase(c: Container) -> str:
        if c.sidecar or c.firelens is not None:
            return "sidecars"
        return "init" if c.init else "app"

    grouped = [(name, [c for c in task.containers if phase(c) == name]) for name in PHASES]
    return [(name, members) for name, members in grouped if members]


def _phased(task: TaskDefinition) -> bool:
    """Whether pictures show the task's phases: it has sidecars or init containers."""
    return any(c.sidecar or c.init for c in task.containers)


def _traits(c: Container) -> str:
    traits = ["init" if c.init else ("essential" if c.essential else "non-essential")]
    if c.sidecar:
        traits = ["sidecar", *traits, f"ready when {'healthy' if c.readiness.value == 'HEALTHY' else 'started'}"]
    if c.restart_policy is not None and c.restart_policy.enabled:
        traits.append("restarts on exit")
    if c.health_check is not None:
        traits.append("health check")
    if c.ports:
        traits.append("ports " + ", ".join(str(p.container_port) for p in c.ports))
    return ", ".join(traits)


def count_label(service: Service) -> str:
    """How many tasks run, for pictures: ``2``, or ``1–10`` when autoscaling decides."""
    if service.desired_count is None and service.scalings:
        scaling = service.scalings[0]
        return f"{scaling.min_tasks}–{scaling.max_tasks}"
    return "1" if service.desired_count is None else str(service.desired_count)


def _schedule_text(scheduled: ScheduledTask) -> str:
    """``schedule nightly cron(0 3 * * ? *) ×1``: a scheduled task, its expression and tasks per run."""
    when = scheduled.schedule if isinstance(scheduled.schedule, str) else "(a parameter)"
    return f"schedule {scheduled.name} {when} ×{scheduled.count}"


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


def _strategy_label(service: Service) -> str:
    """`` · blue/green, bake 10 min`` for a service given ``deployment=``; empty for the default (rolling)."""
    return "" if service.deployment is None else f" · {service.deployment.describe()}"


def _deployments_text(stack: Stack) -> list[str]:
    """How each service given ``deployment=`` deploys (the others deploy rolling, ECS's default)."""
    lines: list[str] = []
    for s in stack.of_type(Service):
        d = s.deployment
        if d is None:
            continue
        lines.append(f"  service {s.name}: {d.describe()}")
        for lb in load_balancers_of(stack):
            for t in lb.targets:
                if t.service is s and d.shifts_traffic:
                    test = next((f", test traffic on {lb.name}:{port}" for port, x in test_listeners(lb) if x is t), "")
                    lines.append(f"    {lb.name} listener {t.listener.port}: traffic shifts between 2 target "
                                 f"groups{test}")
        for hook in d.hooks:
            name = hook.function if isinstance(hook.function, str) else getattr(hook.function, "name", "a token")
            lines.append(f"    hook {name} at "
                         f"{', '.join(stage.value for stage in hook.stages)}")
    return ["", "deployments (services not listed deploy rolling):", *lines] if lines else []


def render_text(stack: Stack) -> str:
    lines = [f"stack {stack.name}"]
    for task in stack.of_type(TaskDefinition):
        users = ", ".join([*(f"service {s.name} ×{count_label(s)}" for s in _services(stack, task)),
                           *(_schedule_text(s) for s in stack.of_type(ScheduledTask) if s.task is task)])
        lines.append("")
        lines.append(f"task {task.family}" + (f" (run by {users})" if users else ""))
        width = max((len(c.name) for c in task.containers), default=0)
        lines.append("  containers:")
        lines.extend(f"    {c.name:<{width}}  {_traits(c)}" for c in task.containers)
        if _phased(task):
            lines.append("  phases: " + " → ".join(f"{name} {', '.join(c.name for c in members)}"
                                                   for name, members in phases(task)))
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
    lines.extend(_deployments_text(stack))
    return "\n".join(lines)


def _node(*parts: str) -> str:
    return "_".join("".join(ch if ch.isalnum() else "_" for ch in p) for p in parts)


@dataclass(frozen=True)
class _Node:
    id: str
    label: str
    shape: str  # container, init, sidecar, service, schedule, cluster, lb, listener, namespace


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    label: str = ""
    style: str = "solid"  # solid, dashed, or line (no arrow)


@dataclass
class _Picture:
    """The whole stack as boxes and arrows, once; each diagram format only spells it."""

    groups: list[tuple[str, str, list[_Node]]] = field(default_factory=list)  # (id, label, nodes)
    nodes: list[_Node] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)
    #: a group's nodes by phase (id, label, nodes), for a task with sidecars or init containers
    phases: dict[str, list[tuple[str, str, list[_Node]]]] = field(default_factory=dict)


def _picture(stack: Stack) -> _Picture:
    pic = _Picture()
    for task in stack.of_type(TaskDefinition):
        members = [_Node(_node(task.family, c.name), c.name,
                         "init" if c.init else "sidecar" if c.sidecar else "container")
                   for c in task.containers]
        pic.groups.append((_node("task", task.family), f"task {task.family}", members))
        if _phased(task):
            nodes = {id(c): n for c, n in zip(task.containers, members, strict=True)}
            pic.phases[_node("task", task.family)] = [
                (_node("task", task.family, name), f"{n}. {name}", [nodes[id(c)] for c in phase])
                for n, (name, phase) in enumerate(phases(task), 1)]
        pic.edges += [_Edge(_node(task.family, d.target_name), _node(task.family, c.name), d.condition.value)
                      for c in task.containers for d in task.dependencies_of(c)]
    for s in stack.of_type(Service):
        sid = _node("service", s.name)
        pic.nodes.append(_Node(sid, f"service {s.name} ×{count_label(s)}{_strategy_label(s)}", "service"))
        pic.edges.append(_Edge(sid, _node("task", s.task.family)))
        cid = _node("cluster", s.cluster.name)
        if all(n.id != cid for n in pic.nodes):
            pic.nodes.append(_Node(cid, f"cluster {s.cluster.name}", "cluster"))
        pic.edges.append(_Edge(cid, sid, style="line"))
    for scheduled in stack.of_type(ScheduledTask):
        sid = _node("schedule", scheduled.name)
        pic.nodes.append(_Node(sid, _schedule_text(scheduled), "schedule"))
        pic.edges.append(_Edge(sid, _node("task", scheduled.task.family)))
        cid = _node("cluster", scheduled.cluster.name)
        if all(n.id != cid for n in pic.nodes):
            pic.nodes.append(_Node(cid, f"cluster {scheduled.cluster.name}", "cluster"))
        pic.edges.append(_Edge(cid, sid, style="line"))
    for lb in load_balancers_of(stack):
        lid = _node("lb", lb.name)
        pic.nodes.append(_Node(lid, _lb_text(lb), "lb"))
        for listener in lb.listeners:
            nid = _node("listener", lb.name, str(listener.port))
            pic.nodes.append(_Node(nid, _listener_text(listener), "listener"))
            pic.edges.append(_Edge(lid, nid))
            if listener.redirect_to is not None:
                pic.edges.append(_Edge(nid, _node("listener", lb.name, str(listener.redirect_to)), "301", "dashed"))
            pic.edges += [_Edge(nid, _node("service", t.service.name), _edge_label(t)) for t in listener.targets]
        for port, t in test_listeners(lb):
            nid = _node("listener", lb.name, str(port))
            pic.nodes.append(_Node(nid, f"test listener {port} {t.listener.protocol.value}", "listener"))
            pic.edges += [_Edge(lid, nid), _Edge(nid, _node("service", t.service.name), "test", "dashed")]
    for ns, members in _connect(stack):
        nsid = _node("namespace", ns.name)
        pic.nodes.append(_Node(nsid, f"namespace {ns.name}", "namespace"))
        for s, served in members:
            sid = _node("service", s.name)
            if s.service_connect.client:
                pic.edges.append(_Edge(sid, nsid, "calls", "dashed"))
            pic.edges += [_Edge(nsid, sid, name, "dashed") for name in served]
    return pic


_MERMAID_SHAPES = {"container": '["{}"]', "init": '(["{}"])', "sidecar": '[["{}"]]',
                   "service": '{{{{"{}"}}}}', "schedule": '>"{}"]', "cluster": '[("{}")]',
                   "lb": '[/"{}"\\]', "listener": '(["{}"])', "namespace": '[("{}")]'}
_MERMAID_ARROWS = {"solid": "-->", "dashed": "-.->", "line": "---"}


def render_mermaid(stack: Stack) -> str:
    pic = _picture(stack)
    lines = ["flowchart LR"]
    for gid, label, members in pic.groups:
        lines += [f'  subgraph {gid}["{label}"]', "    direction LR"]
        if gid in pic.phases:
            for pid, plabel, nodes in pic.phases[gid]:
                lines.append(f'    subgraph {pid}["{plabel}"]')
                lines += [f"      {n.id}{_MERMAID_SHAPES[n.shape].format(n.label)}" for n in nodes]
                lines.append("    end")
        else:
            lines += [f"    {n.id}{_MERMAID_SHAPES[n.shape].format(n.label)}" for n in members]
        lines.append("  end")
    lines += [f"  {n.id}{_MERMAID_SHAPES[n.shape].format(n.label)}" for n in pic.nodes]
    for e in pic.edges:
        label = f'|"{e.label}"|' if e.label else ""
        lines.append(f"  {e.source} {_MERMAID_ARROWS[e.style]}{label} {e.target}")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {"container": "", "init": ", style=dashed", "sidecar": ", style=bold",
               "service": ", shape=hexagon", "schedule": ", shape=note", "cluster": ", shape=folder",
               "lb": ", shape=trapezium", "listener": ", shape=oval", "namespace": ", shape=cylinder"}
_DOT_STYLES = {"solid": "", "dashed": "style=dashed", "line": "dir=none"}


def render_dot(stack: Stack) -> str:
    pic = _picture(stack)
    lines = [f'digraph "{stack.name}" {{', "  rankdir=LR;", "  compound=true;",
             "  node [shape=box, fontname=Helvetica];"]
    first = {}  # dot cannot point at a group: an edge to one ends at its first node, clipped at the border
    for gid, label, members in pic.groups:
        lines += [f'  subgraph "cluster_{gid}" {{', f'    label="{label}";']
        if gid in pic.phases:
            for pid, plabel, nodes in pic.phases[gid]:
                lines += [f'    subgraph "cluster_{pid}" {{', f'      label="{plabel}";']
                lines += [f'      "{n.id}" [label="{n.label}"{_DOT_SHAPES[n.shape]}];' for n in nodes]
                lines.append("    }")
        else:
            lines += [f'    "{n.id}" [label="{n.label}"{_DOT_SHAPES[n.shape]}];' for n in members]
        lines.append("  }")
        if members:
            first[gid] = members[0].id
    lines += [f'  "{n.id}" [label="{n.label}"{_DOT_SHAPES[n.shape]}];' for n in pic.nodes]
    for e in pic.edges:
        attrs = [f'label="{e.label}"'] if e.label else []
        attrs += [_DOT_STYLES[e.style]] if _DOT_STYLES[e.style] else []
        target = e.target
        if target in first:
            attrs.append(f'lhead="cluster_{target}"')
            target = first[target]
        elif any(g[0] == target for g in pic.groups):
            continue  # a group with no nodes: nothing to point at
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f'  "{e.source}" -> "{target}"{suffix};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(stack: Stack, fmt: str = "text") -> str:
    """The picture of ``stack`` in ``fmt``: ``text``, ``mermaid`` or ``dot``."""
    return {"text": render_text, "mermaid": render_mermaid, "dot": render_dot}[fmt](stack)
