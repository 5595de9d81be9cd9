"""ECS2xx: container dependencies (``depends_on`` and the ordering init containers imply)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from ..errors import Problem
from ..model import Condition, Container, Dependency, TaskDefinition
from ..model.derived import INIT_ORDER, SIDECAR_ORDER, routers
from ._helpers import did_you_mean, fmt_list, q, resolve
from ._registry import Index, Rule, rule
from .sidecars import waits_late

__all__: list[str] = []


def _edges(task: TaskDefinition) -> Iterator[tuple[Container, Dependency, Container | None]]:
    """(container, dependency, resolved target or None) for every dependency of every container."""
    for container in task.containers:
        for dep in task.dependencies_of(container):
            yield container, dep, resolve(task, dep)


@rule("ECS201", "HEALTHY needs a health check on the container waited on")
def _healthy_needs_check(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container, dep, target in _edges(task):
            if dep.condition is not Condition.HEALTHY or target is None or target is container:
                continue
            if dep.reason == SIDECAR_ORDER:
                continue  # a sidecar's ready=HEALTHY without a health check is ECS216's, at the sidecar
            check = target.health_check
            if check is None:
                yield r.problem(
                    ix.cpath(task, container),
                    f"depends on {q(target.name)} with HEALTHY, but {q(target.name)} has no health check.",
                    f"Add health_check=HealthCheck([...]) to {q(target.name)}, or use START.",
                )
            elif check.command[:1] == ["NONE"]:
                yield r.problem(
                    ix.cpath(task, container),
                    f"depends on {q(target.name)} with HEALTHY, but the health check of {q(target.name)} "
                    "is disabled (NONE), so it never becomes healthy.",
                    f"Give {q(target.name)} a real health check command, or use START.",
                )


@rule("ECS202", "a dependency names a container that is not in the same task")
def _unknown_target(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        names = [c.name for c in task.containers]
        for container, dep, target in _edges(task):
            if target is not None:
                continue
            where = ix.cpath(task, container)
            wanted = dep.target
            if isinstance(wanted, Container):
                other = wanted.task
                if other is not None and other is not task:
                    own = " Pass this task's own container instead." if wanted.name in names else ""
                    yield r.problem(
                        where,
                        f"depends on container {q(wanted.name)} of task {q(other.family)}, but a container "
                        f"can only wait on containers of its own task {q(task.family)}.",
                        f"Add a container to task {q(task.family)} and depend on that, "
                        f"or remove the dependency.{own}",
                    )
                else:
                    yield r.problem(
                        where,
                        f"depends on container {q(wanted.name)}, which is not part of task {q(task.family)}.",
                        f"Create it with task.add_container({wanted.name!r}, ...) and depend on the "
                        "container that returns.",
                    )
            else:
                name = dep.target_name
                known = f"Containers of task {q(task.family)}: {fmt_list(q(n) for n in names)}."
                hint = did_you_mean(name, names).strip() or (known if names else "")
                yield r.problem(
                    where,
                    f"depends on {q(name)}, but task {q(task.family)} has no container named {q(name)}.",
                    hint,
                )


@rule("ECS203", "a container cannot depend on itself")
def _self_dependency(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            for dep in container.dependencies:
                if dep.target is container or resolve(task, dep) is container:
                    yield r.problem(
                        ix.cpath(task, container),
                        f"depends on itself ({q(container.name)}), so it can never start.",
                        f"Remove the depends_on({container.name!r}) call.",
                    )
                    break


def _graph(task: TaskDefinition) -> tuple[list[Container], dict[int, list[tuple[Container, Dependency]]]]:
    members = task.containers
    out: dict[int, list[tuple[Container, Dependency]]] = {id(c): [] for c in members}
    for container, dep, target in _edges(task):
        if target is None or target is container:
            continue
        if all(t is not target for t, _ in out[id(container)]):
            out[id(container)].append((target, dep))
    return members, out


def _reachable(start: Container, graph: dict[int, list[tuple[Container, Dependency]]]) -> set[int]:
    seen: set[int] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        for target, _ in graph.get(id(node), []):
            if id(target) not in seen:
                seen.add(id(target))
                stack.append(target)
    return seen


def _cycles(task: TaskDefinition) -> Iterator[list[tuple[Container, Dependency | None]]]:
    """One cycle per strongly connected group of containers, starting at the first one declared.

    Each item is (container, the dependency by which it waits on the next one).
    """
    members, graph = _graph(task)
    reach = {id(c): _reachable(c, graph) for c in members}
    placed: set[int] = set()
    for start in members:  # declaration order: the first member of each group starts its cycle
        if id(start) in placed or id(start) not in reach[id(start)]:
            continue
        group = {id(c) for c in members if id(c) in reach[id(start)] and id(start) in reach[id(c)]}
        group.add(id(start))
        placed |= group
        # breadth-first from start back to start, neighbours in declaration order: a shortest cycle
        came_from: dict[int, tuple[Container, Dependency]] = {}
        queue: deque[Container] = deque([start])
        found: tuple[Container, Dependency] | None = None
        while queue and found is None:
            node = queue.popleft()
            for target, dep in graph[id(node)]:
                if id(target) not in group:
                    continue
                if target is start:
                    found = (node, dep)
                    break
                if id(target) not in came_from:
                    came_from[id(target)] = (node, dep)
                    queue.append(target)
        if found is None:  # cannot happen for a group with a cycle; be safe
            continue
        # walk back from the last node to start
        chain: list[tuple[Container, Dependency]] = [found]
        node = found[0]
        while node is not start:
            prev, dep = came_from[id(node)]
            chain.append((prev, dep))
            node = prev
        chain.reverse()
        yield [(c, d) for c, d in chain]


def _why(container: Container, reason: str) -> str:
    """Why ``container`` waits on another by the implied ordering ``reason``, for ECS204's hint."""
    if reason == SIDECAR_ORDER:
        if container.sidecar:
            return "sidecars start in the order added"
        if container.init:
            return "the first init container waits for the sidecars"
        return "ordinary containers start after the sidecars"
    if reason != INIT_ORDER:
        return f"it logs through the {reason}, which starts first"
    if container.init:
        return "init containers run in the order added"
    return "ordinary containers start after the init containers"


