"""What ``run_task`` runs, worked out from the deployed stack (no AWS calls here): which task definition a
task NAME means, the cluster, and the network configuration, launch type or capacity strategy of the
service (or schedule) that runs that task, read from the deployed template with its parameters and
physical ids filled in."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..names import CLUSTER, SERVICE, TASK_DEFINITION, logical_id
from ._errors import UsageError

__all__ = ["Network", "Placement", "Resolver", "StackTask", "Unresolved", "choose_cluster", "find_task",
           "placement_from_api", "placement_from_template", "runners", "services", "stack_tasks"]

TASK_TYPE = "AWS::ECS::TaskDefinition"
SERVICE_TYPE = "AWS::ECS::Service"
CLUSTER_TYPE = "AWS::ECS::Cluster"
SCHEDULE_TYPE = "AWS::Scheduler::Schedule"
RULE_TYPE = "AWS::Events::Rule"
_FAMILY = re.compile(r"^\$\{AWS::StackName\}-(.+)$")
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")
_NO_VALUE = object()


class Unresolved(Exception):
    """A template value that cannot be worked out from the stack's parameters and resources."""


@dataclass(frozen=True)
class StackTask:
    """A task definition of the stack: its blueprint ``name``, logical id and the ARN CloudFormation made."""

    name: str
    logical_id: str
    arn: str


@dataclass(frozen=True)
class Network:
    """An awsvpc network configuration, in the shape ``RunTask`` takes."""

    subnets: tuple[str, ...]
    security_groups: tuple[str, ...] = ()
    assign_public_ip: bool = False

    def to_api(self) -> dict[str, Any]:
        config: dict[str, Any] = {"subnets": list(self.subnets),
                                  "assignPublicIp": "ENABLED" if self.assign_public_ip else "DISABLED"}
        if self.security_groups:
            config["securityGroups"] = list(self.security_groups)
        return {"awsvpcConfiguration": config}

    def describe(self) -> str:
        groups = ", ".join(self.security_groups) or "the VPC's default"
        public = ", public IP" if self.assign_public_ip else ""
        return f"subnets {', '.join(self.subnets)}; security groups {groups}{public}"


@dataclass(frozen=True)
class Placement:
    """Where a task runs: how the service (or schedule) ``source`` runs it."""

    source: str = ""
    cluster: str | None = None
    network: Network | None = None
    launch_type: str | None = None
    capacity_provider_strategy: tuple[dict[str, Any], ...] = ()
    platform_version: str | None = None
    placement_strategy: tuple[dict[str, Any], ...] = ()
    placement_constraints: tuple[dict[str, Any], ...] = ()

    def run_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.capacity_provider_strategy:
            args["capacityProviderStrategy"] = [dict(s) for s in self.capacity_provider_strategy]
        elif self.launch_type:
            args["launchType"] = self.launch_type
        if self.platform_version and (self.launch_type == "FARGATE" or self.capacity_provider_strategy):
            args["platformVersion"] = self.platform_version
        if self.placement_strategy:
            args["placementStrategy"] = [dict(s) for s in self.placement_strategy]
        if self.placement_constraints:
            args["placementConstraints"] = [dict(c) for c in self.placement_constraints]
        if self.network is not None:
            args["networkConfiguration"] = self.network.to_api()
        return args


