"""Value ranges of settings that stand on their own (ECS619, ECS718, ECS716, ECS717, ECS815, ECS816): the
model takes any whole number, the rules say which are allowed, every problem at once."""

from __future__ import annotations

import pytest

from ecsstack import (
    Alarm,
    ApplicationLoadBalancer,
    CapacityProviderStrategy,
    Cluster,
    FargateTaskDefinition,
    Metric,
    Queue,
    QueueWorkerService,
    ScalingStep,
    Service,
    Stack,
    TargetHealthCheck,
    Vpc,
)

DEPTH = Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "jobs"})


def web(cluster: Cluster | None = None, **kwargs) -> Service:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[8080])
    return Service("web", cluster=cluster or Cluster("main"), task=task, **kwargs)


@pytest.mark.parametrize(("item", "text"), [
    (CapacityProviderStrategy("FARGATE", weight=-1), "weight=-1 is out of range"),
    (CapacityProviderStrategy("FARGATE", weight=1001), "weight=1001 is out of range"),
    (CapacityProviderStrategy("FARGATE", base=-1), "base=-1 is out of range"),
    (CapacityProviderStrategy("FARGATE", base=100001), "base=100001 is out of range"),
])
def test_ecs718_strategy_ranges(found, item, text):
    [problem] = found(Stack("app").add(web(capacity_provider_strategy=[item])), "ECS718")
    assert problem.path == "service web" and text in problem.message


def test_ecs718_cluster_default_strategy_and_ec2_sizes(found):
    cluster = Cluster("main", default_strategy=[CapacityProviderStrategy("FARGATE", weight=2000)])
    cluster.add_ec2_capacity("ec2", min_size=-1, target_capacity=0)
    problems = found(Stack("app").add(cluster), "ECS718")
    assert [(p.path, p.message.split(" ")[0]) for p in problems] == [
        ("cluster main", "weight=2000"), ("cluster main › capacity ec2", "min_size=-1"),
        ("cluster main › capacity ec2", "target_capacity=0")]


def test_ecs718_allows_the_edges(found):
    cluster = Cluster("main", default_strategy=[CapacityProviderStrategy("FARGATE", weight=0, base=100000)])
    cluster.add_ec2_capacity("ec2", min_size=0, target_capacity=100)
    service = web(cluster, capacity_provider_strategy=[CapacityProviderStrategy("FARGATE_SPOT", weight=1000)])
    assert found(Stack("app").add(cluster, service), "ECS718") == []


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"cidr": "10.0.0.0/8"}, "/16 to a /24"), ({"cidr": "10.0.0.0/25"}, "/16 to a /24"),
    ({"max_azs": 1}, "2 or 3"), ({"max_azs": 2, "nat_gateways": 3}, "nat_gateways=3"),
    ({"nat_gateways": -1}, "nat_gateways=-1"),
])
def test_ecs716_vpc(found, kwargs, text):
    [problem] = found(Stack("app").add(Vpc("main", **kwargs)), "ECS716")
    assert problem.path == "vpc main" and text in problem.message


@pytest.mark.parametrize("kwargs", [{}, {"cidr": "10.1.0.0/24", "max_azs": 3, "nat_gateways": 3},
                                    {"nat_gateways": 0}])
def test_ecs716_allows(found, kwargs):
    assert found(Stack("app").add(Vpc("main", **kwargs)), "ECS716") == []


@pytest.mark.parametrize(("check", "text"), [
    (TargetHealthCheck(timeout=30), "shorter than its interval=30"),
    (TargetHealthCheck(path="health"), "must start with '/'"),
])
def test_ecs619_target_health_check(found, check, text):
    service = web()
    ApplicationLoadBalancer("public").listen_http().add_target(service, health_check=check)
    [problem] = found(Stack("app").add(service), "ECS619")
    assert problem.path == "service web › load balancer public › listener 80" and text in problem.message


