"""Compile a valid model into a CloudFormation template (troposphere inside, plain data out)."""

from __future__ import annotations

from collections.abc import Callable
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
from ._references import unknown_sub_names

__all__ = ["PASSES", "build_template", "compile_stack", "compile_with_warnings"]


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
    warnings = validate(stack)
    try:
        ctx = build_template(stack)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        # troposphere's own property validators caught a value the rules let through
        raise ValidationError(Problem("ECS900", stack.path, f"CloudFormation would reject a value: {exc}",
                                      "Fix that value (see docs/rules.md#ecs900).")) from None
    # tokens inside overrides (Sub, parameters, modelled objects) resolve like any other value, and a
    # parameter they use is declared, before the template is turned into plain data
    resolved = [(logical, index, encode_to_dict(ctx.value(raw))) for logical, index, raw in ctx.overrides]
    stack_tags = settings.resolved_stack_tags(stack, ctx)
    template = ctx.template.to_dict()
    settings.apply_stack_tags(template, ctx, stack_tags)  # before the overrides, which may change any tag
    for logical, index, raw in resolved:
        target = template["Resources"][logical].setdefault("Properties", {})
        if index is not None:
            target = target["ContainerDefinitions"][index]
        _deep_merge(target, raw)
    unknown = unknown_sub_names(template, stack.path)
    if unknown:
        raise ValidationError(unknown)
    return template, warnings


def _deep_merge(target: dict[str, Any], raw: dict[str, Any]) -> None:
    """Merge the override ``raw`` (plain data) into ``target``: dicts key by key, anything else replaced;
    a value of None removes the compiled property."""
    for key, value in raw.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        elif value is not None:
            target[key] = value
        elif key in target:
            del target[key]  # an override of None removes the compiled property
