"""One-off tasks: ``run_task`` runs a task definition of a deployed stack (a migration, a script) the way the
stack's service runs it (cluster, subnets, security groups, launch type or capacity strategy), streams the
container's CloudWatch log stream while it runs, and returns its exit code.

Every AWS call goes through the provider's clients: the configured endpoint only, a timeout on every call,
botocore's retries with backoff on throttling. ``RunTask`` carries a client token, so a retried request
starts the task once, and the same value as ``startedBy``, so the run can be found again.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from rich.markup import escape

from ._ecs import service_location
from ._errors import DeployError, DeployInterrupted, UsageError
from ._progress import Backoff
from ._provider import AWS_EXCEPTIONS, aws_errors, translate
from ._runplan import (
    SERVICE_TYPE,
    Network,
    Placement,
    Resolver,
    StackTask,
    Unresolved,
    choose_cluster,
    find_service,
    find_task,
    placement_from_api,
    placement_from_template,
    runners,
    services,
    stack_tasks,
)
from ._session import new_token, open_session
from ._states import IN_PROGRESS
from ._template import check_stack_name

if TYPE_CHECKING:
    from rich.console import Console

    from ._provider import Provider
    from ._view import Reporter

__all__ = ["EXIT_NOT_STARTED", "EXIT_TIMED_OUT", "ContainerRun", "RunTaskResult", "TaskRun", "run_task"]

#: exit code when a task could not be started or stopped before its container ran (as ``docker run``)
EXIT_NOT_STARTED = 125
#: exit code when ``wait_timeout`` ran out with the task still running (as ``timeout(1)``)
EXIT_TIMED_OUT = 124
#: how often a running task is looked at: from 2 s, backing off to every 6 s
RUN_BACKOFF = Backoff(start=2.0, factor=1.5, cap=6.0)
MAX_COUNT = 10  # RunTask starts at most 10 tasks per call
_SUBNET = re.compile(r"^subnet-[0-9a-zA-Z]+$")
_GROUP = re.compile(r"^sg-[0-9a-zA-Z]+$")


@dataclass
class ContainerRun:
    """One container of a task run: its ``exit_code`` (``None`` while running or when it never ran)."""

    name: str
    status: str = ""
    exit_code: int | None = None
    reason: str = ""


@dataclass
class TaskRun:
    """One started task: its ARN, state, why it stopped, its containers and the log stream followed."""

    arn: str
    status: str = ""
    stopped_reason: str = ""
    stop_code: str = ""
    containers: list[ContainerRun] = field(default_factory=list)
    log_group: str | None = None
    log_stream: str | None = None

    @property
    def task_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    def container(self, name: str) -> ContainerRun | None:
        return next((c for c in self.containers if c.name == name), None)

    def update(self, described: Mapping[str, Any]) -> None:
        self.status = described.get("lastStatus") or self.status
        self.stopped_reason = described.get("stoppedReason") or self.stopped_reason
        self.stop_code = described.get("stopCode") or self.stop_code
        self.containers = [ContainerRun(c.get("name", "?"), c.get("lastStatus") or "", c.get("exitCode"),
                                        c.get("reason") or "") for c in described.get("containers") or []]


@dataclass
class RunTaskResult:
    """What ``run_task`` did. ``exit_code`` is what ``ecsstack run-task`` exits with: the container's exit
    code; ``EXIT_NOT_STARTED`` (125) when a task could not be started or stopped before the container ran
    (``failures`` or ``TaskRun.stopped_reason`` say why); ``EXIT_TIMED_OUT`` (124) when the wait ran out;
    0 when not waited for."""

    stack_name: str
    task: str
    task_definition_arn: str
    cluster: str
    container: str
    placement: Placement
    tasks: list[TaskRun] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    waited: bool = False
    timed_out: bool = False
    started_by: str = ""

    @property
    def task_arns(self) -> list[str]:
        return [t.arn for t in self.tasks]

    @property
    def exit_codes(self) -> list[int | None]:
        """The followed container's exit code in each task (``None``: it never ran, or still runs)."""
        return [c.exit_code if (c := t.container(self.container)) else None for t in self.tasks]

    @property
    def exit_code(self) -> int:
        if self.failures or not self.tasks:
            return EXIT_NOT_STARTED
        if not self.waited:
            return 0
        if self.timed_out:
            return EXIT_TIMED_OUT
        codes = self.exit_codes
        if any(code is None for code in codes):
            return EXIT_NOT_STARTED
        failed = [code for code in codes if code]
        if not failed:
            return 0
        return failed[0] if 0 < failed[0] <= 255 else 1

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


