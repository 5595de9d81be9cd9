"""FireLens in the template: the router, awsfirelens log options, start order and the roles' permissions."""

from __future__ import annotations

from ecsstack import Cluster, Ec2TaskDefinition, FargateTaskDefinition, LogConfig, Service, Stack
from ecsstack.lint import lint_template

ROUTER_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
TASK_LOGS = {
    "Name": "cloudwatch_logs", "log_group_name": {"Ref": "WebLogGroup"}, "log_stream_prefix": "app/",
    "region": {"Ref": "AWS::Region"},
}


def web(**task_kwargs) -> tuple[Stack, FargateTaskDefinition]:
    stack = Stack("t")
    task = FargateTaskDefinition("web", cpu=512, memory=1024, **task_kwargs)
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    return stack, task


def resources(stack: Stack) -> dict:
    return stack.to_dict()["Resources"]


def containers(stack: Stack) -> dict[str, dict]:
    return {c["Name"]: c for c in resources(stack)["WebTaskDefinition"]["Properties"]["ContainerDefinitions"]}


def policies(stack: Stack, role: str) -> dict[str, list[dict]]:
    props = resources(stack)[role]["Properties"]
    return {p["PolicyName"]: p["PolicyDocument"]["Statement"] for p in props.get("Policies", [])}


def test_router_is_essential_logs_with_awslogs_and_starts_first():
    stack, task = web()
    task.add_init_container("migrate", image="app", logging=LogConfig.firelens())
    task.add_firelens_router()
    task.add_container("app", image="app", logging=LogConfig.firelens())
    c = containers(stack)
    router = c["log_router"]
    assert router["Image"] == ROUTER_IMAGE and router["Essential"] is True and router["MemoryReservation"] == 50
    assert router["FirelensConfiguration"] == {"Type": "fluentbit"}
    assert router["LogConfiguration"]["LogDriver"] == "awslogs"
    assert router["LogConfiguration"]["Options"]["awslogs-group"] == {"Ref": "WebLogGroup"}
    assert "DependsOn" not in router
    assert c["migrate"]["DependsOn"] == [{"ContainerName": "log_router", "Condition": "START"}]
    assert c["app"]["DependsOn"] == [{"ContainerName": "log_router", "Condition": "START"},
                                     {"ContainerName": "migrate", "Condition": "SUCCESS"}]
    assert c["app"]["LogConfiguration"] == {"LogDriver": "awsfirelens", "Options": TASK_LOGS}


def test_task_role_may_write_to_the_task_log_group():
    stack, task = web()
    task.add_firelens_router()
    task.add_container("app", image="app", logging=LogConfig.firelens())
    assert policies(stack, "WebTaskRole")["firelens"] == [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [{"Fn::GetAtt": ["WebLogGroup", "Arn"]}]}]


def test_other_destinations_pass_through_and_grant_nothing():
    stack, task = web()
    task.add_firelens_router(options={"enable-ecs-log-metadata": "false"}, config_file="/fluent-bit/etc/extra.conf")
    firehose = {"Name": "firehose", "region": "eu-west-1", "delivery_stream": "logs"}
    own_group = {"Name": "cloudwatch_logs", "log_group_name": "/app/web", "auto_create_group": True}
    task.add_container("app", image="app", logging=LogConfig.firelens(firehose))
    task.add_container("api", image="api", logging=LogConfig.firelens(own_group))
    c = containers(stack)
    assert c["log_router"]["FirelensConfiguration"] == {"Type": "fluentbit", "Options": {
        "config-file-type": "file", "config-file-value": "/fluent-bit/etc/extra.conf",
        "enable-ecs-log-metadata": "false"}}
    assert c["app"]["LogConfiguration"]["Options"] == firehose
    assert c["api"]["LogConfiguration"]["Options"] == {
        "Name": "cloudwatch_logs", "auto_create_group": "true", "log_group_name": "/app/web",
        "region": {"Ref": "AWS::Region"}}
    assert "firelens" not in policies(stack, "WebTaskRole")


def test_log_group_is_made_even_when_nothing_uses_awslogs():
    stack, task = web()
    task.add_firelens_router(logging=LogConfig.disabled())
    task.add_container("app", image="app", logging=LogConfig.firelens())
    res = resources(stack)
    assert res["WebLogGroup"]["Properties"] == {"RetentionInDays": 30}
    assert res["WebLogGroup"]["DeletionPolicy"] == "Retain"
    assert "WebExecutionRole" not in res  # nothing for ECS itself to do with the log group
    assert containers(stack)["app"]["LogConfiguration"]["Options"]["log_group_name"] == {"Ref": "WebLogGroup"}


def test_fluentd_router_and_s3_config_on_ec2_let_the_execution_role_read_the_file():
    stack = Stack("t")
    task = Ec2TaskDefinition("web", memory=512)
    stack.add(task)
    task.add_firelens_router(image="fluent/fluentd:v1.17-1", type="fluentd",
                             config_file="arn:aws:s3:::my-bucket/fluent/extra.conf")
    task.add_container("app", image="app", logging=LogConfig.firelens({"@type": "stdout"}))
    assert containers(stack)["log_router"]["FirelensConfiguration"] == {"Type": "fluentd", "Options": {
        "config-file-type": "s3", "config-file-value": "arn:aws:s3:::my-bucket/fluent/extra.conf"}}
    assert policies(stack, "WebExecutionRole")["firelens-config"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::my-bucket/fluent/extra.conf"]},
        {"Effect": "Allow", "Action": ["s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::my-bucket"]},
    ]


def test_s3_config_makes_an_execution_role_if_the_task_had_none():
    stack = Stack("t")
    task = Ec2TaskDefinition("web", memory=512)
    stack.add(task)
    task.add_firelens_router(config_file="arn:aws:s3:::b/x.conf", logging=LogConfig.disabled())
    props = resources(stack)["WebTaskDefinition"]["Properties"]
    assert props["ExecutionRoleArn"] == {"Fn::GetAtt": ["WebExecutionRole", "Arn"]}
    assert list(policies(stack, "WebExecutionRole")) == ["firelens-config"]


def test_own_roles_are_left_alone():
    stack, task = web(task_role="arn:aws:iam::1:role/t", execution_role="arn:aws:iam::1:role/e")
    task.add_firelens_router()
    task.add_container("app", image="app", logging=LogConfig.firelens())
    res = resources(stack)
    assert "WebTaskRole" not in res and "WebExecutionRole" not in res


def test_firelens_stack_is_cfn_lint_clean():
    stack, task = web()
    task.add_firelens_router(options={"enable-ecs-log-metadata": "true"})
    task.add_container("app", image="app", logging=LogConfig.firelens())
    assert [str(f) for f in lint_template(stack.to_dict())] == []
