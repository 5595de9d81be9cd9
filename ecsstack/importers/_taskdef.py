"""``ecsstack import taskdef``: task-definition JSON (register input, describe output, or a bare list of
container definitions) → a blueprint with a cluster and a service running the task."""

from __future__ import annotations

import re
from typing import Any

from ._cfn import CONTAINER, TASK, pascal_value, property_name
from ._common import ImportFailed, ImportResult, covers, fargate_size, run_blueprint, stack_name
from ._mapping import (
    CONTAINER_KEYS,
    STATEMENT_KEYS,
    TASK_KEYS,
    Ctx,
    carry,
    container_keywords,
    task_keywords,
    write,
)
from ._plan import Blueprint, ContainerPlan, ServicePlan, TaskPlan, VolumePlan, overridden, render
from ._source import Call

__all__ = ["import_taskdef", "task_definition_of"]

#: fields describe-task-definition returns that are not part of a definition
READ_ONLY = frozenset({"taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
                       "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt"})
#: task keys the importer decides itself (not through TASK_KEYS)
_HANDLED = frozenset({"family", "containerDefinitions", "networkMode", "requiresCompatibilities", "cpu", "memory",
                      "volumes", "runtimePlatform"})
_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")


#: keys whose value is a whole number (hand-written JSON often quotes them: ``"containerPort": "3000"``)
_WHOLE_NUMBERS = frozenset({"containerPort", "hostPort", "cpu", "memory", "memoryReservation", "startTimeout",
                            "stopTimeout", "interval", "timeout", "retries", "startPeriod", "sizeInGiB", "softLimit",
                            "hardLimit", "sharedMemorySize", "maxSwap", "swappiness", "size", "restartAttemptPeriod",
                            "transitEncryptionPort"})
#: maps whose entries are the user's: kept whole, empty values included
_OPAQUE = frozenset({"dockerLabels", "options", "driverOpts", "labels"})


def pruned(value: Any, key: str = "") -> Any:
    """``value`` without nulls, empty lists, maps and strings at any depth (they carry nothing, and some, such
    as an empty ``tmpfs`` on Fargate or ``"taskRoleArn": ""``, would be refused where the input had nothing),
    with quoted whole numbers as numbers. An environment variable's empty value and user maps stay as given."""
    if key in _OPAQUE:
        return value
    if isinstance(value, dict):
        out = {k: pruned(v, k) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ([], {}, None) and (v != "" or k == "value")}
    if isinstance(value, list):
        return [pruned(v) for v in value]
    if key in _WHOLE_NUMBERS and isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return value


def task_definition_of(data: Any) -> dict[str, Any]:
    """The task definition in ``data``: the register input as is, ``taskDefinition`` of describe output, or
    ``{"containerDefinitions": data}`` for a bare list of container definitions."""
    if isinstance(data, list):
        data = {"containerDefinitions": data}
    elif isinstance(data, dict) and isinstance(data.get("taskDefinition"), dict):
        tags = data.get("tags")
        data = dict(data["taskDefinition"])
        if tags and "tags" not in data:
            data["tags"] = tags
    if not isinstance(data, dict) or not isinstance(data.get("containerDefinitions"), list) \
            or not data["containerDefinitions"]:
        raise ImportFailed("this is not a task definition: expected the register-task-definition input "
                           '({"family": ..., "containerDefinitions": [...]}), the describe-task-definition output '
                           '({"taskDefinition": {...}}) or a list of container definitions.')
    for i, c in enumerate(data["containerDefinitions"]):
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c.get("name"):
            raise ImportFailed(f"containerDefinitions[{i}] has no name; every container definition needs one.")
        if not isinstance(c.get("image"), str) or not c["image"]:
            raise ImportFailed(f"container {c['name']} has no image; every container definition needs one.")
    return data


_LIST_OF_MAPS, _MAP, _WORDS, _NUMBER, _FLAG = "a list of objects", "an object", "a list of strings", \
    "a whole number", "true or false"
