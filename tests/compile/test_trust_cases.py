"""Regression tests for the templates issue 8 found wrong (section 2, the compile fixes), each asserted on
the compiled template; the case number is the issue's."""

from __future__ import annotations

import pytest

from ecsstack import (
    CapacityProviderStrategy,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LogConfig,
    Namespace,
    PortMapping,
    Service,
    ServiceConnect,
    Stack,
    Sub,
    TaskDefinition,
    ValidationError,
)
from ecsstack.lint import lint_template


def resources(stack: Stack) -> dict:
    return stack.to_dict()["Resources"]


def fargate_stack(task: TaskDefinition, stack_name: str = "t", **service_kwargs) -> Stack:
    if not task.containers:
        task.add_container("app", image="nginx:1.27", ports=[8080])
    return Stack(stack_name).add(Service(task.family, cluster=Cluster("main"), task=task, **service_kwargs))


# ---- 16: task families are prefixed by stack ------------------------------------------------------------------
def test_16_family_is_prefixed_by_the_stack_name_by_default() -> None:
    families = [resources(fargate_stack(FargateTaskDefinition("web"), name))["WebTaskDefinition"]["Properties"]
                ["Family"] for name in ("shop", "blog")]
    # both stacks compile the same template, and CloudFormation resolves it to shop-web and blog-web
    assert families == [{"Fn::Sub": "${AWS::StackName}-web"}] * 2


def test_16_an_explicit_family_is_kept_as_given() -> None:
    task = FargateTaskDefinition("web", family="shared-web")
    assert task.family == "web" and task.explicit_family == "shared-web"
    r = resources(fargate_stack(task))
    assert "WebTaskDefinition" in r  # the logical ID still comes from the blueprint name
    assert r["WebTaskDefinition"]["Properties"]["Family"] == "shared-web"


def test_16_family_alone_names_the_task_and_is_registered_as_given() -> None:
    task = TaskDefinition(family="web", cpu=256, memory=512)
    assert task.family == "web"
    assert resources(fargate_stack(task))["WebTaskDefinition"]["Properties"]["Family"] == "web"


def test_16_family_may_be_a_parameter() -> None:
    stack = Stack("t")
    task = FargateTaskDefinition("web", family=stack.parameter("Family", default="web"))
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    task.add_container("app", image="nginx:1.27")
    template = stack.to_dict()
    assert template["Resources"]["WebTaskDefinition"]["Properties"]["Family"] == {"Ref": "Family"}
    assert template["Parameters"]["Family"]["Default"] == "web"


@pytest.mark.parametrize(("make", "text"), [
    (lambda: FargateTaskDefinition("web", family=""), "family= is empty"),
    (lambda: FargateTaskDefinition("web", family=3), "family must be a string"),
    (lambda: FargateTaskDefinition(), "needs a name"),
    (lambda: FargateTaskDefinition("web", famly="x"), "unknown keyword famly"),
])
def test_16_a_bad_family_is_refused(make, text) -> None:
    with pytest.raises(ValidationError) as err:
        make()
    assert err.value.problems[0].rule == "ECS001" and text in err.value.problems[0].message


