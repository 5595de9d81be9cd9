"""Stack events: new ones as they arrive (de-duplicated by event id, nested stacks followed), and the
events of the last operation, for finding the root cause of a failure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._provider import Provider

__all__ = ["EventStream", "StackEvent", "operation_events"]

_STACK_TYPE = "AWS::CloudFormation::Stack"
_OPERATION_STARTS = frozenset({"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS",
                               "IMPORT_IN_PROGRESS", "REVIEW_IN_PROGRESS"})
# stack-level statuses that do not end an operation (CloudFormation is still working, or waits for review)
_UNSETTLED = frozenset({*_OPERATION_STARTS, "ROLLBACK_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                        "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                        "IMPORT_ROLLBACK_IN_PROGRESS"})


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    stack_id: str
    timestamp: datetime
    logical_id: str
    resource_type: str
    status: str
    physical_id: str = ""
    reason: str = ""
    path: str = ""  # nested stacks: "Child/" prefix of the parent's logical id(s)
    token: str = ""  # the ClientRequestToken of the operation that caused it ("" if none reported)

    @classmethod
    def from_api(cls, e: Mapping[str, Any], path: str = "") -> StackEvent:
        return cls(e["EventId"], e["StackId"], e["Timestamp"], e.get("LogicalResourceId", ""),
                   e.get("ResourceType", ""), e.get("ResourceStatus", ""), e.get("PhysicalResourceId") or "",
                   e.get("ResourceStatusReason") or "", path, e.get("ClientRequestToken") or "")

    @property
    def is_stack(self) -> bool:
        """An event about the stack itself (not one of its resources)."""
        return self.resource_type == _STACK_TYPE and self.physical_id == self.stack_id

    @property
    def is_nested_stack(self) -> bool:
        return self.resource_type == _STACK_TYPE and not self.is_stack and self.physical_id.startswith("arn:")

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")

    @property
    def cancelled(self) -> bool:
        return "cancelled" in self.reason.lower()

    @property
    def name(self) -> str:
        return f"{self.path}{self.logical_id}"


class EventStream:
    """New events of a stack and of the nested stacks it touches, oldest first, each exactly once.

    With ``token`` (the ClientRequestToken of our own operation) only that operation's events of the
    stack are reported: events carrying another token belong to someone else's operation (their tokens
    are collected in ``foreign``). Events without a token are kept only while the endpoint reports no
    tokens at all (an emulator); AWS marks every event of a tokened operation. ``final`` is the last
    settled stack-level status of our operation, once seen.
    """

    def __init__(self, provider: Provider, stack_id: str, token: str | None = None):
        self.provider = provider
        self.root = stack_id
        self.token = token
        self.seen: set[str] = set()
        self.foreign: set[str] = set()
        self.own = 0  # events of our operation reported so far
        self.final: str | None = None
        self.tokens_reported = False
        self._stacks: dict[str, tuple[str, datetime | None]] = {stack_id: ("", None)}  # id → (path, since)

    def prime(self) -> None:
        """Mark what is there now as old: only events after this are reported."""
        for raw in self.provider.events(self.root):
            if raw["EventId"] in self.seen:
                break
            self.seen.add(raw["EventId"])
            self.tokens_reported |= bool(raw.get("ClientRequestToken"))

    def _own(self, batch: list[StackEvent]) -> list[StackEvent]:
        """The events of ``batch`` (the root stack's, oldest first) that belong to our operation."""
        if self.token is None:
            return batch
        self.tokens_reported |= any(e.token for e in batch)
        kept = []
        for e in batch:
            if e.token and e.token != self.token:
                self.foreign.add(e.token)
            elif e.token == self.token or not self.tokens_reported:
                kept.append(e)
        return kept

    def poll(self) -> list[StackEvent]:
        fresh: list[StackEvent] = []
        for stack_id, (path, since) in list(self._stacks.items()):
            batch = []
            for raw in self.provider.events(stack_id):
                if raw["EventId"] in self.seen or (since is not None and raw["Timestamp"] < since):
                    break
                self.seen.add(raw["EventId"])
                batch.append(StackEvent.from_api(raw, path))
            batch.reverse()
            if stack_id == self.root:
                batch = self._own(batch)
                self.own += len(batch)
                for e in batch:
                    if e.is_stack and e.status not in _UNSETTLED:
                        self.final = e.status
                    elif e.is_stack:
                        self.final = None
            fresh.extend(batch)
            for e in batch:
                if e.is_nested_stack and e.physical_id not in self._stacks:
                    self._stacks[e.physical_id] = (f"{path}{e.logical_id}/", e.timestamp)
        fresh.sort(key=lambda e: e.timestamp)
        return fresh


def operation_events(provider: Provider, stack_id: str, since: datetime | None = None,
                     limit: int = 2000, token: str | None = None) -> list[StackEvent]:
    """The events of the stack's latest operation (back to its "User Initiated" start), oldest first.

    With ``token``, the latest operation that carries it: events of other operations are skipped (when
    the endpoint reports tokens at all)."""
    collected: list[StackEvent] = []
    for raw in provider.events(stack_id):
        event = StackEvent.from_api(raw)
        if since is not None and event.timestamp < since:
            break
        if token and event.token != token and (event.token or any(e.token for e in collected)):
            continue
        collected.append(event)
        if (since is None and event.is_stack and event.status in _OPERATION_STARTS
                and event.reason == "User Initiated") or len(collected) >= limit:
            break
    return list(reversed(collected))


def first_failure(events: Iterable[StackEvent]) -> StackEvent | None:
    """The chronologically first failed resource event that is not a mere cancellation."""
    events = list(events)
    for pick in (lambda e: e.failed and not e.is_stack and not e.cancelled,
                 lambda e: e.failed and not e.is_stack,
                 lambda e: e.failed or (e.is_stack and "ROLLBACK" in e.status and bool(e.reason))):
        found = [e for e in events if pick(e)]
        if found:
            return min(found, key=lambda e: e.timestamp)
    return None
