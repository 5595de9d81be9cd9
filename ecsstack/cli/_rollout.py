"""``ecsstack drift`` and ``ecsstack rollout [deploy|status|destroy|bootstrap]``: thin wrappers over
``ecsstack.deploy._drift`` and ``ecsstack.deploy._stacksets``. ``ecsstack rollout BLUEPRINT --env prod`` is
``rollout deploy``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._console import EXIT_PROBLEMS, EXIT_USAGE, err, fail, load_stacks, out
from ._deploy import _aws_options, _confirm, _guarded, _name_for, _template_of, parse_pairs
from ._envs import ENV_OPTIONS, EnvTarget

if TYPE_CHECKING:
    from ..environments import Environment

__all__ = ["COMMANDS"]

F = TypeVar("F", bound=Callable[..., Any])


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--accounts a,b --accounts c`` → ``(a, b, c)``."""
    return tuple(dict.fromkeys(v.strip() for item in values for v in item.split(",") if v.strip()))


def _implied_name(blueprint: str | None, target: EnvTarget) -> str:
    from ..deploy._template import derive_stack_name

    assert blueprint is not None
    implied = load_stacks(blueprint, target.env)[0][1].name
    return target.stack_name(None, implied, blueprint) or derive_stack_name(implied)


# -- drift --------------------------------------------------------------------------------------------
@click.command("drift")
@click.argument("blueprint", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--stack-name", help="Stack name; default: the blueprint's (with --env: by the environment's "
                                   "pattern).")
@click.option("--strict", is_flag=True, help="Count drift that is expected by design (a service's DesiredCount "
                                             "under autoscaling, a task definition revision from CI) too.")
@click.option("--wait-timeout", type=click.FloatRange(min=1), default=300, show_default=True, metavar="SECONDS",
              help="How long to wait for drift detection to finish.")
@ENV_OPTIONS
@_aws_options
def drift_command(blueprint: str | None, stack_name: str | None, strict: bool, wait_timeout: float,
                  env_name: str | None, environments_file: str | None, region: str | None, profile: str | None,
                  endpoint_url: str | None, timeout: float | None) -> None:
    """Detect drift of a deployed stack and print each drifted resource with its property differences.
    Exit 0 in sync, 2 drifted (drift expected by design does not count unless --strict), 1 on failure."""
    from ..deploy._drift import drift

    if not blueprint and not stack_name:
        fail("name the stack: ecsstack drift --stack-name NAME, or ecsstack drift BLUEPRINT [--env NAME].",
             EXIT_USAGE)
    target = EnvTarget.of(blueprint, env_name, environments_file)

    def run() -> Any:
        name = stack_name or _implied_name(blueprint, target)
        aws = target.connect("check drift of", target.aws(region, profile, endpoint_url, timeout))
        return drift(name, strict=strict, wait_timeout=wait_timeout, console=out.rich, **aws)

    sys.exit(_guarded(run).exit_code)


