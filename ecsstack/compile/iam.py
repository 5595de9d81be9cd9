"""Roles a task needs, with least-privilege policies built by awacs (the features of a task hand their
statements in as named grants, so each role is built once with all its policies)."""

from __future__ import annotations

from typing import Any

import awacs.ecr
import awacs.logs
import awacs.secretsmanager
import awacs.ssm
import awacs.ssmmessages
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Sub, iam

from ..model import Container, Secret, TaskDefinition, Token
from ..model import Sub as SubToken
from ..names import EXECUTION_ROLE, TASK_ROLE, logical_id
from ._context import Context
from ._references import sub_names

__all__ = [
    "ANY_REPOSITORY",
    "Grants",
    "awslogs_groups",
    "execution_role",
    "repository_arn",
    "secret_value_from",
    "task_role",
]

#: inline policies a feature adds to a role: (policy name, statements); one with no statements is left out
Grants = list[tuple[str, list[Statement]]]


def _assume_ecs_tasks() -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[Statement(Effect=Allow, Principal=Principal("Service", "ecs-tasks.amazonaws.com"),
                             Action=[awacs.aws.Action("sts", "AssumeRole")])],
    )


def secret_value_from(secret: Secret, ctx: Context) -> Any:
    """What ``ValueFrom`` says for a secret: name or ARN, with ``:key::`` for a JSON key."""
    if secret.source == "ssm":
        return ctx.value(secret.name)
    if secret.key is None:
        return ctx.value(secret.name)
    return Sub("${Arn}:" + secret.key + "::", Arn=_secret_arn(secret, ctx, for_policy=False))


def _ssm_arn(secret: Secret, ctx: Context) -> Any:
    if isinstance(secret.name, Token):
        return Sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Name}",
                   Name=ctx.value(secret.name))
    if secret.is_arn:
        return secret.name
    name = secret.name.lstrip("/")
    return Sub(f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/{name}")


def _secret_arn(secret: Secret, ctx: Context, *, for_policy: bool) -> Any:
    if isinstance(secret.name, Token):
        return ctx.value(secret.name)
    if secret.is_arn:
        return secret.name
    # Secrets Manager appends six random characters to a secret's ARN: grant exactly those.
    suffix = "-??????" if for_policy else ""
    return Sub(f"arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:"
               f"secret:{secret.name}{suffix}")


#: what the execution role may pull for an image whose registry is only known at deploy time (and that names no
#: ``ecr_repository=``): every repository of the stack's own account and region
ANY_REPOSITORY = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*"
_REPOSITORY = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/"


def _named_repository(repository: str | Token, ctx: Context) -> Any:
    """``ecr_repository=`` as an ARN: an ARN as given (a Sub whose text is one too), a name (a parameter
    holds one) as a repository of the stack's account and region."""
    if isinstance(repository, str):
        return repository if repository.startswith("arn:") else Sub(_REPOSITORY + repository)
    if isinstance(repository, SubToken) and repository.text.startswith("arn:"):
        return ctx.value(repository)
    return Sub(_REPOSITORY + "${Repository}", Repository=ctx.value(repository))


def repository_arn(c: Container, ctx: Context) -> Any | None:
    """The ARN of the ECR repository ``c`` pulls its image from, None when the image is not in ECR: exactly
    the repository the image names (account, region and name taken from it, also from the literal parts
    of a Sub), or ``ecr_repository=``; ``ANY_REPOSITORY`` when the registry is only known at deploy time."""
    if c.ecr_repository is not None:
        return _named_repository(c.ecr_repository, ctx)
    found = c.ecr_image
    if found is None:
        return None
    if not found.known:
        return Sub(ANY_REPOSITORY)
    text = f"arn:${{AWS::Partition}}:ecr:{found.region}:{found.account}:repository/{found.repository}"
    used = sub_names(text)
    return ctx.value(SubToken(text, {k: v for k, v in found.variables.items() if k in used}))


def _ecr_repositories(containers: list[Container], ctx: Context) -> list[Any] | None:
    """ECR repository ARNs to pull from, each once; None when no image is in ECR."""
    arns = [arn for arn in (repository_arn(c, ctx) for c in containers) if arn is not None]
    return _unique(arns) or None


def _policies(grants: Grants) -> list[iam.Policy]:
    return [iam.Policy(PolicyName=name, PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements))
            for name, statements in grants if statements]


