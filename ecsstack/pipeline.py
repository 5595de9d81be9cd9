"""The pipeline's verbs over a stack: its problems, validation, and synthesis to a template (plain data, JSON or YAML).

    import ecsstack
    template = ecsstack.synth(stack)          # validated; raises ecsstack.ValidationError
    text = ecsstack.to_json(stack)            # same blueprint, same bytes
"""

from __future__ import annotations

import copy
import dataclasses
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from . import render
from .compile import Compiled, build_template, compile_full
from .errors import Problem, ValidationError
from .invariants import check_template, check_wiring
from .model import App, Stack
from .model.derived import Source, source_of, use_pipeline
from .rules import check_stack
from .rules import validate as validate_stack

__all__ = ["Assembly", "assemble", "parts", "problems", "resource_sources", "synth", "synth_with_warnings",
           "to_json", "to_yaml", "validate"]


def problems(stack: Stack) -> list[Problem]:
    """Every problem the rules find in ``stack`` (errors and warnings), without raising."""
    return check_stack(stack)


def validate(stack: Stack) -> list[Problem]:
    """Raise ``ValidationError`` listing every error in ``stack``; return its warnings otherwise."""
    return validate_stack(stack)


@dataclass
class Assembly:
    """Every template of a stack or an app: the root ``template`` and, when it is split into nested stacks (past
    CloudFormation's quotas, or an ``App``), each ``children`` template by its logical ID in the root; ``placement``:
    each service's name → its child; ``warnings``: what the rules warned about."""

    name: str
    template: dict[str, Any]
    children: dict[str, dict[str, Any]] = field(default_factory=dict)
    placement: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def files(self, fmt: str = "json") -> list[tuple[str, str]]:
        """(path relative to the output folder, text) of every template: ``<name>.json`` (the root) and
        ``<name>/<Child>.json``, the root's TemplateURLs naming those paths."""
        dump = render.to_json if fmt == "json" else render.to_yaml
        root = self.template
        if self.children and fmt != "json":
            root = copy.deepcopy(root)
            for child in self.children:
                root["Resources"][child]["Properties"]["TemplateURL"] = f"{self.name}/{child}.{fmt}"
        return [(f"{self.name}.{fmt}", dump(root)),
                *((f"{self.name}/{child}.{fmt}", dump(doc)) for child, doc in self.children.items())]


def assemble(target: Stack | App) -> Assembly:
    """Validate and compile a stack or an app to every template it deploys as (raises ``ValidationError``).
    A stack within CloudFormation's quotas gives one template (what ``synth`` gives); past them, a root and
    nested stacks, each service whole in one of them (``Nesting``). An app gives a root with one nested
    stack per member, the references between members wired as parameters and outputs."""
    stack, members = (_merged(target), target.stacks) if isinstance(target, App) else (target, None)
    with stack.unchanging():
        compiled = compile_full(stack, members)
        full = compiled.unsplit if compiled.unsplit is not None else compiled.template
        broken = check_template(stack, full, base=compiled.base)
    if broken:
        sources = resource_sources(stack)
        raise ValidationError([_locate(_blame(p, stack, compiled), sources) for p in broken], compiled.warnings)
    if compiled.children:
        miswired = check_wiring(stack.path, compiled.template, compiled.children)
        if miswired:
            raise ValidationError(miswired, compiled.warnings)
    return Assembly(stack.name, compiled.template, compiled.children, compiled.placement, compiled.warnings)


def _merged(app: App) -> Stack:
    """One stack holding every member's resources, parameters and outputs (so the rules see the whole app)."""
    if not app.stacks:
        raise ValidationError([Problem("ECS957", app.path, "holds no stacks.", "Add stacks with app.add(stack).")])
    merged = Stack(app.name, description=app.description)
    clashes: list[Problem] = []
    for member in app.stacks:
        merged.add(*member.resources)
        for kind in ("parameters", "outputs", "tags"):
            mine, theirs = getattr(merged, kind), getattr(member, kind)
            for key, value in theirs.items():
                if key in mine and mine[key] != value and mine[key] is not value:
                    clashes.append(Problem("ECS957", f"{member.path} › {kind.removesuffix('s')} {key}",
                                           f"differs from the one another stack of {app.path} declares.",
                                           "Declare it once (the app's stacks share one root), or rename one."))
                mine.setdefault(key, value)
        if member.nesting != merged.nesting:
            clashes.append(Problem("ECS957", f"{member.path} › nesting", "is set on a member of an app, where "
                                   "each member is one nested stack.", "Remove nesting= from the app's stacks."))
    if clashes:
        raise ValidationError(clashes)
    return merged


