"""Grants: the roles the template makes for a task hold exactly what the model references.

Execution role: pull the ECR repositories of the task's images (account and region from the image, also inside a
``Sub`` with a literal registry; an image whose registry is only known at deploy time may pull from the stack's
own account and region), read the secrets its containers reference through the service the secret lives in (an
ARN names it: SSM → ``ssm:GetParameters``, Secrets Manager → ``secretsmanager:GetSecretValue``), write the log
groups its ``awslogs`` containers name, read a FireLens configuration file from S3. Task role: ECS Exec's channel
when a service of the task enables it, what ``allow`` granted (queues included), the EFS volumes with IAM
authorization, FireLens writing into the task's log group. A role the user brings (``execution_role=``,
``task_role=``) is theirs and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from ..model import EfsVolume, ExistingTaskDefinition, Service, Stack, TaskDefinition, Token
from ..model import Sub as SubToken
from ..model.derived import routers, writes_to_task_log_group
from ..names import TASK_DEFINITION, logical_id
from ._template import Template, canon, canon_model

__all__ = ["Need", "check", "execution_needs", "task_needs"]

_HERE = "${AWS::Region}:${AWS::AccountId}"
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[^:@]+)")
PULL = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
WRITE_LOGS = ("logs:CreateLogStream", "logs:PutLogEvents")
EXEC = ("ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel")

Matcher = Callable[[str], bool]


@dataclass(frozen=True)
class Need:
    """``actions`` on each resource ``resources`` accepts (a resource is in ``canon`` form), and why."""

    actions: tuple[str, ...]
    resources: tuple[Matcher, ...]
    shown: tuple[str, ...]
    why: str


def _exact(*texts: str) -> Matcher:
    return lambda r: r in texts


def _need(actions: tuple[str, ...], resource: str | None, why: str, *alternatives: str) -> Need:
    """A need on ``resource`` (or one of ``alternatives``); a resource the invariants cannot name (None) matches
    any token."""
    if resource is None:
        return Need(actions, (lambda r: r.startswith("${") or "${" in r,), ("a resource",), why)
    return Need(actions, (_exact(resource, *alternatives),), (resource,), why)


# ---- what the model references --------------------------------------------------------------------------------
def _image_repository(image: Any) -> str | bool | None:
    """The ECR repository ARN an image pulls from; None when it is not in ECR; True when its registry is only
    known at deploy time (a parameter, or a ``Sub`` starting with a variable)."""
    if isinstance(image, SubToken):
        text = image.text
    elif isinstance(image, Token):
        return True
    else:
        text = image
    m = _ECR_IMAGE.match(text)
    if m:
        repo = canon_model(SubToken(m["repo"], image.variables)) if isinstance(image, SubToken) else m["repo"]
        return f"arn:${{AWS::Partition}}:ecr:{m['region']}:{m['account']}:repository/{repo}"
    if text.startswith("${"):
        return True
    return None


def _container_repository(c: Any) -> str | bool | None:
    """The ECR repository ARN a container may pull from, in ``canon`` form: the one ``ecr_repository=`` names
    (an ARN as given; a name, or a parameter holding one, in the stack's account and region), else the one
    its image names (the model's reading of the image: account, region and name, literal or ``${Var}`` of a
    ``Sub``); True when the image's registry is only known at deploy time; None when it is not in ECR."""
    here = f"arn:${{AWS::Partition}}:ecr:{_HERE}:repository/"
    named = c.ecr_repository
    if isinstance(named, str):
        return named if named.startswith("arn:") else here + named
    if isinstance(named, SubToken) and named.text.startswith("arn:"):
        return canon_model(named) or True
    if named is not None:
        return canon_model(SubToken(here + "${Repository}", {"Repository": named})) or True
    found = c.ecr_image
    if found is None:
        return None
    if not found.known:
        return True
    text = f"arn:${{AWS::Partition}}:ecr:{found.region}:{found.account}:repository/{found.repository}"
    return canon_model(SubToken(text, found.variables)) or True


def _secret_need(secret: Any) -> Need:
    name = secret.name
    if isinstance(name, str) and name.startswith("arn:"):
        service = name.split(":")[2] if name.count(":") >= 2 else ""
        if service == "ssm":
            return _need(("ssm:GetParameters",), name, f"secret {name}")
        return _need(("secretsmanager:GetSecretValue",), name, f"secret {name}", f"{name}-??????")
    text = canon_model(name)
    if secret.source == "ssm":
        if isinstance(name, str):
            arn = f"arn:${{AWS::Partition}}:ssm:{_HERE}:parameter/{name.lstrip('/')}"
        else:
            arn = None if text is None else f"arn:${{AWS::Partition}}:ssm:{_HERE}:parameter/{text}"
        return _need(("ssm:GetParameters",), arn, f"SSM parameter {text}")
    if isinstance(name, str):
        return _need(("secretsmanager:GetSecretValue",),
                     f"arn:${{AWS::Partition}}:secretsmanager:{_HERE}:secret:{name}-??????", f"secret {name}")
    return _need(("secretsmanager:GetSecretValue",), text, f"secret {text}")


def _log_group_need(group: Any, why: str) -> Need:
    text = canon(group) if isinstance(group, dict) else canon_model(group)  # a compiled value, or the model's
    if text is None:
        return _need(WRITE_LOGS, None, why)
    part = r"(?:\$\{[^}]+\}|[^:$]+)"  # a literal region/account or a pseudo parameter such as ${AWS::Region}
    pattern = re.compile(r"^arn:\$\{AWS::Partition\}:logs:" + part + ":" + part + ":log-group:" + re.escape(text)
                         + r"(:\*|:log-stream:\*)?$")
    return Need(WRITE_LOGS, (lambda r: bool(pattern.match(r)) or r == text,), (f"log group {text}",), why)


def _log_groups(definition: dict[str, Any], driver: str, option: str) -> list[Any]:
    """The log groups the containers of a task definition (as compiled) write to with ``driver``."""
    out = []
    for c in definition.get("ContainerDefinitions", []) or []:
        cfg = c.get("LogConfiguration") or {} if isinstance(c, dict) else {}
        if cfg.get("LogDriver") == driver and option in (cfg.get("Options") or {}):
            out.append((c.get("Name", "?"), cfg["Options"][option]))
    return out


def _group_need(t: Template, name: str, group: Any, why: str) -> Need:
    """Writing ``group`` (a value of the task definition): a log group of the template by its ARN, else by name."""
    logical = t.target(group, "AWS::Logs::LogGroup")
    if logical is not None:
        return _need(WRITE_LOGS, "${" + logical + ".Arn}", f"{why} (log group {logical})")
    return _log_group_need(group, f"container {name} logs to it with {why}")


def execution_needs(task: TaskDefinition, t: Template | None = None, definition: dict[str, Any] | None = None
                    ) -> list[Need]:
    """What the execution role of ``task`` (compiled to ``definition`` in ``t``) must hold, and nothing more."""
    needs: list[Need] = []
    if t is not None and definition is not None:
        for name, group in _log_groups(definition, "awslogs", "awslogs-group"):
            needs.append(_group_need(t, name, group, "awslogs"))
    for c in task.containers:
        for secret in c.secrets.values():
            needs.append(_secret_need(secret))
    repos = [(c, _container_repository(c)) for c in task.containers]
    pulled = [(c, r) for c, r in repos if r is not None]
    if pulled:
        needs.append(_need(("ecr:GetAuthorizationToken",), "*", "pulling from ECR"))
    for c, repo in pulled:
        if repo is True:
            needs.append(_need(PULL, f"arn:${{AWS::Partition}}:ecr:{_HERE}:repository/*",
                               f"container {c.name}: its registry is only known at deploy time"))
        else:
            needs.append(_need(PULL, str(repo), f"container {c.name} pulls its image"))
    for router in routers(task):
        s3 = router.firelens.s3_config if router.firelens is not None else None
        if s3 is None:
            continue
        obj, bucket = s3
        needs.append(_need(("s3:GetObject",), obj, "the FireLens configuration file"))
        needs.append(_need(("s3:GetBucketLocation",), bucket,
                           "the FireLens configuration file's bucket"))
    return needs


def task_needs(task: TaskDefinition, stack: Stack, t: Template | None = None,
               definition: dict[str, Any] | None = None) -> list[Need]:
    """What the task role of ``task`` (compiled to ``definition`` in ``t``) must hold, and nothing more."""
    needs: list[Need] = []
    if any(s.enable_execute_command for s in stack.of_type(Service) if s.task is task):
        needs.append(_need(EXEC, "*", "ECS Exec"))
    for actions, resources in task.permissions:
        for resource in resources:
            needs.append(_need(tuple(actions), canon_model(resource), "allow()"))
    for v in task.volumes:
        if isinstance(v, EfsVolume) and v.iam_authorization:
            writable = any((m.volume is v or m.volume == v.name) and not m.read_only
                           for c in task.containers for m in c.mount_points)
            fs = canon_model(v.file_system_id)
            arn = None if fs is None else f"arn:${{AWS::Partition}}:elasticfilesystem:{_HERE}:file-system/{fs}"
            actions = ("elasticfilesystem:ClientMount",) + (("elasticfilesystem:ClientWrite",) if writable else ())
            needs.append(_need(actions, arn, f"EFS volume {v.name} (IAM authorization)"))
    if t is not None and definition is not None and any(writes_to_task_log_group(c) for c in task.containers):
        for name, group in _log_groups(definition, "awsfirelens", "log_group_name"):
            if t.target(group, "AWS::Logs::LogGroup") is not None:
                needs.append(_group_need(t, name, group, "FireLens"))
    return _unique(needs)


def _unique(needs: list[Need]) -> list[Need]:
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], Need] = {}
    for need in needs:
        seen.setdefault((need.actions, need.shown), need)
    return list(seen.values())


