"""ECS809: alarm-based deployment rollback, and the rollback_alarms argument checks."""

from __future__ import annotations

import pytest

from ecsstack import Alarm, Cluster, FargateTaskDefinition, Metric, Service, Stack, ValidationError


def service(**kwargs) -> Service:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1")
    return Service("web", cluster=Cluster("main"), task=task, **kwargs)


def errors_alarm() -> Alarm:
    return Alarm("errors", Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"), threshold=5)


def test_rollback_alarms_default_to_none_and_take_names_parameters_and_alarms():
    assert service().rollback_alarms == []
    stack = Stack("app")
    param, alarm = stack.parameter("LatencyAlarm"), errors_alarm()
    web = service(rollback_alarms=("web-5xx", param, alarm))
    assert web.rollback_alarms == ["web-5xx", param, alarm]
    stack.add(web)
    assert alarm in stack.resources  # a modelled alarm comes along with the service


@pytest.mark.parametrize(("value", "text"), [
    ("web-5xx", "got the single value 'web-5xx'"),
    (5, "got int"),
    ([5], "got 5"),
    ([None], "got None"),
])
def test_wrong_rollback_alarms_raise_ecs001(value, text):
    with pytest.raises(ValidationError) as info:
        service(rollback_alarms=value)
    [problem] = info.value.problems
    assert problem.rule == "ECS001" and problem.path == "service web" and text in problem.message


@pytest.mark.parametrize(("alarms", "text"), [
    (["web-5xx", "web-5xx"], "lists 'web-5xx' twice"),
    (["", "web-5xx"], "an empty name"),
    (["  "], "an empty name"),
    (["x" * 256], "a name of 256 characters"),
])
def test_ecs809_bad_alarm_names(found, alarms, text):
    [problem] = found(Stack("app").add(service(rollback_alarms=alarms)), "ECS809")
    assert problem.path == "service web" and text in problem.message


def test_ecs809_the_same_alarm_object_twice(found):
    alarm = errors_alarm()
    [problem] = found(Stack("app").add(service(rollback_alarms=[alarm, alarm])), "ECS809")
    assert "twice" in problem.message


def test_ecs809_allows_distinct_names_parameters_and_alarms(found):
    stack = Stack("app")
    alarms = ["web-5xx", "x" * 255, stack.parameter("A"), stack.parameter("B"), errors_alarm()]
    assert found(stack.add(service(rollback_alarms=alarms)), "ECS809") == []


def test_rollback_alarms_that_are_no_list_of_names_are_ecs001_not_a_crash(found):
    web = service()
    stack = Stack("app").add(web)
    for odd in ("x", 5, [None, 5, object()]):
        web.rollback_alarms = odd
        assert {p.rule for p in found(stack)} == {"ECS001"}
        with pytest.raises(ValidationError):
            Stack("other").add(web)
