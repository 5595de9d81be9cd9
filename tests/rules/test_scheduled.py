"""ECS450–ECS459: scheduled tasks."""

from __future__ import annotations

import pytest

from ecsstack import (
    CapacityProviderStrategy,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    Queue,
    RestartPolicy,
    ScheduledTask,
    Stack,
    Vpc,
)
from ecsstack.rules import check_stack
from ecsstack.rules.scheduled import schedule_problem

PATH = "scheduled task nightly"


def fargate() -> FargateTaskDefinition:
    task = FargateTaskDefinition("report")
    task.add_container("report", image="report:1")
    return task


def ec2() -> Ec2TaskDefinition:
    task = Ec2TaskDefinition("report", memory=512)
    task.add_container("report", image="report:1")
    return task


def found(rule_id: str, task=None, cluster=None, **kwargs) -> list:
    kwargs.setdefault("schedule", "rate(1 day)")
    scheduled = ScheduledTask("nightly", task=task or fargate(), cluster=cluster or Cluster("jobs"), **kwargs)
    return [p for p in check_stack(Stack("t").add(scheduled)) if p.rule == rule_id]


# ---- ECS450 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("expression", [
    "cron(0 3 * * ? *)", "cron(30 2 ? * MON-FRI *)", "cron(0/15 8-17 ? * 2-6 2026)", "cron(0 12 L * ? *)",
    "cron(0 9 ? * 2#1 *)", "cron(0 0 1,15 JAN,JUL ? *)", "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)",
    "rate(12 hours)", "rate(1 day)", "rate(7 days)", "at(2026-12-31T23:00:00)",
])
def test_ecs450_allows_valid_expressions(expression):
    assert schedule_problem(expression) is None
    assert found("ECS450", schedule=expression) == []


@pytest.mark.parametrize(("expression", "said"), [
    ("cron(0 3 * * *)", "cron takes 6 fields (minutes hours day-of-month month day-of-week year), got 5."),
    ("cron(0 3 * * 1 *)", "sets exactly one of day-of-month and day-of-week and writes ? in the other."),
    ("cron(0 3 ? * ? *)", "sets exactly one of day-of-month and day-of-week"),
    ("cron(60 3 * * ? *)", "'60' is not a valid minutes value (0-59)."),
    ("cron(0 24 * * ? *)", "'24' is not a valid hours value (0-23)."),
    ("cron(0 3 * 13 ? *)", "'13' is not a valid month value (1-12, or a name)."),
    ("cron(0 3 ? * FUN *)", "'FUN' is not a valid day-of-week value (1-7, or a name)."),
    ("cron(0 ? * * ? *)", "? is allowed only in day-of-month or day-of-week, not in hours."),
    ("cron(0/0 3 * * ? *)", "has the step '0'; a step is a positive number."),
    ("cron(0 3 * * ? *", "is not closed with ')'."),
    ("rate(1 days)", "rate(1 days) is refused: the unit is singular for 1 and plural otherwise."),
    ("rate(5 minute)", "rate(5 minute) is refused"),
    ("rate(0 hours)", "the rate '0' is not a positive whole number."),
    ("rate(2 weeks)", "the rate unit 'weeks' is not minute(s), hour(s) or day(s)."),
    ("rate(1hour)", "a rate expression is rate(value unit), one space apart."),
    ("at(2026-02-30T10:00:00)", "is not a date and time written yyyy-mm-ddThh:mm:ss."),
    ("at(2026-02-01 10:00)", "is not a date and time written yyyy-mm-ddThh:mm:ss."),
    ("daily", "'daily' is not a cron(...), rate(...) or at(...) expression."),
])
def test_ecs450_refuses_invalid_expressions(expression, said):
    [problem] = found("ECS450", schedule=expression)
    assert problem.path == PATH and problem.severity == "error"
    assert problem.message.startswith(f"schedule={expression!r}: ") and said in problem.message
    assert problem.hint.endswith(".")


def test_ecs450_hints_give_the_fix():
    assert schedule_problem("rate(1 days)")[1] == 'Write "rate(1 day)".'
    assert '"cron(0 3 * * ? *)"' in schedule_problem("cron(0 3 * * *)")[1]


