"""Compile a valid model into a CloudFormation template (troposphere inside, plain data out)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from troposphere import Export, Output, encode_to_dict

from ..errors import Problem, ValidationError
from ..model import Alarm, Cluster, Namespace, Queue, ScheduledTask, Service, Stack, TaskDefinition, Vpc
from ..names import logical_id
from ..rules import validate
from . import (
    alarms,
    capacity,
    cluster,
    discovery,
    loadbalancing,
    network,
    queue,
    scaling,
    scheduled,
    service,
    settings,
    task,
)
from ._context import LIMITS, Context
from ._merge import MergeError, merge
from ._references import unknown_sub_names

__all__ = ["PASSES", "Compiled", "Origin", "build_template", "compile_full", "compile_stack", "compile_with_warnings"]


def _each(kind: type, compile_one: Callable[[Any, Context], None]) -> Callable[[Stack, Context], None]:
    """A pass that compiles every ``kind`` of the stack, in the order the user added them."""

    def compile_all(stack: Stack, ctx: Context) -> None:
        for obj in stack.of_type(kind):
            compile_one(obj, ctx)

    compile_all.__name__ = compile_all.__qualname__ = compile_one.__name__
    compile_all.__doc__ = compile_one.__doc__
    return compile_all


#: The compile passes, in order: each compiles one kind of thing after everything it refers to (a VPC or
#: namespace that only something else uses is compiled, once, by what uses it). What a feature adds to a
#: cluster, task definition, container or service (volumes, firelens, capacity, discovery, load balancing,
#: alarms) is not a pass: the cluster, task and service compilers call the feature for its properties and
#: build each resource once.
PASSES: tuple[tuple[str, Callable[[Stack, Context], None]], ...] = (
    ("network", _each(Vpc, network.compile_vpc)),
    ("discovery", _each(Namespace, discovery.compile_namespace)),
    ("queue", _each(Queue, queue.compile_queue)),
    ("cluster", _each(Cluster, cluster.compile_cluster)),
    # EC2 capacity and provider associations, once every cluster has its logical ID
    ("capacity", _each(Cluster, capacity.compile_capacity)),
    ("task", _each(TaskDefinition, task.compile_task)),
    # the stack's load balancers, then those only a service is attached to
    ("load balancing", loadbalancing.compile_load_balancers),
    ("alarms", _each(Alarm, alarms.compile_alarm)),
    ("service", _each(Service, service.compile_service)),
    ("scaling", _each(Service, scaling.compile_scaling)),
    # schedules that run a task without a service (their role passes the task's compiled roles)
    ("scheduled", _each(ScheduledTask, scheduled.compile_scheduled_task)),
)


def build_template(stack: Stack) -> Context:
    """Compile ``stack`` (assumed valid) into a troposphere template held by the returned context."""
    ctx = Context(stack)
    for _, compile_pass in PASSES:
        compile_pass(stack, ctx)
    for param in stack.parameters.values():
        ctx.declare(param)
    for out in stack.outputs.values():
        if not ctx.has_room("outputs"):
            continue
        kwargs: dict[str, Any] = {"Value": ctx.value(out.value)}
        if out.description:
            kwargs["Description"] = out.description
        if out.export_name is not None:
            kwargs["Export"] = Export(ctx.value(out.export_name))
        ctx.template.add_output(Output(logical_id(out.name), **kwargs))
    if ctx.collisions:
        clashes = sorted(set(ctx.collisions))
        # the resources a clashing object implies clash too ('MainVpc' → 'MainVpcGatewayAttachment'): name the root
        roots = [t for t in clashes if not any(t != other and t.startswith(other) for other in clashes)]
        raise ValidationError(
            Problem("ECS503", stack.path, f"two resources compile to the logical ID {title!r}.",
                    "Rename one of them: names map to logical IDs by their letters and digits, "
                    "so 'my-app' and 'My_App' collide.")
            for title in roots)
    if ctx.overflow:
        raise ValidationError(
            Problem("ECS901", stack.path,
                    f"compiles to {len(getattr(ctx.template, kind)) + extra} {kind}; CloudFormation allows "
                    f"{LIMITS[kind]} per stack.",
                    "Split the services across several stacks (one blueprint each).")
            for kind, extra in sorted(ctx.overflow.items()))
    return ctx


def compile_stack(stack: Stack) -> dict[str, Any]:
    """Validate (raising ``ValidationError``) and compile ``stack`` to a template as plain data."""
    return compile_with_warnings(stack)[0]


def compile_with_warnings(stack: Stack) -> tuple[dict[str, Any], list[Problem]]:
    """Like ``compile_stack``, also returning the warnings the rules found (errors raise)."""
    compiled = compile_full(stack)
    return compiled.template, compiled.warnings


@dataclass
class Compiled:
    """What compiling a stack gives: the ``template``, the rules' ``warnings``, the template as ecsstack compiled
    it before any override (``base``: the same object when nothing was overridden) and where each override
    came from (``origins``: logical ID → the overrides merged into that resource)."""

    template: dict[str, Any]
    warnings: list[Problem]
    base: dict[str, Any]
    origins: dict[str, list[Origin]] = field(default_factory=dict)


@dataclass(frozen=True)
class Origin:
    """One override merged into a resource: ``where`` it was written (``service web › part SecurityGroup``),
    the properties it sets, and the container entry it went into (``index``), if any."""

    where: str
    keys: tuple[str, ...]
    index: int | None = None


def compile_full(stack: Stack) -> Compiled:
    """Validate and compile ``stack``: the template, its warnings, and the overrides' origins."""
    with stack.unchanging():
        return _compile_full(stack)


