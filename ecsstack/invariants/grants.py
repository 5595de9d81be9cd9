"""Grants: the roles the template makes for a task hold exactly what the model references.

Execution role: pull the ECR repositories of the task's images (account and region from the image, also inside a
``Sub`` with a literal registry; an image whose registry is only known at deploy time may pull from the stack's
own account and region), read the secrets its containers reference through the service the secret lives in (an
ARN names it: SSM → ``ssm:GetParameters``, Secrets Manager → ``secretsmanager:GetSecretValue``), write the log
groups its ``awslogs`` containers name, read a FireLens configuration file from S3, read the Secrets Manager secret
holding a private registry's credentials (``repository_credentials=``) and the S3 environment files (``GetObject``
on each file, ``GetBucketLocation`` on its bucket; a parameter's bucket is derived at deploy time), a gMSA credential
spec file (S3 ``GetObject`` or SSM ``GetParameters``). Task role: ECS Exec's channel
when a service of the task enables it (with the KMS key, log group and S3 bucket of its cluster's exec
configuration), what ``allow`` granted (queues included), the EFS volumes with IAM
authorization, FireLens writing into the task's log group. A role the user brings (``execution_role=``,
``task_role=``) is theirs and left alone.

The roles made for a service's deployment: the traffic role of a blue/green, canary or linear service behind a load
balancer reads the load balancers, (de)registers tasks in exactly the target groups of its ``LoadBalancers`` (the
blue and the green one) and changes exactly the production and test routes they name (rules of an ALB, listeners
of an NLB); the lifecycle hook role invokes exactly the hook functions of the service's ``deployment``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from ..model import EfsVolume, ExistingTaskDefinition, Queue, ScheduledTask, Service, Stack, TaskDefinition, Token
from ..model import Sub as SubToken
from ..model.derived import routers, writes_to_task_log_group
from ..names import QUEUE, SCHEDULE, SERVICE, TASK_DEFINITION, logical_id
from ._template import Template, canon, canon_model

__all__ = ["Need", "check", "execution_needs", "hook_needs", "scheduler_needs", "task_needs", "traffic_needs"]

_HERE = "${AWS::Region}:${AWS::AccountId}"
_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[^:@]+)")
PULL = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
WRITE_LOGS = ("logs:CreateLogStream", "logs:PutLogEvents")
DESCRIBE_LOAD_BALANCING = ("elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
                           "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth")
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
        if c.registry_secret is not None:
            needs.append(_secret_need(c.registry_secret))
        for obj, bucket in c.environment_file_objects:
            needs.append(_need(("s3:GetObject",), canon_model(obj), f"container {c.name}'s environment file"))
            needs.append(_need(("s3:GetBucketLocation",), None if bucket is None else canon_model(bucket),
                               f"container {c.name}'s environment file's bucket"))
        for arn in c.credential_spec_arns:
            action = {"s3": "s3:GetObject", "ssm": "ssm:GetParameters"}.get(arn.split(":")[2])
            if action is not None:
                needs.append(_need((action,), arn, f"container {c.name}'s credential spec"))
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
    runners = [*stack.of_type(Service), *stack.of_type(ScheduledTask)]
    if any(s.enable_execute_command for s in runners if s.task is task):
        needs.append(_need(EXEC, "*", "ECS Exec"))
    needs += _exec_session_needs(task, stack)
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


def _exec_session_needs(task: TaskDefinition, stack: Stack) -> list[Need]:
    """ECS Exec in a cluster with an exec configuration: decrypt with its KMS key, write session logs to its log
    group and S3 bucket (and read an encrypted bucket's encryption configuration)."""
    needs: list[Need] = []
    clusters: list[Any] = []
    for s in stack.of_type(Service):
        if s.task is task and s.enable_execute_command and not any(c is s.cluster for c in clusters):
            clusters.append(s.cluster)
    for cluster in clusters:
        why = f"ECS Exec in {cluster.path}"
        if cluster.execute_command_kms_key is not None:
            needs.append(_need(("kms:Decrypt",), canon_model(cluster.execute_command_kms_key), f"{why} (KMS key)"))
        logging = cluster.execute_command_logging
        if logging is None or isinstance(logging, str):
            continue
        if logging.log_group is not None:
            group = canon_model(logging.log_group)
            arn = None if group is None else f"arn:${{AWS::Partition}}:logs:{_HERE}:log-group:{group}:*"
            needs.append(_need(("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"), arn,
                               f"{why} (session logs)"))
            needs.append(_need(("logs:DescribeLogGroups",), "*", f"{why} (session logs)"))
        if logging.s3_bucket is not None:
            bucket = canon_model(logging.s3_bucket)
            prefix = logging.s3_prefix or ""
            needs.append(_need(("s3:PutObject",), None if bucket is None else
                               f"arn:${{AWS::Partition}}:s3:::{bucket}/{prefix}*", f"{why} (session logs in S3)"))
            if logging.s3_encryption:
                needs.append(_need(("s3:GetEncryptionConfiguration",), None if bucket is None else
                                   f"arn:${{AWS::Partition}}:s3:::{bucket}", f"{why} (encrypted bucket)"))
    return needs


def traffic_needs(entries: list[dict[str, Any]], t: Template) -> list[Need]:
    """What the traffic role of a service whose ``LoadBalancers`` are ``entries`` (as compiled) must hold: read
    the load balancers; (de)register tasks in each entry's target group and its alternate; change the production
    and test routes each entry's ``AdvancedConfiguration`` names (a listener rule, or an NLB listener)."""
    needs = [_need(DESCRIBE_LOAD_BALANCING, "*", "shifting traffic (Describe calls take no resource)")]
    for entry in entries:
        advanced = entry.get("AdvancedConfiguration") or {}
        for key in ("TargetGroupArn", "AlternateTargetGroupArn"):
            if key in entry or key in advanced:
                value = entry.get(key, advanced.get(key))
                needs.append(_need(("elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"),
                                   canon(value), f"the service's {key}"))
        for key in ("ProductionListenerRule", "TestListenerRule"):
            if key not in advanced:
                continue
            value = advanced[key]
            action = ("elasticloadbalancing:ModifyRule" if t.target(value, "AWS::ElasticLoadBalancingV2::ListenerRule")
                      else "elasticloadbalancing:ModifyListener")
            needs.append(_need((action,), canon(value), f"the service's {key}"))
    return _unique(needs)


def hook_needs(service: Service) -> list[Need]:
    """What the lifecycle hook role of ``service`` must hold: invoking each hook function, nothing more."""
    hooks = service.deployment.hooks if service.deployment is not None else []
    return _unique([_need(("lambda:InvokeFunction",), canon_model(h.function), "a lifecycle hook") for h in hooks])


def _service_roles(service: Service, template: Template) -> list[Problem]:
    """The traffic and lifecycle hook roles of a service: exactly what its deployment uses."""
    logical = logical_id(service.name, SERVICE)
    props = template.props(logical)
    if not props or service.deployment is None:
        return []
    where = f"{service.path} › resource {logical}"
    problems: list[Problem] = []
    entries = [e for e in props.get("LoadBalancers", []) or [] if isinstance(e, dict)]
    shifted = [e for e in entries if e.get("AdvancedConfiguration")]
    roles = {template.target((e["AdvancedConfiguration"] or {}).get("RoleArn"), "AWS::IAM::Role") for e in shifted}
    for role in sorted(r for r in roles if r is not None):
        problems += _compare(role, traffic_needs([e for e in shifted if template.target(
            e["AdvancedConfiguration"].get("RoleArn"), "AWS::IAM::Role") == role], template), template, where,
            "traffic")
    if service.deployment.shifts_traffic and entries and not shifted:
        problems.append(Problem("ECS920", where, f"the service deploys {service.deployment.describe()} behind a "
                                "load balancer, but its LoadBalancers name no alternate target group.",
                                "This is a compile bug (ECS would refuse the service); please report it."))
    hooks = (props.get("DeploymentConfiguration") or {}).get("LifecycleHooks") or []
    hook_roles = {template.target(h.get("RoleArn"), "AWS::IAM::Role") for h in hooks if isinstance(h, dict)}
    for role in sorted(r for r in hook_roles if r is not None):
        problems += _compare(role, hook_needs(service), template, where, "lifecycle hook")
    return problems


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


# ---- the role of a scheduled task ------------------------------------------------------------------------------
_ECS_HERE = "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:"
_WIDER = "This is a compile bug (a grant wider than least privilege); please report it."


def scheduler_needs(scheduled: ScheduledTask, t: Template, schedule: dict[str, Any],
                    definition: dict[str, Any]) -> list[Need]:
    """What the role of ``scheduled`` (compiled to ``schedule``, running the task definition compiled to
    ``definition``) must hold, and nothing more: run every revision of exactly that family, tag the tasks it
    starts in the schedule's cluster, pass exactly the task's execution and task roles, send to the
    dead-letter queue (with its KMS key)."""
    target = schedule.get("Target", {}) or {}
    cluster = t.target(target.get("Arn"), "AWS::ECS::Cluster")
    needs = [
        _need(("ecs:RunTask",), f"{_ECS_HERE}task-definition/{canon(definition.get('Family'))}:*",
              f"running task family {canon(definition.get('Family'))}"),
        _need(("ecs:TagResource",), None if cluster is None else f"{_ECS_HERE}task/${{{cluster}}}/*",
              "tagging the tasks it starts"),
    ]
    for key in ("ExecutionRoleArn", "TaskRoleArn"):
        if key in definition:
            needs.append(_need(("iam:PassRole",), canon(definition[key]), f"passing the task's {key[:-3]}"))
    dlq = target.get("DeadLetterConfig", {}) or {}
    if "Arn" in dlq:
        needs.append(_need(("sqs:SendMessage",), canon(dlq["Arn"]), "the dead-letter queue"))
        queue = scheduled.dead_letter_queue
        key_arn = getattr(queue, "kms_key", None) if not isinstance(queue, str | Token) else None
        if key_arn is not None:
            needs.append(_need(("kms:GenerateDataKey", "kms:Decrypt"), canon_model(key_arn),
                               "the dead-letter queue's KMS key"))
    return needs


def _statements(t: Template, role: str) -> Iterator[dict[str, Any]]:
    for policy in t.props(role).get("Policies", []) or []:
        yield from _listed(policy.get("PolicyDocument", {}).get("Statement", []))


def _scheduler_conditions(t: Template, role: str, schedule: dict[str, Any], where: str) -> list[Problem]:
    """ECS921 when the scheduler role is wider than its grants say: RunTask not bound to the schedule's cluster,
    PassRole not bound to ECS tasks, a trust policy not limited to EventBridge Scheduler of this account."""
    problems = []
    cluster = canon((schedule.get("Target", {}) or {}).get("Arn"))
    bounds = {"ecs:RunTask": ("ArnEquals", "ecs:cluster", cluster),
              "iam:PassRole": ("StringEquals", "iam:PassedToService", "ecs-tasks.amazonaws.com")}
    for statement in _statements(t, role):
        for action in _listed(statement.get("Action", [])):
            bound = bounds.get(str(action))
            if bound is None:
                continue
            operator, key, value = bound
            given = (statement.get("Condition", {}) or {}).get(operator, {}).get(key)
            if given is None or canon(given) != value:
                problems.append(Problem("ECS921", where, f"the scheduler role {role} grants {action} without "
                                        f"the condition {operator} {key} = {value}.", _WIDER))
    trust = _listed((t.props(role).get("AssumeRolePolicyDocument", {}) or {}).get("Statement", []))
    for statement in trust:
        principal = (statement.get("Principal", {}) or {}).get("Service")
        source = ((statement.get("Condition", {}) or {}).get("StringEquals", {}) or {}).get("aws:SourceAccount")
        if _listed(principal) != ["scheduler.amazonaws.com"] or canon(source) != "${AWS::AccountId}":
            problems.append(Problem("ECS921", where, f"the scheduler role {role} may be assumed by {principal!r} "
                                    "beyond EventBridge Scheduler of the stack's own account.", _WIDER))
    return problems


def _check_scheduled(stack: Stack, template: Template) -> list[Problem]:
    problems: list[Problem] = []
    for scheduled in stack.of_type(ScheduledTask):
        logical = logical_id(scheduled.name, SCHEDULE)
        props = template.props(logical)
        definition_id = _task_resource(template, scheduled.task)
        if not props or definition_id is None:
            continue
        where = f"{scheduled.path} › resource {logical}"
        target = props.get("Target", {}) or {}
        ecs_parameters = target.get("EcsParameters", {}) or {}
        if template.target(ecs_parameters.get("TaskDefinitionArn"), "AWS::ECS::TaskDefinition") != definition_id:
            runs = canon(ecs_parameters.get("TaskDefinitionArn"))
            problems.append(Problem("ECS920", where, f"the schedule runs {runs}, not the task definition "
                                    f"{definition_id} of {scheduled.task.path}.",
                                    "This is a compile bug; please report it."))
        role = template.target(target.get("RoleArn"), "AWS::IAM::Role")
        needs = scheduler_needs(scheduled, template, props, template.props(definition_id))
        problems += _compare(role, needs, template, where, "scheduler")
        if role is not None:
            problems += _scheduler_conditions(template, role, props, where)
    return problems


def _check_queue_policies(stack: Stack, template: Template) -> list[Problem]:
    """A queue's policy lets sns.amazonaws.com send to that queue, from exactly the topics it subscribes to."""
    problems: list[Problem] = []
    for queue in stack.of_type(Queue):
        logical = logical_id(queue.name, QUEUE)
        if not template.props(logical):
            continue
        wanted = {canon_model(sub.topic) for sub in queue.subscriptions}
        policies = [p for p in template.of_type("AWS::SQS::QueuePolicy")
                    if any(template.target(q) == logical for q in _listed(template.props(p).get("Queues")))]
        admitted: set[str] = set()
        for policy in policies:
            where = f"{queue.path} › resource {policy}"
            for st in (template.props(policy).get("PolicyDocument", {}) or {}).get("Statement", []):
                principal = (st.get("Principal", {}) or {}).get("Service")
                arns = ((st.get("Condition", {}) or {}).get("ArnEquals", {}) or {}).get("aws:SourceArn")
                if (st.get("Effect") != "Allow" or _listed(principal) != ["sns.amazonaws.com"]
                        or _listed(st.get("Action")) != ["sqs:SendMessage"] or arns is None
                        or [canon(r) for r in _listed(st.get("Resource"))] != [f"${{{logical}.Arn}}"]):
                    problems.append(Problem("ECS921", where, "the queue policy grants more than SNS sending to "
                                            "the queue from its subscribed topics.", _WIDER))
                    continue
                admitted |= {canon(a) for a in _listed(arns)}
        if admitted - wanted:
            problems.append(Problem("ECS921", f"{queue.path} › resource {logical}", "the queue policy admits "
                                    f"topics the queue does not subscribe to: {sorted(admitted - wanted)}.", _WIDER))
        if wanted - admitted:
            problems.append(Problem("ECS920", f"{queue.path} › resource {logical}", "no queue policy lets "
                                    f"the subscribed topics {sorted(wanted - admitted)} send to the queue.",
                                    "This is a compile bug; please report it."))
    return problems


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
    problems += _check_scheduled(stack, template)
    problems += _check_queue_policies(stack, template)
    for service in stack.of_type(Service):
        problems += _service_roles(service, template)
    return sorted(set(problems))
