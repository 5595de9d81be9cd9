"""Invariants of every compiled template: properties that must hold whatever the blueprint, checked on every
synth (cheaply: no cfn-lint import) and fuzzed by the property tests.

- reachability (ECS910, ECS911): every declared path is admitted by the security groups, and nothing else is;
- grants (ECS920, ECS921): the roles made for a task hold exactly what the model references;
- schemas (ECS930): every property is inside its CloudFormation resource schema (overrides included);
- limits (ECS931): the ECS limits the schemas do not state;
- ecs_overrides (ECS932): combinations of properties ECS refuses, which only ``overrides=`` can write;
- revisions (ECS339): every service runs the task definition its model names (one registered elsewhere as given).

A violation is a compile bug (or a value from ``overrides=`` CloudFormation would reject), reported with where it
is; ``ecsstack.synth`` raises ``ValidationError`` with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Problem
from ..model import Stack
from . import ecs_overrides, grants, limits, reachability, revisions, schemas
from ._template import Template
from .known import KNOWN, Known, tolerated
from .nesting import check_wiring

__all__ = ["INVARIANTS", "KNOWN", "OF_COMPILE", "Known", "check_template", "check_wiring"]

#: the invariants about what ecsstack itself compiles (a path, a grant, the task a service runs): with ``base=``,
#: they check the template before overrides, since what an override opens, grants or points at is the user's, and
#: the rules warn about it (ECS941-945); the schema checks still see the override
OF_COMPILE = ("reachability", "grants", "revisions")

#: the invariants, by name: each takes the stack and its template and returns the problems it finds
INVARIANTS: dict[str, Callable[[Stack, Template], list[Problem]]] = {
    "reachability": reachability.check,
    "grants": grants.check,
    "schemas": schemas.check,
    "limits": limits.check,
    "ecs_overrides": ecs_overrides.check,
    "revisions": revisions.check,
}


def check_template(stack: Stack, template: dict[str, Any], known: tuple[Known, ...] = KNOWN,
                   base: dict[str, Any] | None = None) -> list[Problem]:
    """Every invariant ``template`` (compiled from ``stack``) breaks, but the ``known`` compile bugs (issue 8's
    cases still being fixed; pass ``known=()`` to see them too). ``base``: the template before overrides, which
    the ``OF_COMPILE`` invariants check instead."""
    view = Template(template)
    before = view if base is None or base is template else Template(base)
    found = [p for name, check in INVARIANTS.items() for p in check(stack, before if name in OF_COMPILE else view)]
    return sorted(p for p in found if not tolerated(stack, view, p, known))
