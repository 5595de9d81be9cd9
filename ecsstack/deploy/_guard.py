"""The account guard and parameter origins for commands run against an environment (``--env prod``).

``check_target`` asks STS who the credentials belong to before anything else, and refuses when the account
or the region is not the environment's, naming both: a prod deploy made with dev credentials stops before
any change. ``merge_parameters`` / ``parameter_origins`` say where every parameter value comes from (the
environments file, the command line, the deployed stack's previous value, the template's default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import DeployError, UsageError
from ._provider import aws_errors
from ._template import MASK, Template, is_no_echo

if TYPE_CHECKING:
    from ..environments import Environment
    from ._provider import Provider

__all__ = ["AccountMismatch", "Identity", "ParameterOrigin", "caller_identity", "check_target", "merge_parameters",
           "parameter_origins", "region_for"]

COMMAND_LINE = "command line"
PREVIOUS = "previous value"
DEFAULT = "template default"


class AccountMismatch(DeployError):
    """The credentials (or the region) are not the environment's: nothing was changed."""


@dataclass(frozen=True)
class Identity:
    """Who the credentials are (STS GetCallerIdentity) and the region the clients talk to."""

    account: str
    arn: str
    region: str


def caller_identity(provider: Provider) -> Identity:
    with aws_errors("asking STS who the credentials belong to"):
        answer = provider.client("sts").get_caller_identity()
    return Identity(str(answer["Account"]), str(answer.get("Arn", "")), provider.region)


def _regions_at(env: Environment) -> str:
    return env.where("regions" if "regions" in env.lines else "region")


def region_for(env: Environment, region: str | None) -> str | None:
    """The region a single-stack command uses in ``env``: ``region`` if it is one of the environment's, else
    its home (first) region; a region the environment does not list is a usage error."""
    if region and env.regions and region not in env.regions:
        raise UsageError(f"--region {region} is not a region of environment {env.name} "
                         f"({', '.join(env.regions)}; {_regions_at(env)}).",
                         "Drop --region, or add the region to the environment.")
    return region or env.region


def check_target(provider: Provider, env: Environment, action: str) -> Identity:
    """Refuse (``AccountMismatch``) unless ``provider``'s credentials belong to ``env``'s account and its
    region is one of ``env``'s. Called before any other AWS call of a command."""
    who = caller_identity(provider)
    problems = []
    if env.account and who.account != env.account:
        problems.append(f"the credentials belong to account {who.account} ({who.arn or 'unknown principal'}), "
                        f"but environment {env.name} is account {env.account} ({env.where('account')})")
    if env.regions and who.region not in env.regions:
        problems.append(f"the region is {who.region}, but environment {env.name} is in "
                        f"{', '.join(env.regions)} ({_regions_at(env)})")
    if problems:
        hint = (f"Use credentials of account {env.account}" if env.account and who.account != env.account
                else "Use the environment's region")
        if env.profile:
            hint += f" (the environment's profile is {env.profile})"
        raise AccountMismatch(f"refusing to {action} environment {env.name}: {'; and '.join(problems)}. "
                              "Nothing was changed.", hint + ".")
    return who


@dataclass(frozen=True)
class ParameterOrigin:
    """One template parameter's value for this deploy and where it comes from (``source``); ``overrides`` is
    the source a command-line value replaced."""

    name: str
    value: str
    source: str
    overrides: str = ""

    def __str__(self) -> str:
        over = f", over {self.overrides}" if self.overrides else ""
        return f"{self.name} = {self.value}  ({self.source}{over})"


def merge_parameters(env_values: Mapping[str, str], env_sources: Mapping[str, str],
                     cli: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Values from the environments file, then the command line's (which win); and the source of each."""
    merged = {**env_values, **cli}
    sources = {k: env_sources.get(k, "environments file") for k in env_values}
    for k in cli:
        sources[k] = COMMAND_LINE + (f"|{sources[k]}" if k in sources else "")
    return merged, sources


def parameter_origins(template: Template, given: Mapping[str, str], sources: Mapping[str, str],
                      previous: Mapping[str, str] | None) -> list[ParameterOrigin]:
    """Every parameter of ``template`` with its value and source; NoEcho values masked."""
    rows = []
    for name, spec in sorted(template.parameters.items()):
        over = ""
        if name in given:
            value = given[name]
            source, _, over = sources.get(name, COMMAND_LINE).partition("|")
        elif previous is not None and name in previous:
            value, source = previous[name], PREVIOUS
        elif "Default" in spec:
            default: Any = spec["Default"]
            value, source = (",".join(map(str, default)) if isinstance(default, list) else str(default)), DEFAULT
        else:
            value, source = "(missing)", "nowhere"
        rows.append(ParameterOrigin(name, MASK if is_no_echo(spec) else value, source, over))
    return rows
