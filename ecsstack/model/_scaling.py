"""Service autoscaling (Application Auto Scaling): bounds, target tracking, step and scheduled scaling."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._check import as_bool, as_enum, as_int, check_owned, fail
from ._enums import AdjustmentType
from ._metrics import Metric, as_missing_data, as_number
from ._overrides import Overridable, Part, document_parts

if TYPE_CHECKING:
    from ._loadbalancing import LoadBalancerTarget
    from ._service import Service

__all__ = ["AdjustmentType", "ScalingStep", "ServiceScaling"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")
_SCHEDULE = re.compile(r"^(cron|rate|at)\(.+\)$")

#: CloudFormation's names of the predefined metrics target tracking follows.
CPU = "ECSServiceAverageCPUUtilization"
MEMORY = "ECSServiceAverageMemoryUtilization"
REQUESTS = "ALBRequestCountPerTarget"



@dataclass(frozen=True)
class ScalingStep:
    """A band of metric values and the change in tasks while the metric is in it.

    ``lower`` (inclusive) and ``upper`` (exclusive) are metric values; leave one out for an open band.
    ``change``: tasks to add (positive: scale out) or remove (negative: scale in). Default +1.
    """

    lower: float | None = None
    upper: float | None = None
    change: int = 1

    def __post_init__(self) -> None:
        path = "scaling step"
        as_number(self.lower, path, "lower", optional=True)
        as_number(self.upper, path, "upper", optional=True)
        as_int(self.change, path, "change")
        if self.lower is None and self.upper is None:
            raise fail(path, "a step needs lower=, upper= or both.",
                       "Write ScalingStep(lower=100, change=+1) or ScalingStep(upper=0, change=-1).")


@dataclass(eq=False)
class TargetTracking:
    """Keep a predefined metric near ``target`` (made by ``on_cpu``/``on_memory``/``on_request_count``)."""

    name: str
    metric_type: str
    target: float
    load_balancer_target: LoadBalancerTarget | None = None
    scale_in_cooldown: int = 300
    scale_out_cooldown: int = 60
    disable_scale_in: bool = False


@dataclass(eq=False)
class StepScaling:
    """Alarms on ``metric`` around the steps' thresholds, each triggering a step scaling policy."""

    name: str
    metric: Metric
    steps: list[ScalingStep]
    adjustment: AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY
    scale_out_cooldown: int = 60
    scale_in_cooldown: int = 300
    evaluation_periods: int = 1
    scale_in_evaluation_periods: int | None = None
    treat_missing_data: str = "missing"

    @property
    def scale_out_steps(self) -> list[ScalingStep]:
        return sorted((s for s in self.steps if s.change > 0), key=_lower_key)

    @property
    def scale_in_steps(self) -> list[ScalingStep]:
        return sorted((s for s in self.steps if s.change < 0), key=_lower_key)


def _lower_key(step: ScalingStep) -> float:
    return float("-inf") if step.lower is None else step.lower


@dataclass(eq=False)
class ScheduledScaling:
    """New bounds from a schedule on (made by ``on_schedule``)."""

    name: str
    schedule: str
    min_tasks: int | None = None
    max_tasks: int | None = None
    timezone: str | None = None


