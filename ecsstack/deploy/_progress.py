"""Waiting for a stack to settle: poll from ~1 s, backing off gently to a 2 s cap (so we return within
~2 s of the final state), streaming events, counting resources done, and asking ECS about services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ._ecs import EcsWatcher
from ._events import EventStream
from ._states import GONE, SUCCESS, is_settled

if TYPE_CHECKING:
    from ._provider import Provider, StackInfo
    from ._view import Reporter

__all__ = ["Backoff", "Waiter"]

_TERMINAL_SUFFIXES = ("_COMPLETE", "_FAILED", "_SKIPPED")


@dataclass(frozen=True)
class Backoff:
    """Delays ``start``, ``start*factor``, … capped at ``cap`` seconds."""

    start: float = 1.0
    factor: float = 1.25
    cap: float = 2.0

    def __iter__(self) -> Iterator[float]:
        delay = self.start
        while True:
            yield delay
            delay = min(delay * self.factor, self.cap)


@dataclass
class Waiter:
    """Everything a wait needs: the provider, where to report, and injectable ``sleep`` and ``clock``."""

    provider: Provider
    reporter: Reporter
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    backoff: Backoff = Backoff()
    ecs_interval: float = 10.0

    def stream(self, stack_id: str, prime: bool = True, token: str | None = None) -> EventStream:
        stream = EventStream(self.provider, stack_id, token)
        if prime:
            stream.prime()
        return stream

    def wait(self, stack_id: str, title: str, total: int,
             stream: EventStream | None = None) -> StackInfo | None:
        """Poll until the stack settles; return its final state (``None`` if it is gone).

        A stream with a token follows one operation: its own final stack event decides the state
        returned, so a later operation by someone else is never reported as ours.
        """
        stream = stream or self.stream(stack_id)
        ecs = EcsWatcher(self.provider, self.clock, self.ecs_interval)
        done: set[str] = set()
        delays = iter(self.backoff)
        grace = 3  # polls allowed for our final event to show up once the stack has settled
        with self.reporter.progress(title, total) as bar:
            while True:
                info = self.provider.describe_stack(stack_id)
                events = stream.poll()
                for event in events:
                    self.reporter.event(event)
                    ecs.observe(event)
                    if not event.path and not event.is_stack and event.status.endswith(_TERMINAL_SUFFIXES):
                        done.add(event.logical_id)
                for line in ecs.poll():
                    self.reporter.ecs(line)
                status = info.status if info else None
                # a stack that completed has settled every resource, even those no event named
                finished = status is None or status in SUCCESS
                bar.update(total if finished else len(done), status or "DELETE_COMPLETE")
                if stream.token and stream.final is not None:
                    if info is None or stream.final == GONE:
                        return None if info is None else replace(info, status=GONE)
                    return replace(info, status=stream.final)
                if is_settled(status):
                    if not stream.token or grace <= 0:
                        return info
                    grace -= 1  # the state may be from before our operation: look again for its events
                if events:
                    delays = iter(self.backoff)  # activity: look again soon
                self.sleep(next(delays))
