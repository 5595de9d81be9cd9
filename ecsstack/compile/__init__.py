"""Compile a valid model into a CloudFormation template (troposphere inside, plain data out)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from troposphere import Export, Output, encode_to_dict

from ..errors import Problem, ValidationError
from ..model import Alarm, Cluster, LoadBalancer, Namespace, Queue, ScheduledTask, Service, Stack, TaskDefinition, Vpc
from ..names import logical_id
from ..rules import validate
from . import (
    _nesting,
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
from ._context import Context
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
    #: when the stack was split into nested stacks: each child's logical ID → its template (``template`` is then
    #: the root, naming each child's file by a TemplateURL relative to the root's folder)
    children: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: when split: the template before splitting (what the invariants check; ``template`` otherwise)
    unsplit: dict[str, Any] | None = None
    #: when split: each service's name → the child it went to
    placement: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Origin:
    """One override merged into a resource: ``where`` it was written (``service web › part SecurityGroup``),
    the properties it sets, and the container entry it went into (``index``), if any."""

    where: str
    keys: tuple[str, ...]
    index: int | None = None


def compile_full(stack: Stack, members: list[Stack] | None = None) -> Compiled:
    """Validate and compile ``stack``: the template, its warnings, and the overrides' origins; split into nested
    stacks past CloudFormation's quotas. ``members``: ``stack`` merges an app's member stacks, one child each."""
    with stack.unchanging():
        return _compile_full(stack, members)


def _compile_full(stack: Stack, members: list[Stack] | None) -> Compiled:
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
    compiled = Compiled(template, warnings, base, origins)
    _nest(stack, ctx, compiled, members)
    return compiled


def _nest(stack: Stack, ctx: Context, compiled: Compiled, members: list[Stack] | None) -> None:
    """Split ``compiled`` into nested stacks when it exceeds a quota (or ``Nesting(always=True)``), or, for an
    app (``members``), one child per member stack; ECS901 for what no split can bring under the quotas."""
    nesting = stack.nesting
    template = compiled.template
    if members is None and not nesting.always and not _nesting.needs_split(template, nesting.max_resources):
        return
    placement: dict[str, str] = {}
    if members is None:
        def group_of_service(service: Service) -> str:
            child = _nesting.child_id("Services", _nesting.bucket_of(service.name, nesting.buckets), nesting.buckets)
            placement[service.name] = child
            return child
        def with_its_one_service(builder: Any) -> str | None:
            # a load balancer (and its listeners) that sends traffic to one service only travels with it
            lb = builder if isinstance(builder, LoadBalancer) else getattr(builder, "load_balancer", None)
            if not isinstance(lb, LoadBalancer):
                return None
            served = {id(t.service): t.service for listener in lb.listeners for t in listener.targets}
            return group_of_service(next(iter(served.values()))) if len(served) == 1 else None
        group = _nesting.service_groups(stack, template, ctx.parts, group_of_service, with_its_one_service)
    else:
        holder: dict[int, str] = {}
        for member in members:
            for thing in member.resources:
                holder.setdefault(id(thing), logical_id(member.name, "Stack"))

        def member_of_service(service: Service) -> str:
            placement[service.name] = holder[id(service)]
            return holder[id(service)]
        def member_of(builder: Any) -> Any:
            # a listener, target or capacity is not added to a stack itself: it goes with what owns it
            for owner in (builder, *(getattr(builder, a, None) for a in ("load_balancer", "service", "cluster"))):
                if owner is not None and id(owner) in holder:
                    return holder[id(owner)]
            return _nesting.PENDING
        group = _nesting.service_groups(stack, template, ctx.parts, member_of_service, member_of)
    if members is None and all(g is None for g in group.values()):
        over = _nesting.quota_problems(stack.path, template, nesting.max_resources)
        if over:
            raise ValidationError(over, compiled.warnings)
        return  # Nesting(always=True) with no service to move: one template
    urls = {child: f"{stack.name}/{child}.json" for child in set(group.values()) if child is not None}
    while True:
        root, children = _nesting.split(stack.name, template, group, urls)
        circle = _nesting.cycle(root)
        # a root resource that a child needs and that refers into that child (a listener whose default action is
        # the service's target group): what it refers to moves to the root, and the circle is gone
        steps = zip(circle or [], (circle or [])[1:], strict=False)
        pulled = [n for a, b in steps if group.get(a, "") is None and b in children
                  for n in _nesting.refs(template["Resources"][a]) if group.get(n) == b]
        if not pulled:
            break
        group.update(dict.fromkeys(pulled))
    urls = {child: url for child, url in urls.items() if child in children}
    if circle:
        raise ValidationError([Problem("ECS901", stack.path, "cannot be split into nested stacks: its root would "
                                       f"depend on itself ({' → '.join(circle)}).",
                                       "Keep what these resources share in one place (one service, or the root: "
                                       "a cluster, VPC or load balancer).")], compiled.warnings)
    found = _nesting.quota_problems(f"{stack.path} › root", root, nesting.max_resources)
    for child, doc in children.items():
        held = sorted(name for name, where in placement.items() if where == child)
        over = _nesting.quota_problems(f"{stack.path} › nested stack {child}", doc, nesting.max_resources)
        if len(held) > 1 and members is None:
            over = [Problem(p.rule, p.path, f"{p.message[:-1]} (services {', '.join(held)}).",
                            "Spread the services over more nested stacks: raise Nesting(buckets=) (this moves "
                            "services between nested stacks once), or Nesting(max_resources=) up to 500.")
                    for p in over]
        found += over
    if found:
        raise ValidationError(found, compiled.warnings)
    compiled.unsplit, compiled.template, compiled.children, compiled.placement = template, root, children, placement


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
