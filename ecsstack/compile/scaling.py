"""Application Auto Scaling of services (scalable target, target tracking, step and scheduled scaling)
and the CloudWatch alarms of step scaling."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Join, Ref, cloudwatch
from troposphere import applicationautoscaling as aa

from ..model import ScalingStep, Service, ServiceScaling, Statistic
from ..model.derived import REQUESTS, StepScaling, TargetTracking
from ..names import (
    SCALABLE_TARGET,
    SCALE_IN_ALARM,
    SCALE_IN_POLICY,
    SCALE_OUT_ALARM,
    SCALE_OUT_POLICY,
    SCALING_POLICY,
    logical_id,
)
from ._context import Context
from .alarms import metric_properties, number

__all__ = ["compile_scaling"]

_AGGREGATIONS = (Statistic.AVERAGE, Statistic.MINIMUM, Statistic.MAXIMUM)


def _scheduled(scaling: ServiceScaling) -> list[aa.ScheduledAction]:
    actions = []
    for s in scaling.schedules:
        bounds = {k: v for k, v in (("MinCapacity", s.min_tasks), ("MaxCapacity", s.max_tasks)) if v is not None}
        kwargs: dict[str, Any] = {"ScheduledActionName": s.name, "Schedule": s.schedule,
                                  "ScalableTargetAction": aa.ScalableTargetAction(**bounds)}
        if s.timezone:
            kwargs["Timezone"] = s.timezone
        actions.append(aa.ScheduledAction(**kwargs))
    return actions


def _target_tracking(policy: TargetTracking, scaling: ServiceScaling, target: str, base: str, ctx: Context) -> None:
    service = scaling.service
    predefined: dict[str, Any] = {"PredefinedMetricType": policy.metric_type}
    if policy.metric_type == REQUESTS:
        lb_target = policy.load_balancer_target
        predefined["ResourceLabel"] = Join("/", [GetAtt(ctx.logical(lb_target.load_balancer), "LoadBalancerFullName"),
                                                 GetAtt(ctx.logical(lb_target), "TargetGroupFullName")])
    config: dict[str, Any] = {
        "PredefinedMetricSpecification": aa.PredefinedMetricSpecification(**predefined),
        "TargetValue": number(policy.target),
        "ScaleInCooldown": policy.scale_in_cooldown,
        "ScaleOutCooldown": policy.scale_out_cooldown,
    }
    if policy.disable_scale_in:
        config["DisableScaleIn"] = True
    ctx.add(aa.ScalingPolicy(ctx.part(scaling, f"ScalingPolicy:{policy.name}",
                                      f"{base}{logical_id(policy.name)}{SCALING_POLICY}"),
                             PolicyName=f"{service.name}-{policy.name}", PolicyType="TargetTrackingScaling",
                             ScalingTargetId=Ref(target),
                             TargetTrackingScalingPolicyConfiguration=aa.TargetTrackingScalingPolicyConfiguration(
                                 **config)))


def _adjustment(step: ScalingStep, threshold: float) -> aa.StepAdjustment:
    kwargs: dict[str, Any] = {"ScalingAdjustment": step.change}
    if step.lower is not None:
        kwargs["MetricIntervalLowerBound"] = number(step.lower - threshold)
    if step.upper is not None:
        kwargs["MetricIntervalUpperBound"] = number(step.upper - threshold)
    return aa.StepAdjustment(**kwargs)


def _step_scaling(policy: StepScaling, scaling: ServiceScaling, target: str, base: str, ctx: Context) -> None:
    """Two alarms around the steps: at or above the scale-out threshold, at or below the scale-in one,
    each triggering its own step policy (bounds relative to the alarm's threshold)."""
    service = scaling.service
    aggregation = policy.metric.statistic if policy.metric.statistic in _AGGREGATIONS else Statistic.AVERAGE
    for direction, steps, policy_suffix, alarm_suffix in (
            ("Out", policy.scale_out_steps, SCALE_OUT_POLICY, SCALE_OUT_ALARM),
            ("In", policy.scale_in_steps, SCALE_IN_POLICY, SCALE_IN_ALARM)):
        if not steps:
            continue
        out = direction == "Out"
        threshold = steps[0].lower if out else steps[-1].upper
        assert threshold is not None  # ECS708
        name = f"{base}{logical_id(policy.name)}"
        ctx.part(scaling, f"Scale{direction}Policy:{policy.name}", f"{name}{policy_suffix}")
        ctx.part(scaling, f"Scale{direction}Alarm:{policy.name}", f"{name}{alarm_suffix}")
        ctx.add(aa.ScalingPolicy(
            f"{name}{policy_suffix}", PolicyName=f"{service.name}-{policy.name}-scale-{direction.lower()}",
            PolicyType="StepScaling", ScalingTargetId=Ref(target),
            StepScalingPolicyConfiguration=aa.StepScalingPolicyConfiguration(
                AdjustmentType=policy.adjustment.value,
                Cooldown=policy.scale_out_cooldown if out else policy.scale_in_cooldown,
                MetricAggregationType=aggregation.value,
                StepAdjustments=[_adjustment(s, threshold) for s in steps])))
        periods = policy.evaluation_periods
        if not out and policy.scale_in_evaluation_periods is not None:
            periods = policy.scale_in_evaluation_periods
        sign = ">=" if out else "<="
        ctx.add(cloudwatch.Alarm(
            f"{name}{alarm_suffix}", **metric_properties(policy.metric, ctx),
            AlarmDescription=f"Scale service {service.name} {direction.lower()} when {policy.metric.metric_name} "
                             f"{sign} {number(threshold)}",
            Threshold=number(threshold), EvaluationPeriods=periods,
            ComparisonOperator="GreaterThanOrEqualToThreshold" if out else "LessThanOrEqualToThreshold",
            TreatMissingData=policy.treat_missing_data, AlarmActions=[Ref(f"{name}{policy_suffix}")]))


def compile_scaling(service: Service, ctx: Context) -> None:
    """The scalable target of an auto-scaled service (the service-linked role, so no RoleARN) and its
    policies."""
    for scaling in service.scalings[:1]:  # ECS710 refuses more than one
        base = logical_id(service.name)
        target = f"{base}{SCALABLE_TARGET}"
        props: dict[str, Any] = {
            "MinCapacity": scaling.min_tasks,
            "MaxCapacity": scaling.max_tasks,
            "ResourceId": Join("/", ["service", Ref(ctx.logical(service.cluster)),
                                     GetAtt(ctx.logical(service), "Name")]),
            "ScalableDimension": "ecs:service:DesiredCount",
            "ServiceNamespace": "ecs",
        }
        if scaling.schedules:
            props["ScheduledActions"] = _scheduled(scaling)
        ctx.add(aa.ScalableTarget(ctx.part(scaling, "ScalableTarget", target), **props))
        for policy in scaling.policies:
            if isinstance(policy, TargetTracking):
                _target_tracking(policy, scaling, target, base, ctx)
            else:
                _step_scaling(policy, scaling, target, base, ctx)
