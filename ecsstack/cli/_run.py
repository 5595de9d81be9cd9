"""``ecsstack run-task``: run a task definition of a deployed stack once (a migration, a script), follow its
log stream and exit with the container's exit code. A thin click wrapper over ``ecsstack.deploy.run_task``.

Exit codes: the container's exit code; 125 when the task could not start or stopped before the container
ran; 124 when ``--wait-timeout`` ran out; 1 for a problem before anything ran, 2 for usage errors, 130 when
interrupted (the task keeps running; the message says how to stop it). ``--no-wait`` exits 0 once started.
"""

from __future__ import annotations

import json
import shlex
import sys
from typing import Any

import click

from ._console import EXIT_USAGE, err, fail, out
from ._deploy import _aws, _aws_options, _guarded, parse_pairs

__all__ = ["COMMANDS"]


def _command(command: str | None, command_json: str | None) -> list[str] | None:
    """``--command`` (split like a shell) or ``--command-json`` (a JSON list of strings)."""
    if command is not None and command_json is not None:
        fail("pass --command or --command-json, not both.", EXIT_USAGE)
    if command is not None:
        try:
            words = shlex.split(command)
        except ValueError as exc:
            fail(f"--command {command!r}: {exc}.", EXIT_USAGE)
        if not words:
            fail("--command is empty.", EXIT_USAGE)
        return words
    if command_json is not None:
        try:
            words = json.loads(command_json)
        except json.JSONDecodeError as exc:
            fail(f"--command-json is not JSON: {exc}.", EXIT_USAGE)
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            fail('--command-json must be a non-empty JSON list of strings, e.g. \'["./manage", "migrate"]\'.',
                 EXIT_USAGE)
        return words
    return None


@click.command("run-task")
@click.option("--stack-name", required=True, help="The deployed stack.")
@click.option("--task", "task", required=True, metavar="NAME",
              help="The task definition to run: the name the blueprint gave it.")
@click.option("--command", help="Command for the container, split like a shell line (\"./manage migrate\").")
@click.option("--command-json", metavar="JSON", help="Command for the container as a JSON list of strings.")
@click.option("--container", help="The container the command is for, whose logs and exit code count; default: "
                                  "the task's only essential container.")
@click.option("--env", "env", multiple=True, metavar="K=V", help="Environment variable for the container "
                                                                 "(repeatable).")
@click.option("--count", type=click.IntRange(1, 10), default=1, show_default=True, help="How many tasks to start.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Follow the task and its logs to the end (--no-wait prints the task ARN and exits 0).")
@click.option("--wait-timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop waiting after this long (the task keeps running; exit code 124). Default: no limit.")
@click.option("--logs/--no-logs", default=True, show_default=True, help="Print the container's log stream.")
@click.option("--cluster", help="The cluster to run in, when the stack has several (blueprint name or cluster "
                                "name); default: the cluster of the service that runs the task.")
@click.option("--network-from", metavar="SERVICE",
              help="Run with the network configuration of this service of the stack; default: the service "
                   "that runs the task.")
@click.option("--subnet", "subnets", multiple=True, metavar="ID", help="Subnet to run in (repeatable); replaces "
                                                                       "the network configuration found.")
@click.option("--security-group", "security_groups", multiple=True, metavar="ID",
              help="Security group (repeatable; with --subnet).")
@click.option("--assign-public-ip", is_flag=True, help="Give the task a public IP (with --subnet).")
@_aws_options
def run_task_command(stack_name: str, task: str, command: str | None, command_json: str | None,
                     container: str | None, env: tuple[str, ...], count: int, wait: bool,
                     wait_timeout: float | None, logs: bool, cluster: str | None, network_from: str | None,
                     subnets: tuple[str, ...], security_groups: tuple[str, ...], assign_public_ip: bool,
                     region: str | None, profile: str | None, endpoint_url: str | None,
                     timeout: float | None) -> None:
    """Run task NAME of a deployed stack once, as the stack's service runs it (cluster, subnets, security
    groups, launch type), stream its log stream, and exit with the container's exit code.

    \b
    ecsstack run-task --stack-name web --task migrate
    ecsstack run-task --stack-name web --task web --command "./manage migrate" --env DRY_RUN=1
    """
    from ..deploy import run_task

    argv = _command(command, command_json)

    def run() -> Any:
        environment = parse_pairs(env, "--env")
        return run_task(stack_name, task, command=argv, container=container, environment=environment or None,
                        count=count, wait=wait, wait_timeout=wait_timeout, logs=logs, cluster=cluster,
                        network_from=network_from, subnets=list(subnets) or None,
                        security_groups=list(security_groups) or None, assign_public_ip=assign_public_ip,
                        console=(out if wait else err).rich, **_aws(region, profile, endpoint_url, timeout))

    result = _guarded(run)
    if not wait:  # only the ARNs on stdout (what was said went to stderr): ARN=$(ecsstack run-task --no-wait ...)
        for arn in result.task_arns:
            click.echo(arn)
    sys.exit(result.exit_code)


COMMANDS = (run_task_command,)
