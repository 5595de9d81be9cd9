"""Python source for generated blueprints, written already formatted.

Expressions are small trees (``Call``, ``Raw`` and plain lists, dicts, strings, numbers); ``statement``
lays one out the way ``ruff format`` (and black) would: on one line when it fits in 88 columns, otherwise
exploded one item a line with a magic trailing comma, recursively. A magic trailing comma keeps a
construct exploded at any line length, and whatever fits in 88 columns fits in 120, so the output is
stable under both line lengths. A line that is still too long (a long string) gets a noqa comment for E501.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Call", "Raw", "identifier", "literal", "statement", "too_long"]

#: the width the layout aims for (black's and ruff's default); a result that fits it fits any wider one
WIDTH = 88
#: the line length of ecsstack's own ruff configuration; a longer line gets a noqa comment for E501
LONG_LINE = 120


@dataclass
class Raw:
    """Source text used as is (a variable, an enum member)."""

    text: str


@dataclass
class Call:
    """``func(*args, **kwargs)``; kwargs keep their order."""

    func: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)


def literal(text: str) -> str:
    """A string literal as ruff format leaves it: double quotes unless that needs more escapes."""
    quote = "'" if '"' in text and "'" not in text else '"'
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return quote + "".join(out) + quote


def _atom(value: Any) -> str | None:
    """The one-token source of a scalar, None for a container or call."""
    if isinstance(value, Raw):
        return value.text
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return literal(value)
    return None


def _parts(value: Any) -> tuple[str, str, list[tuple[str, Any]]]:
    """(opening, closing, [(prefix, item)]) of a list, tuple, dict or call."""
    if isinstance(value, Call):
        items = [("", a) for a in value.args] + [(f"{k}=", v) for k, v in value.kwargs.items()]
        return f"{value.func}(", ")", items
    if isinstance(value, dict):
        return "{", "}", [(f"{_atom(k)}: ", v) for k, v in value.items()]
    if isinstance(value, tuple):
        return "(", ")", [("", v) for v in value]
    if isinstance(value, list):
        return "[", "]", [("", v) for v in value]
    raise TypeError(f"cannot write {value!r} as source")


def inline(value: Any) -> str:
    """``value`` on one line."""
    atom = _atom(value)
    if atom is not None:
        return atom
    opening, closing, items = _parts(value)
    body = ", ".join(prefix + inline(item) for prefix, item in items)
    if isinstance(value, tuple) and len(items) == 1:
        body += ","
    return opening + body + closing


def _lines(value: Any, indent: int, head: str, tail: str) -> list[str]:
    """``head`` + value + ``tail`` at ``indent`` spaces, exploded where it does not fit."""
    pad = " " * indent
    one = pad + head + inline(value) + tail
    atom = _atom(value)
    if atom is not None or len(one) <= WIDTH:
        return [one + "  # noqa: E501" if too_long(one) else one]
    opening, closing, items = _parts(value)
    if not items:
        return [one]
    out = [pad + head + opening]
    for prefix, item in items:
        out += _lines(item, indent + 4, prefix, ",")
    out.append(pad + closing + tail)
    return out


def too_long(line: str) -> bool:
    """Whether ruff's E501 flags ``line``: longer than the limit, and not one word nor ending in a URL that
    starts within it."""
    chunks = line.split()
    if len(line) <= LONG_LINE or len(chunks) <= 1 or "# noqa" in line:
        return False
    last = chunks[-1]
    return not ("://" in last and line.rindex(last) < LONG_LINE)


def statement(value: Any, indent: int = 4, head: str = "") -> list[str]:
    """The lines of the statement ``head`` + ``value`` (``head`` like ``"app = "`` or ``"return "``)."""
    return _lines(value, indent, head, "")


_NOT_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]+")


def identifier(name: str, taken: set[str]) -> str:
    """A fresh snake_case Python name for ``name`` (not a keyword, not in ``taken``), added to ``taken``."""
    base = _NOT_IDENTIFIER.sub("_", re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)).strip("_").lower() or "item"
    if base[0].isdigit():
        base = f"c_{base}"
    if keyword.iskeyword(base) or keyword.issoftkeyword(base):
        base += "_"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate
