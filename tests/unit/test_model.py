"""Build-time argument checks: a wrong argument raises ValidationError (ECS001), never a bare
TypeError/ValueError/KeyError, and the path says where."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Condition,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    HealthCheck,
    LaunchType,
    NetworkMode,
    PortMapping,
    Protocol,
    Secret,
    Service,
    Stack,
    TaskDefinition,
    ValidationError,
)


def raises(fn, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    assert all(p.rule == "ECS001" for p in info.value.problems)
    return info.value


@pytest.fixture
def task() -> FargateTaskDefinition:
    return FargateTaskDefinition("web")


# ---- containers --------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "text"), [
    ({"ports": "80"}, "ports"),
    ({"ports": ["80"]}, "ports"),
    ({"bogus": 1}, "unknown keyword bogus"),
    ({"bogus": 1, "nope": 2}, "unknown keywords bogus, nope"),
    ({"task": None}, "unknown keyword task"),
    ({"command": "ls -l"}, "command must be a list"),
    ({"entry_point": 5}, "entry_point"),
    ({"environment": ["A=1"]}, "environment"),
    ({"environment": {"": "x"}}, "environment"),
    ({"environment": {"A": object()}}, "environment"),
    ({"secrets": {"A": "plain"}}, "secrets"),
    ({"secrets": ["A"]}, "secrets"),
    ({"health_check": "curl localhost"}, "health_check"),
    ({"cpu": "256"}, "cpu"),
    ({"memory": 512.0}, "memory"),
    ({"memory_reservation": True}, "memory_reservation"),
    ({"start_timeout": "30"}, "start_timeout"),
    ({"essential": "yes"}, "essential"),
    ({"readonly_root_filesystem": 1}, "readonly_root_filesystem"),
    ({"logging": "awslogs"}, "logging"),
    ({"overrides": ["x"]}, "overrides"),
])
def test_add_container_bad_arguments(task, kwargs, text):
    error = raises(task.add_container, "app", image="app:1", **kwargs)
    [problem] = error.problems
    assert text in problem.message
    assert problem.path.startswith("task web")


@pytest.mark.parametrize(("name", "image"), [("", "app:1"), (None, "app:1"), (5, "app:1"), ("app", ""),
                                             ("app", None), ("app", 5)])
def test_add_container_needs_name_and_image(task, name, image):
    raises(task.add_container, name, image=image)


def test_add_container_ports_hint(task):
    error = raises(task.add_container, "app", image="app:1", ports="80")
    assert "ports=[8080]" in error.problems[0].hint


def test_unknown_keyword_lists_known_ones(task):
    error = raises(task.add_container, "app", image="app:1", port=[80])
    assert "ports" in error.problems[0].hint


def test_init_container_takes_no_essential(task):
    for value in (True, False):
        error = raises(task.add_init_container, "migrate", image="app:1", essential=value)
        assert "container migrate" in error.problems[0].path


def test_init_container_is_not_essential(task):
    migrate = task.add_init_container("migrate", image="app:1")
    assert migrate.essential is False and migrate.init is True


def test_accepted_shorthands(task):
    app = task.add_container("app", image="app:1", ports=8080, health_check=["CMD", "true"],
                             environment={"DEBUG": True, "WORKERS": 4}, secrets=None, logging=None)
    assert app.ports == [PortMapping(8080)]
    assert app.health_check == HealthCheck(["CMD", "true"])
    assert app.environment == {"DEBUG": "true", "WORKERS": "4"}
    assert app.secrets == {}
    assert app.logging.driver is None


# ---- dependencies ------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", ["healthy", "HEALTHY", "Healthy", Condition.HEALTHY, "start", "success",
                                       "complete"])
def test_depends_on_accepts_condition_spellings(task, condition):
    otel = task.add_container("otel", image="otel:1")
    app = task.add_container("app", image="app:1").depends_on(otel, condition)
    assert app.dependencies[0].condition == Condition(str(condition).upper())


@pytest.mark.parametrize("condition", ["bogus", "", 3, None])
def test_depends_on_bad_condition(task, condition):
    otel = task.add_container("otel", image="otel:1")
    app = task.add_container("app", image="app:1")
    error = raises(app.depends_on, otel, condition)
    assert error.problems[0].path == "task web › container app"
    assert "Condition.HEALTHY" in error.problems[0].hint


@pytest.mark.parametrize("other", [5, None, ["otel"]])
def test_depends_on_bad_target(task, other):
    app = task.add_container("app", image="app:1")
    raises(app.depends_on, other)


def test_depends_on_chains_and_defaults_to_start(task):
    otel = task.add_container("otel", image="otel:1")
    app = task.add_container("app", image="app:1")
    assert app.depends_on(otel) is app
    assert app.dependencies[0].condition is Condition.START


def test_init_ordering_is_implied(task):
    one = task.add_init_container("one", image="x")
    two = task.add_init_container("two", image="x")
    app = task.add_container("app", image="x")
    assert [(d.target, d.condition, d.implied) for d in task.dependencies_of(two)] == \
        [(one, Condition.SUCCESS, True)]
    assert [(d.target, d.condition) for d in task.dependencies_of(app)] == [(two, Condition.SUCCESS)]
    assert task.dependencies_of(one) == []


# ---- value types -------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"container_port": "80"}, {"container_port": 80, "host_port": "80"},
                                    {"container_port": 80, "protocol": "sctp"}])
def test_port_mapping_bad_arguments(kwargs):
    raises(PortMapping, **kwargs)


def test_port_mapping_protocol_spellings():
    assert PortMapping(53, protocol="UDP").protocol is Protocol.UDP


@pytest.mark.parametrize("command", [[], "curl -f localhost", [5], None])
def test_health_check_bad_command(command):
    raises(HealthCheck, command)


def test_health_check_plain_command_becomes_cmd_shell():
    assert HealthCheck(["curl -f localhost"]).command == ["CMD-SHELL", "curl -f localhost"]


@pytest.mark.parametrize(("make", "args"), [(Secret.ssm, ("",)), (Secret.ssm, (5,)),
                                            (Secret.secrets_manager, ("",)),
                                            (Secret.secrets_manager, ("arn:x", ""))])
def test_secret_bad_arguments(make, args):
    raises(make, *args)


# ---- tasks, services, stacks -------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"cpu": "256"}, {"memory": 0.5}, {"network_mode": "vpc"}, {"compatibilities": ["LAMBDA"]},
    {"compatibilities": None}, {"compatibilities": []}, {"compatibilities": 5}, {"log_retention_days": "30"},
    {"overrides": 5},
])
def test_task_definition_bad_arguments(kwargs):
    raises(TaskDefinition, "web", **kwargs)


@pytest.mark.parametrize("family", ["", None, 5])
def test_task_definition_needs_family(family):
    raises(FargateTaskDefinition, family)


def test_task_definition_spellings_and_defaults():
    task = TaskDefinition("web", network_mode="BRIDGE", compatibilities="ec2")
    assert task.network_mode is NetworkMode.BRIDGE and task.compatibilities == [LaunchType.EC2]
    assert Ec2TaskDefinition("w").network_mode is NetworkMode.BRIDGE
    fargate = FargateTaskDefinition("f")
    assert (fargate.cpu, fargate.memory, fargate.network_mode) == (256, 512, NetworkMode.AWSVPC)


@pytest.mark.parametrize("kwargs", [
    {"cluster": "main"}, {"task": "web"}, {"desired_count": "2"}, {"launch_type": "LAMBDA"},
    {"min_healthy_percent": "50"}, {"max_percent": None}, {"health_check_grace_period": "60"},
    {"assign_public_ip": "yes"}, {"propagate_tags": "ALL"}, {"overrides": [1]},
])
def test_service_bad_arguments(kwargs):
    base = {"cluster": Cluster("main"), "task": FargateTaskDefinition("web")}
    raises(Service, "web", **{**base, **kwargs})


@pytest.mark.parametrize("name", ["", None])
def test_names_are_required(name):
    raises(Stack, name)
    raises(Cluster, name)
    raises(Service, name, cluster=Cluster("main"), task=FargateTaskDefinition("web"))


def test_stack_add_refuses_other_things():
    for thing in ("web", 5, Stack("other")):
        raises(Stack("app").add, thing)


def test_stack_add_brings_cluster_and_task_along():
    cluster, task = Cluster("main"), FargateTaskDefinition("web")
    service = Service("web", cluster=cluster, task=task)
    stack = Stack("app").add(service, [service])
    assert stack.resources == [cluster, task, service]


def test_parameter_declared_twice_differently():
    stack = Stack("app")
    tag = stack.parameter("ImageTag")
    assert stack.parameter("ImageTag") is tag
    raises(stack.parameter, "ImageTag", "Number")


def test_output_declared_twice():
    stack = Stack("app")
    stack.output("Url", "x")
    raises(stack.output, "Url", "y")
