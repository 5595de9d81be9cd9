"""The rule registry: one small class per rule, discovered by decorator, run over the whole model."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..errors import Problem, ValidationError
from ..model import Container, Service, Stack, TaskDefinition
from ..model.derived import normalise_all

__all__ = ["RULES", "Rule", "check_stack", "rule", "validate"]

DOCS = "https://github.com/ecsstack/ecsstack/blob/main/docs/rules.md#"


@dataclass(frozen=True)
class Rule:
    """A validation rule: an id (``ECS204``), a one-line summary and a check over the stack."""

    id: str
    summary: str
    check: Callable[[Stack], Iterable[Problem]]

    @property
    def docs(self) -> str:
        return DOCS + self.id.lower()

    def problem(self, path: str, message: str, hint: str = "", severity: str = "error") -> Problem:
        return Problem(self.id, path, message, hint, severity)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str) -> Callable[[Callable[..., Iterable[Problem]]], Rule]:
    """Register ``check(stack, rule)`` as rule ``rule_id``."""

    def register(fn: Callable[..., Iterable[Problem]]) -> Rule:
        if rule_id in RULES:
            raise RuntimeError(f"rule {rule_id} registered twice")
        made = Rule(rule_id, summary, lambda stack: fn(stack, made))
        RULES[rule_id] = made
        return made

    return register


def check_stack(stack: Stack) -> list[Problem]:
    """Run every rule; problems in a stable order (by path, then rule)."""
    from . import _load_all  # noqa: F401  (registers the rules)

    problems = normalise_all(stack)
    if problems:  # the rules trust the model's types: a model that fails its own checks is reported alone
        return problems
    for registered in RULES.values():
        problems.extend(registered.check(stack))
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.severity != "error", p.path, p.rule, p.message))


def validate(stack: Stack) -> list[Problem]:
    """Raise ``ValidationError`` if any rule finds an error; return the warnings otherwise."""
    problems = check_stack(stack)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(errors)
    return problems


# ---- helpers the rules share -------------------------------------------------------------------

def services_of(stack: Stack, task: TaskDefinition) -> list[Service]:
    return [s for s in stack.of_type(Service) if s.task is task]


def task_path(stack: Stack, task: TaskDefinition) -> str:
    """``service web › task web`` when a service runs the task, else ``task web``."""
    users = services_of(stack, task)
    return f"{users[0].path} › {task.path}" if users else task.path


def tasks(stack: Stack) -> Iterator[TaskDefinition]:
    yield from stack.of_type(TaskDefinition)


def containers(stack: Stack) -> Iterator[tuple[TaskDefinition, Container]]:
    for task in tasks(stack):
        for container in task.containers:
            yield task, container
