"""``ecsstack import service``: a running service read through boto3 becomes a blueprint that synthesizes and
carries what was there. On the emulator (what it keeps: task definition, desired count, autoscaling) and on
recorded AWS answers (what it drops: network configuration, load balancers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

import ecsstack
from ecsstack.cli import main
from ecsstack.deploy._provider import Provider
from ecsstack.importers import ImportFailed
from ecsstack.importers._live import import_service

from ..importers._support import check_ruff
from .fakeaws import Recorded, make_client

ACCOUNT = "123456789012"
VPC, SG = "vpc-0123456789abcdef0", "sg-0123456789abcdef0"
SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
PUBLIC = ["subnet-01111111111111111", "subnet-02222222222222222"]
CLUSTER_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"
SERVICE_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/web"
TD_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:7"
TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/0123456789abcdef"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/public/0123456789abcdef"
LISTENER_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/public/0123456789abcdef/1111"
CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555"


def _synth(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<imported>", "exec"), namespace)
    template = json.loads(namespace["build"]().to_json())
    assert not [f for f in ecsstack.lint_template(template) if f.level == "error"]
    return template


def _of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]


class _Clients:
    def __init__(self, **clients: Recorded):
        self.clients = clients

    def client(self, name: str) -> Any:
        return self.clients[name.replace("-", "_")].client


def _recorded() -> _Clients:
    ecs, elb, ec2, scaling = (Recorded(make_client(n)) for n in ("ecs", "elbv2", "ec2", "application-autoscaling"))
    ecs.add("describe_services", {"services": [{
        "serviceArn": SERVICE_ARN, "serviceName": "web", "clusterArn": CLUSTER_ARN, "status": "ACTIVE",
        "taskDefinition": TD_ARN, "desiredCount": 3, "launchType": "FARGATE", "platformVersion": "1.4.0",
        "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 200,
                                    "deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        "loadBalancers": [{"targetGroupArn": TG_ARN, "containerName": "app", "containerPort": 8080}],
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": SUBNETS, "securityGroups": [SG], "assignPublicIp": "DISABLED"}},
        "healthCheckGracePeriodSeconds": 30, "enableExecuteCommand": True, "propagateTags": "SERVICE",
        "enableECSManagedTags": True, "schedulingStrategy": "REPLICA",
        "serviceRegistries": [{"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"}],
    }], "failures": []})
    ecs.add("describe_task_definition", {"taskDefinition": {
        "taskDefinitionArn": TD_ARN, "family": "web", "revision": 7, "status": "ACTIVE",
        "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "compatibilities": ["EC2", "FARGATE"],
        "cpu": "512", "memory": "1024",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-task",
        "containerDefinitions": [{
            "name": "app", "image": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2", "essential": True,
            "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "/web/db-password"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}},
        }],
    }, "tags": [{"key": "team", "value": "shop"}]})
    elb.add("describe_target_groups", {"TargetGroups": [{
        "TargetGroupArn": TG_ARN, "TargetGroupName": "web", "Protocol": "HTTP", "Port": 8080, "VpcId": VPC,
        "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/health",
        "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 2,
        "UnhealthyThresholdCount": 3, "Matcher": {"HttpCode": "200"}, "LoadBalancerArns": [LB_ARN],
        "TargetType": "ip"}]})
    elb.add("describe_load_balancers", {"LoadBalancers": [{
        "LoadBalancerArn": LB_ARN, "LoadBalancerName": "public", "Scheme": "internet-facing", "Type": "application",
        "VpcId": VPC, "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": PUBLIC[0]},
                                            {"ZoneName": "us-east-1b", "SubnetId": PUBLIC[1]}]}]})
    elb.add("describe_listeners", {"Listeners": [{
        "ListenerArn": LISTENER_ARN, "LoadBalancerArn": LB_ARN, "Port": 443, "Protocol": "HTTPS",
        "Certificates": [{"CertificateArn": CERT}],
        "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}]})
    elb.add("describe_rules", {"Rules": [
        {"RuleArn": LISTENER_ARN + "/rule/1", "Priority": "10", "IsDefault": False,
         "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/shop/*"]}}],
         "Actions": [{"Type": "forward", "TargetGroupArn": TG_ARN}]},
        {"RuleArn": LISTENER_ARN + "/rule/default", "Priority": "default", "IsDefault": True, "Conditions": [],
         "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}]})
    elb.add("describe_target_group_attributes", {"Attributes": [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "60"},
        {"Key": "stickiness.enabled", "Value": "false"}]})
    ec2.add("describe_subnets", {"Subnets": [{"SubnetId": s, "VpcId": VPC} for s in SUBNETS]})
    ec2.add("describe_security_groups", {"SecurityGroups": [{"GroupId": SG, "GroupName": "web-tasks"}]})
    scaling.add("describe_scalable_targets", {"ScalableTargets": [{
        "ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension": "ecs:service:DesiredCount",
        "MinCapacity": 2, "MaxCapacity": 12, "RoleARN": "arn:aws:iam::123456789012:role/x",
        "CreationTime": "2026-01-01T00:00:00Z"}]})
    scaling.add("describe_scaling_policies", {"ScalingPolicies": [
        {"PolicyARN": "arn:p1", "PolicyName": "cpu", "ServiceNamespace": "ecs", "ResourceId": "service/prod/web",
         "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
         "CreationTime": "2026-01-01T00:00:00Z",
         "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 55.0, "ScaleInCooldown": 120,
                                                      "PredefinedMetricSpecification": {
                                                          "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}},
        {"PolicyARN": "arn:p2", "PolicyName": "steps", "ServiceNamespace": "ecs", "ResourceId": "service/prod/web",
         "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "StepScaling",
         "CreationTime": "2026-01-01T00:00:00Z"}]})
    return _Clients(ecs=ecs, elbv2=elb, ec2=ec2, application_autoscaling=scaling)


def test_recorded_service_with_network_and_load_balancer(tmp_path: Path) -> None:
    clients = _recorded()
    result = import_service(clients, "prod", "web")
    template = _synth(result.source)
    check_ruff(result.source, tmp_path)
    (service,) = _of_type(template, "AWS::ECS::Service")
    vpc = service["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert vpc["SecurityGroups"] == ["sg-0123456789abcdef0"] and vpc["Subnets"] == {"Ref": "Subnets"}
    assert template["Parameters"]["Subnets"]["Default"] == "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb"
    assert template["Parameters"]["PublicSubnets"]["Default"] == "subnet-01111111111111111,subnet-02222222222222222"
    assert template["Parameters"]["Certificate"]["Default"] == CERT
    assert service["DesiredCount"] == 3
    assert service["DeploymentConfiguration"]["MinimumHealthyPercent"] == 50
    assert service["PlatformVersion"] == "1.4.0" and service["EnableExecuteCommand"] is True
    assert service["HealthCheckGracePeriodSeconds"] == 30
    (task,) = _of_type(template, "AWS::ECS::TaskDefinition")
    assert task["TaskRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/web-task" and task["Cpu"] == "512"
    (app,) = task["ContainerDefinitions"]
    assert app["Image"] == f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2"
    (rule,) = _of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule")
    assert "/shop/*" in json.dumps(rule["Conditions"])
    assert rule["Priority"] == 10
    (group,) = _of_type(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == "/health" and group["HealthCheckIntervalSeconds"] == 15
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": "60"} in group["TargetGroupAttributes"]
    listeners = _of_type(template, "AWS::ElasticLoadBalancingV2::Listener")
    assert any(listener["Protocol"] == "HTTPS" for listener in listeners)
    (target,) = _of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 12)
    (policy,) = _of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 55.0
    assert policy["TargetTrackingScalingPolicyConfiguration"]["ScaleInCooldown"] == 120
    assert any("scaling policy steps (StepScaling)" in w for w in result.warnings)
    assert any(w.startswith("serviceRegistries:") for w in result.warnings)
    notes = result.source.replace("\n#   ", " ")
    assert "--change-set-type IMPORT" in notes and SERVICE_ARN in notes and "side by side" in notes
    for recorded in clients.clients.values():  # read-only: describe calls only
        assert all(name.startswith("Describe") for name, _ in recorded.calls)


def test_a_missing_service_is_an_error() -> None:
    ecs = Recorded(make_client("ecs"))
    ecs.add("describe_services", {"services": [], "failures": [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:service/prod/nope", "reason": "MISSING"}]})
    with pytest.raises(ImportFailed, match=r"no active service 'nope' in cluster 'prod'.*MISSING"):
        import_service(_Clients(ecs=ecs), "prod", "nope")


def test_emulator_service_round_trip(moto: str, tmp_path: Path) -> None:
    """A cluster, task definition, target group and service made on the emulator, imported through the CLI."""
    kw = {"endpoint_url": moto, "region_name": "us-east-1"}
    ec2, ecs = boto3.client("ec2", **kw), boto3.client("ecs", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
        "SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc)["GroupId"]
    elb = boto3.client("elbv2", **kw)
    tg = elb.create_target_group(Name="api", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
                                 HealthCheckPath="/ready")["TargetGroups"][0]["TargetGroupArn"]
    ecs.create_cluster(clusterName="imports")
    ecs.register_task_definition(
        family="api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "api", "image": "public.ecr.aws/nginx/nginx:1.27", "essential": True,
                               "portMappings": [{"containerPort": 8080}],
                               "environment": [{"name": "MODE", "value": "live"}]}])
    ecs.create_service(cluster="imports", serviceName="api", taskDefinition="api", desiredCount=2,
                       launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}},
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "api", "containerPort": 8080}])
    scaling = boto3.client("application-autoscaling", **kw)
    scaling.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/imports/api",
                                     ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=4)
    scaling.put_scaling_policy(
        PolicyName="memory", ServiceNamespace="ecs", ResourceId="service/imports/api",
        ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 75.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}})

    result = import_service(Provider(endpoint_url=moto, region="us-east-1", timeout=5), "imports", "api")
    template = _synth(result.source)
    check_ruff(result.source, tmp_path)
    (task,) = _of_type(template, "AWS::ECS::TaskDefinition")
    (container,) = task["ContainerDefinitions"]
    assert container["Image"] == "public.ecr.aws/nginx/nginx:1.27"
    assert {"Name": "MODE", "Value": "live"} in container["Environment"]
    (target,) = _of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    (policy,) = _of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
        "PredefinedMetricType"] == "ECSServiceAverageMemoryUtilization"

    out = tmp_path / "blueprints" / "api.py"
    run = CliRunner().invoke(main, ["import", "service", "--cluster", "imports", "--service", "api",
                                    "--endpoint-url", moto, "--region", "us-east-1", "-o", str(out)])
    assert run.exit_code == 0, run.stderr
    assert out.read_text() == result.source
    missing = CliRunner().invoke(main, ["import", "service", "--cluster", "imports", "--service", "nope",
                                        "--endpoint-url", moto, "--region", "us-east-1"])
    assert missing.exit_code != 0 and "no active service 'nope'" in missing.stderr
