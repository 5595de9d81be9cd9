"""ECS2xx: container dependencies, including the ordering init containers imply."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecsstack import Condition, FargateTaskDefinition, HealthCheck, Stack
from ecsstack.rules import check_stack

CHECK = HealthCheck(["CMD-SHELL", "curl -f localhost:13133 || exit 1"])


def web(**otel_kwargs) -> tuple[FargateTaskDefinition, object, object]:
    task = FargateTaskDefinition("web", cpu=512, memory=1024)
    otel = task.add_container("otel", image="otel:1", **otel_kwargs)
    app = task.add_container("app", image="app:1")
    return task, otel, app


# ---- ECS201 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [Condition.HEALTHY, "healthy", "HEALTHY"])
def test_ecs201_healthy_without_health_check(stack_of, found, condition):
    task, otel, app = web()
    app.depends_on(otel, condition)
    [problem] = found(stack_of(task), "ECS201")
    assert problem.path == "service web › task web › container app"
    assert problem.message == "depends on 'otel' with HEALTHY, but 'otel' has no health check."
    assert problem.hint == "Add health_check=HealthCheck([...]) to 'otel', or use START."


def test_ecs201_healthy_on_disabled_health_check(stack_of, found):
    task, _, app = web(health_check=HealthCheck(["NONE"]))
    app.depends_on("otel", Condition.HEALTHY)
    [problem] = found(stack_of(task), "ECS201")
    assert "disabled" in problem.message and problem.path.endswith("container app")


@pytest.mark.parametrize("condition", [Condition.START, Condition.HEALTHY])
def test_ecs201_allows_healthy_with_check_and_start_without(stack_of, found, condition):
    task, otel, app = web(health_check=CHECK if condition is Condition.HEALTHY else None)
    app.depends_on(otel, condition)
    assert found(stack_of(task), "ECS201") == []


# ---- ECS202 ------------------------------------------------------------------------------------

def test_ecs202_unknown_name_suggests_close_match(stack_of, found):
    task, _, app = web()
    app.depends_on("otle")
    [problem] = found(stack_of(task), "ECS202")
    assert problem.path == "service web › task web › container app"
    assert "'otle'" in problem.message and "task 'web'" in problem.message
    assert problem.hint == "Did you mean 'otel'?"


def test_ecs202_unknown_name_without_close_match_lists_containers(stack_of, found):
    task, _, app = web()
    app.depends_on("database")
    [problem] = found(stack_of(task), "ECS202")
    assert "'otel'" in problem.hint and "'app'" in problem.hint


def test_ecs202_container_of_another_task_names_that_task(stack_of, found):
    task, _, app = web()
    worker = FargateTaskDefinition("worker")
    db = worker.add_container("db", image="postgres:16")
    app.depends_on(db)
    [problem] = found(stack_of(task, worker), "ECS202")
    assert problem.path.endswith("task web › container app")
    assert "task 'worker'" in problem.message and "'db'" in problem.message


def test_ecs202_allows_name_and_object_of_same_task(stack_of, found):
    task, otel, app = web()
    app.depends_on(otel)
    app.depends_on("otel")
    assert found(stack_of(task), "ECS202") == []


# ---- ECS203 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("by_name", [True, False])
def test_ecs203_self_dependency(stack_of, found, by_name):
    task, _, app = web()
    app.depends_on("app" if by_name else app)
    [problem] = found(stack_of(task), "ECS203")
    assert problem.path.endswith("container app")
    assert found(stack_of(task), "ECS204") == []  # a self-loop is not also reported as a cycle


def test_ecs203_allows_other_container(stack_of, found):
    task, otel, app = web()
    app.depends_on(otel)
    assert found(stack_of(task), "ECS203") == []


# ---- ECS204 ------------------------------------------------------------------------------------

def three(order: list[str]) -> tuple[FargateTaskDefinition, dict[str, object]]:
    task = FargateTaskDefinition("loop")
    made = {name: task.add_container(name, image="busybox") for name in order}
    made["alpha"].depends_on(made["beta"])
    made["beta"].depends_on(made["gamma"])
    made["gamma"].depends_on(made["alpha"])
    return task, made


@pytest.mark.parametrize(
    ("order", "cycle"),
    [
        (["alpha", "beta", "gamma"], "alpha → beta → gamma → alpha"),
        (["gamma", "alpha", "beta"], "gamma → alpha → beta → gamma"),
        (["beta", "gamma", "alpha"], "beta → gamma → alpha → beta"),
    ],
)
def test_ecs204_cycle_reported_once_from_first_declared(stack_of, found, order, cycle):
    task, _ = three(order)
    [problem] = found(stack_of(task), "ECS204")
    assert cycle in problem.message
    assert problem.path == f"service loop › task loop › container {order[0]}"


def test_ecs204_two_separate_cycles(stack_of, found):
    task = FargateTaskDefinition("loops")
    a, b, c, d = (task.add_container(n, image="busybox") for n in "abcd")
    a.depends_on(b)
    b.depends_on(a)
    c.depends_on(d)
    d.depends_on(c)
    problems = found(stack_of(task), "ECS204")
    assert sorted(p.message.split(": ")[1].split(",")[0] for p in problems) == ["a → b → a", "c → d → c"]


def test_ecs204_init_ordering_closes_a_cycle(stack_of, found):
    task = FargateTaskDefinition("web")
    migrate = task.add_init_container("migrate", image="app:1")
    task.add_container("db", image="postgres:16")
    migrate.depends_on("db")  # db waits on migrate (implied); migrate waits on db: a cycle
    [problem] = found(stack_of(task), "ECS204")
    assert "migrate → db → migrate" in problem.message
    assert "init" in problem.hint.lower()
    assert problem.path.endswith("container migrate")


def test_ecs204_init_containers_wait_in_the_order_added(stack_of, found):
    task = FargateTaskDefinition("web")
    one = task.add_init_container("one", image="x")
    task.add_init_container("two", image="x")
    task.add_container("app", image="x")
    one.depends_on("two")
    [problem] = found(stack_of(task), "ECS204")
    assert "one → two → one" in problem.message
    assert "'two' waits on 'one' (init containers run in the order added)" in problem.hint


def test_ecs204_allows_chain_and_init_ordering(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_init_container("one", image="x:1")
    task.add_init_container("two", image="x:1")
    otel = task.add_container("otel", image="x:1", health_check=CHECK)
    task.add_container("app", image="x:1").depends_on(otel, Condition.HEALTHY)
    assert found(stack_of(task)) == []


names = st.integers(min_value=2, max_value=9)


@st.composite
def dags(draw):
    """(n, edges): container i waits on container j only for j < i, so the graph is acyclic."""
    n = draw(names)
    pairs = [(i, j) for i in range(n) for j in range(i)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    return n, edges


def build(n: int, edges: list[tuple[int, int]], order: list[int]) -> Stack:
    task = FargateTaskDefinition("graph")
    made = {i: task.add_container(f"c{i}", image="busybox") for i in order}
    for i, j in edges:
        made[i].depends_on(made[j])
    stack = Stack("graph")
    stack.add(task)
    return stack


def cycles(stack: Stack) -> list:
    return [p for p in check_stack(stack) if p.rule == "ECS204"]


@settings(max_examples=60, deadline=None)
@given(dags(), st.randoms(use_true_random=False))
def test_ecs204_property_acyclic_graphs_have_no_cycle(graph, rnd):
    n, edges = graph
    order = list(range(n))
    rnd.shuffle(order)
    assert cycles(build(n, edges, order)) == []


@settings(max_examples=60, deadline=None)
@given(dags().filter(lambda g: g[1]), st.data())
def test_ecs204_property_one_back_edge_makes_exactly_one_cycle(graph, data):
    n, edges = graph
    i, j = data.draw(st.sampled_from(edges))
    [problem] = cycles(build(n, [*edges, (j, i)], list(range(n))))
    shown = problem.message.split(": ", 1)[1].split(",")[0].split(" → ")
    assert shown[0] == shown[-1]
    assert {f"c{i}", f"c{j}"} <= set(shown)
    # the cycle starts at the container declared first among its members
    members = sorted(int(name[1:]) for name in shown[:-1])
    assert shown[0] == f"c{members[0]}"


# ---- ECS205 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [Condition.COMPLETE, Condition.SUCCESS])
def test_ecs205_exit_condition_on_essential_container(stack_of, found, condition):
    task, otel, app = web()
    app.depends_on(otel, condition)
    [problem] = found(stack_of(task), "ECS205")
    assert problem.path.endswith("container app")
    assert "'otel'" in problem.message and condition.value in problem.message
    assert "essential=False" in problem.hint and "HEALTHY" in problem.hint


@pytest.mark.parametrize("condition", [Condition.COMPLETE, Condition.SUCCESS])
def test_ecs205_allows_non_essential_and_init_targets(stack_of, found, condition):
    task, otel, app = web(essential=False)
    task.add_init_container("migrate", image="app:1")
    app.depends_on(otel, condition)
    assert found(stack_of(task), "ECS205") == []


# ---- ECS206 ------------------------------------------------------------------------------------

def test_ecs206_same_target_with_different_conditions(stack_of, found):
    task, otel, app = web(health_check=CHECK)
    app.depends_on(otel, Condition.START).depends_on("otel", Condition.HEALTHY)
    [problem] = found(stack_of(task), "ECS206")
    assert problem.severity == "error"
    assert problem.path.endswith("container app")
    assert "START" in problem.message and "HEALTHY" in problem.message


def test_ecs206_same_condition_twice_is_a_warning(stack_of, found):
    task, otel, app = web()
    app.depends_on(otel).depends_on(otel)
    [problem] = found(stack_of(task), "ECS206")
    assert problem.severity == "warning"


def test_ecs206_allows_one_dependency_per_target(stack_of, found):
    task, otel, app = web()
    app.depends_on(otel)
    assert found(stack_of(task), "ECS206") == []


# ---- ECS207 ------------------------------------------------------------------------------------

def init_task() -> FargateTaskDefinition:
    task = FargateTaskDefinition("web")
    task.add_init_container("fetch", image="app:1")
    task.add_init_container("migrate", image="app:1", command=["./manage", "migrate"])
    return task


@pytest.mark.parametrize(("condition", "when"), [
    (Condition.START, "as soon as 'migrate' has started, before it has done its work"),
    (Condition.COMPLETE, "after 'migrate' exits even when it failed"),
    (Condition.HEALTHY, "as soon as 'migrate' reports healthy, while it may still be working"),
])
def test_ecs207_declared_condition_replaces_the_implied_success(stack_of, found, condition, when):
    task = init_task()
    task.container("migrate").health_check = CHECK  # HEALTHY would need one (ECS201)
    task.add_container("app", image="app:1").depends_on("migrate", condition)
    [problem] = found(stack_of(task), "ECS207")
    assert problem.severity == "warning"
    assert problem.path == "service web › task web › container app"
    assert problem.message == (f"depends on init container 'migrate' with {condition.value}, which replaces the "
                               f"SUCCESS wait the init order implies: 'app' may start {when}.")
    assert problem.hint.startswith(f"Remove depends_on('migrate', {condition.value}) to keep waiting for SUCCESS")
    assert "add_sidecar(...)" in problem.hint


def test_ecs207_between_init_containers(stack_of, found):
    task = FargateTaskDefinition("web")
    fetch = task.add_init_container("fetch", image="app:1")
    task.add_init_container("migrate", image="app:1").depends_on(fetch, Condition.START)
    task.add_container("app", image="app:1")
    [problem] = found(stack_of(task), "ECS207")
    assert problem.path == "service web › task web › container migrate"
    assert "init container 'fetch' with START" in problem.message


def test_ecs207_allows_success_and_waits_that_replace_nothing(stack_of, found):
    task = init_task()
    app = task.add_container("app", image="app:1").depends_on("migrate", Condition.SUCCESS)
    app.depends_on("fetch", Condition.START)  # not the init container the order makes it wait on
    side = task.add_container("side", image="app:1", essential=False)
    side.depends_on("app", Condition.START)
    assert found(stack_of(task), "ECS207") == []
    plain = FargateTaskDefinition("plain")
    plain.add_container("app", image="app:1")
    plain.add_container("b", image="app:1").depends_on("app", Condition.START)
    assert found(stack_of(plain), "ECS207") == []
