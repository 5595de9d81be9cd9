"""The ECS API's keys → ecsstack's keywords: ONE table per level (container, task).

Each entry is ``camelCase key → (keyword, converter)``; a converter writes the keyword's value as source
(``Call("LinuxParameters", ...)`` and the like, so the blueprint reads as hand-written). An entry is used
only when the model takes that keyword (``container_keywords()`` / ``task_keywords()`` read the model's own
fields when the importer runs). Whenever a converter says the value does not fit the keyword (``Carry``), or
the keyword's compiled value is not the input's (checked after synthesis, for every keyword not ``ADJUSTED``),
or a rule refuses it, the key goes to ``overrides=`` under its CloudFormation name (``_cfn``), listed at the
top of the generated file. Keys with no entry and no CloudFormation name are dropped with a warning naming
them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

from ..model import Container, TaskDefinition
from ._cfn import pascal_value, property_name
from ._common import HEALTH_RANGES, TIMEOUT_RANGE, clamp
from ._source import Call, Raw

__all__ = ["ADJUSTED", "CONTAINER_KEYS", "KNOWN_TODAY", "STATEMENT_KEYS", "TASK_KEYS", "Carry", "Ctx", "Omit", "carry",
           "container_keywords", "task_keywords", "write"]


class Carry(Exception):
    """The value does not fit the keyword: carry it in ``overrides=`` as given."""


class Omit(Exception):
    """The value is the keyword's default: write nothing (the blueprint stays short, the template the same)."""


@dataclass
class Ctx:
    """Where a converter works: the path for messages, the task's network mode, the warnings to add to."""

    path: str
    network_mode: str
    warnings: list[str] = field(default_factory=list)
    #: stack parameters the converters declare: (variable, ``stack.parameter(...)`` call)
    parameters: list[tuple[str, Call]] = field(default_factory=list)


Converter = Callable[[Any, Ctx], Any]


def container_keywords() -> frozenset[str]:
    """The keywords ``task.add_container`` takes today (the container's constructor fields)."""
    return frozenset(f.name for f in dataclass_fields(Container) if f.init) - {"name", "image", "init", "task",
                                                                                 "dependencies"}


def task_keywords() -> frozenset[str]:
    """The keywords the task definition builders take today."""
    return frozenset(f.name for f in dataclass_fields(TaskDefinition) if f.init) - {"explicit_family"}


# ---- converters -------------------------------------------------------------------------------------

def _same(value: Any, ctx: Ctx) -> Any:
    return value


def _essential(value: Any, ctx: Ctx) -> Any:
    if value is True:
        raise Omit  # the default
    return value


def _timeout(name: str) -> Converter:
    def convert(value: Any, ctx: Ctx) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            raise Carry
        return clamp(value, *TIMEOUT_RANGE, f"{ctx.path}: {name}", ctx.warnings)
    return convert


#: an IAM role ARN as CloudFormation checks it
_ROLE_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:role/.+")


#: a role's name, with or without a path (``ecsTaskExecutionRole``, ``service-role/app``)
_ROLE_NAME = re.compile(r"[\w+=,.@/-]+")


