"""ECS210–ECS217: restart policies and sidecars; and how ECS201/ECS204 see the order add_sidecar implies."""

from __future__ import annotations

import pytest

from ecsstack import Condition, FargateTaskDefinition, HealthCheck, LogConfig, RestartPolicy

CHECK = HealthCheck(["CMD-SHELL", "nc -z localhost 5432"])


def task_with(**sidecar_kwargs) -> FargateTaskDefinition:
    task = FargateTaskDefinition("web")
    task.add_sidecar("agent", image="agent:1", **sidecar_kwargs)
    task.add_container("app", image="app:1")
    return task


AGENT = "service web › task web › container agent"
APP = "service web › task web › container app"


# ---- the case the issue names: a migration through a database proxy ---------------------------------

def test_an_init_container_using_a_sidecar_is_no_longer_a_cycle(stack_of, found):
    task = FargateTaskDefinition("web")
    proxy = task.add_sidecar("proxy", image="proxy:1", health_check=CHECK)
    task.add_init_container("migrate", image="app:1").depends_on(proxy, Condition.HEALTHY)
    task.add_container("app", image="app:1")
    assert [p for p in found(stack_of(task)) if p.severity == "error"] == []


def test_the_old_way_still_is_a_cycle_and_the_hint_names_the_init_order(stack_of, found):
    task = FargateTaskDefinition("web")
    proxy = task.add_container("proxy", image="proxy:1", essential=False)
    task.add_init_container("migrate", image="app:1").depends_on(proxy)
    task.add_container("app", image="app:1")
    [problem] = found(stack_of(task), "ECS204")
    assert "ordinary containers start after the init containers" in problem.hint


def test_ecs204_explains_the_sidecar_order(stack_of, found):
    task = FargateTaskDefinition("web")
    router = task.add_firelens_router()
    task.add_sidecar("proxy", image="proxy:1", logging=LogConfig.firelens())
    task.add_container("app", image="app:1")
    router.depends_on("app")  # app waits on proxy (sidecar order), proxy on the router (it logs through it)
    [problem] = found(stack_of(task), "ECS204")
    assert problem.message.startswith("containers wait on each other in a cycle: log_router → app → proxy")
    assert "'app' waits on 'proxy' (ordinary containers start after the sidecars)" in problem.hint
    assert "'proxy' waits on 'log_router' (it logs through the FireLens router" in problem.hint


# ---- ECS210 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("period", [0, 59, 1801])
def test_ecs210_period_out_of_range(stack_of, found, period):
    [problem] = found(stack_of(task_with(restart=RestartPolicy(restart_attempt_period=period))), "ECS210")
    assert problem.path == AGENT and problem.severity == "error"
    assert f"restart_attempt_period={period} is outside the 60-1800 seconds" in problem.message
    assert problem.hint == "Use a value from 60 to 1800, or leave it out for ECS's 300 seconds."


@pytest.mark.parametrize("period", [None, 60, 300, 1800])
def test_ecs210_allows_the_range(stack_of, found, period):
    assert found(stack_of(task_with(restart=RestartPolicy(restart_attempt_period=period))), "ECS210") == []


# ---- ECS211 -----------------------------------------------------------------------------------------

def test_ecs211_too_many_codes(stack_of, found):
    [problem] = found(stack_of(task_with(restart=RestartPolicy(ignored_exit_codes=list(range(51))))), "ECS211")
    assert problem.severity == "error" and "ignores 51 exit codes; ECS takes at most 50" in problem.message


def test_ecs211_repeated_code_and_disabled_policy_warn(stack_of, found):
    [repeated] = found(stack_of(task_with(restart=RestartPolicy(ignored_exit_codes=[0, 1, 0]))), "ECS211")
    assert repeated.severity == "warning" and "exit code 0 more than once" in repeated.message
    disabled = RestartPolicy(enabled=False, restart_attempt_period=60)
    [problem] = found(stack_of(task_with(restart=disabled)), "ECS211")
    assert problem.severity == "warning" and "disabled" in problem.message and problem.path == AGENT


def test_ecs211_allows_fifty_distinct_codes(stack_of, found):
    assert found(stack_of(task_with(restart=RestartPolicy(ignored_exit_codes=list(range(50))))), "ECS211") == []


# ---- ECS212 -----------------------------------------------------------------------------------------

