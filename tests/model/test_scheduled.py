"""ScheduledTask in the model: defaults, what stack.add brings along, and the checks on arguments."""

from __future__ import annotations

import pytest

from ecsstack import (
    CapacityProviderStrategy,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    Queue,
    ScheduledTask,
    Stack,
    ValidationError,
    Vpc,
)
from ecsstack.model.derived import associated_providers, effective_strategy


def report() -> FargateTaskDefinition:
    task = FargateTaskDefinition("report")
    task.add_container("report", image="report:1")
    return task


def test_defaults():
    scheduled = ScheduledTask("nightly", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)")
    assert scheduled.path == "scheduled task nightly"
    assert (scheduled.count, scheduled.enabled, scheduled.assign_public_ip, scheduled.propagate_tags) == (1, True,
                                                                                                          False, True)
    assert scheduled.flexible_window_minutes is None and scheduled.timezone is None
    assert scheduled.effective_launch_type is LaunchType.FARGATE and effective_strategy(scheduled) is None
    assert scheduled.dead_letter_arn is None


def test_stack_add_brings_cluster_task_vpc_and_queue():
    cluster, task, vpc, queue = Cluster("jobs"), report(), Vpc("main"), Queue("failures", dead_letter=False)
    scheduled = ScheduledTask("nightly", task=task, cluster=cluster, schedule="rate(1 day)", vpc=vpc,
                              dead_letter_queue=queue)
    stack = Stack("t").add(scheduled)
    assert [type(r).__name__ for r in stack.resources] == ["Cluster", "FargateTaskDefinition", "Vpc", "Queue",
                                                           "ScheduledTask"]
    assert scheduled.dead_letter_arn.target is queue and scheduled.dead_letter_arn.attribute == "Arn"


def test_subnet_group_sets_the_vpc_and_an_existing_queue_gives_its_arn():
    vpc = Vpc("main")
    scheduled = ScheduledTask("n", task=report(), cluster=Cluster("jobs"), schedule="rate(1 day)",
                              subnets=vpc.private_subnets, dead_letter_queue=Queue.existing("arn:aws:sqs:eu-west-1:"
                                                                                            "123456789012:dlq"))
    assert scheduled.vpc is vpc
    assert scheduled.dead_letter_arn == "arn:aws:sqs:eu-west-1:123456789012:dlq"


def test_an_ec2_task_is_placed_on_the_cluster_capacity_like_a_service():
    cluster = Cluster("jobs")
    capacity = cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("report", memory=512)
    task.add_container("report", image="report:1")
    scheduled = ScheduledTask("n", task=task, cluster=cluster, schedule="rate(1 day)")
    assert [s.provider for s in effective_strategy(scheduled)] == [capacity]


def test_a_scheduled_strategy_is_associated_with_the_cluster():
    cluster = Cluster("jobs")
    scheduled = ScheduledTask("n", task=report(), cluster=cluster, schedule="rate(1 day)",
                              capacity_provider_strategy=[CapacityProviderStrategy("FARGATE_SPOT")])
    stack = Stack("t").add(scheduled)
    assert [str(getattr(p, "value", p)) for p in associated_providers(cluster, stack)] == ["FARGATE_SPOT"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"task": "report"}, "task must be a task definition"),
    ({"cluster": "jobs"}, "cluster must be a Cluster"),
    ({"schedule": ""}, "schedule must be a schedule expression"),
    ({"schedule": 5}, "schedule must be a schedule expression"),
    ({"count": "2"}, "count"),
    ({"max_retries": 1.5}, "max_retries"),
    ({"enabled": "yes"}, "enabled"),
    ({"launch_type": "LAMBDA"}, "launch_type"),
    ({"dead_letter_queue": 42}, "dead_letter_queue must be"),
    ({"vpc": "vpc-1"}, "vpc must be a Vpc"),
])
def test_arguments_are_checked(kwargs, message):
    args = {"task": report(), "cluster": Cluster("jobs"), "schedule": "rate(1 day)", **kwargs}
    with pytest.raises(ValidationError) as info:
        ScheduledTask("nightly", **args)
    assert message in str(info.value)
    assert info.value.problems[0].rule == "ECS001"
