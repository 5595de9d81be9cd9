"""ECS33x: task definitions registered elsewhere (``TaskDefinition.existing``): the reference's shape, and what
ecsstack cannot check or wire without the task definition itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import Problem
from ..model import ExistingTaskDefinition, NetworkMode, Parameter, Service, Token
from ..model.derived import targets_of
from ._helpers import name_hint, q
from ._registry import Index, Rule, rule

__all__ = ["ARN", "NOT_CHECKED", "Reference", "parse_reference"]

#: ``arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>``
ARN = re.compile(r"arn:(?P<partition>aws[-a-z]*):ecs:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):(?P<account>\d{12}):"
                 r"task-definition/(?P<rest>.*)")
_FAMILY = re.compile(r"[A-Za-z0-9_-]{1,255}")
_REVISION = re.compile(r"\d+")

#: what the rules do not check for a task definition registered elsewhere (ECS333 names them)
NOT_CHECKED = ("its containers (essential, dependencies, images, health checks, port mappings)", "logging",
               "secrets", "volumes", "the Fargate cpu/memory size")


@dataclass(frozen=True)
class Reference:
    """A literal reference taken apart: ``family`` and ``revision`` (text), ``arn`` True for an ARN."""

    family: str
    revision: str | None
    arn: bool


def parse_reference(text: str) -> Reference | None:
    """``family:revision`` or a task-definition ARN taken apart; None when it is neither shape (an ARN of another
    service or resource type, or an empty family)."""
    match = ARN.fullmatch(text)
    rest, arn = (match["rest"], True) if match else (text, False)
    if not match and text.startswith("arn:"):
        return None
    family, sep, revision = rest.partition(":")
    if not family:
        return None
    return Reference(family, revision if sep else None, arn)


def _literals(ix: Index) -> Iterator[tuple[ExistingTaskDefinition, str, str]]:
    """(task, text, what) for every reference known at synth time: a literal, or a parameter's default."""
    for task in ix.existing:
        ref = task.reference
        if isinstance(ref, str):
            yield task, ref, "the reference"
        elif isinstance(ref, Parameter) and isinstance(ref.default, str) and ref.default:
            yield task, ref.default, f"the default of parameter {q(ref.name)}"


_EXAMPLE = '"web:3" or "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3"'


@rule("ECS330", "an existing task definition is named by family:revision or a task-definition ARN")
def _shape(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, text, what in _literals(ix):
        where = ix.task_path(task)
        parsed = parse_reference(text)
        if parsed is None:
            kind = "an ARN, but not of an ECS task definition" if text.startswith("arn:") else "not a reference"
            yield r.problem(where, f"{what} {text!r} is {kind}; TaskDefinition.existing takes family:revision or "
                            "arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>.",
                            f"Write {_EXAMPLE}.")
        elif parsed.revision is None:
            yield r.problem(where, f"{what} {text!r} names a family without a revision; the service would run "
                            "whatever revision is newest when CloudFormation updates it, so the template would no "
                            "longer say what runs.", f'Pin the revision: "{parsed.family}:3" (see `aws ecs '
                            f"list-task-definitions --family-prefix {parsed.family}`).")


@rule("ECS331", "an existing task definition's family has 1-255 letters, digits, hyphens and underscores")
def _family(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, text, what in _literals(ix):
        parsed = parse_reference(text)
        if parsed is not None and not _FAMILY.fullmatch(parsed.family):
            yield r.problem(ix.task_path(task), f"{what} {text!r} names the family {parsed.family!r}, which ECS "
                            "does not accept (1-255 letters, digits, hyphens and underscores).",
                            name_hint(parsed.family))


@rule("ECS332", "an existing task definition's revision is a whole number from 1")
def _revision(ix: Index, r: Rule) -> Iterator[Problem]:
    for task, text, what in _literals(ix):
        parsed = parse_reference(text)
        if parsed is None or parsed.revision is None:
            continue
        if not _REVISION.fullmatch(parsed.revision) or int(parsed.revision) < 1:
            yield r.problem(ix.task_path(task), f"{what} {text!r} has the revision {parsed.revision!r}; ECS "
                            "numbers revisions 1, 2, 3, …", f'Write "{parsed.family}:1" or a later revision.')


@rule("ECS333", "the rules about containers and size do not run on a task definition registered elsewhere")
def _not_checked(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.existing:
        ref = task.reference
        shown = ref if isinstance(ref, str) else f"parameter {ref.name}" if isinstance(ref, Parameter) else "a token"
        compat = "/".join(c.value for c in task.compatibilities)
        yield r.problem(ix.task_path(task), f"runs {shown}, registered outside this stack: ecsstack did not check "
                        f"{', '.join(NOT_CHECKED)}, and takes its network mode ({task.network_mode.value}) and "
                        f"launch types ({compat}) as stated on existing(...).",
                        "Validate that task definition where it is built (build it with ecsstack to have it "
                        "checked here).", severity="warning")


def _needs_ports(ix: Index, service: Service) -> list[str]:
    """What sends traffic to ``service``'s tasks and needs a container port to do so."""
    needs = [f"{t.load_balancer.path}" for t in targets_of(ix.stack, service)]
    if service.allow_from and service.task.network_mode is NetworkMode.AWSVPC:
        needs.append("allow_from=")
    if service.dns_registrations and service.task.network_mode is not NetworkMode.AWSVPC:
        needs.append("Cloud Map SRV records")
    return needs


@rule("ECS334", "traffic to a task registered elsewhere needs its container ports named in existing(ports=)")
def _ports(ix: Index, r: Rule) -> Iterator[Problem]:
    for service in ix.services:
        task = service.task
        if not isinstance(task, ExistingTaskDefinition) or any(c.ports for c in task.containers):
            continue
        needs = _needs_ports(ix, service)
        if needs:
            yield r.problem(service.path, f"{' and '.join(needs)} send traffic to task {q(task.family)}, which is "
                            "registered elsewhere, and ecsstack does not know which container port takes it.",
                            f'Name it: TaskDefinition.existing({_shown(task.reference)}, ports={{"app": 8080}}) '
                            "with the container name and port of the registered task definition.")


def _shown(ref: str | Token) -> str:
    return repr(ref) if isinstance(ref, str) else ref.name if isinstance(ref, Parameter) else "..."


@rule("ECS335", "a parameter holding an existing task definition is a String parameter")
def _parameter(ix: Index, r: Rule) -> Iterator[Problem]:
    for task in ix.existing:
        ref = task.reference
        if isinstance(ref, Parameter) and ref.type != "String":
            yield r.problem(ix.task_path(task), f"parameter {q(ref.name)} holds the task definition, but its type "
                            f"is {ref.type}; a reference is one text value.",
                            f'Declare it with stack.parameter("{ref.name}") (type String).')
