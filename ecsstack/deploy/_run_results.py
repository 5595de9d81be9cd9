"""The results of ``run_task``: exit codes, the run of each task and container, and what is said at the end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ._runplan import Placement

if TYPE_CHECKING:
    from ._view import Reporter

#: exit code when a task could not be started or stopped before its container ran (as ``docker run``)
EXIT_NOT_STARTED = 125
#: exit code when ``wait_timeout`` ran out with the task still running (as ``timeout(1)``)
EXIT_TIMED_OUT = 124


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
