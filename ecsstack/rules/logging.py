"""ECS8xx: FireLens log routing (the router container and the containers that log through it)."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import FirelensType
from ..model.derived import logs_through_firelens, routers, writes_to_task_log_group
from ._helpers import q
from ._registry import Index, Rule, rule

__all__: list[str] = []


@rule("ECS807", "a container logging with awsfirelens needs a FireLens router in its task")
def _no_router(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        found = routers(task)
        for container in task.containers:
            if not logs_through_firelens(container):
                continue
            if any(container is router for router in found):
                yield r.problem(ix.cpath(task, container),
                                "is the FireLens log router, so it cannot log through FireLens itself.",
                                "Leave its logging= out (awslogs into the task's log group).")
            elif not found:
                yield r.problem(ix.cpath(task, container),
                                f"logs with LogConfig.firelens(...), but task {q(task.family)} has no FireLens "
                                "log router.",
                                "Add one with task.add_firelens_router().")


@rule("ECS808", "a task has at most one FireLens log router")
def _two_routers(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        found = routers(task)
        for extra in found[1:]:
            yield r.problem(ix.cpath(task, extra),
                            f"is a second FireLens log router in task {q(task.family)}, after {q(found[0].name)}.",
                            "Keep one router; send to several destinations from its configuration file.")


@rule("ECS812", "a FireLens configuration file from S3 needs EC2; Fargate reads files from the image only")
def _s3_config_on_fargate(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if not task.is_fargate:
            continue
        for router in routers(task):
            cfg = router.firelens
            if cfg.config_file_type == "s3":
                yield r.problem(ix.cpath(task, router),
                                f"config_file={cfg.config_file!r} is in S3, but Fargate tasks read a FireLens "
                                "configuration file only from the router's image.",
                                "Build an image with the file (FROM the router image, COPY extra.conf "
                                '/extra.conf) and pass config_file="/extra.conf".')


@rule("ECS813", "FireLens into the task's log group with your own task role needs its grant from you")
def _own_task_role(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        if task.task_role is None:
            continue
        for container in task.containers:
            if writes_to_task_log_group(container):
                yield r.problem(ix.cpath(task, container),
                                "logs through FireLens into the task's log group, but the task uses your own "
                                "task_role, which ecsstack does not change.",
                                "Allow that role logs:CreateLogStream and logs:PutLogEvents on the task's log "
                                "group, or leave task_role out to get a role with exactly that.",
                                severity="warning")


@rule("ECS814", "FireLens options use the router's dialect: Name for Fluent Bit, @type for Fluentd")
def _dialect(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        found = routers(task)
        if not found:
            continue
        cfg = found[0].firelens
        for container in task.containers:
            options = container.logging.options
            if not logs_through_firelens(container):
                continue
            if cfg.type is FirelensType.FLUENTD and "Name" in options and "@type" not in options:
                yield r.problem(ix.cpath(task, container),
                                f"FireLens options name a Fluent Bit output (Name={options['Name']!r}), but the "
                                "task's router runs Fluentd, which expects @type.",
                                'Write the Fluentd output, e.g. {"@type": "cloudwatch_logs", ...}, or use '
                                'task.add_firelens_router(type="fluentbit").')
            elif cfg.type is FirelensType.FLUENTBIT and "@type" in options and "Name" not in options:
                yield r.problem(ix.cpath(task, container),
                                f"FireLens options name a Fluentd output (@type={options['@type']!r}), but the "
                                "task's router runs Fluent Bit, which expects Name.",
                                'Write the Fluent Bit output, e.g. {"Name": "cloudwatch_logs", ...}, or use '
                                'a Fluentd router.')
