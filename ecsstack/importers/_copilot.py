"""``ecsstack import copilot``: an AWS Copilot workspace (``copilot/<service>/manifest.yml``) → one blueprint per
service. Load Balanced Web Services become ``LoadBalancedWebService``, Backend Services a service on Service
Connect (behind an internal ALB with ``http:``), Worker Services ``QueueWorkerService``, Scheduled Jobs a
``ScheduledTask``; what has no counterpart is reported item by item, with what to do."""

from __future__ import annotations

import copy
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ._common import ImportFailed, ImportResult, fargate_size, run_blueprint, stack_name
from ._mapping import secret_expr
from ._plan import _comment_lines, _docstring, _imports
from ._source import Call, Raw, identifier, statement

__all__ = ["CopilotImport", "import_copilot", "schedule_expression"]

#: Copilot's depends_on conditions → ECS's
CONDITIONS = {"start": "START", "complete": "COMPLETE", "success": "SUCCESS", "healthy": "HEALTHY"}
#: workload types with no ECS counterpart here: what to do instead
UNSUPPORTED = {
    "Request-Driven Web Service": "an App Runner service; ecsstack deploys to ECS: import it as a Load Balanced "
                                  "Web Service (change `type:` in the manifest and add `http.path: '/'`) or keep "
                                  "running it with App Runner",
    "Static Site": "an S3 bucket behind CloudFront, not an ECS workload; keep it in its own CloudFormation or CDK "
                   "stack (or any static host)",
}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


