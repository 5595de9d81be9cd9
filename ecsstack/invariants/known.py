"""Compile bugs the invariants found that are known and being fixed elsewhere, keyed to their case number in
issue 8 ("The cases found"), or ``found N`` for one the invariants found since. While an entry is here, the
problem it matches does not fail synth; each entry has an ``xfail(strict=True)`` test in
tests/invariants/test_known.py that starts passing once compile is fixed, and then the entry and the ``xfail``
marker are removed together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Problem
from ..model import Service, Stack, TaskDefinition
from ..model import Sub as SubToken
from ._template import Template
from .reachability import namespace_of

__all__ = ["KNOWN", "Known", "tolerated"]


@dataclass(frozen=True)
class Known:
    """A known compile bug: issue 8's numbered case ``case`` (or ``found N``, one the invariants found since);
    ``matches(stack, template, problem)`` says whether ``problem`` is that bug."""

    case: str
    summary: str
    matches: Callable[[Stack, Template, Problem], bool]


def _case1(stack: Stack, template: Template, problem: Problem) -> bool:
    """Service Connect to (or from) a service on EC2 capacity in bridge/host mode: no ingress on the instances."""
    if problem.rule != "ECS910" or "(Service Connect" not in problem.message:
        return False
    return any(s.task.network_mode.value != "awsvpc" and namespace_of(s) is not None for s in stack.of_type(Service))


def _case3(stack: Stack, template: Template, problem: Problem) -> bool:
    """An ECR image written as a ``Sub`` with a literal account and region gets pulls on every repository."""
    if problem.rule not in ("ECS920", "ECS921") or "ecr:" not in problem.message:
        return False
    return any(isinstance(c.image, SubToken) and ".dkr.ecr." in c.image.text and "${" in c.image.text
               for t in stack.of_type(TaskDefinition) for c in t.containers if problem.path.startswith(t.path))


def _case7(stack: Stack, template: Template, problem: Problem) -> bool:
    """An SSM parameter ARN given to ``Secret.secrets_manager`` (or the reverse) is granted on the wrong service."""
    if problem.rule not in ("ECS920", "ECS921"):
        return False
    for t in stack.of_type(TaskDefinition):
        for c in t.containers:
            for s in c.secrets.values():
                if isinstance(s.name, str) and s.is_arn and s.name in problem.message:
                    wrong = (s.source == "ssm") != (s.name.split(":")[2] == "ssm")
                    if wrong:
                        return True
    return False


def _case11(stack: Stack, template: Template, problem: Problem) -> bool:
    """``awslogs`` into a log group the user names gets no grant (a Fargate task then gets no execution role)."""
    return problem.rule == "ECS920" and "logs:" in problem.message and "logs to it with awslogs" in problem.message


def _found1(stack: Stack, template: Template, problem: Problem) -> bool:
    """A load balancer health-check port of its own into a host (or fixed-port bridge) service: the instances'
    group admits the traffic port only."""
    return problem.rule == "ECS910" and "(health checks," in problem.message and any(
        s.task.network_mode.value != "awsvpc" and s.path == problem.path for s in stack.of_type(Service))


KNOWN: tuple[Known, ...] = (
    Known("case 1", "Service Connect with a bridge/host service: no ingress on the instances' group", _case1),
    Known("case 3", "an ECR image given as Sub with a literal account/region pulls from every repository", _case3),
    Known("case 7", "an SSM ARN given to Secret.secrets_manager (or the reverse): the wrong service", _case7),
    Known("case 11", "awslogs into a named log group: no grant to write it (no execution role on Fargate)", _case11),
    Known("found 1", "a target health-check port into host/fixed-port bridge instances is not admitted", _found1),
)


def tolerated(stack: Stack, template: Template, problem: Problem, known: tuple[Known, ...] = KNOWN) -> bool:
    """Whether ``problem`` is one of the ``known`` cases."""
    return any(k.matches(stack, template, problem) for k in known)
