"""ECS210–ECS219: container restart policies and Kubernetes-style sidecars (``add_sidecar``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..model import Condition, Container, LaunchType, ScheduledTask, Service, TaskDefinition
from ._helpers import q, resolve
from ._registry import Index, Rule, rule

__all__: list[str] = []

#: ECS's bounds of ``restartAttemptPeriod`` (seconds) and of ``ignoredExitCodes``
PERIOD_RANGE = (60, 1800)
MAX_IGNORED_CODES = 50
#: the Fargate platform version (Linux) from which containers may have a restart policy
RESTART_PLATFORM = (1, 4, 0)
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _restarting(task: TaskDefinition) -> Iterator[Container]:
    """The containers of ``task`` that have a restart policy (enabled or not)."""
    yield from (c for c in task.containers if c.restart_policy is not None)


def _kind(container: Container) -> str:
    return "sidecar" if container.sidecar else "container"


@rule("ECS210", "a restart policy's restart_attempt_period is 60 to 1800 seconds")
def _period_range(ix: Index, r: Rule) -> Iterator[Problem]:
    low, high = PERIOD_RANGE
    for task in ix.tasks:
        for container in _restarting(task):
            period = container.restart_policy.restart_attempt_period  # type: ignore[union-attr]
            if period is not None and not low <= period <= high:
                yield r.problem(
                    ix.cpath(task, container),
                    f"restart_attempt_period={period} is outside the {low}-{high} seconds ECS accepts (how long the "
                    "container must have run before ECS restarts it again).",
                    f"Use a value from {low} to {high}, or leave it out for ECS's 300 seconds.")


@rule("ECS211", "a restart policy ignores at most 50 exit codes, each once, and sets nothing when disabled")
def _ignored_codes(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in _restarting(task):
            policy = container.restart_policy
            assert policy is not None
            where = ix.cpath(task, container)
            codes = policy.ignored_exit_codes
            if len(codes) > MAX_IGNORED_CODES:
                yield r.problem(where, f"the restart policy ignores {len(codes)} exit codes; ECS takes at most "
                                f"{MAX_IGNORED_CODES}.", "Keep the exit codes that mean the container is done.")
            repeated = sorted({c for c in codes if codes.count(c) > 1})
            if repeated:
                yield r.problem(where, f"the restart policy lists exit code{'s' if len(repeated) > 1 else ''} "
                                f"{', '.join(map(str, repeated))} more than once.",
                                "List each exit code once.", severity="warning")
            if not policy.enabled and (codes or policy.restart_attempt_period is not None):
                yield r.problem(where, "the restart policy is disabled (enabled=False), so its ignored_exit_codes "
                                "and restart_attempt_period have no effect.",
                                "Remove them, or enable the policy.", severity="warning")


@rule("ECS212", "an init container has no restart policy")
def _init_restart(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in _restarting(task):
            if container.init and container.restart_policy.enabled:  # type: ignore[union-attr]
                yield r.problem(
                    ix.cpath(task, container),
                    "an init container runs once, to completion: restarted in place when it exits (even with 0) it "
                    "would never let the containers after it start; when it fails, ECS stops the whole task and "
                    "a service starts a new one, init containers included.",
                    "Remove restart_policy= and make the step idempotent (it runs again in every new task); for "
                    "a helper that keeps running, use task.add_sidecar(...).")


@rule("ECS213", "an essential container with a restart policy is restarted in place, not replaced")
def _essential_restart(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in _restarting(task):
            policy = container.restart_policy
            assert policy is not None
            if not container.essential or not policy.enabled or container.init:
                continue
            period = policy.restart_attempt_period or 300
            yield r.problem(
                ix.cpath(task, container),
                f"is essential and has a restart policy: when it exits, ECS restarts it inside the running task "
                "instead of stopping the task, so the task keeps running through repeated crashes (nothing "
                f"replaces it); ECS stops the task only when it exits less than {period} s after its "
                "last start"
                + (f" or with an ignored exit code ({', '.join(map(str, policy.ignored_exit_codes))})"
                   if policy.ignored_exit_codes else "") + ".",
                "Keep it if a restart in place is what you want (watch the restart count in Container Insights); "
                "otherwise remove the restart policy so that ECS replaces the whole task.",
                severity="warning")


@rule("ECS214", "COMPLETE or SUCCESS does not wait on a container that is restarted when it exits")
def _wait_for_exit_of_restarting(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.containers:
            for dep in task.dependencies_of(container):
                target = resolve(task, dep)
                if target is None or target is container or target.restart_policy is None or target.init:
                    continue  # an init container's restart policy is ECS212's
                policy = target.restart_policy
                if dep.condition is Condition.SUCCESS and policy.restarts_on(0):
                    exits = "exits with 0"
                elif dep.condition is Condition.COMPLETE and policy.enabled and not policy.ignored_exit_codes:
                    exits = "exits"
                else:
                    continue
                yield r.problem(
                    ix.cpath(task, container),
                    f"depends on {_kind(target)} {q(target.name)} with {dep.condition.value}, but ECS restarts "
                    f"{q(target.name)} when it {exits} (its restart policy), so it never stays exited and "
                    f"{q(container.name)} would never start.",
                    f"Wait for {q(target.name)} with START or HEALTHY; if it is meant to run to completion, add 0 "
                    "to its ignored_exit_codes (or remove its restart policy).")


@rule("ECS215", "a restart policy needs Fargate platform version 1.4.0 or later")
def _restart_platform(ix: Index, r: Rule) -> Iterator[Problem]:
    runners: list[Service | ScheduledTask] = [*ix.services, *ix.of_type(ScheduledTask)]
    for service in runners:
        version = service.platform_version
        if not isinstance(version, str) or service.effective_launch_type is not LaunchType.FARGATE:
            continue
        match = _VERSION.match(version)
        if match is None or tuple(int(n) for n in match.groups()) >= RESTART_PLATFORM:
            continue  # LATEST or an unknown spelling: nothing to compare
        for container in _restarting(service.task):
            yield r.problem(
                f"{service.path} › {service.task.path} › container {container.name}",
                f"has a restart policy, which Fargate supports from platform version 1.4.0; {service.path} pins "
                f"platform_version={version!r}.",
                'Use platform_version="1.4.0" or "LATEST" (or leave it out), or remove the restart policy.')


@rule("ECS216", "a sidecar ready=HEALTHY has a health check")
def _sidecar_ready(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.sidecars:
            if container.ready is not Condition.HEALTHY:
                continue
            check = container.health_check
            if check is not None and check.command[:1] != ["NONE"]:
                continue
            why = "has no health check" if check is None else "has its health check disabled (NONE)"
            yield r.problem(
                ix.cpath(task, container),
                f"is a sidecar with ready=HEALTHY but {why}, so it never becomes healthy and nothing after it "
                "starts.",
                "Give it health_check=HealthCheck([...]), or use ready=Condition.START.")


def waits_late(task: TaskDefinition, container: Container, target: Container | None) -> bool:
    """Whether sidecar ``container`` declares a wait on ``target`` that starts after it (a later sidecar, an init
    or an ordinary container other than the FireLens router): a cycle ECS217 explains (ECS204 leaves it)."""
    if not container.sidecar or target is None or target is container or target.firelens is not None:
        return False
    sidecars = task.sidecars
    index = next(i for i, s in enumerate(sidecars) if s is container)
    return not (target.sidecar and any(target is s for s in sidecars[:index]))


@rule("ECS217", "a sidecar waits only on sidecars added before it")
def _sidecar_waits_late(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.tasks:
        for container in task.sidecars:
            for dep in container.dependencies:
                target = resolve(task, dep)
                if target is None or not waits_late(task, container, target):
                    continue
                if target.sidecar:
                    later = f"sidecar {q(target.name)} is added after it, and sidecars start in the order added"
                    fix = f"Add {q(target.name)} with add_sidecar before {q(container.name)}."
                else:
                    phase = "init container" if target.init else "ordinary container"
                    later = f"{q(target.name)} is an {phase}, and every {phase} starts after the sidecars"
                    fix = (f"Remove depends_on({target.name!r}); if {q(container.name)} really needs it, add "
                           f"{q(target.name)} with add_sidecar before {q(container.name)}.")
                yield r.problem(
                    ix.cpath(task, container),
                    f"is a sidecar that depends on {q(target.name)}, but {later}: they would wait on each other.",
                    fix)
