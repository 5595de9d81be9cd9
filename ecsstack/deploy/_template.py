"""The template as the deploy sees it: parsed, checked against CloudFormation's limits before any AWS
call, its capabilities derived, ``--force-new-deployment`` applied, ``--parameter`` values resolved."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ._errors import LimitError, UsageError

__all__ = [
    "INLINE_LIMIT", "MAX_BODY", "MAX_OUTPUTS", "MAX_PARAMETERS", "MAX_RESOURCES", "Template",
    "capabilities", "check_limits", "force_new_deployment", "parameter_changes", "parse_pairs", "resolve_parameters",
]

INLINE_LIMIT = 51_200   # bytes: larger templates must go through S3 (TemplateURL)
MAX_BODY = 1_000_000    # bytes: "Template may not exceed 1000000 bytes in size."
MAX_RESOURCES = 500
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200

_IAM_NAME_PROPERTIES = ("RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName")


@dataclass
class Template:
    """A template as plain data plus the exact text that is sent (``body``)."""

    data: dict[str, Any]
    body: str

    @classmethod
    def of(cls, template: str | Mapping[str, Any]) -> Template:
        """From JSON text or a dict. Text is sent exactly as given; a dict is rendered deterministically."""
        if isinstance(template, str):
            try:
                data = json.loads(template)
            except json.JSONDecodeError as exc:
                raise UsageError(f"the template is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
            if not isinstance(data, dict):
                raise UsageError("the template must be a JSON object.")
            return cls(data, template)
        from ..render import to_json

        data = json.loads(json.dumps(template))  # plain data, no troposphere objects, a private copy
        return cls(data, to_json(data))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.data.get("Resources") or {}

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return self.data.get("Parameters") or {}

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8"))

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") in types}


def check_limits(template: Template) -> None:
    """Refuse templates CloudFormation would refuse, with the numbers, before any AWS call."""
    problems = []
    if template.size > MAX_BODY:
        problems.append(f"{template.size:,} bytes (CloudFormation takes at most {MAX_BODY:,} bytes, "
                        f"even from S3)")
    for section, limit in (("Resources", MAX_RESOURCES), ("Parameters", MAX_PARAMETERS),
                           ("Outputs", MAX_OUTPUTS)):
        count = len(template.data.get(section) or {})
        if count > limit:
            problems.append(f"{count} {section.lower()} (at most {limit})")
    if problems:
        raise LimitError(f"the template is over CloudFormation's limits: {'; '.join(problems)}; "
                         f"nothing was sent.",
                         "Split the stack (for example into nested stacks or one stack per service).")


def _mentions(node: Any, key: str) -> bool:
    if isinstance(node, dict):
        return key in node or any(_mentions(v, key) for v in node.values())
    if isinstance(node, list):
        return any(_mentions(v, key) for v in node)
    return False


def capabilities(template: Template, extra: Iterable[str] = ()) -> list[str]:
    """The capabilities the template needs acknowledged.

    IAM resources → CAPABILITY_IAM; IAM resources with a fixed name → CAPABILITY_NAMED_IAM; a
    ``Transform`` (macros, SAM) → CAPABILITY_AUTO_EXPAND. Nested stacks may hold IAM resources this
    template cannot show, so they are acknowledged as well.
    """
    caps = set(extra)
    for resource in template.resources.values():
        kind = str(resource.get("Type", ""))
        props = resource.get("Properties") or {}
        if kind.startswith("AWS::IAM::"):
            caps.add("CAPABILITY_IAM")
            if any(name in props for name in _IAM_NAME_PROPERTIES):
                caps.add("CAPABILITY_NAMED_IAM")
        elif kind == "AWS::CloudFormation::Stack":
            caps.update({"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"})
        elif kind.startswith("AWS::Serverless::"):
            caps.add("CAPABILITY_AUTO_EXPAND")
    if "Transform" in template.data or _mentions(template.data, "Fn::Transform"):
        caps.add("CAPABILITY_AUTO_EXPAND")
    return sorted(caps)


def new_nonce() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def force_new_deployment(template: Template, nonce: str | None = None) -> Template:
    """A copy where every ``AWS::ECS::Service`` carries a fresh ForceNewDeployment nonce, so ECS starts a
    new deployment of the same task definition revision."""
    from ..render import to_json

    data = copy.deepcopy(template.data)
    nonce = nonce or new_nonce()
    for resource in data.get("Resources", {}).values():
        if resource.get("Type") == "AWS::ECS::Service":
            resource.setdefault("Properties", {})["ForceNewDeployment"] = {
                "EnableForceNewDeployment": True, "ForceNewDeploymentNonce": nonce}
    return Template(data, to_json(data))


def parse_pairs(values: Iterable[str], option: str) -> dict[str, str]:
    """``["K=V", ...]`` → dict; a malformed item is a usage error (exit 2)."""
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"{option} {item!r}: expected KEY=VALUE.")
        pairs[key] = value
    return pairs


def check_parameter_names(template: Template, given: Mapping[str, str]) -> None:
    unknown = sorted(set(given) - set(template.parameters))
    if unknown:
        declared = ", ".join(sorted(template.parameters)) or "none"
        raise UsageError(f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                         f"the template declares: {declared}.")


def _same(deployed: str, default: Any) -> bool:
    if isinstance(default, list):
        default = ",".join(str(v) for v in default)
    return str(deployed) == str(default)


def resolve_parameters(template: Template, given: Mapping[str, str],
                       previous: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """CloudFormation ``Parameters`` for a change set.

    Values given win; on an update, a parameter not given keeps its deployed value (UsePreviousValue,
    or nothing when the Default gives that same value); otherwise its Default applies. A parameter with
    none of these is a usage error.
    """
    check_parameter_names(template, given)
    result: list[dict[str, Any]] = []
    missing = []
    for name, spec in sorted(template.parameters.items()):
        if name in given:
            result.append({"ParameterKey": name, "ParameterValue": given[name]})
        elif previous is not None and name in previous:
            if "Default" in spec and _same(previous[name], spec["Default"]):
                continue  # the default gives the deployed value: nothing to carry over
            result.append({"ParameterKey": name, "UsePreviousValue": True})
        elif "Default" not in spec:
            missing.append(f"{name} ({spec.get('Type', 'String')})")
    if missing:
        raise UsageError(f"missing parameter{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.",
                         "Pass --parameter NAME=VALUE for each.")
    return result


def parameter_changes(template: Template, given: Mapping[str, str],
                      previous: Mapping[str, str] | None) -> list[tuple[str, str, str]]:
    """``(name, deployed value, new value)`` for every parameter an update changes; NoEcho values masked."""
    if previous is None:
        return []
    changed = []
    for name, spec in sorted(template.parameters.items()):
        old = previous.get(name)
        new = given.get(name, old if old is not None else spec.get("Default"))
        if new is None or (old is not None and _same(old, new)):
            continue
        if spec.get("NoEcho") in (True, "true", "True"):
            changed.append((name, "****", "**** (changed)"))
        else:
            changed.append((name, "(none)" if old is None else str(old), str(new)))
    return changed
