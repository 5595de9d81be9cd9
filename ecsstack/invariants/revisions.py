"""Revisions (ECS339): every service runs the task definition its blueprint names. A task built in the stack is a
``Ref`` to its ``AWS::ECS::TaskDefinition`` resource (which has the task's container names); a task registered
elsewhere (``TaskDefinition.existing``) is its reference, written as given, and the template makes no task
definition, role or log group for it (nothing else of the template then names that task)."""

from __future__ import annotations

from ..errors import Problem
from ..model import ExistingTaskDefinition, Service, Stack
from ..names import SERVICE, TASK_DEFINITION, logical_id
from ._template import Template, canon, canon_model

__all__ = ["check"]

_FIX = "This is a compile bug (the service would run another task definition); please report it."


def check(stack: Stack, template: Template) -> list[Problem]:
    """ECS339: a service whose ``TaskDefinition`` is not the task its model names."""
    problems = []
    for service in stack.of_type(Service):
        logical = logical_id(service.name, SERVICE)
        if template.resources.get(logical, {}).get("Type") != "AWS::ECS::Service":
            continue  # not compiled under its own name (a collision is ECS503)
        value = template.props(logical).get("TaskDefinition")
        task = service.task
        where = f"{service.path} › resource {logical}"
        if isinstance(task, ExistingTaskDefinition):
            wanted = canon_model(task.reference)
            if wanted is not None and canon(value) != wanted:
                problems.append(Problem("ECS339", where, f"runs {canon(value)}, but the blueprint names the task "
                                        f"definition {wanted} (registered elsewhere).", _FIX))
            target = template.target(value)
            if target is not None:
                problems.append(Problem("ECS339", where, f"runs the template's resource {target}, but its task "
                                        f"{task.family!r} is registered elsewhere: nothing should be made for it.",
                                        _FIX))
            continue
        target = template.target(value, "AWS::ECS::TaskDefinition")
        names = [c.get("Name") for c in template.props(target).get("ContainerDefinitions", [])] if target else []
        if target is None or names != [c.name for c in task.containers]:
            problems.append(Problem("ECS339", where, f"runs {canon(value)}, which is not the task definition "
                                    f"{logical_id(task.family, TASK_DEFINITION)} made for task {task.family!r} "
                                    f"with containers {[c.name for c in task.containers]}.", _FIX))
    return sorted(problems)