def test_ecs212_init_container_with_restart_policy(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_init_container("migrate", image="app:1", restart_policy=True)
    task.add_container("app", image="app:1")
    [problem] = found(stack_of(task), "ECS212")
    assert problem.path == "service web › task web › container migrate" and problem.severity == "error"
    assert "ECS stops the whole task" in problem.message
    assert problem.hint.startswith("Remove restart_policy= and make the step idempotent")
    assert "add_sidecar" in problem.hint


def test_ecs212_allows_a_disabled_policy_and_none(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_init_container("migrate", image="app:1", restart_policy=RestartPolicy(enabled=False))
    task.add_init_container("seed", image="app:1")
    task.add_container("app", image="app:1")
    assert found(stack_of(task), "ECS212") == []


# ---- ECS213 -----------------------------------------------------------------------------------------

def test_ecs213_essential_container_with_restart_policy_is_explained(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1",
                       restart_policy=RestartPolicy(ignored_exit_codes=[0], restart_attempt_period=120))
    [problem] = found(stack_of(task), "ECS213")
    assert problem.severity == "warning" and problem.path == APP
    assert "restarts it inside the running task instead of stopping the task" in problem.message
    assert "less than 120 s after its last start or with an ignored exit code (0)" in problem.message


def test_ecs213_essential_sidecar_warns_too_and_non_essential_does_not(stack_of, found):
    assert [p.path for p in found(stack_of(task_with(essential=True)), "ECS213")] == [AGENT]
    assert found(stack_of(task_with()), "ECS213") == []
    assert found(stack_of(task_with(essential=True, restart=False)), "ECS213") == []


# ---- ECS214 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [Condition.SUCCESS, Condition.COMPLETE])
def test_ecs214_waiting_for_the_exit_of_a_restarted_sidecar(stack_of, found, condition):
    task = task_with()
    task.container("app").depends_on("agent", condition)
    [problem] = found(stack_of(task), "ECS214")
    assert problem.path == APP and problem.severity == "error"
    assert problem.message.startswith(f"depends on sidecar 'agent' with {condition.value}, but ECS restarts 'agent'")
    assert problem.hint.startswith("Wait for 'agent' with START or HEALTHY")


def test_ecs214_allows_success_when_zero_is_ignored(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_container("job", image="job:1", essential=False,
                       restart_policy=RestartPolicy(ignored_exit_codes=[0]))
    task.add_container("app", image="app:1").depends_on("job", Condition.SUCCESS)
    assert found(stack_of(task), "ECS214") == []
    task.container("app").dependencies.clear()
    task.container("app").depends_on("job", Condition.START)
    assert found(stack_of(task), "ECS214") == []


# ---- ECS215 -----------------------------------------------------------------------------------------

def test_ecs215_old_fargate_platform(stack_of, found):
    [problem] = found(stack_of(task_with(), platform_version="1.3.0"), "ECS215")
    assert problem.path == AGENT and "platform_version='1.3.0'" in problem.message


@pytest.mark.parametrize("version", ["1.4.0", "LATEST", None])
def test_ecs215_allows_recent_platforms(stack_of, found, version):
    assert found(stack_of(task_with(), platform_version=version), "ECS215") == []


# ---- ECS216 (and ECS201 leaves the implied wait to it) -----------------------------------------------

@pytest.mark.parametrize("check", [None, HealthCheck(["NONE"])])
def test_ecs216_ready_healthy_without_health_check(stack_of, found, check):
    task = task_with(ready=Condition.HEALTHY, health_check=check)
    problems = found(stack_of(task))
    assert [p.rule for p in problems if p.severity == "error"] == ["ECS216"]
    assert problems[0].path == AGENT and "ready=HEALTHY" in problems[0].message
    assert problems[0].hint == "Give it health_check=HealthCheck([...]), or use ready=Condition.START."


def test_ecs216_allows_a_health_check(stack_of, found):
    assert found(stack_of(task_with(ready=Condition.HEALTHY, health_check=CHECK)), "ECS216") == []


# ---- ECS217 -----------------------------------------------------------------------------------------

def test_ecs217_sidecar_waiting_on_an_init_container(stack_of, found):
    task = FargateTaskDefinition("web")
    proxy = task.add_sidecar("proxy", image="proxy:1")
    task.add_init_container("setup", image="app:1")
    task.add_container("app", image="app:1")
    proxy.depends_on("setup", Condition.SUCCESS)
    problems = [p for p in found(stack_of(task)) if p.severity == "error"]
    assert [p.rule for p in problems] == ["ECS217"]  # ECS204 leaves the cycle to it
    assert problems[0].path == "service web › task web › container proxy"
    assert "'setup' is an init container, and every init container starts after the sidecars" in problems[0].message


def test_ecs217_sidecar_waiting_on_a_later_sidecar(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_sidecar("proxy", image="proxy:1").depends_on("vault")
    task.add_sidecar("vault", image="vault:1")
    task.add_container("app", image="app:1")
    [problem] = found(stack_of(task), "ECS217")
    assert "added after it" in problem.message and problem.hint == "Add 'vault' with add_sidecar before 'proxy'."


def test_ecs217_allows_earlier_sidecars_and_the_firelens_router(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_firelens_router()
    task.add_sidecar("vault", image="vault:1")
    task.add_sidecar("proxy", image="proxy:1", logging=LogConfig.firelens()).depends_on("vault")
    task.add_container("app", image="app:1")
    assert [p for p in found(stack_of(task)) if p.severity == "error"] == []
