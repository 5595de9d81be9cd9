"""Imported first by ``ecsstack``: modules that load only when used (see ``lazy``)."""

from __future__ import annotations

import importlib.util
import sys
import types
from importlib import import_module
from typing import Any

__all__ = ["lazy"]


def lazy(name: str) -> None:
    """Stand in for module ``name`` until one of its attributes is used. troposphere imports cfn_flip (and
    with it PyYAML and cfn-lint's YAML tools) only for ``Template.to_yaml``, which ecsstack never calls: a
    third of troposphere's import time. (``importlib.util.LazyLoader`` does not help: ``import`` itself
    reads the module's ``__spec__``, which loads it.)"""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stub = types.ModuleType(name)
    stub.__spec__ = spec

    def load(attr: str) -> Any:
        if sys.modules.get(name) is stub:
            del sys.modules[name]
        return getattr(import_module(name), attr)

    stub.__getattr__ = load  # type: ignore[method-assign]
    sys.modules[name] = stub


lazy("cfn_flip")