# -- AWS calls -------------------------------------------------------------------------------------------
class _Calls:
    """The ECS, CloudWatch Logs and CloudFormation calls of one run, through the provider's clients."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self._exports: dict[str, str] | None = None

    def stack_parameters(self, stack_id: str) -> dict[str, str]:
        """The stack's parameter values; SSM-typed parameters give the value they resolved to."""
        with aws_errors(f"describing stack {stack_id}"):
            stacks = self.provider.cfn.describe_stacks(StackName=stack_id)["Stacks"]
        return {p["ParameterKey"]: p.get("ResolvedValue") or p.get("ParameterValue", "")
                for s in stacks[:1] for p in s.get("Parameters") or []}

    def export(self, name: str) -> str | None:
        """The value of the CloudFormation export ``name`` (the exports are listed once)."""
        if self._exports is None:
            with aws_errors("listing the CloudFormation exports"):
                self._exports = {str(e.get("Name")): str(e.get("Value", ""))
                                 for page in self.provider.cfn.get_paginator("list_exports").paginate()
                                 for e in page.get("Exports") or []}
        return self._exports.get(name)

    def task_definition(self, arn: str) -> dict[str, Any]:
        with aws_errors(f"describing the task definition {arn}"):
            return self.provider.client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]

    def service(self, cluster: str, service: str) -> dict[str, Any] | None:
        with aws_errors(f"describing the service {service}"):
            found = self.provider.client("ecs").describe_services(cluster=cluster, services=[service])
        return (found.get("services") or [None])[0]

    def run_task(self, args: dict[str, Any]) -> dict[str, Any]:
        with aws_errors("starting the task (ecs RunTask)"):
            return self.provider.client("ecs").run_task(**args)

    def describe_tasks(self, cluster: str, arns: list[str]) -> dict[str, Any]:
        with aws_errors("describing the task"):
            return self.provider.client("ecs").describe_tasks(cluster=cluster, tasks=arns)

    def log_events(self, group: str, stream: str, token: str | None) -> dict[str, Any] | None:
        """One page of the stream's events from ``token`` on; ``None`` while the stream does not exist."""
        args: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            args["nextToken"] = token
        try:
            return self.provider.client("logs").get_log_events(**args)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise translate(exc, f"reading the log stream {group} {stream}") from exc
        except AWS_EXCEPTIONS as exc:
            raise translate(exc, f"reading the log stream {group} {stream}") from exc


class _LogFollower:
    """Follows one log stream: each ``poll`` returns the lines written since the last one."""

    max_pages = 20  # per poll: a chatty task is caught up over several polls, never in one endless loop

    def __init__(self, calls: _Calls, group: str, stream: str):
        self.calls, self.group, self.stream = calls, group, stream
        self.token: str | None = None
        self.broken = ""

    def poll(self) -> list[str]:
        if self.broken:
            return []
        lines: list[str] = []
        for _ in range(self.max_pages):
            try:
                page = self.calls.log_events(self.group, self.stream, self.token)
            except DeployError as exc:  # the task matters more than its logs: say so once, go on waiting
                self.broken = exc.message
                break
            if page is None:  # the stream is made when the container starts writing
                break
            events = page.get("events") or []
            lines.extend(str(e.get("message", "")).rstrip("\n") for e in events)
            token = page.get("nextForwardToken")
            same = token == self.token
            self.token = token or self.token
            if same or not events:  # the same token back: the end of the stream for now
                break
        return lines


