"""Choosing what ``run_task`` runs: the container, its overrides, the placement and the log stream."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ._ecs import service_location
from ._errors import DeployError, UsageError
from ._runplan import (
    SERVICE_TYPE,
    Network,
    Placement,
    Resolver,
    StackTask,
    Unresolved,
    find_service,
    placement_from_api,
    placement_from_template,
    runners,
    services,
)

if TYPE_CHECKING:
    from ._run_follow import _Calls
    from ._view import Reporter

_SUBNET = re.compile(r"^subnet-[0-9a-zA-Z]+$")
_GROUP = re.compile(r"^sg-[0-9a-zA-Z]+$")


# -- choosing what to run ----------------------------------------------------------------------------------
def _container(definition: Mapping[str, Any], given: str | None, overriding: bool, task: str,
               reporter: Reporter) -> dict[str, Any]:
    """The container the command is for, whose exit code and logs count: ``given``, else the task's only
    essential container, else its only container."""
    defs = list(definition.get("containerDefinitions") or [])
    names = [str(c.get("name")) for c in defs]
    if not defs:
        raise DeployError(f"the task definition of {task} has no containers.")
    if given is not None:
        for c in defs:
            if c.get("name") == given:
                return c
        close = difflib.get_close_matches(given, names, n=1)
        raise UsageError(f"task {task} has no container {given!r}; its containers: {', '.join(names)}."
                         + (f" Did you mean {close[0]!r}?" if close else ""))
    essential = [c for c in defs if c.get("essential", True)]
    if len(essential) == 1:
        return essential[0]
    if len(defs) == 1:
        return defs[0]
    several = [str(c.get("name")) for c in essential] or names
    if overriding:
        raise UsageError(f"task {task} has {len(several)} essential containers ({', '.join(several)}): which one "
                         f"is the command for?", "Name it with --container.")
    first = essential[0] if essential else defs[0]
    reporter.say(f"Following container {first['name']} (task {task} has {len(several)} essential containers: "
                 f"{', '.join(several)}; --container chooses).")
    return first


def _overrides(container: str, command: Sequence[str] | None,
               environment: Mapping[str, str] | None) -> dict[str, Any] | None:
    if command is None and not environment:
        return None
    entry: dict[str, Any] = {"name": container}
    if command is not None:
        entry["command"] = list(command)
    if environment:
        entry["environment"] = [{"name": k, "value": v} for k, v in sorted(environment.items())]
    return {"containerOverrides": [entry]}


def _checked(network: Network, source: str) -> Network:
    """Refuse values that are not subnet or security group ids before ECS does, saying where they came from."""
    for value, pattern, what in [*((s, _SUBNET, "subnet") for s in network.subnets),
                                 *((g, _GROUP, "security group") for g in network.security_groups)]:
        if not pattern.match(value):
            raise UsageError(f"the network configuration from {source} gives {what} {value!r}, which is not a "
                             f"{what} id.", "Pass --subnet and --security-group with the ids to use.")
    return network


class _Planner:
    """Works out how to run the task (``Placement``) from the stack: its services first, as ECS reports
    them, then as the deployed template declares them."""

    def __init__(self, calls: _Calls, resolver: Resolver, template: Mapping[str, Any], stack_name: str,
                 reporter: Reporter):
        self.calls, self.resolver, self.template = calls, resolver, template
        self.stack_name, self.reporter = stack_name, reporter

    def of(self, lid: str) -> Placement:
        """How the service, schedule or rule ``lid`` runs its task."""
        resource = self.template["Resources"][lid]
        if resource.get("Type") == SERVICE_TYPE:
            arn = self.resolver.physical.get(lid, "")
            where = service_location(arn)
            if where is not None:
                try:
                    live = self.calls.service(where[0], arn)
                except DeployError as exc:
                    self.reporter.warn(f"{exc.message} Using the deployed template instead.")
                    live = None
                placed = placement_from_api(lid, live) if live else None
                if placed is not None:
                    return placed
        try:
            placed = placement_from_template(lid, self.resolver)
        except (Unresolved, KeyError, TypeError, ValueError, IndexError, StopIteration) as exc:
            raise UsageError(f"cannot work out how {lid} of stack {self.stack_name} runs its tasks from the "
                             f"deployed template ({exc}).",
                             "Pass --subnet and --security-group (and --cluster) to say where to run the "
                             "task.") from exc
        return placed

    def placement(self, task: StackTask, network_from: str | None) -> Placement:
        if network_from:
            return self.of(find_service(self.template, network_from, self.stack_name))
        running = runners(self.template, task)
        if running:
            chosen = sorted(running, key=lambda r: r[1] != SERVICE_TYPE)[0][0]  # a service before a schedule
            return self.of(chosen)
        others = services(self.template)
        if not others:
            return Placement()
        placed = [self.of(lid) for lid in others]
        ways = [(p.network, p.launch_type, p.capacity_provider_strategy, p.cluster) for p in placed]
        if all(way == ways[0] for way in ways):
            self.reporter.say(f"No service of the stack runs task {task.name}: running it like "
                              f"{', '.join(others)}.")
            return placed[0]
        raise UsageError(f"no service of stack {self.stack_name} runs task {task.name}, and its services run "
                         f"their tasks differently ({', '.join(sorted(others))}).",
                         "Choose one with --network-from SERVICE, or pass --subnet and --security-group.")


def _declared(template: Mapping[str, Any], lid: str, key: str, resolver: Resolver) -> Any:
    value = ((template.get("Resources") or {}).get(lid, {}).get("Properties") or {}).get(key)
    try:
        return resolver.value(value)
    except Unresolved:
        return None


def _finish_placement(placement: Placement, task: StackTask, template: Mapping[str, Any], resolver: Resolver,
                      definition: Mapping[str, Any], network: Network | None) -> Placement:
    """The run's placement: ``network`` (given) over the one found; a Fargate-only task without a launch type
    or strategy runs on FARGATE; an awsvpc task needs a network."""
    mode = _declared(template, task.logical_id, "NetworkMode", resolver) or definition.get("networkMode")
    compat = _declared(template, task.logical_id, "RequiresCompatibilities", resolver) or \
        definition.get("requiresCompatibilities") or []
    launch_type = placement.launch_type
    if not launch_type and not placement.capacity_provider_strategy and list(compat) == ["FARGATE"]:
        launch_type = "FARGATE"
    chosen = network or placement.network
    source = "--subnet" if network else placement.source
    if chosen is not None:
        chosen = _checked(chosen, source)
    elif mode == "awsvpc":
        raise UsageError(f"task {task.name} uses awsvpc networking and the stack has no service that runs it, so "
                         f"there is no network configuration to take.",
                         "Pass --subnet (and --security-group), or --network-from SERVICE.")
    return replace(placement, source=source, network=chosen, launch_type=launch_type)


def _log_target(container: Mapping[str, Any], region: str) -> tuple[str, str] | str:
    """(log group, stream prefix) of an awslogs container, or why its log stream cannot be followed."""
    config = container.get("logConfiguration") or {}
    options = config.get("options") or {}
    if config.get("logDriver") != "awslogs":
        return f"it logs with {config.get('logDriver') or 'no log driver'}, not awslogs"
    group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
    if not group or not prefix:
        return "its awslogs options name no log group or stream prefix"
    if options.get("awslogs-region") and options["awslogs-region"] != region:
        return f"its logs go to region {options['awslogs-region']}"
    return str(group), str(prefix)

