"""The ECS API's camelCase names as CloudFormation's PascalCase ones, for what goes into ``overrides=``.

The names come from the CloudFormation resource specification (troposphere's property tables), matched
without regard to case, so ``efsVolumeConfiguration`` becomes ``EFSVolumeConfiguration`` and its
``fileSystemId`` becomes ``FilesystemId`` without a table of exceptions. A property whose type is a map
(``DockerLabels``, log ``Options``, ``DriverOpts``, ``Labels``) keeps its keys as given: they are the
user's, not CloudFormation's.
"""

from __future__ import annotations

from typing import Any

from troposphere import AWSProperty, ecs

__all__ = ["CONTAINER", "TASK", "pascal_value", "property_name"]

CONTAINER = ecs.ContainerDefinition
TASK = ecs.TaskDefinition


def _props(cls: type) -> dict[str, Any]:
    return getattr(cls, "props", {})


#: API keys whose CloudFormation name is not the same word
_ALIASES = {(ecs.ProxyConfiguration, "properties"): "ProxyConfigurationProperties"}
#: properties that are lists of ``{key|name, value}`` pairs in both, spelled in capitals in CloudFormation
_PAIRS = {"Tags": ("key", "Key"), "ProxyConfigurationProperties": ("name", "Name")}


def property_name(cls: type, key: str) -> str | None:
    """The CloudFormation name of the API key ``key`` in ``cls``; None when it has none."""
    if (cls, key) in _ALIASES:
        return _ALIASES[cls, key]
    lowered = key.lower()
    return next((name for name in _props(cls) if name.lower() == lowered), None)


def _item_type(cls: type, name: str) -> Any:
    kind = _props(cls)[name][0]
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    return kind


def pascal_value(cls: type, name: str, value: Any, unknown: list[str], where: str) -> Any:
    """``value`` of property ``name`` of ``cls`` with every nested key in CloudFormation's spelling; keys
    CloudFormation does not know are left out and named in ``unknown``."""
    kind = _item_type(cls, name)
    if isinstance(kind, type) and issubclass(kind, AWSProperty):
        return _convert(kind, value, unknown, f"{where}.{name}")
    if name in _PAIRS and isinstance(value, list):  # [{key, value}] in the API
        first, pascal = _PAIRS[name]
        spelled = {first: pascal, "value": "Value"}
        return [{spelled.get(k, k): v for k, v in pair.items()} if isinstance(pair, dict) else pair
                for pair in value]
    return value  # a scalar, a list of scalars, or a map whose keys are the user's


def _convert(cls: type, value: Any, unknown: list[str], where: str) -> Any:
    if isinstance(value, list):
        return [_convert(cls, item, unknown, where) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = property_name(cls, key)
        if name is None:
            unknown.append(f"{where}.{key}")
            continue
        out[name] = pascal_value(cls, name, item, unknown, where)
    return out
