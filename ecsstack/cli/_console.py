"""Terminal output shared by the CLI commands: problems, errors, exit codes, loading blueprints.
Never a traceback."""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from ..errors import BlueprintError, Problem, ValidationError
from ..loader import NotABlueprint, blueprint_files, load_blueprint
from ..model import Stack

__all__ = ["EXIT_PROBLEMS", "EXIT_USAGE", "STRICT", "Terminal", "err", "escape", "fail", "load_stacks", "out",
           "print_problems", "strictly"]

EXIT_PROBLEMS = 1
EXIT_USAGE = 2

# rich's console markup: ``[bold red]`` opens a style, ``[/]`` closes it, ``\[`` is a literal bracket
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(text: str) -> str:
    """``text`` made safe to print as markup (the same escaping as ``rich.markup.escape``)."""
    text = _TAG.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text


def _plain(markup: str) -> str:
    """``markup`` as rich prints it without colour: style tags dropped, escaped brackets kept."""
    def tag(m: re.Match[str]) -> str:
        slashes, text = m.groups()
        kept, escaped = divmod(len(slashes), 2)
        return "\\" * kept + (text if escaped else "")

    return _TAG.sub(tag, markup)


class Terminal:
    """stdout or stderr for the CLI, printing rich console markup. Plain text unless the stream wants
    colour (a terminal without ``NO_COLOR``/``TERM=dumb``, or ``FORCE_COLOR``): rich, which costs more to
    import than a synth takes, is loaded only then, or when ``.rich`` (a ``rich.console.Console`` for the
    deploy API's live progress) is asked for."""

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr
        self._rich: Any = None

    @property
    def file(self) -> IO[str]:
        """The stream itself, looked up at each use (so a test's captured stream is honoured)."""
        return sys.stderr if self.stderr else sys.stdout

    @property
    def rich(self) -> Any:
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(stderr=self.stderr, highlight=False, soft_wrap=True)
        return self._rich

    def wants_colour(self) -> bool:
        if os.environ.get("FORCE_COLOR"):
            return True
        if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
            return False
        isatty = getattr(self.file, "isatty", None)
        return bool(isatty and isatty())

    def print(self, text: str = "", *, markup: bool = True, **options: Any) -> None:
        """Print one line of ``text`` (console markup unless ``markup=False``); other options go to rich."""
        if options or self._rich is not None or self.wants_colour():
            self.rich.print(text, markup=markup, **options)
        else:
            self.file.write((_plain(text) if markup else text) + "\n")


out = Terminal()
err = Terminal(stderr=True)

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
