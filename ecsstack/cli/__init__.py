"""The ``ecsstack`` command: thin over the library; everything here is callable from Python.

``main`` is the click group, ``run`` the console script. The commands live in small private modules:
``_synth`` (synth, lint, graph), ``_deploy`` (diff, deploy, destroy, status, outputs), ``_history``
(history, rollback), ``_run`` (run-task), ``_rollout`` (drift, rollout), ``_import`` (import taskdef, compose,
copilot and service) and ``_console``
(terminal output, exit codes, loading blueprints). Nothing here imports boto3 or cfn-lint until a
command that needs them runs, so ``ecsstack --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from . import _deploy, _history, _import, _rollout, _run, _synth
from ._console import EXIT_PROBLEMS, err, escape

__all__ = ["main", "run"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecsstack")
def main() -> None:
    """ecsstack: Python blueprints for Amazon ECS → validated, deterministic CloudFormation."""


for _command in (*_synth.COMMANDS, *_deploy.COMMANDS, *_history.COMMANDS, *_run.COMMANDS, *_rollout.COMMANDS,
                 *_import.COMMANDS):
    main.add_command(_command)


def run() -> None:
    """The console script: user mistakes are reported by the commands themselves; anything else that
    escapes is a bug in ecsstack, told in one line (``ECSSTACK_DEBUG=1`` shows the traceback)."""
    try:
        main()
    except Exception as exc:
        if os.environ.get("ECSSTACK_DEBUG"):
            raise
        err.print(f"[bold red]internal error[/] {escape(type(exc).__name__)}: {escape(str(exc))}")
        err.print("This is a bug in ecsstack, not in your blueprint; run again with ECSSTACK_DEBUG=1 "
                  "for the traceback and please report it.")
        sys.exit(EXIT_PROBLEMS)
