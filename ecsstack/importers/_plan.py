"""What an importer decided, as plain data, and the blueprint source written from it.

Both importers fill a ``Blueprint`` (tasks with their volumes and containers, services, notes); ``render``
writes it as a formatted ``.py`` file with a ``build()`` using the public API.
"""

from __future__ import annotations

import io
import textwrap
import tokenize
from dataclasses import dataclass, field
from typing import Any

from ..model import __all__ as MODEL_NAMES
from ._source import Call, Raw, identifier, statement

__all__ = ["Blueprint", "ContainerPlan", "ServicePlan", "TaskPlan", "VolumePlan", "deploy_order", "render"]


@dataclass
class VolumePlan:
    """``task.<method>(name, **kwargs)``: ``add_efs_volume`` or ``add_bind_volume``."""

    name: str
    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    var: str = ""


@dataclass
class ContainerPlan:
    """A container: its keywords, its overrides (CloudFormation names) and what it mounts and waits for."""

    name: str
    image: Any
    kwargs: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    method: str = "add_container"
    mounts: list[tuple[str, str, bool]] = field(default_factory=list)  # (volume, container path, read only)
    volumes_from: list[tuple[str, bool]] = field(default_factory=list)  # (container, read only)
    depends: list[tuple[str, str]] = field(default_factory=list)  # (container, condition)
    comments: list[str] = field(default_factory=list)
    var: str = ""


@dataclass
class TaskPlan:
    name: str
    cls: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    volumes: list[VolumePlan] = field(default_factory=list)
    containers: list[ContainerPlan] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    var: str = ""

    def container(self, name: str) -> ContainerPlan | None:
        return next((c for c in self.containers if c.name == name), None)


@dataclass
class ServicePlan:
    name: str
    task: TaskPlan
    kwargs: dict[str, Any] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    var: str = ""
    #: the names of the services deployed before this one (``after=``)
    after: list[str] = field(default_factory=list)


def deploy_order(services: list[ServicePlan]) -> list[ServicePlan]:
    """``services`` with each after those it names in ``after`` (otherwise in the given order), so a
    service's ``after=`` refers to variables already defined. Raises ValueError on a cycle."""
    by_name = {s.name: s for s in services}
    out: list[ServicePlan] = []
    placing: set[str] = set()

    def place(service: ServicePlan) -> None:
        if service in out:
            return
        if service.name in placing:
            raise ValueError(service.name)
        placing.add(service.name)
        for name in service.after:
            if name in by_name:
                place(by_name[name])
        placing.discard(service.name)
        out.append(service)

    for service in services:
        place(service)
    return out


@dataclass
class Blueprint:
    """A whole generated blueprint."""

    stack: str
    docstring: str
    description: str = ""
    notes: list[str] = field(default_factory=list)  # comment lines at the top of the file
    parameters: list[tuple[str, Call]] = field(default_factory=list)  # (variable, stack.parameter(...))
    cluster: dict[str, Any] = field(default_factory=dict)
    capacity: dict[str, Any] | None = None  # keywords of cluster.add_ec2_capacity("ec2", ...)
    tasks: list[TaskPlan] = field(default_factory=list)
    services: list[ServicePlan] = field(default_factory=list)
    #: statements after the services (e.g. deploy order), each a list of lines
    extra: list[list[str]] = field(default_factory=list)


def overridden(plan: Blueprint) -> list[str]:
    """``where: Key, Key`` for every task and container that carries keys in ``overrides=``."""
    out = []
    for task in plan.tasks:
        if task.overrides:
            out.append(f"task {task.name}: {', '.join(task.overrides)}")
        for c in task.containers:
            if c.overrides:
                out.append(f"task {task.name} › container {c.name}: {', '.join(c.overrides)}")
    return out


def _comment_lines(lines: list[str], indent: int) -> list[str]:
    """``# `` comments at ``indent``, each line wrapped under 100 columns (continuations indented)."""
    pad = " " * indent
    out = []
    for line in lines:
        lead = " " * (len(line) - len(line.lstrip()))
        wrapped = textwrap.wrap(line.strip(), 96 - indent - len(lead), break_long_words=False,
                                break_on_hyphens=False) or [""]
        out += [f"{pad}# {lead}{'  ' if i else ''}{part}".rstrip() for i, part in enumerate(wrapped)]
    return out


