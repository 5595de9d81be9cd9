"""ECS5xx: the stack as a whole, names (the stack, clusters, services, parameters) and the logical IDs derived
from them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..model import Attr, Cluster, Token
from ..names import CLUSTER, SERVICE, TASK_DEFINITION
from ..names import pascal as _pascal
from ._helpers import name_hint, q
from ._registry import Index, Rule, rule

__all__: list[str] = []

STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]*")
STACK_NAME_MAX = 128
ECS_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
PARAMETER_NAME = re.compile(r"[A-Za-z0-9]{1,255}")

def _slug(name: str, allowed: str) -> str:
    return re.sub(f"[^{allowed}]+", "-", name).strip("-")


@rule("ECS501", "a stack name starts with a letter and has only letters, digits and hyphens (≤128)")
def _stack_name(ix: Index, r: Rule) -> Iterator[Problem]:
    stack = ix.stack
    name = stack.name
    if STACK_NAME.fullmatch(name) and len(name) <= STACK_NAME_MAX:
        return
    if len(name) > STACK_NAME_MAX:
        message = f"the stack name is {len(name)} characters long; CloudFormation allows {STACK_NAME_MAX}."
        hint = "Use a shorter name."
    else:
        message = f"the stack name {name!r} is not valid for CloudFormation."
        suggestion = _slug(name, "A-Za-z0-9-").lstrip("0123456789-")
        hint = "Start with a letter and use only letters, digits and hyphens"
        hint += f", e.g. {suggestion!r}." if suggestion else "."
    yield r.problem(stack.path, message, hint)


def _check_ecs_name(r: Rule, path: str, field: str, value: Any) -> Iterator[Problem]:
    if value is None or isinstance(value, Token) or ECS_NAME.fullmatch(value):
        return  # a parameter or other token is resolved at deploy time
    yield r.problem(path, f"{field} {value!r} is not a valid ECS name (1 to 255 characters).",
                    name_hint(value))


@rule("ECS502", "cluster and service names have 1-255 letters, digits, hyphens and underscores")
def _ecs_names(ix: Index, r: Rule) -> Iterator[Problem]:
    for cluster in ix.of_type(Cluster):
        yield from _check_ecs_name(r, cluster.path, "the cluster name", cluster.name)
        yield from _check_ecs_name(r, cluster.path, "cluster_name", cluster.cluster_name)
    for service in ix.services:
        yield from _check_ecs_name(r, service.path, "the service name", service.name)
        yield from _check_ecs_name(r, service.path, "service_name", service.service_name)


def _collisions(
    r: Rule, kind: str, items: list[tuple[str, Any, str]], *, same_name_elsewhere: bool
) -> Iterator[Problem]:
    """Problems for items whose names give the same logical ID.

    ``items`` are (name, object, path). ``same_name_elsewhere``: another rule reports identical names.
    """
    first: dict[str, tuple[str, Any]] = {}
    for name, obj, path in items:
        ident = _pascal(name)
        if not ident:
            yield r.problem(path, f"the {kind} name {q(name)} has no letters or digits, so no "
                            "CloudFormation logical ID can be made from it.",
                            "Use a name with letters or digits.")
            continue
        if ident not in first:
            first[ident] = (name, obj)
            continue
        other, other_obj = first[ident]
        if other_obj is obj:
            continue
        if other == name:
            if same_name_elsewhere:
                continue
            yield r.problem(path, f"two {kind}s are named {q(name)}.",
                            f"Give each {kind} its own name, or reuse one object.")
        else:
            yield r.problem(
                path,
                f"{kind} {q(name)} and {kind} {q(other)} both become {q(ident)} in CloudFormation "
                "logical IDs.",
                "Rename one of them so the names differ in more than punctuation and the case "
                "of first letters.",
            )


@rule("ECS503", "names must not map to the same CloudFormation logical ID")
def _logical_ids(ix: Index, r: Rule) -> Iterator[Problem]:
    stack = ix.stack
    clusters = [(c.name, c, c.path) for c in ix.of_type(Cluster)]
    yield from _collisions(r, "cluster", clusters, same_name_elsewhere=False)
    families = [(t.family, t, ix.task_path(t)) for t in ix.tasks]
    yield from _collisions(r, "task definition", families, same_name_elsewhere=False)
    services = [(s.name, s, s.path) for s in ix.services]
    yield from _collisions(r, "service", services, same_name_elsewhere=True)  # ECS404
    outputs = [(name, name, f"{stack.path} › output {name}") for name in stack.outputs]
    yield from _collisions(r, "output", outputs, same_name_elsewhere=True)
    # Parameters share the template's logical-ID namespace with resources and keep their names as they
    # are; the main resources are named <Name>Cluster, <Family>TaskDefinition and <Name>Service.
    resources: dict[str, str] = {}
    for suffix, label, names in (
        (CLUSTER, "cluster", [c.name for c in ix.of_type(Cluster)]),
        (TASK_DEFINITION, "task", [t.family for t in ix.tasks]),
        (SERVICE, "service", [s.name for s in ix.services]),
    ):
        for name in names:
            if isinstance(name, str) and _pascal(name):
                resources.setdefault(_pascal(name) + suffix, f"{label} {q(name)}")
    # Parameters are used verbatim (CloudFormation IDs are case-sensitive), so names that differ by
    # case alone are only a warning: they are easy to mix up.
    seen: dict[str, str] = {}
    for name in stack.parameters:
        if name in resources:
            yield r.problem(f"{stack.path} › parameter {name}",
                            f"parameter {q(name)} has the same logical ID as {resources[name]}.",
                            "Rename the parameter.")
        key = name.lower()
        if key in seen and seen[key] != name:
            yield r.problem(f"{stack.path} › parameter {name}",
                            f"parameters {q(seen[key])} and {q(name)} differ only in case.",
                            "Use one name, or names that differ in more than case.", severity="warning")
        else:
            seen.setdefault(key, name)


@rule("ECS504", "a parameter name has only letters and digits")
def _parameter_names(ix: Index, r: Rule) -> Iterator[Problem]:
    stack = ix.stack
    for name in stack.parameters:
        if PARAMETER_NAME.fullmatch(name):
            continue
        suggestion = _pascal(name)
        hint = "CloudFormation parameter names are alphanumeric"
        hint += f"; use {q(suggestion)}." if suggestion else "."
        yield r.problem(f"{stack.path} › parameter {name}", f"the parameter name {name!r} is not valid.",
                        hint)


def _referenced(value: Any) -> Iterator[Any]:
    """Modelled resources a value refers to: directly, or through ``Attr(obj, ...)``."""
    if isinstance(value, Attr):
        yield value.target
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _referenced(item)
    elif hasattr(value, "path") and not isinstance(value, str | Token):
        yield value


@rule("ECS505", "outputs and attributes refer only to resources the stack holds")
def _dangling_references(ix: Index, r: Rule) -> Iterator[Problem]:
    stack = ix.stack
    held = {id(obj) for obj in stack.resources}
    places: list[tuple[str, Any]] = [
        (f"{stack.path} › output {name}", (out.value, out.export_name)) for name, out in stack.outputs.items()
    ]
    for task in ix.tasks:
        for container in task.containers:
            places.append((ix.cpath(task, container), list(container.environment.values())))
        places.append((ix.task_path(task), [resources for _, resources in task.permissions]))
    for where, value in places:
        for target in _referenced(value):
            if id(target) not in held:
                what = getattr(target, "path", repr(target))  # Attr(...) may wrap any object
                yield r.problem(where, f"refers to {what}, which is not part of stack {q(stack.name)}.",
                                "Add it with stack.add(...), or refer to something the stack holds.")


@rule("ECS507", "a stack holds at least one resource")
def _empty_stack(ix: Index, r: Rule) -> Iterator[Problem]:
    stack = ix.stack
    if stack.resources:
        return
    yield r.problem(stack.path, "holds no resources, and CloudFormation refuses a template without any.",
                    "Add what the blueprint builds with stack.add(service) (a service brings its cluster, task "
                    "definition and load balancers along).")
