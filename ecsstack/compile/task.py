"""Task definitions, their containers, log group and roles; the features of a task (storage, FireLens,
runtime platform) contribute their properties and role permissions here."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, Sub, ecs, logs

from ..model import (
    Container,
    ExistingTaskDefinition,
    NetworkMode,
    RestartPolicy,
    ScheduledTask,
    Service,
    TaskDefinition,
)
from ..model.derived import FIRELENS_DRIVER, writes_to_task_log_group
from ..names import LOG_GROUP, TASK_DEFINITION, logical_id
from . import capacity, firelens, settings, volumes
from ._checkov import LOG_GROUP_KMS, checkov_skips
from ._context import Context
from .iam import awslogs_groups, execution_role, secret_value_from, task_role

__all__ = ["compile_task", "family", "task_definition", "task_log_group"]


def task_log_group(task: TaskDefinition) -> str | None:
    """The logical ID of the task's own log group when a container logs to it (with ``awslogs``, or through
    FireLens into CloudWatch); None when none does."""
    if any(c.logging.uses_task_log_group or writes_to_task_log_group(c) for c in task.containers):
        return logical_id(task.family, LOG_GROUP)
    return None


def family(task: TaskDefinition, ctx: Context) -> Any:
    """The family the task definition registers revisions under: ``family=`` as given, else
    ``${AWS::StackName}-<name>``, so two stacks with a task of one name never interleave revisions."""
    if task.explicit_family is not None:
        return ctx.value(task.explicit_family)
    return Sub(f"${{AWS::StackName}}-{task.family}")


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
    if cfg.driver == FIRELENS_DRIVER:
        options = {**firelens.log_options(c, log_group), **options}
    kwargs: dict[str, Any] = {"LogDriver": cfg.driver}
    if options or cfg.driver == FIRELENS_DRIVER:  # FireLens options are stated even when there are none
        kwargs["Options"] = dict(sorted(options.items()))
    return ecs.LogConfiguration(**kwargs)


def _restart_policy(policy: RestartPolicy) -> ecs.RestartPolicy:
    kwargs: dict[str, Any] = {"Enabled": policy.enabled}
    if policy.ignored_exit_codes:
        kwargs["IgnoredExitCodes"] = list(policy.ignored_exit_codes)
    if policy.restart_attempt_period is not None:
        kwargs["RestartAttemptPeriod"] = policy.restart_attempt_period
    return ecs.RestartPolicy(**kwargs)


def container_definition(c: Container, task: TaskDefinition, ctx: Context,
                         log_group: str | None) -> ecs.ContainerDefinition:
    """One entry of ``ContainerDefinitions`` (``log_group``: the task's own log group, if it has one)."""
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
    if c.gpu is not None:
        kw["ResourceRequirements"] = [ecs.ResourceRequirement(Type="GPU", Value=str(c.gpu))]
    if c.restart_policy is not None:
        kw["RestartPolicy"] = _restart_policy(c.restart_policy)
    log_cfg = _log_configuration(c, ctx, log_group)
    if log_cfg is not None:
        kw["LogConfiguration"] = log_cfg
    deps = task.dependencies_of(c)
    if deps:
        kw["DependsOn"] = [ecs.ContainerDependency(ContainerName=d.target_name, Condition=d.condition.value)
                           for d in deps]
    kw.update(volumes.container_properties(c))
    kw.update(firelens.container_properties(c, ctx))
    kw.update(settings.container_properties(c, ctx))
    return ecs.ContainerDefinition(**kw)


def _exec_command(task: TaskDefinition, ctx: Context) -> bool:
    runners = [*ctx.stack.of_type(Service), *ctx.stack.of_type(ScheduledTask)]
    return any(s.enable_execute_command for s in runners if s.task is task)


def task_definition(task: TaskDefinition, ctx: Context) -> Any:
    """What a service's ``TaskDefinition`` property holds: the reference of a task registered elsewhere as
    given (text or a parameter's ``Ref``), else a ``Ref`` to the task definition this template makes."""
    if isinstance(task, ExistingTaskDefinition):
        return ctx.value(task.reference)
    return Ref(ctx.logical(task))


def compile_task(task: TaskDefinition, ctx: Context) -> None:
    """The task definition, built once with its containers, storage and runtime platform; its log group
    and the roles it needs, each with every policy it gets. A task registered elsewhere makes nothing."""
    if isinstance(task, ExistingTaskDefinition):
        return
    name = logical_id(task.family, TASK_DEFINITION)
    ctx.register(task, name)
    log_group = task_log_group(task)
    if log_group is not None:
        encryption = ({"KmsKeyId": ctx.value(task.log_kms_key)} if task.log_kms_key is not None
                      else checkov_skips(LOG_GROUP_KMS))
        ctx.part(task, "LogGroup", log_group)
        ctx.add(logs.LogGroup(log_group, RetentionInDays=task.log_retention_days, **encryption,
                              DeletionPolicy="Retain", UpdateReplacePolicy="Retain"))

    props: dict[str, Any] = {
        "Family": family(task, ctx),
        "NetworkMode": task.network_mode.value,
        "RequiresCompatibilities": [c.value for c in task.compatibilities],
        "ContainerDefinitions": [container_definition(c, task, ctx, log_group) for c in task.containers],
    }
    if task.cpu is not None:
        props["Cpu"] = str(task.cpu)
    if task.memory is not None:
        props["Memory"] = str(task.memory)
    props.update(volumes.task_properties(task, ctx))
    props.update(capacity.runtime_platform(task))
    props.update(settings.task_properties(task, ctx))

    # inline policies the features add to the roles made here (a role the user brought is left alone)
    execution_grants = [("firelens-config", firelens.execution_role_statements(task)),
                        ("files", settings.execution_role_statements(task, ctx))]
    task_grants = [("firelens", firelens.task_role_statements(task, log_group)),
                   ("efs", volumes.task_role_statements(task, ctx)),
                   ("ecs-exec-sessions", settings.exec_statements(task, ctx))]
    if task.execution_role is not None:
        props["ExecutionRoleArn"] = ctx.value(task.execution_role)
    else:
        # only awslogs needs the execution role to write logs (into the task's own group and any group a
        # container names); FireLens writes with the task role
        role = execution_role(task, ctx, awslogs_groups(task, ctx, log_group), execution_grants)
        if role is not None:
            ctx.part(task, "ExecutionRole", role.title)
            ctx.add(role)
            props["ExecutionRoleArn"] = GetAtt(role.title, "Arn")
    if task.task_role is not None:
        props["TaskRoleArn"] = ctx.value(task.task_role)
    else:
        role = ctx.add(task_role(task, ctx, exec_command=_exec_command(task, ctx), grants=task_grants))
        ctx.part(task, "TaskRole", role.title)
        props["TaskRoleArn"] = GetAtt(role.title, "Arn")
    ctx.add(ecs.TaskDefinition(ctx.part(task, "TaskDefinition", name), **props))
    for index, c in enumerate(task.containers):
        if c.overrides:
            ctx.overrides.append((name, index, c.overrides))