@document_parts
@dataclass(eq=False)
class ServiceScaling(Overridable):
    """Application Auto Scaling of a service's task count between ``min_tasks`` and ``max_tasks``.

    Made by ``service.auto_scale(min_tasks=1, max_tasks=10)``; add policies with ``on_cpu``,
    ``on_memory``, ``on_request_count``, ``on_metric`` and ``on_schedule`` (each returns the scaling,
    so calls chain). Uses the Application Auto Scaling service-linked role.

    The service's ``desired_count`` is still the count it starts with, and CloudFormation sets it again
    on every stack update that changes the service; keep it within [min_tasks, max_tasks] (ECS702).
    """

    PARTS = (
        Part("ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget", "the scalable target"),
        Part("ScalingPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy",
             "a target tracking policy (``ScalingPolicy:cpu``)",
             when="after on_cpu, on_memory or on_request_count", each="policy name"),
        Part("ScaleOutPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy", "a step policy scaling out",
             when="after on_metric with steps that add tasks", each="policy name"),
        Part("ScaleOutAlarm", "AWS::CloudWatch::Alarm", "the alarm triggering it",
             when="after on_metric with steps that add tasks", each="policy name"),
        Part("ScaleInPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy", "a step policy scaling in",
             when="after on_metric with steps that remove tasks", each="policy name"),
        Part("ScaleInAlarm", "AWS::CloudWatch::Alarm", "the alarm triggering it",
             when="after on_metric with steps that remove tasks", each="policy name"),
    )

    service: Service = field(repr=False)
    min_tasks: int = 1
    max_tasks: int = 10
    policies: list[TargetTracking | StepScaling] = field(default_factory=list, init=False)
    schedules: list[ScheduledScaling] = field(default_factory=list, init=False)
    #: raw CloudFormation merged into each generated part (``override()``). Default: none
    part_overrides: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        # made by Service.auto_scale; this module cannot import Service (it imports this module)
        if not isinstance(getattr(self.service, "scalings", None), list):
            raise fail("scaling", f"auto scaling needs a Service, got {self.service!r}.",
                       "Write service.auto_scale(min_tasks=1, max_tasks=10).")
        self.normalise()
        self.service.scalings.append(self)

    def normalise(self) -> None:
        """Check every field's type and bring it to one form (run at construction and before the rules)."""
        path = self.path
        for name in ("min_tasks", "max_tasks"):
            as_int(getattr(self, name), path, name)
        check_owned(self, path, {"policies": (TargetTracking, StepScaling), "schedules": ScheduledScaling},
                    "on_cpu, on_memory, on_request_count, on_metric and on_schedule")
        self._normalise_part_overrides()

    @property
    def path(self) -> str:
        return f"{self.service.path} › scaling"

    def related(self) -> list[object]:
        """What a stack must hold for this scaling: its service."""
        return [self.service]

    # ---- target tracking -------------------------------------------------------------------------
    def on_cpu(self, target_percent: float = 70, *, scale_in_cooldown: int = 300, scale_out_cooldown: int = 60,
               disable_scale_in: bool = False, name: str = "cpu") -> ServiceScaling:
        """Keep the service's average CPU near ``target_percent``. Default 70 %.

        Cooldowns (seconds): Default 300 before another scale-in, 60 before another scale-out.
        """
        return self._track(name, CPU, target_percent, None, scale_in_cooldown, scale_out_cooldown,
                           disable_scale_in)

    def on_memory(self, target_percent: float = 80, *, scale_in_cooldown: int = 300, scale_out_cooldown: int = 60,
                  disable_scale_in: bool = False, name: str = "memory") -> ServiceScaling:
        """Keep the service's average memory use near ``target_percent``. Default 80 %; cooldowns as ``on_cpu``."""
        return self._track(name, MEMORY, target_percent, None, scale_in_cooldown, scale_out_cooldown,
                           disable_scale_in)

    def on_request_count(self, target: LoadBalancerTarget, per_target: float = 1000, *, scale_in_cooldown: int = 300,
                         scale_out_cooldown: int = 60, disable_scale_in: bool = False,
                         name: str = "requests") -> ServiceScaling:
        """Keep ALB requests per task near ``per_target`` (Default 1000 a minute).

        ``target``: the load balancer target of this service (``listener.add_target(service)``).
        """
        if not hasattr(target, "load_balancer"):
            raise fail(f"{self.path} › policy {name}",
                       f"on_request_count needs a load balancer target, got {target!r}.",
                       "Pass what listener.add_target(service) returned.")
        return self._track(name, REQUESTS, per_target, target, scale_in_cooldown, scale_out_cooldown,
                           disable_scale_in)

    def _track(self, name: str, metric_type: str, target: Any, lb_target: Any, scale_in_cooldown: int,
               scale_out_cooldown: int, disable_scale_in: bool) -> ServiceScaling:
        path = self._named(name, "policy")
        as_number(target, path, "target")
        _cooldowns(path, scale_in_cooldown, scale_out_cooldown)
        as_bool(disable_scale_in, path, "disable_scale_in")
        self.policies.append(TargetTracking(name, metric_type, target, lb_target, scale_in_cooldown,
                                            scale_out_cooldown, disable_scale_in))
        return self

    # ---- step scaling ------------------------------------------------------------------------------
    def on_metric(self, name: str, metric: Metric, steps: list[ScalingStep], *,
                  adjustment: AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY, scale_out_cooldown: int = 60,
                  scale_in_cooldown: int = 300, evaluation_periods: int = 1,
                  scale_in_evaluation_periods: int | None = None,
                  treat_missing_data: str = "missing") -> ServiceScaling:
        """Step scaling on any CloudWatch ``metric``.

        Steps with a positive ``change`` scale out: an alarm fires at the lowest of their ``lower``
        bounds. Steps with a negative ``change`` scale in: an alarm fires at the highest of their
        ``upper`` bounds. Values between the two thresholds change nothing. Example (queue depth)::

            steps=[ScalingStep(upper=0, change=-1), ScalingStep(lower=100, upper=500, change=+1),
                   ScalingStep(lower=500, change=+5)]

        ``adjustment``: Default ``ChangeInCapacity`` (change counts tasks). Cooldowns: Default 60 s after a
        scale-out, 300 s after a scale-in. ``evaluation_periods``: Default 1 (periods of the metric above
        the threshold before scaling out); ``scale_in_evaluation_periods``: Default the same.
        ``treat_missing_data``: Default ``"missing"``.
        """
        path = self._named(name, "policy")
        if not isinstance(metric, Metric):
            raise fail(path, f"metric must be a Metric(...), got {metric!r}.",
                       'Write metric=Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {...}).')
        if isinstance(steps, ScalingStep):
            steps = [steps]
        if not isinstance(steps, list | tuple) or not steps or not all(isinstance(s, ScalingStep) for s in steps):
            raise fail(path, f"steps must be a non-empty list of ScalingStep(...), got {steps!r}.",
                       "Write steps=[ScalingStep(upper=0, change=-1), ScalingStep(lower=100, change=+1)].")
        adjustment = as_enum(AdjustmentType, adjustment, path, "adjustment")
        _cooldowns(path, scale_in_cooldown, scale_out_cooldown)
        for label, value in (("evaluation_periods", evaluation_periods),
                             ("scale_in_evaluation_periods", scale_in_evaluation_periods)):
            as_int(value, path, label, optional=label != "evaluation_periods")
        self.policies.append(StepScaling(name, metric, list(steps), adjustment, scale_out_cooldown,
                                         scale_in_cooldown, evaluation_periods, scale_in_evaluation_periods,
                                         as_missing_data(treat_missing_data, path)))
        return self

    # ---- scheduled scaling ---------------------------------------------------------------------------
    def on_schedule(self, name: str, schedule: str, *, min_tasks: int | None = None, max_tasks: int | None = None,
                    timezone: str | None = None) -> ServiceScaling:
        """Change the bounds on a schedule: ``"cron(0 8 ? * MON-FRI *)"``, ``"rate(1 day)"`` or
        ``"at(2025-01-01T00:00:00)"``. ``timezone``: Default UTC (an IANA name such as ``"Europe/Paris"``).
        """
        path = self._named(name, "schedule")
        if not isinstance(schedule, str) or not _SCHEDULE.match(schedule.strip()):
            raise fail(path, f"schedule={schedule!r} is not a schedule expression.",
                       'Write "cron(0 8 ? * MON-FRI *)", "rate(1 day)" or "at(2025-01-01T00:00:00)".')
        for label, value in (("min_tasks", min_tasks), ("max_tasks", max_tasks)):
            as_int(value, path, label, optional=True)
        if min_tasks is None and max_tasks is None:
            raise fail(path, "a scheduled action needs min_tasks=, max_tasks= or both.")
        if timezone is not None and (not isinstance(timezone, str) or not timezone):
            raise fail(path, f"timezone must be an IANA time zone name, got {timezone!r}.")
        self.schedules.append(ScheduledScaling(name, schedule.strip(), min_tasks, max_tasks, timezone))
        return self

    def _named(self, name: Any, kind: str) -> str:
        if not isinstance(name, str) or not _NAME.match(name):
            raise fail(f"{self.path} › {kind}", f"a {kind} needs a name of letters, digits, hyphens and "
                       f"underscores starting with a letter, got {name!r}.")
        return f"{self.path} › {kind} {name}"


def _cooldowns(path: str, scale_in: Any, scale_out: Any) -> None:
    for label, value in (("scale_in_cooldown", scale_in), ("scale_out_cooldown", scale_out)):
        as_int(value, path, label)
