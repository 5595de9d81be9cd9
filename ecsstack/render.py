"""Deterministic text from a compiled template: same blueprint, same bytes."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["to_json", "to_yaml"]


def to_json(template: dict[str, Any]) -> str:
    """Sorted keys, two-space indent, trailing newline."""
    return json.dumps(template, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_yaml(template: dict[str, Any]) -> str:
    """Block-style YAML with sorted keys; intrinsic functions in their long form (``Fn::Sub``)."""
    import yaml  # only YAML output pays for PyYAML's import

    class Dumper(yaml.SafeDumper):
        pass

    def literal(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, literal)
    return yaml.dump(template, Dumper=Dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=120)
