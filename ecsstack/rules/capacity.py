"""ECS703-ECS706, ECS711, ECS712, ECS715: capacity provider strategies, placement, runtime platform, EC2
capacity."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..model import (
    CapacityProvider,
    CapacityProviderStrategy,
    Cluster,
    CpuArchitecture,
    Ec2Capacity,
    LaunchType,
    OsFamily,
    ScheduledTask,
    Service,
)
from ..model.derived import effective_strategy, provider_name
from ..names import pascal
from ._helpers import q
from ._registry import Index, Rule, rule

__all__: list[str] = []

FARGATE_PROVIDERS = (CapacityProvider.FARGATE, CapacityProvider.FARGATE_SPOT)
#: Graviton (ARM64) instance families: a generation digit followed by "g" (t4g, m7gd, c6gn), and a1
_ARM_TYPE = re.compile(r"^([a-z]+\d+g[a-z-]*|a1)\.")


def _is_fargate(provider: Any) -> bool:
    return provider in FARGATE_PROVIDERS


def _same(a: Any, b: Any) -> bool:
    return a is b if isinstance(a, Ec2Capacity) or isinstance(b, Ec2Capacity) else a == b


def _strategies(ix: Index) -> Iterator[tuple[str, Cluster, list[CapacityProviderStrategy], str]]:
    """(path, cluster, items, field name) for every strategy written in the stack."""
    for cluster in ix.of_type(Cluster):
        if cluster.default_strategy:
            yield cluster.path, cluster, cluster.default_strategy, "default_strategy"
    for service in ix.services:
        if service.capacity_provider_strategy:
            yield service.path, service.cluster, service.capacity_provider_strategy, "capacity_provider_strategy"
    for scheduled in ix.of_type(ScheduledTask):
        if scheduled.capacity_provider_strategy:
            yield (scheduled.path, scheduled.cluster, scheduled.capacity_provider_strategy,
                   "capacity_provider_strategy")


@rule("ECS703", "a capacity provider strategy is one ECS accepts, of providers associated with the cluster")
def _strategy_shape(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        if service.launch_type is not None and service.capacity_provider_strategy:
            yield r.problem(service.path, "sets both launch_type= and capacity_provider_strategy=; a service "
                            "runs on one or the other.",
                            "Remove launch_type= (the strategy decides where tasks run), or the strategy.")
    for path, cluster, items, field in _strategies(ix):
        based = [s for s in items if s.base > 0]
        if len(based) > 1:
            yield r.problem(path, f"{field} gives a base to {len(based)} providers "
                            f"({', '.join(provider_name(s.provider) for s in based)}); only one may have one.",
                            "Keep base= on the provider that must always run the first tasks.")
        if all(s.weight == 0 for s in items):
            yield r.problem(path, f"every provider of {field} has weight=0, so no task beyond the base can be "
                            "placed.", "Give at least one provider a weight of 1 or more.")
        seen: list[Any] = []
        for s in items:
            if any(_same(s.provider, other) for other in seen):
                yield r.problem(path, f"{field} names {provider_name(s.provider)} twice.",
                                "Name each provider once, with its weight and base.")
            seen.append(s.provider)
        if any(_is_fargate(s.provider) for s in items) and not all(_is_fargate(s.provider) for s in items):
            yield r.problem(path, f"{field} mixes Fargate and EC2 capacity providers; a strategy uses one kind.",
                            "Use FARGATE and FARGATE_SPOT together, or EC2 capacity providers together.")
        explicit = cluster.capacity_providers
        for s in items:
            provider = s.provider
            if isinstance(provider, Ec2Capacity) and provider.cluster is not cluster:
                owner = provider.cluster.name
                yield r.problem(path, f"{field} uses {provider_name(provider)} of cluster {q(owner)}, but the "
                                f"tasks run in cluster {q(cluster.name)}.",
                                f"Use capacity added with cluster {q(cluster.name)}.add_ec2_capacity(...).")
            elif explicit is not None and not isinstance(provider, Ec2Capacity) \
                    and not any(_same(provider, p) for p in explicit):
                yield r.problem(path, f"{field} uses {provider_name(provider)}, which cluster {q(cluster.name)} "
                                "does not associate (capacity_providers= leaves it out).",
                                f"Add {str(provider)!r} to the cluster's capacity_providers=, or leave "
                                "capacity_providers= out to associate what strategies use.")


def _on_fargate(service: Service) -> bool:
    strategy = effective_strategy(service)
    if strategy:
        return all(_is_fargate(s.provider) for s in strategy)
    return service.effective_launch_type is LaunchType.FARGATE


@rule("ECS704", "placement strategies and constraints are for EC2: at most 5 strategies and 10 constraints")
def _placement(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        strategies, constraints = service.placement_strategies, service.placement_constraints
        if not strategies and not constraints:
            continue
        if _on_fargate(service):
            fields = [name for name, value in (("placement_strategies", strategies),
                                               ("placement_constraints", constraints)) if value]
            yield r.problem(service.path, f"sets {' and '.join(f'{f}=' for f in fields)}, but its tasks run on "
                            "Fargate, which places tasks itself.",
                            f"Remove {' and '.join(f'{f}=' for f in fields)}, or run the service on EC2 capacity.")
            continue
        if len(strategies) > 5:
            yield r.problem(service.path, f"has {len(strategies)} placement strategies; ECS takes at most 5.",
                            "Keep the five that matter most, in order of priority.")
        if len(constraints) > 10:
            yield r.problem(service.path, f"has {len(constraints)} placement constraints; ECS takes at most 10.",
                            "Combine member_of expressions with 'and'.")


def _version(text: object) -> tuple[int, ...] | None:
    """``(1, 4, 0)`` for ``"1.4.0"``; None for LATEST, a parameter or no version."""
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text) if isinstance(text, str) else None
    return tuple(int(g) for g in match.groups()) if match else None


@rule("ECS705", "FARGATE_SPOT runs Linux X86_64 tasks; ARM64 only where pinned to platform version 1.4.0+")
def _fargate_spot(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        strategy = effective_strategy(service)
        if not strategy or not any(s.provider is CapacityProvider.FARGATE_SPOT for s in strategy):
            continue
        task = service.task
        where = ix.task_path(task)
        os_family = task.os_family
        if os_family is not None and os_family is not OsFamily.LINUX:
            yield r.problem(where, f"os_family={os_family.value}, but the service uses FARGATE_SPOT, which runs "
                            "Linux tasks only.", "Use FARGATE for Windows tasks.")
        if task.cpu_architecture is not CpuArchitecture.ARM64:
            continue
        # The ECS user guide lists ARM64 as unsupported on Fargate Spot and some partitions still lack it;
        # the API reference allows it on platform version 1.4.0. Only an explicit pin opts in.
        pinned = service.platform_version
        version = _version(pinned)
        if version is None or version < (1, 4, 0):
            said = (f"sets platform_version={pinned!r}" if pinned not in (None, "LATEST")
                    else "does not pin platform_version='1.4.0'")
            yield r.problem(where, f"is an ARM64 task on FARGATE_SPOT, which runs X86_64 tasks; ARM64 Spot "
                            f"exists only on platform version 1.4.0 in some regions, and service "
                            f"{q(service.name)} {said}.",
                            "Use FARGATE for ARM64 tasks (or cpu_architecture=X86_64 to keep Spot); where your "
                            "region offers ARM64 Spot, confirm it with platform_version='1.4.0'.")


def _capacities(service: Service) -> list[Ec2Capacity]:
    strategy = effective_strategy(service)
    if strategy:
        return [s.provider for s in strategy if isinstance(s.provider, Ec2Capacity)]
    if service.effective_launch_type is LaunchType.EC2:
        return list(service.cluster.ec2_capacity)
    return []


@rule("ECS706", "EC2 capacity has the CPU architecture of its instance type and of the tasks it runs")
def _architecture(ix: Index, r: Rule) -> Iterator[Problem]:
    for cluster in ix.of_type(Cluster):
        for cap in cluster.ec2_capacity:
            if not isinstance(cap.instance_type, str):  # a token: known at deploy time only
                continue
            arm = bool(_ARM_TYPE.match(cap.instance_type))
            if arm != (cap.architecture is CpuArchitecture.ARM64):
                wanted = "ARM64" if arm else "X86_64"
                yield r.problem(cap.path, f"instance_type={cap.instance_type!r} is an {wanted} instance, but "
                                f"architecture={cap.architecture.value}; the AMI would not boot on it.",
                                f"Use architecture=CpuArchitecture.{wanted}, or an instance type of "
                                f"{cap.architecture.value} (ARM64: t4g, m7g, c7g…).")
    for service in ix.services:
        task = service.task
        caps = _capacities(service)
        if not caps:
            continue
        wanted = task.cpu_architecture
        archs = {c.architecture for c in caps}
        if wanted is not None and wanted not in archs:
            yield r.problem(ix.task_path(task), f"cpu_architecture={wanted.value}, but service "
                            f"{q(service.name)} runs on {', '.join(provider_name(c) for c in caps)} of "
                            f"{'/'.join(sorted(a.value for a in archs))} instances.",
                            f"Place it on EC2 capacity with architecture=CpuArchitecture.{wanted.name}, or "
                            "change the task's cpu_architecture.")
        elif wanted is None and archs == {CpuArchitecture.ARM64}:
            yield r.problem(ix.task_path(task), f"service {q(service.name)} runs on ARM64 instances, but the "
                            "task does not say cpu_architecture=; its images must be built for arm64.",
                            "Add cpu_architecture=CpuArchitecture.ARM64 to the task definition.",
                            severity="warning")


@rule("ECS711", "a strategy's capacity providers can run the service's task definition")
def _provider_compatibility(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        strategy = effective_strategy(service)
        if not strategy:
            continue
        compat, family = service.task.compatibilities, service.task.family
        kinds = {LaunchType.FARGATE if _is_fargate(s.provider) else LaunchType.EC2 for s in strategy}
        for kind in sorted(kinds - set(compat)):
            names = ", ".join(provider_name(s.provider) for s in strategy
                              if (LaunchType.FARGATE if _is_fargate(s.provider) else LaunchType.EC2) is kind)
            fix = "FargateTaskDefinition(...)" if kind is LaunchType.FARGATE else "Ec2TaskDefinition(...)"
            yield r.problem(service.path, f"places tasks on {names}, but task {q(family)} is compatible with "
                            f"{' and '.join(c.value for c in compat)} only.",
                            f"Use capacity providers the task can run on, or make the task with {fix}.")


@rule("ECS712", "EC2 capacity: min_size <= desired_capacity <= max_size, unique names")
def _ec2_sizes(ix: Index, r: Rule) -> Iterator[Problem]:
    seen: dict[str, Ec2Capacity] = {}
    for cluster in ix.of_type(Cluster):
        for cap in cluster.ec2_capacity:
            low, high, desired = cap.min_size, cap.max_size, cap.desired_capacity
            if low > high:
                yield r.problem(cap.path, f"min_size={low} is above max_size={high}.",
                                "Raise max_size= or lower min_size=.")
            elif desired is not None and not low <= desired <= high:
                yield r.problem(cap.path, f"desired_capacity={desired} is outside min_size={low} to "
                                f"max_size={high}.", "Leave desired_capacity= out to let managed scaling decide.")
            if high == 0:
                yield r.problem(cap.path, "max_size=0: the group can never start an instance, so tasks placed "
                                "on it never run.", "Use max_size=1 or more.")
            key = pascal(cap.name)
            if key in seen and seen[key] is not cap:
                yield r.problem(cap.path, f"another EC2 capacity ({seen[key].path}) has the same name; their "
                                "resources would collide.", "Give each EC2 capacity its own name.")
            seen.setdefault(key, cap)


def _ec2_providers(cluster: Cluster) -> list[Ec2Capacity | str]:
    """The cluster's EC2 capacity providers: its own EC2 capacity, and those its default strategy or
    ``capacity_providers`` name that are not Fargate's."""
    named = [s.provider for s in cluster.default_strategy or []] + list(cluster.capacity_providers or [])
    out: list[Ec2Capacity | str] = list(cluster.ec2_capacity)
    for provider in named:
        if not _is_fargate(provider) and not any(_same(provider, seen) for seen in out):
            out.append(provider)
    return out


