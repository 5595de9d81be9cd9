"""Created VPCs: subnets across AZs without hard-coded names, gateways, routes; services placed in them."""

from __future__ import annotations

import pytest

from ecsstack import Cluster, FargateTaskDefinition, Service, Stack, ValidationError, Vpc
from ecsstack.lint import lint_template


def vpc_stack(**vpc_kwargs) -> tuple[Stack, Vpc]:
    vpc = Vpc("main", **vpc_kwargs)
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[8080])
    return Stack("t").add(Service("web", cluster=Cluster("main"), task=task, vpc=vpc)), vpc


def of_type(resources: dict, kind: str) -> dict:
    return {k: v for k, v in resources.items() if v["Type"] == kind}


def test_two_azs_one_nat_by_default() -> None:
    stack, _ = vpc_stack()
    r = stack.to_dict()["Resources"]
    assert r["MainVpc"]["Properties"]["CidrBlock"] == "10.0.0.0/16"
    assert r["MainVpc"]["Properties"]["EnableDnsHostnames"] is True
    subnets = of_type(r, "AWS::EC2::Subnet")
    assert sorted(subnets) == ["MainVpcPrivateSubnet1", "MainVpcPrivateSubnet2", "MainVpcPublicSubnet1",
                               "MainVpcPublicSubnet2"]
    for name, props in ((n, s["Properties"]) for n, s in subnets.items()):
        az = int(name[-1]) - 1
        assert props["AvailabilityZone"] == {"Fn::Select": [az, {"Fn::GetAZs": ""}]}
        block = 2 * az + (0 if "Public" in name else 1)
        assert props["CidrBlock"] == {"Fn::Select": [block, {"Fn::Cidr": [
            {"Fn::GetAtt": ["MainVpc", "CidrBlock"]}, "4", "13"]}]}
        assert props["MapPublicIpOnLaunch"] is ("Public" in name)
    assert list(of_type(r, "AWS::EC2::InternetGateway")) == ["MainVpcInternetGateway"]
    assert r["MainVpcGatewayAttachment"]["Properties"]["InternetGatewayId"] == {"Ref": "MainVpcInternetGateway"}
    route = r["MainVpcPublicDefaultRoute"]
    assert route["Properties"]["DestinationCidrBlock"] == "0.0.0.0/0"
    assert route["Properties"]["GatewayId"] == {"Ref": "MainVpcInternetGateway"}
    assert route["DependsOn"] == ["MainVpcGatewayAttachment"]
    assert list(of_type(r, "AWS::EC2::NatGateway")) == ["MainVpcNatGateway1"]
    assert r["MainVpcNatGateway1"]["Properties"]["SubnetId"] == {"Ref": "MainVpcPublicSubnet1"}
    assert r["MainVpcNatGateway1Eip"]["Properties"]["Domain"] == "vpc"
    for i in (1, 2):
        assert r[f"MainVpcPrivateDefaultRoute{i}"]["Properties"]["NatGatewayId"] == {"Ref": "MainVpcNatGateway1"}
        assoc = r[f"MainVpcPrivateSubnet{i}RouteTableAssociation"]["Properties"]
        assert assoc["RouteTableId"] == {"Ref": f"MainVpcPrivateRouteTable{i}"}
        assoc = r[f"MainVpcPublicSubnet{i}RouteTableAssociation"]["Properties"]
        assert assoc["RouteTableId"] == {"Ref": "MainVpcPublicRouteTable"}


def test_no_hard_coded_availability_zone_names() -> None:
    stack, _ = vpc_stack(max_azs=3)
    text = stack.to_json()
    assert "us-east-1a" not in text and text.count('"Fn::GetAZs"') == 6


@pytest.mark.parametrize(("azs", "nats", "expected"), [
    (2, 0, {}),
    (3, 1, {1: 1, 2: 1, 3: 1}),
    (3, 3, {1: 1, 2: 2, 3: 3}),
    (3, 2, {1: 1, 2: 2, 3: 1}),
])
def test_nat_gateways(azs, nats, expected) -> None:
    stack, _ = vpc_stack(max_azs=azs, nat_gateways=nats)
    r = stack.to_dict()["Resources"]
    assert len(of_type(r, "AWS::EC2::NatGateway")) == nats
    assert len(of_type(r, "AWS::EC2::EIP")) == nats
    routes = {int(k[-1]): v["Properties"]["NatGatewayId"]["Ref"] for k, v in r.items()
              if k.startswith("MainVpcPrivateDefaultRoute")}
    assert routes == {i: f"MainVpcNatGateway{n}" for i, n in expected.items()}
    assert len(of_type(r, "AWS::EC2::RouteTable")) == 1 + azs


def test_subnet_size_follows_the_vpc_block() -> None:
    stack, _ = vpc_stack(cidr="10.8.0.0/20", max_azs=3)
    props = stack.to_dict()["Resources"]["MainVpcPrivateSubnet3"]["Properties"]
    assert props["CidrBlock"] == {"Fn::Select": [5, {"Fn::Cidr": [{"Fn::GetAtt": ["MainVpc", "CidrBlock"]}, "6", "9"]}]}


def test_service_runs_in_private_subnets_with_its_group_in_the_vpc() -> None:
    stack, _ = vpc_stack()
    t = stack.to_dict()
    svc = t["Resources"]["WebService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert svc["Subnets"] == [{"Ref": "MainVpcPrivateSubnet1"}, {"Ref": "MainVpcPrivateSubnet2"}]
    assert svc["AssignPublicIp"] == "DISABLED"
    assert t["Resources"]["WebServiceSecurityGroup"]["Properties"]["VpcId"] == {"Ref": "MainVpc"}
    assert "VpcId" not in t.get("Parameters", {}) and "Subnets" not in t.get("Parameters", {})


def test_subnet_group_given_as_subnets_implies_the_vpc() -> None:
    vpc = Vpc("main")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1")
    svc = Service("web", cluster=Cluster("main"), task=task, subnets=vpc.public_subnets, assign_public_ip=True)
    t = Stack("t").add(svc).to_dict()
    net = t["Resources"]["WebService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert net["Subnets"] == [{"Ref": "MainVpcPublicSubnet1"}, {"Ref": "MainVpcPublicSubnet2"}]
    assert t["Resources"]["WebServiceSecurityGroup"]["Properties"]["VpcId"] == {"Ref": "MainVpc"}


def test_existing_vpc_stays_the_default() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1")
    t = Stack("t").add(Service("web", cluster=Cluster("main"), task=task)).to_dict()
    assert t["Parameters"]["VpcId"]["Type"] == "AWS::EC2::VPC::Id"
    assert t["Parameters"]["Subnets"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert not of_type(t["Resources"], "AWS::EC2::VPC")


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"cidr": "10.0.0.1/16"}, "not an IPv4 network"),
])
def test_bad_arguments(kwargs, text) -> None:
    with pytest.raises(ValidationError) as info:
        Vpc("main", **kwargs)
    [problem] = info.value.problems
    assert problem.rule == "ECS001" and problem.path == "vpc main" and text in problem.message


@pytest.mark.parametrize(("azs", "nats"), [(2, 1), (3, 3), (2, 0)])
def test_vpc_template_lints_clean(azs, nats) -> None:
    stack, _ = vpc_stack(max_azs=azs, nat_gateways=nats)
    findings = lint_template(stack.to_dict())
    assert [str(f) for f in findings if f.level in ("error", "warning")] == []
