"""Validation and synthesis stay linear in the number of services: no scan of the whole stack per service
(counted, not timed), and the memo that makes it so is forgotten once the stack may change again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ecsstack import Cluster, Service, Stack, synth
from ecsstack.model.derived import load_balancers_of, targets_of
from ecsstack.rules import check_stack

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.stacks import web_stack


def _scans(monkeypatch: pytest.MonkeyPatch, run, n: int) -> int:
    """How often ``run(stack of n services)`` walks ``stack.resources``."""
    stack = web_stack(n)
    count = 0

    class Counted(list):
        def __iter__(self):
            nonlocal count
            count += 1
            return super().__iter__()

    stack.resources = Counted(stack.resources)
    run(stack)
    return count


@pytest.mark.parametrize("run", [check_stack, synth], ids=["rules", "synth"])
def test_whole_stack_scans_do_not_grow_with_services(run, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _scans(monkeypatch, run, 3) == _scans(monkeypatch, run, 12)


def test_unchanging_remembers_and_forgets() -> None:
    stack = web_stack(2)
    with stack.unchanging():
        services = stack.of_type(Service)
        services.append("mine")  # a caller's list is its own
        assert stack.of_type(Service) == services[:-1]
        assert targets_of(stack, services[0]) and load_balancers_of(stack)
        with stack.unchanging():  # re-entrant
            assert len(stack.of_type(Service)) == 2
        inside = [targets_of(stack, s) for s in services[:-1]]
    late = Service("late", cluster=Cluster("other"), task=services[0].task)
    stack.add(late)
    assert len(stack.of_type(Service)) == 3  # forgotten on leaving
    assert [targets_of(stack, s) for s in services[:-1]] == inside
    assert targets_of(stack, late) == []


def test_add_keeps_each_thing_once_even_after_the_list_was_edited_by_hand() -> None:
    stack = Stack("s")
    cluster = Cluster("main")
    stack.add(cluster, cluster)
    assert stack.resources == [cluster]
    stack.resources = []
    stack.add(cluster)
    stack.add(cluster)
    assert stack.resources == [cluster]