def test_ecs450_skips_a_parameter():
    stack = Stack("t")
    scheduled = ScheduledTask("nightly", task=fargate(), cluster=Cluster("jobs"),
                              schedule=stack.parameter("Schedule", default="rate(1 day)"))
    assert [p for p in check_stack(stack.add(scheduled)) if p.rule == "ECS450"] == []


# ---- ranges: ECS451–ECS453 ---------------------------------------------------------------------------

@pytest.mark.parametrize(("rule_id", "field", "bad", "good"), [
    ("ECS451", "flexible_window_minutes", [0, 1441], [1, 1440]),
    ("ECS452", "max_retries", [-1, 186], [0, 185]),
    ("ECS452", "max_event_age", [59, 86401], [60, 86400]),
    ("ECS453", "count", [0, 11], [1, 10]),
])
def test_ranges(rule_id, field, bad, good):
    for value in bad:
        [problem] = found(rule_id, **{field: value})
        assert problem.path == PATH and f"{field}={value}" in problem.message and problem.severity == "error"
    for value in good:
        assert found(rule_id, **{field: value}) == []


# ---- ECS454 -----------------------------------------------------------------------------------------

def test_ecs454_timezone():
    [problem] = found("ECS454", timezone="Paris")
    assert problem.message == "timezone='Paris' is not an IANA time zone name."
    assert problem.hint == "Did you mean 'Europe/Paris'?"
    assert found("ECS454", timezone="Europe/Paris") == [] and found("ECS454", timezone="UTC") == []
    assert found("ECS454", timezone="Mars/Olympus")[0].hint.startswith("Use an IANA name")


# ---- ECS455 -----------------------------------------------------------------------------------------

def test_ecs455_launch_type_the_task_cannot_run_on():
    [problem] = found("ECS455", launch_type=LaunchType.EC2)
    assert problem.message == "launch_type=EC2, but task 'report' is compatible with FARGATE only."
    assert problem.hint == "Use launch_type=LaunchType.FARGATE."


def test_ecs455_both_launch_type_and_strategy():
    [problem] = found("ECS455", launch_type=LaunchType.FARGATE,
                      capacity_provider_strategy=[CapacityProviderStrategy("FARGATE_SPOT")])
    assert "sets both launch_type and capacity_provider_strategy" in problem.message


def test_ecs455_strategy_over_capacity_the_task_cannot_use():
    [problem] = found("ECS455", task=ec2(), capacity_provider_strategy=[CapacityProviderStrategy("FARGATE")])
    assert "places tasks on FARGATE (FARGATE), but task 'report' is compatible with EC2 only" in problem.message
    assert found("ECS455", capacity_provider_strategy=[CapacityProviderStrategy("FARGATE_SPOT")]) == []


def test_ecs455_ec2_without_capacity_warns():
    [problem] = found("ECS455", task=ec2())
    assert problem.severity == "warning" and "has no EC2 capacity" in problem.message
    cluster = Cluster("jobs")
    cluster.add_ec2_capacity("instances")
    assert found("ECS455", task=ec2(), cluster=cluster) == []


# ---- ECS456 / ECS457 ----------------------------------------------------------------------------------

def test_ecs456_network_settings_on_a_bridge_task():
    cluster = Cluster("jobs")
    cluster.add_ec2_capacity("instances")
    [problem] = found("ECS456", task=ec2(), cluster=cluster, security_groups=["sg-1"], vpc=Vpc("main"))
    assert problem.message.startswith("sets vpc=, security_groups= but task 'report' uses network_mode=bridge")
    assert found("ECS456", task=ec2(), cluster=cluster) == []


def test_ecs456_public_ip_needs_fargate():
    cluster = Cluster("jobs")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("report", memory=512, network_mode="awsvpc")
    task.add_container("report", image="report:1")
    [problem] = found("ECS456", task=task, cluster=cluster, assign_public_ip=True, launch_type=LaunchType.EC2)
    assert "only Fargate tasks can get a public IP" in problem.message
    assert found("ECS456", assign_public_ip=True) == []


def test_ecs457_platform_version_on_ec2():
    cluster = Cluster("jobs")
    cluster.add_ec2_capacity("instances")
    [problem] = found("ECS457", task=ec2(), cluster=cluster, platform_version="1.4.0")
    assert "platform versions exist only on Fargate" in problem.message
    assert found("ECS457", platform_version="1.4.0") == []


