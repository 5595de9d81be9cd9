"""One run of a deploy command: the provider, the reporter and the waiter, plus the steps that several
commands share (settling the stack's state, making a change set, confirming)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ._errors import DeployError, DeployInterrupted
from ._failure import root_cause
from ._nested import package
from ._progress import Backoff, Waiter
from ._provider import ChangeSet
from ._states import GONE, REVIEW, Action, advice, decide
from ._template import INLINE_LIMIT, Template, capabilities, resolve_parameters
from ._view import Reporter

if TYPE_CHECKING:
    from ._provider import Provider, StackInfo

__all__ = ["EXECUTED", "Session", "new_token", "open_session"]

Confirm = Callable[[str], bool]
#: a change set's ExecutionStatus once CloudFormation has taken the execute request
EXECUTED = frozenset({"EXECUTE_IN_PROGRESS", "EXECUTE_COMPLETE", "EXECUTE_FAILED"})


def new_token(kind: str) -> str:
    """A fresh client token for one operation (CloudFormation: ``[a-zA-Z0-9][-a-zA-Z0-9]*``, ≤ 128).

    botocore sends the same request, token included, on its own retries, so one operation runs once."""
    return f"ecsstack-{kind}-{uuid.uuid4().hex}"


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
    in_review: bool = False  # the stack to create already exists, in REVIEW_IN_PROGRESS

    def wait(self, stack_id: str, name: str, title: str, total: int, **kw: Any) -> StackInfo | None:
        """Wait with progress; Ctrl-C becomes ``DeployInterrupted`` with how to follow the stack. When the
        stream follows our own operation (a token), a lost connection says that the operation goes on."""
        try:
            return self.waiter.wait(stack_id, title, total, **kw)
        except KeyboardInterrupt:
            raise DeployInterrupted(name) from None
        except DeployError as exc:
            stream = kw.get("stream")
            token = getattr(stream, "token", None)
            if not token:
                raise
            raise DeployError(f"{exc.message} The request was accepted: the stack {name} keeps changing in AWS.",
                              f"Follow it with `ecsstack status --stack-name {name}` (its events carry "
                              f"ClientRequestToken {token}); a later deploy waits for it to finish.") from exc

    def execute(self, cs: ChangeSet, name: str, token: str, *, creating: bool) -> None:
        """Execute the change set once (``token``). Ctrl-C or a lost answer is resolved by asking
        CloudFormation whether the change set runs: if it does, return and follow it; if not, clean up and
        say that nothing changed; if nobody can tell, say how to find out."""
        follow = (f"`ecsstack status --stack-name {name}` (this deploy's events carry ClientRequestToken "
                  f"{token})")
        try:
            self.provider.execute_change_set(cs, token)
        except KeyboardInterrupt:
            state = self._execution_status(cs)
            if state in EXECUTED:
                hint = (f"Interrupted after CloudFormation accepted the execute request (the change set is "
                        f"{state}): the stack {name} keeps changing in AWS. Follow it with {follow}; a later "
                        f"deploy waits for it to finish.")
            elif state is None:
                hint = (f"Interrupted while the execute request was being sent: whether CloudFormation received "
                        f"it is unknown. Look with {follow}: a stack in progress means it did; otherwise deploy "
                        f"again.")
            else:
                self._discard_quietly(cs, creating)
                hint = (f"Interrupted before CloudFormation executed the change set (it was {state}): nothing "
                        f"changed, and the change set was deleted.")
            raise DeployInterrupted(name, hint) from None
        except DeployError as exc:
            state = self._execution_status(cs)
            if state in EXECUTED:
                self.reporter.warn(f"{exc.message} CloudFormation has the change set {state} all the same "
                                   f"(the answer was lost on the way): following it.")
                return
            info = self.provider.describe_stack(cs.stack_id) if state is not None else None
            stack_state = info.status if info else "unknown"
            if state is None:
                raise DeployError(f"{exc.message} Whether CloudFormation received the execute request is "
                                  f"unknown (the change set cannot be read either).",
                                  f"Look with {follow}: a stack in progress means it did; deploying again is "
                                  f"safe, it waits for an operation in progress.") from exc
            self._discard_quietly(cs, creating)
            outcome = "the stack was not created" if creating and stack_state == REVIEW else "nothing changed"
            raise DeployError(f"{exc.message} The stack {name} is now {stack_state}; the change set was not "
                              f"executed ({state}), so {outcome}.",
                              "Fix the cause and deploy again." if creating else advice(stack_state, name)) from exc

    def _execution_status(self, cs: ChangeSet) -> str | None:
        try:
            return self.provider.execution_status(cs)
        except KeyboardInterrupt:  # a second Ctrl-C: stop asking
            return None

    def _discard_quietly(self, cs: ChangeSet, creating: bool) -> None:
        with suppress(DeployError, KeyboardInterrupt):
            self.discard(cs, creating)

    def settle(self, name: str, *, recreate_failed: bool, total: int, recover: bool = True) -> StackInfo | None:
        """Bring the stack to a state a change set can target: the stack to UPDATE, or ``None`` to CREATE.
        A stack in REVIEW_IN_PROGRESS is a CREATE target (``in_review``); ``recover`` deletes its stale
        change sets first.

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
            if decision.action is Action.RECOVER:
                assert info is not None
                self.in_review = True
                if recover:
                    self.recover_review(info)
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
                token = new_token("delete")
                stream = self.waiter.stream(info.stack_id, token=token)
                self.provider.delete_stack(info.stack_id, token)
                gone = self.wait(info.stack_id, name, f"deleting {name}", total, stream=stream)
                if gone is not None and gone.status != GONE:
                    raise DeployError(f"could not delete the failed stack {name}: it is {gone.status}.",
                                      f"Inspect it with `ecsstack status --stack-name {name}`.")
            else:
                raise DeployError(f"cannot deploy to stack {name}: it is {status}.", decision.advice)
        raise DeployError(f"stack {name} kept changing state; try again later.")

    def recover_review(self, info: StackInfo) -> None:
        """A stack in REVIEW_IN_PROGRESS without resources holds only change sets nobody executed (an
        interrupted deploy): delete them, so that a new CREATE change set can go on."""
        stale = [c for c in self.provider.change_sets(info.stack_id)
                 if c.get("ExecutionStatus") not in EXECUTED]
        names = ", ".join(str(c.get("ChangeSetName")) for c in stale) or "none left"
        self.reporter.say(f"The stack {info.name} is REVIEW_IN_PROGRESS: an earlier deploy made a change set and "
                          f"never executed it. Deleting the stale change set(s) ({names}) and creating the stack.")
        for c in stale:
            self.provider.delete_change_set(ChangeSet(c.get("ChangeSetId") or "", info.stack_id))

    def change_set(self, name: str, template: Template, previous: StackInfo | None, *,
                   parameters: Mapping[str, str], tags: Mapping[str, str] | None, s3_bucket: str | None,
                   extra_capabilities: tuple[str, ...] = (), token: str | None = None,
                   include_nested: bool = False) -> ChangeSet:
        """Create the change set (CREATE when ``previous`` is None) and wait until it is computed;
        ``include_nested``: with a change set for every nested stack (IncludeNestedStacks)."""
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
            description="created by ecsstack", client_token=token or new_token("changeset"),
            include_nested=include_nested)
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
                self.provider.delete_stack(change_set.stack_id, new_token("delete"))

    def package(self, name: str, template: Template, children: Mapping[str, Template],
                s3_bucket: str | None) -> Template:
        """``template`` with its nested stacks' templates uploaded and named by their S3 URLs."""
        packaged, urls = package(template, children, self.provider, name, s3_bucket)
        for child, url in urls.items():
            self.reporter.say(f"nested stack {child}: template uploaded to {url}")
        return packaged

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
