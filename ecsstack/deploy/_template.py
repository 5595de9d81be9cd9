"""The template as the deploy sees it: read (a dict, JSON or YAML text, or a template file), checked
against CloudFormation's limits before any AWS call, its capabilities derived, ``--force-new-deployment``
applied, ``--parameter`` values resolved."""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from os import PathLike, fspath
from pathlib import Path
from typing import Any

from ..model import Stack
from ._errors import LimitError, UsageError

__all__ = [
    "INLINE_LIMIT", "MASK", "MAX_BODY", "MAX_OUTPUTS", "MAX_PARAMETERS", "MAX_RESOURCES", "TEMPLATE_SUFFIXES",
    "KeptDefault", "Template", "capabilities", "check_limits", "force_new_deployment", "is_no_echo",
    "kept_defaults", "parameter_changes", "read_template", "resolve_parameters", "template_of",
]

#: what a NoEcho parameter's value or default is shown as
MASK = "****"

INLINE_LIMIT = 51_200   # bytes: larger templates must go through S3 (TemplateURL)
MAX_BODY = 1_000_000    # bytes: "Template may not exceed 1000000 bytes in size."
MAX_RESOURCES = 500
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200

#: what a template file's name ends with (``ecsstack synth -o`` writes ``<stack>.json`` or ``.yaml``)
TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")

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


def _decode(text: str, what: str) -> dict[str, Any]:
    """JSON or YAML text (short-form tags like ``!Ref`` included) as plain dicts and lists, in order."""
    from cfnlint.decode import decode_str

    data, matches = decode_str(text)
    if matches or not isinstance(data, dict):
        why = matches[0].message if matches else "it is not a mapping"
        raise UsageError(f"{what} is not a CloudFormation template: {why}")
    return json.loads(json.dumps(data))


