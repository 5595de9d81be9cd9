"""Every first-class setting of a container, task, service and cluster, as the compiled template states it."""

from __future__ import annotations

from typing import Any

import pytest

from ecsstack import (
    Cluster,
    Device,
    Ec2TaskDefinition,
    ExecuteCommandLogging,
    FargateTaskDefinition,
    LinuxParameters,
    ManagedEbsVolume,
    Namespace,
    PlacementConstraint,
    PortMapping,
    ProxyConfiguration,
    Service,
    ServiceConnect,
    ServiceConnectPort,
    ServiceConnectTls,
    Stack,
    Tmpfs,
    Ulimit,
)

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CA = "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-AbCdEf"


def _synth(*things: Any, stack: Stack | None = None) -> dict[str, Any]:
    stack = stack or Stack("t")
    stack.add(*things)
    return stack.to_dict()["Resources"]


def _container(task_cls: type = FargateTaskDefinition, task_kwargs: dict[str, Any] | None = None,
               **kwargs: Any) -> dict[str, Any]:
    task = task_cls("web", **(task_kwargs or ({"memory": 512} if task_cls is Ec2TaskDefinition else {})))
    task.add_container("app", image="example/app:1.0", **kwargs)
    return _synth(task)["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]


def _policies(role: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {p["PolicyName"]: p["PolicyDocument"]["Statement"] for p in role["Properties"].get("Policies", [])}


# ---- containers ---------------------------------------------------------------------------------------------
def test_linux_parameters_on_fargate() -> None:
    c = _container(linux_parameters=LinuxParameters(init_process_enabled=True, capabilities_add=["CAP_SYS_PTRACE"],
                                                    capabilities_drop=["ALL"]))
    assert c["LinuxParameters"] == {"InitProcessEnabled": True,
                                    "Capabilities": {"Add": ["SYS_PTRACE"], "Drop": ["ALL"]}}


def test_linux_parameters_on_ec2() -> None:
    c = _container(Ec2TaskDefinition, linux_parameters=LinuxParameters(
        shared_memory_size=256, tmpfs=[Tmpfs("/scratch", 64, ["noexec", "nosuid"])],
        devices=[Device("/dev/fuse", permissions=["read", "write"]), Device("/dev/sda", "/dev/xvda")],
        max_swap=1024, swappiness=20))
    assert c["LinuxParameters"] == {
        "SharedMemorySize": 256, "MaxSwap": 1024, "Swappiness": 20,
        "Tmpfs": [{"ContainerPath": "/scratch", "Size": 64, "MountOptions": ["noexec", "nosuid"]}],
        "Devices": [{"HostPath": "/dev/fuse", "ContainerPath": "/dev/fuse", "Permissions": ["read", "write"]},
                    {"HostPath": "/dev/sda", "ContainerPath": "/dev/xvda"}]}


def test_empty_linux_parameters_are_left_out() -> None:
    assert "LinuxParameters" not in _container(linux_parameters=LinuxParameters())


def test_ulimits_from_a_mapping_or_objects() -> None:
    c = _container(ulimits={"nofile": (1024, 65536), "nproc": 4096})
    assert c["Ulimits"] == [{"Name": "nofile", "SoftLimit": 1024, "HardLimit": 65536},
                            {"Name": "nproc", "SoftLimit": 4096, "HardLimit": 4096}]
    assert _container(ulimits=[Ulimit("core", 0, 0)])["Ulimits"] == [{"Name": "core", "SoftLimit": 0,
                                                                      "HardLimit": 0}]


def test_labels_system_controls_and_terminal() -> None:
    c = _container(docker_labels={"b": "2", "a": 1}, system_controls={"net.ipv4.tcp_keepalive_time": 600},
                   interactive=True, pseudo_terminal=False, version_consistency=True)
    assert c["DockerLabels"] == {"a": "1", "b": "2"}
    assert list(c["DockerLabels"]) == ["a", "b"]
    assert c["SystemControls"] == [{"Namespace": "net.ipv4.tcp_keepalive_time", "Value": "600"}]
    assert (c["Interactive"], c["PseudoTerminal"], c["VersionConsistency"]) == (True, False, "enabled")


def test_ec2_network_settings() -> None:
    task = Ec2TaskDefinition("web", memory=512)
    task.add_container("db", image="postgres:16", essential=False)
    task.add_container("app", image="example/app:1.0", privileged=True, hostname="app", links=["db:database"],
                       dns_servers=["10.0.0.2"], dns_search_domains=["corp.internal"],
                       extra_hosts={"db.local": "10.0.0.5"}, disable_networking=False,
                       docker_security_options=["no-new-privileges"])
    c = _synth(task)["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][1]
    assert c["Privileged"] is True and c["Hostname"] == "app" and c["Links"] == ["db:database"]
    assert c["DnsServers"] == ["10.0.0.2"] and c["DnsSearchDomains"] == ["corp.internal"]
    assert c["ExtraHosts"] == [{"Hostname": "db.local", "IpAddress": "10.0.0.5"}]
    assert c["DisableNetworking"] is False and c["DockerSecurityOptions"] == ["no-new-privileges"]


def test_nothing_new_is_stated_unless_asked() -> None:
    c = _container()
    for prop in ("LinuxParameters", "Ulimits", "DockerLabels", "Privileged", "SystemControls",
                 "RepositoryCredentials", "EnvironmentFiles", "DnsServers", "ExtraHosts", "Hostname", "Links",
                 "Interactive", "PseudoTerminal", "DisableNetworking", "DockerSecurityOptions", "CredentialSpecs",
                 "VersionConsistency"):
        assert prop not in c


def test_repository_credentials_are_read_by_the_execution_role() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="registry.example.com/app:1.0", repository_credentials=SECRET)
    resources = _synth(task)
    c = resources["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert c["RepositoryCredentials"] == {"CredentialsParameter": SECRET}
    statements = _policies(resources["WebExecutionRole"])["execution"]
    assert {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [SECRET]} in statements


def test_repository_credentials_by_name_grant_the_secret_with_its_suffix() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="registry.example.com/app:1.0", repository_credentials="registry")
    resources = _synth(task)
    statements = _policies(resources["WebExecutionRole"])["execution"]
    assert {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:registry-??????"} \
        in [r for s in statements for r in s["Resource"]]


def test_environment_files_are_read_by_the_execution_role() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", environment_files=["arn:aws:s3:::config/app.env",
                                                                 "arn:aws:s3:::config/common.env"])
    resources = _synth(task)
    c = resources["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert c["EnvironmentFiles"] == [{"Type": "s3", "Value": "arn:aws:s3:::config/app.env"},
                                     {"Type": "s3", "Value": "arn:aws:s3:::config/common.env"}]
    assert _policies(resources["WebExecutionRole"])["files"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": ["arn:aws:s3:::config/app.env", "arn:aws:s3:::config/common.env"]},
        {"Effect": "Allow", "Action": ["s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::config"]}]


def test_an_environment_file_from_a_parameter_grants_its_bucket_at_deploy_time() -> None:
    stack = Stack("t")
    env = stack.parameter("EnvFile")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", environment_files=[env])
    resources = _synth(task, stack=stack)
    [get, locate] = _policies(resources["WebExecutionRole"])["files"]
    assert get["Resource"] == [{"Ref": "EnvFile"}]
    bucket = locate["Resource"][0]["Fn::Sub"]
    assert bucket[0] == "arn:${AWS::Partition}:s3:::${Bucket}"
    assert bucket[1]["Bucket"] == {"Fn::Select": [0, {"Fn::Split": ["/", {"Fn::Select": [5, {"Fn::Split": [
        ":", {"Ref": "EnvFile"}]}]}]}]}


def test_credential_specs_are_read_by_the_execution_role() -> None:
    spec = "arn:aws:ssm:eu-west-1:123456789012:parameter/gmsa"
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", credential_specs=[f"credentialspecdomainless:{spec}"])
    resources = _synth(task)
    c = resources["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert c["CredentialSpecs"] == [f"credentialspecdomainless:{spec}"]
    assert _policies(resources["WebExecutionRole"])["files"] == [
        {"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [spec]}]


# ---- task definitions ---------------------------------------------------------------------------------------
def test_task_settings() -> None:
    proxy = ProxyConfiguration("envoy", ignored_uid=1337, app_ports=[8080, 9090], egress_ignored_ips=["169.254.170.2"])
    task = FargateTaskDefinition("web", pid_mode="task", enable_fault_injection=True, tags={"app": "web"},
                                 proxy_configuration=proxy)
    task.add_container("app", image="app:1", ports=[8080])
    task.add_container("envoy", image="envoy:1", user="1337")
    props = _synth(task)["WebTaskDefinition"]["Properties"]
    assert props["PidMode"] == "task" and props["EnableFaultInjection"] is True
    assert props["Tags"] == [{"Key": "app", "Value": "web"}]
    assert props["ProxyConfiguration"] == {"ContainerName": "envoy", "Type": "APPMESH",
                                           "ProxyConfigurationProperties": [
        {"Name": "IgnoredUID", "Value": "1337"}, {"Name": "AppPorts", "Value": "8080,9090"},
        {"Name": "ProxyIngressPort", "Value": "15000"}, {"Name": "ProxyEgressPort", "Value": "15001"},
        {"Name": "EgressIgnoredIPs", "Value": "169.254.170.2"}]}


def test_ec2_task_settings() -> None:
    task = Ec2TaskDefinition("web", memory=512, pid_mode="host", ipc_mode="task",
                             placement_constraints=[PlacementConstraint.member_of("attribute:ecs.os-type == linux")])
    task.add_container("app", image="app:1")
    props = _synth(task)["WebTaskDefinition"]["Properties"]
    assert (props["PidMode"], props["IpcMode"]) == ("host", "task")
    assert props["PlacementConstraints"] == [{"Type": "memberOf", "Expression": "attribute:ecs.os-type == linux"}]


def test_an_ebs_volume_is_configured_at_launch() -> None:
    task = FargateTaskDefinition("web")
    data = task.add_ebs_volume("data")
    task.add_container("app", image="app:1").mount(data, "/data")
    service = Service("web", cluster=Cluster("main"), task=task, volume_configurations=[
        ManagedEbsVolume("data", size_gib=30, volume_type="io2", iops=3000, kms_key=KEY, file_system_type="ext4")])
    resources = _synth(service)
    assert resources["WebTaskDefinition"]["Properties"]["Volumes"] == [{"Name": "data", "ConfiguredAtLaunch": True}]
    [volume] = resources["WebService"]["Properties"]["VolumeConfigurations"]
    assert volume == {"Name": "data", "ManagedEBSVolume": {
        "RoleArn": {"Fn::GetAtt": ["WebInfrastructureRole", "Arn"]}, "Encrypted": True, "SizeInGiB": 30,
        "VolumeType": "io2", "Iops": 3000, "KmsKeyId": KEY, "FilesystemType": "ext4",
        "TagSpecifications": [{"ResourceType": "volume", "PropagateTags": "SERVICE"}]}}
    role = resources["WebInfrastructureRole"]["Properties"]
    assert role["ManagedPolicyArns"] == [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                                     "AmazonECSInfrastructureRolePolicyForVolumes"}]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": ["sts:AssumeRole"]}]


def test_an_ebs_volume_with_its_own_role_makes_none() -> None:
    task = FargateTaskDefinition("web")
    task.add_ebs_volume("data")
    task.add_container("app", image="app:1")
    role = "arn:aws:iam::123456789012:role/ecs-infrastructure"
    resources = _synth(Service("web", cluster=Cluster("main"), task=task, propagate_tags="NONE",
                               volume_configurations=[ManagedEbsVolume("data", size_gib=10, role=role)]))
    assert "WebInfrastructureRole" not in resources
    managed = resources["WebService"]["Properties"]["VolumeConfigurations"][0]["ManagedEBSVolume"]
    assert managed["RoleArn"] == role and "TagSpecifications" not in managed


# ---- services -----------------------------------------------------------------------------------------------
def _service(**kwargs: Any) -> dict[str, Any]:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="http", app_protocol="http")])
    return _synth(Service("web", cluster=Cluster("main", service_connect_namespace=Namespace("internal")), task=task,
                          **kwargs))


