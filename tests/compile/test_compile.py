"""What the compiled template says: ECS properties asserted on the template itself."""

from __future__ import annotations

import json

import pytest

from ecsstack import (
    Attr,
    Cluster,
    Condition,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    HealthCheck,
    LogConfig,
    PortMapping,
    Secret,
    Service,
    Stack,
    Sub,
)


def web_stack(**service_kwargs) -> tuple[Stack, FargateTaskDefinition]:
    stack = Stack("t")
    task = FargateTaskDefinition("web", cpu=512, memory=1024)
    stack.add(Service("web", cluster=Cluster("main"), task=task, **service_kwargs))
    return stack, task


def resources(stack: Stack) -> dict:
    return stack.to_dict()["Resources"]


def containers(stack: Stack, family: str = "web") -> dict[str, dict]:
    task = resources(stack)[f"{family.capitalize()}TaskDefinition"]["Properties"]
    return {c["Name"]: c for c in task["ContainerDefinitions"]}


def statements(stack: Stack, role: str = "WebExecutionRole") -> list[dict]:
    policies = resources(stack)[role]["Properties"].get("Policies", [])
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def test_init_containers_run_in_order_and_gate_every_ordinary_container() -> None:
    stack, task = web_stack()
    task.add_container("app", image="app", ports=[8080])
    task.add_init_container("fetch", image="tools", command=["fetch"])
    task.add_init_container("migrate", image="app", command=["migrate"])
    side = task.add_container("side", image="side", essential=False,
                              health_check=HealthCheck(["CMD", "true"]))
    task.container("app").depends_on(side, Condition.HEALTHY)
    c = containers(stack)
    assert c["fetch"]["Essential"] is False and "DependsOn" not in c["fetch"]
    assert c["migrate"]["DependsOn"] == [{"ContainerName": "fetch", "Condition": "SUCCESS"}]
    assert c["side"]["DependsOn"] == [{"ContainerName": "migrate", "Condition": "SUCCESS"}]
    assert c["app"]["DependsOn"] == [{"ContainerName": "migrate", "Condition": "SUCCESS"},
                                     {"ContainerName": "side", "Condition": "HEALTHY"}]


def test_log_group_is_retained_with_30_days_and_used_by_every_container() -> None:
    stack, task = web_stack()
    task.add_container("app", image="nginx")
    task.log_retention_days = 90
    res = resources(stack)
    group = res["WebLogGroup"]
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Retain"
    assert group["Properties"] == {"RetentionInDays": 90}
    opts = containers(stack)["app"]["LogConfiguration"]["Options"]
    assert opts == {"awslogs-group": {"Ref": "WebLogGroup"}, "awslogs-region": {"Ref": "AWS::Region"},
                    "awslogs-stream-prefix": "app"}


def test_default_retention_is_30_days() -> None:
    stack, task = web_stack()
    task.add_container("app", image="nginx")
    assert resources(stack)["WebLogGroup"]["Properties"]["RetentionInDays"] == 30


