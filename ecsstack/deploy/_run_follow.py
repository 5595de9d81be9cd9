"""The AWS calls of ``run_task``, the log stream follower and the loop that waits for the tasks to stop."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from rich.markup import escape

from ._errors import DeployError, DeployInterrupted
from ._provider import AWS_EXCEPTIONS, aws_errors, translate
from ._run_results import RunTaskResult, _still_running

if TYPE_CHECKING:
    from ._provider import Provider
    from ._view import Reporter


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

