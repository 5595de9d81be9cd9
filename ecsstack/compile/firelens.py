"""FireLens: the log router's FirelensConfiguration, the awsfirelens options of the containers that log
through it, and the permissions both need (task role: CloudWatch Logs; execution role: an S3 config file)."""

from __future__ import annotations

from typing import Any

import awacs.logs
import awacs.s3
from awacs.aws import Allow, Statement
from troposphere import GetAtt, Ref, ecs

from ..model import Container, TaskDefinition
from ..model.derived import CLOUDWATCH_OUTPUTS, routers, writes_to_task_log_group
from ._context import Context

__all__ = ["container_properties", "execution_role_statements", "log_options", "task_role_statements"]


def _router_options(c: Container, ctx: Context) -> dict[str, Any]:
    cfg = c.firelens
    assert cfg is not None
    options = {k: ctx.value(v) for k, v in cfg.options.items()}
    if cfg.config_file is not None:
        options["config-file-type"] = cfg.config_file_type
        options["config-file-value"] = ctx.value(cfg.config_file)
    return dict(sorted(options.items()))


def container_properties(c: Container, ctx: Context) -> dict[str, Any]:
    """The ``FirelensConfiguration`` of a task's log router; nothing for other containers."""
    if c.firelens is None:
        return {}
    kwargs: dict[str, Any] = {"Type": c.firelens.type.value}
    options = _router_options(c, ctx)
    if options:
        kwargs["Options"] = options
    return {"FirelensConfiguration": ecs.FirelensConfiguration(**kwargs)}


def log_options(c: Container, log_group: str | None) -> dict[str, Any]:
    """Defaults of the ``awsfirelens`` log options of a container logging through the router (its own
    options win): the region of a CloudWatch output, and the task's log group (``log_group``) with a
    stream prefix when the container writes there."""
    options: dict[str, Any] = {}
    if c.logging.options.get("Name") in CLOUDWATCH_OUTPUTS:
        options["region"] = Ref("AWS::Region")
    if writes_to_task_log_group(c) and log_group is not None:
        options["log_group_name"] = Ref(log_group)
        options["log_stream_prefix"] = f"{c.logging.stream_prefix or c.name}/"
    return options


def task_role_statements(task: TaskDefinition, log_group: str | None) -> list[Statement]:
    """Writing the FireLens output into the task's own log group (``log_group``), when a container does."""
    if log_group is None or not any(writes_to_task_log_group(c) for c in task.containers):
        return []
    return [Statement(Effect=Allow, Action=[awacs.logs.CreateLogStream, awacs.logs.PutLogEvents],
                      Resource=[GetAtt(log_group, "Arn")])]


def execution_role_statements(task: TaskDefinition) -> list[Statement]:
    """Reading the router's S3 configuration file: GetObject on the object, GetBucketLocation on its bucket."""
    out: list[Statement] = []
    for router in routers(task):
        s3 = router.firelens.s3_config if router.firelens is not None else None
        if s3 is None:
            continue
        obj, bucket = s3
        out.append(Statement(Effect=Allow, Action=[awacs.s3.GetObject], Resource=[obj]))
        out.append(Statement(Effect=Allow, Action=[awacs.s3.GetBucketLocation], Resource=[bucket]))
    return out
