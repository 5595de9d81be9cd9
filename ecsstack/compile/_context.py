"""What every compile pass shares: the template, implied parameters, token resolution, logical IDs."""

from __future__ import annotations

from typing import Any

from troposphere import (
    MAX_OUTPUTS,
    MAX_PARAMETERS,
    MAX_RESOURCES,
    AWSObject,
    GetAtt,
    Ref,
    Sub,
    Template,
    encode_to_dict,
)
from troposphere import Parameter as CfnParameter

from ..model import Attr, Parameter, Remove, Stack
from ..model import Sub as SubToken
from ._references import PSEUDO_PARAMETERS, sub_names

__all__ = ["LIMITS", "Context"]

#: CloudFormation's limits per template
LIMITS = {"resources": MAX_RESOURCES, "parameters": MAX_PARAMETERS, "outputs": MAX_OUTPUTS}


class _Template(Template):
    """troposphere's template without its refusal past the quotas: a template too big is split afterwards."""

    def add_resource(self, resource: Any) -> Any:
        self.resources[resource.title] = resource
        return resource

    def add_parameter(self, parameter: Any) -> Any:
        self.parameters[parameter.title] = parameter
        return parameter

    def add_output(self, output: Any) -> Any:
        self.outputs[output.title] = output
        return output


class Context:
    """The template being built and the facts compilers share about it."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.template = _Template()
        self.template.set_version("2010-09-09")
        if stack.description:
            self.template.set_description(stack.description)
        #: raw CloudFormation merged over compiled properties: (logical id, container index or None, dict), for
        #: containers' ``overrides=`` (the builders' overrides are found through ``parts``)
        self.overrides: list[tuple[str, int | None, dict[str, Any]]] = []
        #: the parts each builder generated: id(builder) → (builder, part name → logical ID)
        self.parts: dict[int, tuple[Any, dict[str, str]]] = {}
        self._part_of: dict[str, tuple[Any, str]] = {}
        self._ids: dict[int, str] = {}
        #: logical IDs that two modelled things both compiled to
        self.collisions: list[str] = []

    # ---- logical IDs ---------------------------------------------------------------------------
    def register(self, obj: Any, logical: str) -> None:
        """Record ``logical`` as the ID of ``obj``'s main resource (what a reference to ``obj`` resolves to)."""
        self._ids[id(obj)] = logical

    def part(self, builder: Any, part: str, logical: str) -> str:
        """Record that ``builder``'s ``part`` (one of its documented parts, ``"TargetGroup"``,
        ``"Listener:443"``) compiled to ``logical``: where ``override(part, ...)`` of that builder goes, and
        ``overrides=`` for its first part. Returns ``logical``."""
        known = {p.name for p in type(builder).PARTS}
        assert part.partition(":")[0] in known, f"{type(builder).__name__} documents no part {part!r}"
        self.parts.setdefault(id(builder), (builder, {}))[1][part] = logical
        self._part_of.setdefault(logical, (builder, part))
        return logical

    def part_of(self, logical: str) -> tuple[Any, str] | None:
        """The builder and part that generated the resource ``logical`` (None when none registered it)."""
        return self._part_of.get(logical)

    def is_compiled(self, obj: Any) -> bool:
        """Whether ``obj`` was registered already (compilers reached from several places run once)."""
        return id(obj) in self._ids

    def logical(self, obj: Any) -> str:
        """The logical ID registered for ``obj``."""
        try:
            return self._ids[id(obj)]
        except KeyError:
            raise LookupError(f"{obj!r} is not part of this stack; add it with stack.add(...)") from None

    def add(self, resource: AWSObject) -> AWSObject:
        """Add ``resource`` to the template; a clashing ID is recorded instead. Quotas are not enforced here: a
        template past them is split into nested stacks after compiling (``compile._nesting``)."""
        if resource.title in self.template.resources:
            self.collisions.append(resource.title)  # two names that map to one logical ID
            return resource
        return self.template.add_resource(resource)

    def has_room(self, kind: str) -> bool:
        """Always True: quotas are checked (and a template split) once everything is compiled."""
        return True

    # ---- parameters ------------------------------------------------------------------------------
    def parameter(self, name: str, type: str, description: str, default: Any = None) -> Ref:
        """An implied parameter (say ``VpcId``); the user's own declaration of that name wins."""
        if name not in self.template.parameters and self.has_room("parameters"):
            declared = self.stack.parameters.get(name)
            if declared is not None:
                self.declare(declared)
            else:
                kwargs: dict[str, Any] = {"Type": type, "Description": description}
                if default is not None:
                    kwargs["Default"] = default
                self.template.add_parameter(CfnParameter(name, **kwargs))
        return Ref(name)

    def declare(self, param: Parameter) -> None:
        if param.name in self.template.parameters or not self.has_room("parameters"):
            return
        kwargs: dict[str, Any] = {"Type": param.type}
        for key, value in (("Default", param.default), ("Description", param.description),
                           ("AllowedValues", param.allowed_values), ("AllowedPattern", param.allowed_pattern),
                           ("MinLength", param.min_length), ("MaxLength", param.max_length)):
            if value is not None:
                kwargs[key] = value
        if param.no_echo:
            kwargs["NoEcho"] = True
        self.template.add_parameter(CfnParameter(param.name, **kwargs))

    # ---- values ------------------------------------------------------------------------------------
    def value(self, v: Any) -> Any:
        """Resolve a model value (possibly a token) to what troposphere takes."""
        if isinstance(v, Parameter):
            self.declare(self.stack.parameters.get(v.name, v))
            return Ref(v.name)
        if isinstance(v, SubToken):
            for name in sub_names(v.text) - set(v.variables) - set(PSEUDO_PARAMETERS):
                if name in self.stack.parameters:
                    self.declare(self.stack.parameters[name])
            if v.variables:
                return Sub(v.text, **{k: self.value(x) for k, x in v.variables.items()})
            return Sub(v.text)
        if isinstance(v, Attr):
            target = self.logical(v.target)
            return Ref(target) if v.attribute is None else GetAtt(target, v.attribute)
        if isinstance(v, Remove):
            return Remove(**encode_to_dict(self.value(v.key)))
        if isinstance(v, list | tuple):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if hasattr(v, "path") and not isinstance(v, str):
            return Ref(self.logical(v))
        return v
