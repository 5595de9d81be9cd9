"""Copilot task parts: container options, secrets, health checks, task keywords and the task's extras."""

from __future__ import annotations

from typing import Any

from ._common import ImportFailed, fargate_size
from ._copilot_service import _ServiceBase
from ._copilot_values import _map, _pascal, _port, _words, seconds
from ._mapping import secret_expr
from ._source import Call, Raw

#: Copilot's depends_on conditions → ECS's
CONDITIONS = {"start": "START", "complete": "COMPLETE", "success": "SUCCESS", "healthy": "HEALTHY"}


class _TaskParts(_ServiceBase):
    """A service's import with the task definition's pieces."""

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
