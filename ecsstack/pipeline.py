"""The pipeline's verbs over a stack: its problems, validation, and synthesis to a template (plain data, JSON or YAML).

    import ecsstack
    template = ecsstack.synth(stack)          # validated; raises ecsstack.ValidationError
    text = ecsstack.to_json(stack)            # same blueprint, same bytes
"""

from __future__ import annotations

import sys
from typing import Any

from . import render
from .compile import compile_with_warnings
from .errors import Problem, ValidationError
from .invariants import check_template
from .model import Stack
from .model.derived import use_pipeline
from .rules import check_stack
from .rules import validate as validate_stack

__all__ = ["problems", "synth", "synth_with_warnings", "to_json", "to_yaml", "validate"]


def problems(stack: Stack) -> list[Problem]:
    """Every problem the rules find in ``stack`` (errors and warnings), without raising."""
    return check_stack(stack)


def validate(stack: Stack) -> list[Problem]:
    """Raise ``ValidationError`` listing every error in ``stack``; return its warnings otherwise."""
    return validate_stack(stack)


def synth_with_warnings(stack: Stack) -> tuple[dict[str, Any], list[Problem]]:
    """Validate and compile ``stack``: the template as plain data, and the warnings the rules found. The template
    must pass the invariants (``ecsstack.invariants``); a violation raises ``ValidationError`` like a rule's."""
    template, warnings = compile_with_warnings(stack)
    broken = check_template(stack, template)
    if broken:
        raise ValidationError(broken)
    return template, warnings


def synth(stack: Stack) -> dict[str, Any]:
    """Validate and compile ``stack`` to a CloudFormation template as plain data (raises ``ValidationError``)."""
    return synth_with_warnings(stack)[0]


def to_json(stack: Stack) -> str:
    """``stack``'s template as deterministic JSON text: sorted keys, two-space indent, trailing newline."""
    return render.to_json(synth(stack))


def to_yaml(stack: Stack) -> str:
    """``stack``'s template as deterministic YAML text."""
    return render.to_yaml(synth(stack))


# Stack.to_dict() and its siblings delegate here; the model itself never imports upward.
use_pipeline(sys.modules[__name__])  # type: ignore[arg-type]
