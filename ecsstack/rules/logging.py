"""ECS8xx: FireLens log routing (the router container and the containers that log through it)."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import Container, FirelensConfig, FirelensType, LaunchType, Stack, TaskDefinition
from ..model.derived import logs_through_firelens, writes_to_task_log_group
from ._helpers import as_list, compatibilities, cpath, q
from ._registry import Rule, rule, tasks

__all__: list[str] = []


def _containers(task: TaskDefinition) -> list[Container]:
    return [c for c in as_list(getattr(task, "containers", None)) if isinstance(c, Container)]


def _config(container: Container) -> FirelensConfig | None:
    cfg = getattr(container, "firelens", None)
    return cfg if isinstance(cfg, FirelensConfig) else None


def _routers(task: TaskDefinition) -> list[Container]:
    return [c for c in _containers(task) if _config(c) is not None]


@rule("ECS807", "a container logging with awsfirelens needs a FireLens router in its task")
def _no_router(stack: Stack, r: Rule) -> Iterator[Problem]:
    for task in tasks(stack):
        found = _routers(task)
        for container in _containers(task):
            if not logs_through_firelens(container):
                continue
            if any(container is router for router in found):
                yield r.problem(cpath(stack, task, container),
                                "is the FireLens log router, so it cannot log through FireLens itself.",
                                "Leave its logging= out (awslogs into the task's log group).")
            elif not found:
                yield r.problem(cpath(stack, task, container),
                                f"logs with LogConfig.firelens(...), but task {q(task.family)} has no FireLens "
                                "log router.",
                                "Add one with task.add_firelens_router().")


@rule("ECS808", "a task has at most one FireLens log router")
def _two_routers(stack: Stack, r: Rule) -> Iterator[Problem]:
    for task in tasks(stack):
        found = _routers(task)
        for extra in found[1:]:
            yield r.problem(cpath(stack, task, extra),
                            f"is a second FireLens log router in task {q(task.family)}, after {q(found[0].name)}.",
                            "Keep one router; send to several destinations from its configuration file.")


@rule("ECS812", "a FireLens configuration file from S3 needs EC2; Fargate reads files from the image only")
def _s3_config_on_fargate(stack: Stack, r: Rule) -> Iterator[Problem]:
    for task in tasks(stack):
        if LaunchType.FARGATE not in compatibilities(task):
            continue
        for router in _routers(task):
            cfg = _config(router)
            if cfg is not None and cfg.config_file_type == "s3":
                yield r.problem(cpath(stack, task, router),
                                f"config_file={cfg.config_file!r} is in S3, but Fargate tasks read a FireLens "
                                "configuration file only from the router's image.",
                                "Build an image with the file (FROM the router image, COPY extra.conf "
                                '/extra.conf) and pass config_file="/extra.conf".')


@rule("ECS813", "FireLens into the task's log group with your own task role needs its grant from you")
def _own_task_role(stack: Stack, r: Rule) -> Iterator[Problem]:
    for task in tasks(stack):
        if getattr(task, "task_role", None) is None:
            continue
        for container in _containers(task):
            if writes_to_task_log_group(container):
                yield r.problem(cpath(stack, task, container),
                                "logs through FireLens into the task's log group, but the task uses your own "
                                "task_role, which ecsstack does not change.",
                                "Allow that role logs:CreateLogStream and logs:PutLogEvents on the task's log "
                                "group, or leave task_role out to get a role with exactly that.",
                                severity="warning")


@rule("ECS814", "FireLens options use the router's dialect: Name for Fluent Bit, @type for Fluentd")
def _dialect(stack: Stack, r: Rule) -> Iterator[Problem]:
    for task in tasks(stack):
        found = _routers(task)
        cfg = _config(found[0]) if found else None
        if cfg is None:
            continue
        for container in _containers(task):
            options = getattr(getattr(container, "logging", None), "options", None)
            if not logs_through_firelens(container) or not isinstance(options, dict):
                continue
            if cfg.type is FirelensType.FLUENTD and "Name" in options and "@type" not in options:
                yield r.problem(cpath(stack, task, container),
                                f"FireLens options name a Fluent Bit output (Name={options['Name']!r}), but the "
                                "task's router runs Fluentd, which expects @type.",
                                'Write the Fluentd output, e.g. {"@type": "cloudwatch_logs", ...}, or use '
                                'task.add_firelens_router(type="fluentbit").')
            elif cfg.type is FirelensType.FLUENTBIT and "@type" in options and "Name" not in options:
                yield r.problem(cpath(stack, task, container),
                                f"FireLens options name a Fluentd output (@type={options['@type']!r}), but the "
                                "task's router runs Fluent Bit, which expects Name.",
                                'Write the Fluent Bit output, e.g. {"Name": "cloudwatch_logs", ...}, or use '
                                'a Fluentd router.')