# -- choosing what to run ----------------------------------------------------------------------------------
def _container(definition: Mapping[str, Any], given: str | None, overriding: bool, task: str,
               reporter: Reporter) -> dict[str, Any]:
    """The container the command is for, whose exit code and logs count: ``given``, else the task's only
    essential container, else its only container."""
    defs = list(definition.get("containerDefinitions") or [])
    names = [str(c.get("name")) for c in defs]
    if not defs:
        raise DeployError(f"the task definition of {task} has no containers.")
    if given is not None:
        for c in defs:
            if c.get("name") == given:
                return c
        close = difflib.get_close_matches(given, names, n=1)
        raise UsageError(f"task {task} has no container {given!r}; its containers: {', '.join(names)}."
                         + (f" Did you mean {close[0]!r}?" if close else ""))
    essential = [c for c in defs if c.get("essential", True)]
    if len(essential) == 1:
        return essential[0]
    if len(defs) == 1:
        return defs[0]
    several = [str(c.get("name")) for c in essential] or names
    if overriding:
        raise UsageError(f"task {task} has {len(several)} essential containers ({', '.join(several)}): which one "
                         f"is the command for?", "Name it with --container.")
    first = essential[0] if essential else defs[0]
    reporter.say(f"Following container {first['name']} (task {task} has {len(several)} essential containers: "
                 f"{', '.join(several)}; --container chooses).")
    return first


def _overrides(container: str, command: Sequence[str] | None,
               environment: Mapping[str, str] | None) -> dict[str, Any] | None:
    if command is None and not environment:
        return None
    entry: dict[str, Any] = {"name": container}
    if command is not None:
        entry["command"] = list(command)
    if environment:
        entry["environment"] = [{"name": k, "value": v} for k, v in sorted(environment.items())]
    return {"containerOverrides": [entry]}


def _checked(network: Network, source: str) -> Network:
    """Refuse values that are not subnet or security group ids before ECS does, saying where they came from."""
    for value, pattern, what in [*((s, _SUBNET, "subnet") for s in network.subnets),
                                 *((g, _GROUP, "security group") for g in network.security_groups)]:
        if not pattern.match(value):
            raise UsageError(f"the network configuration from {source} gives {what} {value!r}, which is not a "
                             f"{what} id.", "Pass --subnet and --security-group with the ids to use.")
    return network


class _Planner:
    """Works out how to run the task (``Placement``) from the stack: its services first, as ECS reports
    them, then as the deployed template declares them."""

    def __init__(self, calls: _Calls, resolver: Resolver, template: Mapping[str, Any], stack_name: str,
                 reporter: Reporter):
        self.calls, self.resolver, self.template = calls, resolver, template
        self.stack_name, self.reporter = stack_name, reporter

    def of(self, lid: str) -> Placement:
        """How the service, schedule or rule ``lid`` runs its task."""
        resource = self.template["Resources"][lid]
        if resource.get("Type") == SERVICE_TYPE:
            arn = self.resolver.physical.get(lid, "")
            where = service_location(arn)
            if where is not None:
                try:
                    live = self.calls.service(where[0], arn)
                except DeployError as exc:
                    self.reporter.warn(f"{exc.message} Using the deployed template instead.")
                    live = None
                placed = placement_from_api(lid, live) if live else None
                if placed is not None:
                    return placed
        try:
            placed = placement_from_template(lid, self.resolver)
        except (Unresolved, KeyError, TypeError, ValueError, IndexError, StopIteration) as exc:
            raise UsageError(f"cannot work out how {lid} of stack {self.stack_name} runs its tasks from the "
                             f"deployed template ({exc}).",
                             "Pass --subnet and --security-group (and --cluster) to say where to run the "
                             "task.") from exc
        return placed

    def placement(self, task: StackTask, network_from: str | None) -> Placement:
        if network_from:
            return self.of(find_service(self.template, network_from, self.stack_name))
        running = runners(self.template, task)
        if running:
            chosen = sorted(running, key=lambda r: r[1] != SERVICE_TYPE)[0][0]  # a service before a schedule
            return self.of(chosen)
        others = services(self.template)
        if not others:
            return Placement()
        placed = [self.of(lid) for lid in others]
        ways = [(p.network, p.launch_type, p.capacity_provider_strategy, p.cluster) for p in placed]
        if all(way == ways[0] for way in ways):
            self.reporter.say(f"No service of the stack runs task {task.name}: running it like "
                              f"{', '.join(others)}.")
            return placed[0]
        raise UsageError(f"no service of stack {self.stack_name} runs task {task.name}, and its services run "
                         f"their tasks differently ({', '.join(sorted(others))}).",
                         "Choose one with --network-from SERVICE, or pass --subnet and --security-group.")


