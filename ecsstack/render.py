"""Deterministic text from a compiled template: same blueprint, same bytes."""

from __future__ import annotations

import json
from typing import Any

import yaml

__all__ = ["to_json", "to_yaml"]


def to_json(template: dict[str, Any]) -> str:
    """Sorted keys, two-space indent, trailing newline."""
    return json.dumps(template, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(template: dict[str, Any]) -> str:
    """Block-style YAML with sorted keys; intrinsic functions in their long form (``Fn::Sub``)."""
    return yaml.dump(template, Dumper=_Dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=120)
