"""ECS limits the resource schemas do not state: a container health check's interval 5–300 s, timeout 2–120 s,
retries 1–10 and start period 0–300 s; a container's stop timeout at most 120 s on Fargate."""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from ..model import Stack
from ._template import Template, is_token

__all__ = ["HEALTH_CHECK_RANGES", "STOP_TIMEOUT_FARGATE", "check"]

HEALTH_CHECK_RANGES = {"Interval": (5, 300), "Timeout": (2, 120), "Retries": (1, 10), "StartPeriod": (0, 300)}
STOP_TIMEOUT_FARGATE = 120


def _int(value: Any) -> int | None:
    if is_token(value) or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # the schema check reports a value of the wrong type


def check(stack: Stack, template: Template) -> list[Problem]:
    """ECS931: a value outside an ECS limit."""
    problems = []
    for logical in template.of_type("AWS::ECS::TaskDefinition"):
        props = template.props(logical)
        compat = props.get("RequiresCompatibilities", [])
        fargate = isinstance(compat, list) and "FARGATE" in compat
        containers = props.get("ContainerDefinitions")
        for i, c in enumerate(containers if isinstance(containers, list) else []):
            if not isinstance(c, dict):
                continue
            where = f"{stack.path} › resource {logical}"
            name = c.get("Name", i)
            for key, (low, high) in HEALTH_CHECK_RANGES.items():
                health = c.get("HealthCheck")
                value = _int(health.get(key)) if isinstance(health, dict) else None
                if value is not None and not low <= value <= high:
                    problems.append(Problem(
                        "ECS931", where, f"container {name}: HealthCheck.{key} is {value}; ECS takes {low} to {high}.",
                        f"Use a value from {low} to {high}."))
            stop = _int(c.get("StopTimeout"))
            if fargate and stop is not None and stop > STOP_TIMEOUT_FARGATE:
                problems.append(Problem(
                    "ECS931", where, f"container {name}: StopTimeout is {stop}; Fargate allows at most "
                    f"{STOP_TIMEOUT_FARGATE} seconds.", f"Use a stop timeout of {STOP_TIMEOUT_FARGATE} or less."))
    return problems