def _declared(template: Mapping[str, Any], lid: str, key: str, resolver: Resolver) -> Any:
    value = ((template.get("Resources") or {}).get(lid, {}).get("Properties") or {}).get(key)
    try:
        return resolver.value(value)
    except Unresolved:
        return None


def _finish_placement(placement: Placement, task: StackTask, template: Mapping[str, Any], resolver: Resolver,
                      definition: Mapping[str, Any], network: Network | None) -> Placement:
    """The run's placement: ``network`` (given) over the one found; a Fargate-only task without a launch type
    or strategy runs on FARGATE; an awsvpc task needs a network."""
    mode = _declared(template, task.logical_id, "NetworkMode", resolver) or definition.get("networkMode")
    compat = _declared(template, task.logical_id, "RequiresCompatibilities", resolver) or \
        definition.get("requiresCompatibilities") or []
    launch_type = placement.launch_type
    if not launch_type and not placement.capacity_provider_strategy and list(compat) == ["FARGATE"]:
        launch_type = "FARGATE"
    chosen = network or placement.network
    source = "--subnet" if network else placement.source
    if chosen is not None:
        chosen = _checked(chosen, source)
    elif mode == "awsvpc":
        raise UsageError(f"task {task.name} uses awsvpc networking and the stack has no service that runs it, so "
                         f"there is no network configuration to take.",
                         "Pass --subnet (and --security-group), or --network-from SERVICE.")
    return replace(placement, source=source, network=chosen, launch_type=launch_type)


def _log_target(container: Mapping[str, Any], region: str) -> tuple[str, str] | str:
    """(log group, stream prefix) of an awslogs container, or why its log stream cannot be followed."""
    config = container.get("logConfiguration") or {}
    options = config.get("options") or {}
    if config.get("logDriver") != "awslogs":
        return f"it logs with {config.get('logDriver') or 'no log driver'}, not awslogs"
    group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
    if not group or not prefix:
        return "its awslogs options name no log group or stream prefix"
    if options.get("awslogs-region") and options["awslogs-region"] != region:
        return f"its logs go to region {options['awslogs-region']}"
    return str(group), str(prefix)


# -- the verb ----------------------------------------------------------------------------------------------
def _check_arguments(command: Any, environment: Any, count: Any, wait_timeout: Any, subnets: Any,
                     security_groups: Any, assign_public_ip: bool) -> None:
    if isinstance(command, str):
        raise UsageError(f"command must be a list of strings, got the string {command!r}.",
                         f"Write command={shlex.split(command)!r}.")
    if command is not None and (not isinstance(command, Sequence) or not command
                                or not all(isinstance(c, str) for c in command)):
        raise UsageError(f"command must be a non-empty list of strings, got {command!r}.")
    if environment is not None and not all(isinstance(k, str) and k and isinstance(v, str)
                                           for k, v in dict(environment).items()):
        raise UsageError("environment must map names to string values.")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise UsageError(f"count {count!r}: expected 1 to {MAX_COUNT} (RunTask starts at most {MAX_COUNT} tasks).")
    if wait_timeout is not None and not wait_timeout > 0:
        raise UsageError(f"wait timeout {wait_timeout!r}: expected a number of seconds above 0.")
    for name, values in (("subnets", subnets), ("security_groups", security_groups)):
        if values is not None and (isinstance(values, str) or not all(isinstance(v, str) for v in values)):
            raise UsageError(f"{name} must be a list of ids, got {values!r}.")
    if not subnets and (security_groups or assign_public_ip):
        raise UsageError("security groups and a public IP need subnets too.", "Pass --subnet as well.")


