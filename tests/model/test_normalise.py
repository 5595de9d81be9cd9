"""One validation layer: each model object normalises its own fields at construction, and the same
method runs again on every object before the rules, so a field changed afterwards is an ECS001 problem
under its full path (never a crash inside a rule), reported alone."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ---- any value set after construction: a problem, never a crash inside a rule ---------------------

def _forged_dependency() -> ecsstack.Dependency:
    """A dependency whose target was changed to a number after construction (the constructor refuses one)."""
    dep = ecsstack.Dependency("otel", "START")
    object.__setattr__(dep, "target", 5)
    return dep


ODD = [None, ecsstack.Parameter("P"), ecsstack.Sub("x-${P}"), -1, 0, 1, 10**9, "", "text", "EC2", "bridge", [],
       {}, [None], {"": None}, {1: 2}, True, 1.5, object(), ["a", 5], (PortMapping(80),),
       [PortMapping(80, host_port=81)], HealthCheck(["NONE"]), [ecsstack.Dependency("ghost", Condition.HEALTHY)],
       [_forged_dependency()]]

FIELDS = {
    "stack": ["name", "description", "parameters", "outputs", "resources"],
    "cluster": ["name", "cluster_name", "container_insights", "default_strategy", "capacity_providers",
                "service_connect_namespace", "ec2_capacity"],
    "task": ["family", "cpu", "memory", "network_mode", "compatibilities", "log_retention_days", "containers",
             "volumes", "execution_role", "task_role", "cpu_architecture", "os_family", "ephemeral_storage_gib",
             "permissions", "overrides"],
    "container": ["name", "image", "essential", "ports", "environment", "secrets", "health_check", "cpu", "memory",
                  "memory_reservation", "start_timeout", "stop_timeout", "dependencies", "init", "task", "logging",
                  "command", "entry_point", "user", "working_directory", "mount_points", "volume_sources",
                  "firelens", "overrides", "readonly_root_filesystem"],
    "service": ["name", "task", "cluster", "desired_count", "launch_type", "subnets", "security_groups",
                "allow_from", "assign_public_ip", "min_healthy_percent", "max_percent",
                "health_check_grace_period", "platform_version", "service_name", "vpc", "service_connect",
                "capacity_provider_strategy", "placement_strategies", "placement_constraints", "rollback_alarms",
                "attachments", "dns_registrations", "scalings", "propagate_tags", "overrides", "deployment"],
    "deployment": ["strategy", "min_healthy_percent", "max_percent", "circuit_breaker", "rollback", "bake_time",
                   "test_port", "percent", "interval", "hooks", "test_header", "test_header_value"],
    "hook": ["function", "stages", "details"],
}


def _rich_stack() -> tuple[Stack, dict[str, list[object]]]:
    stack, web = _stack()
    stack.parameter("ImageTag")
    worker = ecsstack.Ec2TaskDefinition("worker")
    db = worker.add_container("db", image="postgres", ports=[PortMapping(5432, host_port=5432)])
    job = worker.add_init_container("job", image="x")
    db.depends_on(job, Condition.COMPLETE)
    db.mount(worker.add_bind_volume("data"), "/data")
    stack.add(Service("worker", cluster=web.cluster, task=worker, launch_type="EC2"))
    web.auto_scale(1, 4).on_cpu()
    alb = ApplicationLoadBalancer("public")
    alb.listen_http().add_target(web)
    hook = ecsstack.LifecycleHook("arn:aws:lambda:us-east-1:123456789012:function:check", ["POST_SCALE_UP"])
    web.deployment = ecsstack.Deployment.blue_green(bake_time=5, test_port=9000, hooks=[hook])
    tasks = [web.task, worker]
    objects = {"stack": [stack], "cluster": [web.cluster], "task": tasks,
               "container": [c for t in tasks for c in t.containers], "service": stack.of_type(Service),
               "deployment": [web.deployment], "hook": [hook]}
    return stack, objects


# fixed examples in the suite (CI stays repeatable); ECSSTACK_FUZZ_EXAMPLES=N draws N fresh ones
@settings(max_examples=int(os.environ.get("ECSSTACK_FUZZ_EXAMPLES", "300")), deadline=None,
          derandomize="ECSSTACK_FUZZ_EXAMPLES" not in os.environ)
@given(st.lists(st.tuples(st.sampled_from(sorted(FIELDS)), st.integers(0, 10), st.integers(0, 40),
                          st.sampled_from(range(len(ODD)))), min_size=1, max_size=6))
def test_odd_values_set_after_construction_never_crash_validation(changes) -> None:
    stack, objects = _rich_stack()
    for kind, which, field, value in changes:
        target = objects[kind][which % len(objects[kind])]
        name = FIELDS[kind][field % len(FIELDS[kind])]
        odd = ODD[value]
        if isinstance(odd, list | dict):
            odd = type(odd)(odd)  # a fresh copy, so one change cannot leak into another example
        setattr(target, name, odd)
    problems = ecsstack.problems(stack)
    assert all(isinstance(p, ecsstack.Problem) and str(p) for p in problems)
    if any(p.rule == "ECS001" for p in problems):
        assert {p.rule for p in problems} == {"ECS001"}
    if not any(p.severity == "error" for p in problems):
        try:  # a model the rules accept compiles, or is refused with problems: never a crash
            ecsstack.synth(stack)
        except ValidationError as exc:
            assert exc.problems


def test_found_permissions_of_none_are_ecs001() -> None:
    """Found by the property test: task.permissions = [None] crashed ECS505."""
    stack, service = _stack()
    service.task.permissions = [None]
    [problem] = ecsstack.problems(stack)
    assert problem.rule == "ECS001" and problem.path == "task web" and "task.allow" in problem.hint


def test_found_a_dependency_on_a_number_is_ecs001() -> None:
    """Found by the odd-values property test (5,000 examples): a dependency whose target is no container nor
    name crashed ECS201."""
    stack, service = _stack()
    service.task.containers[0].dependencies = [_forged_dependency()]
    [problem] = ecsstack.problems(stack)
    assert problem.rule == "ECS001" and problem.path == "task web › container app" and "target" in problem.message
    with pytest.raises(ValidationError):
        ecsstack.Dependency(5, "START")


def test_queue_subscribe_shapes() -> None:
    from ecsstack import Queue
    queue = Queue("jobs")
    assert queue.subscribe("arn:aws:sns:us-east-1:123456789012:orders", filter_policy={}) is queue
    assert queue.subscriptions[0].filter_policy is None and queue.subscriptions[0].topic_name == "orders"
    for bad in ({"topic": 42}, {"topic": " "}, {"topic": "arn:x", "filter_policy": ["a"]},
                {"topic": "arn:x", "filter_policy_scope": "Body"},
                {"topic": "arn:x", "raw_message_delivery": "yes"}):
        topic = bad.pop("topic")
        with pytest.raises(ValidationError):
            queue.subscribe(topic, **bad)
    assert len(queue.subscriptions) == 1
    queue.subscriptions.append("arn:x")
    with pytest.raises(ValidationError, match="Subscription objects"):
        queue.normalise()
