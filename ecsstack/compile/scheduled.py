"""Scheduled tasks: an EventBridge Scheduler schedule with an ECS target, the least-privilege role it runs the
task with, and (for awsvpc tasks) a security group made for it that admits nothing."""

from __future__ import annotations

from typing import Any

import awacs.ecs
import awacs.iam
import awacs.kms
import awacs.sqs
import awacs.sts
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from awacs.aws import ArnEquals as AwacsArnEquals
from troposphere import GetAtt, Ref, Sub, ec2, iam, scheduler

from ..model import LaunchType, NetworkMode, Queue, ScheduledTask, TaskDefinition
from ..names import SCHEDULE, SCHEDULER_ROLE, SECURITY_GROUP, logical_id
from . import capacity
from ._context import Context
from .network import subnet_refs, vpc_ref

__all__ = ["compile_scheduled_task", "family_arn", "scheduler_role_name", "task_roles"]

#: the service principal EventBridge Scheduler assumes a schedule's role as
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"
_ECS_ARN = "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:"


def scheduler_role_name(scheduled: ScheduledTask) -> str:
    """The logical ID of the role the schedule runs its task with."""
    return logical_id(scheduled.name, SCHEDULER_ROLE)


def family_arn(task: TaskDefinition, ctx: Context) -> Any:
    """Every revision of the task's family: ``arn:…:task-definition/<family>:*`` (the family as the task
    definition registers it: ``family=`` as given, else ``<stack>-<name>``)."""
    family = task.explicit_family
    if family is None:
        return Sub(_ECS_ARN + f"task-definition/${{AWS::StackName}}-{task.family}:*")
    if isinstance(family, str):
        return Sub(_ECS_ARN + f"task-definition/{family}:*")
    return Sub(_ECS_ARN + "task-definition/${Family}:*", Family=ctx.value(family))


def task_roles(task: TaskDefinition, ctx: Context) -> list[Any]:
    """The task definition's execution and task role ARNs, exactly as it was compiled with them (one when it
    has no execution role)."""
    props = ctx.template.resources[ctx.logical(task)].properties
    return [props[key] for key in ("ExecutionRoleArn", "TaskRoleArn") if key in props]


def _assume_scheduler() -> PolicyDocument:
    return PolicyDocument(Version="2012-10-17", Statement=[Statement(
        Effect=Allow, Principal=Principal("Service", SCHEDULER_PRINCIPAL), Action=[awacs.sts.AssumeRole],
        Condition=Condition(StringEquals("aws:SourceAccount", Ref("AWS::AccountId"))))])


def _role(scheduled: ScheduledTask, ctx: Context) -> iam.Role:
    """Run exactly this task definition's family in exactly this cluster, tag the tasks it starts there, pass
    exactly the task's roles to ECS tasks, and send to the dead-letter queue; nothing more."""
    cluster = ctx.logical(scheduled.cluster)
    statements = [
        Statement(Effect=Allow, Action=[awacs.ecs.RunTask], Resource=[family_arn(scheduled.task, ctx)],
                  Condition=Condition(AwacsArnEquals("ecs:cluster", GetAtt(cluster, "Arn")))),
        Statement(Effect=Allow, Action=[awacs.ecs.TagResource],
                  Resource=[Sub(_ECS_ARN + "task/${Cluster}/*", Cluster=Ref(cluster))],
                  Condition=Condition(StringEquals("ecs:CreateAction", "RunTask"))),
        Statement(Effect=Allow, Action=[awacs.iam.PassRole], Resource=task_roles(scheduled.task, ctx),
                  Condition=Condition(StringEquals("iam:PassedToService", "ecs-tasks.amazonaws.com"))),
    ]
    dlq = scheduled.dead_letter_arn
    if dlq is not None:
        statements.append(Statement(Effect=Allow, Action=[awacs.sqs.SendMessage], Resource=[ctx.value(dlq)]))
        queue = scheduled.dead_letter_queue
        if isinstance(queue, Queue) and queue.kms_key is not None:
            statements.append(Statement(Effect=Allow, Action=[awacs.kms.GenerateDataKey, awacs.kms.Decrypt],
                                        Resource=[ctx.value(queue.kms_key)]))
    name = ctx.part(scheduled, "SchedulerRole", scheduler_role_name(scheduled))
    return iam.Role(name, AssumeRolePolicyDocument=_assume_scheduler(),
                    Policies=[iam.Policy(PolicyName="run-task", PolicyDocument=PolicyDocument(
                        Version="2012-10-17", Statement=statements))])