def synth_with_warnings(stack: Stack) -> tuple[dict[str, Any], list[Problem]]:
    """Validate and compile ``stack``: the template as plain data, and the warnings the rules found. The template
    must pass the invariants (``ecsstack.invariants``); a violation raises ``ValidationError`` like a rule's. A
    stack that splits into nested stacks raises ECS956: ``assemble`` gives all its templates."""
    assembly = assemble(stack)
    if assembly.children:
        raise ValidationError([Problem(
            "ECS956", stack.path, f"splits into a root and {len(assembly.children)} nested stacks (past "
            "CloudFormation's quotas, or Nesting(always=True)): it is more than one template.",
            "Use ecsstack.assemble(stack) for every template, or `ecsstack synth -o DIR`.")], assembly.warnings)
    return assembly.template, assembly.warnings


def _locate(problem: Problem, sources: dict[str, Source]) -> Problem:
    """``problem`` on a resource (``... › resource WebService``), with the source of the builder that made it."""
    logical = problem.path.rpartition(" › resource ")[2] if " › resource " in problem.path else ""
    if problem.source is None and logical in sources:
        return dataclasses.replace(problem, source=sources[logical])
    return problem


def _blame(problem: Problem, stack: Stack, compiled: Compiled) -> Problem:
    """``problem`` found on a resource, told where the user wrote the override that caused it
    (``service web › part SecurityGroup › resource WebServiceSecurityGroup``) when one did."""
    prefix = f"{stack.path} › resource "
    if not problem.path.startswith(prefix):
        return problem
    logical = problem.path.removeprefix(prefix)

    def caused(origin: Any) -> bool:
        if not any(re.search(rf"\b{re.escape(key)}\b", problem.message) for key in origin.keys):
            return False
        if origin.index is None:
            return True
        container = origin.where.split(" › container ")[-1].removesuffix(" › overrides")
        return f"ContainerDefinitions[{origin.index}]" in problem.message or f"container {container}" in problem.message

    origin = next((o for o in reversed(compiled.origins.get(logical, [])) if caused(o)), None)
    if origin is None:
        return problem
    return Problem(problem.rule, f"{origin.where} › resource {logical}", problem.message,
                   f"{problem.hint} That value comes from the override.".strip(), problem.severity, problem.source)


def parts(stack: Stack) -> dict[str, dict[str, str]]:
    """What ``override()`` reaches in ``stack``: each builder's path → the parts it generates with these settings →
    their logical IDs (``{"service web": {"Service": "WebService", "SecurityGroup": ..., "Ingress:From...": ...}}``).
    Validates first (raises ``ValidationError``)."""
    validate_stack(stack)
    ctx = build_template(stack)
    return {builder.path: dict(generated) for builder, generated in ctx.parts.values()}


def resource_sources(stack: Stack) -> dict[str, Source]:
    """Where the blueprint made what generated each resource of ``stack``'s template: logical ID → (file, line)
    of the builder (``Service(...)``), and ``"<logical ID>/Properties/ContainerDefinitions/<i>"`` → the line of
    that container's ``add_container(...)``. Only what ecsstack knows: resources nothing registered are absent.
    Validates first (raises ``ValidationError``)."""
    validate_stack(stack)
    ctx = build_template(stack)
    found: dict[str, Source] = {}
    for builder, generated in ctx.parts.values():
        src = source_of(builder)
        for logical in generated.values():
            if src is not None:
                found.setdefault(logical, src)
        containers = getattr(builder, "containers", None)
        main = generated.get(type(builder).PARTS[0].name)
        if main and isinstance(containers, list):
            for i, container in enumerate(containers):
                if (where := source_of(container)) is not None:
                    found[f"{main}/Properties/ContainerDefinitions/{i}"] = where
    return found


def synth(stack: Stack) -> dict[str, Any]:
    """Validate and compile ``stack`` to a CloudFormation template as plain data (raises ``ValidationError``)."""
    return synth_with_warnings(stack)[0]


def to_json(stack: Stack) -> str:
    """``stack``'s template as deterministic JSON text: sorted keys, two-space indent, trailing newline."""
    return render.to_json(synth(stack))


def to_yaml(stack: Stack) -> str:
    """``stack``'s template as deterministic YAML text."""
    return render.to_yaml(synth(stack))


# Stack.to_dict() and its siblings delegate here; the model itself never imports upward.
use_pipeline(sys.modules[__name__])  # type: ignore[arg-type]
