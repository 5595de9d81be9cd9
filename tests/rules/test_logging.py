"""ECS8xx: FireLens log routing — the router, the containers logging through it — and its argument checks."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Condition,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    FirelensType,
    LogConfig,
    Service,
    Stack,
    TaskDefinition,
    ValidationError,
)

ROLE = "arn:aws:iam::123456789012:role/web"


def served(task: TaskDefinition) -> Stack:
    return Stack("app").add(Service("web", cluster=Cluster("main"), task=task))


def firelens_task(**task_kwargs) -> FargateTaskDefinition:
    task = FargateTaskDefinition("web", **task_kwargs)
    task.add_firelens_router()
    task.add_container("app", image="app:1", logging=LogConfig.firelens())
    return task


# ---- the model ---------------------------------------------------------------------------------------

def test_router_defaults_follow_aws_guidance():
    task = FargateTaskDefinition("web")
    router = task.add_firelens_router()
    assert router.name == "log_router" and router.essential is True and router.memory_reservation == 50
    assert router.image == "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
    assert router.logging == LogConfig()  # awslogs into the task's log group
    assert router.firelens.type is FirelensType.FLUENTBIT and router.firelens.options == {}
    assert router.firelens.config_file_type is None


def test_router_keywords_and_config_files():
    task = Ec2TaskDefinition("web", memory=512)
    router = task.add_firelens_router(image="fluent/fluentd:v1", type="FLUENTD", name="fluentd",
                                      config_file="arn:aws:s3:::bucket/extra.conf",
                                      options={"enable-ecs-log-metadata": False}, memory_reservation=100)
    assert router.firelens.type is FirelensType.FLUENTD and router.firelens.config_file_type == "s3"
    assert router.firelens.options == {"enable-ecs-log-metadata": "false"} and router.memory_reservation == 100
    other = FargateTaskDefinition("x").add_firelens_router(config_file="/fluent-bit/etc/extra.conf")
    assert other.firelens.config_file_type == "file"
    assert task.add_container("app", image="a").firelens is None


def test_log_config_firelens_defaults_to_cloudwatch():
    assert LogConfig.firelens() == LogConfig("awsfirelens", {"Name": "cloudwatch_logs"})
    assert LogConfig.firelens({"Name": "firehose", "retry": 3}).options == {"Name": "firehose", "retry": "3"}
    assert not LogConfig.firelens().uses_task_log_group  # the router writes there, not the awslogs driver


@pytest.mark.parametrize(("call", "text"), [
    (lambda t: t.add_firelens_router(type="vector"), "type='vector' is not valid"),
    (lambda t: t.add_firelens_router(type="fluentd"), "needs an image"),
    (lambda t: t.add_firelens_router(config_file=""), "config_file"),
    (lambda t: t.add_firelens_router(options=["x"]), "options must be a mapping"),
    (lambda t: t.add_firelens_router(init=True), "unknown keyword init"),
])
def test_wrong_router_arguments_raise_ecs001(call, text):
    with pytest.raises(ValidationError) as info:
        call(FargateTaskDefinition("web"))
    [problem] = info.value.problems
    assert problem.rule == "ECS001" and text in problem.message and problem.path.startswith("task web")


def test_wrong_log_config_options_raise_ecs001():
    with pytest.raises(ValidationError) as info:
        LogConfig.firelens({"Name": ["cloudwatch_logs"]})
    assert info.value.problems[0].rule == "ECS001"


def test_containers_logging_through_the_router_wait_for_it_to_start():
    task = FargateTaskDefinition("web")
    task.add_init_container("migrate", image="app:1", logging=LogConfig.firelens())
    router = task.add_firelens_router()
    app = task.add_container("app", image="app:1", logging=LogConfig.firelens())
    side = task.add_container("side", image="side:1", essential=False)
    migrate = task.container("migrate")
    assert task.dependencies_of(router) == []  # the router starts first, not after the init containers
    [dep] = task.dependencies_of(migrate)
    assert (dep.target, dep.condition, dep.implied) == (router, Condition.START, True)
    assert [(d.target_name, d.condition, d.implied) for d in task.dependencies_of(app)] == [
        ("log_router", Condition.START, True), ("migrate", Condition.SUCCESS, True)]
    assert [d.target_name for d in task.dependencies_of(side)] == ["migrate"]


def test_a_declared_dependency_on_the_router_replaces_the_implied_one():
    task = firelens_task()
    app = task.container("app")
    app.depends_on(task.container("log_router"), Condition.START)
    [dep] = task.dependencies_of(app)
    assert dep.implied is False


# ---- ECS807 --------------------------------------------------------------------------------------------

def test_ecs807_firelens_logging_without_router(found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", logging=LogConfig.firelens())
    [problem] = found(served(task), "ECS807")
    assert problem.path == "service web › task web › container app" and "no FireLens log router" in problem.message


def test_ecs807_router_logging_through_itself(found):
    task = FargateTaskDefinition("web")
    task.add_firelens_router(logging=LogConfig.firelens())
    [problem] = found(served(task), "ECS807")
    assert problem.path.endswith("container log_router") and "cannot log through FireLens" in problem.message


def test_ecs807_allows_router_and_awslogs_containers(found):
    task = firelens_task()
    task.add_container("side", image="side:1", essential=False)
    assert found(served(task), "ECS807") == []


# ---- ECS808 --------------------------------------------------------------------------------------------

def test_ecs808_two_routers(found):
    task = firelens_task()
    task.add_firelens_router(name="second")
    [problem] = found(served(task), "ECS808")
    assert problem.path.endswith("container second") and "after 'log_router'" in problem.message


def test_ecs808_allows_one_router_per_task(found):
    assert found(Stack("app").add(firelens_task(), FargateTaskDefinition("api")), "ECS808") == []


# ---- ECS812 --------------------------------------------------------------------------------------------

def test_ecs812_s3_config_on_fargate(found):
    task = FargateTaskDefinition("web")
    task.add_firelens_router(config_file="arn:aws:s3:::bucket/extra.conf")
    [problem] = found(served(task), "ECS812")
    assert problem.path.endswith("container log_router") and "in S3" in problem.message


def test_ecs812_allows_s3_on_ec2_and_files_on_fargate(found):
    ec2 = Ec2TaskDefinition("worker", memory=512)
    ec2.add_firelens_router(config_file="arn:aws:s3:::bucket/extra.conf")
    fargate = FargateTaskDefinition("web")
    fargate.add_firelens_router(config_file="/fluent-bit/etc/extra.conf")
    assert found(Stack("app").add(ec2, fargate), "ECS812") == []


# ---- ECS813 --------------------------------------------------------------------------------------------

def test_ecs813_task_log_group_with_own_task_role_is_a_warning(found):
    [problem] = found(served(firelens_task(task_role=ROLE)), "ECS813")
    assert problem.severity == "warning" and problem.path.endswith("container app")
    assert "logs:PutLogEvents" in problem.hint


def test_ecs813_allows_made_role_or_another_destination(found):
    own = FargateTaskDefinition("own", task_role=ROLE)
    own.add_firelens_router()
    own.add_container("app", image="app:1",
                      logging=LogConfig.firelens({"Name": "cloudwatch_logs", "log_group_name": "/app/own"}))
    assert found(Stack("app").add(firelens_task(), own), "ECS813") == []


# ---- ECS814 --------------------------------------------------------------------------------------------

def test_ecs814_fluent_bit_options_for_a_fluentd_router(found):
    task = FargateTaskDefinition("web")
    task.add_firelens_router(image="fluent/fluentd:v1", type="fluentd")
    task.add_container("app", image="app:1", logging=LogConfig.firelens())
    [problem] = found(served(task), "ECS814")
    assert problem.path.endswith("container app") and "runs Fluentd" in problem.message


def test_ecs814_fluentd_options_for_a_fluent_bit_router(found):
    task = FargateTaskDefinition("web")
    task.add_firelens_router()
    task.add_container("app", image="app:1", logging=LogConfig.firelens({"@type": "kinesis_firehose"}))
    [problem] = found(served(task), "ECS814")
    assert "runs Fluent Bit" in problem.message


def test_ecs814_allows_matching_dialects(found):
    fluentd = FargateTaskDefinition("api")
    fluentd.add_firelens_router(image="fluent/fluentd:v1", type="fluentd")
    fluentd.add_container("app", image="app:1", logging=LogConfig.firelens({"@type": "cloudwatch_logs"}))
    assert found(Stack("app").add(firelens_task(), fluentd), "ECS814") == []
