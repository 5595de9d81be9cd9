"""What both importers share: the result, the error, sizes and ranges ECS accepts, and the check that a
generated blueprint really synthesizes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import EcsstackError, ValidationError
from ..pipeline import synth_with_warnings
from ..rules.tasks import FARGATE_SIZES

__all__ = ["ImportFailed", "ImportResult", "clamp", "covers", "fargate_size", "run_blueprint", "stack_name"]


@dataclass
class ImportResult:
    """What an importer wrote: the blueprint's ``source`` (a formatted ``.py`` file with ``build()``) and
    the ``warnings`` about what it had to change, leave to you, or could not carry (one line each)."""

    source: str
    warnings: list[str] = field(default_factory=list)
    #: the CloudFormation properties carried in ``overrides=``, as ``where: Key, Key`` lines
    overrides: list[str] = field(default_factory=list)


class ImportFailed(EcsstackError):
    """The input cannot be imported (not a task definition or compose file, or a value ecsstack cannot
    carry); the message says what and how to fix it."""


#: (low, high) ECS accepts for the container settings the importers clamp
HEALTH_RANGES = {"interval": (5, 300), "timeout": (2, 120), "retries": (1, 10), "start_period": (0, 300)}
TIMEOUT_RANGE = (2, 120)


def clamp(value: int, low: int, high: int, what: str, warnings: list[str]) -> int:
    """``value`` brought into ``[low, high]``, with a warning when it had to move."""
    if low <= value <= high:
        return value
    fixed = min(max(value, low), high)
    warnings.append(f"{what}={value} is outside what ECS accepts ({low} to {high}); written as {fixed}.")
    return fixed


def fargate_size(cpu: int, memory: int) -> tuple[int, int]:
    """The smallest Fargate size (cpu units, MiB) with at least ``cpu`` and ``memory``; the largest if none."""
    for size_cpu, memories in FARGATE_SIZES.items():
        if size_cpu < cpu:
            continue
        fits = [m for m in memories if m >= memory]
        if fits:
            return size_cpu, fits[0]
    largest = max(FARGATE_SIZES)
    return largest, FARGATE_SIZES[largest][-1]


def covers(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` (a compiled value) holds every value of ``expected``: mappings may have more keys
    (defaults ecsstack adds), lists of mappings as sets, other lists item by item, scalars as CloudFormation
    reads them ("512" is 512)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and covers(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and expected and all(isinstance(e, dict) for e in expected):
        # name/value pairs (system controls, proxy properties, ulimits): a set, in any order, among defaults
        left = list(actual) if isinstance(actual, list) else []
        for e in expected:
            match = next((a for a in left if covers(e, a)), None)
            if match is None:
                return False
            left.remove(match)
        return True
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(covers(e, a) for e, a in zip(expected, actual, strict=True)))
    return expected == actual or str(expected) == str(actual)


def stack_name(text: str) -> str:
    """A stack name (a letter, then letters, digits and hyphens) made from ``text``."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-")[:120] or "imported"
    return name if name[0].isalpha() else f"app-{name}"


def run_blueprint(source: str, filename: str = "<imported>") -> tuple[dict[str, Any] | None, list[str]]:
    """Run the generated ``source``'s ``build()`` and synthesize it: (template, []) when it works, (None,
    the problems) when it does not."""
    namespace: dict[str, Any] = {"__name__": "ecsstack_imported"}
    try:
        exec(compile(source, filename, "exec"), namespace)
        template, _ = synth_with_warnings(namespace["build"]())
    except ValidationError as exc:
        return None, [str(p) for p in exc.problems]
    except EcsstackError as exc:
        return None, [str(exc)]
    return template, []