#: the shape of the keys the importer reads itself (the rest go through converters, or as given)
_TASK_SHAPES = {"volumes": _LIST_OF_MAPS, "runtimePlatform": _MAP, "requiresCompatibilities": _WORDS,
                "placementConstraints": _LIST_OF_MAPS, "ephemeralStorage": _MAP, "proxyConfiguration": _MAP}
_CONTAINER_SHAPES = {
    "dependsOn": _LIST_OF_MAPS, "mountPoints": _LIST_OF_MAPS, "volumesFrom": _LIST_OF_MAPS,
    "portMappings": _LIST_OF_MAPS, "environment": _LIST_OF_MAPS, "secrets": _LIST_OF_MAPS,
    "healthCheck": _MAP, "logConfiguration": _MAP, "firelensConfiguration": _MAP, "linuxParameters": _MAP,
    "command": _WORDS, "entryPoint": _WORDS, "cpu": _NUMBER, "memory": _NUMBER, "memoryReservation": _NUMBER,
    "startTimeout": _NUMBER, "stopTimeout": _NUMBER, "essential": _FLAG, "readonlyRootFilesystem": _FLAG,
    "resourceRequirements": _LIST_OF_MAPS, "ulimits": _LIST_OF_MAPS, "dockerLabels": _MAP}


def _fits(value: Any, shape: str) -> bool:
    if shape == _LIST_OF_MAPS:
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if shape == _MAP:
        return isinstance(value, dict)
    if shape == _WORDS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if shape == _NUMBER:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, bool)


def _check_shapes(td: dict[str, Any]) -> None:
    """Refuse a value of the wrong kind with a message naming it (rather than failing somewhere inside)."""
    checks = [("task", td, _TASK_SHAPES)] + [(f"container {c['name']}", c, _CONTAINER_SHAPES)
                                             for c in td["containerDefinitions"]]
    for where, item, shapes in checks:
        for key, shape in shapes.items():
            if key in item and not _fits(item[key], shape):
                raise ImportFailed(f"{where}: {key} must be {shape}, got {item[key]!r}; fix it in the file "
                                   "(ECS would refuse it too).")
    for c in td["containerDefinitions"]:
        for key in ("healthCheck", "logConfiguration"):
            inner = c.get(key) or {}
            bad = next((k for k, v in inner.items() if k in _CONTAINER_SHAPES and not _fits(v, _CONTAINER_SHAPES[k])
                        and k != "command"), None)
            if key == "healthCheck" and "command" in inner and not _fits(inner["command"], _WORDS):
                bad = "command"
            if bad:
                raise ImportFailed(f"container {c['name']}: {key}.{bad} has the wrong kind of value "
                                   f"({inner[bad]!r}); fix it in the file.")


def _size(value: Any, unit: str) -> int | None:
    """A task cpu or memory string (``"512"``, ``"1 vCPU"``, ``"2 GB"``) in CPU units or MiB."""
    if value is None:
        return None
    text = str(value).strip().lower().replace(" ", "")
    for suffix, factor in ((unit, 1024), ("gb", 1024), ("gib", 1024)):
        if text.endswith(suffix):
            number = text[: -len(suffix)]
            return int(float(number) * factor) if number.replace(".", "", 1).isdigit() else None
    return int(text) if text.isdigit() else None


