"""ECS-aware feedback: while CloudFormation creates or updates an ``AWS::ECS::Service``, show the service's
own events and why its tasks stopped, so a crash-looping container shows up in a minute, not an hour."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._events import StackEvent

if TYPE_CHECKING:
    from ._provider import Provider

__all__ = ["EcsWatcher", "service_location"]

_ACTIVE = frozenset({"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"})


def service_location(arn: str) -> tuple[str, str] | None:
    """``arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`` → (cluster, name); older ARNs have no cluster."""
    if not arn.startswith("arn:") or ":service/" not in arn:
        return None
    parts = arn.split(":service/", 1)[1].split("/")
    return (parts[0], parts[1]) if len(parts) == 2 else None


@dataclass
class _Watched:
    logical_id: str
    cluster: str
    service: str
    since: datetime


class EcsWatcher:
    """Call ``observe`` with every stack event and ``poll`` on every round; ``poll`` returns lines to show.

    ECS is asked at most every ``interval`` seconds; its errors never disturb the deploy.
    """

    def __init__(self, provider: Provider, clock: Callable[[], float], interval: float = 10.0):
        self.provider = provider
        self.clock = clock
        self.interval = interval
        self.watched: dict[str, _Watched] = {}
        self.seen: set[str] = set()
        self._last: float | None = None
        self._broken = False

    def observe(self, event: StackEvent) -> None:
        if event.resource_type != "AWS::ECS::Service":
            return
        if event.status not in _ACTIVE:
            self.watched.pop(event.name, None)
            return
        where = service_location(event.physical_id)
        if where and event.name not in self.watched:
            self.watched[event.name] = _Watched(event.name, *where, since=event.timestamp)
            self._last = None  # look right away

    def poll(self) -> list[str]:
        if not self.watched or self._broken:
            return []
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            return []
        self._last = now
        lines: list[str] = []
        try:
            for w in list(self.watched.values()):
                lines.extend(self._service_events(w))
                lines.extend(self._stopped_tasks(w))
        except Exception as exc:  # feedback only: never fail a deploy because ECS could not be asked
            self._broken = True
            lines.append(f"(ECS feedback unavailable: {type(exc).__name__}: {exc})")
        return lines

    def _service_events(self, w: _Watched) -> list[str]:
        service = self.provider.describe_service(w.cluster, w.service) or {}
        fresh = []
        for e in service.get("events") or []:
            if e.get("id") in self.seen or _older(e.get("createdAt"), w.since):
                continue
            self.seen.add(e.get("id"))
            fresh.append(e)
        fresh.sort(key=lambda e: e.get("createdAt") or w.since)
        return [f"{w.logical_id} (ECS): {e.get('message', '')}" for e in fresh]

    def _stopped_tasks(self, w: _Watched) -> list[str]:
        lines = []
        for task in self.provider.stopped_tasks(w.cluster, w.service):
            arn = task.get("taskArn", "")
            if arn in self.seen or _older(task.get("stoppedAt") or task.get("createdAt"), w.since):
                continue
            self.seen.add(arn)
            lines.append(f"{w.logical_id} (ECS): task {arn.rsplit('/', 1)[-1][:12]} stopped: "
                         f"{task.get('stoppedReason') or task.get('stopCode') or 'no reason given'}"
                         f"{_containers(task)}")
        return lines


def _containers(task: dict[str, Any]) -> str:
    parts = []
    for c in task.get("containers") or []:
        bits = []
        if c.get("exitCode") not in (None, 0):
            bits.append(f"exit code {c['exitCode']}")
        if c.get("reason"):
            bits.append(c["reason"])
        if bits:
            parts.append(f"container {c.get('name', '?')}: {', '.join(bits)}")
    return f" ({'; '.join(parts)})" if parts else ""


def _older(when: Any, since: datetime) -> bool:
    return isinstance(when, datetime) and when < since