def _role(parameter: str) -> Converter:
    """A role ARN as given; a role's name as the ARN of that role in the stack's account (``Sub``); anything
    else (``<executionRoleArn>``, ``${ROLE}``: what CI fills in) a stack parameter of that name, so the
    template is valid and the value is given at deploy."""
    def convert(value: Any, ctx: Ctx) -> Any:
        if not isinstance(value, str):
            raise Carry
        if _ROLE_ARN.fullmatch(value):
            return value
        if _ROLE_NAME.fullmatch(value) and not value.startswith("arn"):
            ctx.warnings.append(f"{ctx.path}: {parameter} {value!r} is a role name; written as the ARN of that role "
                                "in the stack's account.")
            return Call("Sub", ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/" + value.lstrip("/")])
        var = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", parameter).lower()
        ctx.parameters.append((var, Call("stack.parameter", [parameter], {
            "description": f"ARN of the IAM role (the input had {value!r})"})))
        ctx.warnings.append(f"{ctx.path}: {value!r} is not a role ARN (a placeholder?); it is the stack parameter "
                            f"{parameter}, given at deploy.")
        return Raw(var)
    return convert


def _environment(value: Any, ctx: Ctx) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in value or []:
        if not isinstance(item, dict) or "name" not in item:
            raise Carry
        if item["name"] in out:
            ctx.warnings.append(f"{ctx.path}: environment variable {item['name']!r} is set twice; the last value "
                                "is kept, as ECS does.")
        out[item["name"]] = str(item.get("value", ""))
    return out


#: a Secrets Manager ARN with a JSON key: ``arn:…:secret:<name>:<key>::`` (no version stage or id)
_SECRET_KEY = re.compile(r"(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+):([^:]+)::")


def secret_expr(value_from: str) -> Call:
    """``Secret.ssm(...)`` or ``Secret.secrets_manager(...)`` for a ``valueFrom``."""
    match = _SECRET_KEY.fullmatch(value_from)
    if match:
        return Call("Secret.secrets_manager", [match[1]], {"key": match[2]})
    if value_from.startswith("arn:") and ":secretsmanager:" in value_from:
        return Call("Secret.secrets_manager", [value_from])
    return Call("Secret.ssm", [value_from])


def _secrets(value: Any, ctx: Ctx) -> dict[str, Call]:
    out: dict[str, Call] = {}
    for item in value or []:
        if not isinstance(item, dict) or not {"name", "valueFrom"} <= set(item):
            raise Carry
        out[item["name"]] = secret_expr(item["valueFrom"])
    return out


def health_check(command: list[str], ctx: Ctx, **timing: Any) -> Call:
    """``HealthCheck(command, ...)`` with each timing clamped into ECS's range; defaults left out."""
    kwargs: dict[str, Any] = {}
    defaults = {"interval": 30, "timeout": 5, "retries": 3}
    for name, value in timing.items():
        if value is None:
            continue
        value = clamp(int(value), *HEALTH_RANGES[name], f"{ctx.path}: health check {name}", ctx.warnings)
        if defaults.get(name) != value:
            kwargs[name] = value
    return Call("HealthCheck", [list(command)], kwargs)


def _health(value: Any, ctx: Ctx) -> Call:
    if not isinstance(value, dict) or not isinstance(value.get("command"), list) or not value["command"]:
        raise Carry
    return health_check(value["command"], ctx, interval=value.get("interval"), timeout=value.get("timeout"),
                        retries=value.get("retries"), start_period=value.get("startPeriod"))


def _ports(value: Any, ctx: Ctx) -> list[Any]:
    out: list[Any] = []
    for item in value or []:
        if not isinstance(item, dict) or "containerPort" not in item or set(item) - {
                "containerPort", "hostPort", "protocol", "name", "appProtocol"}:
            raise Carry  # a port range, or something new: as given
        port, kwargs = item["containerPort"], {}
        host = item.get("hostPort")
        if host is not None and not (host == port and ctx.network_mode in ("awsvpc", "host")):
            kwargs["host_port"] = host
        if item.get("protocol", "tcp") != "tcp":
            kwargs["protocol"] = item["protocol"]
        for key, keyword in (("name", "name"), ("appProtocol", "app_protocol")):
            if item.get(key) is not None:
                kwargs[keyword] = item[key]
        out.append(Call("PortMapping", [port], kwargs) if kwargs else port)
    return out


def _logging(value: Any, ctx: Ctx) -> Call:
    if not isinstance(value, dict) or "logDriver" not in value or set(value) - {"logDriver", "options"}:
        raise Carry
    options = value.get("options") or {}
    return Call("LogConfig", [value["logDriver"], options] if options else [value["logDriver"]])


def _gpu(value: Any, ctx: Ctx) -> int:
    if (not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict)
            or value[0].get("type") != "GPU" or not str(value[0].get("value", "")).isdigit()):
        raise Carry
    return int(value[0]["value"])


def _credentials(value: Any, ctx: Ctx) -> Any:
    if not isinstance(value, dict) or set(value) != {"credentialsParameter"}:
        raise Carry
    return value["credentialsParameter"]


def _ulimits(value: Any, ctx: Ctx) -> dict[str, Any]:
    """``[{name, softLimit, hardLimit}]`` as ``{"nofile": (soft, hard)}`` (one number when both agree)."""
    if not isinstance(value, list) or not all(isinstance(v, dict) and set(v) == {"name", "softLimit", "hardLimit"}
                                              for v in value):
        raise Carry
    return {v["name"]: v["softLimit"] if v["softLimit"] == v["hardLimit"] else (v["softLimit"], v["hardLimit"])
            for v in value}


def _labels(value: Any, ctx: Ctx) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Carry
    return dict(value)