@dataclass
class Resolver:
    """Works out template values: ``Ref`` (parameters, resources, pseudo parameters), ``Fn::GetAtt`` of a
    security group's or subnet's id, ``Fn::Select``, ``Fn::Split``, ``Fn::Join``, ``Fn::Sub`` and
    ``Fn::ImportValue``; anything else (conditions, other attributes) raises ``Unresolved``."""

    template: Mapping[str, Any]
    parameters: Mapping[str, str]
    physical: Mapping[str, str]
    pseudo: Mapping[str, str] = field(default_factory=dict)
    export: Callable[[str], str | None] = lambda name: None

    def resources(self) -> Mapping[str, Any]:
        return self.template.get("Resources") or {}

    def value(self, node: Any) -> Any:
        found = self._value(node)
        if found is _NO_VALUE:
            return None
        return found

    def _value(self, node: Any) -> Any:
        if isinstance(node, list):
            items = []
            for item in node:
                found = self._value(item)
                if found is _NO_VALUE:
                    continue
                items.extend(found if isinstance(found, list) else [found])
            return items
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {k: self.value(v) for k, v in node.items()}
        (key, arg), = node.items()
        if key == "Ref":
            return self._ref(str(arg))
        if key == "Fn::GetAtt":
            target, _, attr = (arg.partition(".") if isinstance(arg, str) else (arg[0], "", arg[1]))
            return self._get_att(str(target), str(attr))
        if key == "Fn::Select":
            index, items = self._value(arg[0]), self._value(arg[1])
            try:
                return items[int(index)]
            except (TypeError, ValueError, IndexError) as exc:
                raise Unresolved(f"Fn::Select {arg!r}") from exc
        if key == "Fn::Split":
            return str(self._value(arg[1])).split(str(arg[0]))
        if key == "Fn::Join":
            parts = self._value(arg[1])
            return str(arg[0]).join(str(p) for p in (parts if isinstance(parts, list) else [parts]))
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::ImportValue":
            name = str(self._value(arg))
            exported = self.export(name)
            if exported is None:
                raise Unresolved(f"Fn::ImportValue {name} (no such export)")
            return exported
        if key.startswith("Fn::") or key == "Condition":
            raise Unresolved(f"{key} {arg!r}")
        return {key: self.value(arg)}

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        declared = (self.template.get("Parameters") or {}).get(name)
        if declared is not None:
            if name not in self.parameters:
                raise Unresolved(f"parameter {name} (the stack has no value for it)")
            value = self.parameters[name]
            kind = str(declared.get("Type", ""))
            if kind.startswith("List<") or kind == "CommaDelimitedList" or "<List<" in kind:
                return [v.strip() for v in value.split(",") if v.strip()]
            return value
        if self.physical.get(name):
            return self.physical[name]
        raise Unresolved(f"Ref {name}")

    def _get_att(self, target: str, attr: str) -> Any:
        kind = (self.resources().get(target) or {}).get("Type")
        if (kind, attr) in (("AWS::EC2::SecurityGroup", "GroupId"), ("AWS::EC2::Subnet", "SubnetId"),
                            ("AWS::ECS::Cluster", "Arn")) and self.physical.get(target):
            return self.physical[target]
        raise Unresolved(f"Fn::GetAtt {target}.{attr}")

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self._value(variables[name]))
            target, dot, attr = name.partition(".")
            return str(self._get_att(target, attr) if dot else self._ref(name))

        return _SUB.sub(one, str(text)).replace("${!", "${")


# -- the stack's task definitions --------------------------------------------------------------------------
def _task_name(lid: str, resource: Mapping[str, Any]) -> str:
    """The blueprint name of a task definition: from its family ``${AWS::StackName}-NAME``, else its logical
    id without the ``TaskDefinition`` suffix."""
    family = (resource.get("Properties") or {}).get("Family")
    if isinstance(family, dict) and isinstance(family.get("Fn::Sub"), str):
        match = _FAMILY.match(family["Fn::Sub"])
        if match:
            return match.group(1)
    if isinstance(family, str) and family:
        return family
    return lid[: -len(TASK_DEFINITION)] if lid.endswith(TASK_DEFINITION) and lid != TASK_DEFINITION else lid


def stack_tasks(template: Mapping[str, Any], physical: Mapping[str, str]) -> list[StackTask]:
    """Every task definition the stack made, in template order."""
    return [StackTask(_task_name(lid, r), lid, physical.get(lid, ""))
            for lid, r in (template.get("Resources") or {}).items() if r.get("Type") == TASK_TYPE]


