"""ECS701, ECS702, ECS707-ECS710, ECS713, ECS714: service autoscaling, its alarms, and queues."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from ..errors import Problem
from ..model import Alarm, Queue, ScalingStep, Service, ServiceScaling
from ..model.derived import CPU, MEMORY, REQUESTS, StepScaling, TargetTracking
from ..names import (
    ALARM,
    DEAD_LETTER_QUEUE,
    QUEUE,
    SCALE_IN_ALARM,
    SCALE_IN_POLICY,
    SCALE_OUT_ALARM,
    SCALE_OUT_POLICY,
    SCALING_POLICY,
    logical_id,
    pascal,
)
from ._helpers import q
from ._registry import Index, Rule, rule

__all__: list[str] = []


def _scalings(ix: Index) -> Iterator[tuple[Service, ServiceScaling]]:
    for service in ix.services:
        for scaling in service.scalings:
            yield service, scaling


def _policies(ix: Index, kind: type) -> Iterator[tuple[Service, ServiceScaling, Any]]:
    for service, scaling in _scalings(ix):
        for policy in scaling.policies:
            if isinstance(policy, kind):  # target tracking or step scaling: each rule checks one kind
                yield service, scaling, policy


@rule("ECS701", "min_tasks is at most max_tasks, also after a scheduled action")
def _bounds(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, scaling in _scalings(ix):
        low, high = scaling.min_tasks, scaling.max_tasks
        if low > high:
            yield r.problem(scaling.path, f"min_tasks={low} is above max_tasks={high}.",
                            "Raise max_tasks= or lower min_tasks=.")
            continue
        for action in scaling.schedules:
            new_low = action.min_tasks if action.min_tasks is not None else low
            new_high = action.max_tasks if action.max_tasks is not None else high
            if new_low > new_high:
                yield r.problem(f"{scaling.path} › schedule {action.name}",
                                f"sets the bounds to min_tasks={new_low} and max_tasks={new_high}; the minimum "
                                "is above the maximum.", "Set both min_tasks= and max_tasks= on the action.")


@rule("ECS702", "an auto-scaled service's desired_count is within [min_tasks, max_tasks]")
def _desired(ix: Index, r: Rule) -> Iterator[Problem]:
    # A warning: the template deploys and autoscaling moves the count back into range, but every stack
    # update that touches the service first resets it to desired_count, so tasks start or stop for nothing.
    for service, scaling in _scalings(ix):
        count = service.desired_count
        low, high = scaling.min_tasks, scaling.max_tasks
        if not isinstance(count, int) or low > high or low <= count <= high:  # None or a token: no number
            continue
        yield r.problem(service.path, f"desired_count={count} is outside the autoscaling range {low} to {high}; "
                        "each stack update resets the count to it before autoscaling moves it back.",
                        f"Set desired_count={min(max(count, low), high)}.", severity="warning")


@rule("ECS707", "a target tracking target is in range (CPU and memory: above 0, at most 100)")
def _targets(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, scaling, policy in _policies(ix, TargetTracking):
        target = policy.target
        path = f"{scaling.path} › policy {policy.name}"
        if policy.metric_type in (CPU, MEMORY) and not 0 < target <= 100:
            what = "CPU" if policy.metric_type == CPU else "memory"
            yield r.problem(path, f"target_percent={target} is not a percentage of {what} above 0 and at most 100.",
                            "Use a value such as 70.")
        elif policy.metric_type == REQUESTS and target <= 0:
            yield r.problem(path, f"per_target={target}: requests per task must be above 0.",
                            "Use the requests a minute one task handles comfortably, e.g. 1000.")


def _fmt(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _step_problems(policy: StepScaling) -> Iterator[tuple[str, str]]:
    """(message, hint) for each overlap or gap of a step policy's bands."""
    out = policy.scale_out_steps
    scale_in = policy.scale_in_steps
    for label, steps in (("scale-out", out), ("scale-in", scale_in)):
        for prev, nxt in pairwise(steps):
            if prev.upper is None or (nxt.lower is not None and prev.upper > nxt.lower) or nxt.lower is None:
                yield (f"{label} steps overlap: {_band(prev)} and {_band(nxt)}.",
                       "Make each band start where the previous one ends.")
            elif prev.upper < nxt.lower:
                yield (f"{label} steps leave a gap from {_fmt(prev.upper)} to {_fmt(nxt.lower)}, where the alarm "
                       "fires but no step applies.", f"Start the next band at lower={_fmt(prev.upper)}.")
    if out:
        if out[0].lower is None:
            yield ("the lowest scale-out step has no lower bound, so the service would always scale out.",
                   "Give it lower= (the value at which to start adding tasks).")
        if out[-1].upper is not None:
            yield (f"metric values at or above {_fmt(out[-1].upper)} match no scale-out step.",
                   "Leave upper= out of the highest scale-out step.")
    if scale_in:
        if scale_in[-1].upper is None:
            yield ("the highest scale-in step has no upper bound, so the service would always scale in.",
                   "Give it upper= (the value at or below which to remove tasks).")
        if scale_in[0].lower is not None:
            yield (f"metric values at or below {_fmt(scale_in[0].lower)} match no scale-in step.",
                   "Leave lower= out of the lowest scale-in step.")
    if out and scale_in and out[0].lower is not None and scale_in[-1].upper is not None \
            and scale_in[-1].upper >= out[0].lower:
        yield (f"the scale-in band (up to {_fmt(scale_in[-1].upper)}) reaches the scale-out band (from "
               f"{_fmt(out[0].lower)}); both alarms would fire there.",
               "End the scale-in steps below the lowest scale-out bound.")


