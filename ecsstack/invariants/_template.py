"""Reading a compiled template: tokens in one canonical text form, resources by type, the logical ID of
what a ``Ref``/``Fn::GetAtt`` points at, and model values written the way the template writes them."""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import (
    Attr,
    Cluster,
    ExistingTaskDefinition,
    LoadBalancer,
    Namespace,
    Parameter,
    Queue,
    Service,
    Sub,
    TaskDefinition,
    Vpc,
)
from ..names import CLUSTER, LOAD_BALANCER, NAMESPACE, QUEUE, SERVICE, TASK_DEFINITION, VPC, logical_id

__all__ = ["Template", "canon", "canon_model", "is_token", "ports"]

#: CloudFormation intrinsic functions: a value that is one of them is resolved at deploy time
_INTRINSICS = ("Ref", "Condition")


def is_token(value: Any) -> bool:
    """Whether ``value`` is an intrinsic function (``{"Ref": …}``, ``{"Fn::Sub": …}``, …)."""
    return isinstance(value, dict) and len(value) == 1 and (
        next(iter(value)) in _INTRINSICS or next(iter(value)).startswith("Fn::"))


def canon(value: Any) -> str:
    """One text form for a template value: ``Ref X`` → ``${X}``, ``GetAtt X.A`` → ``${X.A}``, a ``Sub`` its text
    with its variables substituted; anything else its JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref":
            return "${" + str(arg) + "}"
        if key == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return "${" + ".".join(str(p) for p in parts) + "}"
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
            return re.sub(r"\$\{([^!}][^}]*)\}",
                          lambda m: canon(variables[m[1]]) if m[1] in variables else m[0], text)
    return json.dumps(value, sort_keys=True)


def _model_logical(target: Any) -> str | None:
    """The logical ID of a modelled thing's main resource (None for a kind the invariants do not name)."""
    for kind, suffix in ((Queue, (QUEUE,)), (Cluster, (CLUSTER,)), (LoadBalancer, (LOAD_BALANCER,)),
                         (Service, (SERVICE,)), (Namespace, (NAMESPACE,)), (Vpc, (VPC,))):
        if isinstance(target, kind):
            return logical_id(target.name, *suffix)
    if isinstance(target, ExistingTaskDefinition):
        return None  # registered elsewhere: no resource of the template
    if isinstance(target, TaskDefinition):
        return logical_id(target.family, TASK_DEFINITION)
    return None


def canon_model(value: Any) -> str | None:
    """A model value (text or token) in ``canon``'s form; None when it names a thing the invariants do not map."""
    if isinstance(value, str):
        return value
    if isinstance(value, Parameter):
        return "${" + value.name + "}"
    if isinstance(value, Sub):
        variables = {k: canon_model(v) for k, v in value.variables.items()}
        if any(v is None for v in variables.values()):
            return None
        return re.sub(r"\$\{([^!}][^}]*)\}", lambda m: variables.get(m[1]) or m[0], value.text)  # type: ignore[return-value]
    if isinstance(value, Attr):
        logical = _model_logical(value.target)
        if logical is None:
            return None
        return "${" + logical + ("" if value.attribute is None else "." + value.attribute) + "}"
    if isinstance(value, ExistingTaskDefinition):
        return canon_model(value.reference)
    if hasattr(value, "path"):
        logical = _model_logical(value)
        return None if logical is None else "${" + logical + "}"
    return str(value)


def ports(low: Any, high: Any) -> tuple[int, int] | None:
    """A port range as integers (CloudFormation accepts numbers as strings); None when a token."""
    try:
        return int(low), int(high)
    except (TypeError, ValueError):
        return None


class Template:
    """A compiled template with the look-ups the invariants share."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.resources: dict[str, dict[str, Any]] = data.get("Resources", {})

    def props(self, logical: str) -> dict[str, Any]:
        """The ``Properties`` of resource ``logical`` (empty when there is no such resource)."""
        return self.resources.get(logical, {}).get("Properties", {}) or {}

    def of_type(self, kind: str) -> list[str]:
        """Logical IDs of every resource of CloudFormation type ``kind``."""
        return [k for k, v in self.resources.items() if v.get("Type") == kind]

    def target(self, value: Any, kind: str | None = None) -> str | None:
        """The logical ID a ``Ref``/``Fn::GetAtt`` points at (of type ``kind`` when given); None otherwise."""
        if not isinstance(value, dict) or len(value) != 1:
            return None
        key, arg = next(iter(value.items()))
        if key == "Ref":
            logical = arg
        elif key == "Fn::GetAtt":
            logical = arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
        else:
            return None
        if logical not in self.resources or (kind is not None and self.resources[logical].get("Type") != kind):
            return None
        return str(logical)