def _pseudo(stack_id: str, stack_name: str, region: str) -> dict[str, str]:
    parts = stack_id.split(":")
    values = {"AWS::StackName": stack_name, "AWS::Region": region, "AWS::StackId": stack_id}
    if len(parts) > 4 and stack_id.startswith("arn:"):
        values.update({"AWS::Partition": parts[1], "AWS::AccountId": parts[4]})
        values["AWS::URLSuffix"] = "amazonaws.com.cn" if parts[1] == "aws-cn" else "amazonaws.com"
    return values


def run_task(stack_name: str, task: str, *, command: Sequence[str] | None = None, container: str | None = None,
             environment: Mapping[str, str] | None = None, count: int = 1, wait: bool = True,
             wait_timeout: float | None = None, cluster: str | None = None, network_from: str | None = None,
             subnets: Sequence[str] | None = None, security_groups: Sequence[str] | None = None,
             assign_public_ip: bool = False, logs: bool = True,
             region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
             timeout: float | None = None, provider: Provider | None = None, console: Console | None = None,
             sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None,
             backoff: Backoff | None = None) -> RunTaskResult:
    """Run the task definition ``task`` (its blueprint name) of the deployed stack ``stack_name`` once, as the
    stack's service runs it, and follow it to the end.

    The network configuration, launch type or capacity strategy, placement and cluster are those of the
    service that runs the task (as ECS reports it, else as the deployed template declares it, parameters
    and physical ids filled in); for a task no service runs, those of the stack's services when they all
    agree. Returns a ``RunTaskResult`` whose ``exit_code`` is the container's (125: never ran; 124: the
    wait ran out). Ctrl-C while waiting leaves the task running and says how to follow or stop it.

    ``command``: Default None (the container's own); a list of strings. ``environment``: Default None;
    variables added for the container. ``container``: the one they apply to, whose logs and exit code
    count; Default: the task's only essential container (else its only one). ``count``: Default 1 (up to
    10 tasks). ``wait``: Default True (print the container's awslogs stream as it grows until every task
    stopped); False returns once started. ``wait_timeout``: Default None (no limit), seconds. ``logs``:
    Default True; False only waits. ``cluster``: Default None (the service's, else the stack's only
    cluster); a cluster of the stack by blueprint name, or any cluster name or ARN. ``network_from``:
    Default None; the service of the stack whose network to use. ``subnets``: Default None; replaces the
    network found, with ``security_groups`` (Default None: the VPC's default) and ``assign_public_ip``
    (Default False). The AWS keywords are those of ``deploy``; ``backoff`` paces the looks at the task
    (Default from 2 s up to every 6 s).

        from ecsstack.deploy import run_task
        result = run_task("web", "migrate", command=["./manage", "migrate"])
        raise SystemExit(result.exit_code)
    """
    check_stack_name(stack_name, arn_ok=True)
    _check_arguments(command, environment, count, wait_timeout, subnets, security_groups, assign_public_ip)
    session = open_session(region=region, profile=profile, endpoint_url=endpoint_url, provider=provider,
                           console=console, sleep=sleep, clock=clock, backoff=backoff or RUN_BACKOFF,
                           timeout=timeout)
    provider, reporter = session.provider, session.reporter
    calls = _Calls(provider)
    info = provider.describe_stack(stack_name)
    if info is None:
        raise DeployError(f"stack {stack_name} does not exist (region {provider.region}).",
                          "Deploy it first, or check --stack-name and --region.")
    if info.status in IN_PROGRESS:
        reporter.warn(f"stack {stack_name} is {info.status}: running the task definition it has now.")
    template = provider.get_template(info.stack_id)
    physical = {r.logical_id: r.physical_id for r in provider.resources(info.stack_id)}
    chosen = find_task(stack_tasks(template, physical), task, stack_name)
    resolver = Resolver(template, calls.stack_parameters(info.stack_id), physical,
                        _pseudo(info.stack_id, info.name, provider.region), calls.export)
    definition = calls.task_definition(chosen.arn)
    overriding = command is not None or bool(environment)
    target = _container(definition, container, overriding, chosen.name, reporter)
    given = Network(tuple(subnets), tuple(security_groups or ()), assign_public_ip) if subnets else None
    planner = _Planner(calls, resolver, template, stack_name, reporter)
    try:
        found = planner.placement(chosen, network_from)
    except UsageError:
        if given is None:
            raise
        found = Placement()  # the network is given: the launch type and cluster are found another way
    placement = _finish_placement(found, chosen, template, resolver, definition, given)
    where = choose_cluster(template, physical, cluster, placement.cluster, stack_name)
    token = new_token("run")
    args: dict[str, Any] = {"cluster": where, "taskDefinition": chosen.arn, "count": count, "startedBy": token,
                            "clientToken": token, **placement.run_args()}
    overrides = _overrides(str(target["name"]), command, environment)
    if overrides:
        args["overrides"] = overrides
    result = RunTaskResult(stack_name, chosen.name, chosen.arn, where, str(target["name"]), placement,
                           started_by=token)
    how = placement.launch_type or ", ".join(str(s["capacityProvider"]) for s in placement.capacity_provider_strategy)
    details = f" on {how}" if how else ""
    if placement.network:
        details += f" ({placement.network.describe()}, as {placement.source})"
    reporter.markup(f"[bold]Running task {escape(chosen.name)}[/] ({escape(chosen.arn.rsplit('/', 1)[-1])}) in "
                    f"cluster {escape(where + details)}.")
    try:
        answer = calls.run_task(args)
    except KeyboardInterrupt:
        raise DeployInterrupted(stack_name, (
            f"Interrupted while the RunTask request was being sent: whether a task started is unknown. Look with "
            f"`aws ecs list-tasks --cluster {where} --started-by {token}`.")) from None
    result.failures = [{"arn": f.get("arn", ""), "reason": f.get("reason", ""), "detail": f.get("detail", "")}
                       for f in answer.get("failures") or []]
    result.tasks = [TaskRun(t["taskArn"]) for t in answer.get("tasks") or []]
    for t, described in zip(result.tasks, answer.get("tasks") or [], strict=True):
        t.update(described)
    for f in result.failures:
        detail = f" ({f['detail']})" if f["detail"] else ""
        arn = f" [{f['arn']}]" if f["arn"] else ""
        reporter.markup(f"[bold red]ECS could not start the task[/]: {escape(f['reason'] or 'no reason given')}"
                        f"{escape(detail + arn)}")
    log = _log_target(target, provider.region)
    for t in result.tasks:
        if isinstance(log, tuple):
            t.log_group, t.log_stream = log[0], f"{log[1]}/{target['name']}/{t.task_id}"
        reporter.say(f"Started {t.arn}" + (f" (logs: {t.log_group} {t.log_stream})" if t.log_stream else ""))
    if not result.tasks or not wait:
        return result
    result.waited = True
    if logs and isinstance(log, str):
        reporter.say(f"The logs of container {target['name']} are not streamed: {log}.")
    _follow(result, calls, session.waiter.sleep, session.waiter.clock, iter(session.waiter.backoff),
            reporter, provider.region, logs, wait_timeout)
    _report(result, reporter, provider.region)
    return result