def _band(step: ScalingStep) -> str:
    low = "-inf" if step.lower is None else _fmt(step.lower)
    high = "+inf" if step.upper is None else _fmt(step.upper)
    return f"[{low}, {high}) change {step.change:+d}"


@rule("ECS708", "step scaling steps neither overlap nor leave gaps")
def _steps(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, scaling, policy in _policies(ix, StepScaling):
        for message, hint in _step_problems(policy):
            yield r.problem(f"{scaling.path} › policy {policy.name}", message, hint)


@rule("ECS709", "scaling policy and scheduled action names are unique per service")
def _unique_names(ix: Index, r: Rule) -> Iterator[Problem]:
    for _, scaling in _scalings(ix):
        seen: dict[str, str] = {}
        for policy in scaling.policies:
            key = pascal(policy.name)
            if key in seen:
                first = seen[key]
                if first == policy.name:
                    message = f"two scaling policies are named {q(first)}."
                    hint = "Pass name= to tell two policies of the same kind apart."
                else:
                    message = f"policy {q(policy.name)} maps to the same resource names as {q(first)}."
                    hint = "Rename one of them."
                yield r.problem(f"{scaling.path} › policy {policy.name}", message, hint)
            seen.setdefault(key, policy.name)
        names: set[str] = set()
        for action in scaling.schedules:
            if action.name in names:
                yield r.problem(f"{scaling.path} › schedule {action.name}",
                                f"two scheduled actions are named {q(action.name)}.",
                                "Give each scheduled action its own name.")
            names.add(action.name)


@rule("ECS710", "a service has one autoscaling configuration")
def _one_scaling(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        count = len(service.scalings)
        if count > 1:
            yield r.problem(service.path, f"auto_scale() was called {count} times; a service has one scalable "
                            "target.", "Call auto_scale() once and add every policy to what it returns.")


@rule("ECS714", "request-count scaling follows a target of the same service on an Application Load Balancer")
def _request_target(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, scaling, policy in _policies(ix, TargetTracking):
        target = policy.load_balancer_target
        if policy.metric_type != REQUESTS or target is None:
            continue
        path = f"{scaling.path} › policy {policy.name}"
        if target.service is not service:
            other = target.service.name
            yield r.problem(path, f"follows the requests of a target of service {q(other)}, not of "
                            f"{q(service.name)}.", "Pass the target listener.add_target() returned for this service.")
            continue
        if target.load_balancer.kind != "application":
            yield r.problem(path, "request-count scaling needs an Application Load Balancer; this target is on a "
                            "Network Load Balancer.", "Scale on CPU (on_cpu) or a metric (on_metric) instead.")


def _made(ix: Index) -> Iterator[tuple[str, str]]:
    """(logical ID, what makes it) for the queues, alarms and scaling resources of the stack."""
    for queue in ix.of_type(Queue):
        yield logical_id(queue.name, QUEUE), queue.path
        yield logical_id(queue.name, DEAD_LETTER_QUEUE), queue.path
    for alarm in ix.of_type(Alarm):
        yield logical_id(alarm.name, ALARM), alarm.path
    for service, scaling in _scalings(ix):
        for policy in scaling.policies:
            path = f"{scaling.path} › policy {policy.name}"
            if isinstance(policy, StepScaling):
                for part in (SCALE_OUT_POLICY, SCALE_OUT_ALARM, SCALE_IN_POLICY, SCALE_IN_ALARM):
                    yield logical_id(service.name, policy.name, part), path
            else:
                yield logical_id(service.name, policy.name, SCALING_POLICY), path


@rule("ECS713", "queues, alarms and scaling policies do not map to the same CloudFormation logical ID")
def _logical_ids(ix: Index, r: Rule) -> Iterator[Problem]:
    owners: dict[str, str] = {}
    reported: set[tuple[str, str]] = set()
    for logical, path in _made(ix):
        first = owners.setdefault(logical, path)
        if first != path and (first, path) not in reported:
            reported.add((first, path))
            yield r.problem(path, f"makes the resource {q(logical)}, as {first} does.",
                            "Rename one of them so their names differ in more than punctuation.")
