"""CloudWatch alarms the stack models, and alarm-based deployment rollback of services
(``Service(rollback_alarms=[...])`` → ``DeploymentConfiguration.Alarms``)."""

from __future__ import annotations

from typing import Any

from troposphere import Ref, cloudwatch, ecs

from ..model import Alarm, Metric, Service
from ..model.derived import is_alarm_object
from ..names import ALARM, logical_id
from ._context import Context

__all__ = ["compile_alarm", "deployment_alarms", "metric_properties", "number"]


def number(value: float) -> float | int:
    """A bound as CloudFormation shows it: whole numbers without ``.0``, no float noise."""
    value = round(value, 10)
    return int(value) if float(value).is_integer() else value


def metric_properties(metric: Metric, ctx: Context) -> dict[str, Any]:
    """The properties of an ``AWS::CloudWatch::Alarm`` that name its metric."""
    props: dict[str, Any] = {"Namespace": metric.namespace, "MetricName": metric.metric_name,
                             "Statistic": metric.statistic.value, "Period": metric.period}
    if metric.dimensions:
        props["Dimensions"] = [cloudwatch.MetricDimension(Name=k, Value=ctx.value(v))
                               for k, v in sorted(metric.dimensions.items())]
    return props


def compile_alarm(alarm: Alarm, ctx: Context) -> None:
    """A CloudWatch alarm (the alarms pass runs before the services, which may roll back on one)."""
    name = logical_id(alarm.name, ALARM)
    ctx.register(alarm, name)
    props = {**metric_properties(alarm.metric, ctx), "Threshold": number(alarm.threshold),
             "ComparisonOperator": alarm.comparison.value, "EvaluationPeriods": alarm.evaluation_periods,
             "TreatMissingData": alarm.treat_missing_data}
    if alarm.datapoints_to_alarm is not None:
        props["DatapointsToAlarm"] = alarm.datapoints_to_alarm
    if alarm.description:
        props["AlarmDescription"] = alarm.description
    if alarm.alarm_name:
        props["AlarmName"] = alarm.alarm_name
    ctx.add(cloudwatch.Alarm(ctx.part(alarm, "Alarm", name), **props))


def _alarm_name(alarm: Any, ctx: Context) -> Any:
    """A name as given, a parameter as ``Ref``, a modelled alarm as the ``Ref`` (its name) of its resource."""
    if is_alarm_object(alarm):
        return Ref(ctx.logical(alarm))
    return ctx.value(alarm)


def deployment_alarms(service: Service, ctx: Context) -> ecs.DeploymentAlarms | None:
    """Roll a deployment back when any of the service's rollback alarms fires (independent of the circuit
    breaker, which keeps its own setting); None when it names no alarm."""
    if not service.rollback_alarms:
        return None
    return ecs.DeploymentAlarms(AlarmNames=[_alarm_name(a, ctx) for a in service.rollback_alarms],
                                Enable=True, Rollback=True)
