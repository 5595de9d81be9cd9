"""Message helpers the rule modules share, and which container a dependency waits on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from ..model import Container, Dependency, TaskDefinition

__all__ = ["did_you_mean", "fmt_list", "name_hint", "q", "resolve"]


def q(name: Any) -> str:
    """A name in quotes, as messages show it."""
    return f"'{name}'"


def fmt_list(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` (with a leading space) when a choice is close to ``name``, else ``""``."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {q(close[0])}?" if close else ""


def name_hint(name: str, allowed: str = "A-Za-z0-9_-", limit: int = 255) -> str:
    """How to fix an invalid ECS name, with a cleaned-up suggestion when one can be made."""
    hint = "Use only letters, digits, hyphens and underscores"
    suggestion = re.sub(f"[^{allowed}]+", "-", name).strip("-")[:limit]
    return hint + (f", e.g. {suggestion!r}." if suggestion and suggestion != name else ".")


def resolve(task: TaskDefinition, dep: Dependency) -> Container | None:
    """The container of ``task`` that ``dep`` waits on, or None if it is not one of the task's."""
    target = dep.target
    if isinstance(target, Container):
        return target if any(c is target for c in task.containers) else None
    return task.container(target)
