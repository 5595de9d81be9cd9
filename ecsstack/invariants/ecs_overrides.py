"""ECS rules between properties that only ``overrides=`` can set, so only the template shows them (ECS932):

- a DAEMON service on EC2 has no desired count, a maximum percent of 100, no capacity provider strategy or
  placement strategy (DAEMON on the FARGATE launch type is cfn-lint's E3044);
- a service whose deployment controller is CODE_DEPLOY or EXTERNAL has no circuit breaker, rollback alarms,
  forced new deployment, deployment strategy settings, lifecycle hooks or Service Connect;
- canary settings go with the CANARY strategy, linear settings with LINEAR (their ranges are in the schema, ECS930);
- container links need the bridge network mode; swap settings are in range (swappiness 0-100, max swap not
  negative); Fargate takes neither swap, devices, tmpfs, shared memory size, the host PID mode nor an IPC mode;
  Windows takes neither a PID nor an IPC mode;
- a task definition's placement constraints are ``memberOf`` only, and none on Fargate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..model import Stack
from ._template import Template, is_token

__all__ = ["SWAPPINESS", "check"]

SWAPPINESS = (0, 100)
#: LinuxParameters keys Fargate does not take
FARGATE_LINUX_FORBIDDEN = ("MaxSwap", "Swappiness", "Devices", "SharedMemorySize", "Tmpfs")
#: DeploymentConfiguration keys only the ECS deployment controller takes (with what to write instead)
ECS_CONTROLLER_ONLY = {
    "DeploymentCircuitBreaker": "circuit_breaker=False",
    "Alarms": "no rollback_alarms",
    "Strategy": 'no "Strategy" in the overrides',
    "CanaryConfiguration": 'no "CanaryConfiguration" in the overrides',
    "LinearConfiguration": 'no "LinearConfiguration" in the overrides',
    "BakeTimeInMinutes": 'no "BakeTimeInMinutes" in the overrides',
    "LifecycleHooks": 'no "LifecycleHooks" in the overrides',
}


def _enabled(value: Any) -> bool:
    """Whether a ``{"Enable": …}`` block (circuit breaker, alarms) is switched on; a token counts as on."""
    if not isinstance(value, dict):
        return False
    flag = value.get("Enable", value.get("EnableForceNewDeployment"))
    return flag is True or is_token(flag) or str(flag).lower() == "true"


def _number(value: Any) -> float | None:
    if is_token(value) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None  # the schema check (ECS930) reports a value of the wrong type


def _service(props: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(message, fix) for each mistake of one AWS::ECS::Service."""
    deploy = props.get("DeploymentConfiguration")
    deploy = deploy if isinstance(deploy, dict) else {}
    # DAEMON on the FARGATE launch type is cfn-lint's E3044 (``ecsstack lint`` and ``deploy`` report it); moving the
    # daemon to EC2 is the fix that comes first, so its other settings are checked once it is there
    if props.get("SchedulingStrategy") == "DAEMON" and props.get("LaunchType") != "FARGATE":
        if props.get("DesiredCount") is not None:
            yield ("SchedulingStrategy DAEMON runs one task on each instance, and ECS takes no DesiredCount with it.",
                   'Add "DesiredCount": None to the service\'s overrides (and leave desired_count= out).')
        high = _number(deploy.get("MaximumPercent"))
        if high is not None and high != 100:
            yield (f"SchedulingStrategy DAEMON with a maximum percent of {high:g}; a daemon service's maximum "
                   "percent is 100.", "Pass max_percent=100 to the service.")
        if props.get("CapacityProviderStrategy"):
            yield ("SchedulingStrategy DAEMON with a capacity provider strategy; ECS runs daemons on the EC2 "
                   "launch type only.",
                   'Run the daemon\'s task on EC2 (Ec2TaskDefinition, launch_type="EC2"), or drop DAEMON.')
        if props.get("PlacementStrategies"):
            yield ("SchedulingStrategy DAEMON with placement strategies; a daemon runs on every instance, so ECS "
                   "takes none.", "Leave placement_strategies= out (constraints still choose the instances).")
    controller = props.get("DeploymentController")
    kind = controller.get("Type") if isinstance(controller, dict) else None
    if kind in ("CODE_DEPLOY", "EXTERNAL"):
        for key, fix in ECS_CONTROLLER_ONLY.items():
            value = deploy.get(key)
            on = _enabled(value) if key in ("DeploymentCircuitBreaker", "Alarms") else value is not None
            if on:
                yield (f"DeploymentConfiguration.{key} needs the ECS deployment controller; this service's "
                       f"is {kind}.", f"Use {fix}, or the ECS deployment controller.")
        if kind == "CODE_DEPLOY" and _enabled(props.get("ForceNewDeployment")):
            yield ("ForceNewDeployment with the CODE_DEPLOY deployment controller; CodeDeploy starts deployments "
                   "itself.", "Pass force_new_deployment=False, and start a new deployment through CodeDeploy.")
        if props.get("ServiceConnectConfiguration"):
            yield (f"Service Connect with the {kind} deployment controller; Service Connect works with the ECS "
                   "deployment controller only.", "Leave service_connect= out, or use the ECS deployment controller.")
    strategy = deploy.get("Strategy")
    if not is_token(strategy):
        for key, wanted in (("CanaryConfiguration", "CANARY"), ("LinearConfiguration", "LINEAR")):
            if deploy.get(key) is not None and strategy != wanted:
                yield (f"DeploymentConfiguration.{key} is set, but the strategy is {strategy or 'ROLLING'}; ECS "
                       f"reads it only with the {wanted} strategy.",
                       f'Add "Strategy": "{wanted}" to DeploymentConfiguration, or drop {key}.')


