"""Roll a template out across accounts and regions with a CloudFormation StackSet: ``rollout`` creates or
updates the set and its stack instances, ``rollout_status`` shows them, ``rollout_destroy`` deletes
instances first and then the set.

Every mutating call carries an idempotency token (``ClientRequestToken`` / ``OperationId``: botocore resends
the same one on retries, so one operation runs once); every call has the provider's timeouts. Operations are
followed per stack instance (``list_stack_set_operation_results``) until they end; Ctrl-C leaves the
operation running in AWS and says how to follow it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from rich.markup import escape

from ..environments import DEFAULT_ADMINISTRATION_ROLE, DEFAULT_EXECUTION_ROLE
from ._changes import DATA_BEARING_TYPES, RETAINING_POLICIES, ResourceChange, find_risks
from ._errors import DataLossError, DeployError, DeployInterrupted, UsageError
from ._propdiff import template_diff
from ._provider import aws_errors
from ._session import Confirm, new_token
from ._template import capabilities, check_limits, check_parameter_names, template_of
from ._view import Reporter

if TYPE_CHECKING:
    from rich.console import Console

    from ..environments import Rollout
    from ._provider import Provider

__all__ = ["InstanceResult", "RolloutResult", "Targets", "rollout", "rollout_destroy", "rollout_status"]

#: a StackSet operation still under way
RUNNING = frozenset({"RUNNING", "QUEUED", "STOPPING"})
_STYLE = {"SUCCEEDED": "green", "FAILED": "bold red", "CANCELLED": "yellow", "RUNNING": "cyan", "PENDING": "dim",
          "CURRENT": "green", "OUTDATED": "yellow", "INOPERABLE": "bold red"}


@dataclass(frozen=True)
class Targets:
    """Where the instances go: ``accounts`` (self-managed) or ``organizational_units`` (service-managed), times
    ``regions``; ``overrides(account, region)`` gives the parameter overrides of one instance."""

    regions: tuple[str, ...]
    accounts: tuple[str, ...] = ()
    organizational_units: tuple[str, ...] = ()
    overrides: Callable[[str, str], Mapping[str, str]] = field(default=lambda a, r: {}, compare=False)

    @classmethod
    def of(cls, rollout: Rollout, accounts: Sequence[str] = (), regions: Sequence[str] = ()) -> Targets:
        return cls(tuple(regions) or rollout.regions, tuple(accounts) or rollout.accounts,
                   () if accounts else rollout.organizational_units, rollout.overrides_for)

    def instances(self) -> list[tuple[str, str]]:
        return [(a, r) for a in self.accounts for r in self.regions]


@dataclass
class InstanceResult:
    """One stack instance after an operation: ``status`` (SUCCEEDED, FAILED, CANCELLED...) and ``reason``."""

    account: str
    region: str
    status: str
    reason: str = ""


@dataclass
class RolloutResult:
    """What a rollout did: the StackSet, the operations run (ids) and each instance's final result."""

    stack_set: str
    created: bool = False
    operations: list[str] = field(default_factory=list)
    instances: list[InstanceResult] = field(default_factory=list)
    cancelled: bool = False
    no_changes: bool = False

    @property
    def failed(self) -> list[InstanceResult]:
        return [i for i in self.instances if i.status not in ("SUCCEEDED", "CURRENT")]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled


def _parse(body: str | None) -> dict[str, Any] | None:
    """A StackSet's TemplateBody (JSON or YAML) as data; ``None`` when it cannot be read."""
    if not body:
        return None
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        import yaml

        try:
            data = yaml.safe_load(body)
        except yaml.YAMLError:
            return None
    return data if isinstance(data, dict) else None


def _params(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]


