"""``ecsstack history | rollback``: the deploy records of a stack, and one of them deployed again (thin click
wrappers over ``ecsstack.deploy.history`` and ``ecsstack.deploy.rollback``)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ._console import EXIT_PROBLEMS, out
from ._deploy import _aws, _aws_options, _confirm, _guarded

__all__ = ["COMMANDS"]

_stack_name = click.option("--stack-name", required=True, help="Stack name.")


@click.command("history")
@_stack_name
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_aws_options
def history_command(stack_name: str, fmt: str, region: str | None, profile: str | None, endpoint_url: str | None,
                    timeout: float | None) -> None:
    """List the stack's recorded deploys (the last 20): number, when, who, images, what changed. `*` marks the
    one the stack runs now; `ecsstack rollback --to N` deploys one again."""
    from ..deploy import history

    aws = _aws(region, profile, endpoint_url, timeout)
    if fmt == "json":
        entries = _guarded(lambda: history(stack_name, console=_quiet(), **aws))
        rows = [{"number": e.number, "when": e.when, "who": e.who, "outcome": e.outcome, "images": e.images,
                 "changes": e.changes, "description": e.description, "parameters": e.parameters,
                 "deployed": e.deployed} for e in entries]
        out.file.write(json.dumps(rows, indent=2, sort_keys=True) + "\n")
        return
    _guarded(lambda: history(stack_name, console=out.rich, **aws))


def _quiet() -> Any:
    import io

    from rich.console import Console

    return Console(file=io.StringIO())


@click.command("rollback")
@_stack_name
@click.option("--to", "to", type=click.IntRange(min=1), metavar="N",
              help="The record to deploy again (see `ecsstack history`); default: the one before the newest.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-replace", is_flag=True,
              help="Allow removing or replacing log groups, file systems, buckets and other kept resources.")
@click.option("--s3-bucket", help="Bucket of this account for a template over 51,200 bytes.")
@click.option("--no-lint", is_flag=True, hidden=True, help="Skip cfn-lint (for emulators and tests).")
@_aws_options
def rollback_command(stack_name: str, to: int | None, yes: bool, allow_replace: bool, s3_bucket: str | None,
                     no_lint: bool, region: str | None, profile: str | None, endpoint_url: str | None,
                     timeout: float | None) -> None:
    """Deploy a recorded template and its parameters again, through a change set like `deploy`: the diff is
    shown, kept resources are guarded, confirmation is asked, and the rollback is recorded as a new deploy."""
    from ..deploy import rollback

    result = _guarded(lambda: rollback(stack_name, to=to, yes=yes, confirm=_confirm(), allow_replace=allow_replace,
                                       s3_bucket=s3_bucket, lint=not no_lint, console=out.rich,
                                       **_aws(region, profile, endpoint_url, timeout)))
    if not result.ok:
        sys.exit(EXIT_PROBLEMS)


COMMANDS = (history_command, rollback_command)