def test_ecs619_allows(found):
    service = web()
    ApplicationLoadBalancer("public").listen_http().add_target(
        service, health_check=TargetHealthCheck(path="/health", interval=10, timeout=9))
    assert found(Stack("app").add(service), "ECS619") == []


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"visibility_timeout": 43201}, "visibility_timeout=43201"), ({"retention_days": 0}, "retention_days=0"),
    ({"retention_days": 15}, "retention_days=15"), ({"receive_wait_seconds": 21}, "receive_wait_seconds=21"),
    ({"max_receive_count": 0}, "max_receive_count=0"),
])
def test_ecs815_queue(found, kwargs, text):
    [problem] = found(Stack("app").add(Queue("jobs", **kwargs)), "ECS815")
    assert problem.path == "queue jobs" and text in problem.message and "out of range" in problem.message


def test_ecs815_reaches_the_worker_pattern_and_allows_the_edges(found):
    stack = Stack("app")
    QueueWorkerService(stack, "mail", image="app:1", visibility_timeout=50000)
    assert [p.rule for p in found(stack, "ECS815")] == ["ECS815"]
    edges = Queue("jobs", visibility_timeout=43200, retention_days=14, receive_wait_seconds=0, max_receive_count=1)
    assert found(Stack("app").add(edges), "ECS815") == []


def test_ecs816_metric_period_and_alarm_evaluation(found):
    stack = Stack("app").add(Alarm("slow", Metric("AWS/SQS", "X", period=45), threshold=1),
                             Alarm("odd", DEPTH, threshold=1, evaluation_periods=2, datapoints_to_alarm=3),
                             Alarm("none", DEPTH, threshold=1, evaluation_periods=0))
    problems = found(stack, "ECS816")
    assert [(p.path, p.message.split(" ")[0]) for p in problems] == [
        ("alarm none", "evaluation_periods=0"), ("alarm odd", "datapoints_to_alarm=3"), ("alarm slow", "period=45")]


def test_ecs816_step_scaling_metric_and_allows(found):
    service = web()
    service.auto_scale().on_metric("depth", Metric("AWS/SQS", "X", period=90), [ScalingStep(lower=1)])
    [problem] = found(Stack("app").add(service), "ECS816")
    assert problem.path == "service web › scaling › policy depth"
    good = Alarm("fine", Metric("AWS/SQS", "X", period=120), threshold=1, evaluation_periods=3,
                 datapoints_to_alarm=2)
    assert found(Stack("app").add(good, Alarm("fast", Metric("AWS/SQS", "X", period=10), threshold=1)),
                 "ECS816") == []


def test_ecs717_scaling(found):
    service = web()
    scaling = service.auto_scale(min_tasks=-1, max_tasks=4)
    scaling.on_cpu(70, scale_in_cooldown=-5)
    scaling.on_metric("depth", DEPTH, [ScalingStep(lower=5, upper=5), ScalingStep(lower=10, change=0)],
                      scale_in_evaluation_periods=0)
    scaling.on_schedule("night", "cron(0 22 * * ? *)", min_tasks=-2)
    messages = [p.message for p in found(Stack("app").add(service), "ECS717")]
    for text in ("min_tasks=-1 is negative", "scale_in_cooldown=-5 is negative", "lower=5 is not below",
                 "change=0 does nothing", "scale_in_evaluation_periods=0", "min_tasks=-2 is negative"):
        assert any(text in m for m in messages), text


def test_ecs717_allows(found):
    service = web()
    service.auto_scale(min_tasks=0, max_tasks=4).on_cpu(70, scale_in_cooldown=0).on_metric(
        "depth", DEPTH, [ScalingStep(upper=0, change=-1), ScalingStep(lower=100, change=+1)])
    assert found(Stack("app").add(service), "ECS717") == []


def test_every_range_problem_comes_at_once(found):
    stack = Stack("app").add(Vpc("main", max_azs=5), Queue("jobs", retention_days=99),
                             Alarm("a", DEPTH, threshold=1, evaluation_periods=0))
    assert {p.rule for p in found(stack)} == {"ECS716", "ECS815", "ECS816"}