class _Builder:
    """One import: the plan, the warnings, and which new keywords to leave in overrides."""

    def __init__(self, td: dict[str, Any], name: str | None, demote: frozenset[str]):
        self.td = td
        self.warnings: list[str] = []
        self.demote = demote
        #: keys whose keyword's compiled value is checked against the input: (container definition or None, key)
        self.new_keys: list[tuple[dict[str, Any] | None, str]] = []
        self.container_kw = container_keywords()
        self.task_kw = task_keywords()
        family = given = td.get("family") if isinstance(td.get("family"), str) and td.get("family") else None
        if family is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", family):
            self.warnings.append(f"family {family!r} is not one ECS accepts (letters, digits, hyphens, underscores; a "
                                 "template placeholder?); the task registers as <stack>-<name> instead.")
            family = None
        self.name = name or family or (re.sub(r"[^A-Za-z0-9]+", "-", given).strip("-") if given else "") or "app"
        self.family = family

    def write(self, cls: type, key: str, value: Any, kwargs: dict[str, Any], overrides: dict[str, Any], ctx: Ctx,
              source: dict[str, Any] | None) -> None:
        """One key of the input, with its keyword or in overrides (``source``: the container, None for the task)."""
        table, keywords = (TASK_KEYS, self.task_kw) if cls is TASK else (CONTAINER_KEYS, self.container_kw)
        if write(table, cls, key, value, kwargs, overrides, ctx, keywords, self.demote):
            self.new_keys.append((source, key))

    # ---- task --------------------------------------------------------------------------------------
    def plan(self) -> Blueprint:
        td = self.td
        compat = [c for c in td.get("requiresCompatibilities") or [] if isinstance(c, str)]
        mode = td.get("networkMode")
        if mode == "default":
            self.warnings.append("networkMode 'default' (Windows on EC2) is not available in CloudFormation; "
                                 "the task uses awsvpc, which Windows supports on EC2 and Fargate.")
            mode = "awsvpc"
        if not compat:
            compat = ["FARGATE"] if mode == "awsvpc" and td.get("cpu") and td.get("memory") else ["EC2"]
        fargate = "FARGATE" in compat
        external = not fargate and "EC2" not in compat  # ECS Anywhere only
        kwargs: dict[str, Any] = {}
        if self.family is not None:
            kwargs["family"] = self.family
        if external:
            cls = "TaskDefinition"
            mode = mode or "bridge"
            kwargs.update(network_mode=mode, compatibilities=compat)
        elif fargate:
            cls = "FargateTaskDefinition"
            if mode not in (None, "awsvpc"):
                self.warnings.append(f"networkMode {mode!r} does not run on Fargate; the task uses awsvpc.")
            mode = "awsvpc"
        else:
            cls = "Ec2TaskDefinition"
            mode = mode or "bridge"
            if mode != "bridge":
                kwargs["network_mode"] = mode
        if not external and compat != (["FARGATE"] if fargate else ["EC2"]):
            kwargs["compatibilities"] = compat
        cpu, memory = self._task_size(fargate)
        if cpu is not None:
            kwargs["cpu"] = cpu
        if memory is not None:
            kwargs["memory"] = memory
        platform = td.get("runtimePlatform") or {}
        task_overrides: dict[str, Any] = {}
        if platform.get("cpuArchitecture"):
            kwargs["cpu_architecture"] = platform["cpuArchitecture"]
        if platform.get("operatingSystemFamily"):
            kwargs["os_family"] = platform["operatingSystemFamily"]
        ctx = Ctx("task", mode, self.warnings)
        for key, value in td.items():
            if key in READ_ONLY or key in _HANDLED or value in ([], {}, None):
                continue
            self.write(TASK, key, value, kwargs, task_overrides, ctx, None)
        task = TaskPlan(stack_name(self.name), cls, kwargs, task_overrides)
        self._volumes(task)
        for c in td["containerDefinitions"]:
            task.containers.append(self._container(c, mode))
        self._statements(task)
        self._adjust(task, mode)
        plan = Blueprint(stack_name(self.name), "", description=f"Imported task definition {self.name}",
                         parameters=ctx.parameters)
        plan.tasks.append(task)
        if external:
            self.warnings.append(f"the task runs on external instances only ({', '.join(compat)}, ECS Anywhere), "
                                 "whose services ecsstack does not declare yet: the blueprint registers the task "
                                 "definition in a cluster for your instances; create the service with `aws ecs "
                                 "create-service --launch-type EXTERNAL`.")
            return plan
        if not fargate:
            plan.capacity = self._capacity(task, kwargs)
        plan.services.append(ServicePlan(task.name, task))
        return plan

    def _task_size(self, fargate: bool) -> tuple[int | None, int | None]:
        td = self.td
        cpu, memory = _size(td.get("cpu"), "vcpu"), _size(td.get("memory"), "mb")
        for key, given, parsed in (("cpu", td.get("cpu"), cpu), ("memory", td.get("memory"), memory)):
            if given is not None and parsed is None:
                raise ImportFailed(f"task {key} {given!r} is not a size ECS accepts (e.g. \"512\" or \"1 vCPU\").")
            if given is not None and str(given).strip() != str(parsed):
                self.warnings.append(f"task {key} {given!r} is written as {parsed} (the same size, in "
                                     f"{'CPU units' if key == 'cpu' else 'MiB'}).")
        if not fargate:
            return cpu, memory
        containers = self.td["containerDefinitions"]
        need_cpu = sum(c.get("cpu") or 0 for c in containers if isinstance(c.get("cpu"), int))
        need_memory = sum(max(c.get("memory") or 0, c.get("memoryReservation") or 0) for c in containers)
        want = fargate_size(max(cpu or 0, need_cpu, 256), max(memory or 0, need_memory, 512))
        if (cpu, memory) != want:
            self.warnings.append(f"the task's size ({cpu} CPU units, {memory} MiB) is not a Fargate size that holds "
                                 f"its containers; written as cpu={want[0]}, memory={want[1]}.")
        return want

    def _capacity(self, task: TaskPlan, kwargs: dict[str, Any]) -> dict[str, Any]:
        """EC2 capacity for an EC2 task: an instance type with room for it (GPUs, ARM64 when asked)."""
        gpu = any(c.kwargs.get("gpu") or "ResourceRequirements" in c.overrides for c in task.containers)
        arm = kwargs.get("cpu_architecture") == "ARM64"
        memory = max(kwargs.get("memory") or 0, sum(max(c.kwargs.get("memory") or 0,
                                                        c.kwargs.get("memory_reservation") or 0)
                                                    for c in task.containers))
        capacity: dict[str, Any] = {}
        if gpu:
            capacity["instance_type"] = "g4dn.xlarge"
        elif arm:
            capacity.update(instance_type="t4g.medium" if memory <= 3072 else "m7g.xlarge",
                            architecture="ARM64")
        elif memory > 3072:
            capacity["instance_type"] = next(t for m, t in ((7168, "m5.large"), (15360, "m5.xlarge"),
                                                            (31744, "m5.2xlarge"), (1 << 30, "m5.4xlarge"))
                                             if memory <= m)
        capacity["max_size"] = 2
        return capacity

    def _volumes(self, task: TaskPlan) -> None:
        volumes = self.td.get("volumes") or []
        modelled = all(self._volume(v) is not None for v in volumes)
        for v in volumes:
            plan = self._volume(v) if modelled else None
            if plan is None:  # a name only: the whole list is carried in overrides as given
                plan = VolumePlan(v.get("name", "data"), "add_bind_volume")
            task.volumes.append(plan)
        if not modelled:
            carry(TASK, "volumes", volumes, task.overrides, Ctx("task", "", self.warnings))

    def _volume(self, v: dict[str, Any]) -> VolumePlan | None:
        """The volume as a builder call; None when the model cannot say it (Docker volumes, FSx, ...)."""
        name = v.get("name")
        if not isinstance(name, str) or set(v) - {"name", "host", "efsVolumeConfiguration"}:
            return None
        if "efsVolumeConfiguration" in v:
            efs = v["efsVolumeConfiguration"]
            auth = efs.get("authorizationConfig") or {}
            if set(efs) - {"fileSystemId", "rootDirectory", "transitEncryption", "authorizationConfig"} \
                    or set(auth) - {"accessPointId", "iam"} or "host" in v \
                    or (auth.get("iam") == "DISABLED" and not auth.get("accessPointId")):
                return None  # (an explicit IAM DISABLED without an access point is not written by the model)
            kwargs: dict[str, Any] = {"file_system_id": efs.get("fileSystemId")}
            if efs.get("rootDirectory"):
                kwargs["root_directory"] = efs["rootDirectory"]
            if auth.get("accessPointId"):
                kwargs["access_point_id"] = auth["accessPointId"]
            if efs.get("transitEncryption") == "DISABLED":
                kwargs["transit_encryption"] = False
            elif "transitEncryption" not in efs:
                self.warnings.append(f"volume {name}: transitEncryption was not set (ECS's default is DISABLED); "
                                     "the blueprint encrypts in transit, ecsstack's default. Write "
                                     "transit_encryption=False to keep it off.")
            if auth.get("iam") == "ENABLED":
                kwargs["iam_authorization"] = True
            return VolumePlan(name, "add_efs_volume", kwargs)
        host = v.get("host") or {}
        if set(host) - {"sourcePath"}:
            return None
        return VolumePlan(name, "add_bind_volume", {"host_path": host["sourcePath"]} if host.get("sourcePath")
                          else {})

    # ---- containers ----------------------------------------------------------------------------------
    def _container(self, c: dict[str, Any], mode: str) -> ContainerPlan:
        where = f"container {c['name']}"
        ctx = Ctx(where, mode, self.warnings)
        plan = ContainerPlan(c["name"], c["image"])
        firelens = c.get("firelensConfiguration")
        if isinstance(firelens, dict):
            self._router(plan, firelens)
        for key, value in c.items():
            if key in STATEMENT_KEYS or value in ([], {}, None):
                continue
            if key == "logConfiguration" and isinstance(value, dict) and "logDriver" in value:
                # the driver and options as a LogConfig; what else it has (secretOptions) in overrides
                given = {k: v for k, v in value.items() if k in ("logDriver", "options")}
                self.write(CONTAINER, key, given, plan.kwargs, plan.overrides, ctx, c)
                rest = {k: v for k, v in value.items() if k not in given}
                if rest:
                    carry(CONTAINER, key, rest, plan.overrides, ctx)
                continue
            self.write(CONTAINER, key, value, plan.kwargs, plan.overrides, ctx, c)
        if "logConfiguration" not in c:
            plan.kwargs["logging"] = Call("LogConfig.disabled")
        if "executionRoleArn" not in self.td:
            options = (c.get("logConfiguration") or {}).get("options") or {}
            if c.get("logConfiguration", {}).get("logDriver") == "awslogs" \
                    and str(options.get("awslogs-create-group")).lower() == "true":
                self.warnings.append(f"{where}: awslogs-create-group makes the log group at task start, which needs "
                                     "logs:CreateLogGroup; the execution role ecsstack makes does not grant it. "
                                     "Drop the option (ecsstack can make the group: LogConfig.awslogs()), or pass "
                                     "execution_role= a role that may.")
            for key, what in (("RepositoryCredentials", "its registry credentials (secretsmanager:GetSecretValue)"),
                              ("EnvironmentFiles", "its environment files (s3:GetObject)")):
                if key in plan.overrides:
                    self.warnings.append(f"{where}: {key} is carried in overrides=, so the execution role ecsstack "
                                         f"makes is not granted to read {what}; grant it, or pass "
                                         "execution_role= a role that may.")
        return plan

    def _router(self, plan: ContainerPlan, firelens: dict[str, Any]) -> None:
        plan.method = "add_firelens_router"
        if firelens.get("type") and firelens["type"] != "fluentbit":
            plan.kwargs["type"] = firelens["type"]
        options = dict(firelens.get("options") or {})
        kind, value = options.get("config-file-type"), options.get("config-file-value")
        if value is not None and kind == ("s3" if str(value).startswith("arn:") else "file"):
            del options["config-file-type"], options["config-file-value"]
            plan.kwargs["config_file"] = value
        if options:
            plan.kwargs["options"] = options

    def _statements(self, task: TaskPlan) -> None:
        """Mounts, volumes_from and dependencies, which name other parts of the task."""
        names = {c.name for c in task.containers}
        volumes = {v.name for v in task.volumes}
        for raw, plan in zip(self.td["containerDefinitions"], task.containers, strict=True):
            where = f"container {plan.name}"
            for m in raw.get("mountPoints") or []:
                if m.get("sourceVolume") not in volumes or not m.get("containerPath"):
                    raise ImportFailed(f"{where} mounts volume {m.get('sourceVolume')!r}, which the task does not "
                                       "define; add it to volumes or remove the mount point.")
                plan.mounts.append((m["sourceVolume"], m["containerPath"], bool(m.get("readOnly"))))
            for v in raw.get("volumesFrom") or []:
                if v.get("sourceContainer") not in names:
                    raise ImportFailed(f"{where} takes volumes from {v.get('sourceContainer')!r}, which is not a "
                                       "container of the task.")
                plan.volumes_from.append((v["sourceContainer"], bool(v.get("readOnly"))))
            for d in raw.get("dependsOn") or []:
                condition = str(d.get("condition", "START")).upper()
                if d.get("containerName") not in names or condition not in _CONDITIONS:
                    raise ImportFailed(f"{where} depends on {d.get('containerName')!r} with {condition}, which is "
                                       "not a container of the task and one of START, COMPLETE, SUCCESS, HEALTHY.")
                plan.depends.append((d["containerName"], condition))


    def _adjust(self, task: TaskPlan, mode: str) -> None:
        """What ECS would register but never run, made to run, with a warning each: a dependency on a container
        that must exit (COMPLETE, SUCCESS) makes that container non-essential (an essential one stops the task
        when it exits); HEALTHY on a container without a health check waits for START; two containers claiming
        one port of the task's network (awsvpc, host) keep it for the first."""
        for c in task.containers:
            for i, (target, condition) in enumerate(c.depends):
                other = task.container(target)
                assert other is not None
                if condition in ("COMPLETE", "SUCCESS") and other.kwargs.get("essential", True) is not False:
                    other.kwargs["essential"] = False
                    self.warnings.append(f"container {target}: {c.name} waits for it to {condition.lower()}, so it "
                                         "must exit, which an essential container cannot do without stopping the "
                                         "task; it is made non-essential.")
                if condition == "HEALTHY" and "health_check" not in other.kwargs and "HealthCheck" not in \
                        other.overrides:
                    c.depends[i] = (target, "START")
                    self.warnings.append(f"container {c.name}: waits for {target} to be HEALTHY, but {target} has no "
                                         "health check, so it would never start; it waits for START instead.")
        if mode not in ("awsvpc", "host"):
            return
        used: dict[tuple[int, str], str] = {}
        for c in task.containers:
            kept = []
            for port in c.kwargs.get("ports") or []:
                number = port if isinstance(port, int) else port.args[0]
                protocol = "tcp" if isinstance(port, int) else port.kwargs.get("protocol", "tcp")
                if (number, protocol) in used:
                    owner = used[number, protocol]
                    self.warnings.append(f"container {c.name}: port {number}/{protocol} is already {owner}'s (the "
                                         f"containers of an {mode} task share its ports); left out.")
                    continue
                used[number, protocol] = c.name
                kept.append(port)
            if "ports" in c.kwargs:
                c.kwargs["ports"] = kept


