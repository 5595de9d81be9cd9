"""Values in range: every property of every resource (overrides included) against the CloudFormation resource
schema of its type: unknown keys where the schema forbids them, type, enum, pattern, minimum/maximum,
minLength/maxLength. An intrinsic function (``Ref``, ``Fn::Sub``, ``Fn::GetAtt``, …) is accepted wherever a value is.

The schemas are the JSON files cfn-lint ships; they are read directly (cfn-lint itself is never imported on the
synth path), once per resource type and process. Without cfn-lint's data no schema check runs.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..model import Stack
from ._template import Template, is_token

__all__ = ["check", "schema_for", "schemas_dir", "violations"]

REGION = "us-east-1"


@cache
def schemas_dir() -> Path | None:
    """cfn-lint's ``data/schemas`` folder, found without importing cfn-lint; None when it is not installed."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"
    return folder if folder.is_dir() else None


@cache
def _provider_index() -> dict[str, str]:
    """Resource type → schema file name (cfn-lint stores schemas by hash, indexed per region)."""
    root = schemas_dir()
    if root is None:
        return {}
    providers = root / "providers"
    as_json = providers / f"{REGION}.json"
    if as_json.is_file():
        return json.loads(as_json.read_text(encoding="utf-8"))
    as_python = providers / f"{REGION.replace('-', '_')}.py"
    if as_python.is_file():  # the same index written as a Python dict literal
        return dict(re.findall(r'"([A-Za-z0-9:]+)":\s*"([0-9a-f]+)"', as_python.read_text(encoding="utf-8")))
    return {}


@cache
def schema_for(kind: str) -> dict[str, Any] | None:
    """The CloudFormation resource schema of ``kind`` (``AWS::ECS::TaskDefinition``), or None when unknown."""
    root = schemas_dir()
    if root is None:
        return None
    digest = _provider_index().get(kind)
    candidates = [root / "resources" / f"{digest}.json"] if digest else []
    # older cfn-lint releases: one folder per region, one file per type
    candidates.append(root / "providers" / REGION.replace("-", "_") / f"{kind.lower().replace('::', '-')}.json")
    for path in candidates:
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 20:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return {}
        node: Any = root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
        seen += 1
    return schema


def _is_type(value: Any, kind: str) -> bool:
    """JSON schema types as CloudFormation reads them: numbers and booleans may be written as strings."""
    if kind == "string":
        return isinstance(value, str | int | float)  # bool is an int
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        return isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
    if kind == "number":
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            return True
        return isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
    if kind == "boolean":
        return isinstance(value, bool) or value in ("true", "false", "True", "False")
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


@cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:
        return None  # a dialect Python does not read (\p{…}): not checked


def violations(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str) -> Iterator[str]:
    """Each way ``value`` breaks ``schema`` (``root`` resolves ``$ref``), as ``where: what``."""
    if is_token(value):
        return
    schema = _resolve(schema, root)
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is_type(value, k) for k in kinds):
            yield f"{where} is {json.dumps(value)[:80]}, not of type {' or '.join(kinds)}"
            return
    if "enum" in schema and value not in schema["enum"] and str(value) not in [str(e) for e in schema["enum"]]:
        shown = ", ".join(json.dumps(e) for e in schema["enum"][:12])
        yield f"{where} is {json.dumps(value)}, not one of {shown}"
    if isinstance(value, str):
        if "pattern" in schema:
            pattern = _pattern(schema["pattern"])
            if pattern is not None and not pattern.search(value):
                yield f"{where} is {json.dumps(value)[:80]}, which does not match the pattern {schema['pattern']}"
        if "minLength" in schema and len(value) < schema["minLength"]:
            yield f"{where} is {json.dumps(value)}, shorter than {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield f"{where} is {len(value)} characters long, more than {schema['maxLength']}"
    number = _number(value)
    if number is not None:
        if "minimum" in schema and number < schema["minimum"]:
            yield f"{where} is {value}, below the minimum {schema['minimum']}"
        if "maximum" in schema and number > schema["maximum"]:
            yield f"{where} is {value}, above the maximum {schema['maximum']}"
    if isinstance(value, list) and "items" in schema and isinstance(schema["items"], dict):
        for i, item in enumerate(value):
            yield from violations(item, schema["items"], root, f"{where}[{i}]")
    if isinstance(value, dict):
        yield from _object(value, schema, root, where)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return None


def _object(value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], where: str) -> Iterator[str]:
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    for key, item in value.items():
        if key in properties:
            yield from violations(item, properties[key], root, f"{where}.{key}")
            continue
        matched = [s for p, s in patterns.items() if (_pattern(p) or re.compile("$^")).search(key)]
        for sub in matched:
            yield from violations(item, sub, root, f"{where}.{key}")
        if not matched and schema.get("additionalProperties") is False and (properties or patterns):
            close = sorted(properties, key=lambda k: k.lower() != key.lower())[:1]
            hint = f" (did you mean {close[0]}?)" if close and close[0].lower() == key.lower() else ""
            yield f"{where}.{key} is not a property of this type{hint}"


def check(stack: Stack, template: Template) -> list[Problem]:
    """ECS930: a property the resource schema of its type rejects."""
    problems = []
    for logical, resource in template.resources.items():
        kind = resource.get("Type", "")
        schema = schema_for(kind)
        if schema is None:
            continue
        props = resource.get("Properties", {}) or {}
        for text in violations(props, {**schema, "type": "object"}, schema, "Properties"):
            problems.append(Problem(
                "ECS930", f"{stack.path} › resource {logical}", f"{kind} {text}.",
                "CloudFormation would reject it: fix the value (in overrides= if you wrote it there)."))
    return problems
