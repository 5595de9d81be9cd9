"""ECS8xx: alarm-based deployment rollback."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ._helpers import q
from ._registry import Index, Rule, rule

__all__: list[str] = []

MAX_ALARM_NAME = 255


@rule("ECS809", "rollback alarm names are 1-255 characters and listed once")
def _rollback_alarms(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        seen: list[object] = []
        for alarm in service.rollback_alarms:
            if isinstance(alarm, str) and not 0 < len(alarm.strip()) <= MAX_ALARM_NAME:
                what = "an empty name" if not alarm.strip() else f"a name of {len(alarm)} characters"
                yield r.problem(service.path, f"rollback_alarms holds {what}; CloudWatch alarm names have 1 to "
                                f"{MAX_ALARM_NAME} characters.", "Use the alarm's name as CloudWatch shows it.")
            elif any(alarm is s or (isinstance(alarm, str) and alarm == s) for s in seen):
                shown = q(alarm) if isinstance(alarm, str) else repr(alarm)
                yield r.problem(service.path, f"rollback_alarms lists {shown} twice.", "List each alarm once.")
            else:
                seen.append(alarm)
