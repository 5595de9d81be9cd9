"""What the other layers (rules, compile, graph, patterns) need from the model beyond the public builders:
facts derived from a model, the kinds of objects builders make internally, and the argument error.

This is the one door into the model for ``ecsstack.rules``, ``ecsstack.compile`` and the rest; nothing
outside ``ecsstack/model`` imports a private ``model._module``.
"""

from __future__ import annotations

from ._alarms import is_alarm_object
from ._capacity import AMI_PARAMETERS, CapacityProviderStrategy, Ec2Capacity, provider_name
from ._check import ARGUMENT_RULE, as_int, fail
from ._deployment import Deployment
from ._enums import CapacityProvider, LaunchType
from ._firelens import CLOUDWATCH_OUTPUTS, FIRELENS_DRIVER, logs_through_firelens, routers, writes_to_task_log_group
from ._loadbalancing import LoadBalancer, LoadBalancerTarget, load_balancers_of, targets_of
from ._nodes import builders_of, normalise_all
from ._overrides import Part, Remove
from ._scaling import CPU, MEMORY, REQUESTS, ScheduledScaling, StepScaling, TargetTracking
from ._scheduled import ScheduledTask
from ._service import Cluster, Service
from ._source import Source, source_of
from ._stack import Stack, use_pipeline
from ._values import FIRELENS_ORDER, INIT_ORDER, SIDECAR_ORDER

__all__ = [
    "AMI_PARAMETERS",
    "ARGUMENT_RULE",
    "CLOUDWATCH_OUTPUTS",
    "CPU",
    "FIRELENS_DRIVER",
    "FIRELENS_ORDER",
    "INIT_ORDER",
    "MEMORY",
    "REQUESTS",
    "SIDECAR_ORDER",
    "Part",
    "Remove",
    "ScheduledScaling",
    "Source",
    "StepScaling",
    "TargetTracking",
    "as_int",
    "associated_providers",
    "builders_of",
    "deployment_of",
    "effective_strategy",
    "fail",
    "implied_strategy",
    "is_alarm_object",
    "load_balancers_of",
    "logs_through_firelens",
    "normalise_all",
    "provider_name",
    "routers",
    "source_of",
    "targets_of",
    "test_listeners",
    "use_pipeline",
    "writes_to_task_log_group",
]


def implied_strategy(service: Service | ScheduledTask) -> list[CapacityProviderStrategy]:
    """The strategy a service gets without asking: one item (weight 1) per EC2 capacity of its cluster when
    its tasks would otherwise run with ``LaunchType: EC2`` there (it sets neither launch type nor strategy,
    its cluster has no default strategy, and its task is not Fargate-compatible), so managed scaling sees
    its tasks; empty otherwise."""
    if (service.capacity_provider_strategy or service.launch_type is not None or service.cluster.default_strategy
            or service.effective_launch_type is not LaunchType.EC2 or service.is_daemon):
        return []
    return [CapacityProviderStrategy(capacity) for capacity in service.cluster.ec2_capacity]


def effective_strategy(service: Service | ScheduledTask) -> list[CapacityProviderStrategy] | None:
    """The strategy the service's (or scheduled task's) tasks are placed with, decided here for rules and
    compile alike: its own;
    else, when it sets no launch type, the cluster's default, or the strategy over the cluster's EC2 capacity
    it is given without asking (``implied_strategy``); None when it runs on a launch type."""
    if service.capacity_provider_strategy:
        return service.capacity_provider_strategy
    if service.launch_type is not None or service.is_daemon:  # a daemon service states its launch type
        return None
    return service.cluster.default_strategy or implied_strategy(service) or None


def _same(a: CapacityProvider | Ec2Capacity | str, b: CapacityProvider | Ec2Capacity | str) -> bool:
    return a is b if isinstance(a, Ec2Capacity) or isinstance(b, Ec2Capacity) else a == b


def associated_providers(cluster: Cluster, stack: Stack) -> list[CapacityProvider | Ec2Capacity | str]:
    """The providers to associate with ``cluster``: ``capacity_providers`` when given, else every provider
    its default strategy and its services' and scheduled tasks' strategies name; plus its EC2 capacity, in a
    stable order."""
    named: list[CapacityProvider | Ec2Capacity | str] = []
    if cluster.capacity_providers is not None:
        named.extend(cluster.capacity_providers)
    else:
        strategies = [cluster.default_strategy]
        strategies += [s.capacity_provider_strategy for s in stack.of_type(Service) if s.cluster is cluster]
        strategies += [s.capacity_provider_strategy for s in stack.of_type(ScheduledTask) if s.cluster is cluster]
        for strategy in strategies:
            named.extend(item.provider for item in strategy or [])
    named.extend(cluster.ec2_capacity)
    out: list[CapacityProvider | Ec2Capacity | str] = []
    for provider in named:
        if not any(_same(provider, seen) for seen in out):
            out.append(provider)
    return out


def deployment_of(service: Service) -> Deployment:
    """How ``service`` deploys, decided here for rules, compile and pictures alike: its ``deployment=``, else a
    rolling deployment with the service's own percents and circuit breaker."""
    if service.deployment is not None:
        return service.deployment
    return Deployment.rolling(service.min_healthy_percent, service.max_percent, service.circuit_breaker,
                              service.rollback)


def test_listeners(lb: LoadBalancer) -> list[tuple[int, LoadBalancerTarget]]:
    """The test listeners ``lb`` gets: (port, target) for each target whose service deploys blue/green, canary or
    linear with a ``test_port`` (compile makes a listener there for the service's test traffic)."""
    out = []
    for target in lb.targets:
        deployment = target.service.deployment
        if deployment is not None and deployment.shifts_traffic and deployment.test_port is not None:
            out.append((deployment.test_port, target))
    return out
