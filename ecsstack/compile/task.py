"""Task definitions, their containers, log group and roles."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, ecs, logs

from ..model import Container, NetworkMode, Service, TaskDefinition
from ._context import Context, compiler, run_hooks
from .iam import execution_role, secret_value_from, task_role
from .ids import logical_id

__all__ = ["compile_task"]


def _port(p: Any, network_mode: NetworkMode) -> ecs.PortMapping:
    kwargs: dict[str, Any] = {"ContainerPort": p.container_port, "Protocol": p.protocol.value}
    if p.host_port is not None:
        kwargs["HostPort"] = p.host_port
    elif network_mode in (NetworkMode.AWSVPC, NetworkMode.HOST):
        kwargs["HostPort"] = p.container_port
    elif network_mode is NetworkMode.BRIDGE:
        kwargs["HostPort"] = 0  # dynamic host port
    if p.name:
        kwargs["Name"] = p.name
    if p.app_protocol:
        kwargs["AppProtocol"] = p.app_protocol
    return ecs.PortMapping(**kwargs)


def _log_configuration(c: Container, ctx: Context, log_group: str | None) -> ecs.LogConfiguration | None:
    cfg = c.logging
    if cfg.driver is None:
        return None
    options = {k: ctx.value(v) for k, v in cfg.options.items()}
    if cfg.driver == "awslogs":
        options.setdefault("awslogs-group", Ref(log_group) if cfg.uses_task_log_group else ctx.value(cfg.log_group))
        options.setdefault("awslogs-region", Ref("AWS::Region"))
        options.setdefault("awslogs-stream-prefix", cfg.stream_prefix or c.name)
    kwargs: dict[str, Any] = {"LogDriver": cfg.driver}
    if options:
        kwargs["Options"] = dict(sorted(options.items()))
    return ecs.LogConfiguration(**kwargs)


def container_definition(c: Container, task: TaskDefinition, ctx: Context,
                         log_group: str | None) -> ecs.ContainerDefinition:
    kw: dict[str, Any] = {"Name": c.name, "Image": ctx.value(c.image), "Essential": c.essential}
    if c.ports:
        kw["PortMappings"] = [_port(p, task.network_mode) for p in c.ports]
    if c.command is not None:
        kw["Command"] = ctx.value(c.command)
    if c.entry_point is not None:
        kw["EntryPoint"] = ctx.value(c.entry_point)
    if c.environment:
        kw["Environment"] = [ecs.Environment(Name=k, Value=ctx.value(v)) for k, v in sorted(c.environment.items())]
    if c.secrets:
        kw["Secrets"] = [ecs.Secret(Name=k, ValueFrom=secret_value_from(s, ctx))
                         for k, s in sorted(c.secrets.items())]
    if c.health_check is not None:
        h = c.health_check
        hc: dict[str, Any] = {"Command": h.command, "Interval": h.interval, "Timeout": h.timeout,
                              "Retries": h.retries}
        if h.start_period is not None:
            hc["StartPeriod"] = h.start_period
        kw["HealthCheck"] = ecs.HealthCheck(**hc)
    for attr, prop in (("cpu", "Cpu"), ("memory", "Memory"), ("memory_reservation", "MemoryReservation"),
                       ("working_directory", "WorkingDirectory"), ("user", "User"),
                       ("readonly_root_filesystem", "ReadonlyRootFilesystem"),
                       ("start_timeout", "StartTimeout"), ("stop_timeout", "StopTimeout")):
        value = getattr(c, attr)
        if value is not None:
            kw[prop] = ctx.value(value)
    log_cfg = _log_configuration(c, ctx, log_group)
    if log_cfg is not None:
        kw["LogConfiguration"] = log_cfg
    deps = task.dependencies_of(c)
    if deps:
        kw["DependsOn"] = [ecs.ContainerDependency(ContainerName=d.target_name, Condition=d.condition.value)
                           for d in deps]
    return run_hooks("container", c, ctx, ecs.ContainerDefinition(**kw))


def _exec_command(task: TaskDefinition, ctx: Context) -> bool:
    return any(s.enable_execute_command for s in ctx.stack.of_type(Service) if s.task is task)


@compiler(TaskDefinition, order=20)
def compile_task(task: TaskDefinition, ctx: Context) -> None:
    base = logical_id(task.family)
    ctx.register(task, f"{base}TaskDefinition")
    log_group: str | None = None
    if any(c.logging.uses_task_log_group for c in task.containers):
        log_group = f"{base}LogGroup"
        ctx.add(logs.LogGroup(log_group, RetentionInDays=task.log_retention_days,
                              DeletionPolicy="Retain", UpdateReplacePolicy="Retain"))

    props: dict[str, Any] = {
        "Family": task.family,
        "NetworkMode": task.network_mode.value,
        "RequiresCompatibilities": [c.value for c in task.compatibilities],
        "ContainerDefinitions": [container_definition(c, task, ctx, log_group) for c in task.containers],
    }
    if task.cpu is not None:
        props["Cpu"] = str(task.cpu)
    if task.memory is not None:
        props["Memory"] = str(task.memory)

    if task.execution_role is not None:
        props["ExecutionRoleArn"] = ctx.value(task.execution_role)
    else:
        role = execution_role(task, ctx, log_group)
        if role is not None:
            ctx.add(role)
            props["ExecutionRoleArn"] = GetAtt(role.title, "Arn")
    if task.task_role is not None:
        props["TaskRoleArn"] = ctx.value(task.task_role)
    else:
        role = ctx.add(task_role(task, ctx, exec_command=_exec_command(task, ctx)))
        props["TaskRoleArn"] = GetAtt(role.title, "Arn")
    ctx.add(run_hooks("task", task, ctx, ecs.TaskDefinition(f"{base}TaskDefinition", **props)))
    if task.overrides:
        ctx.overrides.append((f"{base}TaskDefinition", None, task.overrides))
    for index, c in enumerate(task.containers):
        if c.overrides:
            ctx.overrides.append((f"{base}TaskDefinition", index, c.overrides))
