"""Nested stacks in a deploy: a stack ecsstack split (or an app) is deployed as its root and children, the children
uploaded to the template bucket and named by S3 URL; the data-loss guard reads the nested change sets.

On the emulator (moto_server): the upload, the TemplateURL rewriting, the nested stacks created and updated. With
recorded responses: nested change sets (IncludeNestedStacks) and a failure inside a child."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from rich.console import Console

from ecsstack import Cluster, FargateTaskDefinition, Nesting, Service, Stack, assemble
from ecsstack.deploy import UsageError, deploy, diff

from .fakeaws import FakeTime

REGION = "us-east-1"


def _split_stack(names: list[str], image: str = "app:1") -> Stack:
    stack = Stack("shop", nesting=Nesting(always=True))
    cluster = Cluster("main")
    for name in names:
        task = FargateTaskDefinition(name, cpu=256, memory=512)
        task.add_container("app", image=image)
        stack.add(Service(name, cluster=cluster, task=task))
    return stack


def _network(run: Run) -> dict[str, str]:
    """The VpcId and Subnets parameters: a VPC and two subnets made on the emulator."""
    ec2 = run.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
    return {"VpcId": vpc, "Subnets": ",".join(subnets)}


class Run:
    def __init__(self, url: str):
        self.url, self.time, self.buffer = url, FakeTime(), io.StringIO()
        self.console = Console(file=self.buffer, width=200, highlight=False, soft_wrap=True)

    def kw(self, **extra: Any) -> dict[str, Any]:
        return {"endpoint_url": self.url, "region": REGION, "console": self.console, "sleep": self.time.sleep,
                "clock": self.time.clock, **extra}

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, region_name=REGION)


@pytest.mark.emulator
def test_a_split_stack_deploys_as_root_and_uploaded_children(moto: str) -> None:
    run = Run(moto)
    run.client("s3").create_bucket(Bucket="templates")
    assembly = assemble(_split_stack(["api", "web"]))
    assert len(assembly.children) == 2
    params = _network(run)
    result = deploy(assembly, parameters=params, **run.kw(yes=True, lint=False, s3_bucket="templates"))
    assert result.ok, run.buffer.getvalue()
    text = run.buffer.getvalue()
    for child in assembly.children:
        assert f"nested stack {child}: template uploaded to https://templates.s3.us-east-1.amazonaws.com/" in text
    keys = sorted(o["Key"] for o in run.client("s3").list_objects_v2(Bucket="templates")["Contents"]
                  if not o["Key"].startswith("ecsstack-history/"))  # the deploy's history record sits beside them
    assert len(keys) == 2 and all(k.startswith("ecsstack/shop/Services") for k in keys)
    # the root as deployed names its children by S3 URL, and each child holds its service
    cfn = run.client("cloudformation")
    body = cfn.get_template(StackName="shop")["TemplateBody"]
    root = json.loads(body) if isinstance(body, str) else body
    for child in assembly.children:
        assert root["Resources"][child]["Properties"]["TemplateURL"].startswith("https://templates.s3.")
    nested = {r.logical_id: r.physical_id for r in result.resources if r.resource_type == "AWS::CloudFormation::Stack"}
    assert set(nested) == set(assembly.children)
    for child, physical in nested.items():
        inner = {r["LogicalResourceId"] for r in cfn.list_stack_resources(StackName=physical)["StackResourceSummaries"]}
        assert inner == set(assembly.children[child]["Resources"])
    # deployed again unchanged: the same keys (content-addressed), nothing to do
    again = deploy(assembly, parameters=params, **run.kw(yes=True, lint=False, s3_bucket="templates"))
    assert again.outcome.name == "NO_CHANGES"
    assert sorted(o["Key"] for o in run.client("s3").list_objects_v2(Bucket="templates")["Contents"]
                  if not o["Key"].startswith("ecsstack-history/")) == keys


@pytest.mark.emulator
def test_written_templates_deploy_from_the_folder(moto: str, tmp_path: Path) -> None:
    run = Run(moto)
    run.client("s3").create_bucket(Bucket="templates")
    assembly = assemble(_split_stack(["api"]))
    for name, text in assembly.files():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = deploy(tmp_path / "shop.json", parameters=_network(run),
                    **run.kw(yes=True, lint=False, s3_bucket="templates"))
    assert result.ok and result.stack_name == "shop"


def test_a_child_missing_beside_the_root_is_a_usage_error(tmp_path: Path) -> None:
    assembly = assemble(_split_stack(["api"]))
    (tmp_path / "shop.json").write_text(assembly.files()[0][1])
    with pytest.raises(UsageError, match="names its template by the local path 'shop/Services"):
        diff(tmp_path / "shop.json", endpoint_url="http://127.0.0.1:9", region=REGION)


# ---- recorded responses: what the emulator does not do (IncludeNestedStacks change sets, Replacement) ----------
ROOT_CHANGE = {"Type": "Resource", "ResourceChange": {
    "Action": "Modify", "LogicalResourceId": "Services03", "PhysicalResourceId":
    "arn:aws:cloudformation:us-east-1:123456789012:stack/shop-Services03-1ABC/11111111-2222-3333-4444-555555555555",
    "ResourceType": "AWS::CloudFormation::Stack", "Replacement": "False", "Scope": ["Properties"],
    "ChangeSetId": "arn:aws:cloudformation:us-east-1:123456789012:changeSet/shop-Services03-nested/abcd"}}
NESTED_CHANGES = {"Changes": [
    {"Type": "Resource", "ResourceChange": {
        "Action": "Modify", "LogicalResourceId": "ApiLogGroup", "PhysicalResourceId": "shop-api-logs",
        "ResourceType": "AWS::Logs::LogGroup", "Replacement": "True", "Scope": ["Properties"]}},
    {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "ApiTaskDefinition",
                                            "ResourceType": "AWS::ECS::TaskDefinition", "Replacement": "True",
                                            "Scope": ["Properties"]}}]}


class RecordedProvider:
    """Answers the two calls the guard makes inside nested stacks, as CloudFormation does."""

    def __init__(self, old_child: dict[str, Any]):
        self.old_child = old_child
        self.asked: list[str] = []

    def describe_nested_change_set(self, arn: str) -> list[Any]:
        from ecsstack.deploy._changes import ResourceChange

        self.asked.append(arn)
        return [ResourceChange.from_api(c) for c in NESTED_CHANGES["Changes"]]

    def get_template(self, stack_id: str) -> dict[str, Any]:
        self.asked.append(stack_id)
        return self.old_child


def test_the_data_loss_guard_looks_inside_nested_change_sets() -> None:
    from ecsstack.deploy._changes import ResourceChange
    from ecsstack.deploy._nested import nested_risks
    from ecsstack.deploy._provider import ChangeSet
    from ecsstack.deploy._template import Template

    logs = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {"LogGroupName": "shop-api-logs"}}
    old = {"Resources": {"ApiLogGroup": logs, "ApiTaskDefinition": {"Type": "AWS::ECS::TaskDefinition"}}}
    new = json.loads(json.dumps(old))
    new["Resources"]["ApiLogGroup"]["Properties"]["RetentionInDays"] = 7
    provider = RecordedProvider(old)
    cs = ChangeSet("arn:root", "arn:stack/shop", (ResourceChange.from_api(ROOT_CHANGE),))
    risks = nested_risks(provider, cs, {"Services03": Template.of(new)})  # type: ignore[arg-type]
    assert [(r.logical_id, r.what) for r in risks] == [("Services03/ApiLogGroup", "replaced")]
    assert "it holds data" in risks[0].why and "it has a fixed name (LogGroupName)" in risks[0].why
    assert provider.asked == [ROOT_CHANGE["ResourceChange"]["ChangeSetId"],
                              ROOT_CHANGE["ResourceChange"]["PhysicalResourceId"]]


def test_change_sets_of_a_root_with_children_include_nested_stacks() -> None:
    from botocore.stub import ANY, Stubber

    from ecsstack.deploy._provider import Provider

    provider = Provider(region=REGION, endpoint_url="http://127.0.0.1:9")
    with Stubber(provider.cfn) as stub:
        stub.add_response("create_change_set", {"Id": "arn:cs", "StackId": "arn:stack"}, {
            "StackName": "shop", "ChangeSetName": "n", "ChangeSetType": "CREATE", "Parameters": [],
            "Capabilities": [], "TemplateBody": "{}", "IncludeNestedStacks": True, "ClientToken": ANY})
        provider.create_change_set("shop", "n", "CREATE", body="{}", client_token="t", include_nested=True)
        stub.assert_no_pending_responses()