# -- rollout ------------------------------------------------------------------------------------------
class _RolloutGroup(click.Group):
    """``ecsstack rollout BLUEPRINT ...`` means ``ecsstack rollout deploy BLUEPRINT ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["deploy", *args]
        return super().parse_args(ctx, args)


@click.group("rollout", cls=_RolloutGroup)
def rollout_group() -> None:
    """Roll a blueprint out to many accounts and regions with a CloudFormation StackSet.

    `ecsstack rollout BLUEPRINT --env prod` (or --accounts/--regions) creates or updates the StackSet and its
    stack instances; `rollout status`, `rollout destroy` and `rollout bootstrap` (the two IAM roles of
    self-managed permissions) do the rest.
    """


def _stack_set_options(fn: F) -> F:
    fn = click.option("--stack-set-name", help="StackSet name; default: the blueprint's stack name (with --env: "
                                               "by the environment's pattern).")(fn)
    fn = click.option("--call-as", type=click.Choice(["self", "delegated-admin"]), default=None,
                      help="Service-managed sets from a delegated administrator account.")(fn)
    return fn


def _set_name(given: str | None, blueprint: str | None, target: EnvTarget) -> str:
    if given:
        return given
    if not blueprint:
        fail("name the StackSet: --stack-set-name NAME, or BLUEPRINT [--env NAME].", EXIT_USAGE)
    return _implied_name(blueprint, target)


def _call_as(given: str | None, env: Environment | None) -> str:
    if given:
        return given.upper().replace("-", "_")
    return env.rollout.call_as if env is not None and env.rollout else "SELF"


@rollout_group.command("deploy")
@click.argument("blueprint", type=click.Path(exists=True, dir_okay=False))
@_stack_set_options
@click.option("--accounts", multiple=True, metavar="ID[,ID]", help="Target accounts (instead of the environment's).")
@click.option("--regions", multiple=True, metavar="REGION[,REGION]", help="Target regions (instead of the "
                                                                          "environment's).")
@click.option("--parameter", "parameters", multiple=True, metavar="K=V", help="Template parameter (repeatable); "
                                                                               "wins over the environment's.")
@click.option("--tag", "tags", multiple=True, metavar="K=V", help="StackSet tag (repeatable).")
@click.option("--max-concurrent", metavar="N|P%", help="Accounts deployed at once (count or percentage).")
@click.option("--failure-tolerance", metavar="N|P%", help="Failed accounts tolerated per region.")
@click.option("--region-concurrency", type=click.Choice(["sequential", "parallel"]), help="Regions one by one "
                                                                                            "or in parallel.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-replace", is_flag=True, help="Allow removing or replacing data-bearing resources.")
@click.option("--no-lint", is_flag=True, hidden=True, help="Skip cfn-lint (for emulators and tests).")
@click.option("--poll", type=click.FloatRange(min=0), default=5.0, hidden=True)
@ENV_OPTIONS
@_aws_options
def rollout_deploy(blueprint: str, stack_set_name: str | None, call_as: str | None, accounts: tuple[str, ...],
                   regions: tuple[str, ...], parameters: tuple[str, ...], tags: tuple[str, ...],
                   max_concurrent: str | None, failure_tolerance: str | None, region_concurrency: str | None,
                   yes: bool, allow_replace: bool, no_lint: bool, poll: float, env_name: str | None,
                   environments_file: str | None, region: str | None, profile: str | None,
                   endpoint_url: str | None, timeout: float | None) -> None:
    """Create or update the StackSet of BLUEPRINT and deploy its stack instances, with live progress."""
    from ..deploy import LintError, UsageError
    from ..deploy._stacksets import Targets, rollout
    from ..environments import Preferences, Rollout

    target = EnvTarget.of(blueprint, env_name, environments_file)

    def run() -> Any:
        env = target.env
        plan = env.rollout if env is not None and env.rollout else None
        if plan is None and env is not None and not accounts:
            raise UsageError(f"environment {env.name} has no [environments.{env.name}.rollout] table "
                             f"({env.where()}); add one or pass --accounts and --regions.")
        if plan is None:
            if not accounts or not regions:
                raise UsageError("name the targets: --env NAME (with a rollout table), or --accounts and --regions.")
            plan = Rollout(accounts=_split(accounts), regions=_split(regions))
        targets = Targets.of(plan, _split(accounts), _split(regions))
        amount = {}
        for key, value in (("max_concurrent", max_concurrent), ("failure_tolerance", failure_tolerance)):
            if value is not None:
                if not (value.isdigit() or (value.endswith("%") and value[:-1].isdigit())):
                    raise UsageError(f"--{key.replace('_', '-')} {value!r}: a count (2) or a percentage (25%).")
                amount[key] = int(value) if value.isdigit() else value
        base = plan.preferences
        prefs = Preferences(amount.get("max_concurrent", base.max_concurrent),
                            amount.get("failure_tolerance", base.failure_tolerance), base.region_order,
                            region_concurrency.upper() if region_concurrency else base.region_concurrency)
        template, implied = _template_of(blueprint, False, env)
        implied = implied or Path(blueprint).stem  # a template file: its stem, as deploy names the stack
        name = stack_set_name or target.stack_name(None, implied, blueprint) or _name_for(None, implied)
        params = target.parameters(parse_pairs(parameters, "--parameter"), Path(blueprint).stem, implied)
        tag_map = target.tags(parse_pairs(tags, "--tag"))
        if not no_lint:
            from ..deploy._template import template_of
            from ..lint import lint_template

            findings = lint_template(template_of(template, name)[0].body)
            if any(f.is_error for f in findings):
                raise LintError(findings)
        aws = target.connect("roll out", target.aws(region, profile, endpoint_url, timeout))
        return rollout(template, name, targets, parameters=params, tags=tag_map,
                       permission_model=plan.permission_model, administration_role=plan.administration_role,
                       execution_role=plan.execution_role, auto_deployment=plan.auto_deployment,
                       retain_stacks_on_account_removal=plan.retain_stacks_on_account_removal,
                       call_as=_call_as(call_as, env), preferences=prefs.to_api(), yes=yes, confirm=_confirm(),
                       allow_replace=allow_replace, console=out.rich, poll=poll, **aws)

    result = _guarded(run)
    if not result.ok and not result.cancelled:
        sys.exit(EXIT_PROBLEMS)


@rollout_group.command("status")
@click.argument("blueprint", required=False, type=click.Path(exists=True, dir_okay=False))
@_stack_set_options
@click.option("--operation-id", help="Also show this operation's result per instance.")
@ENV_OPTIONS
@_aws_options
def rollout_status_command(blueprint: str | None, stack_set_name: str | None, call_as: str | None,
                           operation_id: str | None, env_name: str | None, environments_file: str | None,
                           region: str | None, profile: str | None, endpoint_url: str | None,
                           timeout: float | None) -> None:
    """Show the StackSet's instances (status and reason) and its last operations."""
    from ..deploy._stacksets import rollout_status

    target = EnvTarget.of(blueprint, env_name, environments_file)

    def run() -> Any:
        name = _set_name(stack_set_name, blueprint, target)
        aws = target.connect("look at", target.aws(region, profile, endpoint_url, timeout))
        return rollout_status(name, operation_id=operation_id, call_as=_call_as(call_as, target.env),
                              console=out.rich, **aws)

    result = _guarded(run)
    if result.cancelled or result.failed:
        sys.exit(EXIT_PROBLEMS)