# ---- 3: ECR pulls exactly the repository an image names -------------------------------------------------------
PULL = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
ANY_REPOSITORY = {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*"}


def pulls(stack: Stack) -> list | None:
    """The repositories the execution role may pull from (None: no pull statement)."""
    policies = resources(stack)["WebExecutionRole"]["Properties"]["Policies"]
    found = [s["Resource"] for p in policies for s in p["PolicyDocument"]["Statement"]
             if tuple(s["Action"]) == PULL]
    return found[0] if found else None


def image_stack(*images, **container_kwargs) -> Stack:
    stack = Stack("t")
    stack.parameter("ImageTag", default="1")
    task = FargateTaskDefinition("web")
    for i, image in enumerate(images):
        task.add_container(f"c{i}", image=image(stack) if callable(image) else image, **container_kwargs)
    return stack.add(Service("web", cluster=Cluster("main"), task=task))


def test_3_a_sub_with_a_literal_ecr_registry_pulls_exactly_that_repository() -> None:
    stack = image_stack(Sub("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${ImageTag}"))
    assert pulls(stack) == [{"Fn::Sub": "arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/app"}]


def test_3_account_region_and_repository_written_as_tokens_are_substituted_exactly() -> None:
    stack = image_stack(
        Sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/team/app:${ImageTag}"),
        lambda s: Sub("123456789012.dkr.ecr.eu-west-1.amazonaws.com/${Repo}@${Digest}",
                      {"Repo": s.parameter("Repo"), "Digest": "sha256:0"}))
    assert pulls(stack) == [
        {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/team/app"},
        # only the variables the ARN names are passed on (an unused one would be a cfn-lint warning)
        {"Fn::Sub": ["arn:${AWS::Partition}:ecr:eu-west-1:123456789012:repository/${Repo}",
                     {"Repo": {"Ref": "Repo"}}]}]


def test_3_images_outside_private_ecr_get_no_pull_rights() -> None:
    stack = image_stack("nginx:1.27", Sub("example/app:${ImageTag}"), Sub("nginx:${ImageTag}"),
                        "public.ecr.aws/docker/library/nginx:1", "ghcr.io/o/app:1")
    assert pulls(stack) is None


@pytest.mark.parametrize("image", [lambda s: s.parameter("Image"),
                                   lambda s: (s.parameter("Registry"), Sub("${Registry}/app:${ImageTag}"))[1],
                                   lambda s: (s.parameter("Image"), Sub("${Image}"))[1]],
                         ids=["parameter", "registry-token", "sub-of-a-parameter"])
def test_3_an_image_whose_registry_is_a_token_pulls_anywhere_in_the_account_unless_named(image) -> None:
    stack = image_stack(image)
    container = stack.of_type(Service)[0].task.containers[0]
    assert container.pulls_any_repository  # what a warning about the wildcard keys on
    assert pulls(stack) == [ANY_REPOSITORY]
    container.ecr_repository = "team/app"
    assert not container.pulls_any_repository
    assert pulls(stack) == [{"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:"
                                        "repository/team/app"}]


@pytest.mark.parametrize(("repository", "arn"), [
    ("arn:aws:ecr:eu-west-1:123456789012:repository/app", "arn:aws:ecr:eu-west-1:123456789012:repository/app"),
    (lambda s: s.parameter("Repo"), {"Fn::Sub": ["arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:"
                                                 "repository/${Repository}", {"Repository": {"Ref": "Repo"}}]}),
    (Sub("arn:aws:ecr:eu-west-1:${AWS::AccountId}:repository/app"),
     {"Fn::Sub": "arn:aws:ecr:eu-west-1:${AWS::AccountId}:repository/app"}),
], ids=["arn", "parameter-name", "sub-arn"])
def test_3_ecr_repository_grants_exactly_what_it_names(repository, arn) -> None:
    stack = Stack("t")
    image = stack.parameter("Image")
    task = FargateTaskDefinition("web")
    task.add_container("app", image=image,
                       ecr_repository=repository(stack) if callable(repository) else repository)
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    assert pulls(stack) == [arn]


def test_3_ecr_repository_must_be_text_or_a_token() -> None:
    with pytest.raises(ValidationError, match="ecr_repository"):
        FargateTaskDefinition("web").add_container("app", image="app:1", ecr_repository=["team/app"])


# ---- 11: awslogs into a named log group needs an execution role that may write it ----------------------------
WRITE_LOGS = ("logs:CreateLogStream", "logs:PutLogEvents")


def log_writes(stack: Stack) -> list | None:
    """The log groups the execution role may write (None: no such statement, or no role at all)."""
    role = resources(stack).get("WebExecutionRole")
    if role is None:
        return None
    found = [s["Resource"] for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
             if tuple(s["Action"]) == WRITE_LOGS]
    return found[0] if found else None


def test_11_a_fargate_task_logging_to_a_named_group_gets_an_execution_role_writing_it() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27", logging=LogConfig.awslogs(log_group="x"))
    stack = fargate_stack(task)
    props = resources(stack)["WebTaskDefinition"]["Properties"]
    assert props["ExecutionRoleArn"] == {"Fn::GetAtt": ["WebExecutionRole", "Arn"]}
    assert log_writes(stack) == [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
                                             "log-group:x:*"}]
    assert "WebLogGroup" not in resources(stack)  # nobody logs into a group of the task's own


def test_11_every_group_is_granted_once_with_its_region_and_the_tasks_own_group_kept() -> None:
    stack = Stack("t")
    group = stack.parameter("LogGroupName")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27")  # the task's own log group
    task.add_container("a", image="nginx:1.27", logging=LogConfig.awslogs(log_group="/ecs/shared"))
    task.add_container("b", image="nginx:1.27", logging=LogConfig.awslogs(log_group="/ecs/shared"))
    task.add_container("c", image="nginx:1.27", logging=LogConfig.awslogs(log_group=group))
    task.add_container("d", image="nginx:1.27", logging=LogConfig("awslogs", {
        "awslogs-group": "audit", "awslogs-region": "eu-central-1", "awslogs-stream-prefix": "d"}))
    task.add_container("e", image="nginx:1.27", logging=LogConfig.disabled())
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    assert log_writes(stack) == [
        {"Fn::GetAtt": ["WebLogGroup", "Arn"]},
        {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/ecs/shared:*"},
        {"Fn::Sub": ["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:*",
                     {"LogGroup": {"Ref": "LogGroupName"}}]},
        {"Fn::Sub": "arn:${AWS::Partition}:logs:eu-central-1:${AWS::AccountId}:log-group:audit:*"}]


def test_11_a_task_without_awslogs_still_gets_no_execution_role() -> None:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27", logging=LogConfig.disabled())
    stack = fargate_stack(task)
    assert "WebExecutionRole" not in resources(stack)
    assert "ExecutionRoleArn" not in resources(stack)["WebTaskDefinition"]["Properties"]


# ---- 1: Service Connect into EC2 capacity in bridge mode is admitted on the instances -------------------------
def service_connect_stack(client_on_ec2: bool = False) -> dict:
    """A Fargate (or bridge, ``client_on_ec2``) client calling, through Service Connect, a server that runs in
    bridge mode on the cluster's EC2 capacity."""
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    capacity = cluster.add_ec2_capacity("ec2")
    server_task = Ec2TaskDefinition("api", memory=512)
    server_task.add_container("app", image="api:1", ports=[PortMapping(8080, name="http")])
    server = Service("api", cluster=cluster, task=server_task, service_connect=ServiceConnect(ports=["http"]),
                     capacity_provider_strategy=[CapacityProviderStrategy(capacity)])
    if client_on_ec2:
        client_task = Ec2TaskDefinition("web", memory=512)
        client_task.add_container("app", image="web:1")
        client = Service("web", cluster=cluster, task=client_task, service_connect=True,
                         capacity_provider_strategy=[CapacityProviderStrategy(capacity)])
    else:
        client_task = FargateTaskDefinition("web")
        client_task.add_container("app", image="web:1")
        client = Service("web", cluster=cluster, task=client_task, service_connect=True)
    return Stack("t").add(server, client).to_dict()


def ingress(template: dict) -> dict:
    return {k: v["Properties"] for k, v in template["Resources"].items()
            if v["Type"] == "AWS::EC2::SecurityGroupIngress"}


def test_1_a_fargate_client_is_admitted_on_the_instances_of_a_bridge_server() -> None:
    assert ingress(service_connect_stack()) == {"Ec2InstanceFromWebServiceTcp32768To65535": {
        "GroupId": {"Fn::GetAtt": ["Ec2InstanceSecurityGroup", "GroupId"]},
        "IpProtocol": "tcp", "FromPort": 32768, "ToPort": 65535,  # the Service Connect proxy's dynamic host port
        "SourceSecurityGroupId": {"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]},
        "Description": "tcp/32768-65535 from service web (Service Connect)"}}


def test_1_a_bridge_client_calls_from_its_instances_group() -> None:
    rules = ingress(service_connect_stack(client_on_ec2=True))
    assert list(rules) == ["Ec2InstanceFromEc2InstanceTcp32768To65535"]
    assert rules["Ec2InstanceFromEc2InstanceTcp32768To65535"]["SourceSecurityGroupId"] == {
        "Fn::GetAtt": ["Ec2InstanceSecurityGroup", "GroupId"]}


def test_1_a_bridge_client_of_a_fargate_server_is_admitted_into_the_servers_group() -> None:
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    capacity = cluster.add_ec2_capacity("ec2")
    server_task = FargateTaskDefinition("api")
    server_task.add_container("app", image="api:1", ports=[PortMapping(8080, name="http")])
    client_task = Ec2TaskDefinition("web", memory=512)
    client_task.add_container("app", image="web:1")
    stack = Stack("t").add(
        Service("api", cluster=cluster, task=server_task, service_connect=ServiceConnect(ports=["http"])),
        Service("web", cluster=cluster, task=client_task, service_connect=True,
                capacity_provider_strategy=[CapacityProviderStrategy(capacity)]))
    rules = ingress(stack.to_dict())
    assert list(rules) == ["ApiServiceFromEc2InstanceTcp8080"]
    assert rules["ApiServiceFromEc2InstanceTcp8080"]["FromPort"] == 8080


# ---- 4: a service on EC2 capacity is placed by its capacity providers, not LaunchType EC2 ---------------------
def ec2_template(capacities: tuple[str, ...] = ("ec2",), **service_kwargs) -> dict:
    cluster = Cluster("main")
    for name in capacities:
        cluster.add_ec2_capacity(name)
    task = Ec2TaskDefinition("api", memory=512)
    task.add_container("app", image="api:1", ports=[8080])
    return Stack("t").add(Service("api", cluster=cluster, task=task, **service_kwargs)).to_dict()


def ec2_service(capacities: tuple[str, ...] = ("ec2",), **service_kwargs) -> dict:
    return ec2_template(capacities, **service_kwargs)["Resources"]


def test_4_an_ec2_service_without_strategy_defaults_to_the_clusters_ec2_capacity_providers() -> None:
    r = ec2_service(("ec2", "big"))
    service = r["ApiService"]
    assert "LaunchType" not in service["Properties"]
    assert service["Properties"]["CapacityProviderStrategy"] == [
        {"CapacityProvider": {"Ref": "Ec2CapacityProvider"}, "Weight": 1},
        {"CapacityProvider": {"Ref": "BigCapacityProvider"}, "Weight": 1}]
    assert service["DependsOn"] == ["MainClusterCapacityProviders"]
    assert r["MainClusterCapacityProviders"]["Properties"]["CapacityProviders"] == [
        {"Ref": "Ec2CapacityProvider"}, {"Ref": "BigCapacityProvider"}]


def test_4_an_explicit_launch_type_is_kept() -> None:
    props = ec2_service(launch_type="EC2")["ApiService"]["Properties"]
    assert props["LaunchType"] == "EC2" and "CapacityProviderStrategy" not in props


def test_4_without_ec2_capacity_the_launch_type_stays() -> None:
    props = ec2_service(())["ApiService"]["Properties"]
    assert props["LaunchType"] == "EC2" and "CapacityProviderStrategy" not in props


def test_4_a_fargate_service_on_a_cluster_with_ec2_capacity_stays_on_fargate() -> None:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("ec2")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="web:1")
    props = Stack("t").add(Service("web", cluster=cluster, task=task)).to_dict()["Resources"]["WebService"]
    assert props["Properties"]["LaunchType"] == "FARGATE"


def test_4_the_clusters_default_strategy_still_applies_unstated() -> None:
    cluster = Cluster("main")
    capacity = cluster.add_ec2_capacity("ec2")
    cluster.default_strategy = [CapacityProviderStrategy(capacity, weight=2)]
    task = Ec2TaskDefinition("api", memory=512)
    task.add_container("app", image="api:1")
    service = Stack("t").add(Service("api", cluster=cluster, task=task)).to_dict()["Resources"]["ApiService"]
    assert "LaunchType" not in service["Properties"] and "CapacityProviderStrategy" not in service["Properties"]
    assert service["DependsOn"] == ["MainClusterCapacityProviders"]


# ---- 9: GPU instance types get the ECS GPU-optimized AMI; containers reserve GPUs -----------------------------
GPU_AMI = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"


def gpu_stack(instance_type: str, gpu: int | None = 1, **capacity_kwargs) -> dict:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("ec2", instance_type=instance_type, **capacity_kwargs)
    task = Ec2TaskDefinition("train", memory=4096)
    task.add_container("app", image="train:1", gpu=gpu)
    return Stack("t").add(Service("train", cluster=cluster, task=task)).to_dict()


@pytest.mark.parametrize("instance_type", ["g5.xlarge", "g4dn.xlarge", "g6e.2xlarge", "p3.2xlarge",
                                           "p4d.24xlarge", "p5.48xlarge"])
def test_9_a_gpu_instance_type_runs_the_gpu_optimized_ami(instance_type) -> None:
    template = gpu_stack(instance_type)
    data = template["Resources"]["Ec2LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["ImageId"] == {"Ref": "EcsGpuAmiId"}
    assert template["Parameters"]["EcsGpuAmiId"] == {
        "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Description": "ECS GPU-optimized Amazon Linux 2023 AMI", "Default": GPU_AMI}
    assert "EcsAmiId" not in template["Parameters"]


@pytest.mark.parametrize("instance_type", ["t3.medium", "g5g.xlarge", "g4ad.xlarge", "c5.large"])
def test_9_other_instance_types_keep_the_standard_ami(instance_type) -> None:
    # no gpu= here: ECS719 refuses GPU containers on these types
    template = gpu_stack(instance_type, gpu=None, architecture="arm64" if instance_type.startswith("g5g") else "x86_64")
    assert "EcsGpuAmiId" not in template["Parameters"]


def test_9_an_explicit_image_id_wins() -> None:
    template = gpu_stack("g5.xlarge", image_id="ami-0123456789abcdef0")
    data = template["Resources"]["Ec2LaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["ImageId"] == "ami-0123456789abcdef0" and "EcsGpuAmiId" not in template.get("Parameters", {})


def test_9_a_container_reserves_gpus() -> None:
    template = gpu_stack("g5.xlarge")
    (app,) = template["Resources"]["TrainTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert app["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]


@pytest.mark.parametrize(("gpu", "text"), [("1", "whole number"), (True, "whole number")])  # gpu=0: ECS719
def test_9_a_bad_gpu_count_is_refused(gpu, text) -> None:
    with pytest.raises(ValidationError, match=text):
        Ec2TaskDefinition("train").add_container("app", image="train:1", gpu=gpu)


# ---- every case's template lints clean --------------------------------------------------------------------------
def _lint_cases() -> list[dict]:
    named = Stack("t")
    task = FargateTaskDefinition("web", family="shared-web")
    task.add_container("app", image=named.parameter("Image"), ecr_repository="team/app",
                       logging=LogConfig.awslogs(log_group=named.parameter("LogGroupName")))
    task.add_container("side", image=Sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/side:${Tag}",
                                         {"Tag": named.parameter("Tag")}),
                       essential=False, logging=LogConfig.awslogs(log_group="x"))
    named.add(Service("web", cluster=Cluster("main"), task=task))
    return [named.to_dict(), service_connect_stack(), service_connect_stack(client_on_ec2=True),
            ec2_template(("ec2", "big")), gpu_stack("g5.xlarge")]


def test_the_cases_templates_lint_clean() -> None:
    for template in _lint_cases():
        findings = lint_template(template)
        assert [str(f) for f in findings if f.level in ("error", "warning")] == []