def _by_key(key: str, item: str) -> Converter:
    """A list of ``{key, item}`` pairs as a mapping (system controls, extra hosts)."""
    def convert(value: Any, ctx: Ctx) -> dict[str, Any]:
        if not isinstance(value, list) or not all(isinstance(v, dict) and set(v) == {key, item} for v in value) \
                or len({v[key] for v in value}) != len(value):
            raise Carry  # (a name given twice cannot be a mapping's key twice)
        return {v[key]: v[item] for v in value}
    return convert


def _placement(value: Any, ctx: Ctx) -> list[Call]:
    out = []
    for item in value or []:
        if item.get("type") == "memberOf" and item.get("expression"):
            out.append(Call("PlacementConstraint.member_of", [item["expression"]]))
        else:
            raise Carry
    return out


def _only(value: Any, keys: set[str]) -> dict[str, Any]:
    """``value`` when it is a mapping with no key but ``keys`` (else the keyword cannot say it: Carry)."""
    if not isinstance(value, dict) or set(value) - keys:
        raise Carry
    return value


def _words(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Carry
    return list(value)


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Carry
    return value


def _linux(value: Any, ctx: Ctx) -> Call:
    """``LinuxParameters(...)`` with ``Tmpfs(...)`` and ``Device(...)``; defaults left out."""
    value = _only(value, {"capabilities", "devices", "initProcessEnabled", "maxSwap", "sharedMemorySize",
                          "swappiness", "tmpfs"})
    kwargs: dict[str, Any] = {}
    if value.get("initProcessEnabled") is not None:
        if not isinstance(value["initProcessEnabled"], bool):
            raise Carry
        kwargs["init_process_enabled"] = value["initProcessEnabled"]
    caps = _only(value.get("capabilities") or {}, {"add", "drop"})
    for key, keyword in (("add", "capabilities_add"), ("drop", "capabilities_drop")):
        if caps.get(key):
            # the model drops a CAP_ prefix and upper-cases: a name it would rewrite is carried as given
            names = _words(caps[key])
            if any(n != n.upper().removeprefix("CAP_") for n in names):
                raise Carry
            kwargs[keyword] = names
    for key, keyword in (("sharedMemorySize", "shared_memory_size"), ("maxSwap", "max_swap"),
                         ("swappiness", "swappiness")):
        if value.get(key) is not None:
            kwargs[keyword] = _whole(value[key])
    tmpfs = []
    for t in value.get("tmpfs") or []:
        t = _only(t, {"containerPath", "size", "mountOptions"})
        if not isinstance(t.get("containerPath"), str):
            raise Carry
        options = {"mount_options": _words(t["mountOptions"])} if t.get("mountOptions") else {}
        tmpfs.append(Call("Tmpfs", [t["containerPath"], _whole(t.get("size"))], options))
    if tmpfs:
        kwargs["tmpfs"] = tmpfs
    devices = []
    for d in value.get("devices") or []:
        d = _only(d, {"hostPath", "containerPath", "permissions"})
        if not isinstance(d.get("hostPath"), str):
            raise Carry
        options: dict[str, Any] = {}
        if d.get("containerPath") not in (None, d["hostPath"]):
            options["container_path"] = d["containerPath"]
        if d.get("permissions"):
            permissions = _words(d["permissions"])
            if any(p != p.lower() for p in permissions):
                raise Carry
            options["permissions"] = permissions
        devices.append(Call("Device", [d["hostPath"]], options))
    if devices:
        kwargs["devices"] = devices
    if not kwargs:
        raise Omit
    return Call("LinuxParameters", [], kwargs)


def _environment_files(value: Any, ctx: Ctx) -> list[str]:
    """``[{value, type: s3}]`` as the S3 object ARNs."""
    if not isinstance(value, list):
        raise Carry
    out = []
    for item in value:
        item = _only(item, {"value", "type"})
        if item.get("type", "s3") != "s3" or not isinstance(item.get("value"), str):
            raise Carry
        out.append(item["value"])
    return out


def _restart(value: Any, ctx: Ctx) -> Call:
    """``RestartPolicy(...)``; ECS's defaults left out."""
    value = _only(value, {"enabled", "ignoredExitCodes", "restartAttemptPeriod"})
    enabled = value.get("enabled", True)
    if not isinstance(enabled, bool):
        raise Carry
    kwargs: dict[str, Any] = {} if enabled else {"enabled": False}
    if value.get("ignoredExitCodes"):
        codes = value["ignoredExitCodes"]
        if not isinstance(codes, list):
            raise Carry
        kwargs["ignored_exit_codes"] = [_whole(c) for c in codes]
    if value.get("restartAttemptPeriod") is not None:
        kwargs["restart_attempt_period"] = _whole(value["restartAttemptPeriod"])
    return Call("RestartPolicy", [], kwargs)


def _choice(*allowed: str) -> Converter:
    """A string the model's enum takes, written as given."""
    def convert(value: Any, ctx: Ctx) -> str:
        if value not in allowed:
            raise Carry
        return value
    return convert


def _flag(value: Any, ctx: Ctx) -> bool:
    if not isinstance(value, bool):
        raise Carry
    return value


def _text(value: Any, ctx: Ctx) -> str:
    if not isinstance(value, str) or not value:
        raise Carry
    return value


def _text_list(value: Any, ctx: Ctx) -> list[str]:
    return _words(value)


#: the App Mesh proxy's properties → (keyword, kind, ECS's default)
_PROXY = {"IgnoredUID": ("ignored_uid", int, None), "IgnoredGID": ("ignored_gid", int, None),
          "AppPorts": ("app_ports", list, None), "ProxyIngressPort": ("proxy_ingress_port", int, 15000),
          "ProxyEgressPort": ("proxy_egress_port", int, 15001),
          "EgressIgnoredPorts": ("egress_ignored_ports", list, None),
          "EgressIgnoredIPs": ("egress_ignored_ips", str, None)}


def _proxy(value: Any, ctx: Ctx) -> Call:
    """``ProxyConfiguration("envoy", ignored_uid=..., app_ports=[...])`` of the APPMESH properties."""
    value = _only(value, {"type", "containerName", "properties"})
    if value.get("type", "APPMESH") != "APPMESH" or not isinstance(value.get("containerName"), str):
        raise Carry
    kwargs: dict[str, Any] = {}
    for item in value.get("properties") or []:
        item = _only(item, {"name", "value"})
        if item.get("name") not in _PROXY or item["name"] in kwargs or not isinstance(item.get("value"), str | int):
            raise Carry
        keyword, kind, default = _PROXY[item["name"]]
        text = str(item["value"]).strip()
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if kind is str:
            kwargs[keyword] = parts
        elif not all(p.isdigit() for p in parts) or (kind is int and len(parts) != 1):
            raise Carry
        elif kind is int:
            if int(parts[0]) != default:
                kwargs[keyword] = int(parts[0])
        else:
            kwargs[keyword] = [int(p) for p in parts]
    return Call("ProxyConfiguration", [value["containerName"]], {k: v for k, v in kwargs.items() if v != []})


def _ephemeral(value: Any, ctx: Ctx) -> int:
    if not isinstance(value, dict) or set(value) != {"sizeInGiB"}:
        raise Carry
    return value["sizeInGiB"]


def _tags(value: Any, ctx: Ctx) -> dict[str, Any]:
    if not isinstance(value, list) or not all(isinstance(t, dict) and "key" in t for t in value):
        raise Carry
    return {t["key"]: t.get("value", "") for t in value}


# ---- the tables -----------------------------------------------------------------------------------

#: container definition keys → (keyword, converter)
CONTAINER_KEYS: dict[str, tuple[str, Converter]] = {
    "essential": ("essential", _essential),
    "portMappings": ("ports", _ports),
    "command": ("command", _same),
    "entryPoint": ("entry_point", _same),
    "environment": ("environment", _environment),
    "secrets": ("secrets", _secrets),
    "healthCheck": ("health_check", _health),
    "cpu": ("cpu", _same),
    "memory": ("memory", _same),
    "memoryReservation": ("memory_reservation", _same),
    "workingDirectory": ("working_directory", _same),
    "user": ("user", _same),
    "readonlyRootFilesystem": ("readonly_root_filesystem", _same),
    "startTimeout": ("start_timeout", _timeout("startTimeout")),
    "stopTimeout": ("stop_timeout", _timeout("stopTimeout")),
    "logConfiguration": ("logging", _logging),
    "resourceRequirements": ("gpu", _gpu),
    "linuxParameters": ("linux_parameters", _linux),
    "ulimits": ("ulimits", _ulimits),
    "dockerLabels": ("docker_labels", _labels),
    "privileged": ("privileged", _flag),
    "systemControls": ("system_controls", _by_key("namespace", "value")),
    "repositoryCredentials": ("repository_credentials", _credentials),
    "environmentFiles": ("environment_files", _environment_files),
    "dnsServers": ("dns_servers", _text_list),
    "dnsSearchDomains": ("dns_search_domains", _text_list),
    "extraHosts": ("extra_hosts", _by_key("hostname", "ipAddress")),
    "hostname": ("hostname", _text),
    "links": ("links", _text_list),
    "interactive": ("interactive", _flag),
    "pseudoTerminal": ("pseudo_terminal", _flag),
    "disableNetworking": ("disable_networking", _flag),
    "dockerSecurityOptions": ("docker_security_options", _text_list),
    "restartPolicy": ("restart_policy", _restart),
    "versionConsistency": ("version_consistency", _choice("enabled", "disabled")),
    "credentialSpecs": ("credential_specs", _text_list),
}

#: container keys the importer writes as statements or builder arguments rather than keywords
STATEMENT_KEYS = frozenset({"name", "image", "dependsOn", "mountPoints", "volumesFrom", "firelensConfiguration"})

#: task definition keys → (keyword, converter); family, network mode, compatibilities, size, volumes and
#: runtime platform are decided by the importer itself
TASK_KEYS: dict[str, tuple[str, Converter]] = {
    "taskRoleArn": ("task_role", _role("TaskRoleArn")),
    "executionRoleArn": ("execution_role", _role("ExecutionRoleArn")),
    "ephemeralStorage": ("ephemeral_storage_gib", _ephemeral),
    "pidMode": ("pid_mode", _choice("host", "task")),
    "ipcMode": ("ipc_mode", _choice("host", "task", "none")),
    "proxyConfiguration": ("proxy_configuration", _proxy),
    "placementConstraints": ("placement_constraints", _placement),
    "tags": ("tags", _tags),
    "enableFaultInjection": ("enable_fault_injection", _flag),
}

#: the keywords of the tables (the model takes each: tests/importers checks that no fixture carries their keys
#: in overrides=)
KNOWN_TODAY = frozenset(kw for kw, _ in (*CONTAINER_KEYS.values(), *TASK_KEYS.values()))

#: keywords whose value the importer writes from what it decided (clamped timings, adjusted ports, roles as
#: parameters, the log configuration split from its secret options); every other keyword's value is checked
#: after synthesis to be the input's, and carried in overrides= when it is not or a rule refuses it
ADJUSTED = frozenset({
    "essential", "ports", "command", "entry_point", "environment", "secrets", "health_check", "cpu", "memory",
    "memory_reservation", "working_directory", "user", "readonly_root_filesystem", "start_timeout",
    "stop_timeout", "logging", "gpu", "task_role", "execution_role", "ephemeral_storage_gib"})


# ---- writing one key ------------------------------------------------------------------------------

def carry(cls: type, key: str, value: Any, overrides: dict[str, Any], ctx: Ctx) -> None:
    """``key`` into ``overrides`` under its CloudFormation name (of ``cls``), or a warning when it has none."""
    name = property_name(cls, key)
    if name is None:
        ctx.warnings.append(f"{ctx.path}: unknown key {key!r} left out (neither ECS nor CloudFormation knows it).")
        return
    unknown: list[str] = []
    overrides[name] = pascal_value(cls, name, value, unknown, key)
    for item in unknown:
        ctx.warnings.append(f"{ctx.path}: unknown key {item!r} left out (CloudFormation does not know it).")


def write(table: dict[str, tuple[str, Converter]], cls: type, key: str, value: Any, kwargs: dict[str, Any],
          overrides: dict[str, Any], ctx: Ctx, keywords: frozenset[str], demote: frozenset[str]) -> bool:
    """Write the API's ``key``: with its keyword from ``table`` when the model takes it (``keywords``) and it is
    not in ``demote``, else into ``overrides``. True when the keyword's value is to be checked against the
    input after synthesis (it is not ``ADJUSTED``), so the caller can carry it in overrides= should it differ."""
    entry = table.get(key)
    if entry is not None and entry[0] in keywords and (entry[0] in ADJUSTED or entry[0] not in demote):
        try:
            kwargs[entry[0]] = entry[1](value, ctx)
            return entry[0] not in ADJUSTED
        except Omit:
            return False
        except (Carry, KeyError, TypeError, ValueError, AttributeError):
            pass
    carry(cls, key, value, overrides, ctx)
    return False
