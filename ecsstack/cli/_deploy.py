"""``ecsstack diff | deploy | destroy | status | outputs``: thin click wrappers over ``ecsstack.deploy``.

The CLI does the synthesizing: a blueprint is loaded, compiled (its rule warnings printed) and the
template dict handed to ``ecsstack.deploy``; a template file (.json/.yaml) is handed over as a path.
No boto3 at import time: ``ecsstack --help`` stays fast. Every user-facing error is one line; exit codes
are 0 (done, including "no changes"), 1 (problem or failed stack), 2 (usage), 130 (interrupted).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import ValidationError
from ..loader import TEMPLATE_SUFFIXES
from ._console import EXIT_PROBLEMS, EXIT_USAGE, STRICT, err, fail, load_stacks, out, print_problems, strictly
from ._envs import ENV_OPTIONS, EnvTarget

__all__ = ["COMMANDS", "parse_pairs"]

F = TypeVar("F", bound=Callable[..., Any])
EXIT_INTERRUPTED = 130


def _aws_options(fn: F) -> F:
    fn = click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                      help="How long to wait for each AWS answer (default 30; connecting: at most 10). A call "
                           "left unanswered is tried twice at most, so a dead endpoint fails in about a "
                           "minute.")(fn)
    fn = click.option("--endpoint-url", help="AWS endpoint (an emulator); default: $AWS_ENDPOINT_URL.")(fn)
    fn = click.option("--profile", help="AWS profile to use.")(fn)
    fn = click.option("--region", help="AWS region; default: $AWS_REGION, $AWS_DEFAULT_REGION, then the "
                                       "profile's region.")(fn)
    return fn


def _aws(region: str | None, profile: str | None, endpoint_url: str | None,
         timeout: float | None) -> dict[str, Any]:
    return {"region": region, "profile": profile, "endpoint_url": endpoint_url, "timeout": timeout}


def _confirm() -> Callable[[str], bool] | None:
    """Ask on a terminal; with no terminal there is nobody to ask (the API then refuses without --yes)."""
    if not sys.stdin.isatty():
        return None
    return lambda question: click.confirm(question, default=False)


def _guarded(call: Callable[[], Any]) -> Any:
    """Run ``call``; turn every deploy error into one line and an exit code, never a traceback."""
    from ..deploy import DeployError, DeployInterrupted, LintError

    try:
        return call()
    except LintError as exc:
        for f in exc.findings:
            style = "bold red" if f.is_error else "yellow"
            err.print(f"[{style}]{f.level}[/] {f.rule} {f.path}: {f.message}", markup=True, highlight=False)
        fail(exc.message, exc.exit_code)
    except DeployError as exc:
        fail(str(exc), exc.exit_code)
    except DeployInterrupted as exc:
        err.print(exc.hint, markup=False)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        err.print("Interrupted.", markup=False)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        from ..deploy._provider import AWS_EXCEPTIONS, translate

        if isinstance(exc, AWS_EXCEPTIONS):
            fail(str(translate(exc, "calling AWS")))
        raise


def _template_of(blueprint: str, strict: bool = False, env: object = None) -> tuple[Any, str | None]:
    """What ``ecsstack.deploy`` is given for BLUEPRINT, and the stack name it implies.

    A blueprint (.py) is loaded, validated and compiled; its problems are printed (errors exit 1,
    warnings are shown and the deploy goes on) and its template dict is returned with the stack's name.
    A template file (``build/web.json`` from ``ecsstack synth``, or any CloudFormation JSON/YAML) is
    returned as a path: ``ecsstack.deploy`` reads it and names the stack after the file's stem.
    """
    from ..pipeline import assemble

    if blueprint.endswith(TEMPLATE_SUFFIXES):
        return Path(blueprint), None
    loaded = load_stacks(blueprint, env)
    if len(loaded) != 1:
        fail(f"{blueprint} holds {len(loaded)} blueprints; deploy one file at a time.", EXIT_USAGE)
    path, stack = loaded[0]
    try:
        assembly = assemble(stack)  # a stack split into nested stacks, or an app, deploys as root and children
        template, warnings = (assembly if assembly.children else assembly.template), assembly.warnings
    except ValidationError as exc:
        count = print_problems([*exc.problems, *exc.warnings], source=str(path))
        err.print(f"{count} problem{'s' if count != 1 else ''}; nothing was deployed.")
        sys.exit(EXIT_PROBLEMS)
    if strict and warnings:
        count = print_problems(strictly(warnings, strict), source=str(path))
        err.print(f"{count} problem{'s' if count != 1 else ''} (--strict); nothing was deployed.")
        sys.exit(EXIT_PROBLEMS)
    print_problems(warnings, source=str(path))
    return template, stack.name


def _name_for(given: str | None, implied: str | None) -> str | None:
    """``--stack-name`` as given (checked by the deploy), else the blueprint's stack name made valid for
    CloudFormation; ``None`` for a template file (the deploy names the stack after its stem)."""
    from ..deploy._template import derive_stack_name

    if given or not implied:
        return given
    derived = derive_stack_name(implied)
    if derived != implied:
        err.print(f"stack name {derived} (CloudFormation does not accept {implied!r})", markup=False)
    return derived


def parse_pairs(values: Iterable[str], option: str) -> dict[str, str]:
    """``["K=V", ...]`` → dict; a malformed item is a usage error (exit 2)."""
    from ..deploy import UsageError

    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"{option} {item!r}: expected KEY=VALUE.")
        pairs[key] = value
    return pairs


_blueprint = click.argument("blueprint", type=click.Path(exists=True, dir_okay=False))
_stack_name = click.option("--stack-name", help="Stack name (a letter, then letters, digits, hyphens); default: "
                                                "the blueprint's stack name (a template file's stem), made valid.")
_parameter = click.option("--parameter", "parameters", multiple=True, metavar="K=V",
                          help="Template parameter (repeatable). On update, unset ones keep their value.")
_s3_bucket = click.option("--s3-bucket", help="Bucket of this account for templates over 51,200 bytes; "
                                              "default: one ecsstack creates per account and region (private, "
                                              "encrypted, TLS only, templates expire after 30 days).")


@click.command("diff")
@_blueprint
@_stack_name
@_parameter
@_s3_bucket
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 when nothing changes, 2 when something does, 3 when a change puts data at risk "
                   "(removes or replaces a data-bearing, retained or fixed-name resource); 1 stays an error.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown: a pull-request comment on stdout (progress goes to stderr).")
@STRICT
@_aws_options
@ENV_OPTIONS
def diff_command(blueprint: str, stack_name: str | None, parameters: tuple[str, ...], s3_bucket: str | None,
                 detailed_exitcode: bool, fmt: str, strict: bool, region: str | None, profile: str | None,
                 endpoint_url: str | None, timeout: float | None, env_name: str | None = None,
                 environments_file: str | None = None) -> None:
    """Show what deploying BLUEPRINT would change: resources (Add/Modify/Remove, replacements flagged)
    and a property-level diff against the deployed template. Changes nothing."""
    from ..deploy import diff
    from ._formats import diff_exit_code, diff_markdown

    def run() -> Any:
        target = EnvTarget.of(blueprint, env_name, environments_file)
        params = parse_pairs(parameters, "--parameter")
        template, implied = _template_of(blueprint, strict, *([target.env] if target.env else []))
        name = target.stack_name(stack_name, implied, blueprint) or _name_for(stack_name, implied)
        params = target.parameters(params, Path(blueprint).stem, implied)
        aws = target.connect("diff", target.aws(region, profile, endpoint_url, timeout))
        target.show_parameters(template, params, name, aws, err if fmt == "markdown" else out)
        return diff(template, name, parameters=params, s3_bucket=s3_bucket,
                    console=(err if fmt == "markdown" else out).rich, **aws)

    try:
        result = _guarded(run)
    except SystemExit as exc:
        # with --detailed-exitcode, 2 means "changes": a usage mistake found here must not read as that
        if detailed_exitcode and exc.code == EXIT_USAGE:
            sys.exit(EXIT_PROBLEMS)
        raise
    if fmt == "markdown":
        out.file.write(diff_markdown(result))
    if detailed_exitcode:
        sys.exit(diff_exit_code(result))


@click.command("deploy")
@_blueprint
@_stack_name
@_parameter
@click.option("--tag", "tags", multiple=True, metavar="K=V", help="Stack tag (repeatable).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force-new-deployment", is_flag=True, help="Redeploy every ECS service even if unchanged.")
@click.option("--recreate-failed", is_flag=True,
              help="Delete a stack that never got created (ROLLBACK_COMPLETE…) and create it anew.")
@click.option("--allow-replace", is_flag=True,
              help="Allow removing or replacing log groups, file systems, buckets and other kept resources.")
@_s3_bucket
@click.option("--termination-protection", is_flag=True, help="Enable termination protection on the stack.")
@click.option("--no-lint", is_flag=True, hidden=True, help="Skip cfn-lint (for emulators and tests).")
@click.option("--no-history", is_flag=True, help="Do not record this deploy in the stack's deploy history.")
@click.option("--description", help="A note recorded with this deploy in the history (`ecsstack history`).")
@STRICT
@_aws_options
@ENV_OPTIONS
def deploy_command(blueprint: str, stack_name: str | None, parameters: tuple[str, ...], tags: tuple[str, ...],
                   yes: bool, force_new_deployment: bool, recreate_failed: bool, allow_replace: bool,
                   s3_bucket: str | None, termination_protection: bool, no_lint: bool, no_history: bool,
                   description: str | None, strict: bool,
                   region: str | None, profile: str | None, endpoint_url: str | None,
                 timeout: float | None, env_name: str | None = None, environments_file: str | None = None) -> None:
    """Synthesize, validate, lint and deploy BLUEPRINT through a change set, with live progress.

    BLUEPRINT is a blueprint (.py) or a template file from `ecsstack synth` (.json/.yaml; the stack name
    defaults to the file's stem).
    """
    from ..deploy import deploy

    def run() -> Any:
        target = EnvTarget.of(blueprint, env_name, environments_file)
        params, tag_map = parse_pairs(parameters, "--parameter"), parse_pairs(tags, "--tag")
        template, implied = _template_of(blueprint, strict, *([target.env] if target.env else []))
        name = target.stack_name(stack_name, implied, blueprint) or _name_for(stack_name, implied)
        params, tag_map = target.parameters(params, Path(blueprint).stem, implied), target.tags(tag_map)
        aws = target.connect("deploy", target.aws(region, profile, endpoint_url, timeout))
        target.show_parameters(template, params, name, aws)
        return deploy(template, name, parameters=params, tags=tag_map, yes=yes,
                      confirm=_confirm(), force_new_deployment=force_new_deployment,
                      recreate_failed=recreate_failed, allow_replace=allow_replace, s3_bucket=s3_bucket,
                      termination_protection=termination_protection, lint=not no_lint,
                      history=not no_history, description=description, console=out.rich, **aws)

    result = _guarded(run)
    if not result.ok:
        sys.exit(EXIT_PROBLEMS)


@click.command("destroy")
@click.argument("blueprint", required=False, type=click.Path(exists=True, dir_okay=False))
@_stack_name
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@_aws_options
@ENV_OPTIONS
def destroy_command(blueprint: str | None, stack_name: str | None, yes: bool,
                    region: str | None, profile: str | None, endpoint_url: str | None,
                 timeout: float | None, env_name: str | None = None, environments_file: str | None = None) -> None:
    """Delete the stack of BLUEPRINT (or --stack-name). Retained log groups and file systems stay."""
    from ..deploy import destroy

    if not blueprint and not stack_name:
        fail("name the stack: ecsstack destroy BLUEPRINT, or --stack-name NAME.", EXIT_USAGE)

    def run() -> Any:
        target = EnvTarget.of(blueprint, env_name, environments_file)
        name = stack_name
        if not name:
            implied = (Path(blueprint).stem if blueprint.endswith(TEMPLATE_SUFFIXES)
                       else load_stacks(blueprint, target.env)[0][1].name)
            name = target.stack_name(None, implied, blueprint) or _name_for(None, implied)
        aws = target.connect("destroy", target.aws(region, profile, endpoint_url, timeout))
        return destroy(name, yes=yes, confirm=_confirm(), console=out.rich, **aws)

    result = _guarded(run)
    if not result.ok:
        sys.exit(EXIT_PROBLEMS)


@click.command("status")
@click.option("--stack-name", required=True, help="Stack name.")
@click.option("--events", "count", default=10, show_default=True, help="How many recent events to show.")
@click.option("--revisions", default=5, show_default=True, type=click.IntRange(min=0),
              help="How many earlier task-definition revisions to show per ECS service.")
@_aws_options
def status_command(stack_name: str, count: int, revisions: int, region: str | None, profile: str | None,
                   endpoint_url: str | None, timeout: float | None) -> None:
    """Show the stack's state, its last events, its outputs and, after a failure, the root cause; per ECS
    service, the task-definition revision it runs with its images, earlier revisions and the deployment in
    progress."""
    from ..deploy import status

    aws = _aws(region, profile, endpoint_url, timeout)
    result = _guarded(lambda: status(stack_name, events=count, revisions=revisions, console=out.rich, **aws))
    if not result.exists:
        sys.exit(EXIT_PROBLEMS)


@click.command("outputs")
@click.option("--stack-name", required=True, help="Stack name.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_aws_options
def outputs_command(stack_name: str, fmt: str, region: str | None, profile: str | None,
                    endpoint_url: str | None, timeout: float | None) -> None:
    """Print the stack's outputs (``--format json`` for scripts)."""
    from ..deploy import outputs

    values = _guarded(lambda: outputs(stack_name, **_aws(region, profile, endpoint_url, timeout)))
    if fmt == "json":
        out.file.write(json.dumps(values, indent=2, sort_keys=True) + "\n")
        return
    width = max((len(k) for k in values), default=0)
    for key, value in sorted(values.items()):
        out.print(f"{key:<{width}}  {value}", markup=False)
    if not values:
        err.print(f"Stack {stack_name} has no outputs.", markup=False)


COMMANDS = (diff_command, deploy_command, destroy_command, status_command, outputs_command)