@rule("ECS204", "containers must not wait on each other in a cycle")
def _cycle(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for chain in _cycles(task):
            if any(dep is not None and not dep.implied and waits_late(task, c, resolve(task, dep))
                   for c, dep in chain):
                continue  # a sidecar waiting on what starts after it: ECS217 says so, with the fix
            start = chain[0][0]
            names = [str(c.name) for c, _ in chain] + [str(start.name)]
            implied = []
            for index, (container, dep) in enumerate(chain):
                if dep is not None and dep.implied:
                    waited = chain[(index + 1) % len(chain)][0]
                    why = _why(container, dep.reason)
                    implied.append(f"{q(container.name)} waits on {q(waited.name)} ({why})")
            hint = "Remove one of these dependencies."
            if implied:
                hint = ("Remove one of the declared dependencies; these waits are implied, not declared: "
                        f"{'; '.join(implied)}.")
            yield r.problem(
                ix.cpath(task, start),
                f"containers wait on each other in a cycle: {' → '.join(names)}, so none of them can start.",
                hint,
            )


@rule("ECS205", "COMPLETE or SUCCESS can only wait on a non-essential container")
def _exit_on_essential(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container, dep, target in _edges(task):
            condition = dep.condition
            if condition not in (Condition.COMPLETE, Condition.SUCCESS) or target is None:
                continue
            if target is container or target.essential is not True:
                continue
            yield r.problem(
                ix.cpath(task, container),
                f"depends on {q(target.name)} with {condition.value}, but {q(target.name)} is essential: "
                "when an essential container exits, ECS stops the whole task.",
                f"Make {q(target.name)} essential=False (or add it with add_init_container), "
                "or wait for it with HEALTHY or START.",
            )


def _times(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


@rule("ECS206", "a container declares the same dependency twice")
def _duplicate_dependency(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            seen: dict[str, list[str]] = {}
            for dep in container.dependencies:
                seen.setdefault(dep.target_name, []).append(dep.condition.value)
            for name, conditions in seen.items():
                if len(conditions) < 2:
                    continue
                distinct = list(dict.fromkeys(conditions))
                if len(distinct) > 1:
                    yield r.problem(
                        ix.cpath(task, container),
                        f"depends on {q(name)} {_times(len(conditions))}, with {' and '.join(distinct)}; "
                        "ECS takes one condition per container.",
                        f"Keep one depends_on({name!r}, ...) call with the condition you mean.",
                    )
                else:
                    yield r.problem(
                        ix.cpath(task, container),
                        f"depends on {q(name)} with {distinct[0]} {_times(len(conditions))}.",
                        f"Remove the repeated depends_on({name!r}, ...) call.",
                        severity="warning",
                    )


#: what a container that waits on an init container with another condition than SUCCESS risks
_EARLY = {
    Condition.START: "as soon as {init} has started, before it has done its work",
    Condition.COMPLETE: "after {init} exits even when it failed",
    Condition.HEALTHY: "as soon as {init} reports healthy, while it may still be working",
}


def _implied_init(task: TaskDefinition, container: Container) -> Container | None:
    """The init container ``container`` waits on with SUCCESS by the init order, or None (as
    ``task.dependencies_of`` implies it: the previous init container, else the last; the FireLens router
    waits on none)."""
    inits = task.init_containers
    if not inits or any(container is router for router in routers(task)):
        return None
    if container.init:
        index = next(i for i, c in enumerate(inits) if c is container)
        return inits[index - 1] if index > 0 else None
    return inits[-1]


@rule("ECS207", "a declared dependency on an init container keeps the SUCCESS the init order implies")
def _init_order_replaced(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            init = _implied_init(task, container)
            if init is None:
                continue
            for dep in container.dependencies:
                if dep.target_name != init.name or dep.condition is Condition.SUCCESS:
                    continue
                condition = dep.condition.value
                yield r.problem(
                    ix.cpath(task, container),
                    f"depends on init container {q(init.name)} with {condition}, which replaces the SUCCESS "
                    f"wait the init order implies: {q(container.name)} may start "
                    f"{_EARLY[dep.condition].format(init=q(init.name))}.",
                    f"Remove depends_on({init.name!r}, {condition}) to keep waiting for SUCCESS; if {q(init.name)} "
                    "is a sidecar that keeps running, add it with add_sidecar(...) instead of add_init_container.",
                    severity="warning",
                )
