"""FireLens: the log router's FirelensConfiguration, the awsfirelens options of the containers that log
through it, and the permissions both need (task role: CloudWatch Logs; execution role: an S3 config file)."""

from __future__ import annotations

from typing import Any

import awacs.logs
import awacs.s3
from awacs.aws import Allow, Statement
from troposphere import GetAtt, Ref, ecs, logs

from ..model import Container, TaskDefinition
from ..model.derived import CLOUDWATCH_OUTPUTS, routers, writes_to_task_log_group
from ._context import Context, extends
from ._grants import grant_execution_role, grant_task_role

__all__: list[str] = []


def _task_log_group(task: TaskDefinition, ctx: Context) -> str:
    """The task's own log group, made here when no container logs to it with awslogs."""
    name = f"{ctx.logical(task).removesuffix('TaskDefinition')}LogGroup"
    if name not in ctx.template.resources:
        ctx.add(logs.LogGroup(name, RetentionInDays=task.log_retention_days,
                              DeletionPolicy="Retain", UpdateReplacePolicy="Retain"))
    return name


def _router_options(c: Container, ctx: Context) -> dict[str, Any]:
    cfg = c.firelens
    assert cfg is not None
    options = {k: ctx.value(v) for k, v in cfg.options.items()}
    if cfg.config_file is not None:
        options["config-file-type"] = cfg.config_file_type
        options["config-file-value"] = ctx.value(cfg.config_file)
    return dict(sorted(options.items()))


@extends("container")
def compile_firelens_container(c: Container, ctx: Context, built: ecs.ContainerDefinition) -> None:
    """The router's FirelensConfiguration; CloudWatch defaults for a container logging through it."""
    if c.firelens is not None:
        kwargs: dict[str, Any] = {"Type": c.firelens.type.value}
        options = _router_options(c, ctx)
        if options:
            kwargs["Options"] = options
        built.FirelensConfiguration = ecs.FirelensConfiguration(**kwargs)
    log = built.properties.get("LogConfiguration")
    if log is None or c.task is None or log.properties.get("LogDriver") != "awsfirelens":
        return
    options = dict(log.properties.get("Options", {}))
    if options.get("Name") in CLOUDWATCH_OUTPUTS:
        options.setdefault("region", Ref("AWS::Region"))
    if writes_to_task_log_group(c):
        options["log_group_name"] = Ref(_task_log_group(c.task, ctx))
        options.setdefault("log_stream_prefix", f"{c.logging.stream_prefix or c.name}/")
    log.Options = dict(sorted(options.items()))


def _s3_config_statements(task: TaskDefinition) -> list[Statement]:
    """Reading an S3 configuration file: GetObject on the object, GetBucketLocation on its bucket."""
    out: list[Statement] = []
    for router in routers(task):
        cfg = router.firelens
        if cfg is None or cfg.config_file_type != "s3" or not isinstance(cfg.config_file, str):
            continue
        bucket = cfg.config_file.split(":::", 1)[-1].split("/", 1)[0]
        partition = cfg.config_file.split(":")[1]
        out.append(Statement(Effect=Allow, Action=[awacs.s3.GetObject], Resource=[cfg.config_file]))
        out.append(Statement(Effect=Allow, Action=[awacs.s3.GetBucketLocation],
                             Resource=[f"arn:{partition}:s3:::{bucket}"]))
    return out


@extends("task")
def compile_firelens_task(task: TaskDefinition, ctx: Context, built: ecs.TaskDefinition) -> None:
    """Let the task role write the FireLens output into the task's own log group, and the execution role
    read the router's S3 configuration file."""
    if any(writes_to_task_log_group(c) for c in task.containers):
        group = GetAtt(_task_log_group(task, ctx), "Arn")
        grant_task_role(task, ctx, "firelens", [Statement(
            Effect=Allow, Action=[awacs.logs.CreateLogStream, awacs.logs.PutLogEvents], Resource=[group])])
    grant_execution_role(task, ctx, built, "firelens-config", _s3_config_statements(task))