def test_execution_role_is_least_privilege() -> None:
    stack, task = web_stack()
    task.add_container("app", image="nginx:1.27", secrets={
        "A": Secret.ssm("/web/a"), "B": Secret.secrets_manager("web/b", key="password"),
        "C": Secret.secrets_manager("arn:aws:secretsmanager:us-east-1:111122223333:secret:c-AbCdEf")})
    by_action = {tuple(s["Action"]): s["Resource"] for s in statements(stack)}
    assert by_action[("logs:CreateLogStream", "logs:PutLogEvents")] == [{"Fn::GetAtt": ["WebLogGroup", "Arn"]}]
    assert by_action[("ssm:GetParameters",)] == [
        {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/web/a"}]
    assert by_action[("secretsmanager:GetSecretValue",)] == [
        {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:web/b-??????"},
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:c-AbCdEf"]
    assert not any(a[0].startswith("ecr:") for a in by_action), "nginx is not in ECR: no pull rights"
    secrets = {s["Name"]: s["ValueFrom"] for s in containers(stack)["app"]["Secrets"]}
    assert secrets["A"] == "/web/a"
    assert secrets["B"]["Fn::Sub"][0] == "${Arn}:password::"


def test_ecr_pull_rights_only_for_the_repositories_used() -> None:
    stack, task = web_stack()
    task.add_container("app", image="111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:1")
    by_action = {tuple(s["Action"]): s["Resource"] for s in statements(stack)}
    assert by_action[("ecr:GetAuthorizationToken",)] == ["*"]
    pull = by_action[("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")]
    assert pull == [{"Fn::Sub": "arn:${AWS::Partition}:ecr:eu-west-1:111122223333:repository/team/app"}]


def test_no_execution_role_when_nothing_needs_one() -> None:
    stack, task = web_stack()
    task.add_container("app", image="nginx", logging=LogConfig.disabled())
    res = resources(stack)
    assert "WebExecutionRole" not in res and "WebLogGroup" not in res
    assert "ExecutionRoleArn" not in res["WebTaskDefinition"]["Properties"]


def test_given_roles_are_used_instead_of_made() -> None:
    stack = Stack("t")
    role = stack.parameter("ExecRoleArn")
    task = FargateTaskDefinition("web", execution_role=role, task_role="arn:aws:iam::1:role/app")
    task.add_container("app", image="nginx")
    stack.add(task)
    res = resources(stack)
    assert "WebExecutionRole" not in res and "WebTaskRole" not in res
    props = res["WebTaskDefinition"]["Properties"]
    assert props["ExecutionRoleArn"] == {"Ref": "ExecRoleArn"}
    assert props["TaskRoleArn"] == "arn:aws:iam::1:role/app"


def test_task_role_permissions_and_ecs_exec() -> None:
    stack, task = web_stack(enable_execute_command=True)
    task.add_container("app", image="nginx")
    task.allow("s3:GetObject", "arn:aws:s3:::bucket/*")
    actions = [a for s in statements(stack, "WebTaskRole") for a in s["Action"]]
    assert "s3:GetObject" in actions and "ssmmessages:OpenDataChannel" in actions
    assert resources(stack)["WebService"]["Properties"]["EnableExecuteCommand"] is True


def test_service_defaults_are_safe() -> None:
    stack, task = web_stack(desired_count=2)
    task.add_container("app", image="nginx", ports=[80])
    template = stack.to_dict()
    svc = template["Resources"]["WebService"]["Properties"]
    assert svc["LaunchType"] == "FARGATE"
    assert svc["DeploymentConfiguration"] == {
        "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
        "MaximumPercent": 200, "MinimumHealthyPercent": 100}
    net = svc["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert net["AssignPublicIp"] == "DISABLED"
    assert net["Subnets"] == {"Ref": "Subnets"}
    assert net["SecurityGroups"] == [{"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]}]
    assert template["Parameters"]["Subnets"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert template["Parameters"]["VpcId"]["Type"] == "AWS::EC2::VPC::Id"
    group = template["Resources"]["WebServiceSecurityGroup"]["Properties"]
    assert "SecurityGroupIngress" not in group, "nothing is admitted unless asked for"
    assert svc["PropagateTags"] == "SERVICE"
    assert "ForceNewDeployment" not in svc and "EnableExecuteCommand" not in svc


def test_allow_from_admits_only_the_container_ports() -> None:
    stack, task = web_stack(allow_from=["10.0.0.0/16"])
    task.add_container("app", image="nginx", ports=[8080, PortMapping(container_port=9000, protocol="udp")])
    ingress = resources(stack)["WebServiceSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {(r["IpProtocol"], r["FromPort"], r["CidrIp"]) for r in ingress} == {
        ("tcp", 8080, "10.0.0.0/16"), ("udp", 9000, "10.0.0.0/16")}


def test_force_new_deployment_and_circuit_breaker_off() -> None:
    stack, task = web_stack(force_new_deployment=True, circuit_breaker=False, min_healthy_percent=50)
    task.add_container("app", image="nginx")
    svc = resources(stack)["WebService"]["Properties"]
    assert svc["ForceNewDeployment"] == {"EnableForceNewDeployment": True}
    assert "DeploymentCircuitBreaker" not in svc["DeploymentConfiguration"]


def test_ec2_bridge_task_gets_dynamic_host_ports_and_no_network_configuration() -> None:
    stack = Stack("t")
    task = Ec2TaskDefinition("api", memory=512)
    task.add_container("api", image="api", ports=[8080])
    stack.add(Service("api", cluster=Cluster("main"), task=task))
    res = resources(stack)
    assert res["ApiTaskDefinition"]["Properties"]["NetworkMode"] == "bridge"
    assert containers(stack, "api")["api"]["PortMappings"] == [
        {"ContainerPort": 8080, "HostPort": 0, "Protocol": "tcp"}]
    assert res["ApiService"]["Properties"]["LaunchType"] == "EC2"
    assert "NetworkConfiguration" not in res["ApiService"]["Properties"]


def test_logical_ids_derive_from_names() -> None:
    stack = Stack("t")
    task = FargateTaskDefinition("my-api_v2")
    task.add_container("app", image="nginx")
    stack.add(Service("my-api", cluster=Cluster("blue-green"), task=task))
    assert set(resources(stack)) == {"BlueGreenCluster", "MyApiV2TaskDefinition", "MyApiV2LogGroup",
                                     "MyApiV2ExecutionRole", "MyApiV2TaskRole", "MyApiService",
                                     "MyApiServiceSecurityGroup"}


def test_logical_ids_are_names_and_suffixes() -> None:
    from ecsstack.names import EXECUTION_ROLE, LOG_GROUP, TASK_DEFINITION, logical_id

    assert logical_id("my-api_v2", TASK_DEFINITION) == "MyApiV2TaskDefinition"
    assert [logical_id("web", s) for s in (LOG_GROUP, EXECUTION_ROLE)] == ["WebLogGroup", "WebExecutionRole"]


def test_compile_passes_run_in_one_written_order() -> None:
    from ecsstack.compile import PASSES

    assert [name for name, _ in PASSES] == ["network", "discovery", "queue", "cluster", "capacity", "task",
                                            "load balancing", "alarms", "service", "scaling", "scheduled"]


def test_parameters_subs_and_outputs() -> None:
    stack, task = web_stack()
    tag = stack.parameter("ImageTag", default="latest", allowed_pattern="[a-z0-9.-]+")
    count = stack.parameter("Count", type="Number", default=2)
    task.add_container("app", image=Sub("repo/app:${ImageTag}"), environment={"TAG": tag})
    stack.resources[-1].desired_count = count
    cluster = stack.resources[0]
    stack.output("ClusterArn", Attr(cluster, "Arn"), "the cluster", export_name=Sub("${AWS::StackName}-cluster"))
    template = stack.to_dict()
    assert template["Parameters"]["ImageTag"] == {"Type": "String", "Default": "latest",
                                                  "AllowedPattern": "[a-z0-9.-]+"}
    assert template["Resources"]["WebService"]["Properties"]["DesiredCount"] == {"Ref": "Count"}
    assert containers(stack)["app"]["Image"] == {"Fn::Sub": "repo/app:${ImageTag}"}
    assert containers(stack)["app"]["Environment"] == [{"Name": "TAG", "Value": {"Ref": "ImageTag"}}]
    assert template["Outputs"]["ClusterArn"] == {
        "Value": {"Fn::GetAtt": ["MainCluster", "Arn"]}, "Description": "the cluster",
        "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-cluster"}}}


def test_overrides_are_merged_as_raw_cloudformation() -> None:
    stack, task = web_stack(overrides={"DeploymentConfiguration": {"MaximumPercent": 150},
                                       "PropagateTags": None})
    task.add_container("app", image="nginx", overrides={"Ulimits": [{"Name": "nofile", "SoftLimit": 1,
                                                                      "HardLimit": 2}]})
    res = resources(stack)
    svc = res["WebService"]["Properties"]
    assert svc["DeploymentConfiguration"]["MaximumPercent"] == 150
    assert svc["DeploymentConfiguration"]["MinimumHealthyPercent"] == 100
    assert "PropagateTags" not in svc
    assert containers(stack)["app"]["Ulimits"][0]["Name"] == "nofile"


def test_health_check_and_container_settings_reach_the_template() -> None:
    stack, task = web_stack()
    task.add_container("app", image="nginx", health_check=HealthCheck.shell("curl -f localhost", retries=5),
                       cpu=128, memory=256, memory_reservation=128, working_directory="/srv", user="1000",
                       readonly_root_filesystem=True, start_timeout=30, stop_timeout=60,
                       entry_point=["/bin/sh", "-c"], command=["exec nginx"])
    c = containers(stack)["app"]
    assert c["HealthCheck"] == {"Command": ["CMD-SHELL", "curl -f localhost"], "Interval": 30,
                                "Timeout": 5, "Retries": 5}
    assert (c["Cpu"], c["Memory"], c["MemoryReservation"]) == (128, 256, 128)
    assert (c["WorkingDirectory"], c["User"], c["ReadonlyRootFilesystem"]) == ("/srv", "1000", True)
    assert (c["StartTimeout"], c["StopTimeout"]) == (30, 60)
    assert c["EntryPoint"] == ["/bin/sh", "-c"] and c["Command"] == ["exec nginx"]


def test_same_model_same_bytes() -> None:
    def build() -> str:
        stack, task = web_stack()
        task.add_container("app", image="nginx", environment={"B": "2", "A": "1"})
        return stack.to_json()

    first = build()
    assert first == build()
    assert json.loads(first)["Resources"]["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0][
        "Environment"] == [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]


def test_yaml_round_trips_to_the_same_template() -> None:
    import yaml

    stack, task = web_stack()
    task.add_container("app", image="nginx", command=["sh", "-c", "echo a\necho b"])
    assert yaml.safe_load(stack.to_yaml()) == json.loads(stack.to_json())


@pytest.mark.parametrize("count", [1, 3])
def test_a_task_used_by_several_services_compiles_once(count: int) -> None:
    stack = Stack("t")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx")
    cluster = Cluster("main")
    for i in range(count):
        stack.add(Service(f"web{i}", cluster=cluster, task=task))
    res = resources(stack)
    assert sum(r["Type"] == "AWS::ECS::TaskDefinition" for r in res.values()) == 1
    assert sum(r["Type"] == "AWS::ECS::Service" for r in res.values()) == count


def test_desired_count_defaults_to_one_and_is_left_to_autoscaling_when_scaled() -> None:
    stack, task = web_stack()
    task.add_container("app", image="nginx")
    assert resources(stack)["WebService"]["Properties"]["DesiredCount"] == 1
    stack.resources[-1].auto_scale(min_tasks=2, max_tasks=6).on_cpu(60)
    assert "DesiredCount" not in resources(stack)["WebService"]["Properties"]
    stack.resources[-1].desired_count = 3
    assert resources(stack)["WebService"]["Properties"]["DesiredCount"] == 3


def test_more_resources_than_one_template_holds_split_and_synth_says_so() -> None:
    from ecsstack import ValidationError, assemble

    stack = Stack("big")
    cluster = Cluster("main")
    for i in range(90):  # 6 resources each: 541 in all
        task = FargateTaskDefinition(f"svc{i}")
        task.add_container("app", image="nginx")
        stack.add(Service(f"svc{i}", cluster=cluster, task=task))
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    [problem] = info.value.problems
    assert problem.rule == "ECS956" and "nested stacks" in problem.message and "assemble" in problem.hint
    assembly = assemble(stack)
    assert assembly.children and all(len(doc["Resources"]) <= 500 for doc in assembly.children.values())


def test_more_outputs_than_cloudformation_allows() -> None:
    from ecsstack import ValidationError

    stack, task = web_stack()
    task.add_container("app", image="nginx")
    for i in range(201):
        stack.output(f"Out{i}", "x")
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    assert [(p.rule, p.message) for p in info.value.problems] == [
        ("ECS901", "compiles to 201 outputs; a template may hold 200.")]


def test_a_value_troposphere_rejects_is_reported_as_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsstack import ValidationError
    from ecsstack.compile import volumes

    def broken(task, ctx):
        raise ValueError("RetentionInDays must be one of ...")

    monkeypatch.setattr(volumes, "task_properties", broken)
    stack, task = web_stack()
    task.add_container("app", image="nginx")
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    assert info.value.problems[0].rule == "ECS900"
    assert "RetentionInDays" in info.value.problems[0].message


def test_names_that_compile_to_one_logical_id_are_a_problem() -> None:
    from ecsstack import ValidationError, Vpc

    stack, task = web_stack()
    task.add_container("app", image="nginx")
    stack.add(Vpc("main"), Vpc("Main"))
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    assert [(p.rule, p.message) for p in info.value.problems] == [
        ("ECS503", "two resources compile to the logical ID 'MainVpc'.")]


def test_a_sub_naming_nothing_is_refused_before_cloudformation_sees_it() -> None:
    from ecsstack import ValidationError

    stack, task = web_stack()
    stack.parameter("ImageTag", default="1")
    task.add_container("app", image=Sub("repo/app:${ImageTg}"),
                       environment={"OK": Sub("${AWS::Region}/${ImageTag}/${WebLogGroup.Arn}/${!Literal}"),
                                    "VAR": Sub("${Given}", {"Given": "x"})})
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    [problem] = info.value.problems
    assert (problem.rule, problem.path) == ("ECS506", "stack t › resource WebTaskDefinition")
    assert "'ImageTg'" in problem.message and "Did you mean 'ImageTag'?" in problem.hint
    task.containers[0].image = Sub("repo/app:${ImageTag}")
    stack.to_dict()
