"""Shared helpers for the rule tests: build a small stack, run the rules, pick one rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ecsstack import Cluster, Problem, Service, Stack, TaskDefinition
from ecsstack.rules import check_stack


def _stack_of(*tasks: TaskDefinition, **service_kwargs) -> Stack:
    """A stack named ``app`` with a cluster ``main`` and a service per task, named after the task."""
    stack = Stack("app")
    cluster = Cluster("main")
    for task in tasks:
        stack.add(Service(task.family, cluster=cluster, task=task, **service_kwargs))
    return stack


def _found(stack: Stack, rule_id: str | None = None) -> list[Problem]:
    problems = check_stack(stack)
    return [p for p in problems if rule_id is None or p.rule == rule_id]


@pytest.fixture
def stack_of() -> Callable[..., Stack]:
    """``stack_of(task, ..., **service_kwargs)``: each task run by a service of the same name."""
    return _stack_of


@pytest.fixture
def found() -> Callable[..., list[Problem]]:
    """``found(stack, "ECS201")``: the problems that rule finds (every problem if no rule is given)."""
    return _found