def test_ecs215_restart_policy_on_an_old_platform_of_a_scheduled_task():
    task = fargate()
    task.container("report").restart_policy = RestartPolicy()
    [problem] = found("ECS215", task=task, platform_version="1.3.0")
    assert problem.path == "scheduled task nightly › task report › container report"
    assert "scheduled task nightly pins" in problem.message


# ---- ECS458 -----------------------------------------------------------------------------------------

def test_ecs458_dates():
    [bad] = found("ECS458", start_date="tomorrow")
    assert bad.message == "start_date='tomorrow' is not an ISO 8601 date-time."
    [order] = found("ECS458", start_date="2026-06-01T00:00:00Z", end_date="2026-01-01T00:00:00")
    assert "is not after start_date" in order.message
    assert found("ECS458", start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00+02:00") == []
    assert found("ECS458", start_date="2026-01-01") != []  # a date without a time


# ---- ECS459 -----------------------------------------------------------------------------------------

def test_ecs459_duplicate_names_and_queue_arn():
    task, cluster = fargate(), Cluster("jobs")
    stack = Stack("t").add(ScheduledTask("nightly", task=task, cluster=cluster, schedule="rate(1 day)"),
                           ScheduledTask("nightly", task=task, cluster=cluster, schedule="rate(2 days)"))
    assert [p.message for p in check_stack(stack) if p.rule == "ECS459"] == [
        "two scheduled tasks are named 'nightly'."]
    [problem] = found("ECS459", dead_letter_queue="https://sqs.eu-west-1.amazonaws.com/123456789012/dlq")
    assert "is not an SQS queue ARN" in problem.message
    assert found("ECS459", dead_letter_queue="arn:aws:sqs:eu-west-1:123456789012:dlq") == []
    assert found("ECS459", dead_letter_queue=Queue("failures")) == []


def test_a_valid_scheduled_task_has_no_problem():
    scheduled = ScheduledTask("nightly", task=fargate(), cluster=Cluster("jobs"), schedule="cron(30 2 * * ? *)",
                              timezone="Europe/Paris", flexible_window_minutes=15, max_retries=3,
                              max_event_age=3600, count=2, dead_letter_queue=Queue("failures"),
                              start_date="2026-01-01T00:00:00Z")
    assert check_stack(Stack("t").add(scheduled)) == []


def test_problems_of_a_task_only_a_schedule_runs_are_under_the_schedule():
    task = FargateTaskDefinition("report")
    task.add_container("report", image="report:1").depends_on("missing")
    stack = Stack("t").add(ScheduledTask("nightly", task=task, cluster=Cluster("jobs"), schedule="rate(1 day)"))
    [problem] = [p for p in check_stack(stack) if p.rule == "ECS202"]
    assert problem.path == "scheduled task nightly › task report › container report"


def test_ecs703_checks_a_scheduled_tasks_strategy_too():
    other = Cluster("other")
    capacity = other.add_ec2_capacity("instances")
    cluster = Cluster("jobs")
    cluster.add_ec2_capacity("own")
    strategy = [CapacityProviderStrategy(capacity), CapacityProviderStrategy("FARGATE")]
    problems = found("ECS703", task=ec2(), cluster=cluster, capacity_provider_strategy=strategy)
    messages = [p.message for p in problems]
    assert all(p.path == PATH for p in problems)
    assert any("mixes Fargate and EC2 capacity providers" in m for m in messages)
    assert any("of cluster 'other', but the tasks run in cluster 'jobs'" in m for m in messages)


def test_ecs336_a_schedule_runs_a_task_the_blueprint_builds() -> None:
    from ecsstack import Cluster, FargateTaskDefinition, ScheduledTask, Stack, TaskDefinition, ValidationError, synth

    cluster = Cluster("jobs")
    existing = ScheduledTask("nightly", task=TaskDefinition.existing("report:3", name="report"), cluster=cluster,
                             schedule="rate(1 day)")
    try:
        synth(Stack("app").add(existing))
    except ValidationError as exc:
        [problem] = [p for p in exc.problems if p.rule == "ECS336"]
    else:
        raise AssertionError("an existing task under a schedule was compiled")
    assert problem.path == "scheduled task nightly" and "registered elsewhere" in problem.message
    built = FargateTaskDefinition("report")
    built.add_container("report", image="example/report:1.0")
    synth(Stack("app").add(ScheduledTask("nightly", task=built, cluster=cluster, schedule="rate(1 day)")))
