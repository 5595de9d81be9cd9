"""Load blueprint files: a ``.py`` file whose ``build()`` returns a ``Stack`` (or an ``App`` of several)."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import sys
import traceback
from pathlib import Path
from typing import Any

from .errors import BlueprintError, ValidationError
from .model import App, Stack

__all__ = ["TEMPLATE_SUFFIXES", "NotABlueprint", "blueprint_files", "load_blueprint", "template_files"]

#: files holding a CloudFormation template (what ``ecsstack synth -o`` writes), not a blueprint
TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def template_files(target: str | Path) -> list[Path]:
    """The template files at ``target``: the file itself, or those directly in a directory, sorted."""
    path = Path(target)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in TEMPLATE_SUFFIXES and p.is_file())
    return [path] if path.suffix in TEMPLATE_SUFFIXES else []


class NotABlueprint(BlueprintError):
    """The file defines no ``build()``: in a directory, a helper module the blueprints import."""


def blueprint_files(target: str | Path) -> list[Path]:
    """The blueprint files at ``target``: the file itself, or every ``*.py`` of a directory
    (not starting with ``_``), sorted."""
    path = Path(target)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.py") if not p.name.startswith("_"))
        if not files:
            raise BlueprintError(f"{path}: no blueprint files (*.py) in this directory.")
        return files
    if not path.exists():
        raise BlueprintError(f"{path}: no such file or directory.")
    if path.suffix != ".py":
        raise BlueprintError(f"{path}: a blueprint is a Python file (.py) defining build().")
    return [path]


def _line(exc: BaseException, path: Path) -> int:
    """The last line of the blueprint file in the traceback (0: none)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path.resolve()]
    return frames[-1].lineno or 0 if frames else 0


def _where(exc: BaseException, path: Path) -> str:
    """The last line of the blueprint file in the traceback: ``web.py:12 in build``."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path.resolve()]
    if not frames:
        return str(path)
    frame = frames[-1]
    return f"{path}:{frame.lineno} in {frame.name}"


def _takes_env(build: Any, path: Path, env: Any) -> bool:
    """Whether ``build`` is called with the environment: when it declares a parameter (``def build(env)``).
    A required one without an environment is an error naming the fix."""
    try:
        params = list(inspect.signature(build).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not positional:
        return False
    if env is None:
        if positional[0].default is inspect.Parameter.empty:
            raise BlueprintError(f"{path}: build({positional[0].name}) takes an environment; pass --env NAME "
                                 f"(environments.toml), or give it a default: def build({positional[0].name}=None).")
        return False
    return True


def load_blueprint(target: str | Path, env: Any = None) -> Stack | App:
    """Import ``target`` and return what its ``build()`` returns; ``build(env)`` (a blueprint that declares a
    parameter) receives ``env`` (an ``ecsstack.environments.Environment``, or nothing when ``None``).

    Raises ``BlueprintError`` (with file and line) for any exception in the blueprint's own code,
    and ``ValidationError`` for problems caught while building the model.
    """
    path = Path(target)
    if not path.is_file():
        raise BlueprintError(f"{path}: no such file.")
    module_name = f"_ecsstack_blueprint_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, path.resolve())
    if spec is None or spec.loader is None:
        raise BlueprintError(f"{path}: cannot be imported as Python.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)  # so a blueprint can import helper modules that sit beside it
    try:
        try:
            spec.loader.exec_module(module)
            build = getattr(module, "build", None)
            if not callable(build):
                raise NotABlueprint(f"{path}: defines no build() function returning a Stack.")
            stack = build(env) if _takes_env(build, path, env) else build()
        except BlueprintError:
            raise
        except ValidationError as exc:
            line = _line(exc, path)
            if line:  # the problems of a builder refused as it was constructed: point at that line
                exc.problems = [p if p.source else dataclasses.replace(p, source=(str(path.resolve()), line))
                                for p in exc.problems]
            raise
        except SyntaxError as exc:
            raise BlueprintError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
        except Exception as exc:
            raise BlueprintError(f"{_where(exc, path)}: {type(exc).__name__}: {exc}") from None
    finally:
        sys.modules.pop(module_name, None)
        sys.path.remove(folder)
    if not isinstance(stack, Stack | App):
        raise BlueprintError(f"{path}: build() returned {type(stack).__name__}, not a Stack or an App.")
    return stack
