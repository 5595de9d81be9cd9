"""Containers and their dependencies: argument mistakes raise ECS001 with the path; shorthands are accepted."""

from __future__ import annotations

import pytest

from ecsstack import (
    Condition,
    HealthCheck,
    PortMapping,
)

from ._support import raises

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




def test_a_misspelt_keyword_names_the_closest_one(task):
    error = raises(task.add_container, "app", image="app:1", port=[8080])
    [problem] = error.problems
    assert "unknown keyword port" in problem.message and problem.hint.startswith("Did you mean 'ports'?")
