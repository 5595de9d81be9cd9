"""The deploy API: ``deploy``, ``diff``, ``destroy``, ``status``, ``outputs``. The CLI is a thin wrapper;
each function works from Python, prints through a rich console and returns a result object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import _history as _hist
from . import _template
from ._changes import RETAINING_POLICIES, find_risks
from ._errors import DataLossError, DeployError, LintError
from ._failure import root_cause
from ._nested import nested_risks, source_of
from ._propdiff import template_diff
from ._results import DeployResult, DestroyResult, DiffResult, Outcome, StatusResult
from ._session import Confirm, Session, new_token, open_session
from ._states import GONE, IN_PROGRESS, SUCCESS, advice
from ._template import (
    KeptDefault,
    Template,
    check_limits,
    check_parameter_names,
    check_stack_name,
    kept_defaults,
    parameter_changes,
)

if TYPE_CHECKING:
    from rich.console import Console

    from ._progress import Backoff
    from ._provider import Provider, StackInfo

__all__ = ["deploy", "destroy", "diff", "outputs", "status"]

_HEALTHY = SUCCESS | {"UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}


def _lint(template: Template, session: Session) -> None:
    from ..lint import lint_template

    findings = lint_template(template.body)
    if any(f.is_error for f in findings):
        raise LintError(findings)
    for f in findings:
        session.reporter.warn(f"cfn-lint {f}")


def _finish(session: Session, result: DeployResult, template: Template) -> DeployResult:
    """Fill in outputs and resources (with physical ids) and print them."""
    info = session.provider.describe_stack(result.stack_id or result.stack_name)
    if info is not None:
        result.status, result.outputs = info.status, dict(info.outputs)
        result.resources = session.provider.resources(info.stack_id)
    session.reporter.outputs(result.outputs, declared=sorted(template.data.get("Outputs") or {}))
    session.reporter.resources(result.resources)
    return result


def deploy(template: Any, stack_name: str | None = None, *, parameters: Mapping[str, str] | None = None,
           tags: Mapping[str, str] | None = None, yes: bool = False, confirm: Confirm | None = None,
           force_new_deployment: bool = False, recreate_failed: bool = False, allow_replace: bool = False,
           s3_bucket: str | None = None, termination_protection: bool = False,
           capabilities: tuple[str, ...] = (), lint: bool = True,
           history: bool = True, description: str | None = None,
           region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
           timeout: float | None = None,
           provider: Provider | None = None, console: Console | None = None,
           sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
           backoff: Backoff | None = None) -> DeployResult:
    """Deploy ``template`` (a dict, JSON or YAML text, or a template file's path) to ``stack_name``
    through a change set. A template file names the stack after its stem unless ``stack_name`` is given;
    an ``ecsstack.Stack`` or a blueprint's ``.py`` path is refused (``UsageError``): synthesize it first.

    Chooses CREATE or UPDATE from the stack's state (waiting for one in progress), shows the changes and
    a property-level diff, stops before removing or replacing data-bearing resources unless
    ``allow_replace``, asks ``confirm`` unless ``yes``, executes, streams progress and returns a
    ``DeployResult`` (``.ok`` is False when the stack failed; ``.failure`` holds the root cause).
    Raises ``DeployError`` (and subclasses) for everything that stops a deploy before it starts.

    ``history`` (Default True): once the stack is created or updated, record the deploy (template, parameters,
    who, when, images, changes, ``description``) where the stack's ``ecsstack:history`` tag says, else in
    ``s3_bucket`` or the default template bucket (and tag the stack with where), the last 20 per stack
    (``ecsstack.deploy.history`` lists them, ``rollback`` redeploys one). A record that cannot be written is a
    warning, never a failed deploy.
    """
    tpl, name, children = source_of(template, stack_name)
    given = dict(parameters or {})
    check_parameter_names(tpl, given)
    if force_new_deployment:
        tpl = _template.force_new_deployment(tpl)  # the module's: the argument shadows the name
        children = {k: _template.force_new_deployment(c) for k, c in children.items()}
    check_limits(tpl)
    session = open_session(region=region, profile=profile, endpoint_url=endpoint_url, provider=provider,
                           console=console, sleep=sleep, clock=clock, backoff=backoff, timeout=timeout)
    if lint:
        for one in (tpl, *children.values()):
            _lint(one, session)
    provider, reporter = session.provider, session.reporter

    previous = session.settle(name, recreate_failed=recreate_failed, total=len(tpl.resources))
    creating = previous is None
    if children:
        tpl = session.package(name, tpl, children, s3_bucket)
    records = _history_location(session, name, previous, s3_bucket) if history else None
    if records is not None:
        tags = _hist.history_tags(records, tags, previous)
    cs = session.change_set(name, tpl, previous, parameters=given, tags=tags, s3_bucket=s3_bucket,
                            extra_capabilities=capabilities,
                            include_nested=bool(children))
    if cs.no_changes:
        provider.delete_change_set(cs)
        reporter.markup(f"[bold green]no changes[/]: stack {name} is up to date.")
        kept = _kept_defaults(session, tpl, given, previous, cs.stack_id)
        _protect(session, name, termination_protection)
        return _finish(session, DeployResult(name, Outcome.NO_CHANGES, stack_id=cs.stack_id,
                                             kept_defaults=kept), tpl)

    old = None if creating else provider.get_template(cs.stack_id)
    reporter.changes(name, cs.changes, creating)
    kept = []
    if not creating:
        reporter.parameter_changes(parameter_changes(tpl, given, previous.parameters))
        reporter.template_diff(template_diff(old, tpl.data))
        kept = _kept_defaults(session, tpl, given, previous, cs.stack_id, old)
    risks = find_risks(cs.changes, old, tpl.data) + nested_risks(provider, cs, children)
    reporter.risks(risks)
    if risks and not allow_replace:
        session.discard(cs, creating)
        raise DataLossError(name, risks)
    if not session.confirm(f"Deploy these changes to {name}?", yes=yes, confirm=confirm,
                           on_refuse=lambda: session.discard(cs, creating), what="deploy"):
        reporter.say("Cancelled; nothing was changed.")
        return DeployResult(name, Outcome.CANCELLED, changes=list(cs.changes))

    token = new_token("execute")
    stream = session.waiter.stream(cs.stack_id, token=token)
    session.execute(cs, name, token, creating=creating)
    total = len(tpl.resources) if creating else len(cs.changes)
    final = session.wait(cs.stack_id, name, name, total, stream=stream)
    state = final.status if final else GONE
    if stream.foreign and not stream.own and stream.tokens_reported:
        raise DeployError(f"the stack {name} is {state}, but from another operation (ClientRequestToken "
                          f"{', '.join(sorted(stream.foreign))}), not from this deploy ({token}): CloudFormation "
                          f"shows no event of this deploy's change set.",
                          f"Look with `ecsstack status --stack-name {name}`, then deploy again.")
    if state in SUCCESS:
        _protect(session, name, termination_protection)
        reporter.markup(f"[bold green]Stack {name} {'created' if creating else 'updated'}[/] ({state}).")
        outcome = Outcome.CREATED if creating else Outcome.UPDATED
        result = _finish(session, DeployResult(name, outcome, stack_id=cs.stack_id, changes=list(cs.changes),
                                               kept_defaults=kept), tpl)
        if records is not None:
            _record(session, records, name, tpl, outcome, cs.changes, description or "")
        return result
    failure = root_cause(provider, cs.stack_id, token=token)
    next_step = advice(state, name)
    reporter.failure(failure, state, next_step)
    return DeployResult(name, Outcome.FAILED, state, cs.stack_id, list(cs.changes), failure=failure,
                        next_step=next_step)


def _history_location(session: Session, name: str, previous: StackInfo | None,
                      s3_bucket: str | None) -> _hist.Location | None:
    """Where this deploy will record itself; None (with a warning) when that cannot be told."""
    found = _hist.safely(lambda: _hist.where(session.provider, name, previous, s3_bucket),
                         lambda why: session.reporter.warn(f"this deploy will not be recorded in the history: {why}"))
    return found if isinstance(found, _hist.Location) else None


def _record(session: Session, location: _hist.Location, name: str, template: Template, outcome: Outcome,
            changes: Any, description: str) -> None:
    def warn(why: str) -> None:
        session.reporter.warn(f"the deploy succeeded but was not recorded in the history: {why}")

    try:
        entry = _hist.safely(lambda: _hist.record(session.provider, location, stack_name=name, template=template,
                                                  outcome=str(outcome), changes=changes, description=description),
                             warn)
    except KeyboardInterrupt:  # the stack is deployed: Ctrl-C only skips the record
        warn("interrupted.")
        return
    if isinstance(entry, _hist.HistoryEntry):
        session.reporter.say(f"Recorded as deploy {entry.number} in {location.uri} "
                             f"(`ecsstack history --stack-name {name}`).")


def _kept_defaults(session: Session, template: Template, given: Mapping[str, str], previous: StackInfo | None,
                   stack_id: str, deployed: dict[str, Any] | None = None) -> list[KeptDefault]:
    """Say which parameters keep their deployed value although the template's default changed (an
    update passes UsePreviousValue for parameters not given), with the option that applies the new one."""
    if previous is None or not any(n not in given and n in previous.parameters and "Default" in spec
                                   for n, spec in template.parameters.items()):
        return []
    if deployed is None:
        deployed = session.provider.get_template(stack_id)
    kept = kept_defaults(template, given, previous.parameters, deployed)
    session.reporter.kept_defaults(kept)
    return kept


def _protect(session: Session, name: str, wanted: bool) -> None:
    if not wanted:
        return
    info = session.provider.describe_stack(name)
    if info is not None and not info.termination_protection:
        session.provider.set_termination_protection(info.stack_id, True)
        session.reporter.say(f"Termination protection enabled on {name}.")


def diff(template: Any, stack_name: str | None = None, *, parameters: Mapping[str, str] | None = None,
         s3_bucket: str | None = None, region: str | None = None, profile: str | None = None,
         endpoint_url: str | None = None, timeout: float | None = None, provider: Provider | None = None,
         console: Console | None = None,
         sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
         backoff: Backoff | None = None) -> DiffResult:
    """Show what deploying ``template`` (as for ``deploy``) would change, through a change set that is
    then deleted."""
    tpl, name, children = source_of(template, stack_name)
    given = dict(parameters or {})
    check_parameter_names(tpl, given)
    check_limits(tpl)
    session = open_session(region=region, profile=profile, endpoint_url=endpoint_url, provider=provider,
                           console=console, sleep=sleep, clock=clock, backoff=backoff, timeout=timeout)
    previous = session.settle(name, recreate_failed=False, total=len(tpl.resources), recover=False)
    creating = previous is None
    if children:
        tpl = session.package(name, tpl, children, s3_bucket)
    cs = session.change_set(name, tpl, previous, parameters=given, tags=None, s3_bucket=s3_bucket,
                            include_nested=bool(children))
    try:
        if cs.no_changes:
            session.reporter.markup(f"[bold green]no changes[/]: stack {name} is up to date.")
            kept = _kept_defaults(session, tpl, given, previous, cs.stack_id)
            return DiffResult(name, not creating, True, kept_defaults=kept)
        old = None if creating else session.provider.get_template(cs.stack_id)
        entries = template_diff(old, tpl.data)
        session.reporter.changes(name, cs.changes, creating)
        kept = []
        if not creating:
            session.reporter.parameter_changes(parameter_changes(tpl, given, previous.parameters))
            session.reporter.template_diff(entries)
            kept = _kept_defaults(session, tpl, given, previous, cs.stack_id, old)
        risks = find_risks(cs.changes, old, tpl.data) + nested_risks(session.provider, cs, children)
        session.reporter.risks(risks)
        return DiffResult(name, not creating, False, list(cs.changes), entries, risks, kept)
    finally:
        session.discard(cs, creating and not session.in_review)  # a diff leaves a stack in review as it was


def destroy(stack_name: str, *, yes: bool = False, confirm: Confirm | None = None,
            region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
            timeout: float | None = None,
            provider: Provider | None = None, console: Console | None = None,
            sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
            backoff: Backoff | None = None) -> DestroyResult:
    """Delete the stack (after confirmation), streaming progress. Resources with a retaining
    DeletionPolicy (log groups, file systems) are kept by CloudFormation and listed."""
    check_stack_name(stack_name, arn_ok=True)
    session = open_session(region=region, profile=profile, endpoint_url=endpoint_url, provider=provider,
                           console=console, sleep=sleep, clock=clock, backoff=backoff, timeout=timeout)
    provider, reporter = session.provider, session.reporter
    info = provider.describe_stack(stack_name)
    if info is not None and info.status in IN_PROGRESS:
        reporter.say(f"The stack {stack_name} is {info.status}; waiting for it to settle.")
        info = session.wait(info.stack_id, stack_name, f"{stack_name} (waiting)", 1)
    if info is None or info.status == GONE:
        reporter.say(f"Stack {stack_name} does not exist; nothing to destroy.")
        return DestroyResult(stack_name, Outcome.NOT_FOUND)
    if info.termination_protection:
        raise DeployError(f"stack {stack_name} has termination protection enabled; nothing was deleted.",
                          f"If you really mean it: `aws cloudformation update-termination-protection "
                          f"--no-enable-termination-protection --stack-name {stack_name}`, "
                          f"then destroy again.")
    try:
        resources = provider.resources(info.stack_id)
    except DeployError as exc:  # informational only: deleting may still work
        reporter.warn(f"could not list the resources: {exc}")
        resources = []
    deployed = provider.get_template(info.stack_id).get("Resources") or {}
    retained = sorted(k for k, v in deployed.items() if v.get("DeletionPolicy") in RETAINING_POLICIES)
    reporter.markup(f"[bold]Destroying {stack_name}[/] ({info.status}): {len(resources)} resource"
                    f"{'s' if len(resources) != 1 else ''}.")
    if retained:
        reporter.say(f"Kept after deletion (DeletionPolicy Retain/Snapshot): {', '.join(retained)}")
    if not session.confirm(f"Delete stack {stack_name}?", yes=yes, confirm=confirm, on_refuse=lambda: None,
                           what="destroy"):
        reporter.say("Cancelled; nothing was deleted.")
        return DestroyResult(stack_name, Outcome.CANCELLED, info.status, retained)
    token = new_token("delete")
    stream = session.waiter.stream(info.stack_id, token=token)
    provider.delete_stack(info.stack_id, token)
    final = session.wait(info.stack_id, stack_name, f"deleting {stack_name}", len(resources), stream=stream)
    state = final.status if final else GONE
    if state == GONE:
        reporter.markup(f"[bold green]{stack_name}: deleted[/]")
        return DestroyResult(stack_name, Outcome.DELETED, state, retained)
    failure = root_cause(provider, info.stack_id, token=token)
    next_step = advice(state, stack_name)
    reporter.failure(failure, state, next_step)
    return DestroyResult(stack_name, Outcome.FAILED, state, retained, failure, next_step)


def status(stack_name: str, *, events: int = 10, revisions: int = 5, region: str | None = None,
           profile: str | None = None, endpoint_url: str | None = None, timeout: float | None = None,
           provider: Provider | None = None, console: Console | None = None) -> StatusResult:
    """The stack's state, its last ``events`` events, its outputs and, if it failed, the root cause; and per ECS
    service (``.services``) the task-definition revision it runs with its images, up to ``revisions`` earlier
    revisions of the family (Default 5; 0 lists none) and the deployment in progress. ECS answering nothing
    (no permission) is a warning, never a failed status."""
    from ._events import StackEvent

    check_stack_name(stack_name, arn_ok=True)

    session = open_session(region=region, profile=profile, endpoint_url=endpoint_url, provider=provider,
                           console=console, sleep=None, clock=None, backoff=None, timeout=timeout)
    provider, reporter = session.provider, session.reporter
    info = provider.describe_stack(stack_name)
    if info is None:
        reporter.say(f"Stack {stack_name} does not exist (region {provider.region}).")
        return StatusResult(stack_name, False)
    recent = []
    for raw in provider.events(info.stack_id):
        recent.append(StackEvent.from_api(raw))
        if len(recent) >= events:
            break
    result = StatusResult(stack_name, True, info.status, info.reason, info.termination_protection,
                          list(reversed(recent)), dict(info.outputs))
    reason = f" ({info.reason})" if info.reason else ""
    protected = "  [termination protection on]" if info.termination_protection else ""
    reporter.say(f"Stack {stack_name}: {info.status}{reason}{protected}")
    if result.events:
        reporter.markup("[bold]Last events[/]")
        for e in result.events:
            reporter.event(e)
    reporter.outputs(result.outputs)
    _services(session, info.stack_id, result, revisions)
    if info.status not in _HEALTHY and info.status not in IN_PROGRESS:
        result.failure = root_cause(provider, info.stack_id)
        result.next_step = advice(info.status, stack_name)
        reporter.failure(result.failure, info.status, result.next_step)
    elif info.status in ("UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"):
        result.failure = root_cause(provider, info.stack_id)
        result.next_step = advice(info.status, stack_name)
        reporter.failure(result.failure, None, result.next_step)
    return result


def _services(session: Session, stack_id: str, result: StatusResult, previous: int) -> None:
    from ._revisions import service_revisions, show

    try:
        result.services = service_revisions(session.provider, session.provider.resources(stack_id),
                                            previous=previous)
    except DeployError as exc:  # ECS (or listing resources) refused: the stack's status stands on its own
        session.reporter.warn(f"ECS services not shown: {exc.message}")
        return
    show(session.reporter, result.services)


def outputs(stack_name: str, *, region: str | None = None, profile: str | None = None,
            endpoint_url: str | None = None, timeout: float | None = None,
            provider: Provider | None = None) -> dict[str, str]:
    """The stack's outputs as a dict; ``DeployError`` if there is no such stack."""
    check_stack_name(stack_name, arn_ok=True)
    if provider is None:
        from ._provider import Provider

        provider = Provider(region=region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)
    info = provider.describe_stack(stack_name)
    if info is None:
        raise DeployError(f"stack {stack_name} does not exist (region {provider.region}).")
    return dict(info.outputs)
