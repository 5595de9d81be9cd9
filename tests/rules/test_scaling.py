"""ECS701, ECS702, ECS707-ECS710, ECS713, ECS714: service autoscaling; and the scaling builders' argument checks."""

from __future__ import annotations

import pytest

from ecsstack import (
    Alarm,
    ApplicationLoadBalancer,
    Cluster,
    FargateTaskDefinition,
    Metric,
    NetworkLoadBalancer,
    Queue,
    ScalingStep,
    Service,
    Stack,
)


def service(name: str = "web", **kwargs) -> Service:
    task = FargateTaskDefinition(name)
    task.add_container("app", image="app:1", ports=[8080])
    return Service(name, cluster=Cluster("main"), task=task, **kwargs)


def stack_with(*services: Service) -> Stack:
    return Stack("app").add(*services)


DEPTH = Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "jobs"})


# ---- ECS701 ------------------------------------------------------------------------------------

def test_ecs701_min_above_max(found):
    svc = service()
    svc.auto_scale(min_tasks=5, max_tasks=2)
    [problem] = found(stack_with(svc), "ECS701")
    assert problem.path == "service web › scaling" and "min_tasks=5 is above max_tasks=2" in problem.message


def test_ecs701_scheduled_action_leaves_min_above_max(found):
    svc = service()
    svc.auto_scale(min_tasks=1, max_tasks=4).on_schedule("peak", "cron(0 8 * * ? *)", min_tasks=6)
    [problem] = found(stack_with(svc), "ECS701")
    assert problem.path == "service web › scaling › schedule peak" and "min_tasks=6" in problem.message


@pytest.mark.parametrize(("low", "high"), [(0, 0), (1, 1), (2, 10)])
def test_ecs701_allows_ordered_bounds(found, low, high):
    svc = service(desired_count=low)
    svc.auto_scale(min_tasks=low, max_tasks=high).on_schedule("peak", "cron(0 8 * * ? *)", min_tasks=high,
                                                              max_tasks=high + 2)
    assert found(stack_with(svc), "ECS701") == []


# ---- ECS702 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "fix"), [(1, 2), (12, 10)])
def test_ecs702_desired_count_outside_range_warns(found, count, fix):
    svc = service(desired_count=count)
    svc.auto_scale(min_tasks=2, max_tasks=10)
    [problem] = found(stack_with(svc), "ECS702")
    assert problem.severity == "warning" and problem.path == "service web"
    assert f"desired_count={count}" in problem.message and f"desired_count={fix}" in problem.hint


def test_ecs702_allows_count_in_range_and_tokens(found):
    stack = Stack("app")
    inside = service(desired_count=2)
    inside.auto_scale(min_tasks=2, max_tasks=10)
    token = service("api", desired_count=stack.parameter("Count", "Number", 1))
    token.auto_scale(min_tasks=2, max_tasks=10)
    assert found(stack.add(inside, token), "ECS702") == []


# ---- ECS707 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "target"), [("on_cpu", 0), ("on_cpu", 101), ("on_memory", -5), ("on_memory", 150)])
def test_ecs707_percent_out_of_range(found, method, target):
    svc = service()
    getattr(svc.auto_scale(), method)(target_percent=target)
    [problem] = found(stack_with(svc), "ECS707")
    assert problem.path.startswith("service web › scaling › policy ") and f"target_percent={target}" in problem.message


@pytest.mark.parametrize("target", [1, 50, 70.5, 100])
def test_ecs707_allows_percentages(found, target):
    svc = service()
    svc.auto_scale().on_cpu(target).on_memory(target)
    assert found(stack_with(svc), "ECS707") == []


def test_ecs707_request_count_must_be_positive(found):
    svc = service()
    target = ApplicationLoadBalancer("public").listen_http().add_target(svc)
    svc.auto_scale().on_request_count(target, per_target=0)
    [problem] = found(stack_with(svc), "ECS707")
    assert "per_target=0" in problem.message


# ---- ECS708 ------------------------------------------------------------------------------------

BAD_STEPS = [
    ([ScalingStep(lower=100, upper=200, change=1), ScalingStep(lower=300, change=3)], "gap from 200 to 300"),
    ([ScalingStep(lower=100, upper=300, change=1), ScalingStep(lower=200, change=3)], "overlap"),
    ([ScalingStep(lower=100, upper=200, change=1)], "at or above 200 match no scale-out step"),
    ([ScalingStep(upper=0, change=-1), ScalingStep(upper=10, change=-2)], "overlap"),
    ([ScalingStep(lower=-5, upper=0, change=-1)], "at or below -5 match no scale-in step"),
    ([ScalingStep(upper=100, change=-1), ScalingStep(lower=50, change=1)], "both alarms would fire"),
    ([ScalingStep(upper=10, change=1)], "always scale out"),
    ([ScalingStep(lower=10, change=-1)], "always scale in"),
]


