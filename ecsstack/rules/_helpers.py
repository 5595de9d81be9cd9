"""Small, defensive helpers the rule modules share.

Rules run over whatever a blueprint built, including objects changed after construction, so every
helper here tolerates odd values (tokens, None, wrong types) instead of raising.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable
from typing import Any

from ..model import Condition, Container, Dependency, LaunchType, NetworkMode, Stack, TaskDefinition, Token
from ._registry import task_path

__all__ = [
    "as_list",
    "as_map",
    "compatibilities",
    "condition_of",
    "cpath",
    "declared_dependencies",
    "did_you_mean",
    "effective_launch_type",
    "fmt_list",
    "int_or_none",
    "is_token",
    "name_hint",
    "network_mode",
    "q",
    "resolve",
    "safe_dependencies",
    "target_name",
    "task_containers",
]


def int_or_none(value: Any) -> int | None:
    """``value`` if it is a plain whole number; None for tokens, None, booleans and anything else."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def is_token(value: Any) -> bool:
    return isinstance(value, Token)


def as_list(value: Any) -> list[Any]:
    """A list or tuple as a list; anything else (None, a token, a scalar) as an empty list."""
    return list(value) if isinstance(value, list | tuple) else []


def as_map(value: Any) -> dict[Any, Any]:
    return dict(value) if isinstance(value, dict) else {}


def q(name: Any) -> str:
    """A name in quotes, as messages show it."""
    return f"'{name}'"


def fmt_list(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def did_you_mean(name: Any, choices: Iterable[Any]) -> str:
    """`` Did you mean 'x'?`` (with a leading space) when a choice is close to ``name``, else ``""``."""
    if not isinstance(name, str):
        return ""
    options = [c for c in choices if isinstance(c, str)]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" Did you mean {q(close[0])}?" if close else ""


def name_hint(name: Any, allowed: str = "A-Za-z0-9_-", limit: int = 255) -> str:
    """How to fix an invalid ECS name, with a cleaned-up suggestion when one can be made."""
    hint = "Use only letters, digits, hyphens and underscores"
    suggestion = re.sub(f"[^{allowed}]+", "-", name).strip("-")[:limit] if isinstance(name, str) else ""
    return hint + (f", e.g. {suggestion!r}." if suggestion and suggestion != name else ".")


def cpath(stack: Stack, task: TaskDefinition, container: Container) -> str:
    """``service web › task web › container app`` for a container of ``task``."""
    return f"{task_path(stack, task)} › container {container.name}"


def network_mode(task: TaskDefinition) -> NetworkMode | None:
    mode = getattr(task, "network_mode", None)
    try:
        return NetworkMode(mode) if isinstance(mode, str) else None
    except ValueError:
        return None


def compatibilities(task: TaskDefinition) -> list[LaunchType]:
    out: list[LaunchType] = []
    for value in as_list(getattr(task, "compatibilities", None)):
        if isinstance(value, LaunchType):
            out.append(value)
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                out.append(LaunchType(value.upper()))
    return out


def effective_launch_type(service: Any) -> LaunchType | None:
    """Where the service's tasks run: its ``launch_type``, else what its task definition implies."""
    launch = getattr(service, "launch_type", None)
    if launch is not None:
        try:
            return LaunchType(str(launch).upper())
        except ValueError:
            return None
    task = getattr(service, "task", None)
    if not isinstance(task, TaskDefinition):
        return None
    compat = compatibilities(task)
    if LaunchType.FARGATE in compat:
        return LaunchType.FARGATE
    return compat[0] if compat else None


def task_containers(task: TaskDefinition) -> list[Container]:
    return [c for c in as_list(getattr(task, "containers", None)) if isinstance(c, Container)]


def declared_dependencies(container: Container) -> list[Dependency]:
    return [d for d in as_list(getattr(container, "dependencies", None)) if isinstance(d, Dependency)]


def safe_dependencies(task: TaskDefinition, container: Container) -> list[Dependency]:
    """``task.dependencies_of(container)`` (declared plus implied init ordering), never raising."""
    try:
        deps = task.dependencies_of(container)
    except Exception:  # a model changed after construction: fall back to what was declared
        return declared_dependencies(container)
    return [d for d in as_list(deps) if isinstance(d, Dependency)]


def condition_of(dep: Dependency) -> Condition | None:
    try:
        return Condition(str(dep.condition).upper())
    except ValueError:
        return None


def target_name(dep: Dependency) -> str:
    target = dep.target
    if isinstance(target, Container):
        return str(target.name)
    return str(target)


def resolve(task: TaskDefinition, dep: Dependency) -> Container | None:
    """The container of ``task`` that ``dep`` waits on, or None if it is not one of the task's."""
    target = dep.target
    members = task_containers(task)
    if isinstance(target, Container):
        return target if any(c is target for c in members) else None
    if isinstance(target, str):
        return next((c for c in members if c.name == target), None)
    return None