@dataclass
class CopilotImport:
    """The result of importing a workspace: one ``ImportResult`` per service (by name), and the warnings about
    the workspace as a whole (environments, addons, services that were not imported)."""

    app: str
    blueprints: dict[str, ImportResult] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def seconds(value: Any, what: str) -> int:
    """A Copilot duration (``"10s"``, ``"1m30s"``, ``"1h"``, ``"250ms"``, or a number of seconds) in whole seconds
    (at least 1 when it is not zero)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip().replace(" ", "")
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ImportFailed(f"{what}: {value!r} is not a duration (write it like 30s, 1m30s or 1h).")
    factor = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    total = sum(float(n) * factor[u] for n, u in parts)
    return max(1, round(total)) if total else 0


def schedule_expression(value: Any) -> str | None:
    """Copilot's ``on.schedule`` as an EventBridge Scheduler expression; None for ``"none"`` (run by hand).

    ``@hourly``/``@daily``/``@weekly``/``@monthly``/``@yearly`` and ``@every 1h30m`` become ``cron(...)`` or
    ``rate(...)``; a five-field cron (``"0 3 * * 1"``) gets Scheduler's sixth field and ``?`` where it needs one;
    ``cron(...)``/``rate(...)`` are used as given."""
    text = str(value).strip()
    if text.lower() == "none":
        return None
    if text.startswith(("cron(", "rate(", "at(")):
        return text
    fixed = {"@yearly": "cron(0 0 1 1 ? *)", "@annually": "cron(0 0 1 1 ? *)", "@monthly": "cron(0 0 1 * ? *)",
             "@weekly": "cron(0 0 ? * 1 *)", "@daily": "cron(0 0 * * ? *)", "@midnight": "cron(0 0 * * ? *)",
             "@hourly": "cron(0 * * * ? *)"}
    if text.lower() in fixed:
        return fixed[text.lower()]
    if text.lower().startswith("@every "):
        total = seconds(text[7:], f"schedule {text!r}")
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if total >= size and total % size == 0:
                n = total // size
                return f"rate({n} {unit}{'s' if n > 1 else ''})"
        minutes = max(1, round(total / 60))
        return f"rate({minutes} minute{'s' if minutes > 1 else ''})"
    fields = text.split()
    if len(fields) != 5:
        raise ImportFailed(f"schedule {text!r} is not a schedule Copilot accepts (a 5-field cron, @daily, "
                           "@every 1h or none).")
    minute, hour, dom, month, dow = fields
    if dow == "*" and dom != "?":
        dow = "?"
    elif dom == "*":
        dom = "?"
    else:  # both given: Scheduler allows one; cron runs on either, the day of week is the likelier intent
        dom = "?"
    if dow not in ("?", "*") and re.fullmatch(r"[0-7,\-/]+", dow):
        dow = re.sub(r"\d", lambda m: str(int(m[0]) % 7 + 1), dow)  # cron 0=Sunday, Scheduler 1=Sunday
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


def _merge(base: Any, over: Any) -> Any:
    """Copilot's environment override: maps merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _pascal(text: str) -> str:
    """``LOG_LEVEL`` → ``LogLevel``, ``apiUrl`` → ``ApiUrl``."""
    parts = [p.lower() if p.isupper() else p for p in re.split(r"[^A-Za-z0-9]+", text) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "Value"


def _map(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (a key written with no value, or the short form)."""
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> Any:
    """``70`` or ``"70"`` as a number; anything else as given."""
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        return float(value) if "." in value else int(value)
    return value


def _words(value: Any) -> list[str]:
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _port(value: Any) -> tuple[int, str]:
    """``8080`` or ``"8080/tcp"`` → (8080, "tcp")."""
    text = str(value)
    number, _, protocol = text.partition("/")
    if not number.strip().isdigit():
        raise ImportFailed(f"port {value!r} is not a port number.")
    return int(number), (protocol or "tcp").lower()


class _Service:
    """One service's import: its manifest (environments merged on demand), the lines of build(), the notes."""

    def __init__(self, app: str, name: str, manifest: dict[str, Any], environments: list[str]):
        self.app, self.name, self.raw = app, name, manifest
        self.kind = manifest.get("type", "")
        self.environment_names = environments
        self.uses_environment = False
        manifest = self._interpolate(manifest)
        self.raw = manifest
        self.m = {k: v for k, v in manifest.items() if k != "environments"}
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.lines: list[str] = []
        self.params: list[str] = []
        self.taken = {"stack", "cluster", "build", "task", "service"}
        self.env_params: dict[str, Raw] = {}  # leaf path → parameter variable
        self.deploy_values: dict[str, dict[str, Any]] = {}  # env → {Parameter: value}
        self._environments(environments)

    def _interpolate(self, value: Any) -> Any:
        """Copilot's ``${COPILOT_APPLICATION_NAME}`` and ``${COPILOT_SERVICE_NAME}`` written out; a string with
        ``${COPILOT_ENVIRONMENT_NAME}`` becomes ``Sub(...)`` of the stack parameter Environment."""
        if isinstance(value, dict):
            return {k: self._interpolate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._interpolate(v) for v in value]
        if not isinstance(value, str) or "${COPILOT_" not in value:
            return value
        text = value.replace("${COPILOT_APPLICATION_NAME}", self.app).replace("${COPILOT_SERVICE_NAME}", self.name)
        if "${COPILOT_ENVIRONMENT_NAME}" in text:
            self.uses_environment = True
            return Call("Sub", [text.replace("${COPILOT_ENVIRONMENT_NAME}", "${Environment}")])
        return text

    # ---- writing --------------------------------------------------------------------------------------
    def emit(self, value: Any, head: str = "") -> None:
        self.lines += statement(value, head=head)

    def var(self, name: str) -> str:
        return identifier(name, self.taken)

    def warn(self, text: str) -> None:
        self.warnings.append(f"{self.name}: {text}")

    def parameter(self, name: str, default: Any, description: str, type_: str = "String") -> Raw:
        var = self.var(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower())
        kwargs: dict[str, Any] = {}
        if type_ != "String":
            kwargs["type"] = type_
        if default is not None:
            kwargs["default"] = default
        kwargs["description"] = description
        self.params += statement(Call("stack.parameter", [name], kwargs), head=f"{var} = ")
        return Raw(var)

    # ---- environments ---------------------------------------------------------------------------------
    def _environments(self, known: list[str]) -> None:
        """Each environment's overrides: variables, image and a plain count become parameters (the base value
        the default, each environment's value in the notes); anything else is reported with its values."""
        overrides = self.raw.get("environments") or {}
        if not isinstance(overrides, dict):
            return
        base = _leaves(self.m)
        for env, over in overrides.items():
            if not isinstance(over, dict):
                continue
            if known and env not in known:
                self.warn(f"environments.{env}: no environment {env!r} in copilot/environments; imported anyway.")
            merged = _leaves(_merge(self.m, over))
            for path, value in merged.items():
                if base.get(path, object()) == value:
                    continue
                if self._parameterisable(path, value):
                    name = self._param_name(path)
                    self.deploy_values.setdefault(env, {})[name] = value
                    self.env_params.setdefault(path, Raw(""))
                else:
                    self.warn(f"environments.{env}.{path} = {value!r} differs from the base manifest "
                              f"({base.get(path)!r}); the blueprint carries the base value: to vary it, make it a "
                              "stack parameter in the blueprint (stack.parameter(...)) and pass it at deploy.")

    def _parameterisable(self, path: str, value: Any) -> bool:
        if path.startswith("variables.") and isinstance(value, str | int | float | bool):
            return True
        if path == "image.location" and isinstance(value, str):
            return True
        return path == "count" and isinstance(value, int) and isinstance(self.m.get("count"), int)

    def _param_name(self, path: str) -> str:
        if path == "count":
            return "DesiredCount"
        if path == "image.location":
            return "Image"
        return "Var" + _pascal(path.split(".", 1)[1])

    def env_value(self, path: str, value: Any) -> Any:
        """``value`` at ``path``, or the stack parameter that carries it when environments differ there."""
        if path not in self.env_params:
            return value
        if not self.env_params[path].text:
            name = self._param_name(path)
            type_ = "Number" if path == "count" else "String"
            default = value if path == "count" else (str(value) if value is not None else None)
            if isinstance(value, bool):
                default = str(value).lower()
            self.env_params[path] = self.parameter(name, default, f"{path} (differs between environments)", type_)
        return self.env_params[path]

    # ---- the task -------------------------------------------------------------------------------------
    def image(self) -> Any:
        image = self.m.get("image") or {}
        if isinstance(image, str):
            return image
        if image.get("location"):
            return self.env_value("image.location", image["location"])
        if "build" in image:
            build = image["build"]
            dockerfile = build if isinstance(build, str) else (build or {}).get("dockerfile", "Dockerfile")
            self.warn(f"image.build ({dockerfile}): ecsstack deploys images, it does not build them; the "
                      "blueprint takes the image URI as the stack parameter Image: build and push it (docker "
                      "build, docker push to ECR) and pass --parameter Image=<uri>.")
            return self.parameter("Image", None, f"URI of the image built from {dockerfile}")
        raise ImportFailed(f"service {self.name}: image has neither location nor build.")

    def container_options(self, spec: dict[str, Any], main: bool) -> dict[str, Any]:
        """Keywords of a container from Copilot's keys (the main container's or a sidecar's)."""
        kw: dict[str, Any] = {}
        for key, word in (("command", "command"), ("entrypoint", "entry_point")):
            if spec.get(key):
                kw[word] = _words(spec[key])
        variables = spec.get("variables") or {}
        env: dict[str, Any] = {}
        for k, v in variables.items():
            if isinstance(v, dict) and "from_cfn" in v:
                env[k] = self.parameter(_pascal(f"{k}"), None, f"value of {k} (Copilot took it from the "
                                        f"CloudFormation export {v['from_cfn']})")
                self.warn(f"variables.{k} from_cfn {v['from_cfn']}: the stack parameter {_pascal(k)}; pass the "
                          "export's value at deploy.")
            elif isinstance(v, Call):
                env[k] = v
            else:
                text = str(v).lower() if isinstance(v, bool) else "" if v is None else str(v)
                env[k] = self.env_value(f"variables.{k}", text) if main else text
        if env:
            kw["environment"] = env
        secrets: dict[str, Any] = {}
        for k, v in (spec.get("secrets") or {}).items():
            expr = self.secret(k, v)
            if expr is not None:
                secrets[k] = expr
        if secrets:
            kw["secrets"] = secrets
        check = _map(spec.get("image")).get("healthcheck") if main else spec.get("healthcheck")
        if check:
            kw["health_check"] = self.health(check)
        labels = _map(spec.get("image")).get("labels") if main else spec.get("labels")
        if labels:
            kw["docker_labels"] = {str(k): str(v) for k, v in labels.items()}
        credentials = _map(spec.get("image")).get("credentials") if main else spec.get("credentials")
        if credentials:
            kw["repository_credentials"] = credentials
        logging = spec.get("logging") or {}
        if main and (logging.get("image") or logging.get("destination") or logging.get("config_file")):
            destination = {str(k): str(v) for k, v in (logging.get("destination") or {}).items()}
            kw["logging"] = Call("LogConfig.firelens", [destination] if destination else [])
        if main and (spec.get("storage") or {}).get("readonly_fs"):
            kw["readonly_root_filesystem"] = True
        if spec.get("env_file"):
            self.warn(f"env_file {spec['env_file']}: Copilot uploaded it to S3; upload it yourself and add "
                      "environment_files=['arn:aws:s3:::<bucket>/<key>'] to the container.")
        return kw

    def secret(self, name: str, value: Any) -> Any:
        if isinstance(value, Call):
            return Call("Secret.ssm", [value])
        if isinstance(value, dict) and isinstance(value.get("secretsmanager"), Call):
            secret_name, _, rest = value["secretsmanager"].args[0].partition(":")
            key = rest.split(":")[0] if rest else ""
            return Call("Secret.secrets_manager", [Call("Sub", [secret_name])], {"key": key} if key else {})
        if isinstance(value, str):
            return secret_expr(value) if value.startswith("arn:") else Call("Secret.ssm", [value])
        if isinstance(value, dict) and "secretsmanager" in value:
            ref = str(value["secretsmanager"])
            if ref.startswith("arn:"):
                return secret_expr(ref)
            secret_name, _, rest = ref.partition(":")
            key = rest.split(":")[0] if rest else ""
            return Call("Secret.secrets_manager", [secret_name], {"key": key} if key else {})
        if isinstance(value, dict) and "from_cfn" in value:
            param = self.parameter(f"{_pascal(name)}Secret", None,
                                   f"ARN or name of the secret {name} (Copilot took it from {value['from_cfn']})")
            self.warn(f"secrets.{name} from_cfn: the stack parameter {_pascal(name)}Secret holds the SSM parameter.")
            return Call("Secret.ssm", [param])
        self.warn(f"secrets.{name}: {value!r} is not an SSM name or a secretsmanager reference; left out — add "
                  "it with Secret.ssm(...) or Secret.secrets_manager(...).")
        return None

    def health(self, check: Any) -> Call:
        if isinstance(check, list | str):
            command, timing = check, {}
        else:
            command, timing = check.get("command") or [], check
        command = _words(command)
        if command and command[0] not in ("CMD", "CMD-SHELL"):
            command = ["CMD-SHELL", " ".join(command)]
        kwargs: dict[str, Any] = {}
        for key, word, default in (("interval", "interval", 10), ("timeout", "timeout", 5),
                                   ("start_period", "start_period", 0)):
            value = seconds(timing.get(key, default), f"healthcheck.{key}")
            if word != "start_period" or value:
                kwargs[word] = value
        kwargs["retries"] = int(timing.get("retries", 2))
        return Call("HealthCheck", [command], kwargs)

    def task_kwargs(self) -> dict[str, Any]:
        cpu, memory = int(self.m.get("cpu", 256)), int(self.m.get("memory", 512))
        size = fargate_size(cpu, memory)
        if size != (cpu, memory):
            self.warn(f"cpu {cpu}, memory {memory} is not a Fargate size; written as cpu={size[0]}, "
                      f"memory={size[1]} (the smallest that holds it).")
        kw: dict[str, Any] = {"cpu": size[0], "memory": size[1]}
        platform = self.m.get("platform")
        if platform:
            text = platform if isinstance(platform, str) else "{}/{}".format(platform.get("osfamily", "linux"),
                                                                             platform.get("architecture", "x86_64"))
            osfamily, _, arch = text.lower().partition("/")
            if arch in ("arm64", "arm"):
                kw["cpu_architecture"] = Raw("CpuArchitecture.ARM64")
            if osfamily.startswith("windows"):
                family = "WINDOWS_SERVER_2022_CORE" if "2022" in osfamily else "WINDOWS_SERVER_2019_CORE"
                if "full" in osfamily:
                    family = family.replace("CORE", "FULL")
                kw["os_family"] = family
                kw["cpu_architecture"] = Raw("CpuArchitecture.X86_64")
                if kw["cpu"] < 1024:
                    self.warn(f"platform {text}: Windows tasks need at least 1 vCPU and 2 GiB; written as "
                              "cpu=1024, memory=2048.")
                    kw["cpu"], kw["memory"] = 1024, max(kw["memory"], 2048)
        ephemeral = (self.m.get("storage") or {}).get("ephemeral")
        if ephemeral:
            kw["ephemeral_storage_gib"] = int(ephemeral)
        retention = (self.m.get("logging") or {}).get("retention")
        if retention:
            kw["log_retention_days"] = int(retention)
        return kw

    def task_extras(self, task: str, main: str) -> None:
        """Volumes, sidecars, FireLens and dependencies of the task variable ``task`` whose main container's
        variable is ``main``."""
        storage = self.m.get("storage") or {}
        volumes: dict[str, str] = {}
        for vname, spec in (storage.get("volumes") or {}).items():
            spec = spec or {}
            efs = spec.get("efs")
            var = self.var(f"{vname}_volume")
            volumes[vname] = var
            if isinstance(efs, dict) and efs.get("id"):
                kw: dict[str, Any] = {}
                auth = efs.get("auth") or {}
                if efs.get("root_dir") and efs["root_dir"] != "/":
                    kw["root_directory"] = efs["root_dir"]
                if auth.get("access_point_id"):
                    kw["access_point_id"] = auth["access_point_id"]
                if auth.get("iam") is not False:
                    kw["iam_authorization"] = True
                self.emit(Call(f"{task}.add_efs_volume", [vname, efs["id"]], kw), head=f"{var} = ")
            elif efs:
                fs = self.parameter(f"{_pascal(vname)}FileSystemId", None,
                                    f"ID (fs-...) of the EFS file system for the volume {vname}")
                self.warn(f"storage.volumes.{vname}: Copilot made and managed this EFS file system (efs: true); "
                          f"ecsstack does not create file systems: create one (or keep Copilot's) and pass its ID "
                          f"as {_pascal(vname)}FileSystemId; its security group must admit the service's tasks on "
                          "port 2049.")
                self.emit(Call(f"{task}.add_efs_volume", [vname, fs], {"iam_authorization": True}),
                          head=f"{var} = ")
            else:
                self.emit(Call(f"{task}.add_bind_volume", [vname]), head=f"{var} = ")
            if spec.get("path"):
                kw = {"read_only": True} if spec.get("read_only", True) and efs else {}
                self.emit(Call(f"{main}.mount", [Raw(var), spec["path"]], kw))
        logging = self.m.get("logging") or {}
        if logging.get("image") or logging.get("destination") or logging.get("config_file"):
            kw = {}
            if logging.get("image"):
                kw["image"] = logging["image"]
            if logging.get("config_file"):
                kw["config_file"] = logging["config_file"]
            if logging.get("enable_metadata") is False:
                kw["options"] = {"enable-ecs-log-metadata": "false"}
            self.emit(Call(f"{task}.add_firelens_router", [], kw))
            if logging.get("secret_options"):
                self.warn("logging.secret_options: set them as secrets of the container logging through FireLens "
                          "(secrets=), they are not carried.")
        sidecars: dict[str, str] = {}
        waits = [_map(self.m.get("image")).get("depends_on") or {},
                 *(((s or {}).get("depends_on") or {}) for s in (self.m.get("sidecars") or {}).values())]
        run_once = {other for deps in waits for other, cond in deps.items()
                    if str(cond).lower() in ("complete", "success")}
        for sname, spec in (self.m.get("sidecars") or {}).items():
            spec = spec or {}
            var = self.var(sname)
            sidecars[sname] = var
            kw = {}
            if spec.get("port"):
                number, protocol = _port(spec["port"])
                kw["ports"] = [number if protocol == "tcp" else Call("PortMapping", [number], {"protocol": protocol})]
            if spec.get("essential") is True:
                kw["essential"] = True
            if sname in run_once:
                kw["restart"] = False  # it runs to completion: restarting it would hold back who waits on it
            kw.update(self.container_options(spec, main=False))
            image = spec.get("image")
            if isinstance(image, dict):
                image = image.get("location")
            if not image:
                raise ImportFailed(f"service {self.name}: sidecar {sname} has no image.")
            self.emit(Call(f"{task}.add_sidecar", [sname], {"image": image, **kw}), head=f"{var} = ")
            for mount in spec.get("mount_points") or []:
                source = mount.get("source_volume")
                target = Raw(volumes[source]) if source in volumes else source
                kwm = {"read_only": True} if mount.get("read_only", True) else {}
                self.emit(Call(f"{var}.mount", [target, mount.get("path")], kwm))
        known = {self.name: main, **sidecars}
        for who, spec in [(main, _map(self.m.get("image"))), *((v, self.m["sidecars"][k] or {})
                                                                 for k, v in sidecars.items())]:
            for other, condition in (spec.get("depends_on") or {}).items():
                cond = CONDITIONS.get(str(condition).lower())
                if cond is None or other not in known:
                    self.warn(f"depends_on {other}: {condition!r} — unknown container or condition; left out.")
                    continue
                self.emit(Call(f"{who}.depends_on", [Raw(known[other]), Raw(f"Condition.{cond}")]))

    # ---- the service ----------------------------------------------------------------------------------
    def service_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {}
        if self.m.get("exec"):
            kw["enable_execute_command"] = True
        vpc = (self.m.get("network") or {}).get("vpc") or {}
        placement = vpc.get("placement")
        if placement == "public":
            kw["assign_public_ip"] = True
            kw["subnets"] = self.parameter("PublicSubnets", None, "Public subnets the tasks run in (with public "
                                           "IPs, as Copilot's placement: public)", "List<AWS::EC2::Subnet::Id>")
        elif isinstance(placement, dict) and placement.get("subnets"):
            subnets = placement["subnets"]
            if isinstance(subnets, list):
                kw["subnets"] = [str(s) for s in subnets]
            else:
                self.warn("network.vpc.placement.subnets selects subnets by tag; pass their IDs in the Subnets "
                          "parameter.")
        groups = vpc.get("security_groups")
        if isinstance(groups, dict):
            if not groups.get("deny_default"):
                self.warn("network.vpc.security_groups: Copilot also attached the environment's default security "
                          "group; add its ID to security_groups= if the tasks need it.")
            groups = groups.get("groups") or []
        if groups:
            kw["security_groups"] = [g if isinstance(g, str) else str(g) for g in groups
                                     if isinstance(g, str) and g.startswith("sg-")]
            for g in groups:
                if not (isinstance(g, str) and g.startswith("sg-")):
                    self.warn(f"network.vpc.security_groups {g!r}: not a group ID (from_cfn?); add its ID by hand.")
        rolling = (self.m.get("deployment") or {}).get("rolling")
        if rolling == "recreate":
            kw["deployment"] = Call("Deployment.rolling", [], {"min_healthy_percent": 0, "max_percent": 100})
        return kw

    def scaling(self) -> dict[str, Any]:
        """The count as (min, max, desired, policies, spot) for the builders."""
        count = self.m.get("count", 1)
        out: dict[str, Any] = {"desired": None, "min": None, "max": None, "cpu": None, "memory": None,
                               "requests": None, "response_time": None, "queue_delay": None, "spot_base": None,
                               "all_spot": False, "cooldown": None}
        if isinstance(count, int):
            out["desired"] = self.env_value("count", count)
            return out
        if not isinstance(count, dict):
            raise ImportFailed(f"service {self.name}: count {count!r} is neither a number nor a map.")
        if "spot" in count and "range" not in count:
            out["desired"], out["all_spot"] = int(count["spot"]), True
            return self._arm_spot(out)
        rng = count.get("range")
        if isinstance(rng, dict):
            out["min"], out["max"] = int(rng["min"]), int(rng["max"])
            if "spot_from" in rng:
                out["spot_base"] = max(0, int(rng["spot_from"]) - 1)
        elif isinstance(rng, str) and "-" in rng:
            low, high = rng.split("-", 1)
            out["min"], out["max"] = int(low), int(high)
        elif rng is not None:
            raise ImportFailed(f"service {self.name}: count.range {rng!r} is not 'min-max' or a map.")
        for key in ("cpu_percentage", "memory_percentage", "requests", "response_time", "queue_delay"):
            value = count.get(key)
            if isinstance(value, dict) and key != "queue_delay":
                value = value.get("value")
            out[{"cpu_percentage": "cpu", "memory_percentage": "memory"}.get(key, key)] = _number(value)
        if out["min"] is None:
            out["min"], out["max"] = 1, 10
            if any(out[k] for k in ("cpu", "memory", "requests", "response_time", "queue_delay")):
                self.warn("count has policies but no range; scaled between 1 and 10 tasks.")
        if count.get("cooldown") or any(isinstance(count.get(k), dict) and count[k].get("cooldown")
                                        for k in ("cpu_percentage", "memory_percentage", "requests")):
            self.warn("count cooldowns are not carried: the policies use ecsstack's (300 s in, 60 s out); pass "
                      "scale_in_cooldown=/scale_out_cooldown= to scaling.on_cpu(...) and its kin to change them.")
        if out["response_time"]:
            self.warn(f"count.response_time {out['response_time']}: ecsstack has no response-time policy; the "
                      "service scales on CPU instead. Add a step policy on the target group's TargetResponseTime "
                      "with scaling.on_metric(...) if it matters.")
        return self._arm_spot(out)

    def _arm_spot(self, out: dict[str, Any]) -> dict[str, Any]:
        if (out["all_spot"] or out["spot_base"] is not None) and "arm" in str(self.m.get("platform", "")).lower():
            self.warn("count spot: Fargate Spot runs X86_64 tasks and this one is ARM64; it runs on FARGATE "
                      "(set platform: linux/x86_64 to keep Spot).")
            out["all_spot"], out["spot_base"] = False, None
        return out

    # ---- the workload types ---------------------------------------------------------------------------
    def body(self) -> None:
        kind = self.kind
        if kind == "Load Balanced Web Service":
            self.web()
        elif kind == "Backend Service":
            self.backend()
        elif kind == "Worker Service":
            self.worker()
        elif kind == "Scheduled Job":
            self.job()
        else:
            raise ImportFailed(f"service {self.name}: type {kind!r} is not a Copilot workload type ecsstack knows.")
        if self.m.get("taskdef_overrides"):
            paths = ", ".join(str(o.get("path")) for o in self.m["taskdef_overrides"])
            self.warn(f"taskdef_overrides ({paths}): not applied; write each as "
                      "task.override(\"TaskDefinition\", {...}) with the CloudFormation property it changes.")
        if (self.m.get("publish") or {}).get("topics"):
            names = ", ".join(t.get("name", "?") for t in self.m["publish"]["topics"])
            self.warn(f"publish.topics ({names}): ecsstack does not create SNS topics; create them in a stack of "
                      "their own (CloudFormation AWS::SNS::Topic) and grant the task sns:Publish with "
                      "task.allow(\"sns:Publish\", <topic ARN>).")
        if (self.m.get("observability") or {}).get("tracing"):
            self.warn("observability.tracing: add the AWS Distro for OpenTelemetry collector as a sidecar "
                      "(public.ecr.aws/aws-observability/aws-otel-collector) and grant it xray:PutTraceSegments.")
        if _map(self.m.get("network")).get("connect") and kind != "Backend Service":
            self.warn("network.connect: Service Connect is imported for Backend Services; for this one add "
                      "service_connect=ServiceConnect() to its Service to call the others by name.")

    def _common_task(self, task: str) -> tuple[str, dict[str, Any]]:
        return task, self.task_kwargs()

    def web(self) -> None:
        http = self.m.get("http")
        if http is False or http is None:
            self.warn("http: false (a Network Load Balancer only): not imported as an NLB; the blueprint still puts "
                      "an ALB in front. Use NetworkLoadBalancer(...).listen_tcp(port).add_target(service) instead.")
            http = {}
        if self.m.get("nlb"):
            self.warn("nlb: the extra Network Load Balancer is not imported; add NetworkLoadBalancer(name)"
                      ".listen_tcp(port).add_target(web.service) for it.")
        image = self.image()
        port = int(_port(_map(self.m.get("image")).get("port", 80))[0])
        task_kw = self.task_kwargs()
        options = self.container_options(self.m, main=True)
        scale = self.scaling()
        kw: dict[str, Any] = {"image": image, "port": port, "cpu": task_kw.pop("cpu"),
                              "memory": task_kw.pop("memory")}
        check = http.get("healthcheck", "/")
        check_path = "/" + str(check if isinstance(check, str) else check.get("path") or "/").lstrip("/")
        if check_path != "/":
            kw["health_check_path"] = check_path
        self._web_scaling(kw, scale)
        if http.get("alias"):
            aliases = http["alias"] if isinstance(http["alias"], list) else [http["alias"]]
            names = [a if isinstance(a, str) else a.get("name") for a in aliases]
            kw["certificate"] = self.parameter("Certificate", None, f"ARN of the ACM certificate for "
                                               f"{', '.join(map(str, names))}")
            self.warn(f"http.alias {', '.join(map(str, names))}: the load balancer serves HTTPS with the "
                      "certificate given as the Certificate parameter; point the DNS names at the "
                      "LoadBalancerDns output (an alias record in Route 53).")
        if http.get("allowed_source_ips"):
            kw["allow_from"] = list(http["allowed_source_ips"])
        if http.get("private") and not http.get("public"):  # Copilot's environment-internal load balancer
            kw["public"] = False
        service_kw = self.service_kwargs()
        if "deployment" in service_kw:
            kw["deployment"] = service_kw.pop("deployment")
        kw.update(options)
        self.emit(Call("LoadBalancedWebService", [Raw("stack"), self.name], kw), head="web = ")
        path = http.get("path", "/")
        if path not in ("/", "", None):
            self.warn(f"http.path {path!r}: the blueprint gives the service a load balancer of its own, so it "
                      "answers on every path; to share one ALB among services, put them in one blueprint and "
                      f"route with listener.add_target(service, path='/{str(path).strip('/')}/*').")
        for key, value in task_kw.items():
            self.emit(value, head=f"web.task.{key} = ")
        for key, value in service_kw.items():
            self.emit(value, head=f"web.service.{key} = ")
        self._spot("web.service", scale)
        if scale["memory"] and scale["max"]:
            self.emit(Call("web.scaling.on_memory", [scale["memory"]]))
        if isinstance(check, dict):
            self._target_check(check, "web")
        self._target_attributes(http, "web.target")
        self.task_extras("web.task", "web.container")
        self.notes.append(f"Copilot's main container {self.name} is the pattern's container `app`.")
        self.emit(Call("stack.output", ["LoadBalancerDns", Call("Attr", [Raw("web.load_balancer"), "DNSName"])],
                       {"description": "Where the service answers"}))

    def _web_scaling(self, kw: dict[str, Any], scale: dict[str, Any]) -> None:
        if scale["min"] is None:
            kw["desired_count"] = scale["desired"] if scale["desired"] is not None else 1
            kw["min_tasks"] = scale["desired"] if isinstance(scale["desired"], int) else 1
            kw["max_tasks"] = None
            return
        kw["min_tasks"], kw["max_tasks"] = scale["min"], scale["max"]
        if scale["cpu"]:
            kw["cpu_target"] = scale["cpu"]
        else:
            self.notes.append("Copilot's count has no cpu_percentage; the pattern scales on CPU at 60 % as well.")
        if scale["requests"]:
            kw["requests_per_task"] = scale["requests"]

    def _spot(self, service: str, scale: dict[str, Any]) -> None:
        if scale["all_spot"]:
            self.emit([Call("CapacityProviderStrategy", ["FARGATE_SPOT"])],
                      head=f"{service}.capacity_provider_strategy = ")
        elif scale["spot_base"] is not None:
            self.emit([Call("CapacityProviderStrategy", ["FARGATE"], {"base": scale["spot_base"], "weight": 0}),
                       Call("CapacityProviderStrategy", ["FARGATE_SPOT"], {"weight": 1})],
                      head=f"{service}.capacity_provider_strategy = ")

    def _target_check(self, check: dict[str, Any], owner: str | None, head: str = "") -> Call:
        kw: dict[str, Any] = {"path": "/" + str(check.get("path") or "/").lstrip("/")}
        for key, word in (("interval", "interval"), ("timeout", "timeout")):
            if key in check:
                kw[word] = seconds(check[key], f"http.healthcheck.{key}")
        for key, word in (("healthy_threshold", "healthy_threshold"), ("unhealthy_threshold", "unhealthy_threshold"),
                          ("port", "port")):
            if key in check:
                kw[word] = int(check[key])
        if "success_codes" in check:
            kw["matcher"] = str(check["success_codes"])
        call = Call("TargetHealthCheck", [], kw)
        if owner:
            self.emit(call, head=f"{owner}.target.health_check = ")
            if "grace_period" in check:
                self.emit(seconds(check["grace_period"], "grace_period"),
                          head=f"{owner}.service.health_check_grace_period = ")
        return call

    def _target_attributes(self, http: dict[str, Any], target: str) -> None:
        if "deregistration_delay" in http:
            self.emit(seconds(http["deregistration_delay"], "http.deregistration_delay"),
                      head=f"{target}.deregistration_delay = ")
        if http.get("stickiness"):
            self.emit(Call(f"{target}.override", ["TargetGroup", {"TargetGroupAttributes": [
                {"Key": "stickiness.enabled", "Value": "true"}, {"Key": "stickiness.type", "Value": "lb_cookie"}]}]))
        if http.get("target_container") not in (None, self.name):
            self.warn(f"http.target_container {http['target_container']}: the load balancer sends traffic to the "
                      "main container; pass container= to listener.add_target to change it.")

    def _plain_task(self, ports: list[Any]) -> tuple[str, str]:
        self.emit(Call("FargateTaskDefinition", [self.name], self.task_kwargs()), head="task = ")
        kw: dict[str, Any] = {"image": self.image()}
        if ports:
            kw["ports"] = ports
        kw.update(self.container_options(self.m, main=True))
        main = self.var(self.name)
        self.emit(Call("task.add_container", [self.name], kw), head=f"{main} = ")
        self.task_extras("task", main)
        return "task", main

    def backend(self) -> None:
        port = _map(self.m.get("image")).get("port")
        ports = [Call("PortMapping", [_port(port)[0]], {"name": "http", "app_protocol": "http"})] if port else []
        self._plain_task(ports)
        namespace = f"{self.app}.local"
        self.emit(Call("Cluster", ["main"], {"service_connect_namespace": Call("Namespace", [namespace])}),
                  head="cluster = ")
        connect = (self.m.get("network") or {}).get("connect")
        sc: dict[str, Any] = {}
        if port:
            alias = connect.get("alias") if isinstance(connect, dict) else None
            sc["ports"] = [Call("ServiceConnectPort", ["http"], {"dns_name": alias})] if alias else ["http"]
        scale = self.scaling()
        kw: dict[str, Any] = {"cluster": Raw("cluster"), "task": Raw("task")}
        if scale["desired"] is not None and scale["min"] is None:
            kw["desired_count"] = scale["desired"]
        kw["service_connect"] = Call("ServiceConnect", [], sc)
        kw.update(self.service_kwargs())
        self.emit(Call("Service", [self.name], kw), head="service = ")
        self._spot("service", scale)
        target = None
        http = self.m.get("http")
        if isinstance(http, dict) and port:
            check = http.get("healthcheck", "/")
            check_call = self._target_check(check if isinstance(check, dict) else {"path": check}, None)
            tkw: dict[str, Any] = {"health_check": check_call}
            if "deregistration_delay" in http:
                tkw["deregistration_delay"] = seconds(http["deregistration_delay"], "http.deregistration_delay")
            self.emit(Call("ApplicationLoadBalancer", [f"{self.name}-internal"], {"internet_facing": False}),
                      head="alb = ")
            self.emit(Call("alb.listen_http().add_target", [Raw("service")], tkw), head="target = ")
            target = "target"
            self._target_attributes({k: v for k, v in http.items() if k != "deregistration_delay"}, "target")
            if http.get("path") not in (None, "/", ""):
                self.warn(f"http.path {http['path']!r}: the internal load balancer is the service's own, so it "
                          "answers on every path.")
            self.emit(Call("stack.output", ["InternalLoadBalancerDns", Call("Attr", [Raw("alb"), "DNSName"])],
                           {"description": "The internal load balancer in front of the service"}))
        self._service_scaling("service", scale, target)
        self.emit(Call("stack.add", [Raw("service")]))
        self.notes.append(f"Other services call this one at http://{self.name}:{_port(port)[0] if port else 80} "
                          f"through Service Connect (namespace {namespace}).")

    def _service_scaling(self, service: str, scale: dict[str, Any], target: str | None) -> None:
        if scale["min"] is None:
            return
        chain = Call(f"{service}.auto_scale", [], {"min_tasks": scale["min"], "max_tasks": scale["max"]})
        var = self.var("scaling")
        self.emit(chain, head=f"{var} = ")
        if scale["cpu"] or not (scale["memory"] or scale["requests"]):
            self.emit(Call(f"{var}.on_cpu", [scale["cpu"] or 70]))
        if scale["memory"]:
            self.emit(Call(f"{var}.on_memory", [scale["memory"]]))
        if scale["requests"]:
            if target:
                self.emit(Call(f"{var}.on_request_count", [Raw(target)], {"per_target": scale["requests"]}))
            else:
                self.warn("count.requests: the service has no load balancer here; scaled on CPU instead.")

    def worker(self) -> None:
        task_kw = self.task_kwargs()
        scale = self.scaling()
        kw: dict[str, Any] = {"image": self.image(), "cpu": task_kw.pop("cpu"), "memory": task_kw.pop("memory")}
        if "cpu_architecture" in task_kw:
            kw["cpu_architecture"] = task_kw.pop("cpu_architecture")
        if scale["min"] is not None:
            kw["min_tasks"], kw["max_tasks"] = scale["min"], scale["max"]
        else:
            desired = scale["desired"] if scale["desired"] is not None else 1
            kw["desired_count"] = desired
            if isinstance(desired, int):
                kw["min_tasks"] = kw["max_tasks"] = max(desired, 1)
            else:
                self.warn("count differs between environments: desired_count is the DesiredCount parameter, "
                          "but the queue-depth scaling keeps between 0 and 10 tasks.")
        delay = scale["queue_delay"]
        if isinstance(delay, dict) and delay.get("acceptable_latency") and delay.get("msg_processing_time"):
            per_task = seconds(delay["acceptable_latency"], "queue_delay.acceptable_latency") / max(
                0.001, _ms(delay["msg_processing_time"]))
            kw["messages_per_task"] = max(1, int(per_task))
        if scale["all_spot"] or scale["spot_base"] is not None:
            kw["spot"] = True
            kw["on_demand_base"] = scale["spot_base"] or 0
        else:
            kw["spot"] = False
        subscribe = self.m.get("subscribe") or {}
        queue = subscribe.get("queue") or {}
        if isinstance(queue, dict) and queue.get("timeout"):
            kw["visibility_timeout"] = seconds(queue["timeout"], "subscribe.queue.timeout")
        kw.update(self.container_options(self.m, main=True))
        if scale["cpu"] or scale["memory"]:
            self.warn("count.cpu_percentage/memory_percentage: the worker scales on the queue's depth; CPU and "
                      "memory policies are added to worker.scaling as well.")
        self.emit(Call("QueueWorkerService", [Raw("stack"), self.name], kw), head="worker = ")
        for key, value in task_kw.items():
            self.emit(value, head=f"worker.task.{key} = ")
        for key, value in self.service_kwargs().items():
            self.emit(value, head=f"worker.service.{key} = ")
        if scale["cpu"]:
            self.emit(Call("worker.scaling.on_cpu", [scale["cpu"]]))
        if scale["memory"]:
            self.emit(Call("worker.scaling.on_memory", [scale["memory"]]))
        self.task_extras("worker.task", "worker.container")
        for topic in subscribe.get("topics") or []:
            self._subscription(topic)

    def _subscription(self, topic: dict[str, Any]) -> None:
        """A Copilot topic subscription: the topic lives in its publisher's stack, so its ARN is a stack
        parameter, and the worker's queue subscribes to it (filter policy included)."""
        name, publisher = str(topic.get("name", "topic")), str(topic.get("service", "service"))
        param = self.parameter(f"{_pascal(publisher)}{_pascal(name)}TopicArn", None,
                               f"ARN of the SNS topic {name} that service {publisher} publishes "
                               f"(Copilot named it <app>-<env>-{publisher}-{name})")
        kw: dict[str, Any] = {}
        if topic.get("filter_policy"):
            kw["filter_policy"] = topic["filter_policy"]
        self.emit(Call("worker.queue.subscribe", [param], kw))
        self.notes.append(f"Topic {name} of {publisher}: pass its ARN as the parameter "
                          f"{_pascal(publisher)}{_pascal(name)}TopicArn.")
        if topic.get("queue"):
            self.warn(f"subscribe.topics {name}.queue: Copilot gave this topic a queue of its own; here it shares "
                      "the worker's queue.")

    def job(self) -> None:
        on = self.m.get("on") or self.m.get(True) or {}  # YAML 1.1 reads a bare `on` key as true
        expression = schedule_expression(on.get("schedule", "none"))
        self._plain_task([])
        self.emit(Call("Cluster", ["main"]), head="cluster = ")
        kw: dict[str, Any] = {"task": Raw("task"), "cluster": Raw("cluster")}
        if expression is None:
            kw["schedule"] = "rate(1 day)"
            kw["enabled"] = False
            self.warn("on.schedule none: the job runs only when started by hand; the schedule is written "
                      "disabled (enabled=False). Run it with `aws ecs run-task` (see the task definition).")
        else:
            kw["schedule"] = expression
        if "retries" in self.m:
            kw["max_retries"] = int(self.m["retries"])
            self.warn(f"retries {self.m['retries']}: Copilot retried failed runs; EventBridge Scheduler retries "
                      "runs it could not start (max_retries). Make the job retry its own work if it fails.")
        if self.m.get("timeout"):
            self.warn(f"timeout {self.m['timeout']}: ECS has no run timeout; make the job stop itself (e.g. "
                      f"`timeout {seconds(self.m['timeout'], 'timeout')}s <command>` in its command).")
        service_kw = self.service_kwargs()
        service_kw.pop("deployment", None)
        kw.update(service_kw)
        scale = self.scaling()
        if scale["all_spot"]:
            kw["capacity_provider_strategy"] = [Call("CapacityProviderStrategy", ["FARGATE_SPOT"])]
        self.emit(Call("ScheduledTask", [self.name], kw), head="job = ")
        self.emit(Call("stack.add", [Raw("job")]))

    # ---- the file -------------------------------------------------------------------------------------
    def source(self) -> str:
        self.body()
        stack = stack_name(f"{self.app}-{self.name}")
        head_lines = statement(Call("Stack", [stack], {"description": f"{self.name} ({self.kind}), imported "
                                                       f"from the Copilot application {self.app}"}),
                               head="stack = ")
        for env, values in self.deploy_values.items():
            flags = " ".join(f"--parameter {k}={v}" for k, v in values.items())
            self.notes.append(f"environment {env}: ecsstack deploy ... {flags}")
        if self.uses_environment:
            default = self.environment_names[0] if self.environment_names else None
            self.params[:0] = statement(Call("stack.parameter", ["Environment"], {
                **({"default": default} if default else {}),
                "description": "The Copilot environment this copy stands for (${COPILOT_ENVIRONMENT_NAME})"}))
            self.notes.append("${COPILOT_ENVIRONMENT_NAME} is the stack parameter Environment: deploy one stack "
                              "per environment, each with --parameter Environment=<name>.")
        body = ["def build() -> Stack:", *head_lines, *_used(self.params + self.lines), "    return stack"]
        text = "\n".join(body) + "\n"
        header = ['"""' + _docstring(f"The Copilot {self.kind} {self.name} of the application {self.app}, "
                                     "imported by ecsstack import copilot.") + '"""', ""]
        notes = [*self.notes, *(f"warning: {w}" for w in self.warnings)]
        if notes:
            header += [*_comment_lines(notes, 0), ""]
        return "\n".join(header + _imports(text) + ["from ecsstack.patterns import " + p for p in _patterns(text)]) \
            + "\n\n\n" + text


def _used(lines: list[str]) -> list[str]:
    """``lines`` without the ``name = `` of statements whose variable nothing else uses."""
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', "\n".join(lines))
    out = []
    for line in lines:
        match = re.match(r"    ([a-z_][a-z0-9_]*) = ", line)
        if match and len(re.findall(rf"\b{match[1]}\b", text)) == 1:
            line = "    " + line[match.end():]
        out.append(line)
    return out


def _ms(value: Any) -> float:
    text = str(value).strip()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(seconds(text, "msg_processing_time"))


def _patterns(text: str) -> list[str]:
    return [p for p in ("LoadBalancedWebService", "QueueWorkerService") if f"{p}(" in text]


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImportFailed(f"{path}: not readable YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ImportFailed(f"{path}: not a Copilot manifest (expected a mapping with name: and type:).")
    return data


def import_copilot(directory: str | Path = ".") -> CopilotImport:
    """Import the Copilot workspace in ``directory`` (or its ``copilot/`` folder): one blueprint per service,
    each checked to synthesize."""
    root = Path(directory)
    if (root / "copilot").is_dir():
        root = root / "copilot"
    if not root.is_dir():
        raise ImportFailed(f"{directory}: no copilot/ directory here.")
    app = root.parent.name or "app"
    workspace = root / ".workspace"
    if workspace.is_file():
        data = yaml.safe_load(workspace.read_text(encoding="utf-8")) or {}
        app = str(data.get("application") or app)
    result = CopilotImport(app)
    environments = sorted(p.name for p in (root / "environments").glob("*") if (p / "manifest.yml").is_file())
    for env in environments:
        manifest = _load(root / "environments" / env / "manifest.yml")
        if manifest.get("http") or manifest.get("cdn") or manifest.get("network"):
            result.warnings.append(f"environment {env}: its VPC, load balancer and CDN settings are the account's "
                                   "infrastructure, not imported; give the blueprints that environment's VPC and "
                                   "subnets as the VpcId and Subnets parameters at deploy.")
    manifests = sorted(p for p in root.glob("*/manifest.yml") if p.parent.name != "environments")
    if not manifests:
        raise ImportFailed(f"{root}: no services (copilot/<service>/manifest.yml) to import.")
    failed: list[str] = []
    for path in manifests:
        try:
            manifest = _load(path)
        except ImportFailed as exc:
            failed.append(f"{path.parent.name}: not imported: {exc}")
            continue
        name = str(manifest.get("name") or path.parent.name)
        kind = manifest.get("type", "")
        if kind in UNSUPPORTED:
            result.warnings.append(f"{name}: a {kind} is {UNSUPPORTED[kind]}; not imported.")
            continue
        if kind == "Environment":
            continue
        if (path.parent / "addons").is_dir():
            files = ", ".join(sorted(p.name for p in (path.parent / "addons").iterdir()))
            result.warnings.append(f"{name}: addons ({files}) are CloudFormation templates Copilot deployed next "
                                   "to the service; deploy them as stacks of their own (aws cloudformation "
                                   "deploy) and pass their outputs to this blueprint as parameters.")
        try:
            service = _Service(app, name, manifest, environments)
            source = service.source()
        except ImportFailed as exc:
            failed.append(f"{name}: not imported: {exc}")
            continue
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a manifest shape Copilot would refuse
            failed.append(f"{name}: not imported: {path} has a value of an unexpected shape ({type(exc).__name__}: "
                          f"{exc}); check it against Copilot's manifest reference.")
            continue
        template, problems = run_blueprint(source, f"{name}.py")
        if template is None:
            failed.append(f"{name}: not imported: the blueprint written for it does not synthesize: "
                          f"{'; '.join(problems)}")
            continue
        result.blueprints[name] = ImportResult(source, service.warnings)
    result.warnings += failed
    if failed and not result.blueprints:
        raise ImportFailed("no service could be imported:\n  " + "\n  ".join(failed))
    if (root / "addons").is_dir():
        result.warnings.append("copilot/addons: workspace-level addons are not imported; deploy them as stacks of "
                               "their own.")
    return result