def find_task(tasks: Sequence[StackTask], name: str, stack_name: str) -> StackTask:
    """The task ``name`` means: its blueprint name, its logical id or the logical id it compiles to."""
    for task in tasks:
        if name in (task.name, task.logical_id) or logical_id(name, TASK_DEFINITION) == task.logical_id:
            if not task.arn:
                raise UsageError(f"the task definition {task.logical_id} of stack {stack_name} has no ARN yet "
                                 f"(is the stack still being created?).")
            return task
    if not tasks:
        raise UsageError(f"stack {stack_name} has no task definition (AWS::ECS::TaskDefinition); there is no task "
                         f"to run.")
    names = sorted(t.name for t in tasks)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"stack {stack_name} has no task {name!r}; its tasks: {', '.join(names)}.{hint}",
                     "Pass --task with one of them (the name the blueprint gave the task definition).")


# -- who runs the task, and how ----------------------------------------------------------------------------
def _refers_to(value: Any, task: StackTask) -> bool:
    return value in ({"Ref": task.logical_id}, task.arn, task.logical_id)


def services(template: Mapping[str, Any]) -> list[str]:
    """The logical ids of the stack's ECS services."""
    return [lid for lid, r in (template.get("Resources") or {}).items() if r.get("Type") == SERVICE_TYPE]


def runners(template: Mapping[str, Any], task: StackTask) -> list[tuple[str, str]]:
    """The services, schedules and event rules of the stack that run ``task``: (logical id, type)."""
    found = []
    for lid, r in (template.get("Resources") or {}).items():
        props = r.get("Properties") or {}
        kind = r.get("Type")
        if kind == SERVICE_TYPE:
            refs = [props.get("TaskDefinition")]
        elif kind == SCHEDULE_TYPE:
            refs = [((props.get("Target") or {}).get("EcsParameters") or {}).get("TaskDefinitionArn")]
        elif kind == RULE_TYPE:
            refs = [(t.get("EcsParameters") or {}).get("TaskDefinitionArn") for t in props.get("Targets") or []]
        else:
            continue
        if any(_refers_to(ref, task) for ref in refs):
            found.append((lid, str(kind)))
    return found


def _awsvpc(config: Any, resolver: Resolver | None) -> Network | None:
    """A template's (``Subnets``) or the API's (``subnets``) awsvpc configuration as a ``Network``."""
    if not isinstance(config, Mapping):
        return None
    get = (lambda k: resolver.value(config.get(k))) if resolver else (lambda k: config.get(k[0].lower() + k[1:]))
    subnets = get("Subnets")
    if not subnets:
        return None
    groups = get("SecurityGroups") or []
    public = get("AssignPublicIp")
    return Network(tuple(_ids(subnets)), tuple(_ids(groups)), str(public).upper() == "ENABLED")


