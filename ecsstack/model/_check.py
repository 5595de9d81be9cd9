"""Argument checks: a wrong argument raises ValidationError (rule ECS001), never a bare TypeError.

Who checks what, decided once: a model class's ``normalise()`` owns the *type and shape* of each of its
own fields (a whole number, a list rather than a lone string, an enum spelled any way, the right kind of
object, the spelling of a name it turns into identifiers) and coerces them to one canonical form; it runs
at construction, on ``stack.add`` and again before the rules, so every later layer trusts the types.
Whether a well-typed *value* is allowed (numeric ranges, combinations, what the network mode or launch
type permits) is the rules' job: they report every such problem at once, each with its own rule id and
docs (value ranges that stand on their own are in ``rules/ranges.py``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from ..errors import Problem, ValidationError
from ._tokens import Token

E = TypeVar("E", bound=StrEnum)

ARGUMENT_RULE = "ECS001"


def fail(path: str, message: str, hint: str = "") -> ValidationError:
    return ValidationError(Problem(ARGUMENT_RULE, path, message, hint))


def as_enum(enum: type[E], value: Any, path: str, field: str) -> E:
    """Accept an enum member or its spelling in any case."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        for member in enum:
            if value.lower() in (member.value.lower(), member.name.lower()):
                return member
    choices = ", ".join(f"{enum.__name__}.{m.name}" for m in enum)
    raise fail(path, f"{field}={value!r} is not valid.", f"Use one of {choices}.")


def as_int(value: Any, path: str, field: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(path, f"{field} must be a whole number, got {value!r}.")
    return value


def as_bool(value: Any, path: str, field: str) -> bool:
    if not isinstance(value, bool):
        raise fail(path, f"{field} must be True or False, got {value!r}.")
    return value


def as_text(value: Any, path: str, field: str, *, token_ok: bool = False) -> Any:
    """An optional string (or, with ``token_ok``, a token such as a parameter)."""
    if value is None or isinstance(value, str) or (token_ok and isinstance(value, Token)):
        return value
    raise fail(path, f"{field} must be a string{' or a stack parameter' if token_ok else ''}, got {value!r}.")


def refuse_unknown(path: str, given: Iterable[str], known: Iterable[str]) -> None:
    """Refuse keywords a builder does not take, naming the closest known one (``port`` → ``ports``)."""
    known = sorted(known)
    unknown = sorted(set(given) - set(known))
    if not unknown:
        return
    close = [m for name in unknown for m in difflib.get_close_matches(name, known, n=1, cutoff=0.6)]
    guess = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise fail(path, f"unknown keyword{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}.",
               f"{guess}Known keywords: {', '.join(known)}.")


def check_owned(owner: Any, path: str, fields: dict[str, type | tuple[type, ...]], methods: str) -> None:
    """Fields a builder method fills (``containers``, ``mount_points``, …) still hold lists of what that
    method makes; ``methods`` names the methods, for the hint."""
    for name, kind in fields.items():
        items = getattr(owner, name)
        if not isinstance(items, list) or not all(isinstance(i, kind) for i in items):
            raise fail(path, f"{name} must be a list made by {methods}, got {items!r}.",
                       f"Use {methods} rather than assigning {name}.")


def as_str_list(value: Any, path: str, field: str, *, token_ok: bool = True) -> list[Any] | None:
    """A list of strings (or tokens); a lone string is refused, since it is almost always a mistake."""
    if value is None:
        return None
    if isinstance(value, str):
        raise fail(path, f"{field} must be a list of strings, got the string {value!r}.",
                   f"Write {field}=[{value!r}] or split it: {field}={value.split()!r}.")
    if not isinstance(value, list | tuple):
        raise fail(path, f"{field} must be a list of strings, got {type(value).__name__}.")
    for item in value:
        if not (isinstance(item, str) or (token_ok and isinstance(item, Token))):
            raise fail(path, f"{field} must hold strings only, got {item!r}.")
    return list(value)


def as_str_map(value: Any, path: str, field: str, hint: str = "") -> dict[str, Any]:
    """``{name: value}`` with string keys; numbers and booleans become strings, a value may be a token.
    ``hint``: how to write it, shown with every refusal."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise fail(path, f"{field} must be a mapping of names to values, got {type(value).__name__}.", hint)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise fail(path, f"{field} has a key {key!r} that is not a non-empty string.", hint)
        if isinstance(item, bool):
            item = "true" if item else "false"
        elif isinstance(item, int | float):
            item = str(item)
        elif not isinstance(item, str | Token):
            raise fail(path, f"{field}[{key!r}] must be a string, got {type(item).__name__}.", hint)
        out[key] = item
    return out


def as_overrides(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise fail(path, "overrides must be a mapping of CloudFormation property names to values.")
    return dict(value)
