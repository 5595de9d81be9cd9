"""One-off tasks: ``run_task`` runs a task definition of a deployed stack (a migration, a script) the way the
stack's service runs it (cluster, subnets, security groups, launch type or capacity strategy), streams the
container's CloudWatch log stream while it runs, and returns its exit code.

Every AWS call goes through the provider's clients: the configured endpoint only, a timeout on every call,
botocore's retries with backoff on throttling. ``RunTask`` carries a client token, so a retried request
starts the task once, and the same value as ``startedBy``, so the run can be found again.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ._errors import DeployError, DeployInterrupted, UsageError
from ._progress import Backoff
from ._run_choose import _container, _finish_placement, _log_target, _overrides, _Planner
from ._run_follow import _Calls, _follow
from ._run_results import EXIT_NOT_STARTED, EXIT_TIMED_OUT, ContainerRun, RunTaskResult, TaskRun, _report
from ._runplan import Network, Placement, Resolver, choose_cluster, find_task, stack_tasks
from ._session import new_token, open_session
from ._states import IN_PROGRESS
from ._template import check_stack_name

if TYPE_CHECKING:
    from rich.console import Console

    from ._provider import Provider

__all__ = ["EXIT_NOT_STARTED", "EXIT_TIMED_OUT", "ContainerRun", "RunTaskResult", "TaskRun", "run_task"]

#: how often a running task is looked at: from 2 s, backing off to every 6 s
RUN_BACKOFF = Backoff(start=2.0, factor=1.5, cap=6.0)
MAX_COUNT = 10  # RunTask starts at most 10 tasks per call


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
