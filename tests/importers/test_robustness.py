"""Odd input (a string where a list goes, a number where an object goes, ...) gives ``ImportFailed`` with a
message or a blueprint, never another exception: real files are hand-edited."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from ecsstack.importers import ImportFailed, import_compose, import_taskdef

from ._support import FIXTURES

ODD = ["", "x", -1, 3.5, True, [], {}, ["a"], [1, "b"], {"name": "x"}]


def _survives(run: Any) -> None:
    try:
        run()
    except ImportFailed as exc:
        assert str(exc)


@pytest.mark.parametrize("odd", ODD, ids=repr)
def test_taskdef_with_odd_values(odd: Any) -> None:
    data = json.loads((FIXTURES / "taskdef" / "hardened_worker.json").read_text())["taskDefinition"]
    data["volumes"] = [{"name": "scratch", "host": {}}]
    data["containerDefinitions"][0].update(dependsOn=[], mountPoints=[{"sourceVolume": "scratch",
                                                                        "containerPath": "/tmp/x"}])
    keys = [(None, k) for k in data if k != "containerDefinitions"]
    keys += [(0, k) for k in [*data["containerDefinitions"][0], "healthCheck", "portMappings", "volumesFrom"]]
    for index, key in keys:
        given = copy.deepcopy(data)
        (given if index is None else given["containerDefinitions"][index])[key] = odd
        _survives(lambda given=given: import_taskdef(given))


@pytest.mark.parametrize("odd", ODD, ids=repr)
def test_compose_with_odd_values(odd: Any) -> None:
    path = FIXTURES / "compose" / "blog" / "compose.yml"
    doc = yaml.safe_load(path.read_text())
    keys = [(None, "volumes"), (None, "secrets")] + [("ghost", k) for k in [
        *doc["services"]["ghost"], "ulimits", "volumes", "secrets", "env_file", "extends", "profiles", "expose",
        "restart", "sysctls", "security_opt", "cap_add", "cap_drop", "init", "tty", "stdin_open", "shm_size"]]
    for service, key in keys:
        given = copy.deepcopy(doc)
        (given if service is None else given["services"][service])[key] = odd
        _survives(lambda given=given: import_compose(yaml.safe_dump(given), base_dir=path.parent, environ={}))