# ---- what the template grants ---------------------------------------------------------------------------------
def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def granted(t: Template, role: str) -> Iterator[tuple[str, str, str]]:
    """(action, resource in ``canon`` form, policy name) of every Allow statement of ``role``'s inline policies;
    a managed policy is reported as action ``*`` on its ARN."""
    props = t.props(role)
    for arn in props.get("ManagedPolicyArns", []) or []:
        yield "*", f"managed policy {canon(arn)}", "ManagedPolicyArns"
    for policy in props.get("Policies", []) or []:
        name = str(policy.get("PolicyName", "?"))
        for statement in _listed(policy.get("PolicyDocument", {}).get("Statement", [])):
            if statement.get("Effect") != "Allow":
                continue
            for action in _listed(statement.get("Action", [])):
                for resource in _listed(statement.get("Resource", [])):
                    yield str(action), canon(resource), name


def _action_match(granted_action: str, wanted: str) -> bool:
    pattern = "^" + re.escape(granted_action.lower()).replace(r"\*", ".*") + "$"
    return re.match(pattern, wanted.lower()) is not None


def _compare(role: str | None, needs: list[Need], t: Template, where: str, kind: str) -> list[Problem]:
    problems = []
    have = list(granted(t, role)) if role is not None else []
    for need in needs:
        for action in need.actions:
            for match, shown in zip(need.resources, need.shown, strict=True):
                if not any(_action_match(a, action) and match(r) for a, r, _ in have):
                    problems.append(Problem(
                        "ECS920", where,
                        f"the {kind} role may not {action} on {shown}, which {need.why} needs"
                        + ("" if role is not None else " (the task has no such role)") + ".",
                        "This is a compile bug (the task would fail at run time); please report it."))
    for action, resource, policy in have:
        if not any(any(action.lower() == a.lower() for a in need.actions) and any(m(resource) for m in need.resources)
                   for need in needs):
            problems.append(Problem(
                "ECS921", where,
                f"the {kind} role {role} grants {action} on {resource} (policy {policy}), which nothing the "
                "blueprint references needs.",
                "This is a compile bug (a grant wider than least privilege); please report it."))
    return problems


