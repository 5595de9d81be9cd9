"""A Copilot service's import core: state, env overrides, service keywords, scaling, dispatch, the file."""

from __future__ import annotations

import re
from typing import Any

from ._common import ImportFailed, stack_name
from ._copilot_values import _leaves, _map, _merge, _number, _pascal
from ._plan import _comment_lines, _docstring, _imports
from ._source import Call, Raw, identifier, statement


class _ServiceBase:
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


def _patterns(text: str) -> list[str]:
    return [p for p in ("LoadBalancedWebService", "QueueWorkerService") if f"{p}(" in text]
