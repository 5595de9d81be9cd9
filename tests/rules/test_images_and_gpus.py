"""ECS112 (an ECR image whose registry is known only at deploy time), ECS719 (GPUs), ECS317's room for the
stack-name prefix, and a health check given as a list or string reported under its container."""

from __future__ import annotations

import pytest

from ecsstack import Cluster, Ec2TaskDefinition, FargateTaskDefinition, Service, Stack, Sub, ValidationError


def served(task, cluster: Cluster | None = None) -> Stack:
    return Stack("app").add(Service(task.family, cluster=cluster or Cluster("main"), task=task))


@pytest.mark.parametrize("image", [Sub("${Registry}/app:1"), Sub("${Image}")])
def test_ecs112_warns_on_a_deploy_time_registry(found, image):
    task = FargateTaskDefinition("web")
    task.add_container("app", image=image)
    [problem] = found(served(task), "ECS112")
    assert problem.severity == "warning" and problem.path == "service web › task web › container app"
    assert "ecr_repository=" in problem.hint


@pytest.mark.parametrize("kwargs", [
    {"image": Sub("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${Tag}")},
    {"image": "nginx:1.27"},
    {"image": Sub("${Registry}/app:1"), "ecr_repository": "app"},
])
def test_ecs112_allows_known_repositories(found, kwargs):
    task = FargateTaskDefinition("web")
    task.add_container("app", **kwargs)
    assert found(served(task), "ECS112") == []


def test_ecs112_not_for_your_own_execution_role(found):
    task = FargateTaskDefinition("web", execution_role="arn:aws:iam::123456789012:role/mine")
    task.add_container("app", image=Sub("${Image}"))
    assert found(served(task), "ECS112") == []


def test_ecs719_gpus_need_ec2_and_gpu_capacity(found):
    fargate = FargateTaskDefinition("web")
    fargate.add_container("app", image="app:1", gpu=1)
    [problem] = found(served(fargate), "ECS719")
    assert "Fargate has no GPUs" in problem.message

    cluster = Cluster("main")
    cluster.add_ec2_capacity("cpu", instance_type="t3.large")
    ec2 = Ec2TaskDefinition("train", memory=1024)
    ec2.add_container("app", image="app:1", gpu=0)
    messages = [p.message for p in found(served(ec2, cluster), "ECS719")]
    assert any("reserves no GPU" in m for m in messages)
    ec2.containers[0].gpu = 1
    [problem] = found(served(ec2, cluster), "ECS719")
    assert "t3.large, which has no GPUs" in problem.message and problem.path.startswith("service train")


def test_ecs719_allows_gpu_capacity(found):
    cluster = Cluster("main")
    cluster.add_ec2_capacity("gpu", instance_type="g5.xlarge")
    task = Ec2TaskDefinition("train", memory=1024)
    task.add_container("app", image="app:1", gpu=1)
    assert found(served(task, cluster), "ECS719") == []


def test_ecs317_leaves_room_for_the_stack_prefix(found):
    long = "a" * 127
    task = FargateTaskDefinition(long)
    task.add_container("app", image="app:1")
    [problem] = found(served(task), "ECS317")
    assert "126" in problem.hint
    named = FargateTaskDefinition(long, family="registered-name")
    named.add_container("app", image="app:1")
    assert found(served(named), "ECS317") == []


def test_a_health_check_list_is_reported_under_its_container():
    task = FargateTaskDefinition("web")
    with pytest.raises(ValidationError) as info:
        task.add_container("app", image="app:1", health_check=["curl -f localhost || exit 1"])
    [problem] = info.value.problems
    assert problem.path.startswith("task web › container app") and "CMD-SHELL" in problem.hint


def test_a_health_check_string_gets_the_cmd_shell_fix():
    task = FargateTaskDefinition("web")
    with pytest.raises(ValidationError) as info:
        task.add_container("app", image="app:1", health_check="curl -f localhost || exit 1")
    [problem] = info.value.problems
    assert problem.path == "task web › container app"
    assert problem.hint == """Write health_check=HealthCheck(["CMD-SHELL", 'curl -f localhost || exit 1'])."""
