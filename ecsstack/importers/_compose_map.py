"""Mapping one compose service to a container plan (ports, environment, health, resources, volumes ...)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._cfn import CONTAINER
from ._common import TIMEOUT_RANGE, ImportFailed, clamp, stack_name
from ._compose_load import _as_map, _env_file
from ._mapping import CONTAINER_KEYS, Ctx, container_keywords, health_check, secret_expr, write
from ._plan import ContainerPlan
from ._source import Call, Raw, identifier
from ._units import cpu_units, mebibytes, seconds

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



class _ComposeService:
    """The per-service half of one compose import: each compose service as a container plan."""

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
