"""One run of a deploy command: the provider, the reporter and the waiter, plus the steps that several
commands share (settling the stack's state, making a change set, confirming)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ._errors import DeployError, DeployInterrupted
from ._failure import root_cause
from ._progress import Backoff, Waiter
from ._states import GONE, Action, decide
from ._template import INLINE_LIMIT, Template, capabilities, resolve_parameters
from ._view import Reporter

if TYPE_CHECKING:
    from ._provider import ChangeSet, Provider, StackInfo

__all__ = ["Session", "open_session"]

Confirm = Callable[[str], bool]


def open_session(*, region: str | None, profile: str | None, endpoint_url: str | None,
                 provider: Provider | None, console: Console | None, sleep: Callable[[float], None] | None,
                 clock: Callable[[], float] | None, backoff: Backoff | None,
                 timeout: float | None = None) -> Session:
    if provider is None:
        from ._provider import Provider

        provider = Provider(region=region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)
    reporter = Reporter(console)
    waiter = Waiter(provider, reporter, sleep or time.sleep, clock or time.monotonic, backoff or Backoff())
    return Session(provider, reporter, waiter)


@dataclass
class Session:
    provider: Provider
    reporter: Reporter
    waiter: Waiter

    def wait(self, stack_id: str, name: str, title: str, total: int, **kw: Any) -> StackInfo | None:
        """Wait with progress; Ctrl-C becomes ``DeployInterrupted`` with how to follow the stack."""
        try:
            return self.waiter.wait(stack_id, title, total, **kw)
        except KeyboardInterrupt:
            raise DeployInterrupted(name) from None

    def settle(self, name: str, *, recreate_failed: bool, total: int) -> StackInfo | None:
        """Bring the stack to a state a change set can target: the stack to UPDATE, or ``None`` to CREATE.

        Waits for stacks in progress, recreates never-created ones when allowed, and raises
        ``DeployError`` with advice for states that need a human.
        """
        for _ in range(20):
            info = self.provider.describe_stack(name)
            status = info.status if info else None
            has_resources = info is not None and status == "REVIEW_IN_PROGRESS" and \
                self.provider.has_resources(info.stack_id)
            decision = decide(status, has_resources=has_resources, recreate_failed=recreate_failed,
                              stack_name=name)
            if decision.action is Action.CREATE:
                return None
            if decision.action is Action.UPDATE:
                return info
            assert info is not None
            if decision.show_failure:
                self.reporter.failure(root_cause(self.provider, info.stack_id), None, "")
            if decision.action is Action.WAIT:
                self.reporter.say(decision.advice)
                self.wait(info.stack_id, name, f"{name} (waiting)", total)
            elif decision.action is Action.RECREATE:
                self.reporter.say(decision.advice)
                self.provider.delete_stack(info.stack_id)
                gone = self.wait(info.stack_id, name, f"deleting {name}", total)
                if gone is not None and gone.status != GONE:
                    raise DeployError(f"could not delete the failed stack {name}: it is {gone.status}.",
                                      f"Inspect it with `ecsstack status --stack-name {name}`.")
            else:
                raise DeployError(f"cannot deploy to stack {name}: it is {status}.", decision.advice)
        raise DeployError(f"stack {name} kept changing state; try again later.")

    def change_set(self, name: str, template: Template, previous: StackInfo | None, *,
                   parameters: Mapping[str, str], tags: Mapping[str, str] | None, s3_bucket: str | None,
                   extra_capabilities: tuple[str, ...] = ()) -> ChangeSet:
        """Create the change set (CREATE when ``previous`` is None) and wait until it is computed."""
        params = resolve_parameters(template, parameters, previous.parameters if previous else None)
        url = None
        if template.size > INLINE_LIMIT:
            url = self.provider.upload_template(template.body, name, s3_bucket)
            self.reporter.say(f"The template is {template.size:,} bytes (over {INLINE_LIMIT:,}): "
                              f"uploaded to {url}")
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        made = self.provider.create_change_set(
            name, f"ecsstack-{stamp}-{time.time_ns() % 10**6:06d}", "UPDATE" if previous else "CREATE",
            body=None if url else template.body, url=url, parameters=params,
            capabilities=capabilities(template, extra_capabilities), tags=tags,
            description="created by ecsstack")
        try:
            return self.provider.wait_change_set(made, self.waiter.sleep, iter(self.waiter.backoff))
        except KeyboardInterrupt:
            self.discard(made, previous is None)  # nothing was executed: leave nothing behind
            raise

    def discard(self, change_set: ChangeSet, creating: bool) -> None:
        """Delete an unexecuted change set, and the empty REVIEW_IN_PROGRESS stack a CREATE one made."""
        self.provider.delete_change_set(change_set)
        if creating:
            info = self.provider.describe_stack(change_set.stack_id)
            if info is not None and info.status == "REVIEW_IN_PROGRESS":
                self.provider.delete_stack(change_set.stack_id)

    def confirm(self, question: str, *, yes: bool, confirm: Confirm | None, on_refuse: Callable[[], None],
                what: str) -> bool:
        """``True`` to go ahead. Without ``yes`` and without a way to ask, refuse (DeployError)."""
        if yes:
            return True
        if confirm is None:
            on_refuse()
            raise DeployError(f"refusing to {what} without confirmation: there is no terminal to ask on.",
                              "Pass --yes (yes=True) to go ahead without asking.")
        try:
            agreed = bool(confirm(question))
        except BaseException:
            on_refuse()
            raise
        if not agreed:
            on_refuse()
        return agreed