def _header(plan: Blueprint, origin: str, warnings: list[str]) -> None:
    task = plan.tasks[0]
    plan.docstring = (f"Imported from {origin} by `ecsstack import taskdef`: the task definition "
                      f"{task.kwargs.get('family', task.name)} ({len(task.containers)} container"
                      f"{'s' if len(task.containers) != 1 else ''}), "
                      f"{'run by a service' if plan.services else 'registered'} in a cluster of its own.")
    carried = overridden(plan)
    if carried:
        plan.notes = ["Carried in overrides= as given (no keyword of ecsstack says these as given):",
                      *(f"  {line}" for line in carried)]
    if warnings:
        plan.notes += ["", "Changed on import (see the warnings of `ecsstack import`):",
                       *(f"  {w}" for w in warnings)]


def import_taskdef(data: Any, *, name: str | None = None, origin: str = "task-definition JSON") -> ImportResult:
    """A blueprint reproducing the task definition ``data`` (parsed JSON in any of the shapes
    ``task_definition_of`` accepts): ``ImportResult(source, warnings, overrides)``.

    ``name``: the stack and blueprint name; Default the family (``app`` for a bare container list).
    ``origin``: how the file's docstring names the input. Raises ``ImportFailed`` when the input is not a
    task definition, or cannot be made into a blueprint that synthesizes.
    """
    td = pruned(task_definition_of(data))
    _check_shapes(td)
    builder = _Builder(td, name, frozenset())
    plan = builder.plan()
    _header(plan, origin, builder.warnings)
    source = render(plan)
    template, problems = run_blueprint(source)
    broken = (_refused(builder.new_keys, problems) if template is None
              else _not_reproduced(builder.new_keys, template, td))
    if broken:
        # a keyword did not take the input's value as the converter wrote it (or a rule refuses the value, as
        # privileged on Fargate): carry those keys in overrides=, as given
        keys = sorted(set(broken))
        builder = _Builder(td, name, frozenset(CONTAINER_KEYS.get(k, TASK_KEYS.get(k, ("",)))[0] for k in keys))
        plan = builder.plan()
        builder.warnings.append(f"the keywords for {', '.join(keys)} did not reproduce the input "
                                f"({'; '.join(problems) or 'other values'}); carried in overrides= instead.")
        _header(plan, origin, builder.warnings)
        source = render(plan)
        template, problems = run_blueprint(source)
    if template is None:
        raise ImportFailed("the imported task definition does not synthesize:\n  " + "\n  ".join(problems))
    return ImportResult(source, builder.warnings, overridden(plan))


