"""Terminal output shared by the CLI commands: problems, errors, exit codes, loading blueprints.
Never a traceback."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.markup import escape

from ..errors import BlueprintError, Problem, ValidationError
from ..loader import NotABlueprint, blueprint_files, load_blueprint
from ..model import Stack

__all__ = ["EXIT_PROBLEMS", "EXIT_USAGE", "STRICT", "err", "fail", "load_stacks", "out", "print_problems",
           "strictly"]

EXIT_PROBLEMS = 1
EXIT_USAGE = 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_STYLE = {"error": "bold red", "warning": "yellow"}


def print_problems(problems: Iterable[Problem], *, source: str | None = None) -> int:
    """Print problems as ``error ECS201 path: message hint``; return how many are errors."""
    errors = 0
    for p in problems:
        errors += p.severity == "error"
        where = f"{escape(p.path)}: " if p.path else ""
        prefix = f"{escape(source)}: " if source else ""
        hint = f" {escape(p.hint)}" if p.hint else ""
        err.print(f"{prefix}[{_STYLE.get(p.severity, '')}]{p.severity}[/] {p.rule} {where}{escape(p.message)}{hint}")
    return errors


def strictly(problems: list[Problem], strict: bool) -> list[Problem]:
    """``problems`` with every warning made an error when ``strict`` (``--strict``)."""
    if not strict:
        return problems
    return [dataclasses.replace(p, severity="error") if p.severity == "warning" else p for p in problems]


#: the ``--strict`` option of synth, lint, diff and deploy
STRICT = click.option("--strict", is_flag=True, help="Treat rule warnings as errors (nothing is written or "
                                                   "deployed while any is left).")


def fail(message: str, code: int = EXIT_PROBLEMS) -> NoReturn:
    """Print ``error <message>`` on stderr and exit with ``code``."""
    err.print(f"[bold red]error[/] {escape(message)}")
    sys.exit(code)


def load_stacks(target: str | Path, env: object = None) -> list[tuple[Path, Stack]]:
    """Load every blueprint at ``target`` (``build(env)`` gets ``env``); on any problem print all and exit 1."""
    try:
        files = blueprint_files(target)
    except BlueprintError as exc:
        fail(str(exc), EXIT_USAGE)
    loaded: list[tuple[Path, Stack]] = []
    failed = 0
    in_folder = Path(target).is_dir()
    for path in files:
        try:
            loaded.append((path, load_blueprint(path, env)))
        except NotABlueprint as exc:
            if not in_folder:
                err.print(f"[bold red]error[/] {escape(str(exc))}")
                failed += 1
            else:
                err.print(f"skipped {escape(str(path))}: no build(), so not a blueprint (a helper module?)")
        except ValidationError as exc:
            failed += print_problems(exc.problems, source=str(path)) or 1
        except BlueprintError as exc:
            err.print(f"[bold red]error[/] {escape(str(exc))}")
            failed += 1
    if failed:
        err.print(f"{failed} problem{'s' if failed != 1 else ''}; nothing was written.")
        sys.exit(EXIT_PROBLEMS)
    if not loaded:
        fail(f"{target}: none of its files defines build(), so there is no blueprint here.", EXIT_USAGE)
    return loaded
