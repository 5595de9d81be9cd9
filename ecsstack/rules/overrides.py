"""ECS94x: overrides that weaken what ecsstack set for safety (warnings: the template still says what the override
asks). ECS940 (an override of a part its builder does not generate) and ECS946 (``Remove`` outside a list merged by
key) are found while compiling (ecsstack.compile)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from ..model import Container, ListenerProtocol, Queue, Service
from ..model.derived import Remove
from ._registry import Index, Rule, rule

__all__ = ["Layer", "layers"]

#: load balancer attributes ecsstack sets for safety, with the value it sets
SAFE_LB_ATTRIBUTES = {"routing.http.drop_invalid_header_fields.enabled": "true"}
#: managed policies that make a role an administrator (or let it make itself one)
BROAD_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
ANYWHERE = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class Layer:
    """One override: the ``builder`` it is written on, the ``part`` (its resource type ``kind``), the raw
    properties, and ``where`` to report it."""

    builder: Any
    part: str
    kind: str
    raw: dict[str, Any]
    where: str


def layers(ix: Index) -> Iterator[Layer]:
    """Every override of the stack: builders' ``overrides=`` (their main part) and ``override()`` parts, and each
    container's ``overrides=`` (with the entries a task's ``ContainerDefinitions`` override gives it by name)."""
    for builder in ix.builders:
        main = type(builder).PARTS[0]
        if getattr(builder, "overrides", None):
            yield Layer(builder, main.name, main.resource_type, builder.overrides, f"{builder.path} › overrides")
        for part, raw in builder.part_overrides.items():
            kind = next(p.resource_type for p in type(builder).PARTS if p.name == part.partition(":")[0])
            yield Layer(builder, part, kind, raw, f"{builder.path} › part {part}")
    for task in ix.tasks:
        by_name = {c.name: c for c in task.containers}
        entries = [(task.overrides, f"{ix.task_path(task)} › overrides"),
                   (task.part_overrides.get("TaskDefinition", {}), f"{ix.task_path(task)} › part TaskDefinition")]
        for raw, where in entries:
            for entry in _list(raw.get("ContainerDefinitions")):
                if isinstance(entry, dict) and isinstance(entry.get("Name"), str) and entry["Name"] in by_name:
                    container = by_name[entry["Name"]]
                    yield Layer(container, "ContainerDefinition", "container", entry, f"{where} › {container.name}")
        for container in task.containers:
            if container.overrides:
                yield Layer(container, "ContainerDefinition", "container", container.overrides,
                            f"{ix.cpath(task, container)} › overrides")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    """Overrides are raw data of any shape: a mapping, or nothing to look into."""
    return value if isinstance(value, dict) else {}


def _entry(items: Any, key: str, name: str) -> tuple[bool, Any]:
    """Whether the keyed list ``items`` has an entry ``key=name`` (a ``Remove`` counts), and that entry."""
    for item in _list(items):
        fields = item.key if isinstance(item, Remove) else item
        if isinstance(fields, dict) and fields.get(key) == name:
            return True, item
    return False, None


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, str | bool | int) else ""


# ---- ECS941: exposure ------------------------------------------------------------------------------------


def _cidr_ingress(layer: Layer) -> Iterator[tuple[str, str]]:
    """(range, ports) for each address range an override admits into a security group."""
    rules = layer.raw.get("SecurityGroupIngress") if layer.kind == "AWS::EC2::SecurityGroup" else None
    if layer.kind == "AWS::EC2::SecurityGroupIngress":
        rules = [layer.raw]
    for entry in _list(rules):
        if not isinstance(entry, dict):
            continue
        for key in ("CidrIp", "CidrIpv6"):
            cidr = entry.get(key)
            if cidr is not None:
                low, high = entry.get("FromPort", "all"), entry.get("ToPort", "all")
                ports = "all ports" if str(entry.get("IpProtocol")) == "-1" else (
                    f"{entry.get('IpProtocol', 'tcp')}/{low}" + (f"-{high}" if high != low else ""))
                yield (cidr if isinstance(cidr, str) else "a range given by a token"), ports


@rule("ECS941", "an override exposes what ecsstack kept closed (ingress from an address range, a public IP, "
                "an internet-facing scheme)")
def _exposes(ix: Index, r: Rule) -> Iterator[Problem]:
    for layer in layers(ix):
        allowed = [c for c in getattr(layer.builder, "allow_from", None) or [] if isinstance(c, str)]
        for cidr, ports in _cidr_ingress(layer):
            if cidr in allowed:
                continue
            said = f"only {', '.join(allowed)}" if allowed else "no address range at all"
            anywhere = " (the whole internet)" if cidr in ANYWHERE else ""
            yield r.problem(layer.where, f"admits {ports} from {cidr}{anywhere}; ecsstack admits {said} there.",
                            "Say it with allow_from= where the builder takes it (so every path stays declared), "
                            "or keep the override if you mean it.", "warning")
        if isinstance(layer.builder, Service) and layer.kind == "AWS::ECS::Service":
            awsvpc = _dict(_dict(layer.raw.get("NetworkConfiguration")).get("AwsvpcConfiguration"))
            if _text(awsvpc.get("AssignPublicIp")) == "enabled" and not layer.builder.assign_public_ip:
                yield r.problem(layer.where, "gives the tasks public IP addresses (AssignPublicIp ENABLED).",
                                "Use assign_public_ip=True if you mean it, or keep the tasks in private subnets.",
                                "warning")
        if layer.kind == "AWS::ElasticLoadBalancingV2::LoadBalancer" and not getattr(
                layer.builder, "internet_facing", True) and _text(layer.raw.get("Scheme")) == "internet-facing":
            yield r.problem(layer.where, "makes an internal load balancer internet-facing.",
                            "Use internet_facing=True if you mean it.", "warning")


# ---- ECS942: encryption ------------------------------------------------------------------------------------


@rule("ECS942", "an override turns off encryption ecsstack set (log group key, queue encryption, HTTPS)")
def _unencrypts(ix: Index, r: Rule) -> Iterator[Problem]:
    for layer in layers(ix):
        raw, builder = layer.raw, layer.builder
        if layer.part == "LogGroup" and "KmsKeyId" in raw and raw["KmsKeyId"] is None \
                and getattr(builder, "log_kms_key", None) is not None:
            yield r.problem(layer.where, "removes the KMS key encrypting the task's log group (KmsKeyId: None).",
                            "Leave KmsKeyId alone, or drop log_kms_key= if the group needs no key of yours.",
                            "warning")
        if isinstance(builder, Queue) and layer.kind == "AWS::SQS::Queue":
            if builder.kms_key is not None and "KmsMasterKeyId" in raw and raw["KmsMasterKeyId"] is None:
                yield r.problem(layer.where, "removes the queue's KMS key (KmsMasterKeyId: None).",
                                "Leave KmsMasterKeyId alone, or drop kms_key=.", "warning")
            elif builder.kms_key is None and "SqsManagedSseEnabled" in raw \
                    and _text(raw["SqsManagedSseEnabled"]) in ("", "false") and "KmsMasterKeyId" not in raw:
                yield r.problem(layer.where, "turns off the queue's server-side encryption (SqsManagedSseEnabled).",
                                "Leave SqsManagedSseEnabled alone, or give kms_key= for a key of your own.",
                                "warning")
        if layer.kind == "AWS::ElasticLoadBalancingV2::Listener":
            listener = builder if not hasattr(builder, "listeners") else next(
                (li for li in builder.listeners if f"Listener:{li.port}" == layer.part), None)
            if getattr(listener, "protocol", None) is ListenerProtocol.HTTPS and (
                    _text(raw.get("Protocol")) == "http" or ("Certificates" in raw and raw["Certificates"] is None)):
                yield r.problem(layer.where, f"turns the HTTPS listener on port {listener.port} into plain HTTP.",
                                "Use listen_http() for a plain HTTP listener, or leave Protocol and Certificates.",
                                "warning")


# ---- ECS943: hardening ---------------------------------------------------------------------------------------


def _container_weakening(container: Container, raw: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if container.readonly_root_filesystem and "ReadonlyRootFilesystem" in raw \
            and _text(raw["ReadonlyRootFilesystem"]) in ("", "false"):
        yield ("makes the container's root filesystem writable (readonly_root_filesystem=True says read-only)",
               "Mount a volume where it must write, or drop readonly_root_filesystem=True.")
    if _text(raw.get("Privileged")) == "true":
        yield ("runs the container privileged (root on the host, every device)",
               "Add only the capabilities it needs (LinuxParameters.Capabilities.Add).")


@rule("ECS943", "an override weakens hardening ecsstack set (read-only root, IMDSv2, invalid header dropping)")
def _weakens(ix: Index, r: Rule) -> Iterator[Problem]:
    for layer in layers(ix):
        raw = layer.raw
        found: list[tuple[str, str]] = []
        if isinstance(layer.builder, Container):
            found += _container_weakening(layer.builder, raw)
        if layer.kind == "AWS::EC2::LaunchTemplate" and "LaunchTemplateData" in raw:
            data = raw["LaunchTemplateData"]
            options = data.get("MetadataOptions", {}) if isinstance(data, dict) else None
            if options is None or not isinstance(options, dict):
                found.append(("removes the instances' metadata options (IMDSv2 only, one hop)",
                              "Leave MetadataOptions alone."))
            else:
                if "HttpTokens" in options and _text(options["HttpTokens"]) != "required":
                    found.append(("lets the instances answer IMDSv1 (HttpTokens not 'required')",
                                  "Keep HttpTokens 'required'."))
                hops = options.get("HttpPutResponseHopLimit")
                if (isinstance(hops, int) and not isinstance(hops, bool) and hops > 1) or (
                        "HttpPutResponseHopLimit" in options and hops is None):
                    found.append(("lets containers on bridge networks reach the instance role (hop limit above 1)",
                                  "Keep HttpPutResponseHopLimit 1; give tasks a task role instead."))
        if layer.kind == "AWS::ElasticLoadBalancingV2::LoadBalancer" and "LoadBalancerAttributes" in raw \
                and getattr(layer.builder, "kind", "") == "application":
            attributes = raw["LoadBalancerAttributes"]
            for key, value in SAFE_LB_ATTRIBUTES.items():
                given, entry = _entry(attributes, "Key", key)
                if attributes is None or isinstance(entry, Remove) or (
                        given and _text(entry.get("Value")) != value):
                    found.append((f"turns off {key} (ecsstack sets it to {value})",
                                  f"Keep {key} {value}; other attributes merge by Key without touching it."))
        for what, fix in found:
            yield r.problem(layer.where, f"{what}.", fix, "warning")


# ---- ECS944: IAM ---------------------------------------------------------------------------------------------


def _wide_actions(policy: Any) -> list[str]:
    document = policy.get("PolicyDocument") if isinstance(policy, dict) else None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    out = []
    for statement in _list(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "NotAction" in statement:
            out.append("NotAction")
        actions = statement.get("Action")
        for action in actions if isinstance(actions, list) else [actions]:
            if isinstance(action, str) and (action == "*" or action.endswith(":*")):
                out.append(action)
    return out


@rule("ECS944", "an override widens an IAM role ecsstack made (wildcard actions, an administrator policy, "
                "a new trust)")
def _widens(ix: Index, r: Rule) -> Iterator[Problem]:
    for layer in layers(ix):
        if layer.kind != "AWS::IAM::Role":
            continue
        raw = layer.raw
        for policy in _list(raw.get("Policies")):
            wide = _wide_actions(policy)
            if wide:
                name = policy.get("PolicyName", "?") if isinstance(policy, dict) else "?"
                yield r.problem(layer.where, f"grants {', '.join(sorted(set(wide)))} in policy {name!r}: every "
                                "action of a service, where ecsstack grants exactly what the task uses.",
                                "Name the actions the task calls (and the resources), or use task.allow(...).",
                                "warning")
        for arn in _list(raw.get("ManagedPolicyArns")):
            text = arn if isinstance(arn, str) else getattr(arn, "text", "")
            broad = next((p for p in BROAD_MANAGED_POLICIES if isinstance(text, str) and text.endswith("/" + p)), None)
            if broad:
                yield r.problem(layer.where, f"attaches the managed policy {broad} to a role ecsstack made.",
                                "Attach a policy with the actions the role needs.", "warning")
        if "AssumeRolePolicyDocument" in raw:
            yield r.problem(layer.where, "replaces who may assume the role (AssumeRolePolicyDocument).",
                            "Leave the trust policy alone unless another service must assume this role.",
                            "warning")


# ---- ECS945: safety nets -------------------------------------------------------------------------------------


def _service_nets(service: Service, raw: dict[str, Any]) -> Iterator[str]:
    if "DeploymentConfiguration" not in raw:
        return
    deployment = raw["DeploymentConfiguration"]
    if deployment is None:
        yield "removes the deployment configuration (circuit breaker, rollback, healthy percent)"
        return
    if not isinstance(deployment, dict):
        return
    if service.circuit_breaker and "DeploymentCircuitBreaker" in deployment:
        breaker = deployment["DeploymentCircuitBreaker"]
        if breaker is None or (isinstance(breaker, dict) and _text(breaker.get("Enable")) == "false"):
            yield "turns off the deployment circuit breaker (circuit_breaker=True)"
        elif isinstance(breaker, dict) and service.rollback and _text(breaker.get("Rollback")) == "false":
            yield "turns off rolling back a failed deployment (rollback=True)"
    if service.rollback_alarms and "Alarms" in deployment:
        alarms = deployment["Alarms"]
        if alarms is None or (isinstance(alarms, dict) and _text(alarms.get("Enable")) == "false"):
            yield "turns off rolling back on the service's rollback alarms"


@rule("ECS945", "an override removes a safety net ecsstack set (circuit breaker, rollback, dead-letter queue, "
                "scale-in protection)")
def _nets(ix: Index, r: Rule) -> Iterator[Problem]:
    for layer in layers(ix):
        builder, raw = layer.builder, layer.raw
        found: list[str] = []
        if isinstance(builder, Service) and layer.kind == "AWS::ECS::Service":
            found += _service_nets(builder, raw)
        if isinstance(builder, Queue) and layer.part == "Queue" and builder.dead_letter \
                and "RedrivePolicy" in raw and raw["RedrivePolicy"] is None:
            found.append("removes the redrive policy to the dead-letter queue (failing messages are retried "
                         "until they expire)")
        if layer.kind == "AWS::AutoScaling::AutoScalingGroup" and getattr(builder, "termination_protection", False) \
                and "NewInstancesProtectedFromScaleIn" in raw \
                and _text(raw["NewInstancesProtectedFromScaleIn"]) in ("", "false"):
            found.append("stops protecting new instances from scale-in (termination_protection=True), so the group "
                         "may stop instances that run tasks")
        for what in found:
            yield r.problem(layer.where, f"{what}.",
                            "Use the builder's keyword to turn it off if you mean it, or drop the override.",
                            "warning")
