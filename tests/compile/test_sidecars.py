"""Sidecars and restart policies in the template: DependsOn, RestartPolicy, Essential; cfn-lint clean."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Condition,
    FargateTaskDefinition,
    HealthCheck,
    RestartPolicy,
    Service,
    Stack,
    ValidationError,
)
from ecsstack.graph import render
from ecsstack.lint import lint_template

CHECK = HealthCheck(["CMD-SHELL", "nc -z localhost 5432"])


def orders() -> tuple[Stack, FargateTaskDefinition]:
    stack = Stack("t")
    task = FargateTaskDefinition("orders", cpu=512, memory=1024)
    task.add_sidecar("db-proxy", image="proxy:2.11", ports=[5432], health_check=CHECK)
    task.add_sidecar("otel", image="otel:0.40", restart=RestartPolicy(ignored_exit_codes=[0, 143],
                                                                     restart_attempt_period=120))
    task.add_init_container("migrate", image="orders:2.0", command=["./manage", "migrate"])
    task.add_container("app", image="orders:2.0", ports=[8080])
    stack.add(Service("orders", cluster=Cluster("main"), task=task))
    return stack, task


def containers(template: dict) -> dict[str, dict]:
    props = template["Resources"]["OrdersTaskDefinition"]["Properties"]
    return {c["Name"]: c for c in props["ContainerDefinitions"]}


def test_sidecars_compile_to_depends_on_restart_policy_and_essential():
    stack, _ = orders()
    template = stack.to_dict()
    c = containers(template)
    assert list(c) == ["db-proxy", "otel", "migrate", "app"]  # the order added
    assert c["db-proxy"]["Essential"] is False and "DependsOn" not in c["db-proxy"]
    assert c["db-proxy"]["RestartPolicy"] == {"Enabled": True, "RestartAttemptPeriod": 60}
    assert c["otel"]["DependsOn"] == [{"ContainerName": "db-proxy", "Condition": "HEALTHY"}]
    assert c["otel"]["RestartPolicy"] == {"Enabled": True, "IgnoredExitCodes": [0, 143], "RestartAttemptPeriod": 120}
    assert c["migrate"]["DependsOn"] == [{"ContainerName": "otel", "Condition": "START"}]
    assert c["migrate"]["Essential"] is False and "RestartPolicy" not in c["migrate"]
    assert c["app"]["DependsOn"] == [{"ContainerName": "migrate", "Condition": "SUCCESS"}]
    assert c["app"]["Essential"] is True and "RestartPolicy" not in c["app"]
    assert [str(f) for f in lint_template(template) if f.is_error] == []


def test_a_migration_through_the_proxy_compiles_with_its_declared_wait():
    stack, task = orders()
    task.container("migrate").depends_on("db-proxy", Condition.HEALTHY)
    c = containers(stack.to_dict())
    assert c["migrate"]["DependsOn"] == [{"ContainerName": "otel", "Condition": "START"},
                                         {"ContainerName": "db-proxy", "Condition": "HEALTHY"}]


def test_restart_policy_on_an_ordinary_container_and_an_essential_sidecar():
    stack = Stack("t")
    task = FargateTaskDefinition("w")
    task.add_sidecar("envoy", image="envoy:1.31", essential=True, restart=False)
    task.add_container("app", image="app:1", restart_policy=True)
    task.add_container("job", image="job:1", essential=False, restart_policy=RestartPolicy(enabled=False))
    stack.add(Service("w", cluster=Cluster("main"), task=task))
    template = stack.to_dict()
    props = template["Resources"]["WTaskDefinition"]["Properties"]["ContainerDefinitions"]
    c = {d["Name"]: d for d in props}
    assert c["envoy"]["Essential"] is True and "RestartPolicy" not in c["envoy"]
    assert c["app"]["RestartPolicy"] == {"Enabled": True}
    assert c["app"]["DependsOn"] == [{"ContainerName": "envoy", "Condition": "START"}]
    assert c["job"]["RestartPolicy"] == {"Enabled": False}
    assert [str(f) for f in lint_template(template) if f.is_error] == []


def test_synth_refuses_an_init_container_with_a_restart_policy():
    stack, task = orders()
    task.container("migrate").restart_policy = RestartPolicy()
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    assert [p.rule for p in info.value.problems] == ["ECS212"]


def test_graph_shows_the_three_phases_in_every_format():
    stack, _ = orders()
    text = render(stack, "text")
    assert "  phases: sidecars db-proxy, otel → init migrate → app app" in text
    assert "db-proxy  sidecar, non-essential, ready when healthy, restarts on exit" in text
    mermaid = render(stack, "mermaid").splitlines()
    start = mermaid.index('    subgraph task_orders_sidecars["1. sidecars"]')
    assert mermaid[start:start + 10] == [
        '    subgraph task_orders_sidecars["1. sidecars"]', '      orders_db_proxy[["db-proxy"]]',
        '      orders_otel[["otel"]]', "    end",
        '    subgraph task_orders_init["2. init"]', '      orders_migrate(["migrate"])', "    end",
        '    subgraph task_orders_app["3. app"]', '      orders_app["app"]', "    end"]
    dot = render(stack, "dot")
    assert 'subgraph "cluster_task_orders_sidecars" {\n      label="1. sidecars";\n' in dot
    assert '"orders_db_proxy" [label="db-proxy", style=bold];' in dot
    assert 'subgraph "cluster_task_orders_app" {\n      label="3. app";' in dot


def test_a_task_without_sidecars_or_init_containers_is_drawn_flat():
    stack = Stack("t")
    task = FargateTaskDefinition("w")
    task.add_container("app", image="app:1")
    stack.add(Service("w", cluster=Cluster("main"), task=task))
    assert "phases" not in render(stack, "text") and "subgraph task_w_" not in render(stack, "mermaid")
