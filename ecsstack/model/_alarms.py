"""Deployment safety: CloudWatch alarms that roll a service's deployment back when they fire."""

from __future__ import annotations

from typing import Any

from ._check import fail
from ._metrics import Alarm
from ._tokens import Token

__all__: list[str] = []


def is_alarm_object(value: Any) -> bool:
    """A modelled CloudWatch ``Alarm(...)`` (compiled to a resource whose ``Ref`` is its name), not a name."""
    return isinstance(value, Alarm)


def as_rollback_alarms(value: Any, path: str) -> list[Any]:
    """``Service(rollback_alarms=...)``: a list of alarm names (strings or parameters) or ``Alarm(...)`` objects.

    Default: none (no alarm-based rollback; the circuit breaker still applies).
    """
    if value is None:
        return []
    if isinstance(value, str | Token) or is_alarm_object(value):
        shown = repr(value) if isinstance(value, str) else "alarm"
        raise fail(path, f"rollback_alarms must be a list of CloudWatch alarm names, got the single value {shown}.",
                   f"Write rollback_alarms=[{shown}].")
    if not isinstance(value, list | tuple):
        raise fail(path, f"rollback_alarms must be a list of CloudWatch alarm names, got {type(value).__name__}.")
    for item in value:
        if not (isinstance(item, str | Token) or is_alarm_object(item)):
            raise fail(path, f"rollback_alarms must hold alarm names, stack parameters or Alarm(...) objects, "
                       f"got {item!r}.", 'Write rollback_alarms=["web-5xx"].')
    return list(value)
