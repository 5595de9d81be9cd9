"""Add permissions to the roles ``iam.py`` made for a task, from a feature's ``task`` hook.

The task hook runs after the roles were added to the template and before the task definition is,
so a feature appends an inline policy to the role it needs (and makes an execution role if the task
had none). A role the user passed as an ARN is theirs: nothing is granted on it (rules warn).
"""

from __future__ import annotations

from typing import Any

from awacs.aws import PolicyDocument, Statement
from troposphere import GetAtt, iam

from ..model import TaskDefinition
from ._context import Context
from .iam import _assume_ecs_tasks

__all__ = ["grant_execution_role", "grant_task_role"]


def _base(task: TaskDefinition, ctx: Context) -> str:
    return ctx.logical(task).removesuffix("TaskDefinition")


def _append(role: iam.Role, name: str, statements: list[Statement]) -> None:
    policies = list(role.properties.get("Policies", []))
    policies.append(iam.Policy(PolicyName=name, PolicyDocument=PolicyDocument(Version="2012-10-17",
                                                                              Statement=statements)))
    role.Policies = policies


def grant_task_role(task: TaskDefinition, ctx: Context, name: str, statements: list[Statement]) -> bool:
    """Give the task role made for ``task`` an inline policy ``name``; False if the user brought their own."""
    role = ctx.template.resources.get(f"{_base(task, ctx)}TaskRole")
    if task.task_role is not None or role is None or not statements:
        return False
    _append(role, name, statements)
    return True


def grant_execution_role(task: TaskDefinition, ctx: Context, built: Any, name: str,
                         statements: list[Statement]) -> bool:
    """Give the execution role of ``task`` an inline policy ``name``, making the role if the task had none
    (``built`` is the task definition about to be added); False if the user brought their own."""
    if task.execution_role is not None or not statements:
        return False
    logical = f"{_base(task, ctx)}ExecutionRole"
    role = ctx.template.resources.get(logical)
    if role is None:
        role = ctx.add(iam.Role(logical, AssumeRolePolicyDocument=_assume_ecs_tasks()))
        built.ExecutionRoleArn = GetAtt(logical, "Arn")
    _append(role, name, statements)
    return True
