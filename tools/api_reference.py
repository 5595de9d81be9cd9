"""Write docs/api.md: every public name of ``ecsstack`` with its signature (keywords and defaults) and its
docstring, generated from the code so it cannot drift (tests/test_api_reference.py checks the file).

    python tools/api_reference.py            # rewrite docs/api.md
    python tools/api_reference.py --check    # exit 1 when docs/api.md is stale
"""

from __future__ import annotations

import argparse
import enum
import inspect
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "api.md"

HEADER = """# API reference

Every public name of `ecsstack` (`from ecsstack import ...`), with its keywords, their defaults and its
docstring. Generated from the code by `python tools/api_reference.py`; a test fails when this file and the
code disagree. Values shown as `<factory>` default to an empty list or mapping.
"""

SECTIONS = (
    ("Verbs", lambda v: inspect.isfunction(v) or inspect.ismodule(v)),
    ("Builders", lambda v: inspect.isclass(v) and not issubclass(v, enum.Enum) and not issubclass(v, Exception)),
    ("Enumerations", lambda v: inspect.isclass(v) and issubclass(v, enum.Enum)),
    ("Errors", lambda v: inspect.isclass(v) and issubclass(v, Exception)),
)


def _signature(obj: Any) -> str:
    """``(name: type = default, *, ...)``: annotations as written in the code, defaults as Python shows them."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    params = list(sig.parameters.values())
    parts: list[str] = []
    for index, param in enumerate(params):
        if param.kind is param.KEYWORD_ONLY and not any(p.kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
                                                         for p in params[:index]):
            parts.append("*")
        text = {param.VAR_POSITIONAL: "*", param.VAR_KEYWORD: "**"}.get(param.kind, "") + param.name
        if param.annotation is not param.empty:
            text += f": {_annotation(param.annotation)}"
        if param.default is not param.empty:
            text += f" = {_default(param.default)}"
        parts.append(text)
        following = params[index + 1].kind if index + 1 < len(params) else None
        if param.kind is param.POSITIONAL_ONLY and following is not param.POSITIONAL_ONLY:
            parts.append("/")
    result = f"({', '.join(parts)})"
    if sig.return_annotation is not sig.empty:
        result += f" -> {_annotation(sig.return_annotation)}"
    return result


def _annotation(value: Any) -> str:
    return value if isinstance(value, str) else getattr(value, "__name__", repr(value))


def _default(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    text = repr(value)
    return "<factory>" if text.startswith("<factory") or "_HAS_DEFAULT_FACTORY" in text else text


def _doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__) if obj.__doc__ else ""


def _methods(cls: type) -> list[tuple[str, Any]]:
    """Public methods, class methods and properties defined by ``cls`` or its ecsstack bases."""
    out = []
    members = dict(vars(cls))
    import ecsstack  # the public names: a private mixin's methods (``override``) are documented on each builder

    public = {id(getattr(ecsstack, n, None)) for n in ecsstack.__all__}
    for base in cls.__mro__[1:]:
        if base.__module__.startswith("ecsstack.") and id(base) not in public:
            for name, member in vars(base).items():
                members.setdefault(name, member)
    for name, member in sorted(members.items()):
        if name.startswith("_"):
            continue
        if isinstance(member, staticmethod | classmethod):
            out.append((name, member.__func__))
        elif isinstance(member, property) or inspect.isfunction(member):
            out.append((name, member))
    return out


def _entry(name: str, value: Any) -> list[str]:
    lines = [f"### `{name}`", ""]
    if inspect.ismodule(value):
        lines += [f"The `{value.__name__}` module.", "", _doc(value), ""]
        names = getattr(value, "__all__", [])
        functions = [n for n in names if inspect.isfunction(getattr(value, n, None))]
        for fn in functions:
            obj = getattr(value, fn)
            lines += [f"- `{name}.{fn}{_signature(obj)}`: {_doc(obj).split(chr(10) + chr(10))[0]}"]
        return [*lines, ""]
    if inspect.isclass(value) and issubclass(value, enum.Enum):
        lines += [_doc(value), "", ", ".join(f"`{m.name}` (`{m.value}`)" for m in value), ""]
        return lines
    lines += [f"```python\n{name}{_signature(value)}\n```", "", _doc(value), ""]
    if inspect.isclass(value) and not issubclass(value, Exception):
        for method, member in _methods(value):
            if isinstance(member, property):
                doc = _doc(member.fget) if member.fget else ""
                lines += [f"- `.{method}` (property){': ' + doc.splitlines()[0] if doc else ''}"]
            else:
                doc = _doc(member).replace("\n", " ")
                lines += [f"- `.{method}{_signature(member)}`{': ' + doc if doc else ''}"]
        lines.append("")
    return lines


def render() -> str:
    sys.path.insert(0, str(ROOT))
    import ecsstack

    names = sorted(n for n in ecsstack.__all__ if not n.startswith("_"))
    out = [HEADER]
    for title, wanted in SECTIONS:
        chosen = [n for n in names if wanted(getattr(ecsstack, n))]
        if not chosen:
            continue
        out += [f"## {title}", ""]
        for name in chosen:
            out += _entry(name, getattr(ecsstack, name))
    return "\n".join(line.rstrip() for line in "\n".join(out).splitlines()).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/api.md is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is stale; run: python tools/api_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
