"""The stack: everything one CloudFormation template holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._check import fail
from ._tokens import Parameter, Token

__all__ = ["Output", "Stack"]


@dataclass(eq=False)
class Output:
    """A stack output. ``value``: a string, a parameter or a modelled resource (its ``Ref``)."""

    name: str
    value: Any
    description: str | None = None
    export_name: str | Token | None = None


class Stack:
    """A CloudFormation stack built from clusters, task definitions and services.

    ``Stack(name, description=)``; add things with ``stack.add(...)``; a service brings its cluster
    and task definition along.
    """

    def __init__(self, name: str, description: str | None = None):
        if not isinstance(name, str) or not name:
            raise fail("stack", f"a stack needs a name, got {name!r}.")
        self.name = name
        self.description = description
        self.resources: list[Any] = []
        self.parameters: dict[str, Parameter] = {}
        self.outputs: dict[str, Output] = {}

    @property
    def path(self) -> str:
        return f"stack {self.name}"

    def add(self, *things: Any) -> Stack:
        """Add clusters, task definitions, services (and what they use); returns the stack."""
        for thing in things:
            if isinstance(thing, list | tuple):
                self.add(*thing)
                continue
            if not hasattr(thing, "path") or isinstance(thing, Stack | Parameter | Output):
                raise fail(self.path, f"cannot add {thing!r} to a stack.",
                           "Add Cluster, TaskDefinition or Service objects.")
            for related in getattr(thing, "related", lambda: [])():
                self.add(related)
            if not any(existing is thing for existing in self.resources):
                self.resources.append(thing)
        return self

    def of_type(self, kind: type) -> list[Any]:
        """Every added resource that is a ``kind``, in the order added."""
        return [r for r in self.resources if isinstance(r, kind)]

    def parameter(self, name: str, type: str = "String", default: Any = None, *,
                  description: str | None = None, allowed_values: list[Any] | None = None,
                  allowed_pattern: str | None = None, no_echo: bool = False,
                  min_length: int | None = None, max_length: int | None = None) -> Parameter:
        """Declare (or fetch) a stack parameter; the result can be used as a value anywhere."""
        spec = Parameter(name, type, default, description, allowed_values, allowed_pattern,
                         min_length, max_length, no_echo)
        existing = self.parameters.get(name)
        if existing is not None:
            if (existing.type, existing.default) != (type, default):
                raise fail(f"{self.path} › parameter {name}",
                           "is declared twice with different types or defaults.",
                           "Declare it once and reuse the returned object.")
            return existing
        self.parameters[name] = spec
        return spec

    def output(self, name: str, value: Any, description: str | None = None, *,
               export_name: str | Token | None = None) -> Output:
        """Declare a stack output."""
        if name in self.outputs:
            raise fail(f"{self.path} › output {name}", "is declared twice.", "Give each output its own name.")
        out = Output(name, value, description, export_name)
        self.outputs[name] = out
        return out

    def problems(self) -> list[Any]:
        """Every problem the rules find, without raising."""
        from ..rules import check_stack

        return check_stack(self)

    def validate(self) -> None:
        """Raise ``ValidationError`` listing every problem, if any."""
        from ..rules import validate

        validate(self)

    def to_dict(self) -> dict[str, Any]:
        """Validate and compile to a CloudFormation template as plain data."""
        from ..render import template_dict

        return template_dict(self)

    def to_json(self) -> str:
        """The template as deterministic JSON text."""
        from ..render import to_json

        return to_json(self.to_dict())

    def to_yaml(self) -> str:
        """The template as deterministic YAML text."""
        from ..render import to_yaml

        return to_yaml(self.to_dict())

    def __repr__(self) -> str:
        return f"Stack({self.name!r})"
