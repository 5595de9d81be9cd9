"""The rule registry: one small class per rule, registered by decorator, run over the whole model."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..errors import Problem, ValidationError
from ..model import (
    Container,
    ExistingTaskDefinition,
    LoadBalancer,
    LoadBalancerTarget,
    ScheduledTask,
    Service,
    Stack,
    TaskDefinition,
)
from ..model.derived import Source, builders_of, load_balancers_of, normalise_all, source_of

__all__ = ["RULES", "Index", "Rule", "check_stack", "rule", "validate"]

DOCS = "https://github.com/ecsstack/ecsstack/blob/main/docs/rules.md#"


class Index:
    """The stack a rule checks, with the lookups many rules share, built once per ``check_stack`` (so that
    the rules stay linear in the size of the stack: a rule asks the index, never scans the stack per item)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._kinds: dict[type, list[Any]] = {}
        self.services: list[Service] = self.of_type(Service)
        everything: list[TaskDefinition] = self.of_type(TaskDefinition)
        #: the task definitions the stack builds (the rules about containers and sizes run over these)
        self.tasks: list[TaskDefinition] = [t for t in everything if not isinstance(t, ExistingTaskDefinition)]
        #: the task definitions registered elsewhere (``TaskDefinition.existing``): ECS33x check their references
        self.existing: list[ExistingTaskDefinition] = [t for t in everything if isinstance(t, ExistingTaskDefinition)]
        self._users: dict[int, list[Service]] = {}
        for service in self.services:
            self._users.setdefault(id(service.task), []).append(service)
        self._scheduled: dict[int, list[ScheduledTask]] = {}
        for scheduled in self.of_type(ScheduledTask):
            self._scheduled.setdefault(id(scheduled.task), []).append(scheduled)
        self._task_paths: dict[int, str] = {}
        self._lbs: list[LoadBalancer] | None = None
        self._builders: list[Any] | None = None
        self._targets: dict[int, list[LoadBalancerTarget]] | None = None

    def of_type(self, kind: type) -> list[Any]:
        """``stack.of_type(kind)``, computed once per kind."""
        if kind not in self._kinds:
            self._kinds[kind] = self.stack.of_type(kind)
        return self._kinds[kind]

    @property
    def load_balancers(self) -> list[LoadBalancer]:
        """``load_balancers_of(stack)``, computed once."""
        if self._lbs is None:
            self._lbs = load_balancers_of(self.stack)
        return self._lbs

    @property
    def builders(self) -> list[Any]:
        """``builders_of(stack)``, computed once."""
        if self._builders is None:
            self._builders = builders_of(self.stack)
        return self._builders

    def targets_of(self, service: Service) -> list[LoadBalancerTarget]:
        """``targets_of(stack, service)``: the targets that send traffic to ``service``, in stack order."""
        if self._targets is None:
            self._targets = {}
            for lb in self.load_balancers:
                for target in lb.targets:
                    self._targets.setdefault(id(target.service), []).append(target)
        return self._targets.get(id(service), [])

    def services_of(self, task: TaskDefinition) -> list[Service]:
        """The services that run ``task``, in the order added."""
        return self._users.get(id(task), [])

    def task_path(self, task: TaskDefinition) -> str:
        """``service web › task web`` when a service runs the task (else ``scheduled task nightly › task web``
        when a schedule does), else ``task web``."""
        known = self._task_paths.get(id(task))
        if known is None:
            users = self.services_of(task) or self._scheduled.get(id(task), [])
            known = self._task_paths[id(task)] = f"{users[0].path} › {task.path}" if users else task.path
        return known

    def cpath(self, task: TaskDefinition, container: Container) -> str:
        """``service web › task web › container app`` for a container of ``task``."""
        return f"{self.task_path(task)} › container {container.name}"


@dataclass(frozen=True)
class Rule:
    """A validation rule: an id (``ECS204``), a one-line summary and a check over the stack."""

    id: str
    summary: str
    fn: Callable[[Index, Rule], Iterable[Problem]]

    @property
    def docs(self) -> str:
        return DOCS + self.id.lower()

    def check(self, stack: Stack | Index) -> list[Problem]:
        """What this rule alone finds in a normalised stack (or in an ``Index`` of one)."""
        return list(self.fn(stack if isinstance(stack, Index) else Index(stack), self))

    def problem(self, path: str, message: str, hint: str = "", severity: str = "error") -> Problem:
        return Problem(self.id, path, message, hint, severity)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str) -> Callable[[Callable[[Index, Rule], Iterable[Problem]]], Rule]:
    """Register ``check(index, rule)`` as rule ``rule_id``."""

    def register(fn: Callable[[Index, Rule], Iterable[Problem]]) -> Rule:
        if rule_id in RULES:
            raise RuntimeError(f"rule {rule_id} registered twice")
        made = Rule(rule_id, summary, fn)
        RULES[rule_id] = made
        return made

    return register


def _order(problem: Problem) -> tuple[bool, str, str, str]:
    return problem.severity != "error", problem.path, problem.rule, problem.message


def check_stack(stack: Stack) -> list[Problem]:
    """Every problem in ``stack``, errors first, then by path and rule.

    Every node is normalised first; if any fails, those ECS001 problems are all that is returned, since
    the rules trust the model's types.
    """
    failed = normalise_all(stack)
    if failed:
        return sorted(dict.fromkeys(failed), key=_order)
    index = Index(stack)
    problems: list[Problem] = []
    for registered in RULES.values():
        problems.extend(registered.fn(index, registered))
    return sorted(_located(index, dict.fromkeys(problems)), key=_order)


def _sources(index: Index) -> dict[str, Source]:
    """Problem path (``service web › task web › container app``) → where the blueprint made that object."""
    found: dict[str, Source] = {}

    def note(path: str, obj: object) -> None:
        src = source_of(obj)
        if src is not None:
            found.setdefault(path, src)

    for builder in builders_of(index.stack):
        note(builder.path, builder)
    tasks = [*index.tasks, *(s.task for s in index.stack.of_type(ScheduledTask))]
    for task in tasks:
        for where in (index.task_path(task), task.path):
            note(where, task)
            for container in task.containers:
                note(f"{where} › container {container.name}", container)
    return found


def _located(index: Index, problems: Iterable[Problem]) -> list[Problem]:
    """``problems``, each with the ``source`` of the most specific object its path names (when known)."""
    sources = _sources(index)
    located = []
    for p in problems:
        steps = p.path.split(" › ")
        src = next((sources[k] for k in (" › ".join(steps[:n]) for n in range(len(steps), 0, -1)) if k in sources),
                   None)
        located.append(replace(p, source=src) if src is not None and p.source is None else p)
    return located


def validate(stack: Stack) -> list[Problem]:
    """Raise ``ValidationError`` if any rule finds an error; return the warnings otherwise."""
    problems = check_stack(stack)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError(errors, [p for p in problems if p.severity != "error"])
    return problems