def _task_lines(task: TaskPlan) -> list[str]:
    out = _comment_lines(task.comments, 4)
    kwargs = dict(task.kwargs)
    if task.overrides:
        kwargs["overrides"] = task.overrides
    out += statement(Call(task.cls, [task.name], kwargs), head=f"{task.var} = ")
    mounted = {volume for c in task.containers for volume, _, _ in c.mounts}
    for volume in task.volumes:
        head = f"{volume.var} = " if volume.name in mounted else ""  # a variable only where a mount uses it
        out += statement(Call(f"{task.var}.{volume.method}", [volume.name], volume.kwargs), head=head)
    used = _referenced(task)
    defined: set[str] = set()
    for c in task.containers:
        out += _comment_lines(c.comments, 4)
        kwargs = dict(c.kwargs)
        if c.overrides:
            kwargs["overrides"] = c.overrides
        if c.method == "add_firelens_router":
            call = Call(f"{task.var}.{c.method}", [c.image], {**kwargs, "name": c.name})
        else:
            call = Call(f"{task.var}.{c.method}", [c.name], {"image": c.image, **kwargs})
        out += statement(call, head=f"{c.var} = " if c.name in used else "")
        defined.add(c.name)
        volumes = {v.name: v.var for v in task.volumes}
        for volume, path, read_only in c.mounts:
            target = Raw(volumes[volume]) if volume in volumes else volume
            out += statement(Call(f"{c.var}.mount", [target, path], {"read_only": True} if read_only else {}))
        for source, read_only in c.volumes_from:
            other = task.container(source)
            target = Raw(other.var) if other is not None and source in defined else source
            out += statement(Call(f"{c.var}.volumes_from", [target], {"read_only": True} if read_only else {}))
        for target_name, condition in c.depends:
            other = task.container(target_name)
            target = Raw(other.var) if other is not None and target_name in defined else target_name
            out += statement(Call(f"{c.var}.depends_on", [target, Raw(f"Condition.{condition}")]))
    return out


def _referenced(task: TaskPlan) -> set[str]:
    """Names of the containers a statement refers to by variable: those with statements of their own, and
    those a later container waits on or takes volumes from (an earlier one names them by string)."""
    names: set[str] = set()
    for i, c in enumerate(task.containers):
        if c.mounts or c.volumes_from or c.depends:
            names.add(c.name)
        earlier = {other.name for other in task.containers[:i]}
        names.update(t for t, _ in [*c.depends, *c.volumes_from] if t in earlier)
    return names


def _imports(body: str) -> list[str]:
    """The ``from ecsstack import ...`` line(s) for the public names ``body`` uses, sorted as isort does."""
    words = {tok.string for tok in tokenize.generate_tokens(io.StringIO(body).readline) if tok.type == tokenize.NAME}
    names = sorted(n for n in MODEL_NAMES if n in words)
    line = f"from ecsstack import {', '.join(names)}"
    if len(line) <= 88:
        return [line]
    return ["from ecsstack import (", *(f"    {n}," for n in names), ")"]


def render(plan: Blueprint) -> str:
    """The blueprint's source, formatted."""
    taken = {"stack", "cluster", "capacity", "build", *(var for var, _ in plan.parameters)}
    for task in plan.tasks:
        task.var = identifier(f"{task.name}_task" if len(plan.tasks) > 1 else "task", taken)
        for volume in task.volumes:
            volume.var = identifier(f"{volume.name}_volume", taken)
        for c in task.containers:
            c.var = identifier(c.name, taken)
    for service in plan.services:
        service.var = identifier(f"{service.name}_service" if len(plan.services) > 1 else "service", taken)

    body: list[str] = ["def build() -> Stack:"]
    stack_kwargs = {"description": plan.description} if plan.description else {}
    body += statement(Call("Stack", [plan.stack], stack_kwargs), head="stack = ")
    for var, call in plan.parameters:
        body += statement(call, head=f"{var} = ")
    body += statement(Call("Cluster", ["main"], plan.cluster), head="cluster = ")
    if plan.capacity is not None:
        body += statement(Call("cluster.add_ec2_capacity", ["ec2"], plan.capacity))
    for task in plan.tasks:
        body.append("")
        body += _task_lines(task)
    body.append("")
    variables = {s.name: s.var for s in plan.services}
    for service in deploy_order(plan.services):
        body += _comment_lines(service.comments, 4)
        kwargs = {"cluster": Raw("cluster"), "task": Raw(service.task.var), **service.kwargs}
        if service.after:
            kwargs["after"] = [Raw(variables[name]) for name in service.after]
        body += statement(Call("Service", [service.name], kwargs), head=f"{service.var} = ")
    for lines in plan.extra:
        body += lines
    added = [Raw(s.var) for s in plan.services] or [Raw("cluster"), *(Raw(t.var) for t in plan.tasks)]
    body += statement(Call("stack.add", added))
    body.append("    return stack")
    text = "\n".join(body) + "\n"

    head = ['"""' + "\n".join(textwrap.wrap(_docstring(plan.docstring), 100)) + '"""', ""]
    if plan.notes:
        head += [*_comment_lines(plan.notes, 0), ""]
    head += _imports(text)
    return "\n".join(head) + "\n\n\n" + text


def _docstring(text: str) -> str:
    """A docstring body: backslashes doubled, no triple quote, not ending in a quote."""
    text = text.replace("\\", "\\\\").replace(3 * '"', 3 * "'").rstrip()
    return text + " " if text.endswith('"') else text
