"""``ecsstack import taskdef | compose | copilot | service``: bring your own definitions; writes blueprint ``.py``
files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._console import EXIT_USAGE, err, escape, fail, out
from ._deploy import _aws_options, _guarded

if TYPE_CHECKING:
    from ..importers import ImportResult

__all__ = ["COMMANDS"]

#: ``--mode`` of import compose (as ``ecsstack.importers.MODES``; the importers load only when a command runs)
MODES = ("auto", "task", "services")


def _emit(result: ImportResult, output: str | None, force: bool) -> None:
    """Write the blueprint to ``output`` (or stdout) and tell what changed and what is left to do."""
    for line in result.warnings:
        err.print(f"[yellow]warning[/] {escape(line)}")
    for line in result.overrides:
        err.print(f"[cyan]overrides[/] {escape(line)}")
    if output is None:
        out.file.write(result.source)
        return
    dest = Path(output)
    if dest.exists() and not force:
        fail(f"{dest} exists; pass --force to overwrite it.", EXIT_USAGE)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(result.source, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {dest}: {exc.strerror or exc}", EXIT_USAGE)
    err.print(f"wrote {escape(str(dest))}; try it with: ecsstack synth {escape(str(dest))}")


@click.group("import")
def import_group() -> None:
    """Turn task-definition JSON, a compose file, a Copilot workspace or a running service into blueprints."""


_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False),
                       help="Write the blueprint here (e.g. blueprints/web.py). Default: standard output.")
_FORCE = click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
_NAME = click.option("--name", help="Stack name. Default: the task family, or the compose project name.")


@import_group.command("taskdef")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_OUTPUT
@_FORCE
@_NAME
def taskdef(file: str, output: str | None, force: bool, name: str | None) -> None:
    """A blueprint from FILE: register-task-definition input, describe-task-definition output, or a list of
    container definitions (JSON)."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{file} is not readable JSON: {exc}", EXIT_USAGE)
    from ..importers import ImportFailed, import_taskdef

    try:
        result = import_taskdef(data, name=name, origin=Path(file).name)
    except ImportFailed as exc:
        fail(f"{file}: {exc}")
    _emit(result, output, force)


@import_group.command("compose")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_OUTPUT
@_FORCE
@_NAME
@click.option("--mode", type=click.Choice(MODES), default="auto", show_default=True,
              help="task: every service a container of one task; services: one ECS service each; auto: one task "
                   "when they fit.")
@click.option("--profile", "profiles", multiple=True, help="Enable services of this compose profile (repeatable).")
def compose(file: str, output: str | None, force: bool, name: str | None, mode: str, profiles: tuple[str, ...]) -> None:
    """A blueprint from the compose file FILE (variables from the environment and .env, as docker compose)."""
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}", EXIT_USAGE)
    from ..importers import ImportFailed, import_compose

    try:
        result = import_compose(text, name=name, mode=mode, profiles=list(profiles), base_dir=path.parent,
                                origin=path.name)
    except ImportFailed as exc:
        fail(f"{file}: {exc}")
    _emit(result, output, force)


@import_group.command("copilot")
@click.argument("directory", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", default="blueprints", show_default=True, type=click.Path(file_okay=False),
              help="Directory the blueprints are written to, one <service>.py each.")
@_FORCE
def copilot(directory: str, output: str, force: bool) -> None:
    """One blueprint per service of the AWS Copilot workspace in DIRECTORY (its copilot/ folder: the services'
    manifest.yml files and copilot/environments/*)."""
    from ..importers import ImportFailed, import_copilot

    try:
        result = import_copilot(directory)
    except ImportFailed as exc:
        fail(f"{directory}: {exc}")
    for line in result.warnings:
        err.print(f"[yellow]warning[/] {escape(line)}")
    dest = Path(output)
    taken = [dest / f"{name}.py" for name in result.blueprints if (dest / f"{name}.py").exists()]
    if taken and not force:
        fail(f"{', '.join(map(str, taken))} exist{'s' if len(taken) == 1 else ''}; pass --force to overwrite.",
             EXIT_USAGE)
    for name, imported in result.blueprints.items():
        _emit(imported, str(dest / f"{name}.py"), True)


@import_group.command("service")
@click.option("--cluster", required=True, help="The cluster the service runs in (name or ARN).")
@click.option("--service", "service_name", required=True, help="The service to import (name or ARN).")
@_OUTPUT
@_FORCE
@click.option("--name", help="Stack name. Default: the service's name.")
@_aws_options
def service(cluster: str, service_name: str, output: str | None, force: bool, name: str | None,
            region: str | None, profile: str | None, endpoint_url: str | None, timeout: float | None) -> None:
    """A blueprint reproducing a running ECS service: its task definition, load balancer wiring, network
    configuration and autoscaling, read with describe calls only."""
    from ..deploy import Provider
    from ..importers import ImportFailed, import_service

    def read() -> ImportResult:
        provider = Provider(region=region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)
        return import_service(provider, cluster, service_name, name=name)

    try:
        result = _guarded(read)
    except ImportFailed as exc:
        fail(f"service {service_name}: {exc}")
    _emit(result, output, force)


COMMANDS = (import_group,)
