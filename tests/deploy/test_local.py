"""The `make deploy-local` helper (tools/local_emulator.py): network parameters by type, idempotent
network, start/stop."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import boto3
import local_emulator as local
import pytest


def test_parameters_are_chosen_by_type() -> None:
    template = {"Parameters": {
        "VpcId": {"Type": "AWS::EC2::VPC::Id"},
        "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
        "OneSubnet": {"Type": "AWS::EC2::Subnet::Id"},
        "Groups": {"Type": "List<AWS::EC2::SecurityGroup::Id>"},
        "ImageTag": {"Type": "String", "Default": "1.4"},
        "WithDefault": {"Type": "AWS::EC2::VPC::Id", "Default": "vpc-keep"},
    }}
    assert local.parameters_for(template, "vpc-1", ["subnet-a", "subnet-b"], "sg-1") == {
        "Groups": "sg-1", "OneSubnet": "subnet-a", "Subnets": "subnet-a,subnet-b", "VpcId": "vpc-1"}


def test_network_is_created_once_and_found_again(moto: str) -> None:
    ec2 = boto3.client("ec2", endpoint_url=moto, region_name="us-east-1")
    vpc, subnets = local.ensure_network(ec2)
    assert len(subnets) == 2
    assert local.ensure_network(ec2) == (vpc, subnets)
    tagged = ec2.describe_vpcs(Filters=[{"Name": f"tag:{local.TAG}", "Values": ["true"]}])["Vpcs"]
    assert [v["VpcId"] for v in tagged] == [vpc]


def test_start_reuses_a_server_already_answering(moto: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    port = urlsplit(moto).port
    assert port is not None
    pid_file = tmp_path / "moto.pid"
    assert local.start(port, pid_file, tmp_path / "moto.log") == 0
    assert "already answering" in capsys.readouterr().out
    assert not pid_file.exists()
    assert local.stop(pid_file) == 0
    assert "no moto_server to stop" in capsys.readouterr().out


def test_only_local_endpoints() -> None:
    with pytest.raises(SystemExit, match="not a local endpoint"):
        local._local("https://cloudformation.us-east-1.amazonaws.com")
    assert local._local("http://127.0.0.1:5555/") == "http://127.0.0.1:5555"


def test_demo_prints_outputs_the_emulator_dropped(moto: str, capsys: pytest.CaptureFixture[str]) -> None:
    from ecsstack.deploy import deploy
    from ecsstack.loader import load_blueprint

    template = load_blueprint(Path(__file__).resolve().parents[2] / "blueprints" / "web.py").to_dict()
    params = local.demo_parameters(template, moto)
    result = deploy(template, "web-local", parameters=params, yes=True, lint=False, endpoint_url=moto,
                    region="us-east-1", sleep=lambda _: None)
    assert result.ok
    values, reported = local.resolve_outputs("web-local", moto)
    physical = {r.logical_id: r.physical_id for r in result.resources}
    assert values["ClusterName"] == physical["MainCluster"]
    assert values["ServiceArn"] == physical["WebService"]
    assert values["LoadBalancerDns"].endswith(".elb.amazonaws.com")
    capsys.readouterr()
    assert local.main(["outputs", "--stack-name", "web-local", "--endpoint-url", moto]) == 0
    printed = capsys.readouterr().out
    assert "LoadBalancerDns" in printed and ("worked out" in printed) is not reported
