"""How an override merges into what ecsstack compiled, decided in one table.

- a mapping merges key by key (``DockerLabels``, ``Options``, ``DeploymentConfiguration``, …), recursively;
- ``None`` removes the compiled property;
- a list AWS keys (``KEYED`` below) merges entry by entry: an entry with the key of a compiled entry merges into
  it (the same rules, recursively: a container's ``Environment`` inside ``ContainerDefinitions``), a new key is
  appended, ``Remove(Key=...)`` drops the entry with that key; the compiled order is kept;
- any other list (``Command``, ``Subnets``, ``ManagedPolicyArns``, …) is replaced as a whole, as are values.

So ``{"Tags": [{"Key": "team", "Value": "x"}]}`` adds one tag and keeps the tags ecsstack set, and
``{"LoadBalancerAttributes": [{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]}`` keeps
``routing.http.drop_invalid_header_fields.enabled``.
"""

from __future__ import annotations

import copy
from typing import Any

from ..model import Remove

__all__ = ["KEYED", "KEY_DEFAULTS", "MergeError", "merge", "merge_list"]


class MergeError(ValueError):
    """An override that cannot merge: ``Remove(...)`` outside a list merged by key, or not naming its key."""

#: list-valued properties merged by key: property name → the fields that identify an entry. The same name means
#: the same shape wherever it appears (the comment says where ecsstack writes it).
KEYED: dict[str, tuple[str, ...]] = {
    "Tags": ("Key",),  # every taggable resource (ASG tags also carry PropagateAtLaunch)
    "LoadBalancerAttributes": ("Key",),  # AWS::ElasticLoadBalancingV2::LoadBalancer
    "TargetGroupAttributes": ("Key",),  # AWS::ElasticLoadBalancingV2::TargetGroup
    "ListenerAttributes": ("Key",),  # AWS::ElasticLoadBalancingV2::Listener
    "ContainerDefinitions": ("Name",),  # AWS::ECS::TaskDefinition
    "Environment": ("Name",),  # container definition
    "Secrets": ("Name",),  # container definition
    "PortMappings": ("ContainerPort", "Protocol"),  # container definition (Protocol defaults to tcp)
    "Ulimits": ("Name",),  # container definition
    "MountPoints": ("ContainerPath",),  # container definition
    "VolumesFrom": ("SourceContainer",),  # container definition
    "DependsOn": ("ContainerName",),  # container definition (a resource's own DependsOn is no property)
    "ExtraHosts": ("Hostname",),  # container definition
    "SystemControls": ("Namespace",),  # container definition
    "ResourceRequirements": ("Type",),  # container definition
    "EnvironmentFiles": ("Value",),  # container definition
    "Volumes": ("Name",),  # AWS::ECS::TaskDefinition
    "ClusterSettings": ("Name",),  # AWS::ECS::Cluster
    "CapacityProviderStrategy": ("CapacityProvider",),  # AWS::ECS::Service
    "DefaultCapacityProviderStrategy": ("CapacityProvider",),  # cluster and associations
    "LoadBalancers": ("TargetGroupArn", "ContainerName", "ContainerPort"),  # AWS::ECS::Service
    "ServiceRegistries": ("RegistryArn",),  # AWS::ECS::Service
    "SecurityGroupIngress": ("IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6", "SourceSecurityGroupId",
                             "SourcePrefixListId"),  # AWS::EC2::SecurityGroup
    "SecurityGroupEgress": ("IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6",
                            "DestinationSecurityGroupId", "DestinationPrefixListId"),  # AWS::EC2::SecurityGroup
    "Policies": ("PolicyName",),  # AWS::IAM::Role
    "Dimensions": ("Name",),  # AWS::CloudWatch::Alarm
    "ScheduledActions": ("ScheduledActionName",),  # AWS::ApplicationAutoScaling::ScalableTarget
    "Certificates": ("CertificateArn",),  # AWS::ElasticLoadBalancingV2::Listener
    "Conditions": ("Field",),  # AWS::ElasticLoadBalancingV2::ListenerRule
}

#: what a key field means when an entry leaves it out (``PortMappings`` without ``Protocol`` is tcp)
KEY_DEFAULTS: dict[tuple[str, str], Any] = {("PortMappings", "Protocol"): "tcp"}


def _canon(value: Any) -> Any:
    """A key value compared loosely: numbers and their text are one (``"8080"`` and ``8080``), case of a
    protocol too."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.lower() if value.lower() in ("tcp", "udp", "icmp", "-1") else value
    return repr(value)


def _key(prop: str, entry: Any) -> tuple[Any, ...] | None:
    """The key of ``entry`` in list ``prop``; None for an entry that names none of the key fields."""
    fields = KEYED[prop]
    values = entry.key if isinstance(entry, Remove) else entry
    if not isinstance(values, dict) or not any(f in values for f in fields):
        return None
    return tuple(_canon(values.get(f, KEY_DEFAULTS.get((prop, f)))) for f in fields)


def merge_list(prop: str, compiled: list[Any], raw: list[Any]) -> list[Any]:
    """``raw`` merged into the compiled keyed list ``prop`` (see the module's docstring)."""
    out = [copy.deepcopy(e) for e in compiled]
    for entry in raw:
        key = _key(prop, entry)
        if isinstance(entry, Remove) and key is None:
            raise MergeError(f"{entry!r} in {prop} names no key of it: {prop} entries are keyed by "
                             f"{' and '.join(KEYED[prop])}.")
        index = next((i for i, e in enumerate(out) if key is not None and _key(prop, e) == key), None)
        if isinstance(entry, Remove):
            if index is not None:
                del out[index]
        elif index is not None and isinstance(entry, dict) and isinstance(out[index], dict):
            merge(out[index], entry)
        else:
            out.append(_plain(entry, prop))
    return out


def _plain(value: Any, prop: str = "") -> Any:
    """An override value as it goes into the template: ``None`` entries inside new mappings dropped; a
    ``Remove`` with nothing to drop from is refused."""
    if isinstance(value, Remove):
        raise MergeError(f"{value!r} is the value of {prop or 'an entry'}, but it drops an entry of a list merged "
                         f"by key ({', '.join(sorted(KEYED)[:4])}, …).")
    if isinstance(value, dict):
        return {k: _plain(v, k) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        if prop in KEYED:  # a keyed list ecsstack did not compile: a Remove (naming its key) drops nothing
            return merge_list(prop, [], value)
        return [_plain(v, prop) for v in value]
    return value


def merge(target: dict[str, Any], raw: dict[str, Any]) -> None:
    """Merge the override ``raw`` (plain data) into ``target`` (see the module's docstring)."""
    for key, value in raw.items():
        current = target.get(key)
        if value is None:
            target.pop(key, None)  # an override of None removes the compiled property
        elif isinstance(value, dict) and isinstance(current, dict):
            merge(current, value)
        elif key in KEYED and isinstance(value, list) and isinstance(current, list):
            target[key] = merge_list(key, current, value)
        else:
            target[key] = _plain(value, key)
