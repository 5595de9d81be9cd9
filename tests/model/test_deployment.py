"""Deployment and LifecycleHook: the factories, their defaults, types refused with ECS001, and Service(deployment=)."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Deployment,
    DeploymentStrategy,
    LifecycleHook,
    LifecycleStage,
    LoadBalancedWebService,
    Parameter,
    Service,
    Stack,
)
from ecsstack.model.derived import deployment_of

from ._support import fargate, raises

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:check"


def test_factories_set_their_strategy_and_the_ecs_defaults():
    rolling = Deployment.rolling()
    assert (rolling.strategy, rolling.min_healthy_percent, rolling.max_percent, rolling.circuit_breaker,
            rolling.rollback, rolling.bake_time) == (DeploymentStrategy.ROLLING, 100, 200, True, True, None)
    blue_green = Deployment.blue_green(bake_time=10, test_port=9000)
    assert (blue_green.strategy, blue_green.bake_time, blue_green.test_port) == (DeploymentStrategy.BLUE_GREEN, 10,
                                                                                 9000)
    canary = Deployment.canary()
    assert (canary.strategy, canary.percent, canary.interval) == (DeploymentStrategy.CANARY, 5.0, 10)
    linear = Deployment.linear(step_percent=25, interval=3)
    assert (linear.strategy, linear.percent, linear.interval) == (DeploymentStrategy.LINEAR, 25.0, 3)
    assert isinstance(linear.percent, float)
    assert [d.shifts_traffic for d in (rolling, blue_green, canary, linear)] == [False, True, True, True]


def test_describe_is_the_short_summary_pictures_use():
    hook = LifecycleHook(FUNCTION, [LifecycleStage.POST_SCALE_UP])
    assert Deployment.canary(percent=10, interval=5, bake_time=20, test_port=9000, hooks=[hook]).describe() == \
        "canary 10% for 5 min, bake 20 min, test port 9000, 1 hook"
    assert Deployment.linear().describe() == "linear 10% every 6 min"
    assert Deployment.rolling(min_healthy_percent=50).describe() == "rolling 50–200%"
    assert Deployment.blue_green().describe() == "blue/green"
    assert Deployment.blue_green(test_header="x-canary", test_header_value="1").describe() == \
        "blue/green, test header x-canary=1"


def test_hooks_take_stages_by_name_and_a_parameter_as_function():
    fn = Parameter("CheckFunctionArn")
    hook = LifecycleHook(fn, ["post_test_traffic_shift", LifecycleStage.PRODUCTION_TRAFFIC_SHIFT], {"env": "prod"})
    assert hook.stages == [LifecycleStage.POST_TEST_TRAFFIC_SHIFT, LifecycleStage.PRODUCTION_TRAFFIC_SHIFT]
    assert hook.function is fn and hook.details == {"env": "prod"}
    assert LifecycleHook(FUNCTION, "PRE_SCALE_UP").stages == [LifecycleStage.PRE_SCALE_UP]  # a lone stage is a list


@pytest.mark.parametrize(("make", "text"), [
    (lambda: LifecycleHook(42, [LifecycleStage.POST_SCALE_UP]), "function must be a Lambda function ARN"),
    (lambda: LifecycleHook("", [LifecycleStage.POST_SCALE_UP]), "empty string"),
    (lambda: LifecycleHook(FUNCTION, ["AFTER_LUNCH"]), "stages='AFTER_LUNCH' is not valid"),
    (lambda: LifecycleHook(FUNCTION, 3), "stages must be a list"),
    (lambda: LifecycleHook(FUNCTION, [LifecycleStage.POST_SCALE_UP], details="x"), "details must be a mapping"),
    (lambda: Deployment.blue_green(bake_time="10"), "bake_time must be a whole number"),
    (lambda: Deployment.canary(percent="5"), "percent must be a number"),
    (lambda: Deployment.linear(interval=1.5), "interval must be a whole number"),
    (lambda: Deployment.blue_green(hooks=["arn"]), "hooks must be a list of LifecycleHook"),
    (lambda: Deployment(strategy="sideways"), "strategy='sideways' is not valid"),
    (lambda: Deployment.rolling(circuit_breaker="yes"), "circuit_breaker must be True or False"),
    (lambda: Deployment.blue_green(test_header=7), "test_header must be a string"),
])
def test_wrong_types_are_ecs001(make, text):
    error = raises(make)
    assert text in str(error)


def test_service_takes_a_deployment_and_refuses_anything_else():
    task = fargate()
    service = Service("web", cluster=Cluster("main"), task=task, deployment=Deployment.blue_green())
    assert deployment_of(service) is service.deployment
    error = raises(Service, "web", cluster=Cluster("main"), task=task, deployment="blue_green")
    assert "deployment must be a Deployment(...)" in str(error) and "Deployment.blue_green" in error.problems[0].hint


def test_without_deployment_the_service_keywords_make_the_rolling_deployment():
    service = Service("web", cluster=Cluster("main"), task=fargate(), min_healthy_percent=50, max_percent=150,
                      circuit_breaker=False)
    derived = deployment_of(service)
    assert (derived.strategy, derived.min_healthy_percent, derived.max_percent, derived.circuit_breaker) == \
        (DeploymentStrategy.ROLLING, 50, 150, False)


def test_a_deployment_changed_after_construction_is_checked_again_under_the_service_path():
    stack = Stack("app")
    service = Service("web", cluster=Cluster("main"), task=fargate(), deployment=Deployment.blue_green())
    stack.add(service)
    service.deployment.bake_time = "soon"
    assert [(p.rule, p.path) for p in stack.problems()] == [("ECS001", "service web › deployment")]


def test_load_balanced_web_service_passes_the_deployment_to_its_service():
    stack = Stack("app")
    canary = Deployment.canary(percent=10, interval=5)
    web = LoadBalancedWebService(stack, "web", image="app:1", deployment=canary)
    assert web.service.deployment is canary
