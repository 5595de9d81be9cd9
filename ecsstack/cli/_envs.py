"""``--env NAME`` for synth, lint, diff, deploy and destroy, and the ``ecsstack drift`` command.

With ``--env`` a command reads the environment from ``environments.toml`` beside the blueprint (or
``--environments FILE``): ``build(env)`` gets it, the stack is named by its pattern, its parameters and tags
merge under the command line's, its profile and home region are the defaults, and every command that talks
to AWS first checks (STS) that the credentials belong to the environment's account and region.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..environments import EnvironmentFileError, find_environments, load_environments
from ._console import EXIT_USAGE, err, escape, fail, out

if TYPE_CHECKING:
    from ..environments import Environment

__all__ = ["ENV_OPTIONS", "EnvTarget", "resolve"]

F = TypeVar("F", bound=Callable[..., Any])


def ENV_OPTIONS(fn: F) -> F:
    """``--env NAME`` and ``--environments FILE``."""
    fn = click.option("--environments", "environments_file", type=click.Path(dir_okay=False),
                      help="The environments file; default: environments.toml beside the blueprint(s), "
                           "then in the current directory.")(fn)
    fn = click.option("--env", "env_name", metavar="NAME",
                      help="Environment (environments.toml): its account, region, stack name, parameters, "
                           "tags and profile; the credentials must belong to its account.")(fn)
    return fn


def resolve(target: str | None, name: str | None, file: str | None) -> Environment | None:
    """The environment ``name`` (``None`` without ``--env``); a bad file or name exits 2 with file:line."""
    if not name:
        if file:
            fail("--environments needs --env NAME.", EXIT_USAGE)
        return None
    try:
        return load_environments(find_environments(target or ".", file))[name]
    except EnvironmentFileError as exc:
        fail(str(exc), EXIT_USAGE)


@dataclass
class EnvTarget:
    """What ``--env`` changes for a command that deploys one stack."""

    env: Environment | None
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, target: str | None, name: str | None, file: str | None) -> EnvTarget:
        return cls(resolve(target, name, file))

    def stack_name(self, given: str | None, implied: str | None, blueprint: str | None) -> str | None:
        """``--stack-name`` wins; else the environment's pattern over the blueprint's stack name."""
        from ..deploy._template import derive_stack_name

        if given or self.env is None or not implied:
            return given
        name = derive_stack_name(self.env.stack_name(implied, blueprint=Path(blueprint).stem if blueprint else None))
        err.print(f"environment {self.env.name}: stack {name}", markup=False)
        return name

    def parameters(self, cli: Mapping[str, str], *names: str | None) -> dict[str, str]:
        if self.env is None:
            return dict(cli)
        from ..deploy._guard import merge_parameters

        known = [n for n in names if n]
        merged, self.sources = merge_parameters(self.env.parameters_for(*known), self.env.parameter_sources(*known),
                                                cli)
        return merged

    def tags(self, cli: Mapping[str, str]) -> dict[str, str]:
        return dict(cli) if self.env is None else {**self.env.tags, **cli}

    def aws(self, region: str | None, profile: str | None, endpoint_url: str | None,
            timeout: float | None) -> dict[str, Any]:
        """The AWS keyword arguments: the environment's home region and profile unless given."""
        if self.env is not None:
            from ..deploy._guard import region_for

            region, profile = region_for(self.env, region), profile or self.env.profile
        return {"region": region, "profile": profile, "endpoint_url": endpoint_url, "timeout": timeout}

    def connect(self, action: str, aws: dict[str, Any]) -> dict[str, Any]:
        """``aws`` plus, with an environment, a ``provider`` whose credentials passed the account guard."""
        if self.env is None:
            return aws
        from ..deploy import Provider
        from ..deploy._guard import check_target

        provider = Provider(**aws)
        who = check_target(provider, self.env, action)
        err.print(f"environment {self.env.name}: account {who.account}, region {who.region} ({who.arn})",
                  markup=False)
        return {**aws, "provider": provider}

    def show_parameters(self, template: Any, given: Mapping[str, str], stack_name: str | None,
                        connected: dict[str, Any], to: Any = None) -> None:
        """Print every parameter with where its value comes from (environment only), on ``to`` (default:
        stdout; stderr when stdout carries a document, e.g. ``diff --format markdown``)."""
        if self.env is None or "provider" not in connected:
            return
        from ..deploy._guard import parameter_origins
        from ..deploy._template import template_of

        tpl, name = template_of(template, stack_name)
        info = connected["provider"].describe_stack(name)
        rows = parameter_origins(tpl, given, self.sources, info.parameters if info else None)
        to = to or out
        if rows:
            to.print("[bold]Parameters[/] (value ← where it comes from):")
        for row in rows:
            over = f", over {escape(row.overrides)}" if row.overrides else ""
            to.print(f"    {escape(row.name)} = {escape(row.value)}  [dim]← {escape(row.source)}{over}[/]")