@rollout_group.command("destroy")
@click.argument("blueprint", required=False, type=click.Path(exists=True, dir_okay=False))
@_stack_set_options
@click.option("--accounts", multiple=True, metavar="ID[,ID]", help="Only these accounts' instances (the set stays "
                                                                   "while it has others).")
@click.option("--regions", multiple=True, metavar="REGION[,REGION]", help="Only these regions' instances.")
@click.option("--retain-stacks", is_flag=True, help="Keep the instances' stacks (the set only lets go of them).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--poll", type=click.FloatRange(min=0), default=5.0, hidden=True)
@ENV_OPTIONS
@_aws_options
def rollout_destroy_command(blueprint: str | None, stack_set_name: str | None, call_as: str | None,
                            accounts: tuple[str, ...], regions: tuple[str, ...], retain_stacks: bool, yes: bool,
                            poll: float, env_name: str | None, environments_file: str | None, region: str | None,
                            profile: str | None, endpoint_url: str | None, timeout: float | None) -> None:
    """Delete the StackSet's stack instances, then the StackSet (data-bearing resources named first)."""
    from ..deploy._stacksets import rollout_destroy

    target = EnvTarget.of(blueprint, env_name, environments_file)

    def run() -> Any:
        name = _set_name(stack_set_name, blueprint, target)
        aws = target.connect("destroy", target.aws(region, profile, endpoint_url, timeout))
        return rollout_destroy(name, accounts=_split(accounts), regions=_split(regions), retain_stacks=retain_stacks,
                               yes=yes, confirm=_confirm(), call_as=_call_as(call_as, target.env), console=out.rich,
                               poll=poll, **aws)

    result = _guarded(run)
    if result.failed:
        sys.exit(EXIT_PROBLEMS)


@rollout_group.command("bootstrap")
@click.option("--role", "roles", type=click.Choice(["administration", "execution"]), multiple=True,
              help="Which role template (default: both).")
@click.option("--administration-account", metavar="ID", help="The account that administers the StackSets; "
                                                             "default: the environment's account.")
@click.option("--managed-policy", "policies", multiple=True, metavar="ARN",
              help="Managed policy of the execution role (repeatable); default: AdministratorAccess, as AWS's "
                   "own template.")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Write the templates to this folder.")
@click.option("--deploy", "do_deploy", is_flag=True, help="Deploy them: the administration role here, the "
                                                          "execution role here or (--assume-role) in every "
                                                          "target account.")
