"""Values resolved by CloudFormation at deploy time: parameters, substitutions, attributes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Attr", "Parameter", "Sub", "Token"]


class Token:
    """A value that CloudFormation resolves at deploy time."""


@dataclass(eq=False)
class Parameter(Token):
    """A stack parameter; use it wherever a value is expected (compiles to ``Ref``).

    Create one with ``Stack.parameter(...)``.
    """

    name: str
    type: str = "String"
    default: Any = None
    description: str | None = None
    allowed_values: list[Any] | None = None
    allowed_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    no_echo: bool = False

    def __repr__(self) -> str:
        return f"Parameter({self.name!r})"


@dataclass(frozen=True)
class Sub(Token):
    """``Fn::Sub``: ``Sub("example/app:${ImageTag}")`` with ``${Name}`` naming stack parameters."""

    text: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attr(Token):
    """An attribute of a modelled resource, e.g. ``Attr(cluster, "Arn")``; ``None`` means its ``Ref``."""

    target: Any
    attribute: str | None = None
