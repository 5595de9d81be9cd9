"""ECS4xx: services (deployment settings, counts, launch types, networking)."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..model import LaunchType, NetworkMode, Service, Token
from ._helpers import q
from ._registry import Index, Rule, rule

__all__: list[str] = []


@rule("ECS401", "min_healthy_percent and max_percent let a deployment progress")
def _deployment_percents(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        low, high = service.deployment_percents  # a daemon's defaults are ECS's daemon ones
        if not 0 <= low <= 100:
            yield r.problem(service.path, f"min_healthy_percent={low} is out of range; it is 0 to 100.",
                            "Use min_healthy_percent=100 (the default) to keep full capacity while "
                            "deploying, or a lower value to allow replacing tasks in place.")
        if high < 100:
            yield r.problem(service.path, f"max_percent={high} is below 100; a service can always run "
                            "at least its desired count.",
                            "Use max_percent=200 (the default), or at least 100.")
        if not 0 <= low <= 100 or high < 100:
            continue
        count = service.desired_count
        running = count is None or isinstance(count, Token) or count >= 1  # a token may well be >= 1
        if high <= low and running:
            yield r.problem(
                service.path,
                f"min_healthy_percent={low} with max_percent={high}: ECS can neither stop an old task "
                "nor start a new one, so no deployment can progress.",
                "Raise max_percent (e.g. 200, the default) or lower min_healthy_percent (e.g. 50).",
            )


@rule("ECS402", "desired_count is not negative")
def _desired_count(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        count = service.desired_count
        if isinstance(count, int) and count < 0:
            yield r.problem(service.path, f"desired_count={count} is negative.",
                            "Use 0 to keep the service without tasks, or a positive number.")


@rule("ECS403", "a service's launch type is one its task definition is compatible with")
def _launch_type(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        task, launch = service.task, service.launch_type
        if launch is None or launch in task.compatibilities:
            continue
        compat = task.compatibilities
        fix = {LaunchType.FARGATE: "FargateTaskDefinition(...)", LaunchType.EC2: "Ec2TaskDefinition(...)"}
        hint = f"Use launch_type={' or '.join(f'LaunchType.{c.name}' for c in compat)}"
        hint += f", or make the task with {fix[launch]}." if launch in fix else "."
        yield r.problem(
            service.path,
            f"launch_type={launch.value}, but task {q(task.family)} is compatible with "
            f"{' and '.join(c.value for c in compat)} only.",
            hint,
        )


@rule("ECS404", "service names are unique")
def _duplicate_service(ix: Index, r: Rule) -> Iterator[Problem]:
    seen: dict[str, Service] = {}
    physical: dict[tuple[int, str], Service] = {}
    for service in ix.services:
        name = service.name
        if name in seen:
            yield r.problem(service.path, f"two services are named {q(name)}.",
                            "Give each service its own name.")
        else:
            seen[name] = service
        given = service.service_name
        if isinstance(given, str):  # not a token, which is known only at deploy time
            key = (id(service.cluster), given)
            if key in physical:
                yield r.problem(
                    service.path,
                    f"service_name={given!r} is also the service_name of service {q(physical[key].name)} "
                    f"in the same cluster {q(service.cluster.name)}.",
                    "Give each a different service_name, or leave it out for a generated name.",
                )
            else:
                physical[key] = service


@rule("ECS405", "network settings need an awsvpc task; a public IP needs Fargate")
def _network_configuration(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        task = service.task
        mode = task.network_mode
        if mode is not NetworkMode.AWSVPC:
            set_fields = [name for name, value in (("subnets", service.subnets),
                                                   ("security_groups", service.security_groups),
                                                   ("allow_from", service.allow_from))
                          if value not in (None, [], ())]
            if service.assign_public_ip is True:
                set_fields.append("assign_public_ip")
            if set_fields:
                yield r.problem(
                    service.path,
                    f"sets {', '.join(f'{name}=' for name in set_fields)} but task {q(task.family)} uses "
                    f"network_mode={mode.value}; only awsvpc tasks take network settings.",
                    f"Remove {', '.join(f'{name}=' for name in set_fields)}, or give the task "
                    "network_mode=awsvpc.",
                )
                continue
        launch = service.effective_launch_type
        if service.assign_public_ip and launch is not LaunchType.FARGATE:
            yield r.problem(
                service.path,
                f"assign_public_ip=True, but service {q(service.name)} runs on {launch.value}; "
                "only Fargate tasks can get a public IP.",
                "Remove assign_public_ip=, and reach the internet through a NAT gateway.",
            )


@rule("ECS406", "health_check_grace_period is not negative")
def _grace_period(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        period = service.health_check_grace_period
        if period is not None and period < 0:
            yield r.problem(service.path, f"health_check_grace_period={period} is negative.",
                            "Use a number of seconds, 0 or more, or leave it out.")


@rule("ECS407", "platform_version applies to Fargate services only")
def _platform_version(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        version = service.platform_version
        launch = service.effective_launch_type
        if version is None or launch is LaunchType.FARGATE:
            continue
        yield r.problem(
            service.path,
            f"platform_version={version!r}, but service {q(service.name)} runs on {launch.value}; "
            "platform versions exist only on Fargate.",
            "Remove platform_version=.",
        )



@rule("ECS480", "after= names other services of the same stack, without a cycle")
def _deploy_order(ix: Index, r: Rule) -> Iterator[Problem]:
    present = {id(s) for s in ix.services}
    for service in ix.services:
        for other in service.after:
            if other is service:
                yield r.problem(service.path, "after= names the service itself.", "Remove it from after=.")
            elif id(other) not in present:
                yield r.problem(service.path, f"after= names service {q(other.name)}, which is not in this stack: "
                                "CloudFormation orders only resources of one template.",
                                f"Add service {q(other.name)} to this stack (stack.add), or remove it from after= "
                                "(a service of another stack is deployed with that stack).")
    reported: set[int] = set()
    for service in ix.services:
        cycle = _cycle_from(service, present)
        if cycle and not reported & {id(s) for s in cycle}:
            reported.update(id(s) for s in cycle)
            names = " → ".join(q(s.name) for s in [*cycle, cycle[0]])
            yield r.problem(service.path, f"after= makes a cycle: {names}; CloudFormation cannot create any of them "
                            "first.", "Remove one of these after= entries.")


def _cycle_from(start: Service, present: set[int]) -> list[Service]:
    """The services of a cycle of ``after`` through ``start`` (in order), or [] when there is none."""
    path: list[Service] = []

    def walk(service: Service) -> list[Service]:
        if service is start and path:
            return list(path)
        if any(s is service for s in path):
            return []  # a cycle that does not pass through start: reported from one of its own members
        path.append(service)
        for other in service.after:
            if other is not service and id(other) in present:
                found = walk(other)
                if found:
                    return found
        path.pop()
        return []

    return walk(start)