def _network(scheduled: ScheduledTask, ctx: Context, base: str) -> scheduler.NetworkConfiguration:
    subnets = subnet_refs(scheduled.vpc if scheduled.subnets is None else scheduled.subnets, ctx)
    if scheduled.security_groups is None:
        name = f"{base}{SECURITY_GROUP}"
        ctx.add(ec2.SecurityGroup(ctx.part(scheduled, "SecurityGroup", name),
                                  GroupDescription=f"ECS scheduled task {scheduled.name}",
                                  VpcId=vpc_ref(scheduled.vpc, ctx),
                                  SecurityGroupEgress=[ec2.SecurityGroupRule(
                                      IpProtocol="-1", CidrIp="0.0.0.0/0", Description="all outbound")]))
        groups: Any = [GetAtt(name, "GroupId")]
    else:
        groups = ctx.value(scheduled.security_groups)
    return scheduler.NetworkConfiguration(AwsvpcConfiguration=scheduler.AwsVpcConfiguration(
        AssignPublicIp="ENABLED" if scheduled.assign_public_ip else "DISABLED", Subnets=subnets,
        SecurityGroups=groups))


def _ecs_parameters(scheduled: ScheduledTask, ctx: Context, base: str) -> tuple[scheduler.EcsParameters, list[str]]:
    props: dict[str, Any] = {
        "TaskDefinitionArn": Ref(ctx.logical(scheduled.task)),
        "TaskCount": scheduled.count,
        "EnableECSManagedTags": True,
    }
    depends_on: list[str] = []
    for key, value in capacity.launch(scheduled, ctx, scheduler.CapacityProviderStrategyItem).items():
        if key == "DependsOn":
            depends_on += value
        else:
            props[key] = value
    if scheduled.task.network_mode is NetworkMode.AWSVPC:
        props["NetworkConfiguration"] = _network(scheduled, ctx, base)
    if scheduled.platform_version and scheduled.effective_launch_type is LaunchType.FARGATE:
        props["PlatformVersion"] = ctx.value(scheduled.platform_version)
    if scheduled.propagate_tags:
        props["PropagateTags"] = "TASK_DEFINITION"
    if scheduled.enable_execute_command:
        props["EnableExecuteCommand"] = True
    if scheduled.group is not None:
        props["Group"] = ctx.value(scheduled.group)
    return scheduler.EcsParameters(**props), depends_on


def compile_scheduled_task(scheduled: ScheduledTask, ctx: Context) -> None:
    """The schedule, its role and its security group (after the task definition and cluster it names)."""
    base = logical_id(scheduled.name, SCHEDULE)
    ctx.register(scheduled, base)
    role = ctx.add(_role(scheduled, ctx))
    ecs_parameters, depends_on = _ecs_parameters(scheduled, ctx, base)
    target: dict[str, Any] = {"Arn": GetAtt(ctx.logical(scheduled.cluster), "Arn"),
                              "RoleArn": GetAtt(role.title, "Arn"), "EcsParameters": ecs_parameters}
    retry: dict[str, Any] = {}
    if scheduled.max_retries is not None:
        retry["MaximumRetryAttempts"] = scheduled.max_retries
    if scheduled.max_event_age is not None:
        retry["MaximumEventAgeInSeconds"] = scheduled.max_event_age
    if retry:
        target["RetryPolicy"] = scheduler.RetryPolicy(**retry)
    if scheduled.dead_letter_arn is not None:
        target["DeadLetterConfig"] = scheduler.DeadLetterConfig(Arn=ctx.value(scheduled.dead_letter_arn))
    window = (scheduler.FlexibleTimeWindow(Mode="OFF") if scheduled.flexible_window_minutes is None else
              scheduler.FlexibleTimeWindow(Mode="FLEXIBLE", MaximumWindowInMinutes=scheduled.flexible_window_minutes))
    props: dict[str, Any] = {
        "ScheduleExpression": ctx.value(scheduled.schedule),
        "FlexibleTimeWindow": window,
        "State": "ENABLED" if scheduled.enabled else "DISABLED",
        "Target": scheduler.Target(**target),
    }
    for attr, key in (("timezone", "ScheduleExpressionTimezone"), ("description", "Description"),
                      ("start_date", "StartDate"), ("end_date", "EndDate")):
        value = getattr(scheduled, attr)
        if value is not None:
            props[key] = ctx.value(value)
    attributes = {"DependsOn": sorted(depends_on)} if depends_on else {}
    ctx.add(scheduler.Schedule(ctx.part(scheduled, "Schedule", base), **props, **attributes))
