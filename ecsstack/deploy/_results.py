"""What the deploy functions return: plain dataclasses, so Python callers can act on the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._changes import ResourceChange, Risk
    from ._events import StackEvent
    from ._failure import Failure
    from ._propdiff import Entry
    from ._provider import StackResource
    from ._revisions import ServiceRevisions
    from ._template import KeptDefault

__all__ = ["DeployResult", "DestroyResult", "DiffResult", "Outcome", "StatusResult"]


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    NO_CHANGES = "no changes"
    CANCELLED = "cancelled"
    FAILED = "failed"
    DELETED = "deleted"
    NOT_FOUND = "not found"


@dataclass
class DeployResult:
    stack_name: str
    outcome: Outcome
    status: str | None = None
    stack_id: str = ""
    changes: list[ResourceChange] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    resources: list[StackResource] = field(default_factory=list)
    failure: Failure | None = None
    next_step: str = ""
    kept_defaults: list[KeptDefault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.NO_CHANGES)


@dataclass
class DiffResult:
    stack_name: str
    exists: bool
    no_changes: bool
    changes: list[ResourceChange] = field(default_factory=list)
    template_diff: list[Entry] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    kept_defaults: list[KeptDefault] = field(default_factory=list)


@dataclass
class DestroyResult:
    stack_name: str
    outcome: Outcome
    status: str | None = None
    retained: list[str] = field(default_factory=list)
    failure: Failure | None = None
    next_step: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.DELETED, Outcome.NOT_FOUND)


@dataclass
class StatusResult:
    stack_name: str
    exists: bool
    status: str | None = None
    reason: str = ""
    termination_protection: bool = False
    events: list[StackEvent] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    failure: Failure | None = None
    next_step: str = ""
    #: per ECS service of the stack: the revision it runs, the earlier ones, the deployment in progress
    services: list[ServiceRevisions] = field(default_factory=list)
