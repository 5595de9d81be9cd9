"""One validation layer: each model object normalises its own fields at construction, and the same
method runs again on every object before the rules, so a field changed afterwards is an ECS001 problem
under its full path (never a crash inside a rule), reported alone."""

from __future__ import annotations

import pytest

import ecsstack
from ecsstack import (
    ApplicationLoadBalancer,
    Cluster,
    Condition,
    FargateTaskDefinition,
    HealthCheck,
    LaunchType,
    NetworkMode,
    PortMapping,
    Service,
    Stack,
    ValidationError,
)


def _stack() -> tuple[Stack, Service]:
    stack = Stack("app")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27", ports=[8080])
    service = Service("web", cluster=Cluster("main"), task=task)
    stack.add(service)
    return stack, service


def test_construction_coerces_to_one_form() -> None:
    task = FargateTaskDefinition("web", network_mode="AWSVPC", compatibilities="fargate")
    app = task.add_container("app", image="nginx:1.27", ports=8080, environment={"DEBUG": True, "N": 3})
    assert task.network_mode is NetworkMode.AWSVPC and task.compatibilities == [LaunchType.FARGATE]
    assert app.ports == [PortMapping(8080)] and app.environment == {"DEBUG": "true", "N": "3"}


def test_normalise_is_idempotent() -> None:
    stack, _service = _stack()
    before = ecsstack.to_json(stack)
    assert ecsstack.model.derived.normalise_all(stack) == []
    assert ecsstack.model.derived.normalise_all(stack) == []
    assert ecsstack.to_json(stack) == before


def test_values_set_later_are_normalised_before_the_rules() -> None:
    stack, service = _stack()
    service.task.containers[0].ports = [9090]       # a bare number: coerced, as the constructor would
    service.task.network_mode = "awsvpc"
    assert ecsstack.problems(stack) == []
    assert service.task.containers[0].ports == [PortMapping(9090)]
    assert service.task.network_mode is NetworkMode.AWSVPC


@pytest.mark.parametrize(("change", "where", "text"), [
    (lambda s: setattr(s.task.containers[0], "essential", "yes"), "task web › container app", "essential"),
    (lambda s: setattr(s.task.containers[0], "health_check", 5), "task web › container app", "health_check"),
    (lambda s: setattr(s.task.containers[0], "dependencies", ["otel"]), "task web › container app",
     "dependencies"),
    (lambda s: setattr(s.task, "compatibilities", ["MARS"]), "task web", "compatibilities"),
    (lambda s: setattr(s.task, "containers", None), "task web", "containers"),
    (lambda s: setattr(s, "launch_type", "moon"), "service web", "launch_type"),
    (lambda s: setattr(s, "desired_count", "2"), "service web", "desired_count"),
    (lambda s: setattr(s, "cluster", "main"), "service web", "cluster"),
    (lambda s: setattr(s.cluster, "default_strategy", "FARGATE"), "cluster main", "default_strategy"),
])
def test_a_bad_value_set_later_is_an_ecs001_problem_with_its_path(change, where, text) -> None:
    stack, service = _stack()
    change(service)
    problems = ecsstack.problems(stack)
    assert problems, "the changed value went unnoticed"
    assert {p.rule for p in problems} == {"ECS001"}  # reported alone: no rule ran on the broken model
    assert any(p.path == where and text in p.message for p in problems), problems
    with pytest.raises(ValidationError):
        ecsstack.synth(stack)


def test_every_broken_object_is_reported_at_once() -> None:
    stack, service = _stack()
    service.task.containers[0].essential = "yes"
    service.min_healthy_percent = "100"
    paths = {p.path for p in ecsstack.problems(stack)}
    assert paths == {"task web › container app", "service web"}


def test_a_load_balancer_attached_after_stack_add_is_normalised_too() -> None:
    stack, service = _stack()
    alb = ApplicationLoadBalancer("public")
    alb.listen_http().add_target(service)
    alb.internet_facing = "sure"
    [problem] = ecsstack.problems(stack)
    assert problem.rule == "ECS001" and problem.path == "load balancer public"


def test_dependency_conditions_are_enums_even_when_built_directly() -> None:
    dep = ecsstack.Dependency("otel", "healthy")
    assert dep.condition is Condition.HEALTHY
    with pytest.raises(ValidationError):
        ecsstack.Dependency("otel", "WEIRD")


def test_health_check_as_a_list_becomes_a_health_check() -> None:
    task = FargateTaskDefinition("web")
    app = task.add_container("app", image="nginx:1.27", health_check=["CMD", "true"])
    assert app.health_check == HealthCheck(["CMD", "true"])


def test_stack_verbs_delegate_to_the_pipeline() -> None:
    stack, _ = _stack()
    assert stack.to_dict() == ecsstack.synth(stack)
    assert stack.to_json() == ecsstack.to_json(stack)
    assert stack.to_yaml() == ecsstack.to_yaml(stack)
    assert stack.problems() == ecsstack.problems(stack) == []