def _compile_full(stack: Stack) -> Compiled:
    warnings = validate(stack)
    try:
        ctx = build_template(stack)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        # troposphere's own property validators caught a value the rules let through
        raise ValidationError(Problem("ECS900", stack.path, f"CloudFormation would reject a value: {exc}",
                                      "Fix that value (see docs/rules.md#ecs900).")) from None
    layers, absent = _override_layers(stack, ctx)
    if absent:
        raise ValidationError(absent, warnings)
    # tokens inside overrides (Sub, parameters, modelled objects) resolve like any other value, and a
    # parameter they use is declared, before the template is turned into plain data
    resolved = [(logical, index, encode_to_dict(ctx.value(raw)), where) for logical, index, raw, where in layers]
    stack_tags = settings.resolved_stack_tags(stack, ctx)
    template = ctx.template.to_dict()
    settings.apply_stack_tags(template, ctx, stack_tags)  # before the overrides, which may change any tag
    base = copy.deepcopy(template) if resolved else template
    origins: dict[str, list[Origin]] = {}
    unmerged: list[Problem] = []
    for logical, index, raw, where in resolved:
        target = template["Resources"][logical].setdefault("Properties", {})
        if index is not None:
            target = target["ContainerDefinitions"][index]
        try:
            merge(target, raw)
        except MergeError as exc:
            unmerged.append(Problem("ECS946", where, str(exc),
                                    "Write Remove(Key=...) as an entry of the keyed list it drops from, e.g. "
                                    "{\"Tags\": [Remove(Key=\"team\")]}; None removes a whole property."))
        origins.setdefault(logical, []).append(Origin(where, tuple(raw), index))
    if unmerged:
        raise ValidationError(unmerged, warnings)
    unknown = unknown_sub_names(template, stack.path)
    if unknown:
        raise ValidationError(unknown)
    return Compiled(template, warnings, base, origins)


def _override_layers(stack: Stack, ctx: Context) -> tuple[list[tuple[str, int | None, dict[str, Any], str]],
                                                         list[Problem]]:
    """Every override to merge, in order: (logical ID, container index or None, raw, where it was written); and
    an ECS940 problem for each part overridden that its builder did not generate."""
    layers: list[tuple[str, int | None, dict[str, Any], str]] = []
    absent: list[Problem] = []
    for builder, generated in ctx.parts.values():
        main = type(builder).PARTS[0].name
        if getattr(builder, "overrides", None):
            layers.append((generated[main], None, builder.overrides, f"{builder.path} › overrides"))
        for part, raw in builder.part_overrides.items():
            if part in generated:
                layers.append((generated[part], None, raw, f"{builder.path} › part {part}"))
            else:
                absent.append(_absent(builder, part, generated))
    # containers' overrides= (and any raw override a compiler queued itself for a resource it made)
    for logical, index, raw in ctx.overrides:
        owner = ctx.part_of(logical)
        where = f"{owner[0].path}" if owner is not None else f"{stack.path} › resource {logical}"
        if index is not None and owner is not None and index < len(getattr(owner[0], "containers", [])):
            where += f" › container {owner[0].containers[index].name}"
        layers.append((logical, index, raw, f"{where} › overrides"))
    return layers, absent


def _absent(builder: Any, part: str, generated: dict[str, str]) -> Problem:
    """ECS940: ``builder`` has an override of ``part``, which it did not generate; the message says when it does."""
    base = part.partition(":")[0]
    spec = next(p for p in type(builder).PARTS if p.name == base)
    siblings = sorted(p for p in generated if p.partition(":")[0] == base)
    if siblings:
        why = f"it makes one {base} per {spec.each}, and these exist: {', '.join(siblings)}."
        hint = f"Override one of {', '.join(repr(s) for s in siblings)}."
    else:
        why = f"it makes a {base} only {spec.when}." if spec.when else f"it made no {base}."
        hint = f"Remove the override of {part!r}, or change the settings so that the {base} exists."
    return Problem("ECS940", builder.path, f"overrides part {part!r}, which it does not generate here: {why}", hint)