@rule("ECS715", "an EC2 service on a cluster with EC2 capacity providers uses them, not launch_type=EC2")
def _launch_type_bypasses_providers(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        if service.launch_type is not LaunchType.EC2 or service.capacity_provider_strategy:
            continue
        providers = _ec2_providers(service.cluster)
        if not providers:
            continue
        names = ", ".join(provider_name(p) for p in providers)
        first = providers[0]
        made = (f"the capacity cluster.add_ec2_capacity({first.name!r}, ...) returned"
                if isinstance(first, Ec2Capacity) else repr(first))
        yield r.problem(
            service.path,
            f"launch_type=EC2 places tasks on the instances of cluster {q(service.cluster.name)} directly, "
            f"bypassing its capacity provider ({names}): managed scaling does not count these tasks, so it "
            "neither starts instances for them nor keeps the instances they run on.",
            f"Replace launch_type= with capacity_provider_strategy=[CapacityProviderStrategy(cap)], where cap is "
            f"{made}.",
            severity="warning",
        )


@rule("ECS719", "GPUs: at least one, on EC2 only, on capacity with GPU instance types")
def _gpus(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            if container.gpu is None:
                continue
            where = ix.cpath(task, container)
            if container.gpu < 1:
                yield r.problem(where, f"gpu={container.gpu} reserves no GPU.", "Use gpu=1 or more, or leave it out.")
            if task.is_fargate:
                yield r.problem(where, f"gpu={container.gpu}, but Fargate has no GPUs.",
                                "Run the task on EC2: Ec2TaskDefinition(...) on a cluster with "
                                'add_ec2_capacity("gpu", instance_type="g5.xlarge").')
                continue
            for service in ix.services_of(task):
                strategy = effective_strategy(service) or []
                capacity = [s.provider for s in strategy if isinstance(s.provider, Ec2Capacity)] \
                    or list(service.cluster.ec2_capacity)
                known = [c for c in capacity if isinstance(c.instance_type, str)]
                if known and not any(c.has_gpus for c in known):
                    types = ", ".join(sorted({str(c.instance_type) for c in known}))
                    yield r.problem(f"{service.path} › {task.path} › container {container.name}",
                                    f"gpu={container.gpu}, but the service runs on {types}, which has no GPUs.",
                                    'Add GPU capacity, e.g. cluster.add_ec2_capacity("gpu", '
                                    'instance_type="g5.xlarge"), and place the service on it.')


@rule("ECS720", "a service on the EC2 launch type runs in a cluster with EC2 capacity (or a fixed cluster_name)")
def _ec2_without_capacity(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        if effective_strategy(service) is not None or service.effective_launch_type is not LaunchType.EC2:
            continue
        if _ec2_providers(service.cluster) or service.cluster.cluster_name is not None:
            continue  # a fixed cluster_name: instances launched elsewhere may join the cluster by it
        yield r.problem(service.path, f"runs on the EC2 launch type, but cluster {q(service.cluster.name)} has no EC2 "
                        "capacity: no instance would ever start its tasks.",
                        'Add instances with cluster.add_ec2_capacity("instances", instance_type="t3.medium"), or '
                        "run the task on Fargate; for instances you launch yourself, give the cluster a fixed "
                        "cluster_name.",
                        severity="warning")
