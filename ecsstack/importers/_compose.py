"""``ecsstack import compose``: a compose file → one Fargate task with every service as a container (the
sidecar pattern), or one ECS service per compose service calling each other through Service Connect."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ..rules.tasks import MAX_CONTAINERS
from ._cfn import CONTAINER
from ._common import TIMEOUT_RANGE, ImportFailed, ImportResult, clamp, fargate_size, run_blueprint, stack_name
from ._mapping import CONTAINER_KEYS, Ctx, container_keywords, health_check, secret_expr, write
from ._plan import Blueprint, ContainerPlan, ServicePlan, TaskPlan, VolumePlan, deploy_order, overridden, render
from ._source import Call, Raw, identifier
from ._units import InterpolationError, cpu_units, interpolate, mebibytes, seconds

__all__ = ["MODES", "import_compose", "load_compose"]

MODES = ("auto", "task", "services")
_CONDITIONS = {"service_started": "START", "service_healthy": "HEALTHY",
               "service_completed_successfully": "SUCCESS"}
#: service keys with nothing to carry on ECS (compose-local naming, networks)
_QUIET = frozenset({"container_name", "networks", "pull_policy", "scale", "domainname", "mac_address",
                    "oom_score_adj", "oom_kill_disable", "cgroup_parent", "annotations", "attach", "develop"})
_HANDLED = frozenset({"volumes_from", "links", "external_links", "image", "build", "command", "entrypoint",
                      "environment", "env_file", "ports", "expose", "healthcheck", "depends_on", "deploy", "secrets",
                      "user", "working_dir", "read_only", "stop_grace_period", "ulimits", "labels", "volumes",
                      "network_mode", "privileged", "devices", "profiles", "extends", "init", "cap_add", "cap_drop",
                      "tmpfs", "hostname", "extra_hosts", "dns", "dns_search", "logging", "stdin_open", "tty",
                      "sysctls", "shm_size", "cpus", "mem_limit", "mem_reservation", "configs", "stop_signal",
                      "platform", "security_opt", "restart"})


_TEXT, _NUMBER = (str,), (int, float)
#: what compose allows for each key this importer reads (the compose specification's types)
_SHAPES: dict[str, tuple[type, ...]] = {
    "image": _TEXT, "build": (str, dict), "command": (str, list), "entrypoint": (str, list),
    "environment": (list, dict), "env_file": (str, list, dict), "ports": (list,), "expose": (list,),
    "healthcheck": (dict,), "depends_on": (list, dict), "deploy": (dict,), "secrets": (list,),
    "user": (str, int), "working_dir": _TEXT, "read_only": (bool,), "stop_grace_period": (str, *_NUMBER),
    "ulimits": (dict,), "labels": (list, dict), "volumes": (list,), "network_mode": _TEXT, "privileged": (bool,),
    "devices": (list,), "profiles": (list,), "extends": (str, dict), "init": (bool,), "cap_add": (list,),
    "cap_drop": (list,), "tmpfs": (str, list), "hostname": _TEXT, "extra_hosts": (list, dict),
    "dns": (str, list), "dns_search": (str, list), "logging": (dict,), "stdin_open": (bool,), "tty": (bool,),
    "sysctls": (list, dict), "shm_size": (str, *_NUMBER), "cpus": (str, *_NUMBER), "mem_limit": (str, *_NUMBER),
    "mem_reservation": (str, *_NUMBER), "configs": (list,), "links": (list,), "external_links": (list,),
    "platform": _TEXT, "volumes_from": (list,), "security_opt": (list,), "restart": (str, bool)}
_KINDS = {str: "a string", int: "a number", float: "a number", bool: "true or false", list: "a list",
          dict: "a mapping"}


def _check_service(name: str, service: dict[str, Any]) -> None:
    """Refuse a value compose would refuse too, naming it (rather than failing somewhere inside)."""
    def bad(key: str, value: Any, allowed: str) -> ImportFailed:
        return ImportFailed(f"service {name}: {key} must be {allowed}, got {value!r} (docker compose refuses it "
                            "too).")

    for key, kinds in _SHAPES.items():
        value = service.get(key)
        if value is None:
            continue
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            raise bad(key, value, " or ".join(dict.fromkeys(_KINDS[k] for k in kinds)))
    nested: list[tuple[str, Any, tuple[type, ...]]] = []
    deploy = service.get("deploy") or {}
    resources = deploy.get("resources")
    nested.append(("deploy.resources", resources, (dict,)))
    for part in ("limits", "reservations"):
        nested.append((f"deploy.resources.{part}", (resources or {}).get(part) if isinstance(resources, dict)
                       else None, (dict,)))
    check = service.get("healthcheck") or {}
    nested += [("healthcheck.test", check.get("test"), (str, list)), ("healthcheck.retries", check.get("retries"),
                                                                        (int,))]
    for limit, value in (service.get("ulimits") or {}).items():
        nested.append((f"ulimits.{limit}", value, (int, dict)))
        if isinstance(value, dict):
            nested += [(f"ulimits.{limit}.{k}", value.get(k), (int,)) for k in ("soft", "hard")]
    for key, kinds in (("ports", (str, int, dict)), ("expose", (str, int)), ("volumes", (str, dict)),
                       ("secrets", (str, dict)), ("env_file", (str, dict)), ("profiles", (str,)),
                       ("cap_add", (str,)), ("cap_drop", (str,))):
        items = service.get(key)
        for item in items if isinstance(items, list) else []:
            nested.append((key, item, kinds))
    depends = service.get("depends_on")
    for target, spec in depends.items() if isinstance(depends, dict) else []:
        nested.append((f"depends_on.{target}", spec, (dict,)))
    for item in depends if isinstance(depends, list) else []:
        nested.append(("depends_on", item, (str,)))
    for key, value, kinds in nested:
        if value is not None and (not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))):
            raise bad(key, value, " or ".join(dict.fromkeys(_KINDS[k] for k in kinds)))


def _env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file (``#`` comments, ``export``, single or double quotes)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key.strip()] = value
    return out


def _interpolated(value: Any, env: Mapping[str, str], missing: set[str]) -> Any:
    if isinstance(value, str):
        return interpolate(value, env, missing)
    if isinstance(value, list):
        return [_interpolated(v, env, missing) for v in value]
    if isinstance(value, dict):
        return {k: _interpolated(v, env, missing) for k, v in value.items()}
    return value


def _merge(base: Any, over: Any, key: str = "") -> Any:
    """``over`` on top of ``base`` as ``extends`` merges: mappings key by key, environment and labels by
    name, command-like lists replaced, other lists appended."""
    if key in ("environment", "labels") and (isinstance(base, list) or isinstance(over, list)):
        return {**_as_map(base), **_as_map(over)}
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v, k) if k in base else v
        return out
    if isinstance(base, list) and isinstance(over, list) and key not in ("command", "entrypoint", "test"):
        return base + [v for v in over if v not in base]
    return over


def _as_map(value: Any) -> dict[str, Any]:
    """Compose's list-or-map forms (``["K=V", "K"]`` or ``{K: V}``) as a map (``K`` alone → None)."""
    if isinstance(value, dict):
        return dict(value)
    out: dict[str, Any] = {}
    for item in value or []:
        key, sep, val = str(item).partition("=")
        out[key] = val if sep else None
    return out


