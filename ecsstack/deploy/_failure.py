"""Why did it fail? The chronologically first failed event of the last operation, followed down into
nested stacks, so the user reads the real cause instead of "Rollback requested by user"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._events import StackEvent, first_failure, operation_events

if TYPE_CHECKING:
    from ._provider import Provider

__all__ = ["Failure", "root_cause"]


@dataclass(frozen=True)
class Failure:
    """The root cause: ``event`` is the first failed event; ``path`` the nested stacks leading to it."""

    event: StackEvent
    path: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return "/".join((*self.path, self.event.logical_id))

    def __str__(self) -> str:
        reason = self.event.reason or "(no reason given)"
        return f"{self.where} ({self.event.resource_type}) {self.event.status}: {reason}"


def root_cause(provider: Provider, stack_id: str, max_depth: int = 5, token: str | None = None) -> Failure | None:
    """The first failure of the stack's latest operation (with ``token``: of that operation), or ``None``."""
    events = operation_events(provider, stack_id, token=token)
    event = first_failure(events)
    path: tuple[str, ...] = ()
    while event is not None and event.is_nested_stack and len(path) < max_depth:
        # the child's part of this operation began when the parent started working on it
        since = min(e.timestamp for e in events if e.logical_id == event.logical_id)
        events = operation_events(provider, event.physical_id, since=since)
        inner = first_failure(events)
        if inner is None:
            break
        path += (event.logical_id,)
        event = inner
    return Failure(event, path) if event else None
