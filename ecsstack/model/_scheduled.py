"""Scheduled tasks: a task definition run on a schedule by EventBridge Scheduler, without a service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._capacity import CapacityProviderStrategy, as_strategy
from ._check import as_bool, as_enum, as_int, as_overrides, as_str_list, as_text, fail
from ._enums import LaunchType
from ._network import SubnetGroup, Vpc
from ._overrides import Overridable, Part, document_parts
from ._queue import ExistingQueue, Queue
from ._service import Cluster
from ._task import TaskDefinition
from ._tokens import Token

__all__ = ["ScheduledTask"]


@document_parts
@dataclass(eq=False)
class ScheduledTask(Overridable):
    """Runs ``task`` in ``cluster`` on ``schedule`` (an ``AWS::Scheduler::Schedule`` with an ECS target).

    ``schedule``: ``"cron(0 3 * * ? *)"`` (minutes hours day-of-month month day-of-week year),
    ``"rate(1 day)"`` or ``"at(2026-12-31T23:00:00)"``, or a parameter. ``timezone``: the IANA zone
    the expression is read in (``"Europe/Paris"``); Default None (UTC). ``enabled``: Default True.
    ``start_date``/``end_date``: ISO 8601 date-times (``"2026-01-01T00:00:00Z"``) bounding the schedule;
    Default None. ``flexible_window_minutes``: let Scheduler start the run up to this many minutes
    (1 to 1440) late to spread load; Default None (off: on time). ``count``: tasks per run, 1 to 10;
    Default 1. ``launch_type``/``capacity_provider_strategy``: where the tasks run, decided as for a
    ``Service`` (Default: the task's launch type, or the cluster's default strategy or EC2 capacity).
    ``platform_version``: Fargate only; Default None (LATEST). ``subnets``/``security_groups``/``vpc``/
    ``assign_public_ip`` (awsvpc tasks): as for a ``Service``; Default the ``Subnets`` stack parameter (or
    the VPC's private subnets) and a security group made for the schedule that admits nothing, no public
    IP. ``max_retries`` (0 to 185) and ``max_event_age`` (seconds, 60 to 86400): how Scheduler retries a
    run it could not start; Default None (Scheduler's 185 retries within 24 hours).
    ``dead_letter_queue``: a ``Queue``, ``Queue.existing(...)``, an SQS queue ARN or a parameter holding one,
    receiving the runs Scheduler gave up on; Default None. ``propagate_tags``: copy the task definition's
    tags to the tasks; Default True. ``enable_execute_command``: Default False. ``group``: the ECS task
    group; Default None. ``description``: Default None. The schedule gets a role of its own that may run
    exactly this task definition's family in this cluster and pass exactly its two roles.
    """

    PARTS = (
        Part("Schedule", "AWS::Scheduler::Schedule", "the schedule"),
        Part("SchedulerRole", "AWS::IAM::Role", "the role Scheduler runs the task with"),
        Part("SecurityGroup", "AWS::EC2::SecurityGroup", "the security group made for its tasks",
             when="for an awsvpc task without security_groups="),
    )

    name: str
    task: TaskDefinition
    schedule: str | Token
    cluster: Cluster
    description: str | None = None
    timezone: str | None = None
    enabled: bool = True
    start_date: str | None = None
    end_date: str | None = None
    flexible_window_minutes: int | None = None
    count: int = 1
    launch_type: LaunchType | None = None
    capacity_provider_strategy: list[CapacityProviderStrategy] | None = None
    platform_version: str | None = None
    subnets: list[str | Token] | Token | None = None
    security_groups: list[str | Token] | None = None
    vpc: Vpc | None = None
    assign_public_ip: bool = False
    max_retries: int | None = None
    max_event_age: int | None = None
    dead_letter_queue: Queue | ExistingQueue | str | Token | None = None
    propagate_tags: bool = True
    enable_execute_command: bool = False
    group: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.normalise()

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        if not isinstance(self.name, str) or not self.name:
            raise fail("scheduled task", f"a scheduled task needs a name, got {self.name!r}.")
        path = self.path
        if not isinstance(self.task, TaskDefinition):
            raise fail(path, f"task must be a task definition, got {self.task!r}.",
                       'Create one with FargateTaskDefinition("report") and pass it as task=.')
        if not isinstance(self.cluster, Cluster):
            raise fail(path, f"cluster must be a Cluster(...), got {self.cluster!r}.",
                       'Create one with Cluster("main") and pass it as cluster=.')
        if not isinstance(self.schedule, str | Token) or not self.schedule:
            raise fail(path, f"schedule must be a schedule expression, got {self.schedule!r}.",
                       'Write schedule="cron(0 3 * * ? *)" (03:00 every day) or schedule="rate(1 hour)".')
        for name in ("description", "timezone", "start_date", "end_date", "platform_version", "group"):
            as_text(getattr(self, name), path, name, token_ok=True)
        for name in ("enabled", "assign_public_ip", "propagate_tags", "enable_execute_command"):
            as_bool(getattr(self, name), path, name)
        for name in ("flexible_window_minutes", "max_retries", "max_event_age"):
            as_int(getattr(self, name), path, name, optional=True)
        as_int(self.count, path, "count")
        if self.launch_type is not None:
            self.launch_type = as_enum(LaunchType, self.launch_type, path, "launch_type")
        self.capacity_provider_strategy = as_strategy(self.capacity_provider_strategy, path,
                                                      "capacity_provider_strategy")
        if not isinstance(self.subnets, Token | None):
            self.subnets = as_str_list(self.subnets, path, "subnets")
        self.security_groups = as_str_list(self.security_groups, path, "security_groups")
        if self.vpc is not None and not isinstance(self.vpc, Vpc):
            raise fail(path, f"vpc must be a Vpc(...), got {self.vpc!r}.", "Leave it out to use the VpcId parameter.")
        if self.vpc is None and isinstance(self.subnets, SubnetGroup):
            self.vpc = self.subnets.vpc
        dlq = self.dead_letter_queue
        if dlq is not None and not isinstance(dlq, Queue | ExistingQueue | Token) and not (
                isinstance(dlq, str) and dlq):
            raise fail(path, f"dead_letter_queue must be a Queue, Queue.existing(...), an SQS queue ARN or a "
                       f"parameter, got {dlq!r}.", 'Write dead_letter_queue=Queue("report-failures").')
        self.overrides = as_overrides(self.overrides, path)
        self._normalise_part_overrides()

    @property
    def path(self) -> str:
        return f"scheduled task {self.name}"

    def related(self) -> list[object]:
        """What a stack must hold for this schedule: its cluster, task definition, VPC and dead-letter queue."""
        used: list[object] = [self.cluster, self.task]
        for thing in (self.vpc, self.dead_letter_queue):
            if isinstance(thing, Vpc | Queue):
                used.append(thing)
        return used

    @property
    def is_daemon(self) -> bool:
        """Always False: a schedule runs a number of tasks, never one per instance (read like a service's)."""
        return False

    @property
    def effective_launch_type(self) -> LaunchType:
        """Where the tasks run when no capacity provider strategy applies: ``launch_type``, else FARGATE for a
        Fargate-compatible task, else the task's first compatibility (as for a ``Service``)."""
        if self.launch_type is not None:
            return self.launch_type
        return LaunchType.FARGATE if self.task.is_fargate else self.task.compatibilities[0]

    @property
    def dead_letter_arn(self) -> str | Token | None:
        """The dead-letter queue's ARN (a token for a queue object), or None."""
        dlq = self.dead_letter_queue
        if isinstance(dlq, Queue | ExistingQueue):
            return dlq.arn
        return dlq
