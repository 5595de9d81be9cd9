"""Compose's units: durations (``1m30s``), byte sizes (``512M``, ``1g``), CPU counts (``"0.5"``), and its
variable interpolation (``${VAR:-default}``)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["InterpolationError", "cpu_units", "interpolate", "mebibytes", "seconds"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_SECONDS = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def seconds(value: Any) -> int | None:
    """A compose duration (``1m30s``, ``10s``, ``500ms``; a bare number is seconds) in whole seconds, rounded
    up; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return math.ceil(value)
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return math.ceil(float(text))
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return math.ceil(sum(float(n) * _SECONDS[u] for n, u in parts) - 1e-9)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", re.IGNORECASE)


def mebibytes(value: Any) -> int | None:
    """A compose byte size (``512M``, ``1g``, ``1.5gb``, bytes as a number) in MiB, rounded up; None when it is
    not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return max(1, math.ceil(value / 2**20))
    match = _SIZE.fullmatch(str(value).strip())
    if not match:
        return None
    power = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}[match[2].lower()]
    return max(1, math.ceil(float(match[1]) * 1024**power / 2**20))


def cpu_units(value: Any) -> int | None:
    """Compose ``cpus`` (``"0.5"``, ``1``) in ECS CPU units (1024 a vCPU); None when it is not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return max(1, math.ceil(number * 1024)) if number > 0 else None


class InterpolationError(ValueError):
    """``${VAR:?message}`` of an unset variable, or a ``$`` expression compose would refuse."""


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolate(text: str, env: Mapping[str, str], missing: set[str] | None = None) -> str:
    """``text`` with ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?err}``,
    ``${VAR?err}``, ``${VAR:+alt}``, ``${VAR+alt}`` resolved from ``env`` as docker compose does (defaults may
    hold further expressions; ``$$`` is a literal ``$``). Unset variables without a default read as empty and
    are added to ``missing``."""
    missing = set() if missing is None else missing
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if text.startswith("${", i):
            end, depth = i + 2, 1
            while end < len(text):
                if text.startswith("${", end):
                    depth, end = depth + 1, end + 2
                    continue
                if text[end] == "}":
                    depth -= 1
                    if not depth:
                        break
                end += 1
            if depth:
                raise InterpolationError(f"unclosed ${{ in {text!r}")
            out.append(_expression(text[i + 2:end], env, missing))
            i = end + 1
            continue
        match = _NAME.match(text, i + 1)
        if match:
            if match[0] not in env:
                missing.add(match[0])
            out.append(env.get(match[0], ""))
            i = match.end()
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _expression(body: str, env: Mapping[str, str], missing: set[str]) -> str:
    match = _NAME.match(body)
    if not match:
        raise InterpolationError(f"invalid interpolation ${{{body}}}")
    name, rest = match[0], body[match.end():]
    value = env.get(name)
    if not rest:
        if value is None:
            missing.add(name)
        return value or ""
    for op in (":-", "-", ":?", "?", ":+", "+"):
        if rest.startswith(op):
            arg = rest[len(op):]
            unset = value is None or (op.startswith(":") and value == "")
            if op in (":-", "-"):
                return interpolate(arg, env, missing) if unset else str(value)
            if op in (":?", "?"):
                if unset:
                    raise InterpolationError(f"required variable {name} is missing a value: "
                                             f"{interpolate(arg, env, missing) or 'set it in the environment or .env'}")
                return str(value)
            return "" if unset else interpolate(arg, env, missing)
    raise InterpolationError(f"invalid interpolation ${{{body}}}")