@pytest.mark.parametrize(("steps", "text"), BAD_STEPS)
def test_ecs708_bad_steps(found, steps, text):
    svc = service()
    svc.auto_scale().on_metric("depth", DEPTH, steps)
    problems = found(stack_with(svc), "ECS708")
    assert problems and all(p.path == "service web › scaling › policy depth" for p in problems)
    assert any(text in p.message for p in problems), [p.message for p in problems]


@pytest.mark.parametrize("steps", [
    [ScalingStep(upper=0, change=-1), ScalingStep(lower=100, upper=500, change=1), ScalingStep(lower=500, change=5)],
    [ScalingStep(lower=1, change=1)],
    [ScalingStep(upper=10, change=-1)],
    [ScalingStep(lower=0.5, upper=1.5, change=1), ScalingStep(lower=1.5, change=2),
     ScalingStep(upper=0.2, change=-1)],
])
def test_ecs708_good_steps(found, steps):
    svc = service()
    svc.auto_scale().on_metric("depth", DEPTH, steps)
    assert found(stack_with(svc), "ECS708") == []


# ---- ECS709 ------------------------------------------------------------------------------------

def test_ecs709_duplicate_policy_and_schedule_names(found):
    svc = service()
    scaling = svc.auto_scale().on_cpu(60).on_cpu(80)
    scaling.on_metric("queue-depth", DEPTH, [ScalingStep(lower=1, change=1)])
    scaling.on_metric("queue_depth", DEPTH, [ScalingStep(lower=1, change=1)])
    scaling.on_schedule("night", "rate(1 day)", max_tasks=2).on_schedule("night", "rate(2 days)", max_tasks=3)
    problems = found(stack_with(svc), "ECS709")
    assert [p.path for p in problems] == ["service web › scaling › policy cpu",
                                          "service web › scaling › policy queue_depth",
                                          "service web › scaling › schedule night"]
    assert "same resource names as 'queue-depth'" in problems[1].message


def test_ecs709_allows_distinct_names(found):
    svc = service()
    svc.auto_scale().on_cpu(60).on_cpu(80, name="cpu-burst").on_schedule("a", "rate(1 day)", min_tasks=1) \
        .on_schedule("b", "rate(1 day)", min_tasks=2)
    assert found(stack_with(svc), "ECS709") == []


# ---- ECS710 ------------------------------------------------------------------------------------

def test_ecs710_two_scalings(found):
    svc = service()
    svc.auto_scale().on_cpu()
    svc.auto_scale().on_memory()
    [problem] = found(stack_with(svc), "ECS710")
    assert problem.path == "service web" and "2 times" in problem.message


def test_ecs710_allows_one(found):
    svc = service()
    svc.auto_scale().on_cpu().on_memory()
    assert found(stack_with(svc), "ECS710") == []


# ---- ECS714 ------------------------------------------------------------------------------------

def test_ecs714_target_of_another_service(found):
    web, api = service("web"), service("api")
    listener = ApplicationLoadBalancer("public").listen_http()
    web_target = listener.add_target(web)
    listener.add_target(api, path="/api/*", priority=10)
    api.auto_scale().on_request_count(web_target)
    [problem] = found(stack_with(web, api), "ECS714")
    assert problem.path == "service api › scaling › policy requests" and "'web'" in problem.message


def test_ecs714_network_load_balancer(found):
    svc = service()
    target = NetworkLoadBalancer("tcp").listen_tcp(8080).add_target(svc)
    svc.auto_scale().on_request_count(target)
    [problem] = found(stack_with(svc), "ECS714")
    assert "Network Load Balancer" in problem.message


def test_ecs714_allows_own_alb_target(found):
    svc = service()
    target = ApplicationLoadBalancer("public").listen_http().add_target(svc)
    svc.auto_scale().on_request_count(target)
    assert found(stack_with(svc), "ECS714") == []


# ---- ECS713 ------------------------------------------------------------------------------------

def test_ecs713_colliding_resources(found):
    svc = service()
    svc.auto_scale().on_metric("depth", DEPTH, [ScalingStep(lower=1, change=1)])
    stack = stack_with(svc).add(Alarm("web-depth-scale-out", DEPTH, threshold=1), Queue("jobs"), Queue("Jobs"))
    problems = found(stack, "ECS713")
    assert [p.path for p in problems] == ["queue Jobs", "service web › scaling › policy depth"]
    assert "'WebDepthScaleOutAlarm'" in problems[1].message


def test_ecs713_allows_distinct_names(found):
    svc = service()
    svc.auto_scale().on_cpu().on_metric("depth", DEPTH, [ScalingStep(lower=1, change=1)])
    stack = stack_with(svc).add(Alarm("errors", DEPTH, threshold=1), Queue("jobs"), Queue("emails"))
    assert found(stack, "ECS713") == []