@click.option("--assume-role", metavar="NAME", help="With --deploy: a role in each target account to deploy the "
                                                    "execution role through (e.g. OrganizationAccountAccessRole).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--no-lint", is_flag=True, hidden=True)
@ENV_OPTIONS
@_aws_options
def rollout_bootstrap(roles: tuple[str, ...], administration_account: str | None, policies: tuple[str, ...],
                      output: str | None, do_deploy: bool, assume_role: str | None, yes: bool, no_lint: bool,
                      env_name: str | None, environments_file: str | None, region: str | None,
                      profile: str | None, endpoint_url: str | None, timeout: float | None) -> None:
    """Print, write or deploy the two IAM role templates of self-managed StackSet permissions."""
    from ..deploy._bootstrap import ADMINISTRATOR_ACCESS, administration_role_template, execution_role_template
    from ..environments import DEFAULT_ADMINISTRATION_ROLE, DEFAULT_EXECUTION_ROLE
    from ..render import to_json

    target = EnvTarget.of(".", env_name, environments_file)
    env = target.env
    plan = env.rollout if env is not None else None
    admin_name = plan.administration_role if plan else DEFAULT_ADMINISTRATION_ROLE
    exec_name = plan.execution_role if plan else DEFAULT_EXECUTION_ROLE
    chosen = roles or ("administration", "execution")
    if assume_role and not do_deploy:
        fail("--assume-role goes with --deploy.", EXIT_USAGE)

    def run() -> Any:
        aws = target.aws(region, profile, endpoint_url, timeout)
        admin_account = administration_account or (env.account if env else None)
        connected = target.connect("bootstrap", aws) if do_deploy else aws
        if admin_account is None:
            if not do_deploy:
                fail("name the administering account: --administration-account ID or --env NAME.", EXIT_USAGE)
            from ..deploy import Provider

            admin_account = (connected.get("provider") or Provider(**aws)).account()
        templates = {}
        if "administration" in chosen:
            templates["administration"] = administration_role_template(
                role_name=admin_name.rsplit("/", 1)[-1], execution_role_name=exec_name)
        if "execution" in chosen:
            templates["execution"] = execution_role_template(
                admin_account, role_name=exec_name, administration_role_name=admin_name.rsplit("/", 1)[-1],
                managed_policies=policies or (ADMINISTRATOR_ACCESS,))
        if output:
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            for kind, data in templates.items():
                (folder / f"stackset-{kind}-role.json").write_text(to_json(data), encoding="utf-8")
                err.print(f"wrote {folder / f'stackset-{kind}-role.json'}", markup=False)
        elif not do_deploy:
            if len(templates) == 1:
                out.file.write(to_json(next(iter(templates.values()))))
            else:
                out.file.write(json.dumps(templates, indent=2, sort_keys=True) + "\n")
        if do_deploy:
            _bootstrap_deploy(templates, connected, assume_role, plan, yes, no_lint)

    _guarded(run)


def _bootstrap_deploy(templates: dict[str, Any], aws: dict[str, Any], assume_role: str | None, plan: Any,
                      yes: bool, no_lint: bool) -> None:
    from ..deploy import Provider, deploy
    from ..deploy._bootstrap import assumed_provider

    base = aws.get("provider") or Provider(**{k: v for k, v in aws.items() if k != "provider"})
    common = {"yes": yes, "confirm": _confirm(), "lint": not no_lint, "console": out.rich,
              "capabilities": ("CAPABILITY_NAMED_IAM",)}
    failed = False
    if "administration" in templates:
        failed |= not deploy(templates["administration"], "ecsstack-stackset-administration-role", provider=base,
                             **common).ok
    if "execution" in templates:
        accounts = plan.accounts if (assume_role and plan) else ()
        if assume_role and not accounts:
            fail("--assume-role needs target accounts: an environment whose rollout lists accounts.", EXIT_USAGE)
        for account in accounts or (None,):
            provider = assumed_provider(base, account, assume_role) if account else base
            if account:
                out.print(f"[bold]account {account}[/] (through {assume_role})")
            failed |= not deploy(templates["execution"], "ecsstack-stackset-execution-role", provider=provider,
                                 **common).ok
    if failed:
        sys.exit(EXIT_PROBLEMS)


COMMANDS = (drift_command, rollout_group)
