"""Capacity: EC2 capacity providers, associations, strategies instead of launch types, placement, platform."""

from __future__ import annotations

import pytest

from ecsstack import (
    ApplicationLoadBalancer,
    CapacityProviderStrategy,
    Cluster,
    CpuArchitecture,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    NetworkMode,
    PlacementConstraint,
    PlacementStrategy,
    PortMapping,
    Service,
    Stack,
    Vpc,
)
from ecsstack.lint import lint_template

SPOT = CapacityProviderStrategy("FARGATE_SPOT", weight=4)
ON_DEMAND = CapacityProviderStrategy("FARGATE", weight=1, base=1)


def fargate(name: str = "web", **kwargs) -> FargateTaskDefinition:
    task = FargateTaskDefinition(name, **kwargs)
    task.add_container("app", image="app:1", ports=[8080])
    return task


def bridge(name: str = "api", **kwargs) -> Ec2TaskDefinition:
    task = Ec2TaskDefinition(name, memory=512, **kwargs)
    task.add_container("app", image="app:1", ports=[8080])
    return task


def of_type(resources: dict, kind: str) -> dict:
    return {k: v for k, v in resources.items() if v["Type"] == kind}


def ec2_stack(**capacity_kwargs) -> tuple[Stack, dict]:
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2", **capacity_kwargs)
    stack = Stack("t").add(Service("api", cluster=cluster, task=bridge(),
                                   capacity_provider_strategy=[CapacityProviderStrategy(capacity)]))
    return stack, stack.to_dict()


def test_fargate_spot_strategy_replaces_the_launch_type_and_waits_for_the_association() -> None:
    stack = Stack("t").add(Service("web", cluster=Cluster("main"), task=fargate(),
                                   capacity_provider_strategy=[SPOT, ON_DEMAND]))
    r = stack.to_dict()["Resources"]
    service = r["WebService"]
    assert "LaunchType" not in service["Properties"]
    assert service["Properties"]["CapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 4},
        {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1}]
    assert service["DependsOn"] == ["MainClusterCapacityProviders"]
    assoc = r["MainClusterCapacityProviders"]
    assert assoc["Type"] == "AWS::ECS::ClusterCapacityProviderAssociations"
    assert assoc["Properties"] == {"Cluster": {"Ref": "MainCluster"}, "CapacityProviders": ["FARGATE_SPOT", "FARGATE"],
                                   "DefaultCapacityProviderStrategy": []}


def test_cluster_default_strategy_applies_to_services_without_a_launch_type() -> None:
    cluster = Cluster("main", capacity_providers=["FARGATE", "FARGATE_SPOT"], default_strategy=[SPOT, ON_DEMAND])
    stack = Stack("t").add(Service("web", cluster=cluster, task=fargate()),
                           Service("pinned", cluster=cluster, task=fargate("pinned"), launch_type="FARGATE"))
    r = stack.to_dict()["Resources"]
    assoc = r["MainClusterCapacityProviders"]["Properties"]
    assert assoc["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert assoc["DefaultCapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 4},
                                                        {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1}]
    assert "LaunchType" not in r["WebService"]["Properties"]
    assert r["WebService"]["DependsOn"] == ["MainClusterCapacityProviders"]
    assert r["PinnedService"]["Properties"]["LaunchType"] == "FARGATE" and "DependsOn" not in r["PinnedService"]


def test_no_capacity_settings_no_association() -> None:
    r = Stack("t").add(Service("web", cluster=Cluster("main"), task=fargate())).to_dict()["Resources"]
    assert not of_type(r, "AWS::ECS::ClusterCapacityProviderAssociations")
    assert r["WebService"]["Properties"]["LaunchType"] == "FARGATE"


