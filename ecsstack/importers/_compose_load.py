"""Loading a compose file: YAML, variable interpolation, ``extends``, profiles and shape checks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ._common import ImportFailed
from ._units import InterpolationError, interpolate

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
