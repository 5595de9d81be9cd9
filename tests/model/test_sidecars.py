"""add_sidecar and restart_policy in the model: the implied three-phase ordering and the checks on arguments."""

from __future__ import annotations

import pytest

from ecsstack import Condition, FargateTaskDefinition, HealthCheck, RestartPolicy, ValidationError
from ecsstack.model.derived import INIT_ORDER, SIDECAR_ORDER

CHECK = HealthCheck(["CMD", "true"])


def waits(task, name: str) -> list[tuple[str, str, str]]:
    return [(d.target_name, d.condition.value, d.reason) for d in task.dependencies_of(task.container(name))]


def test_sidecars_start_first_in_order_then_init_then_app():
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1")
    task.add_init_container("migrate", image="app:1")
    task.add_sidecar("proxy", image="proxy:1", health_check=CHECK)
    task.add_sidecar("agent", image="agent:1")
    assert [c.name for c in task.sidecars] == ["proxy", "agent"]
    assert waits(task, "proxy") == []
    assert waits(task, "agent") == [("proxy", "HEALTHY", SIDECAR_ORDER)]  # proxy has a health check
    assert waits(task, "migrate") == [("agent", "START", SIDECAR_ORDER)]  # agent has none
    assert waits(task, "app") == [("migrate", "SUCCESS", INIT_ORDER)]


def test_without_init_containers_the_app_waits_for_the_last_sidecar():
    task = FargateTaskDefinition("web")
    task.add_sidecar("proxy", image="proxy:1", ready=Condition.START, health_check=CHECK)
    task.add_container("app", image="app:1")
    assert waits(task, "app") == [("proxy", "START", SIDECAR_ORDER)]  # ready= wins over the health check


def test_an_init_container_may_depend_on_a_sidecar_and_a_declared_wait_replaces_the_implied():
    task = FargateTaskDefinition("web")
    proxy = task.add_sidecar("proxy", image="proxy:1", health_check=CHECK)
    task.add_sidecar("agent", image="agent:1")
    migrate = task.add_init_container("migrate", image="app:1").depends_on(proxy, Condition.HEALTHY)
    migrate.depends_on("agent", Condition.HEALTHY)
    assert waits(task, "migrate") == [("proxy", "HEALTHY", ""), ("agent", "HEALTHY", "")]


def test_sidecar_defaults_non_essential_and_restarted():
    task = FargateTaskDefinition("web")
    side = task.add_sidecar("agent", image="agent:1")
    assert side.sidecar and not side.init and side.essential is False
    assert side.restart_policy == RestartPolicy(restart_attempt_period=60)
    assert side.readiness is Condition.START
    essential = task.add_sidecar("proxy", image="proxy:1", essential=True, restart=False)
    assert essential.essential is True and essential.restart_policy is None


def test_a_disabled_health_check_does_not_make_a_sidecar_wait_for_healthy():
    task = FargateTaskDefinition("web")
    assert task.add_sidecar("a", image="a:1", health_check=HealthCheck(["NONE"])).readiness is Condition.START


@pytest.mark.parametrize("ready", [Condition.SUCCESS, "COMPLETE"])
def test_sidecar_ready_must_be_start_or_healthy(ready):
    task = FargateTaskDefinition("web")
    with pytest.raises(ValidationError) as info:
        task.add_sidecar("agent", image="agent:1", ready=ready)
    [problem] = info.value.problems
    assert problem.path == "task web › container agent" and "never completes" in problem.message
    assert task.containers == []


def test_sidecar_takes_restart_not_restart_policy():
    task = FargateTaskDefinition("web")
    with pytest.raises(ValidationError, match="restart="):
        task.add_sidecar("agent", image="agent:1", restart_policy=True)
    with pytest.raises(ValidationError, match="restart must be"):
        task.add_sidecar("agent", image="agent:1", restart="yes")


@pytest.mark.parametrize(("given", "expected"), [
    (True, RestartPolicy()), (False, None), (None, None),
    (RestartPolicy(ignored_exit_codes=[0], restart_attempt_period=60), RestartPolicy(True, (0,), 60)),
])
def test_restart_policy_on_ordinary_containers(given, expected):
    task = FargateTaskDefinition("web")
    assert task.add_container("app", image="app:1", restart_policy=given).restart_policy == expected


def test_restart_policy_values_are_checked():
    assert RestartPolicy(ignored_exit_codes=1).ignored_exit_codes == (1,)
    assert RestartPolicy().restarts_on(0) and not RestartPolicy(ignored_exit_codes=[0]).restarts_on(0)
    assert not RestartPolicy(enabled=False).restarts_on(1)
    for bad in ({"ignored_exit_codes": ["0"]}, {"enabled": "yes"}, {"restart_attempt_period": "60"},
                {"ignored_exit_codes": [True]}):
        with pytest.raises(ValidationError):
            RestartPolicy(**bad)
    task = FargateTaskDefinition("web")
    with pytest.raises(ValidationError, match="restart_policy must be"):
        task.add_container("app", image="app:1", restart_policy="always")


def test_normalise_refuses_ready_on_a_non_sidecar_and_a_sidecar_init():
    task = FargateTaskDefinition("web")
    app = task.add_container("app", image="app:1")
    app.ready = Condition.START
    with pytest.raises(ValidationError, match="ready= is for sidecars"):
        app.normalise()
    init = task.add_init_container("migrate", image="app:1")
    init.sidecar = True
    with pytest.raises(ValidationError, match="either a sidecar or an init container"):
        init.normalise()
