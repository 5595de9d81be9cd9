"""Every object of a stack's model, and normalising them all again before the rules run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import Problem, ValidationError
from ._loadbalancing import LoadBalancer, load_balancers_of
from ._overrides import Overridable
from ._service import Cluster, Service
from ._stack import Stack
from ._task import TaskDefinition

__all__ = ["builders_of", "normalise_all"]


def _children(thing: Any) -> Iterator[tuple[str, Any]]:
    """(path prefix, object) for what ``thing`` owns that has a ``normalise()`` of its own."""
    if isinstance(thing, TaskDefinition):
        yield from ((f"{thing.path} › ", container) for container in thing.containers)
    elif isinstance(thing, Cluster):
        yield from (("", capacity) for capacity in thing.ec2_capacity)
    elif isinstance(thing, Service):
        yield from (("", scaling) for scaling in thing.scalings)
        if thing.service_connect is not None:
            yield f"{thing.path} › ", thing.service_connect
        if thing.deployment is not None:
            yield f"{thing.path} › ", thing.deployment
    elif isinstance(thing, LoadBalancer):
        for listener in thing.listeners:
            yield "", listener
            yield from (("", target) for target in listener.targets)


def _normalise(prefix: str, node: Any, problems: list[Problem]) -> bool:
    try:
        node.normalise()
    except ValidationError as exc:
        problems.extend(Problem(p.rule, f"{prefix}{p.path}" if p.path else prefix.removesuffix(" › "),
                                p.message, p.hint, p.severity) for p in exc.problems)
        return False
    return True


def normalise_all(stack: Stack) -> list[Problem]:
    """Run ``normalise()`` again on the stack, everything it holds and what those own (a field may have been
    changed after construction); the ECS001 problems found, each under its full path. An object's parts are
    looked at only once the object itself is sound. Rules run only on a model that gives no problem here."""
    problems: list[Problem] = []
    if not _normalise("", stack, problems) or not isinstance(stack.resources, list):
        return problems
    seen: set[int] = set()

    def visit(things: list[Any]) -> None:
        for thing in things:
            if id(thing) in seen or not hasattr(thing, "normalise"):
                continue
            seen.add(id(thing))
            if _normalise("", thing, problems):
                for prefix, child in _children(thing):
                    _normalise(prefix, child, problems)

    visit(stack.resources)
    if not problems:  # then every service's attachments is a list: the load balancers added after stack.add
        visit(load_balancers_of(stack))
    return problems


def builders_of(stack: Stack) -> list[Any]:
    """Every object of ``stack`` that generates resources and takes ``override()`` (the stack's nodes, the load
    balancers its services use, and what those own: EC2 capacity, scaling, listeners, targets), each once."""
    out: list[Any] = []
    seen: set[int] = set()

    def visit(thing: Any) -> None:
        if id(thing) in seen:
            return
        seen.add(id(thing))
        if isinstance(thing, Overridable):
            out.append(thing)
        for _, child in _children(thing):
            visit(child)

    for thing in [*stack.resources, *load_balancers_of(stack)]:
        visit(thing)
    return out