def _refused(new_keys: list[tuple[dict[str, Any] | None, str]], problems: list[str]) -> list[str]:
    """The checked keys whose keyword the problems of a failed synthesis name (all of them when none is named)."""
    keys = [key for _, key in new_keys]
    named = []
    for key in keys:
        keyword = CONTAINER_KEYS.get(key, TASK_KEYS.get(key, ("",)))[0]
        # (rules name a keyword as written, "ulimit 'memlock'", or a setting of LinuxParameters by its own name)
        words = {keyword.removesuffix("s"), "capabilities_add", "capabilities_drop"} \
            if keyword == "linux_parameters" else {keyword.removesuffix("s")}
        if any(re.search(rf"\b{word}", p) for word in words for p in problems):
            named.append(key)
    return named or keys


def _not_reproduced(new_keys: list[tuple[dict[str, Any] | None, str]], template: dict[str, Any],
                    td: dict[str, Any]) -> list[str]:
    """The checked keys (``new_keys``) whose compiled value is not the input's
    (``(container definition, key)``, or ``(None, key)`` for a task key)."""
    [props] = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    out = []
    for container, key in new_keys:
        if container is None:
            cls, compiled, value = TASK, props, td[key]
        else:
            cls, value = CONTAINER, container[key]
            compiled = next((c for c in props["ContainerDefinitions"] if c.get("Name") == container["name"]), {})
        name = property_name(cls, key)
        if name is not None and not covers(pascal_value(cls, name, value, [], key), compiled.get(name)):
            out.append(key)
    return out