def awslogs_groups(task: TaskDefinition, ctx: Context, log_group: str | None) -> list[Any]:
    """The ARNs of the log groups the task's containers log to with ``awslogs`` (what the execution role
    writes on Fargate): the task's own (``log_group``) and every group a container names, each once."""
    arns: list[Any] = []
    if log_group is not None and any(c.logging.uses_task_log_group for c in task.containers):
        arns.append(GetAtt(log_group, "Arn"))
    for c in task.containers:
        cfg = c.logging
        if cfg.driver != "awslogs" or cfg.uses_task_log_group:
            continue
        # the same precedence as the container's LogConfiguration: an explicit option wins
        group = cfg.options.get("awslogs-group", cfg.log_group)
        region = cfg.options.get("awslogs-region")
        variables: dict[str, Any] = {}
        if isinstance(region, str):
            where = region
        elif region is not None:
            where, variables["Region"] = "${Region}", region
        else:
            where = "${AWS::Region}"
        if not isinstance(group, str):
            variables["LogGroup"] = group
            group = "${LogGroup}"
        arns.append(ctx.value(SubToken(f"arn:${{AWS::Partition}}:logs:{where}:${{AWS::AccountId}}:log-group:{group}:*",
                                       variables)))
    return _unique(arns)


def execution_role(task: TaskDefinition, ctx: Context, log_groups: list[Any],
                   grants: Grants) -> iam.Role | None:
    """The role ECS uses to start the task: writing to ``log_groups`` (ARNs, see ``awslogs_groups``),
    secrets and image pulls, plus the features' ``grants``, nothing more; None when it needs no permission
    at all."""
    statements: list[Statement] = []
    if log_groups:
        statements.append(Statement(Effect=Allow, Action=[awacs.logs.CreateLogStream, awacs.logs.PutLogEvents],
                                    Resource=log_groups))
    secrets = [s for c in task.containers for s in c.secrets.values()]
    secrets += [c.registry_secret for c in task.containers if c.registry_secret is not None]
    ssm = _unique([_ssm_arn(s, ctx) for s in secrets if s.source == "ssm"])
    if ssm:
        statements.append(Statement(Effect=Allow, Action=[awacs.ssm.GetParameters], Resource=ssm))
    sm = _unique([_secret_arn(s, ctx, for_policy=True) for s in secrets if s.source == "secretsmanager"])
    if sm:
        statements.append(Statement(Effect=Allow, Action=[awacs.secretsmanager.GetSecretValue], Resource=sm))
    repos = _ecr_repositories(task.containers, ctx)
    if repos:
        statements.append(Statement(Effect=Allow, Action=[awacs.ecr.GetAuthorizationToken], Resource=["*"]))
        statements.append(Statement(Effect=Allow, Action=[awacs.ecr.BatchCheckLayerAvailability,
                                                          awacs.ecr.GetDownloadUrlForLayer,
                                                          awacs.ecr.BatchGetImage], Resource=repos))
    policies = _policies([("execution", statements), *grants])
    if not policies:
        return None
    return iam.Role(logical_id(task.family, EXECUTION_ROLE), AssumeRolePolicyDocument=_assume_ecs_tasks(),
                    Policies=policies)


def task_role(task: TaskDefinition, ctx: Context, *, exec_command: bool, grants: Grants) -> iam.Role:
    """The role the task's own code runs as: ECS Exec's SSM channel, the task's own permissions and the
    features' ``grants``; no policy at all when none applies."""
    name = logical_id(task.family, TASK_ROLE)
    kwargs: dict[str, Any] = {"AssumeRolePolicyDocument": _assume_ecs_tasks()}
    policies = []
    if exec_command:
        policies.append(iam.Policy(PolicyName="ecs-exec", PolicyDocument=PolicyDocument(
            Version="2012-10-17",
            Statement=[Statement(Effect=Allow, Action=[awacs.ssmmessages.CreateControlChannel,
                                                       awacs.ssmmessages.CreateDataChannel,
                                                       awacs.ssmmessages.OpenControlChannel,
                                                       awacs.ssmmessages.OpenDataChannel],
                                 Resource=["*"])])))
    if task.permissions:
        policies.append(iam.Policy(PolicyName="task", PolicyDocument=PolicyDocument(
            Version="2012-10-17",
            Statement=[Statement(Effect=Allow, Action=[awacs.aws.Action(*a.split(":", 1)) for a in actions],
                                 Resource=[ctx.value(r) for r in resources])
                       for actions, resources in task.permissions])))
    policies += _policies(grants)
    if policies:
        kwargs["Policies"] = policies
    return iam.Role(name, **kwargs)


def _unique(values: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for v in values:
        seen.setdefault(repr(v.to_dict()) if hasattr(v, "to_dict") else repr(v), v)
    return list(seen.values())
