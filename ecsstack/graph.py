"""Pictures of a stack: each task's containers, who waits for whom, and the start order.

``render_text`` for terminals, ``render_mermaid`` and ``render_dot`` for diagrams.
"""

from __future__ import annotations

from .model import Container, Service, Stack, TaskDefinition

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


def render_text(stack: Stack) -> str:
    lines = [f"stack {stack.name}"]
    for task in stack.of_type(TaskDefinition):
        users = ", ".join(f"service {s.name} ×{s.desired_count}" for s in _services(stack, task))
        lines.append("")
        lines.append(f"task {task.family}" + (f" (run by {users})" if users else ""))
        width = max((len(c.name) for c in task.containers), default=0)
        lines.append("  containers:")
        lines.extend(f"    {c.name:<{width}}  {_traits(c)}" for c in task.containers)
        edges = [(c, d) for c in task.containers for d in task.dependencies_of(c)]
        if edges:
            lines.append("  waits:")
            for c, d in edges:
                why = " (init order)" if d.implied else ""
                lines.append(f"    {c.name:<{width}}  waits until {d.target_name} "
                             f"{_MEANING[d.condition.value]} [{d.condition.value}]{why}")
        lines.append("  start order:")
        for n, wave in enumerate(start_order(task), 1):
            lines.append(f"    {n}. " + ", ".join(c.name for c in wave))
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
        lines.append(f'  {sid}{{{{"service {s.name} ×{s.desired_count}"}}}} --> {_node("task", s.task.family)}')
        lines.append(f'  {_node("cluster", s.cluster.name)}[("cluster {s.cluster.name}")] --- {sid}')
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
        lines.append(f'  "{_node("service", s.name)}" [label="service {s.name} ×{s.desired_count}", '
                     f'shape=hexagon];')
        lines.append(f'  "{_node("service", s.name)}" -> "{_node(s.task.family, first)}" '
                     f'[lhead="cluster_{_node("task", s.task.family)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(stack: Stack, fmt: str = "text") -> str:
    """The picture of ``stack`` in ``fmt``: ``text``, ``mermaid`` or ``dot``."""
    return {"text": render_text, "mermaid": render_mermaid, "dot": render_dot}[fmt](stack)