def _ids(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _strategy(items: Any, resolver: Resolver | None) -> tuple[dict[str, Any], ...]:
    out = []
    for item in items or []:
        if resolver is not None:
            item = {k[0].lower() + k[1:]: resolver.value(v) for k, v in item.items()}
        entry = {"capacityProvider": str(item["capacityProvider"])}
        for key in ("weight", "base"):
            if item.get(key) is not None:
                entry[key] = int(item[key])
        out.append(entry)
    return tuple(out)


def _camel(items: Any, resolver: Resolver | None, keys: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """Placement strategies or constraints (``Type``/``Field``/``Expression``) in RunTask's spelling."""
    out = []
    for item in items or []:
        if resolver is not None:
            item = {k[0].lower() + k[1:]: resolver.value(v) for k, v in item.items()}
        out.append({k: str(item[k]) for k in keys if item.get(k) is not None})
    return tuple(out)


def placement_from_template(lid: str, resolver: Resolver) -> Placement:
    """How the service, schedule or rule ``lid`` runs its task, from the deployed template."""
    resource = resolver.resources()[lid]
    props = resource.get("Properties") or {}
    kind = resource.get("Type")
    if kind == SERVICE_TYPE:
        cluster = resolver.value(props.get("Cluster")) if props.get("Cluster") is not None else None
        network = (props.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
        ecs_props = props
    else:
        target = (props.get("Target") or {}) if kind == SCHEDULE_TYPE else next(
            t for t in props.get("Targets") or [] if t.get("EcsParameters"))
        ecs_props = target.get("EcsParameters") or {}
        cluster = resolver.value(target.get("Arn"))
        configured = ecs_props.get("NetworkConfiguration") or {}
        network = configured.get("AwsvpcConfiguration") or configured.get("AwsVpcConfiguration")
    launch_type = resolver.value(ecs_props.get("LaunchType"))
    strategies = ecs_props.get("PlacementStrategies") or ecs_props.get("PlacementStrategy")
    constraints = ecs_props.get("PlacementConstraints")
    return Placement(
        source=lid, cluster=str(cluster) if cluster else None, network=_awsvpc(network, resolver),
        launch_type=str(launch_type) if launch_type else None,
        capacity_provider_strategy=_strategy(ecs_props.get("CapacityProviderStrategy"), resolver),
        platform_version=resolver.value(ecs_props.get("PlatformVersion")) or None,
        placement_strategy=_camel(strategies, resolver, ("type", "field")),
        placement_constraints=_camel(constraints, resolver, ("type", "expression")))


def placement_from_api(lid: str, service: Mapping[str, Any]) -> Placement | None:
    """How a live service (DescribeServices) runs its tasks; ``None`` when it reports no network
    configuration (then the template says it)."""
    network = _awsvpc((service.get("networkConfiguration") or {}).get("awsvpcConfiguration"), None)
    if network is None:
        return None
    return Placement(source=lid, cluster=service.get("clusterArn"), network=network,
                     launch_type=service.get("launchType") or None,
                     capacity_provider_strategy=_strategy(service.get("capacityProviderStrategy"), None),
                     platform_version=service.get("platformVersion") or None,
                     placement_strategy=_camel(service.get("placementStrategy"), None, ("type", "field")),
                     placement_constraints=_camel(service.get("placementConstraints"), None, ("type", "expression")))


# -- the cluster -------------------------------------------------------------------------------------------
def choose_cluster(template: Mapping[str, Any], physical: Mapping[str, str], given: str | None,
                   from_runner: str | None, stack_name: str) -> str:
    """The cluster to run in: ``given`` (a cluster of the stack by blueprint name or logical id, else taken as
    a cluster name or ARN), else the one the task's service runs in, else the stack's only cluster."""
    clusters = [lid for lid, r in (template.get("Resources") or {}).items() if r.get("Type") == CLUSTER_TYPE]
    if given:
        for lid in clusters:
            if given in (lid, physical.get(lid)) or logical_id(given, CLUSTER) == lid:
                return physical.get(lid) or given
        return given
    if from_runner:
        return from_runner
    if len(clusters) == 1 and physical.get(clusters[0]):
        return physical[clusters[0]]
    if not clusters:
        raise UsageError(f"stack {stack_name} has no ECS cluster (AWS::ECS::Cluster), and no service of it runs "
                         f"the task.", "Pass --cluster NAME with the cluster to run the task in.")
    names = ", ".join(lid[: -len(CLUSTER)] if lid.endswith(CLUSTER) else lid for lid in clusters)
    raise UsageError(f"stack {stack_name} has {len(clusters)} clusters ({names}) and no service of it runs the "
                     f"task.", "Choose one with --cluster NAME.")


def find_service(template: Mapping[str, Any], name: str, stack_name: str) -> str:
    """The logical id of the stack's service ``name`` (blueprint name or logical id)."""
    found = services(template)
    for lid in found:
        if name == lid or logical_id(name, SERVICE) == lid:
            return lid
    raise UsageError(f"stack {stack_name} has no service {name!r}; its services: "
                     f"{', '.join(found) or 'none'}.", "Pass --network-from with one of them.")