def _task(props: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(message, fix) for each mistake of one AWS::ECS::TaskDefinition."""
    compat = props.get("RequiresCompatibilities")
    fargate = isinstance(compat, list) and "FARGATE" in compat
    mode = props.get("NetworkMode")
    platform = props.get("RuntimePlatform")
    family = platform.get("OperatingSystemFamily") if isinstance(platform, dict) else None
    windows = isinstance(family, str) and family.startswith("WINDOWS")
    containers = props.get("ContainerDefinitions")
    for i, c in enumerate(containers if isinstance(containers, list) else []):  # a wrong type is the schemas' find
        if not isinstance(c, dict):
            continue
        name = c.get("Name", i)
        if c.get("Links") and not is_token(mode) and mode not in ("bridge", None):
            yield (f"container {name}: Links under the {mode} network mode; ECS links containers in bridge mode "
                   "only.", "Reach the other container on localhost (awsvpc) or drop Links.")
        linux = c.get("LinuxParameters")
        linux = linux if isinstance(linux, dict) else {}
        swappiness = _number(linux.get("Swappiness"))
        low, high = SWAPPINESS
        if swappiness is not None and not low <= swappiness <= high:
            yield (f"container {name}: LinuxParameters.Swappiness is {swappiness:g}; ECS takes {low} to {high}.",
                   f"Use a swappiness from {low} to {high}.")
        max_swap = _number(linux.get("MaxSwap"))
        if max_swap is not None and max_swap < 0:
            yield (f"container {name}: LinuxParameters.MaxSwap is {max_swap:g}; it is a size in MiB, 0 or more.",
                   "Use 0 (no swap) or a positive size.")
        if fargate:
            for key in FARGATE_LINUX_FORBIDDEN:
                if linux.get(key) is not None:
                    yield (f"container {name}: LinuxParameters.{key} on a Fargate task; Fargate does not take it.",
                           f"Drop {key} from the container's overrides, or run the task on EC2.")
    if fargate and props.get("PidMode") not in (None, "task"):
        yield (f"PidMode {props.get('PidMode')} on a Fargate task; Fargate takes only the task PID mode.",
               'Use "PidMode": "task", or run the task on EC2.')
    if fargate and props.get("IpcMode") is not None:
        yield ("IpcMode on a Fargate task; Fargate does not take an IPC mode.",
               "Drop IpcMode from the overrides, or run the task on EC2.")
    if windows:
        for key in ("PidMode", "IpcMode"):
            if props.get(key) is not None:
                yield (f"{key} on a {family} task; Windows containers take no {key}.",
                       f"Drop {key} from the overrides.")
    constraints = props.get("PlacementConstraints")
    if isinstance(constraints, list) and constraints:
        if fargate:
            yield ("PlacementConstraints on a Fargate task definition; Fargate places tasks itself.",
                   "Drop PlacementConstraints, or run the task on EC2.")
        for item in constraints:
            kind = item.get("Type") if isinstance(item, dict) else None
            if isinstance(kind, str) and kind != "memberOf":
                yield (f"a task definition placement constraint of type {kind}; a task definition takes memberOf "
                       "constraints only.", "Put it on the service: placement_constraints=[PlacementConstraint."
                       "distinct_instance()].")


def check(stack: Stack, template: Template) -> list[Problem]:
    """ECS932: a combination of properties (set through ``overrides=``) that ECS refuses."""
    problems = []
    for kind, find in (("AWS::ECS::Service", _service), ("AWS::ECS::TaskDefinition", _task)):
        for logical in template.of_type(kind):
            for message, fix in find(template.props(logical)):
                problems.append(Problem("ECS932", f"{stack.path} › resource {logical}", message, fix))
    return problems
