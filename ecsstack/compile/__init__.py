"""Compile a valid model into a CloudFormation template (troposphere inside, plain data out)."""

from __future__ import annotations

from typing import Any

from troposphere import Export, Output

from ..errors import Problem, ValidationError
from ..model import Stack
from ..rules import validate

# each module registers its compilers (@compiler) and hooks (@extends) on import
from . import (  # noqa: F401
    alarms,
    capacity,
    discovery,
    firelens,
    loadbalancing,
    network,
    queue,
    scaling,
    service,
    task,
    volumes,
)
from ._context import COMPILERS, LIMITS, Context
from ._references import unknown_sub_names
from .ids import logical_id, pascal

__all__ = ["build_template", "compile_stack", "compile_with_warnings", "logical_id", "pascal"]


def build_template(stack: Stack) -> Context:
    """Compile ``stack`` (assumed valid) into a troposphere template held by the returned context."""
    ctx = Context(stack)
    # Compile in dependency order (clusters and tasks before the services that reference them),
    # each kind in the order the user added it.
    for _, kind, fn in COMPILERS:
        for obj in stack.of_type(kind):
            fn(obj, ctx)
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
    template = ctx.template.to_dict()
    for resource in template.get("Resources", {}).values():
        # order carries no meaning here; sorting keeps the bytes stable whatever order hooks ran in
        if isinstance(resource.get("DependsOn"), list):
            resource["DependsOn"] = sorted(set(resource["DependsOn"]))
    for logical, index, raw in ctx.overrides:
        target = template["Resources"][logical].setdefault("Properties", {})
        if index is not None:
            target = target["ContainerDefinitions"][index]
        _deep_merge(target, raw)
    unknown = unknown_sub_names(template, stack.path)
    if unknown:
        raise ValidationError(unknown)
    return template, warnings


def _deep_merge(target: dict[str, Any], raw: dict[str, Any]) -> None:
    for key, value in raw.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        elif value is None:
            target.pop(key, None)
        else:
            target[key] = value
