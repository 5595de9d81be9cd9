"""Property-level diff of the proposed template against the deployed one."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MASKED", "MISSING", "Entry", "template_diff"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


class _Masked:
    def __repr__(self) -> str:
        return "****"


MASKED: Any = _Masked()
_SECTIONS = ("Parameters", "Resources", "Outputs", "Conditions", "Mappings")


@dataclass(frozen=True)
class Entry:
    """One changed item: ``kind`` is ``+`` (added), ``-`` (removed) or ``~`` (changed); ``changes`` are
    ``(path, old, new)`` below it (empty for whole additions and removals)."""

    section: str
    name: str
    kind: str
    label: str = ""  # the resource type, for resources
    changes: tuple[tuple[str, Any, Any], ...] = ()


def _walk(old: Any, new: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and not _is_intrinsic(old) and not _is_intrinsic(new):
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            yield from _walk(old.get(key, MISSING), new.get(key, MISSING), sub)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _walk(a, b, f"{path}[{i}]")
    else:
        yield path, old, new


def _is_intrinsic(node: dict[str, Any]) -> bool:
    return len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref"))


def template_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Entry]:
    """The differences section by section; top-level scalars (Description, Transform) as ``Template``."""
    old = old or {}
    entries: list[Entry] = []
    for key in sorted((set(old) | set(new)) - set(_SECTIONS)):
        if old.get(key, MISSING) != new.get(key, MISSING):
            entries.append(Entry("Template", key, "~", changes=((key, old.get(key, MISSING),
                                                                  new.get(key, MISSING)),)))
    for section in _SECTIONS:
        before, after = old.get(section) or {}, new.get(section) or {}
        for name in sorted(set(before) | set(after)):
            a, b = before.get(name, MISSING), after.get(name, MISSING)
            label = str((b if b is not MISSING else a).get("Type", "")) if section == "Resources" else ""
            if a is MISSING:
                entries.append(Entry(section, name, "+", label))
            elif b is MISSING:
                entries.append(Entry(section, name, "-", label))
            elif a != b:
                changes = tuple(_walk(a, b, ""))
                if section == "Parameters" and (_no_echo(a) or _no_echo(b)):
                    changes = tuple((path, _mask(path, old_v), _mask(path, new_v)) for path, old_v, new_v in changes)
                entries.append(Entry(section, name, "~", label, changes))
    return entries


def _no_echo(spec: Any) -> bool:
    return isinstance(spec, Mapping) and spec.get("NoEcho") in (True, "true", "True")


def _mask(path: str, value: Any) -> Any:
    """A NoEcho parameter's default (and allowed values) never appear in a diff."""
    if value is MISSING or not path.startswith(("Default", "AllowedValues")):
        return value
    return MASKED


def short(value: Any, limit: int = 100) -> str:
    """A value as compact JSON, cut to ``limit`` characters."""
    if value is MISSING:
        return "(none)"
    if value is MASKED:
        return "****"
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
