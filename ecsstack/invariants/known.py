"""Compile bugs the invariants found that are known and being fixed elsewhere, keyed to their case number in
issue 8 ("The cases found"), or ``found N`` for one the invariants found since. While an entry is here, the
problem it matches does not fail synth; each entry has an ``xfail(strict=True)`` test in
tests/invariants/test_known.py that starts passing once compile is fixed, and then the entry and the ``xfail``
marker are removed together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Problem
from ..model import Stack
from ._template import Template

__all__ = ["KNOWN", "Known", "tolerated"]


@dataclass(frozen=True)
class Known:
    """A known compile bug: issue 8's numbered case ``case`` (or ``found N``, one the invariants found since);
    ``matches(stack, template, problem)`` says whether ``problem`` is that bug."""

    case: str
    summary: str
    matches: Callable[[Stack, Template, Problem], bool]


KNOWN: tuple[Known, ...] = ()  # none known today: issue 8's cases 1, 3, 7 and 11 and found 1 are fixed


def tolerated(stack: Stack, template: Template, problem: Problem, known: tuple[Known, ...] = KNOWN) -> bool:
    """Whether ``problem`` is one of the ``known`` cases."""
    return any(k.matches(stack, template, problem) for k in known)