def test_service_tags_and_rebalancing() -> None:
    props = _service(tags={"b": "2", "a": "1"}, availability_zone_rebalancing="ENABLED",
                     enable_ecs_managed_tags=False)["WebService"]["Properties"]
    assert props["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    assert props["AvailabilityZoneRebalancing"] == "ENABLED"
    assert props["EnableECSManagedTags"] is False
    assert "SchedulingStrategy" not in props  # REPLICA is CloudFormation's default


def test_service_connect_timeouts_and_tls() -> None:
    resources = _service(service_connect=ServiceConnect(
        ports=[ServiceConnectPort("http", idle_timeout=0, per_request_timeout=20)],
        tls=ServiceConnectTls(CA, kms_key=KEY)))
    [served] = resources["WebService"]["Properties"]["ServiceConnectConfiguration"]["Services"]
    assert served["Timeout"] == {"IdleTimeoutSeconds": 0, "PerRequestTimeoutSeconds": 20}
    assert served["Tls"] == {"IssuerCertificateAuthority": {"AwsPcaAuthorityArn": CA}, "KmsKey": KEY,
                             "RoleArn": {"Fn::GetAtt": ["WebInfrastructureRole", "Arn"]}}
    assert resources["WebInfrastructureRole"]["Properties"]["ManagedPolicyArns"] == [{
        "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                   "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"}]


def test_a_daemon_service() -> None:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("default", instance_type="m5.large")
    task = Ec2TaskDefinition("agent", memory=256)
    task.add_container("agent", image="agent:1")
    props = _synth(Service("agent", cluster=cluster, task=task, scheduling="DAEMON"))["AgentService"]["Properties"]
    assert props["SchedulingStrategy"] == "DAEMON"
    assert "DesiredCount" not in props and "CapacityProviderStrategy" not in props
    assert props["LaunchType"] == "EC2"
    assert props["DeploymentConfiguration"]["MinimumHealthyPercent"] == 0
    assert props["DeploymentConfiguration"]["MaximumPercent"] == 100


def test_a_daemon_service_keeps_percentages_it_states() -> None:
    task = Ec2TaskDefinition("agent", memory=256)
    task.add_container("agent", image="agent:1")
    props = _synth(Service("agent", cluster=Cluster("main"), task=task, scheduling="DAEMON", min_healthy_percent=50,
                           max_percent=100))["AgentService"]["Properties"]
    assert props["DeploymentConfiguration"]["MinimumHealthyPercent"] == 50
    assert props["DeploymentConfiguration"]["MaximumPercent"] == 100


# ---- clusters and the stack ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("insights", "value"), [(False, "disabled"), (True, "enabled"), ("enhanced", "enhanced"),
                                                 ("ENABLED", "enabled")])
def test_container_insights(insights: Any, value: str) -> None:
    props = _synth(Cluster("main", container_insights=insights))["MainCluster"]["Properties"]
    assert props["ClusterSettings"] == [{"Name": "containerInsights", "Value": value}]


def test_cluster_tags_and_managed_storage_keys() -> None:
    props = _synth(Cluster("main", tags={"tier": "prod"}, managed_storage_kms_key=KEY,
                           fargate_ephemeral_storage_kms_key=KEY))["MainCluster"]["Properties"]
    assert props["Tags"] == [{"Key": "tier", "Value": "prod"}]
    assert props["Configuration"] == {"ManagedStorageConfiguration": {"KmsKeyId": KEY,
                                                                      "FargateEphemeralStorageKmsKeyId": KEY}}


def test_stack_tags_reach_every_taggable_resource_and_own_tags_win() -> None:
    stack = Stack("t", tags={"team": "web", "env": "dev"})
    env = stack.parameter("Env")
    stack.tags["env"] = env
    cluster = Cluster("main", tags={"team": "platform"})
    cluster.add_ec2_capacity("default", instance_type="m5.large")
    task = Ec2TaskDefinition("web", memory=256)
    task.add_container("app", image="app:1")
    resources = _synth(Service("web", cluster=cluster, task=task), stack=stack)
    assert resources["MainCluster"]["Properties"]["Tags"] == [{"Key": "env", "Value": {"Ref": "Env"}},
                                                              {"Key": "team", "Value": "platform"}]
    assert resources["WebService"]["Properties"]["Tags"] == [{"Key": "env", "Value": {"Ref": "Env"}},
                                                             {"Key": "team", "Value": "web"}]
    group = next(r for r in resources.values() if r["Type"] == "AWS::AutoScaling::AutoScalingGroup")
    tags = {t["Key"]: t for t in group["Properties"]["Tags"]}
    assert tags["team"] == {"Key": "team", "Value": "web", "PropagateAtLaunch": True}
    assert "AmazonECSManaged" in tags and "Name" in tags
    taggable = [k for k, r in resources.items() if r["Type"] in ("AWS::IAM::Role", "AWS::Logs::LogGroup",
                                                                  "AWS::ECS::TaskDefinition", "AWS::EC2::SecurityGroup",
                                                                  "AWS::ECS::CapacityProvider")]
    assert taggable
    for logical in taggable:
        keys = [t["Key"] for t in resources[logical]["Properties"]["Tags"]]
        assert {"env", "team"} <= set(keys) and keys == sorted(keys), logical


def test_without_stack_tags_nothing_is_tagged() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1")
    resources = _synth(Service("web", cluster=Cluster("main"), task=task))
    assert not any("Tags" in r.get("Properties", {}) for r in resources.values())


def test_an_override_still_changes_a_tag() -> None:
    stack = Stack("t", tags={"team": "web"})
    cluster = Cluster("main", overrides={"Tags": [{"Key": "team", "Value": "ops"}]})
    assert _synth(cluster, stack=stack)["MainCluster"]["Properties"]["Tags"] == [{"Key": "team", "Value": "ops"}]


def test_execute_command_configuration() -> None:
    cluster = Cluster("main", execute_command_kms_key=KEY, execute_command_logging=ExecuteCommandLogging(
        log_group="ecs-exec", cloudwatch_encryption=True, s3_bucket="audit"))
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1")
    resources = _synth(Service("web", cluster=cluster, task=task, enable_execute_command=True))
    assert resources["MainCluster"]["Properties"]["Configuration"] == {"ExecuteCommandConfiguration": {
        "KmsKeyId": KEY, "Logging": "OVERRIDE", "LogConfiguration": {
            "CloudWatchLogGroupName": "ecs-exec", "CloudWatchEncryptionEnabled": True, "S3BucketName": "audit",
            "S3EncryptionEnabled": False}}}
    assert _policies(resources["WebTaskRole"])["ecs-exec-sessions"] == [
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY]},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
         "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                                  "log-group:ecs-exec:*"}]},
        {"Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": ["*"]},
        {"Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:s3:::audit/*"}]}]


def test_execute_command_logging_none() -> None:
    props = _synth(Cluster("main", execute_command_logging="none"))["MainCluster"]["Properties"]
    assert props["Configuration"] == {"ExecuteCommandConfiguration": {"Logging": "NONE"}}