class StackSets:
    """The StackSet calls, with the reporter and the operation follower."""

    def __init__(self, provider: Provider, reporter: Reporter, name: str, *, call_as: str = "SELF",
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 poll: float = 5.0, operation_timeout: float = 3600.0):
        self.provider, self.reporter, self.name = provider, reporter, name
        self.call_as, self.sleep, self.clock, self.poll = call_as, sleep, clock, poll
        self.operation_timeout = operation_timeout

    @property
    def cfn(self) -> Any:
        return self.provider.cfn

    def _kw(self) -> dict[str, Any]:
        return {"StackSetName": self.name, **({"CallAs": self.call_as} if self.call_as != "SELF" else {})}

    def describe(self) -> dict[str, Any] | None:
        try:
            answer = self.cfn.describe_stack_set(**self._kw())["StackSet"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "StackSetNotFoundException":
                return None
            with aws_errors(f"describing StackSet {self.name}"):
                raise
        return None if answer.get("Status") == "DELETED" else answer

    def instances(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        with aws_errors(f"listing the stack instances of {self.name}"):
            for page in self.cfn.get_paginator("list_stack_instances").paginate(**self._kw()):
                found.extend(page.get("Summaries") or [])
        return found

    def instance_overrides(self, account: str, region: str) -> dict[str, str]:
        with aws_errors(f"describing stack instance {account}/{region}"):
            answer = self.cfn.describe_stack_instance(StackInstanceAccount=account, StackInstanceRegion=region,
                                                      **self._kw())["StackInstance"]
        return {p["ParameterKey"]: p.get("ParameterValue", "") for p in answer.get("ParameterOverrides") or []}

    def results(self, operation: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        with aws_errors(f"listing the results of operation {operation}"):
            for page in self.cfn.get_paginator("list_stack_set_operation_results").paginate(
                    OperationId=operation, **self._kw()):
                found.extend(page.get("Summaries") or [])
        return found

    def operation_status(self, operation: str) -> tuple[str, str]:
        with aws_errors(f"describing operation {operation}"):
            op = self.cfn.describe_stack_set_operation(OperationId=operation, **self._kw())["StackSetOperation"]
        return op.get("Status", ""), op.get("StatusReason") or ""

    def follow(self, operation: str, what: str, result: RolloutResult) -> list[InstanceResult]:
        """Poll the operation until it ends, printing each instance's status as it changes; return the final
        result per instance. Ctrl-C: ``DeployInterrupted`` saying the operation goes on and how to follow it."""
        result.operations.append(operation)
        self.reporter.markup(f"[bold]{escape(what)}[/] (operation {escape(operation)})")
        seen: dict[tuple[str, str], tuple[str, str]] = {}
        deadline = self.clock() + self.operation_timeout
        try:
            while True:
                status, reason = self.operation_status(operation)
                for r in self.results(operation):
                    key = (r.get("Account", "?"), r.get("Region", "?"))
                    now = (r.get("Status", ""), r.get("StatusReason") or "")
                    if seen.get(key) != now:
                        seen[key] = now
                        style = _STYLE.get(now[0], "")
                        why = f"  {escape(now[1])}" if now[1] else ""
                        self.reporter.markup(f"  {key[0]} {key[1]:<15} [{style}]{now[0]}[/]{why}")
                if status not in RUNNING:
                    break
                if self.clock() > deadline:
                    raise DeployError(f"operation {operation} on StackSet {self.name} is still {status} after "
                                      f"{self.operation_timeout:.0f} s; it goes on in AWS.",
                                      f"Follow it with `ecsstack rollout status --stack-set-name {self.name} "
                                      f"--operation-id {operation}`.")
                self.sleep(self.poll)
        except KeyboardInterrupt:
            raise DeployInterrupted(self.name, f"Interrupted; the StackSet operation {operation} keeps running in "
                                               f"AWS (Ctrl-C does not stop it). Follow it with `ecsstack rollout "
                                               f"status --stack-set-name {self.name} --operation-id {operation}`; "
                                               f"stop it with `aws cloudformation stop-stack-set-operation "
                                               f"--stack-set-name {self.name} --operation-id {operation}`.") from None
        final = [InstanceResult(a, r, s, why) for (a, r), (s, why) in sorted(seen.items())]
        style = "bold green" if status == "SUCCEEDED" else "bold red"
        self.reporter.markup(f"[{style}]{escape(what)}: {status}[/]" + (f" ({escape(reason)})" if reason else ""))
        for failed in (i for i in final if i.status == "FAILED"):
            self.reporter.markup(f"[bold red]root cause[/] {failed.account}/{failed.region}: "
                                 f"{escape(failed.reason or 'no reason given')}")
        if status != "SUCCEEDED" and not final:
            final = [InstanceResult("-", "-", status, reason)]
        result.instances = [i for i in result.instances if (i.account, i.region) not in
                            {(f.account, f.region) for f in final}] + final
        return final

    def run(self, call: str, what: str, result: RolloutResult, **kw: Any) -> list[InstanceResult]:
        """Start an operation (a fresh OperationId, resent unchanged by retries) and follow it."""
        token = new_token("op")
        with aws_errors(f"{what} (StackSet {self.name})"):
            answer = getattr(self.cfn, call)(OperationId=token, **self._kw(), **kw)
        return self.follow(answer.get("OperationId") or token, what, result)


def _fake_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[ResourceChange]:
    """Resource changes from two templates (a StackSet has no change sets): Remove, Add, Modify."""
    before, after = (old or {}).get("Resources") or {}, new.get("Resources") or {}
    changes = [ResourceChange("Remove", k, v.get("Type", "")) for k, v in sorted(before.items()) if k not in after]
    changes += [ResourceChange("Add", k, v.get("Type", "")) for k, v in sorted(after.items()) if k not in before]
    changes += [ResourceChange("Modify", k, v.get("Type", "")) for k, v in sorted(after.items())
                if k in before and before[k] != v]
    return changes


def _confirm(question: str, yes: bool, confirm: Confirm | None, what: str) -> bool:
    if yes:
        return True
    if confirm is None:
        raise DeployError(f"refusing to {what} without confirmation: there is no terminal to ask on.",
                          "Pass --yes (yes=True) to go ahead without asking.")
    return bool(confirm(question))


def _open(provider: Provider | None, region: str | None, profile: str | None, endpoint_url: str | None,
          timeout: float | None) -> Provider:
    if provider is not None:
        return provider
    from ._provider import Provider

    return Provider(region=region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)


def rollout(template: Any, stack_set_name: str, targets: Targets, *, parameters: Mapping[str, str] | None = None,
            tags: Mapping[str, str] | None = None, permission_model: str = "SELF_MANAGED",
            administration_role: str | None = DEFAULT_ADMINISTRATION_ROLE,
            execution_role: str | None = DEFAULT_EXECUTION_ROLE,
            auto_deployment: bool = False, retain_stacks_on_account_removal: bool = False,
            call_as: str = "SELF", preferences: Mapping[str, Any] | None = None, yes: bool = False,
            confirm: Confirm | None = None, allow_replace: bool = False,
            region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
            timeout: float | None = None, provider: Provider | None = None, console: Console | None = None,
            sleep: Callable[[float], None] | None = None, poll: float = 5.0) -> RolloutResult:
    """Create or update the StackSet ``stack_set_name`` from ``template`` and deploy its instances to
    ``targets``: preview (new set, or a template diff against the set's current template, the instances to
    add and the per-instance overrides to change), the data-loss guard, confirmation, then each operation
    followed per instance. Instances the set has but ``targets`` lacks are reported, never removed."""
    tpl, _ = template_of(template, stack_set_name)
    given = dict(parameters or {})
    check_parameter_names(tpl, given)
    check_limits(tpl)
    if len(tpl.body.encode()) > 51_200:
        raise UsageError(f"the template is {len(tpl.body.encode()):,} bytes; a StackSet takes at most 51,200 inline.",
                         "Make the template smaller (StackSets from S3 are not supported by ecsstack yet).")
    provider = _open(provider, region, profile, endpoint_url, timeout)
    reporter = Reporter(console)
    sets = StackSets(provider, reporter, stack_set_name, call_as=call_as, sleep=sleep or time.sleep, poll=poll)
    prefs = dict(preferences or {})
    current = sets.describe()
    result = RolloutResult(stack_set_name, created=current is None)
    wanted = targets.instances()

    old = _parse(current.get("TemplateBody")) if current else None
    listed = sets.instances() if current else []
    existing = {(i["Account"], i["Region"]) for i in listed}
    have_ous = {(i.get("OrganizationalUnitId"), i["Region"]) for i in listed}
    new_ous = sorted({ou for ou in targets.organizational_units for r in targets.regions if (ou, r) not in have_ous})
    new_ou_regions = [r for r in targets.regions if any((ou, r) not in have_ous for ou in new_ous)]
    old_params = {p["ParameterKey"]: p.get("ParameterValue", "") for p in (current or {}).get("Parameters") or []}
    template_changed = current is None or old != tpl.data or any(old_params.get(k) != v for k, v in given.items())

    reporter.markup(f"[bold]StackSet {escape(stack_set_name)}[/] ({'new' if current is None else 'exists'}; "
                    f"{permission_model.lower().replace('_', '-')}) → "
                    + (f"OUs {', '.join(targets.organizational_units)}" if targets.organizational_units
                       else f"{len(targets.accounts)} account(s)") + f" × {', '.join(targets.regions)}")
    if current is not None:
        reporter.template_diff(template_diff(old, tpl.data))
        for k, v in sorted(given.items()):
            if old_params.get(k) != v:
                reporter.say(f"  parameter {k}: {old_params.get(k, '(none)')} → {v}")
    risks = find_risks(_fake_changes(old, tpl.data), old, tpl.data) if current is not None else []
    add = [x for x in wanted if x not in existing]
    stray = sorted(existing - set(wanted)) if not targets.organizational_units else []
    if add:
        reporter.say(f"Instances to create: {', '.join(f'{a}/{r}' for a, r in add)}")
    if new_ous:
        reporter.say(f"Instances to create: every account of {', '.join(new_ous)} in {', '.join(new_ou_regions)}")
    if existing and template_changed:
        reporter.say(f"Instances to update: {len(existing)} (every instance of the set)")
    if stray:
        reporter.warn(f"the StackSet has instances outside the targets, left as they are: "
                      f"{', '.join(f'{a}/{r}' for a, r in stray)} (remove them with `ecsstack rollout destroy "
                      f"--accounts ... --regions ...`).")
    if risks:
        for r in risks:
            reporter.markup(f"[bold red]DATA AT RISK[/] {escape(str(r))} (in every instance)")
        if not allow_replace:
            raise DataLossError(stack_set_name, risks)
    override_changes = []
    for account, reg in wanted:
        want = dict(targets.overrides(account, reg))
        have = sets.instance_overrides(account, reg) if (account, reg) in existing else {}
        if (account, reg) in existing and want != have:
            override_changes.append((account, reg, want))
            reporter.say(f"  overrides {account}/{reg}: {have or '{}'} → {want or '{}'}")
    if not add and not new_ous and not template_changed and not override_changes:
        reporter.markup(f"[bold green]no changes[/]: StackSet {stack_set_name} and its "
                        f"{len(existing)} instance(s) are up to date.")
        result.no_changes = True
        result.instances = [InstanceResult(a, r, "CURRENT") for a, r in sorted(existing)]
        return result
    if not _confirm(f"Roll out StackSet {stack_set_name}?", yes, confirm, "roll out"):
        reporter.say("Cancelled; nothing was changed.")
        result.cancelled = True
        return result

    roles: dict[str, Any] = {}
    if permission_model == "SELF_MANAGED":
        if administration_role:
            roles["AdministrationRoleARN"] = (administration_role if administration_role.startswith("arn:") else
                                              f"arn:aws:iam::{provider.account()}:role/{administration_role}")
        if execution_role:
            roles["ExecutionRoleName"] = execution_role
    else:
        roles["AutoDeployment"] = {"Enabled": auto_deployment,
                                   **({"RetainStacksOnAccountRemoval": retain_stacks_on_account_removal}
                                      if auto_deployment else {})}
    body = {"TemplateBody": tpl.body, "Parameters": _params(given), "Capabilities": capabilities(tpl),
            "Tags": [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())], **roles}
    if current is None:
        with aws_errors(f"creating StackSet {stack_set_name}"):
            sets.cfn.create_stack_set(PermissionModel=permission_model, ClientRequestToken=new_token("stackset"),
                                      **sets._kw(), **body)
        reporter.markup(f"[green]StackSet {escape(stack_set_name)} created[/]")
    elif template_changed and existing:
        sets.run("update_stack_set", f"updating {len(existing)} instance(s)", result, OperationPreferences=prefs,
                 **body)
    elif template_changed:
        sets.run("update_stack_set", "updating the StackSet", result, OperationPreferences=prefs, **body)

    # new instances, grouped by identical overrides (one CreateStackInstances call per group)
    if new_ous:
        sets.run("create_stack_instances", "creating stack instances", result, Regions=new_ou_regions,
                 OperationPreferences=prefs, DeploymentTargets={"OrganizationalUnitIds": new_ous},
                 ParameterOverrides=_params(targets.overrides("", "")))
    for overrides, accounts, regions in _groups([(a, r, dict(targets.overrides(a, r))) for a, r in add]):
        sets.run("create_stack_instances", f"creating {len(accounts) * len(regions)} stack instance(s)", result,
                 Accounts=accounts, Regions=regions, OperationPreferences=prefs, ParameterOverrides=_params(overrides))
    for overrides, accounts, regions in _groups(override_changes):
        sets.run("update_stack_instances", f"updating the overrides of {len(accounts) * len(regions)} instance(s)",
                 result, Accounts=accounts, Regions=regions, OperationPreferences=prefs,
                 ParameterOverrides=_params(overrides))
    failed = result.failed
    if failed:
        reporter.markup(f"[bold red]{len(failed)} instance(s) failed[/]; see the root causes above.")
    else:
        reporter.markup(f"[bold green]StackSet {escape(stack_set_name)}: rolled out[/]")
    return result


def _groups(items: Iterable[tuple[str, str, Mapping[str, str]]]) -> list[tuple[dict[str, str], list[str], list[str]]]:
    """``(overrides, accounts, regions)`` calls covering ``items`` (account, region, overrides): an instance
    call deploys accounts × regions with one set of overrides, so accounts are grouped by their overrides and
    the exact regions they need."""
    per_account: dict[tuple[tuple[tuple[str, str], ...], str], list[str]] = {}
    for account, region, overrides in items:
        per_account.setdefault((tuple(sorted(overrides.items())), account), []).append(region)
    calls: dict[tuple[tuple[tuple[str, str], ...], tuple[str, ...]], list[str]] = {}
    for (key, account), regions in per_account.items():
        calls.setdefault((key, tuple(regions)), []).append(account)
    return [(dict(key), sorted(accounts), list(regions)) for (key, regions), accounts in calls.items()]


def rollout_status(stack_set_name: str, *, operation_id: str | None = None, call_as: str = "SELF",
                   region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
                   timeout: float | None = None, provider: Provider | None = None,
                   console: Console | None = None) -> RolloutResult:
    """The StackSet's instances (status and reason), its last operations, and ``operation_id``'s results."""
    provider = _open(provider, region, profile, endpoint_url, timeout)
    reporter = Reporter(console)
    sets = StackSets(provider, reporter, stack_set_name, call_as=call_as)
    current = sets.describe()
    result = RolloutResult(stack_set_name)
    if current is None:
        reporter.say(f"StackSet {stack_set_name} does not exist.")
        result.cancelled = True
        return result
    reporter.markup(f"[bold]StackSet {escape(stack_set_name)}[/] {current.get('Status', '')} "
                    f"({str(current.get('PermissionModel', 'SELF_MANAGED')).lower()})")
    for i in sorted(sets.instances(), key=lambda i: (i.get("Account", ""), i.get("Region", ""))):
        detailed = (i.get("StackInstanceStatus") or {}).get("DetailedStatus", "")
        reason = i.get("StatusReason") or ""
        status = i.get("Status", "")
        reporter.markup(f"  {i.get('Account')} {i.get('Region', ''):<15} [{_STYLE.get(status, '')}]{status}[/]"
                        f"{f' ({detailed})' if detailed else ''}{f'  {escape(reason)}' if reason else ''}")
        ok = status == "CURRENT"
        result.instances.append(InstanceResult(i.get("Account", ""), i.get("Region", ""),
                                               "CURRENT" if ok else status, reason))
    with aws_errors(f"listing the operations of {stack_set_name}"):
        ops = sets.cfn.list_stack_set_operations(MaxResults=5, **sets._kw()).get("Summaries") or []
    for op in ops:
        reporter.say(f"  operation {op.get('OperationId')}: {op.get('Action', '')} {op.get('Status', '')}"
                     + (f" ({op['StatusReason']})" if op.get("StatusReason") else ""))
    if operation_id:
        status, reason = sets.operation_status(operation_id)
        because = f" ({escape(reason)})" if reason else ""
        reporter.markup(f"[bold]operation {escape(operation_id)}[/]: {status}{because}")
        for r in sets.results(operation_id):
            why = r.get("StatusReason") or ""
            reporter.markup(f"  {r.get('Account')} {r.get('Region', ''):<15} [{_STYLE.get(r.get('Status', ''), '')}]"
                            f"{r.get('Status', '')}[/]{f'  {escape(why)}' if why else ''}")
    return result


def data_bearing(template: Mapping[str, Any]) -> list[str]:
    """The template's resources that lose data when their stack is deleted (not retained)."""
    return sorted(f"{k} ({v.get('Type')})" for k, v in (template.get("Resources") or {}).items()
                  if v.get("Type") in DATA_BEARING_TYPES and v.get("DeletionPolicy") not in RETAINING_POLICIES)


def rollout_destroy(stack_set_name: str, *, accounts: Sequence[str] = (), regions: Sequence[str] = (),
                    retain_stacks: bool = False, yes: bool = False, confirm: Confirm | None = None,
                    call_as: str = "SELF", preferences: Mapping[str, Any] | None = None,
                    region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
                    timeout: float | None = None, provider: Provider | None = None, console: Console | None = None,
                    sleep: Callable[[float], None] | None = None, poll: float = 5.0) -> RolloutResult:
    """Delete the StackSet's instances (all, or those in ``accounts`` × ``regions``), then — when none is
    left — the set. Says which data-bearing resources go with every instance (as ``destroy``) and asks
    unless ``yes``."""
    provider = _open(provider, region, profile, endpoint_url, timeout)
    reporter = Reporter(console)
    sets = StackSets(provider, reporter, stack_set_name, call_as=call_as, sleep=sleep or time.sleep, poll=poll)
    result = RolloutResult(stack_set_name)
    current = sets.describe()
    if current is None:
        reporter.say(f"StackSet {stack_set_name} does not exist; nothing to destroy.")
        result.no_changes = True
        return result
    instances = sorted((i["Account"], i["Region"]) for i in sets.instances())
    chosen = [(a, r) for a, r in instances if (not accounts or a in accounts) and (not regions or r in regions)]
    whole = len(chosen) == len(instances)
    lost = [] if retain_stacks else data_bearing(_parse(current.get("TemplateBody")) or {})
    reporter.markup(f"[bold]Destroying[/] {len(chosen)} instance(s) of StackSet {escape(stack_set_name)}"
                    + (" and then the StackSet" if whole else "") + ":")
    for a, r in chosen:
        reporter.say(f"  {a}/{r}")
    if lost:
        reporter.markup(f"[bold red]DATA AT RISK[/] deleted with every instance: {escape(', '.join(lost))}")
    if retain_stacks:
        reporter.say("The instances' stacks are kept (--retain-stacks): only the StackSet lets go of them.")
    if not _confirm(f"Delete {len(chosen)} instance(s) of {stack_set_name}{' and the StackSet' if whole else ''}?",
                    yes, confirm, "destroy"):
        reporter.say("Cancelled; nothing was deleted.")
        result.cancelled = True
        return result
    if chosen:
        sets.run("delete_stack_instances", f"deleting {len(chosen)} stack instance(s)", result,
                 Accounts=sorted({a for a, _ in chosen}), Regions=sorted({r for _, r in chosen}),
                 RetainStacks=retain_stacks, OperationPreferences=dict(preferences or {}))
    if result.failed:
        reporter.markup("[bold red]Some instances could not be deleted[/]; the StackSet stays.")
        return result
    if whole:
        with aws_errors(f"deleting StackSet {stack_set_name}"):
            sets.cfn.delete_stack_set(**sets._kw())
        reporter.markup(f"[bold green]StackSet {escape(stack_set_name)}: deleted[/]")
    return result
