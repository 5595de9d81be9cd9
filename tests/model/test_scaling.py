"""Autoscaling, metrics, alarms and queues: argument mistakes raise ECS001; values are normalised."""

from __future__ import annotations

import pytest

from ecsstack import (
    Alarm,
    Cluster,
    Metric,
    Queue,
    ScalingStep,
    Service,
    Stack,
    ValidationError,
)

from ._support import fargate


def service() -> Service:
    return Service("web", cluster=Cluster("main"), task=fargate())


DEPTH = Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "jobs"})


# ---- argument checks (ECS001) --------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda s: s.auto_scale(max_tasks="10"),
    lambda s: s.auto_scale().on_cpu("70"),
    lambda s: s.auto_scale().on_cpu(70, name="bad name"),
    lambda s: s.auto_scale().on_request_count("not a target"),
    lambda s: s.auto_scale().on_metric("d", "metric", [ScalingStep(lower=1)]),
    lambda s: s.auto_scale().on_metric("d", DEPTH, []),
    lambda s: s.auto_scale().on_metric("d", DEPTH, [ScalingStep(lower=1)], adjustment="ExactCapacity"),
    lambda s: s.auto_scale().on_metric("d", DEPTH, [ScalingStep(lower=1)], treat_missing_data="sometimes"),
    lambda s: s.auto_scale().on_schedule("n", "every day", min_tasks=1),
    lambda s: s.auto_scale().on_schedule("n", "rate(1 day)"),
    lambda s: ScalingStep(),
    lambda s: ScalingStep(lower=True),
    lambda s: Metric("AWS/SQS", "", {}),
    lambda s: Metric("AWS/SQS", "X", {"QueueName": 5}),
    lambda s: Metric("AWS/SQS", "X", statistic="p99"),
    lambda s: Alarm("bad name", DEPTH, threshold=1),
    lambda s: Alarm("a", "metric", threshold=1),
    lambda s: Alarm("a", DEPTH, threshold="1"),
    lambda s: Alarm("a", DEPTH, threshold=1, comparison=">"),
    lambda s: Queue("bad name"),
    lambda s: Queue("q", queue_name="a b"),
    lambda s: Queue("q", dead_letter="yes"),
    lambda s: Queue.existing(5),
    lambda s: Queue.existing("not/a/queue"),
])
def test_scaling_argument_mistakes_raise_ecs001(make):
    with pytest.raises(ValidationError) as info:
        make(service())
    assert [p.rule for p in info.value.problems] == ["ECS001"]


def test_auto_scale_attaches_to_the_service_and_chains():
    svc = service()
    scaling = svc.auto_scale(min_tasks=2, max_tasks=6)
    assert scaling.on_cpu() is scaling and svc.scalings == [scaling]
    assert scaling.related() == [svc] and scaling.path == "service web › scaling"
    stack = Stack("app").add(scaling)
    assert svc in stack.resources
