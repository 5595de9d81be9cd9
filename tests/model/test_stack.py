"""Stacks: names, stack.add, parameters and outputs: argument mistakes raise ECS001 with the path."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    FargateTaskDefinition,
    Service,
    Stack,
)

from ._support import raises


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
