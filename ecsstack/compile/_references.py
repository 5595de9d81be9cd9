"""Names an ``Fn::Sub`` uses must exist: a template CloudFormation would reject is never written."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem

__all__ = ["PSEUDO_PARAMETERS", "sub_names", "unknown_sub_names"]

PSEUDO_PARAMETERS = ("AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::StackId",
                     "AWS::URLSuffix", "AWS::NotificationARNs", "AWS::NoValue")


def sub_names(text: str) -> set[str]:
    """``${Name}`` and ``${Resource.Attribute}`` references of a Sub string (``${!literal}`` excluded)."""
    return {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)}


def _subs(node: Any, where: str) -> Iterator[tuple[str, str, set[str]]]:
    """(where, text, names its variables map) for every Fn::Sub below ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::Sub":
                if isinstance(value, str):
                    yield where, value, set()
                elif isinstance(value, list) and value and isinstance(value[0], str):
                    variables = value[1] if len(value) > 1 and isinstance(value[1], dict) else {}
                    yield where, value[0], set(variables)
                    yield from _subs(variables, where)
            else:
                yield from _subs(value, where)
    elif isinstance(node, list):
        for item in node:
            yield from _subs(item, where)


def unknown_sub_names(template: dict[str, Any], stack_path: str) -> list[Problem]:
    """One ECS506 problem per Sub reference that names no parameter, resource or pseudo parameter."""
    known = set(template.get("Parameters", {})) | set(template.get("Resources", {})) | set(PSEUDO_PARAMETERS)
    sections = [(f"resource {k}", v) for k, v in template.get("Resources", {}).items()]
    sections += [(f"output {k}", v) for k, v in template.get("Outputs", {}).items()]
    problems = []
    for where, node in sections:
        for place, text, variables in _subs(node, where):
            for name in sorted(sub_names(text) - variables - known):
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"Did you mean '{close[0]}'? " if close else ""
                problems.append(Problem(
                    "ECS506", f"{stack_path} › {place}",
                    f"Sub('{text}') names '{name}', which is no parameter, resource or AWS pseudo parameter.",
                    hint + "Declare it with stack.parameter(...), or write ${!" + name + "} for a literal."))
    return problems