def load_compose(text: str, base_dir: Path | None = None, environ: Mapping[str, str] | None = None,
                 profiles: list[str] | None = None) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(services, top-level document, warnings): the compose file parsed (anchors and merge keys), its
    variables resolved from ``environ`` (Default ``os.environ`` plus a ``.env`` beside the file, as docker
    compose reads), ``extends`` within the file applied, and services under inactive profiles left out."""
    warnings: list[str] = []
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportFailed(f"this is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict) or not doc["services"]:
        raise ImportFailed("this is not a compose file: it needs a services: mapping with at least one service.")
    env: dict[str, str] = {}
    dotenv = (base_dir or Path(".")) / ".env"
    if environ is None and dotenv.is_file():
        env.update(_env_file(dotenv))
    env.update(os.environ if environ is None else environ)
    missing: set[str] = set()
    try:
        doc = _interpolated(doc, env, missing)
    except InterpolationError as exc:
        raise ImportFailed(f"compose interpolation: {exc}") from None
    for name in sorted(missing):
        warnings.append(f"the variable {name} is not set and reads as an empty string (as docker compose does); "
                        "set it in the environment or .env and import again.")
    raw = {str(k): (v or {}) for k, v in doc["services"].items()}
    for name, service in raw.items():
        if not isinstance(service, dict):
            raise ImportFailed(f"service {name} must be a mapping, got {service!r}.")
        _check_service(name, service)
    if not isinstance(doc.get("volumes") or {}, dict) or not isinstance(doc.get("secrets") or {}, dict):
        raise ImportFailed("the top-level volumes: and secrets: must be mappings.")

    def resolved(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
        service = raw[name]
        extends = service.get("extends")
        if extends is None:
            return service
        target = extends if isinstance(extends, str) else extends.get("service")
        if isinstance(extends, dict) and extends.get("file"):
            warnings.append(f"service {name}: extends from another file ({extends['file']}) is not followed; "
                            "copy what it needs into this file.")
            return {k: v for k, v in service.items() if k != "extends"}
        if target not in raw or target in seen:
            raise ImportFailed(f"service {name} extends {target!r}, which is not a service of this file"
                               f"{' (a cycle)' if target in seen else ''}.")
        base = {k: v for k, v in resolved(target, (*seen, name)).items() if k not in ("depends_on", "extends")}
        return _merge(base, {k: v for k, v in service.items() if k != "extends"})

    services: dict[str, Any] = {}
    active = set(profiles or [])
    for name in raw:
        service = resolved(name)
        _check_service(name, service)
        wanted = service.get("profiles")
        if wanted and not active & set(wanted):
            continue
        services[name] = service
    if not services:
        raise ImportFailed("no service is active: every service is under a profile; name one with --profile.")
    return services, doc, warnings


class _Compose:
    """One compose import: decides the mode and fills the plan."""

    def __init__(self, services: dict[str, Any], doc: dict[str, Any], name: str, base_dir: Path,
                 env: Mapping[str, str], warnings: list[str]):
        self.services, self.doc, self.base_dir, self.env = services, doc, base_dir, env
        self.name = stack_name(name)
        self.warnings = warnings
        self.keywords = container_keywords()
        #: keywords to leave in overrides= (after they did not synthesize)
        self.demote: frozenset[str] = frozenset()
        self.new_keywords = False
        self.origin = "compose.yaml"
        self.parameters: list[tuple[str, Call]] = []
        self.container_names: dict[str, str] = {}
        for service in services:  # unique, also where two names differ only in characters ECS does not take
            base = candidate = self._container_name(service)
            n = 2
            while candidate in self.container_names.values():
                candidate, n = f"{base}-{n}", n + 1
            self.container_names[service] = candidate

    def warn(self, service: str, text: str) -> None:
        self.warnings.append(f"service {service}: {text}")

    @staticmethod
    def _container_name(service: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]", "-", service)[:255] or "app"

    # ---- the mode ----------------------------------------------------------------------------------
    def decide(self, mode: str) -> tuple[str, str]:
        ports: dict[int, list[str]] = {}
        for name, service in self.services.items():
            for port in {p for p, _, _ in self._ports(name, service, quiet=True)}:
                ports.setdefault(port, []).append(name)
        clash = next(((p, names) for p, names in sorted(ports.items()) if len(names) > 1), None)
        if mode != "auto":
            return mode, f"--mode {mode}"
        if len(self.services) > MAX_CONTAINERS:
            return "services", f"{len(self.services)} services do not fit in one task (at most {MAX_CONTAINERS})"
        if clash:
            return "services", (f"{' and '.join(clash[1])} both listen on port {clash[0]}, which containers of one "
                                "task (sharing one network namespace) cannot")
        return "task", (f"{len(self.services)} service{'s' if len(self.services) != 1 else ''} fit in one task "
                        f"(at most {MAX_CONTAINERS} containers, no two listening on the same port)")

    # ---- pieces of a service -------------------------------------------------------------------------
    def _ports(self, name: str, service: dict[str, Any], quiet: bool = False) -> list[tuple[int, str, str | None]]:
        """(container port, protocol, published port) of ``ports`` and ``expose``."""
        out: list[tuple[int, str, str | None]] = []
        for item in service.get("ports") or []:
            if isinstance(item, dict):
                target, published = item.get("target"), item.get("published")
                protocol = item.get("protocol", "tcp")
                targets = [int(target)] if str(target).isdigit() else []
                pairs = [(t, str(published) if published is not None else None) for t in targets]
            else:
                text, _, protocol = str(item).partition("/")
                protocol = protocol or "tcp"
                parts = text.rsplit(":", 2)
                container = parts[-1]
                published = parts[-2] if len(parts) >= 2 else None
                if len(parts) == 3 and not quiet:
                    self.warn(name, f"port {item!r} binds the host address {parts[0]}; a task has its own network "
                              "interface, so the port is open on it (restrict it with the security group).")
                if "-" in container:
                    low, _, high = container.partition("-")
                    if not (low.isdigit() and high.isdigit()) or int(high) - int(low) > 20:
                        if not quiet:
                            self.warn(name, f"port range {item!r} is left out (too wide to map one by one).")
                        continue
                    pairs = [(p, None) for p in range(int(low), int(high) + 1)]
                else:
                    pairs = [(int(container), published)] if container.isdigit() else []
            for port, published in pairs:
                if published not in (None, "", str(port)) and not quiet:
                    self.warn(name, f"port {published} is published as container port {port}: under awsvpc a task "
                              f"listens on its own ports, so clients use {port} (or put a load balancer in front).")
                out.append((port, protocol, published))
        for item in service.get("expose") or []:
            text = str(item).partition("/")[0]
            if text.isdigit() and not any(p == int(text) for p, _, _ in out):
                out.append((int(text), str(item).partition("/")[2] or "tcp", None))
        return out

    def _command(self, value: Any) -> list[str]:
        return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]

    def _environment(self, name: str, service: dict[str, Any]) -> dict[str, str]:
        env: dict[str, Any] = {}
        files = service.get("env_file") or []
        for item in [files] if isinstance(files, str | dict) else files:
            path_text, required = (item.get("path"), item.get("required", True)) if isinstance(item, dict) \
                else (item, True)
            path = self.base_dir / str(path_text)
            if not path.is_file():
                if required:
                    raise ImportFailed(f"service {name}: env_file {path_text} does not exist (beside the compose "
                                       "file); create it or mark it required: false.")
                continue
            env.update(_env_file(path))
        for key, value in _as_map(service.get("environment")).items():
            if value is None:
                if key not in self.env:
                    self.warn(name, f"environment variable {key} takes its value from the environment, where it "
                              "is not set; it is left out.")
                    continue
                value = self.env[key]
            env[key] = "true" if value is True else "false" if value is False else str(value)
        return env

    def _health(self, name: str, service: dict[str, Any], ctx: Ctx) -> Call | None:
        check = service.get("healthcheck")
        if not isinstance(check, dict) or check.get("disable"):
            return None
        test = check.get("test")
        if isinstance(test, str):
            command = ["CMD-SHELL", test]
        elif isinstance(test, list) and test and test[0] in ("CMD", "CMD-SHELL"):
            command = [str(t) for t in test]
            if command[0] == "CMD-SHELL" and len(command) > 2:
                command = ["CMD-SHELL", shlex.join(command[1:])]
        elif isinstance(test, list) and test and test[0] == "NONE":
            return None
        else:
            self.warn(name, f"healthcheck test {test!r} is not CMD, CMD-SHELL or a string; it is left out.")
            return None
        timing: dict[str, Any] = {}
        for key, keyword in (("interval", "interval"), ("timeout", "timeout"), ("start_period", "start_period")):
            if key in check:
                value = seconds(check[key])
                if value is None:
                    self.warn(name, f"healthcheck {key} {check[key]!r} is not a duration; ECS's default is used.")
                else:
                    timing[keyword] = value
        if "retries" in check:
            timing["retries"] = int(check["retries"])
        if "start_interval" in check:
            self.warn(name, "healthcheck start_interval has no ECS counterpart; it is left out.")
        return health_check(command, ctx, **timing)

    def _resources(self, name: str, service: dict[str, Any]) -> dict[str, int]:
        resources = (service.get("deploy") or {}).get("resources") or {}
        limits, reservations = resources.get("limits") or {}, resources.get("reservations") or {}
        out: dict[str, int] = {}
        cpu = cpu_units(limits.get("cpus", service.get("cpus", reservations.get("cpus"))))
        if cpu is not None:
            out["cpu"] = cpu
        memory = mebibytes(limits.get("memory", service.get("mem_limit"))) \
            if limits.get("memory", service.get("mem_limit")) is not None else None
        reserve = mebibytes(reservations.get("memory", service.get("mem_reservation"))) \
            if reservations.get("memory", service.get("mem_reservation")) is not None else None
        if memory is not None:
            out["memory"] = memory
        if reserve is not None and (memory is None or reserve <= memory):
            out["memory_reservation"] = reserve
        if reservations.get("devices"):
            self.warn(name, "deploy.resources.reservations.devices (GPUs) need EC2 capacity with GPUs; left out.")
        return out

    def _secrets(self, name: str, service: dict[str, Any]) -> dict[str, Call]:
        out: dict[str, Call] = {}
        for item in service.get("secrets") or []:
            source = item.get("source") if isinstance(item, dict) else str(item)
            target = (item.get("target") if isinstance(item, dict) else None) or source
            variable = re.sub(r"[^A-Za-z0-9_]", "_", str(target).rsplit("/", 1)[-1]).upper()
            parameter = f"/{self.name}/{source}"
            out[variable] = secret_expr(parameter)
            self.warn(name, f"secret {source} becomes the environment variable {variable} from the SSM parameter "
                      f"{parameter}, a placeholder: create it (or point Secret.secrets_manager at a secret), and read "
                      f"the variable rather than /run/secrets/{target}.")
        return out

    def _unsupported(self, name: str, service: dict[str, Any], plan: ContainerPlan) -> None:
        """What ECS on Fargate cannot run as written: a warning each, with what to do instead."""
        if service.get("network_mode"):
            mode = service["network_mode"]
            self.warn(name, f"network_mode {mode} does not run on Fargate; the task uses awsvpc, where "
                      + ("its ports are the task's own, as with host networking." if mode == "host"
                         else "containers of one task share a network namespace (localhost)."))
        # what only EC2 runs: a warning each saying the keyword to write on EC2 (the task is Fargate's)
        if service.get("privileged"):
            self.warn(name, "privileged containers do not run on Fargate; left out. Grant only the capabilities it "
                      "needs, or run it on EC2 with privileged=True.")
        if service.get("devices"):
            self.warn(name, f"devices {service['devices']!r} are not available on Fargate; left out (on EC2: "
                      "linux_parameters=LinuxParameters(devices=[Device(...)])).")
        for key, what, keyword in (("hostname", "a hostname", "hostname"),
                                   ("extra_hosts", "extra hosts", "extra_hosts"), ("dns", "DNS servers", "dns_servers"),
                                   ("dns_search", "DNS search domains", "dns_search_domains")):
            if service.get(key):
                self.warn(name, f"{key}: awsvpc tasks take no {what}; left out (use Service Connect names or "
                          f"Route 53; {keyword}= needs an EC2 task in bridge mode).")
        if service.get("tmpfs"):
            self.warn(name, "tmpfs mounts are not available on Fargate; left out (write to a volume instead; on EC2: "
                      "linux_parameters=LinuxParameters(tmpfs=[Tmpfs(path, size=...)])).")
        if service.get("security_opt"):
            self.warn(name, f"security_opt {service['security_opt']!r} is not available on Fargate; left out (on EC2: "
                      "docker_security_options=[...], e.g. no-new-privileges).")
        if service.get("links") or service.get("external_links"):
            self.warn(name, "links are not needed: in one task containers reach each other on localhost, as "
                      "services through Service Connect by name; left out.")
        extra = sorted(set(service.get("deploy") or {}) - {"resources", "replicas"})
        if extra:
            self.warn(name, f"deploy {', '.join(extra)} left out: ECS deploys with the service's own settings "
                      "(min_healthy_percent, max_percent, circuit breaker) and places tasks itself.")
        if service.get("stop_signal"):
            self.warn(name, f"stop_signal {service['stop_signal']}: ECS stops a container with its image's STOPSIGNAL "
                      "(SIGTERM by default); set STOPSIGNAL in the Dockerfile.")
        if service.get("configs"):
            self.warn(name, "configs are files compose copies in; bake them into the image or use EFS; left out.")
        if isinstance(service.get("logging"), dict) and service["logging"].get("driver") not in (None, "awslogs"):
            self.warn(name, f"logging driver {service['logging']['driver']} is replaced by awslogs into the task's "
                      "log group (ecsstack's default).")
        linux: dict[str, Any] = {}
        if service.get("init"):
            linux["initProcessEnabled"] = True
        # Docker takes CAP_SYS_PTRACE and SYS_PTRACE alike; ECS only the latter
        drop = [str(c).upper().removeprefix("CAP_") for c in service.get("cap_drop") or []]
        wanted = [str(c).upper().removeprefix("CAP_") for c in service.get("cap_add") or []]
        add = [c for c in wanted if c == "SYS_PTRACE"]
        if set(wanted) - {"SYS_PTRACE"}:
            self.warn(name, f"cap_add {sorted(set(wanted) - {'SYS_PTRACE'})} is not allowed on Fargate "
                      "(only SYS_PTRACE); left out.")
        if add or drop:
            linux["capabilities"] = {k: v for k, v in (("add", add), ("drop", drop)) if v}
        if service.get("shm_size"):
            self.warn(name, f"shm_size {service['shm_size']} is not available on Fargate; left out (on EC2: "
                      "linux_parameters=LinuxParameters(shared_memory_size=<MiB>)).")
        self._carry(plan, "linuxParameters", linux)
        ulimits = []
        for key, value in (service.get("ulimits") or {}).items():
            soft, hard = (value.get("soft"), value.get("hard")) if isinstance(value, dict) else (value, value)
            ulimits.append({"name": key, "softLimit": int(soft), "hardLimit": int(hard)})
        self._carry(plan, "ulimits", ulimits)
        labels = {k: ("" if v is None else str(v)) for k, v in _as_map(service.get("labels")).items()}
        self._carry(plan, "dockerLabels", labels)
        sysctls = {k: v for k, v in _as_map(service.get("sysctls")).items()}
        refused = sorted(k for k in sysctls if not k.startswith("net."))
        if refused:
            self.warn(name, f"sysctls {', '.join(refused)}: Fargate sets only net.* kernel parameters; left out.")
        self._carry(plan, "systemControls", [{"namespace": k, "value": "" if v is None else str(v)}
                                             for k, v in sysctls.items() if k not in refused])
        self._carry(plan, "interactive", service.get("stdin_open") or None)
        self._carry(plan, "pseudoTerminal", service.get("tty") or None)
        for key in service:
            if key not in _HANDLED and key not in _QUIET and not key.startswith("x-"):
                self.warn(name, f"unknown key {key!r} left out (ECS has no counterpart).")

    def _carry(self, plan: ContainerPlan, key: str, value: Any) -> None:
        """An ECS container setting (the API's ``key``): its keyword when the model has one, else
        ``overrides=`` (the same table as ``import taskdef``)."""
        if value in (None, [], {}):
            return
        ctx = Ctx(f"container {plan.name}", "awsvpc", self.warnings)
        if write(CONTAINER_KEYS, CONTAINER, key, value, plan.kwargs, plan.overrides, ctx, self.keywords,
                 self.demote):
            self.new_keywords = True

    def _image(self, name: str, service: dict[str, Any]) -> Any:
        if service.get("image"):
            if service.get("build"):
                self.warn(name, f"build: is not run by ECS; the image {service['image']} must be pushed to a "
                          "registry the task can pull from (ECR).")
            return str(service["image"])
        if service.get("build") is None:
            raise ImportFailed(f"service {name} has neither image: nor build:; compose could not run it either.")
        base = re.sub(r"[^A-Za-z0-9]", "", name.title()) or "App"
        parameter, n = f"{base}Image", 2
        while any(call.args[0] == parameter for _, call in self.parameters):  # a-b and a_b: one each
            parameter, n = f"{base}{n}Image", n + 1
        var = identifier(f"{name}_image", {v for v, _ in self.parameters})
        self.parameters.append((var, Call("stack.parameter", [parameter], {
            "description": f"Image of {name} (compose builds it; push it to ECR and pass its URI)"})))
        self.warn(name, f"build: without image: ECS pulls images, it does not build them; build and push it, "
                  f"then pass its URI as the stack parameter {parameter} (ecr_repository= names its repository).")
        return Raw(var)

    def container(self, name: str, service: dict[str, Any], volumes: dict[str, str]) -> ContainerPlan:
        """The container for compose service ``name``; named volumes it mounts are added to ``volumes``."""
        ctx = Ctx(f"service {name}", "awsvpc", self.warnings)
        plan = ContainerPlan(self.container_names[name], self._image(name, service))
        if isinstance(plan.image, Raw):
            plan.kwargs["ecr_repository"] = name.lower()
        ports = self._ports(name, service)
        if ports:
            plan.kwargs["ports"] = [port if protocol == "tcp" else Call("PortMapping", [port], {"protocol": protocol})
                                    for port, protocol, _ in ports]
        for key, keyword in (("entrypoint", "entry_point"), ("command", "command")):
            if service.get(key) is not None and self._command(service[key]):
                plan.kwargs[keyword] = self._command(service[key])
        environment = self._environment(name, service)
        secrets = self._secrets(name, service)
        for key in set(environment) & set(secrets):
            del environment[key]
        if environment:
            plan.kwargs["environment"] = environment
        if secrets:
            plan.kwargs["secrets"] = secrets
        health = self._health(name, service, ctx)
        if health is not None:
            plan.kwargs["health_check"] = health
        plan.kwargs.update(self._resources(name, service))
        if service.get("working_dir"):
            plan.kwargs["working_directory"] = str(service["working_dir"])
        if service.get("user") is not None:
            plan.kwargs["user"] = str(service["user"])
        if service.get("read_only"):
            plan.kwargs["readonly_root_filesystem"] = True
        if service.get("stop_grace_period") is not None:
            value = seconds(service["stop_grace_period"])
            if value is not None:
                plan.kwargs["stop_timeout"] = clamp(value, *TIMEOUT_RANGE, f"service {name}: stop_grace_period "
                                                    f"{service['stop_grace_period']} (stop timeout)", self.warnings)
        self._unsupported(name, service, plan)
        self._volumes(name, service, plan, volumes)
        return plan

    def _volumes(self, name: str, service: dict[str, Any], plan: ContainerPlan, volumes: dict[str, str]) -> None:
        declared = self.doc.get("volumes") or {}
        for item in service.get("volumes") or []:
            if isinstance(item, dict):
                kind, source, target = item.get("type", "volume"), item.get("source"), item.get("target")
                read_only = bool(item.get("read_only"))
            else:
                parts = str(item).split(":")
                if len(parts) == 1:
                    kind, source, target, read_only = "volume", None, parts[0], False
                else:
                    source, target = parts[0], parts[1]
                    read_only = len(parts) > 2 and "ro" in parts[2].split(",")
                    kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            if not target:
                continue
            if kind == "bind":
                self.warn(name, f"the host directory {source} cannot be mounted on Fargate (there is no host); left "
                          f"out. Bake the files into the image, or put them on EFS and mount that at {target}.")
                continue
            if kind == "tmpfs":
                self.warn(name, f"tmpfs at {target} is not available on Fargate; left out.")
                continue
            volume = re.sub(r"[^A-Za-z0-9_-]", "-", source or f"{plan.name}-{target.strip('/').replace('/', '-')}")
            if source and source not in declared:
                self.warn(name, f"volume {source} is not declared under the top-level volumes:; it is made anyway.")
            if volume not in volumes:
                volumes[volume] = name
                self.warn(name, f"named volume {volume} becomes task storage that lives as long as the task "
                          "(Fargate ephemeral storage); for data that must survive, make it an EFS volume "
                          "(task.add_efs_volume) and mount that.")
            plan.mounts.append((volume, target, read_only))

    # ---- the plan --------------------------------------------------------------------------------
    def _task(self, task_name: str, names: list[str]) -> TaskPlan:
        volumes: dict[str, str] = {}
        task = TaskPlan(task_name, "FargateTaskDefinition")
        for name in names:
            task.containers.append(self.container(name, self.services[name], volumes))
        task.volumes = [VolumePlan(v, "add_bind_volume") for v in volumes]
        used: dict[tuple[int, str], str] = {}
        for name, c in zip(names, task.containers, strict=True):
            kept = []
            for port in c.kwargs.get("ports") or []:
                number = port if isinstance(port, int) else port.args[0]
                protocol = "tcp" if isinstance(port, int) else port.kwargs.get("protocol", "tcp")
                if (number, protocol) in used:
                    self.warn(name, f"port {number}/{protocol} is already {used[number, protocol]}'s in this task "
                              "(its containers share one network namespace); left out of this container.")
                    continue
                used[number, protocol] = name
                kept.append(port)
            if kept:
                c.kwargs["ports"] = kept
            else:
                c.kwargs.pop("ports", None)
        platforms = {str(self.services[n].get("platform", "")).lower() for n in names}
        if platforms in ({"linux/arm64"}, {"linux/arm64/v8"}):
            task.kwargs["cpu_architecture"] = "ARM64"
        elif len(platforms - {""}) > 1:
            self.warn(names[0], f"the containers of one task run on one platform, not {sorted(platforms - {''})}; "
                      "the task runs on X86_64.")
        cpu = sum(c.kwargs.get("cpu", 0) for c in task.containers)
        memory = sum(max(c.kwargs.get("memory", 0), c.kwargs.get("memory_reservation", 0)) for c in task.containers)
        size = fargate_size(max(cpu, 256), max(memory, 512))
        for keys, asked, most, unit in ((("cpu",), cpu, size[0], "CPU units"),
                                        (("memory", "memory_reservation"), memory, size[1], "MiB")):
            if asked > most:  # more than the largest Fargate task: the containers share what there is
                for c in task.containers:
                    for key in keys:
                        c.kwargs.pop(key, None)
                self.warn(names[0], f"the containers ask for {asked} {unit} in all, more than the largest Fargate "
                          f"task ({most}); their {' and '.join(keys)} are left out, so they share the task's.")
        task.kwargs = {"cpu": size[0], "memory": size[1], **task.kwargs}
        if (cpu, memory) != (0, 0) and size != (cpu, memory):
            task.comments.append(f"the containers ask for {cpu} CPU units and {memory} MiB; rounded up to the "
                                 f"nearest Fargate size, {size[0]} CPU units and {size[1]} MiB")
        return task

    def _depends(self, name: str) -> list[tuple[str, str]]:
        value = self.services[name].get("depends_on") or []
        items = {d: {} for d in value} if isinstance(value, list) else value
        out = []
        for target, spec in items.items():
            if target not in self.services:
                self.warn(name, f"depends_on {target}, which is not imported (under an inactive profile, or not "
                          "defined); left out.")
                continue
            condition = _CONDITIONS.get((spec or {}).get("condition", "service_started"), "START")
            out.append((target, condition))
        return out

    def _restarts(self, task: TaskPlan, names: list[str]) -> None:
        """``restart:`` as a restart policy where it means something on ECS: in a task of several containers
        ECS then restarts the one container in place, as compose does, instead of stopping the whole task.
        A task of one container is replaced by its service when the container exits, so there is nothing to
        write. A container others wait on to complete is not restarted when it exits with 0."""
        waited = {target for c in task.containers for target, condition in c.depends
                  if condition in ("SUCCESS", "COMPLETE")}
        for name, c in zip(names, task.containers, strict=True):
            given = self.services[name].get("restart")
            if given in (None, False, "no", ""):
                continue
            kind, _, count = str(given).partition(":")
            if kind not in ("always", "unless-stopped", "on-failure"):
                self.warn(name, f"restart: {given} is not one of no, always, unless-stopped, on-failure[:N]; left out.")
                continue
            if len(task.containers) == 1:
                self.warn(name, f"restart: {given}: its ECS service starts a new task whenever the container exits, "
                          "so no restart policy is needed.")
                continue
            codes = [0] if kind == "on-failure" or c.name in waited else []
            self._carry(c, "restartPolicy", {"enabled": True, **({"ignoredExitCodes": codes} if codes else {})})
            self.warn(name, f"restart: {given} → restart_policy: ECS restarts the container in place when it exits"
                      + (" with a non-zero code" if codes else "")
                      + (" (the others wait for it to complete)" if kind != "on-failure" and codes else "")
                      + ", while the task's other containers keep running (one that exits less than 300 s after "
                      "it started is not restarted)" + (f"; ECS has no retry count (:{count} is left out)" if count
                                                        else "") + ".")

    def plan_task(self, reason: str) -> Blueprint:
        task = self._task(self.name, list(self.services))
        for name in self.services:
            container = task.container(self.container_names[name])
            assert container is not None
            for target, condition in self._depends(name):
                other = task.container(self.container_names[target])
                assert other is not None
                if condition == "HEALTHY" and "health_check" not in other.kwargs:
                    self.warn(name, f"waits for {target} to be healthy, but {target} has no health check; it waits "
                              "for it to start instead.")
                    condition = "START"
                if condition == "SUCCESS":
                    other.kwargs["essential"] = False
                container.depends.append((other.name, condition))
            for item in self.services[name].get("volumes_from") or []:
                source, _, mode = str(item).removeprefix("service:").partition(":")
                if source.startswith("container") or source not in self.container_names:
                    self.warn(name, f"volumes_from {item} names no service of this file; left out.")
                    continue
                container.volumes_from.append((self.container_names[source], mode == "ro"))
        self._restarts(task, list(self.services))
        plan = Blueprint(self.name, "", description=f"Imported from compose: {', '.join(self.services)}")
        plan.notes = [f"Mode: one task, every compose service a container of it, because {reason}.",
                      "Containers of one task share its network: they reach each other on localhost, not by their "
                      "compose service names."]
        plan.tasks.append(task)
        replicas = {(s.get("deploy") or {}).get("replicas") for s in self.services.values()} - {None}
        if len(replicas) > 1:
            self.warnings.append(f"the services ask for different replicas ({sorted(replicas)}); one task runs them "
                                 "together, so the service runs the largest count.")
        kwargs = {"desired_count": int(max(replicas))} if replicas else {}
        plan.services.append(ServicePlan(self.name, task, kwargs))
        return plan

    def plan_services(self, reason: str) -> Blueprint:
        plan = Blueprint(self.name, "", description=f"Imported from compose: {', '.join(self.services)}")
        namespace = f"{self.name.lower()}.local"
        plan.cluster = {"service_connect_namespace": Call("Namespace", [namespace])}
        plan.notes = [f"Mode: one ECS service per compose service, because {reason}.",
                      f"They call each other by their compose names through Service Connect (namespace {namespace})."]
        order: list[str] = []
        dns_names: set[str] = set()
        for name, service in self.services.items():
            task = self._task(self.container_names[name], [name])
            container = task.containers[0]
            ports = container.kwargs.get("ports") or []
            named = []
            sc_ports = []
            dns = base = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")[:50] or "app"
            n = 2
            while dns in dns_names:
                dns, n = f"{base}-{n}", n + 1
            dns_names.add(dns)
            if dns != name:
                self.warn(name, f"is called {dns} through Service Connect (a DNS name), not {name}.")
            for i, port in enumerate(ports):
                number = port if isinstance(port, int) else port.args[0]
                kwargs = dict(port.kwargs) if isinstance(port, Call) else {}
                port_name = f"p{number}"
                kwargs["name"] = port_name
                named.append(Call("PortMapping", [number], kwargs))
                if kwargs.get("protocol", "tcp") == "tcp":
                    sc_ports.append(Call("ServiceConnectPort", [port_name],
                                         {"dns_name": dns if i == 0 else f"{dns}-{number}"}))
            if named:
                container.kwargs["ports"] = named
            elif any(name in dict(self._depends(other)) for other in self.services):
                self.warn(name, "declares no ports, so the services that depend on it cannot call it through "
                          "Service Connect; add the port it listens on to ports: or expose:.")
            if any(dict(self._depends(other)).get(name) == "SUCCESS" for other in self.services):
                self.warn(name, "runs to completion (others wait for it to succeed); as an ECS service it would be "
                          "restarted each time it exits. Run it once per deploy instead (ecsstack run-task, or an "
                          "init container with --mode task).")
            if len(sc_ports) > 1:
                self.warn(name, f"listens on several ports; the first is called {dns}, the others {dns}-<port>.")
            self._restarts(task, [name])
            plan.tasks.append(task)
            replicas = (service.get("deploy") or {}).get("replicas")
            kwargs: dict[str, Any] = {"service_connect": Call("ServiceConnect", [], {"ports": sc_ports})
                                      if sc_ports else Call("ServiceConnect")}
            if replicas is not None:
                kwargs["desired_count"] = int(replicas)
            if service.get("volumes_from"):
                self.warn(name, "volumes_from needs the containers in one task (--mode task); as separate services "
                          "they share no storage (an EFS volume mounted by each can); left out.")
            after = self._depends(name)
            comments = []
            if after:
                comments = [f"compose starts it after {', '.join(t for t, _ in after)}: after= deploys it after "
                            "them, but ECS starts services independently and does not order them at run time, so "
                            "it must retry until they answer"]
                order.append(f"{name} after {', '.join(t for t, _ in after)}")
            plan.services.append(ServicePlan(self.container_names[name], task, kwargs, comments,
                                             after=[self.container_names[t] for t, _ in after]))
        if order:
            plan.notes.append("Deploy order from depends_on (after=): " + "; ".join(order) + ".")
        try:
            deploy_order(plan.services)
        except ValueError as exc:
            raise ImportFailed(f"depends_on makes a cycle through service {exc}; docker compose refuses it too. "
                               "Remove one of the dependencies.") from None
        users: dict[str, list[str]] = {}
        for task in plan.tasks:
            for volume in task.volumes:
                users.setdefault(volume.name, []).append(task.name)
        for volume, names in users.items():
            if len(names) > 1:
                self.warnings.append(f"volume {volume} is shared by {', '.join(names)} in compose; services do not "
                                     "share task storage, so each has its own. To share it, make it one EFS file "
                                     "system mounted by each (task.add_efs_volume).")
        return plan


def import_compose(text: str, *, name: str | None = None, mode: str = "auto", profiles: list[str] | None = None,
                   base_dir: Path | str | None = None, environ: Mapping[str, str] | None = None,
                   origin: str = "compose.yaml") -> ImportResult:
    """A blueprint running the compose file ``text``: ``ImportResult(source, warnings, overrides)``.

    ``mode``: ``auto`` (Default: one task when the services fit in one, else one service each), ``task`` or
    ``services``. ``profiles``: the profiles to enable (Default none, as docker compose). ``base_dir``: where
    ``env_file`` and ``.env`` are read; Default the current directory. ``environ``: variables for
    interpolation; Default the process environment and ``.env``. ``name``: the stack name; Default from
    ``origin``'s directory. Raises ``ImportFailed`` when the file cannot be imported.
    """
    if mode not in MODES:
        raise ImportFailed(f"mode {mode!r} is not one of {', '.join(MODES)}.")
    base = Path(base_dir) if base_dir is not None else Path(".")
    services, doc, warnings = load_compose(text, base, environ, profiles)
    env: dict[str, str] = dict(os.environ if environ is None else environ)
    stack = name or doc.get("name") or (base.resolve().name if base_dir is not None else "app")
    source, template, problems, carried, builder, note = "", None, [], [], None, []
    for demote in (frozenset(), frozenset(kw for kw, _ in CONTAINER_KEYS.values())):
        builder = _Compose(services, doc, str(stack), base, env, [*warnings, *note])
        builder.demote, builder.origin = demote, origin
        source, carried = _render(builder, mode, len(services))
        template, problems = run_blueprint(source)
        if template is not None or not builder.new_keywords:
            break
        # a keyword did not take the value as converted (or a rule refuses it): carry the settings as given
        note = [f"the container settings written with keywords did not synthesize ({'; '.join(problems)}); "
                "they are carried in overrides= instead."]
    if template is None or builder is None:
        raise ImportFailed("the imported compose file does not synthesize:\n  " + "\n  ".join(problems))
    return ImportResult(source, builder.warnings, carried)


def _render(builder: _Compose, mode: str, count: int) -> tuple[str, list[str]]:
    """The blueprint's source and its ``where: Key, Key`` overrides lines."""
    chosen, reason = builder.decide(mode)
    plan = builder.plan_task(reason) if chosen == "task" else builder.plan_services(reason)
    plan.parameters = builder.parameters
    plan.docstring = (f"Imported from {builder.origin} by `ecsstack import compose`: {count} compose service"
                      f"{'s' if count != 1 else ''} as {'one task' if chosen == 'task' else 'ECS services'} "
                      "on Fargate.")
    carried = overridden(plan)
    if carried:
        plan.notes += ["", "Carried in overrides= as given (no keyword of ecsstack says these as given):",
                       *(f"  {line}" for line in carried)]
    if builder.warnings:
        plan.notes += ["", "To look at (also printed by `ecsstack import`):", *(f"  {w}" for w in builder.warnings)]
    return render(plan), carried