def test_ec2_capacity_resources() -> None:
    _, t = ec2_stack()
    r = t["Resources"]
    assert t["Parameters"]["EcsAmiId"] == {
        "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Default": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
        "Description": "ECS-optimized Amazon Linux 2023 AMI (X86_64)"}
    data = r["Ec2LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["ImageId"] == {"Ref": "EcsAmiId"} and data["InstanceType"] == "t3.medium"
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["IamInstanceProfile"] == {"Arn": {"Fn::GetAtt": ["Ec2InstanceProfile", "Arn"]}}
    user_data = data["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert "ECS_CLUSTER=${Cluster} >> /etc/ecs/ecs.config" in user_data[0].replace('"', "")
    assert user_data[1] == {"Cluster": {"Ref": "MainCluster"}}
    role = r["Ec2InstanceRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert [p["Fn::Sub"].rsplit("/", 1)[1] for p in role["ManagedPolicyArns"]] == [
        "AmazonEC2ContainerServiceforEC2Role", "AmazonSSMManagedInstanceCore"]
    assert r["Ec2InstanceProfile"]["Properties"]["Roles"] == [{"Ref": "Ec2InstanceRole"}]
    assert r["Ec2InstanceSecurityGroup"]["Properties"]["VpcId"] == {"Ref": "VpcId"}
    asg = r["Ec2AutoScalingGroup"]["Properties"]
    assert (asg["MinSize"], asg["MaxSize"]) == ("0", "4") and "DesiredCapacity" not in asg
    assert asg["VPCZoneIdentifier"] == {"Ref": "Subnets"}
    assert asg["NewInstancesProtectedFromScaleIn"] is False
    assert asg["LaunchTemplate"] == {"LaunchTemplateId": {"Ref": "Ec2LaunchTemplate"},
                                     "Version": {"Fn::GetAtt": ["Ec2LaunchTemplate", "LatestVersionNumber"]}}
    assert {"Key": "AmazonECSManaged", "Value": "", "PropagateAtLaunch": True} in asg["Tags"]
    provider = r["Ec2CapacityProvider"]["Properties"]["AutoScalingGroupProvider"]
    assert provider == {"AutoScalingGroupArn": {"Ref": "Ec2AutoScalingGroup"},
                        "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": 100},
                        "ManagedTerminationProtection": "DISABLED"}
    assert r["MainClusterCapacityProviders"]["Properties"]["CapacityProviders"] == [{"Ref": "Ec2CapacityProvider"}]
    service = r["ApiService"]
    assert service["Properties"]["CapacityProviderStrategy"] == [
        {"CapacityProvider": {"Ref": "Ec2CapacityProvider"}, "Weight": 1}]
    assert "LaunchType" not in service["Properties"] and "NetworkConfiguration" not in service["Properties"]
    port = r["ApiTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["PortMappings"][0]
    assert port["HostPort"] == 0  # dynamic host port under bridge networking


def test_ec2_capacity_options() -> None:
    _, t = ec2_stack(instance_type="m7g.large", architecture=CpuArchitecture.ARM64, min_size=1, max_size=6,
                     desired_capacity=2, target_capacity=80, spot=True, termination_protection=True)
    r = t["Resources"]
    assert t["Parameters"]["EcsArm64AmiId"]["Default"].endswith("/amazon-linux-2023/arm64/recommended/image_id")
    asg = r["Ec2AutoScalingGroup"]["Properties"]
    assert (asg["MinSize"], asg["MaxSize"], asg["DesiredCapacity"]) == ("1", "6", "2")
    assert asg["NewInstancesProtectedFromScaleIn"] is True and "LaunchTemplate" not in asg
    mixed = asg["MixedInstancesPolicy"]
    assert mixed["InstancesDistribution"]["OnDemandPercentageAboveBaseCapacity"] == 0
    assert mixed["LaunchTemplate"]["LaunchTemplateSpecification"]["LaunchTemplateId"] == {"Ref": "Ec2LaunchTemplate"}
    provider = r["Ec2CapacityProvider"]["Properties"]["AutoScalingGroupProvider"]
    assert provider["ManagedScaling"]["TargetCapacity"] == 80
    assert provider["ManagedTerminationProtection"] == "ENABLED"
    user_data = r["Ec2LaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"][0]
    assert "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true" in user_data


def test_ec2_capacity_in_a_created_vpc_and_own_image() -> None:
    vpc = Vpc("net")
    cluster = Cluster("main")
    stack = Stack("t")
    cluster.add_ec2_capacity("ec2", subnets=vpc, image_id=stack.parameter("Ami", "AWS::EC2::Image::Id"))
    t = stack.add(cluster).to_dict()
    r = t["Resources"]
    assert r["Ec2InstanceSecurityGroup"]["Properties"]["VpcId"] == {"Ref": "NetVpc"}
    assert r["Ec2AutoScalingGroup"]["Properties"]["VPCZoneIdentifier"] == [
        {"Ref": "NetVpcPrivateSubnet1"}, {"Ref": "NetVpcPrivateSubnet2"}]
    assert r["Ec2LaunchTemplate"]["Properties"]["LaunchTemplateData"]["ImageId"] == {"Ref": "Ami"}
    assert "EcsAmiId" not in t["Parameters"]


def test_placement_and_runtime_platform() -> None:
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2", instance_type="t4g.medium", architecture="ARM64")
    service = Service("api", cluster=cluster, task=bridge(cpu_architecture="ARM64"),
                      capacity_provider_strategy=[CapacityProviderStrategy(capacity)],
                      placement_strategies=[PlacementStrategy.spread(), PlacementStrategy.binpack("memory"),
                                            PlacementStrategy.random()],
                      placement_constraints=[PlacementConstraint.distinct_instance(),
                                             PlacementConstraint.member_of("attribute:ecs.instance-type =~ t4g.*")])
    r = Stack("t").add(service).to_dict()["Resources"]
    props = r["ApiService"]["Properties"]
    assert props["PlacementStrategies"] == [{"Type": "spread", "Field": "attribute:ecs.availability-zone"},
                                            {"Type": "binpack", "Field": "memory"}, {"Type": "random"}]
    assert props["PlacementConstraints"] == [
        {"Type": "distinctInstance"},
        {"Type": "memberOf", "Expression": "attribute:ecs.instance-type =~ t4g.*"}]
    assert r["ApiTaskDefinition"]["Properties"]["RuntimePlatform"] == {"CpuArchitecture": "ARM64",
                                                                       "OperatingSystemFamily": "LINUX"}


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, None),
    ({"cpu_architecture": "X86_64"}, {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"}),
    ({"os_family": "LINUX"}, {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"}),
])
def test_runtime_platform_only_when_stated(kwargs, expected) -> None:
    r = Stack("t").add(Service("web", cluster=Cluster("main"), task=fargate(**kwargs))).to_dict()["Resources"]
    assert r["WebTaskDefinition"]["Properties"].get("RuntimePlatform") == expected


@pytest.mark.parametrize(("mode", "ports", "expected"), [
    (NetworkMode.BRIDGE, [8080], (32768, 65535)),
    (NetworkMode.BRIDGE, [PortMapping(8080, host_port=80)], (80, 80)),
    (NetworkMode.HOST, [8080], (8080, 8080)),
])
def test_instances_admit_the_load_balancer_on_task_ports(mode, ports, expected) -> None:
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2")
    task = Ec2TaskDefinition("api", network_mode=mode, memory=512)
    task.add_container("app", image="app:1", ports=ports)
    service = Service("api", cluster=cluster, task=task,
                      capacity_provider_strategy=[CapacityProviderStrategy(capacity)])
    ApplicationLoadBalancer("public").listen_http().add_target(service)
    r = Stack("t").add(service).to_dict()["Resources"]
    [ingress] = of_type(r, "AWS::EC2::SecurityGroupIngress").values()
    props = ingress["Properties"]
    assert props["GroupId"] == {"Fn::GetAtt": ["Ec2InstanceSecurityGroup", "GroupId"]}
    assert props["SourceSecurityGroupId"] == {"Fn::GetAtt": ["PublicLoadBalancerSecurityGroup", "GroupId"]}
    assert (props["FromPort"], props["ToPort"]) == expected
    target_group = next(iter(of_type(r, "AWS::ElasticLoadBalancingV2::TargetGroup").values()))
    assert target_group["Properties"]["TargetType"] == "instance"


def realistic() -> Stack:
    stack = Stack("capacity")
    cluster = Cluster("main", default_strategy=[SPOT, ON_DEMAND])
    x86 = cluster.add_ec2_capacity("ondemand", min_size=1, max_size=4)
    arm = cluster.add_ec2_capacity("graviton", instance_type="t4g.medium", architecture="ARM64", spot=True)
    stack.add(Service("web", cluster=cluster, task=fargate(cpu_architecture="X86_64")))
    stack.add(Service("api", cluster=cluster, task=bridge(), desired_count=2,
                      capacity_provider_strategy=[CapacityProviderStrategy(x86)],
                      placement_strategies=[PlacementStrategy.spread(), PlacementStrategy.binpack("memory")]))
    stack.add(Service("arm", cluster=cluster, task=bridge("arm", cpu_architecture="ARM64"),
                      capacity_provider_strategy=[CapacityProviderStrategy(arm)],
                      placement_constraints=[PlacementConstraint.distinct_instance()]))
    return stack


def test_realistic_capacity_stack_lints_clean() -> None:
    stack = realistic()
    assert [p for p in stack.problems()] == []
    findings = lint_template(stack.to_dict())
    assert [str(f) for f in findings if f.level in ("error", "warning")] == []
