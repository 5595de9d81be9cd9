"""ScheduledTask in the template: the schedule's properties, its role's exact policy, the grants invariant on
that role, and cfn-lint."""

from __future__ import annotations

import copy

import pytest

from ecsstack import (
    CapacityProviderStrategy,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    Queue,
    ScheduledTask,
    Stack,
    Vpc,
)
from ecsstack.invariants import grants
from ecsstack.invariants._template import Template
from ecsstack.lint import lint_template

HERE = "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:"


def report(**task_kwargs) -> FargateTaskDefinition:
    task = FargateTaskDefinition("report", **task_kwargs)
    task.add_container("report", image="report:1", command=["./report"])
    return task


def synth(*things) -> dict:
    template = Stack("t").add(*things).to_dict()
    assert [str(f) for f in lint_template(template) if f.is_error] == []
    return template


def test_a_fargate_schedule_with_every_delivery_setting():
    queue = Queue("failures", dead_letter=False)
    scheduled = ScheduledTask("nightly", task=report(), cluster=Cluster("jobs"), schedule="cron(30 2 * * ? *)",
                              timezone="Europe/Paris", description="the report", flexible_window_minutes=15,
                              max_retries=3, max_event_age=3600, dead_letter_queue=queue, count=2,
                              platform_version="1.4.0", enable_execute_command=True, group="reports",
                              start_date="2026-01-01T00:00:00Z", end_date="2027-01-01T00:00:00Z")
    resources = synth(scheduled)["Resources"]
    schedule = resources["NightlySchedule"]
    assert schedule["Type"] == "AWS::Scheduler::Schedule"
    assert schedule["Properties"] == {
        "ScheduleExpression": "cron(30 2 * * ? *)",
        "ScheduleExpressionTimezone": "Europe/Paris",
        "Description": "the report",
        "StartDate": "2026-01-01T00:00:00Z",
        "EndDate": "2027-01-01T00:00:00Z",
        "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        "State": "ENABLED",
        "Target": {
            "Arn": {"Fn::GetAtt": ["JobsCluster", "Arn"]},
            "RoleArn": {"Fn::GetAtt": ["NightlySchedulerRole", "Arn"]},
            "EcsParameters": {
                "TaskDefinitionArn": {"Ref": "ReportTaskDefinition"},
                "TaskCount": 2,
                "LaunchType": "FARGATE",
                "PlatformVersion": "1.4.0",
                "NetworkConfiguration": {"AwsvpcConfiguration": {
                    "AssignPublicIp": "DISABLED", "Subnets": {"Ref": "Subnets"},
                    "SecurityGroups": [{"Fn::GetAtt": ["NightlyScheduleSecurityGroup", "GroupId"]}]}},
                "EnableECSManagedTags": True,
                "PropagateTags": "TASK_DEFINITION",
                "EnableExecuteCommand": True,
                "Group": "reports",
            },
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
            "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["FailuresQueue", "Arn"]}},
        },
    }
    group = resources["NightlyScheduleSecurityGroup"]["Properties"]
    assert "SecurityGroupIngress" not in group and group["VpcId"] == {"Ref": "VpcId"}
    # ECS Exec on the scheduled task: the task role gets the SSM channel
    assert [p["PolicyName"] for p in resources["ReportTaskRole"]["Properties"]["Policies"]] == ["ecs-exec"]


def test_defaults_are_on_time_enabled_and_without_retry_policy():
    scheduled = ScheduledTask("n", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)", enabled=False)
    props = synth(scheduled)["Resources"]["NSchedule"]["Properties"]
    assert props["FlexibleTimeWindow"] == {"Mode": "OFF"} and props["State"] == "DISABLED"
    assert set(props["Target"]) == {"Arn", "RoleArn", "EcsParameters"}
    assert "ScheduleExpressionTimezone" not in props


