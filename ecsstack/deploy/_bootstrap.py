"""The two IAM roles a self-managed StackSet needs, as CloudFormation templates (troposphere + awacs):

- the administration role, in the account that administers the set: CloudFormation assumes it, and it may
  only assume the execution role in the target accounts;
- the execution role, in every target account: the administration role of the administering account (and
  nobody else) assumes it, and it holds the permissions the set's stacks need (by default AWS's recommended
  ``AdministratorAccess``; pass narrower managed policies for production).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from awacs.sts import AssumeRole
from troposphere import GetAtt, Output, Parameter, Ref, Sub, Template
from troposphere.iam import Policy, Role

from ..environments import DEFAULT_ADMINISTRATION_ROLE, DEFAULT_EXECUTION_ROLE

__all__ = ["ADMINISTRATOR_ACCESS", "administration_role_template", "execution_role_template"]

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def administration_role_template(*, role_name: str = DEFAULT_ADMINISTRATION_ROLE,
                                 execution_role_name: str = DEFAULT_EXECUTION_ROLE) -> dict[str, Any]:
    """The administration role's template (deploy it in the administering account)."""
    t = Template(Description="ecsstack: the StackSet administration role (self-managed permissions)")
    t.add_resource(Role(
        "AdministrationRole", RoleName=role_name,
        AssumeRolePolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[Statement(
            Effect=Allow, Principal=Principal("Service", "cloudformation.amazonaws.com"), Action=[AssumeRole],
            Condition=Condition(StringEquals("aws:SourceAccount", Ref("AWS::AccountId"))))]),
        Policies=[Policy(PolicyName="AssumeStackSetExecutionRole", PolicyDocument=PolicyDocument(
            Version="2012-10-17", Statement=[Statement(
                Effect=Allow, Action=[AssumeRole],
                Resource=[Sub(f"arn:${{AWS::Partition}}:iam::*:role/{execution_role_name}")])]))],
    ))
    t.add_output(Output("AdministrationRoleArn", Value=GetAtt("AdministrationRole", "Arn")))
    return t.to_dict()


def execution_role_template(administration_account: str, *, role_name: str = DEFAULT_EXECUTION_ROLE,
                            administration_role_name: str = DEFAULT_ADMINISTRATION_ROLE,
                            managed_policies: Sequence[str] = (ADMINISTRATOR_ACCESS,)) -> dict[str, Any]:
    """The execution role's template (deploy it in every target account); only the administration role of
    ``administration_account`` may assume it."""
    t = Template(Description="ecsstack: the StackSet execution role (self-managed permissions)")
    admin = t.add_parameter(Parameter("AdministrationAccount", Type="String", Default=administration_account,
                                      AllowedPattern=r"\d{12}",
                                      Description="The account that administers the StackSets"))
    t.add_resource(Role(
        "ExecutionRole", RoleName=role_name,
        AssumeRolePolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[Statement(
            Effect=Allow, Action=[AssumeRole],
            Principal=Principal("AWS", [Sub(f"arn:${{AWS::Partition}}:iam::${{{admin.title}}}:role/"
                                            f"{administration_role_name}")]))]),
        ManagedPolicyArns=list(managed_policies),
    ))
    t.add_output(Output("ExecutionRoleArn", Value=GetAtt("ExecutionRole", "Arn")))
    return t.to_dict()


def assumed_provider(base: Any, account: str, role_name: str, session_name: str = "ecsstack-bootstrap") -> Any:
    """A ``Provider`` acting as ``account`` through ``role_name`` there (STS AssumeRole with ``base``'s
    credentials), in ``base``'s region and endpoint, with its timeouts."""
    import boto3

    from ._provider import Provider, aws_errors

    arn = role_name if role_name.startswith("arn:") else f"arn:aws:iam::{account}:role/{role_name}"
    with aws_errors(f"assuming {arn}"):
        creds = base.client("sts").assume_role(RoleArn=arn, RoleSessionName=session_name,
                                               DurationSeconds=900)["Credentials"]
    session = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                    aws_secret_access_key=creds["SecretAccessKey"],
                                    aws_session_token=creds["SessionToken"], region_name=base.region)
    clients = {}
    for service in ("cloudformation", "sts", "s3"):
        client = session.client(service, endpoint_url=base.endpoint_url, config=base.config())
        base.timeouts.install(client)
        clients[service] = client
    return Provider(region=base.region, endpoint_url=base.endpoint_url, clients=clients, timeouts=base.timeouts)
