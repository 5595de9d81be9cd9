"""Alarm-based deployment rollback: ``Service(rollback_alarms=[...])`` → DeploymentConfiguration.Alarms.

A modelled ``Alarm`` is compiled before the services (order 28), so the hook can refer to it.
"""

from __future__ import annotations

from typing import Any

from troposphere import Ref, ecs

from ..model import Service
from ..model.derived import is_alarm_object
from ._context import Context, extends

__all__: list[str] = []


def _alarm_name(alarm: Any, ctx: Context) -> Any:
    """A name as given, a parameter as ``Ref``, a modelled alarm as the ``Ref`` (its name) of its resource."""
    if is_alarm_object(alarm):
        return Ref(ctx.logical(alarm))
    return ctx.value(alarm)


@extends("service")
def compile_rollback_alarms(service: Service, ctx: Context, built: ecs.Service) -> None:
    """Roll a deployment back when any of the service's rollback alarms fires (independent of the circuit
    breaker, which keeps its own setting)."""
    if not service.rollback_alarms:
        return
    built.DeploymentConfiguration.Alarms = ecs.DeploymentAlarms(
        AlarmNames=[_alarm_name(a, ctx) for a in service.rollback_alarms], Enable=True, Rollback=True)
