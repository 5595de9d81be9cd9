"""``history`` and ``rollback``: the deploy records of a stack (``_history``), listed, and one of them deployed
again through the same change-set path as ``deploy`` (diff, data-loss guard, confirmation), so the stack's
template stays the truth and the rollback is itself recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._api import deploy
from ._errors import DeployError
from ._history import HistoryEntry, location_of, pick, read_entries
from ._session import Confirm, open_session
from ._template import MASK, check_stack_name

if TYPE_CHECKING:
    from rich.console import Console

    from ._progress import Backoff
    from ._provider import Provider
    from ._results import DeployResult
    from ._session import Session

__all__ = ["history", "rollback"]


def _entries(session: Session, stack_name: str) -> tuple[list[HistoryEntry], Any]:
    info = session.provider.describe_stack(stack_name)
    if info is None:
        raise DeployError(f"stack {stack_name} does not exist (region {session.provider.region}).")
    location = location_of(info)
    entries = read_entries(session.provider, location)
    deployed = session.provider.get_template(info.stack_id)
    for entry in reversed(entries):  # the newest record that matches what the stack has now
        try:
            same = json.loads(entry.template) == deployed
        except json.JSONDecodeError:
            same = False
        recorded = {k: v for k, v in entry.parameters.items() if v != MASK}
        if same and all(info.parameters.get(k) == v for k, v in recorded.items()):
            entry.deployed = True
            break
    return entries, location


def history(stack_name: str, *, region: str | None = None, profile: str | None = None,
            endpoint_url: str | None = None, timeout: float | None = None, provider: Provider | None = None,
            console: Console | None = None) -> list[HistoryEntry]:
    """The stack's deploy records, oldest first (the last 20 deploys), printed as a table: number, when, who,
    images, what changed; the record the stack runs now is marked. ``DeployError`` when the stack does not exist
    or has no history (no ``ecsstack:history`` tag, or the bucket cannot be read)."""
    check_stack_name(stack_name, arn_ok=True)
    session = open_session(region=region, profile=profile, endpoint_url=endpoint_url, provider=provider,
                           console=console, sleep=None, clock=None, backoff=None, timeout=timeout)
    entries, location = _entries(session, stack_name)
    say = session.reporter.say
    if not entries:
        say(f"Stack {stack_name}: no deploy recorded yet in {location.uri}.")
        return entries
    session.reporter.markup(f"[bold]Deploy history of {stack_name}[/] ({location.uri})")
    for e in entries:
        mark = "*" if e.deployed else " "
        note = f"  [{e.description}]" if e.description else ""
        say(f"{mark}{e.number:>4}  {e.when}  {e.who}  {e.summary}{note}")
        images = sorted(set(e.images.values()))
        if images:
            say(f"        images: {', '.join(images)}")
    if any(e.deployed for e in entries):
        say("* the template and parameters the stack has now")
    return entries


def rollback(stack_name: str, *, to: int | None = None, yes: bool = False, confirm: Confirm | None = None,
             allow_replace: bool = False, s3_bucket: str | None = None, lint: bool = True,
             region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
             timeout: float | None = None, provider: Provider | None = None, console: Console | None = None,
             sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
             backoff: Backoff | None = None) -> DeployResult:
    """Deploy again the template and parameters of record ``to`` (Default: the record before the newest) of the
    stack's history, through ``deploy``: the changes and the property diff are shown, the data-loss guard applies
    (``allow_replace``), ``confirm`` is asked unless ``yes``, and the rollback is recorded as a new entry
    (``rollback to N``). NoEcho parameters keep their deployed value. ``s3_bucket``: for a template over 51,200
    bytes (the new record goes where the stack's ``ecsstack:history`` tag says). Raises ``DeployError`` when
    there is no history, and ``UsageError`` when ``to`` is not a kept record."""
    check_stack_name(stack_name, arn_ok=True)
    if provider is None:
        from ._provider import Provider

        provider = Provider(region=region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)
    session = open_session(region=None, profile=None, endpoint_url=None, provider=provider, console=console,
                           sleep=None, clock=None, backoff=None)
    entries, _ = _entries(session, stack_name)
    target = pick(entries, to)
    newest = entries[-1].number if entries else 0
    session.reporter.markup(f"[bold]Rolling {stack_name} back to deploy {target.number}[/] of {target.when} by "
                            f"{target.who} (newest: {newest}).")
    given = target.rollback_parameters()
    masked = sorted(k for k, v in target.parameters.items() if v == MASK)
    if masked:
        session.reporter.say(f"NoEcho parameters keep their deployed value: {', '.join(masked)}.")
    result = deploy(target.template, stack_name, parameters=given, yes=yes, confirm=confirm,
                    allow_replace=allow_replace, s3_bucket=s3_bucket, lint=lint, history=True,
                    description=f"rollback to {target.number}", provider=provider, console=console,
                    sleep=sleep, clock=clock, backoff=backoff)
    return result
