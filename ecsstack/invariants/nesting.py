"""ECS958: the wiring of a stack split into nested stacks. The invariants check the unsplit template; this checks
what splitting added: every name a template refers to is declared there (a resource, a parameter, a pseudo
parameter), the root passes each child exactly the parameters it declares, and every ``Outputs.X`` the root reads
is an output of that child."""

from __future__ import annotations

import re
from typing import Any

from ..errors import Problem

__all__ = ["check_wiring"]

_SUB = re.compile(r"\$\{(?!!)([^}]+)\}")


def _names(value: Any, found: list[tuple[str, str | None]]) -> None:
    """(name, attribute) for every Ref, GetAtt and Sub name in ``value``."""
    if isinstance(value, list):
        for v in value:
            _names(v, found)
    elif isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                found.append((arg, None))
                return
            if key == "Fn::GetAtt" and isinstance(arg, list):
                found.append((arg[0], ".".join(arg[1:])))
                return
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
                for name in _SUB.findall(text):
                    base, _, attr = name.partition(".")
                    if base not in variables:
                        found.append((base, attr or None))
                _names(list(variables.values()), found)
                return
        for v in value.values():
            _names(v, found)


def _dangling(where: str, template: dict[str, Any]) -> list[Problem]:
    declared = set(template.get("Resources", {})) | set(template.get("Parameters", {}))
    found: list[tuple[str, str | None]] = []
    _names([template.get("Resources", {}), template.get("Outputs", {})], found)
    return [Problem("ECS958", where, f"refers to {name!r}, which this template does not declare.",
                    "A compile bug in the split; please report it.")
            for name in sorted({n for n, _ in found if not n.startswith("AWS::") and n not in declared})]


def check_wiring(path: str, root: dict[str, Any], children: dict[str, dict[str, Any]]) -> list[Problem]:
    """ECS958: what is wrong with the wiring between ``root`` and its ``children``."""
    problems = _dangling(f"{path} › root", root)
    found: list[tuple[str, str | None]] = []
    _names([root.get("Resources", {}), root.get("Outputs", {})], found)
    for name, doc in children.items():
        where = f"{path} › nested stack {name}"
        problems += _dangling(where, doc)
        resource = root["Resources"].get(name, {})
        if resource.get("Type") != "AWS::CloudFormation::Stack":
            problems.append(Problem("ECS958", where, "has no AWS::CloudFormation::Stack resource in the root.",
                                    "A compile bug in the split; please report it."))
            continue
        passed = set(resource.get("Properties", {}).get("Parameters", {}))
        wanted = set(doc.get("Parameters", {}))
        for missing in sorted(wanted - passed):
            problems.append(Problem("ECS958", where, f"declares parameter {missing!r}, which the root does not pass.",
                                    "A compile bug in the split; please report it."))
        for extra in sorted(passed - wanted):
            problems.append(Problem("ECS958", where, f"is passed parameter {extra!r}, which it does not declare.",
                                    "A compile bug in the split; please report it."))
        outputs = set(doc.get("Outputs", {}))
        for target, attr in found:
            if target == name and attr and attr.startswith("Outputs.") and attr.removeprefix("Outputs.") not in outputs:
                problems.append(Problem("ECS958", where, f"has no output {attr.removeprefix('Outputs.')!r}, which "
                                        "the root reads.", "A compile bug in the split; please report it."))
    return problems
