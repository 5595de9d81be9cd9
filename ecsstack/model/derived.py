"""What the other layers (rules, compile, graph, patterns) need from the model beyond the public builders:
facts derived from a model, the kinds of objects builders make internally, and the argument error.

This is the one door into the model for ``ecsstack.rules``, ``ecsstack.compile`` and the rest; nothing
outside ``ecsstack/model`` imports a private ``model._module``.
"""

from ._alarms import is_alarm_object
from ._capacity import AMI_PARAMETERS, associated_providers, effective_strategy, provider_name
from ._check import ARGUMENT_RULE, as_int, fail
from ._firelens import CLOUDWATCH_OUTPUTS, FIRELENS_DRIVER, logs_through_firelens, routers, writes_to_task_log_group
from ._loadbalancing import load_balancers_of, targets_of
from ._scaling import CPU, MEMORY, REQUESTS, ScheduledScaling, StepScaling, TargetTracking
from ._task import INIT_ORDER

__all__ = [
    "AMI_PARAMETERS",
    "ARGUMENT_RULE",
    "CLOUDWATCH_OUTPUTS",
    "CPU",
    "FIRELENS_DRIVER",
    "INIT_ORDER",
    "MEMORY",
    "REQUESTS",
    "ScheduledScaling",
    "StepScaling",
    "TargetTracking",
    "as_int",
    "associated_providers",
    "effective_strategy",
    "fail",
    "is_alarm_object",
    "load_balancers_of",
    "logs_through_firelens",
    "provider_name",
    "routers",
    "targets_of",
    "writes_to_task_log_group",
]