def test_the_role_is_exactly_least_privilege():
    scheduled = ScheduledTask("nightly", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)",
                              dead_letter_queue="arn:aws:sqs:us-east-1:123456789012:dlq")
    role = synth(scheduled)["Resources"]["NightlySchedulerRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": ["sts:AssumeRole"],
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]
    assert "ManagedPolicyArns" not in role
    [policy] = role["Policies"]
    assert policy["PolicyName"] == "run-task"
    assert policy["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": ["ecs:RunTask"],
         "Resource": [{"Fn::Sub": HERE + "task-definition/${AWS::StackName}-report:*"}],
         "Condition": {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": ["JobsCluster", "Arn"]}}}},
        {"Effect": "Allow", "Action": ["ecs:TagResource"],
         "Resource": [{"Fn::Sub": [HERE + "task/${Cluster}/*", {"Cluster": {"Ref": "JobsCluster"}}]}],
         "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}}},
        {"Effect": "Allow", "Action": ["iam:PassRole"],
         "Resource": [{"Fn::GetAtt": ["ReportExecutionRole", "Arn"]}, {"Fn::GetAtt": ["ReportTaskRole", "Arn"]}],
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["arn:aws:sqs:us-east-1:123456789012:dlq"]},
    ]


def test_pass_role_follows_the_roles_the_task_really_has():
    task = FargateTaskDefinition("report", family="reports", task_role="arn:aws:iam::123456789012:role/report")
    task.add_container("report", image="report:1", logging=None)  # no logs: no execution role at all
    scheduled = ScheduledTask("nightly", task=task, cluster=Cluster("jobs"), schedule="rate(1 day)")
    resources = synth(scheduled)["Resources"]
    assert "ReportExecutionRole" not in resources
    statements = resources["NightlySchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[0]["Resource"] == [{"Fn::Sub": HERE + "task-definition/reports:*"}]
    assert statements[2]["Resource"] == ["arn:aws:iam::123456789012:role/report"]


def test_a_kms_encrypted_dead_letter_queue_adds_its_key():
    key = "arn:aws:kms:us-east-1:123456789012:key/abc"
    scheduled = ScheduledTask("n", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)",
                              dead_letter_queue=Queue("failures", dead_letter=False, kms_key=key))
    statements = synth(scheduled)["Resources"]["NSchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"]
    assert statements[-1] == {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": [key]}


def test_a_strategy_and_a_created_vpc():
    vpc = Vpc("main")
    scheduled = ScheduledTask("n", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)", vpc=vpc,
                              capacity_provider_strategy=[CapacityProviderStrategy("FARGATE_SPOT")])
    resources = synth(scheduled)["Resources"]
    schedule = resources["NSchedule"]
    params = schedule["Properties"]["Target"]["EcsParameters"]
    assert "LaunchType" not in params
    assert params["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]
    assert schedule["DependsOn"] == ["JobsClusterCapacityProviders"]
    assert resources["JobsClusterCapacityProviders"]["Properties"]["CapacityProviders"] == ["FARGATE_SPOT"]
    assert params["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == [
        {"Ref": "MainVpcPrivateSubnet1"}, {"Ref": "MainVpcPrivateSubnet2"}]


def test_a_bridge_task_on_ec2_capacity_has_no_network_configuration():
    cluster = Cluster("jobs")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("report", memory=512)
    task.add_container("report", image="report:1")
    scheduled = ScheduledTask("n", task=task, cluster=cluster, schedule="rate(1 day)")
    resources = synth(scheduled)["Resources"]
    params = resources["NSchedule"]["Properties"]["Target"]["EcsParameters"]
    assert "NetworkConfiguration" not in params and "NScheduleSecurityGroup" not in resources
    assert params["CapacityProviderStrategy"] == [{"CapacityProvider": {"Ref": "InstancesCapacityProvider"},
                                                   "Weight": 1}]


def test_overrides_reach_the_schedule():
    scheduled = ScheduledTask("n", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)",
                              overrides={"GroupName": "jobs"})
    assert synth(scheduled)["Resources"]["NSchedule"]["Properties"]["GroupName"] == "jobs"


# ---- the grants invariant checks the scheduler role ------------------------------------------------------

def _checked() -> tuple[Stack, dict]:
    stack = Stack("t").add(ScheduledTask("nightly", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)",
                                         dead_letter_queue=Queue("failures", dead_letter=False)))
    return stack, stack.to_dict()


def _statements(template: dict) -> list[dict]:
    return template["Resources"]["NightlySchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def test_the_invariant_accepts_the_compiled_role():
    stack, template = _checked()
    assert grants.check(stack, Template(template)) == []


@pytest.mark.parametrize(("break_it", "rule", "said"), [
    (lambda t: _statements(t)[0].update(Resource=["*"]), "ECS921", "grants ecs:RunTask on *"),
    (lambda t: _statements(t)[0].update(Resource=[{"Fn::Sub": HERE + "task-definition/other:*"}]), "ECS920",
     "may not ecs:RunTask on " + HERE + "task-definition/${AWS::StackName}-report:*"),
    (lambda t: _statements(t)[0].pop("Condition"), "ECS921", "grants ecs:RunTask without the condition"),
    (lambda t: _statements(t)[2]["Resource"].append("arn:aws:iam::123456789012:role/admin"), "ECS921",
     "grants iam:PassRole on arn:aws:iam::123456789012:role/admin"),
    (lambda t: _statements(t)[2]["Resource"].pop(), "ECS920", "may not iam:PassRole on ${ReportTaskRole.Arn}"),
    (lambda t: _statements(t)[2].pop("Condition"), "ECS921", "grants iam:PassRole without the condition"),
    (lambda t: _statements(t).pop(3), "ECS920", "may not sqs:SendMessage"),
    (lambda t: t["Resources"]["NightlySchedulerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
     .pop("Condition"), "ECS921", "beyond EventBridge Scheduler of the stack's own account"),
    (lambda t: t["Resources"]["NightlySchedulerRole"]["Properties"].update(
        ManagedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"]), "ECS921", "managed policy"),
    (lambda t: t["Resources"]["NightlySchedule"]["Properties"]["Target"]["EcsParameters"].update(
        TaskDefinitionArn="arn:aws:ecs:us-east-1:123456789012:task-definition/other:1"), "ECS920",
     "not the task definition ReportTaskDefinition"),
])
def test_the_invariant_checks_the_role(break_it, rule, said):
    stack, template = _checked()
    broken = copy.deepcopy(template)
    break_it(broken)
    problems = grants.check(stack, Template(broken))
    assert any(p.rule == rule and said in p.message and p.path == "scheduled task nightly › resource NightlySchedule"
               for p in problems), [str(p) for p in problems]
