"""Value ranges of settings that stand on their own (a queue's retention, a VPC's block, a scaling step's
band): the model checks their types at construction, these rules check their values, all at once."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from ..errors import Problem
from ..model import Alarm, CapacityProviderStrategy, Cluster, Metric, Queue, Vpc
from ..model.derived import StepScaling, TargetTracking
from ._registry import Index, Rule, rule

__all__: list[str] = []

QUEUE_RANGES = (("visibility_timeout", 0, 43200), ("retention_days", 1, 14), ("receive_wait_seconds", 0, 20),
                ("max_receive_count", 1, 1000))


def _out_of_range(r: Rule, path: str, name: str, value: int | float, low: int, high: int,
                  hint: str = "") -> Iterator[Problem]:
    if not low <= value <= high:
        yield r.problem(path, f"{name}={value} is out of range; it is {low} to {high}.", hint)


@rule("ECS718", "capacity provider weights and bases, and EC2 capacity sizes, are in range")
def _capacity(ix: Index, r: Rule) -> Iterator[Problem]:
    owners: list[tuple[str, list[CapacityProviderStrategy]]] = [
        (f"{c.path}", c.default_strategy or []) for c in _clusters(ix)]
    owners += [(s.path, s.capacity_provider_strategy or []) for s in ix.services]
    for path, strategy in owners:
        for item in strategy:
            yield from _out_of_range(r, path, "weight", item.weight, 0, 1000,
                                     "A weight is a share of the tasks beyond the bases.")
            yield from _out_of_range(r, path, "base", item.base, 0, 100000)
    for cluster in _clusters(ix):
        for capacity in cluster.ec2_capacity:
            if capacity.min_size < 0:
                yield r.problem(capacity.path, f"min_size={capacity.min_size} is negative.", "Use 0 or more.")
            yield from _out_of_range(r, capacity.path, "target_capacity", capacity.target_capacity, 1, 100,
                                     "Use 100 to fill instances, or less to keep spare room for fast task starts.")


@rule("ECS716", "a created VPC is a /16 to /24 block over 2 or 3 zones, with at most one NAT gateway per zone")
def _vpc(ix: Index, r: Rule) -> Iterator[Problem]:
    for vpc in ix.of_type(Vpc):
        prefix = ipaddress.IPv4Network(vpc.cidr).prefixlen
        if not 16 <= prefix <= 24:
            yield r.problem(vpc.path, f"cidr={vpc.cidr!r} is a /{prefix}; a VPC here is a /16 to a /24.",
                            'Write cidr="10.0.0.0/16" (or any /16 to /24).')
        if vpc.max_azs not in (2, 3):
            yield r.problem(vpc.path, f"max_azs={vpc.max_azs}; a VPC here spans 2 or 3 availability zones.",
                            "Write max_azs=2 or max_azs=3.")
        elif not 0 <= vpc.nat_gateways <= vpc.max_azs:
            yield r.problem(vpc.path, f"nat_gateways={vpc.nat_gateways}, but there are {vpc.max_azs} availability "
                            "zones.", f"Use 0 (no internet from private subnets), 1 (shared) or {vpc.max_azs} "
                            "(one per AZ).")


@rule("ECS619", "a target health check's path starts with '/' and its timeout is shorter than its interval")
def _target_health(ix: Index, r: Rule) -> Iterator[Problem]:
    for lb in ix.load_balancers:
        for target in lb.targets:
            check = target.health_check
            if not check.path.startswith("/"):
                yield r.problem(target.path, f"the health check path={check.path!r} must start with '/'.",
                                'Write TargetHealthCheck(path="/health").')
            if check.timeout >= check.interval:
                yield r.problem(target.path, f"the health check timeout={check.timeout} must be shorter than its "
                                f"interval={check.interval}.", "Lower timeout= or raise interval=.")


@rule("ECS815", "queue settings are in SQS's ranges")
def _queues(ix: Index, r: Rule) -> Iterator[Problem]:
    for queue in ix.of_type(Queue):
        for name, low, high in QUEUE_RANGES:
            yield from _out_of_range(r, queue.path, name, getattr(queue, name), low, high)


def _metrics(ix: Index) -> Iterator[tuple[str, Metric]]:
    for alarm in ix.of_type(Alarm):
        yield alarm.path, alarm.metric
    for service in ix.services:
        for scaling in service.scalings:
            for policy in scaling.policies:
                if isinstance(policy, StepScaling):
                    yield f"{scaling.path} › policy {policy.name}", policy.metric


@rule("ECS816", "metric periods and alarm evaluation settings are ones CloudWatch accepts")
def _cloudwatch(ix: Index, r: Rule) -> Iterator[Problem]:
    for path, metric in _metrics(ix):
        if metric.period not in (10, 20, 30) and (metric.period <= 0 or metric.period % 60):
            yield r.problem(path, f"period={metric.period} of metric {metric.metric_name} is not a CloudWatch "
                            "period.", "Use 10, 20, 30 or a multiple of 60 seconds.")
    for alarm in ix.of_type(Alarm):
        if alarm.evaluation_periods < 1:
            yield r.problem(alarm.path, f"evaluation_periods={alarm.evaluation_periods} must be at least 1.")
        elif alarm.datapoints_to_alarm is not None and not 1 <= alarm.datapoints_to_alarm <= alarm.evaluation_periods:
            yield r.problem(alarm.path, f"datapoints_to_alarm={alarm.datapoints_to_alarm} must be 1 to "
                            f"evaluation_periods ({alarm.evaluation_periods}).")


@rule("ECS717", "scaling bounds, cooldowns, steps and evaluation periods are in range")
def _scaling(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        for scaling in service.scalings:
            for name in ("min_tasks", "max_tasks"):
                if getattr(scaling, name) < 0:
                    yield r.problem(scaling.path, f"{name}={getattr(scaling, name)} is negative.", "Use 0 or more.")
            for schedule in scaling.schedules:
                for name in ("min_tasks", "max_tasks"):
                    value = getattr(schedule, name)
                    if value is not None and value < 0:
                        yield r.problem(f"{scaling.path} › schedule {schedule.name}", f"{name}={value} is negative.",
                                        "Use 0 or more.")
            for policy in scaling.policies:
                path = f"{scaling.path} › policy {policy.name}"
                for name in ("scale_in_cooldown", "scale_out_cooldown"):
                    if getattr(policy, name) < 0:
                        yield r.problem(path, f"{name}={getattr(policy, name)} is negative.",
                                        "Use a number of seconds, 0 or more.")
                if isinstance(policy, TargetTracking):
                    continue
                for name in ("evaluation_periods", "scale_in_evaluation_periods"):
                    value = getattr(policy, name)
                    if value is not None and value < 1:
                        yield r.problem(path, f"{name}={value} must be at least 1.")
                for step in policy.steps:
                    if step.lower is not None and step.upper is not None and step.lower >= step.upper:
                        yield r.problem(path, f"a step's lower={step.lower} is not below its upper={step.upper}.",
                                        "Make lower the smaller bound of the band.")
                    if step.change == 0:
                        yield r.problem(path, "a step with change=0 does nothing.",
                                        "Leave the band out: values between steps change nothing.")


def _clusters(ix: Index) -> list[Cluster]:
    return ix.of_type(Cluster)