def _task_resource(t: Template, task: TaskDefinition) -> str | None:
    logical = logical_id(task.family, TASK_DEFINITION)
    if logical in t.resources:
        return logical
    names = [c.name for c in task.containers]
    found = [k for k in t.of_type("AWS::ECS::TaskDefinition")
             if [c.get("Name") for c in t.props(k).get("ContainerDefinitions", [])] == names
             and str(t.props(k).get("Family", "")).endswith(task.family)]
    return found[0] if len(found) == 1 else None


def check(stack: Stack, template: Template) -> list[Problem]:
    """ECS920: a grant the model references that a role lacks; ECS921: a grant nothing references."""
    problems = []
    for task in stack.of_type(TaskDefinition):
        if isinstance(task, ExistingTaskDefinition):
            continue  # registered elsewhere: the template makes no roles for it (ECS339 checks that)
        logical = _task_resource(template, task)
        if logical is None:
            continue
        props = template.props(logical)
        where = f"{task.path} › resource {logical}"
        if task.execution_role is None:
            role = template.target(props.get("ExecutionRoleArn"), "AWS::IAM::Role")
            problems += _compare(role, execution_needs(task, template, props), template, where, "execution")
        if task.task_role is None:
            role = template.target(props.get("TaskRoleArn"), "AWS::IAM::Role")
            problems += _compare(role, task_needs(task, stack, template, props), template, where, "task")
    return sorted(set(problems))
