"""ECS-aware feedback: while CloudFormation creates or updates an ``AWS::ECS::Service``, show the service's
own events and why its tasks stopped, so a crash-looping container shows up in a minute, not an hour; and the
ECS deployment's progress: its rollout state (``describe_services``) and, while one is under way, its lifecycle
stage, traffic shift and lifecycle hooks (the service deployments API), each line once, when it changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._events import StackEvent

if TYPE_CHECKING:
    from ._provider import Provider

__all__ = ["EcsWatcher", "rollout_line", "service_location", "stage_line"]

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
    #: the deployment progress lines shown last (a line is shown again only when it changes)
    shown: dict[str, str] = field(default_factory=dict)


_STRATEGIES = {"ROLLING": "rolling", "BLUE_GREEN": "blue/green", "CANARY": "canary", "LINEAR": "linear"}


def rollout_line(deployment: dict[str, Any]) -> str:
    """The primary deployment of ``describe_services``: ``rollout IN_PROGRESS: 1 of 2 tasks running (reason)``."""
    state = deployment.get("rolloutState") or deployment.get("status") or "?"
    line = f"rollout {state}: {deployment.get('runningCount', 0)} of {deployment.get('desiredCount', 0)} tasks running"
    pending = deployment.get("pendingCount") or 0
    if pending:
        line += f", {pending} pending"
    failed = deployment.get("failedTasks") or 0
    if failed:
        line += f", {failed} failed"
    reason = deployment.get("rolloutStateReason")
    return f"{line} ({reason})" if reason else line


def _percent(value: Any) -> str:
    return f"{value:g}%" if isinstance(value, int | float) else "?"


def stage_line(deployment: dict[str, Any]) -> str:
    """A service deployment (``describe_service_deployments``): its strategy, status and lifecycle stage, how
    much production and test traffic the new revision gets, its tasks, and the hooks running."""
    strategy = _STRATEGIES.get((deployment.get("deploymentConfiguration") or {}).get("strategy") or "", "deployment")
    line = f"{strategy} {deployment.get('status', '?')}"
    stage = deployment.get("lifecycleStage")
    if stage:
        line += f" at {stage}"
    target = deployment.get("targetServiceRevision") or {}
    traffic = []
    if "requestedProductionTrafficWeight" in target:
        traffic.append(f"production {_percent(target['requestedProductionTrafficWeight'])}")
    if "requestedTestTrafficWeight" in target:
        traffic.append(f"test {_percent(target['requestedTestTrafficWeight'])}")
    if traffic:
        line += f": new revision gets {', '.join(traffic)} of traffic"
    if "runningTaskCount" in target:
        line += f"; {target.get('runningTaskCount', 0)} of {target.get('requestedTaskCount', 0)} new tasks running"
    hooks = [f"{(h.get('targetArn') or h.get('targetType') or 'hook').rsplit(':', 1)[-1]} {h.get('status', '?')}"
             for h in deployment.get("lifecycleHookDetails") or []]
    if hooks:
        line += f"; hooks: {', '.join(hooks)}"
    rollback = deployment.get("rollback") or {}
    if rollback.get("reason"):
        line += f"; rolling back: {rollback['reason']}"
    reason = deployment.get("statusReason")
    return f"{line} ({reason})" if reason else line


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
        self._no_deployments_api = False  # an account or region without the service deployments API, or no right

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
        return self._events(w, service) + self._progress(w, service)

    def _progress(self, w: _Watched, service: dict[str, Any]) -> list[str]:
        """The deployment's progress, each line only when it says something new."""
        found: dict[str, str] = {}
        primary = next((d for d in service.get("deployments") or [] if d.get("status") == "PRIMARY"), None)
        if primary is not None and primary.get("rolloutState"):
            found["rollout"] = rollout_line(primary)
        if primary is not None and primary.get("rolloutState") == "IN_PROGRESS" and not self._no_deployments_api:
            try:
                deployments = self.provider.service_deployments(w.cluster, w.service)
            except Exception as exc:  # an older region, or no ecs:ListServiceDeployments: the rest still works
                self._no_deployments_api = True
                error = getattr(exc, "response", {}).get("Error") or {}
                why = f"{error.get('Code')}: {error.get('Message')}" if error else f"{type(exc).__name__}: {exc}"
                found["stage"] = f"(deployment stages unavailable: {why})"
            else:
                if deployments:
                    found["stage"] = stage_line(deployments[0])
        lines = []
        for key, line in found.items():
            if w.shown.get(key) != line:
                w.shown[key] = line
                lines.append(f"{w.logical_id} (ECS): {line}")
        return lines

    def _events(self, w: _Watched, service: dict[str, Any]) -> list[str]:
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