def _follow(result: RunTaskResult, calls: _Calls, sleep: Callable[[float], None], clock: Callable[[], float],
            delays: Any, reporter: Reporter, region: str, logs: bool, wait_timeout: float | None) -> None:
    """Poll the tasks until all stopped (or the time is up), printing state changes and log lines. Ctrl-C
    or a lost connection leaves the tasks running and says how to follow and stop them."""
    followers = {t.arn: _LogFollower(calls, t.log_group, t.log_stream)
                 for t in result.tasks if logs and t.log_group and t.log_stream}
    prefix = len(result.tasks) > 1
    started, seen = clock(), {t.arn: t.status for t in result.tasks}
    try:
        while True:
            answer = calls.describe_tasks(result.cluster, result.task_arns)
            by_arn = {d.get("taskArn"): d for d in answer.get("tasks") or []}
            for t in result.tasks:
                if t.arn in by_arn:
                    t.update(by_arn[t.arn])
                elif any(f.get("arn") == t.arn for f in answer.get("failures") or []):
                    t.status = t.status if t.status == "STOPPED" else "MISSING"
                if t.status != seen.get(t.arn):
                    seen[t.arn] = t.status
                    reporter.say(f"task {t.task_id}: {t.status}")
            done = all(t.status in ("STOPPED", "MISSING") for t in result.tasks)
            _print_logs(result, followers, reporter, prefix)
            if done:
                return
            if wait_timeout is not None and clock() - started >= wait_timeout:
                result.timed_out = True
                reporter.markup(f"[bold yellow]still running[/] after {wait_timeout:g} s; stopped waiting. "
                                f"{escape(_still_running(result, region))}")
                return
            sleep(next(delays))
    except KeyboardInterrupt:
        raise DeployInterrupted(result.stack_name, f"Interrupted; {_still_running(result, region)}") from None
    except DeployError as exc:
        raise DeployError(f"{exc.message} Stopped waiting.", _still_running(result, region)) from exc


