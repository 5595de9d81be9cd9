"""LoadBalancedWebService, and the README's web example: ALB, listeners, target group, service, scaling,
security groups wired only as described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecsstack import (
    Attr,
    Cluster,
    Condition,
    HealthCheck,
    LoadBalancedWebService,
    Stack,
    ValidationError,
    Vpc,
)
from ecsstack.lint import lint_template

README = Path(__file__).resolve().parents[2] / "README.md"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"


def of_type(resources: dict, kind: str) -> dict:
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == kind}


def readme_web_example() -> Stack:
    """The first python block of the README's "A load-balanced web service" section, run as written."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A load-balanced web service", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    namespace: dict[str, object] = {}
    exec(code, namespace)
    return namespace["build"]()


def assert_wired_only_as_described(resources: dict, cidrs: tuple[str, ...] = ("0.0.0.0/0",),
                                   ports: tuple[int, ...] = (80, 443), container_port: int = 8080) -> None:
    """The ALB group admits its listener ports from the CIDRs only; the service group admits the
    container port from the ALB group only; nothing else admits anything."""
    groups = of_type(resources, "AWS::EC2::SecurityGroup")
    assert sorted(groups) == ["WebLoadBalancerSecurityGroup", "WebServiceSecurityGroup"]
    alb_in = groups["WebLoadBalancerSecurityGroup"]["SecurityGroupIngress"]
    assert sorted((i["IpProtocol"], i["FromPort"], i["ToPort"], i["CidrIp"]) for i in alb_in) == sorted(
        ("tcp", p, p, c) for c in cidrs for p in ports)
    assert "SecurityGroupIngress" not in groups["WebServiceSecurityGroup"]
    standalone = of_type(resources, "AWS::EC2::SecurityGroupIngress")
    assert list(standalone.values()) == [{
        "GroupId": {"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]},
        "SourceSecurityGroupId": {"Fn::GetAtt": ["WebLoadBalancerSecurityGroup", "GroupId"]},
        "IpProtocol": "tcp", "FromPort": container_port, "ToPort": container_port,
        "Description": f"tcp/{container_port} from load balancer web",
    }]
    service = resources["WebService"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert service["SecurityGroups"] == [{"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]}]
    assert service["AssignPublicIp"] == "DISABLED"


def test_readme_web_example_gives_the_whole_service() -> None:
    t = readme_web_example().to_dict()
    r = t["Resources"]
    kinds = {v["Type"] for v in r.values()}
    assert {"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener",
            "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ECS::Service",
            "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy"} <= kinds
    listeners = of_type(r, "AWS::ElasticLoadBalancingV2::Listener")
    assert sorted((p["Port"], p["Protocol"]) for p in listeners.values()) == [(80, "HTTP"), (443, "HTTPS")]
    assert r["WebService"]["Properties"]["LoadBalancers"] == [
        {"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "WebServiceTargetGroup"}}]
    target = of_type(r, "AWS::ApplicationAutoScaling::ScalableTarget")["WebScalableTarget"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 10)
    [policy] = of_type(r, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 60
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert r["WebServiceTargetGroup"]["Properties"]["HealthCheckPath"] == "/health"
    assert_wired_only_as_described(r)
    assert t["Outputs"]["LoadBalancerDns"]["Value"] == {"Fn::GetAtt": ["WebLoadBalancer", "DNSName"]}
    assert [str(f) for f in lint_template(t) if f.level in ("error", "warning")] == []


def test_http_only_without_a_certificate() -> None:
    stack = Stack("t")
    web = LoadBalancedWebService(stack, "web", image="app:1", allow_from=["10.0.0.0/8", "192.168.0.0/16"])
    r = stack.to_dict()["Resources"]
    assert list(of_type(r, "AWS::ElasticLoadBalancingV2::Listener")) == ["WebLoadBalancerListener80"]
    assert web.listener.port == 80 and web.target.listener is web.listener
    assert_wired_only_as_described(r, cidrs=("10.0.0.0/8", "192.168.0.0/16"), ports=(80,))


def test_exposed_pieces_take_init_containers_sidecars_and_policies() -> None:
    stack = Stack("t")
    web = LoadBalancedWebService(stack, "web", image="app:1", port=3000, certificate=CERT, desired_count=3,
                                 min_tasks=2, max_tasks=6, requests_per_task=500,
                                 environment={"MODE": "prod"}, stop_timeout=30)
    web.task.add_init_container("migrate", image="app:1", command=["migrate"])
    side = web.task.add_container("otel", image="otel:1", essential=False, health_check=HealthCheck(["CMD", "true"]))
    web.container.depends_on(side, Condition.HEALTHY)
    web.scaling.on_memory(75)
    stack.output("Dns", Attr(web.load_balancer, "DNSName"))
    r = stack.to_dict()["Resources"]
    containers = {c["Name"]: c for c in r["WebTaskDefinition"]["Properties"]["ContainerDefinitions"]}
    assert containers["app"]["DependsOn"] == [{"ContainerName": "migrate", "Condition": "SUCCESS"},
                                              {"ContainerName": "otel", "Condition": "HEALTHY"}]
    assert containers["app"]["Environment"] == [{"Name": "MODE", "Value": "prod"}]
    assert containers["app"]["StopTimeout"] == 30
    assert r["WebService"]["Properties"]["DesiredCount"] == 3
    assert len(of_type(r, "AWS::ApplicationAutoScaling::ScalingPolicy")) == 3
    assert_wired_only_as_described(r, container_port=3000)


def test_without_autoscaling_and_with_an_existing_cluster_and_a_created_vpc() -> None:
    stack = Stack("t")
    vpc, cluster = Vpc("main"), Cluster("shared")
    web = LoadBalancedWebService(stack, "web", image="app:1", max_tasks=None, cluster=cluster, vpc=vpc,
                                 public=False)
    r = stack.to_dict()["Resources"]
    assert web.scaling is None and web.cluster is cluster
    assert not of_type(r, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert r["WebService"]["Properties"]["DesiredCount"] == 2
    assert r["WebLoadBalancer"]["Properties"]["Scheme"] == "internal"
    assert r["WebLoadBalancer"]["Properties"]["Subnets"] == [{"Ref": "MainVpcPrivateSubnet1"},
                                                             {"Ref": "MainVpcPrivateSubnet2"}]
    assert list(of_type(r, "AWS::ECS::Cluster")) == ["SharedCluster"]


def test_desired_count_is_left_to_autoscaling() -> None:
    """A stack update must never reset the count autoscaling chose: no DesiredCount when scaled."""
    stack = Stack("t")
    LoadBalancedWebService(stack, "web", image="app:1", min_tasks=4, max_tasks=8)
    resources = stack.to_dict()["Resources"]
    assert "DesiredCount" not in resources["WebService"]["Properties"]
    assert resources["WebScalableTarget"]["Properties"]["MinCapacity"] == 4


def test_without_autoscaling_desired_count_is_min_tasks() -> None:
    stack = Stack("t")
    LoadBalancedWebService(stack, "web", image="app:1", min_tasks=3, max_tasks=None)
    assert stack.to_dict()["Resources"]["WebService"]["Properties"]["DesiredCount"] == 3


def test_mistakes_are_reported_not_raised_as_tracebacks() -> None:
    with pytest.raises(ValidationError) as info:
        LoadBalancedWebService("stack", "web", image="app:1")
    assert info.value.problems[0].rule == "ECS001"
    with pytest.raises(ValidationError) as info:
        LoadBalancedWebService(Stack("t"), "web", image="app:1", helth_check=None)
    assert "helth_check" in info.value.problems[0].message


def test_access_logs_bucket_turns_on_load_balancer_access_logs() -> None:
    stack = Stack("app")
    LoadBalancedWebService(stack, "web", image="app:1", access_logs_bucket="my-logs")
    [lb] = of_type(stack.to_dict()["Resources"], "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: a["Value"] for a in lb["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true" and attributes["access_logs.s3.bucket"] == "my-logs"