def read_template(path: str | PathLike[str]) -> dict[str, Any]:
    """A CloudFormation template file, JSON or YAML, as plain data; a usage error if it is not one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{fspath(path)}: cannot read the template ({exc.strerror or exc}).") from None
    return _decode(text, fspath(path))


def _synthesize_first(what: str, command: str) -> UsageError:
    return UsageError(
        f"{what}: ecsstack.deploy takes a template (a dict, JSON or YAML text, or a .json/.yaml file), "
        f"so that the blueprint's rule warnings are seen before anything is deployed.",
        f"Synthesize it first: template = ecsstack.synth(stack) (or stack.to_dict()); on the command line "
        f"`ecsstack deploy {command}` synthesizes, prints the warnings and deploys.")


def _names_a_file(text: str) -> bool:
    """Whether a string given as a template is a file's path rather than the template's text."""
    if "\n" in text or text.lstrip().startswith("{"):
        return False
    if text.endswith((".py", *TEMPLATE_SUFFIXES)):
        return True
    try:
        return Path(text).is_file()
    except OSError:  # e.g. longer than a file name may be: text, not a path
        return False


STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")
_STACK_NAME_RULE = "a letter, then letters, digits and hyphens, at most 128 characters"


def derive_stack_name(name: str) -> str:
    """A valid CloudFormation stack name made from ``name`` (a blueprint's stack name, a file's stem):
    invalid characters become hyphens, leading/trailing hyphens go, a leading digit gets ``stack-``."""
    derived = re.sub(r"-{2,}", "-", re.sub(r"[^-A-Za-z0-9]", "-", name)).strip("-") or "stack"
    if not derived[0].isalpha():
        derived = f"stack-{derived}"
    return derived[:128].rstrip("-")


def check_stack_name(name: str, *, arn_ok: bool = False) -> str:
    """``name`` if CloudFormation accepts it as a stack name (or, with ``arn_ok``, a stack ARN); otherwise
    a usage error naming a valid name to use instead."""
    if STACK_NAME.fullmatch(name) or (arn_ok and name.startswith("arn:") and ":stack/" in name):
        return name
    raise UsageError(f"--stack-name {name!r} is not a valid CloudFormation stack name ({_STACK_NAME_RULE}).",
                     f"Use --stack-name {derive_stack_name(name)}.")


def template_of(source: Any, stack_name: str | None = None) -> tuple[Template, str]:
    """The Template and the stack name for what ``deploy``/``diff`` were given.

    ``source`` is a template dict, JSON text (starting with ``{``; sent exactly as given), YAML text, or
    the path of a template file (the stack name then defaults to the file's stem, made valid:
    ``ec2_bridge.json`` → ``ec2-bridge``). A ``stack_name`` CloudFormation would refuse is a usage error.
    An ``ecsstack.Stack`` or a blueprint's ``.py`` path is refused: synthesizing is the caller's step,
    warnings included.
    """
    default = None
    if isinstance(source, Stack):
        raise _synthesize_first(f"an ecsstack.Stack ({source.name!r}) is not a template", "blueprint.py")
    if isinstance(source, str) and _names_a_file(source):
        source = Path(source)
    if isinstance(source, PathLike):
        path = Path(source)
        if path.suffix == ".py":
            raise _synthesize_first(f"{path} is a blueprint, not a template", str(path))
        default, tpl = path.stem, Template.of(read_template(path))
    elif isinstance(source, Mapping):
        tpl = Template.of(source)
    elif isinstance(source, str):
        tpl = Template.of(source) if source.lstrip().startswith("{") else Template.of(_decode(source, "the text"))
    else:
        raise UsageError(f"expected a template (a dict, JSON or YAML text, or a template file's path), "
                         f"not {type(source).__name__}.")
    if stack_name:
        return tpl, check_stack_name(stack_name)
    if not default:
        raise UsageError("no stack name: pass --stack-name (stack_name=...).")
    return tpl, derive_stack_name(default)


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


def is_no_echo(spec: Any) -> bool:
    return isinstance(spec, Mapping) and spec.get("NoEcho") in (True, "true", "True")


@dataclass(frozen=True)
class KeptDefault:
    """A parameter that keeps its deployed ``value`` although the template's default changed from
    ``old_default`` to ``new_default`` (all masked for NoEcho parameters)."""

    name: str
    value: str
    old_default: str
    new_default: str
    no_echo: bool = False

    @property
    def fix(self) -> str:
        return f"--parameter {self.name}={'<the new default>' if self.no_echo else self.new_default}"

    def __str__(self) -> str:
        was = " (the old default)" if not self.no_echo and self.value == self.old_default else ""
        return (f"parameter {self.name} keeps its deployed value {self.value}{was}: the template's default "
                f"changed {self.old_default} → {self.new_default}, and an update keeps deployed values. "
                f"To apply the new default, deploy again with {self.fix}.")


def _text(value: Any) -> str:
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def kept_defaults(template: Template, given: Mapping[str, str], previous: Mapping[str, str] | None,
                  deployed: Mapping[str, Any] | None) -> list[KeptDefault]:
    """Parameters an update leaves on their deployed value while the template's default changed."""
    if previous is None or not deployed:
        return []
    old_specs = deployed.get("Parameters") or {}
    kept = []
    for name, spec in sorted(template.parameters.items()):
        old = old_specs.get(name)
        if name in given or name not in previous or "Default" not in spec or not isinstance(old, Mapping) \
                or "Default" not in old or _same(_text(old["Default"]), spec["Default"]) \
                or _same(previous[name], spec["Default"]):
            continue
        secret = is_no_echo(spec) or is_no_echo(old)
        kept.append(KeptDefault(name, MASK if secret else str(previous[name]),
                                MASK if secret else _text(old["Default"]),
                                MASK if secret else _text(spec["Default"]), secret))
    return kept


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
        if is_no_echo(spec):
            changed.append((name, MASK, f"{MASK} (changed)"))
        else:
            changed.append((name, "(none)" if old is None else str(old), str(new)))
    return changed