def _print_logs(result: RunTaskResult, followers: Mapping[str, _LogFollower], reporter: Reporter,
                prefix: bool) -> None:
    for t in result.tasks:
        follower = followers.get(t.arn)
        if follower is None:
            continue
        was_broken = follower.broken
        for line in follower.poll():
            reporter.console.print(f"[{t.task_id[:8]}] {line}" if prefix else line, markup=False, highlight=False)
        if follower.broken and not was_broken:
            reporter.warn(f"stopped following the logs of task {t.task_id}: {follower.broken}")


def _still_running(result: RunTaskResult, region: str) -> str:
    running = [t for t in result.tasks if t.status not in ("STOPPED", "MISSING")] or result.tasks
    ids = " ".join(t.task_id for t in running)
    text = (f"The task{'s' if len(running) > 1 else ''} keep{'' if len(running) > 1 else 's'} running in ECS "
            f"(it is not stopped when you stop watching). Follow: `aws ecs describe-tasks --region {region} "
            f"--cluster {result.cluster} --tasks {ids}`")
    logged = [t for t in running if t.log_group]
    if logged:
        text += (f"; logs: `aws logs tail {logged[0].log_group} --region {region} --follow --log-stream-names "
                 f"{' '.join(t.log_stream or '' for t in logged)}`")
    stops = "; ".join(f"`aws ecs stop-task --region {region} --cluster {result.cluster} --task {t.task_id}`"
                      for t in running)
    return f"{text}. Stop: {stops}."


def _report(result: RunTaskResult, reporter: Reporter, region: str) -> None:
    if result.timed_out:
        return
    for t in result.tasks:
        c = t.container(result.container)
        code = c.exit_code if c else None
        reason = t.stopped_reason or t.stop_code or "no reason given"
        if t.status == "MISSING":
            reporter.markup(f"[bold red]task {t.task_id}: ECS no longer knows it[/]; its exit code is unknown.")
        elif code is None:
            why = "; ".join(f"container {x.name}: {x.reason}" for x in t.containers if x.reason)
            why = f" ({why})" if why else ""
            reporter.markup(f"[bold red]task {t.task_id} stopped before container {escape(result.container)} "
                            f"ran[/]: {escape(reason + why)}")
        else:
            style = "bold green" if code == 0 else "bold red"
            why = f" ({t.stopped_reason or t.stop_code})" if t.stopped_reason or t.stop_code else ""
            reporter.markup(f"[{style}]task {t.task_id}: container {escape(result.container)} exited with code "
                            f"{code}[/]{escape(why)}")
