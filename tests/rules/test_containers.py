"""ECS1xx: one container definition at a time."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    HealthCheck,
    PortMapping,
    Secret,
    Service,
    Stack,
    Sub,
)


def one(name: str = "app", **kwargs):
    task = FargateTaskDefinition("web", cpu=1024, memory=2048)
    container = task.add_container(name, image="app:1", **kwargs)
    return task, container


# ---- ECS101 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["my app", "app.v1", "app/1", "ä", "a" * 256])
def test_ecs101_bad_container_names(stack_of, found, name):
    task, _ = one(name)
    [problem] = found(stack_of(task), "ECS101")
    assert problem.path == f"service web › task web › container {name}"
    assert "letters, digits, hyphens and underscores" in problem.hint


@pytest.mark.parametrize("name", ["app", "my_app-2", "A", "a" * 255])
def test_ecs101_good_container_names(stack_of, found, name):
    task, _ = one(name)
    assert found(stack_of(task), "ECS101") == []


def test_ecs101_suggests_a_clean_name(stack_of, found):
    task, _ = one("my app")
    [problem] = found(stack_of(task), "ECS101")
    assert "'my-app'" in problem.hint


# ---- ECS102 ------------------------------------------------------------------------------------

def test_ecs102_duplicate_container_names(stack_of, found):
    task, _ = one("app")
    task.add_container("app", image="other:1")
    [problem] = found(stack_of(task), "ECS102")
    assert problem.path.endswith("task web › container app")
    assert "'app'" in problem.message


def test_ecs102_allows_distinct_names_and_same_name_in_other_tasks(stack_of, found):
    task, _ = one("app")
    task.add_container("sidecar", image="other:1")
    other = FargateTaskDefinition("worker")
    other.add_container("app", image="app:1")
    assert found(stack_of(task, other), "ECS102") == []


# ---- ECS103 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "bound"), [
    ("start_timeout", 1, "at least 2"), ("start_timeout", 121, "at most 120"),
    ("stop_timeout", 0, "at least 2"), ("stop_timeout", 600, "at most 120"),
])
def test_ecs103_timeout_out_of_range(stack_of, found, field, value, bound):
    task, _ = one(**{field: value})
    [problem] = found(stack_of(task), "ECS103")
    assert problem.path.endswith("container app")
    assert f"{field}={value}" in problem.message and bound in problem.message


@pytest.mark.parametrize("value", [2, 30, 120, None])
def test_ecs103_timeout_in_range(stack_of, found, value):
    task, _ = one(start_timeout=value, stop_timeout=value)
    assert found(stack_of(task), "ECS103") == []


# ---- ECS104 ------------------------------------------------------------------------------------

def test_ecs104_secret_and_environment_share_a_name(stack_of, found):
    task, _ = one(environment={"DB_PASSWORD": "hunter2"}, secrets={"DB_PASSWORD": Secret.ssm("/web/db")})
    [problem] = found(stack_of(task), "ECS104")
    assert problem.path.endswith("container app") and "'DB_PASSWORD'" in problem.message


def test_ecs104_allows_distinct_names(stack_of, found):
    task, _ = one(environment={"DB_USER": "web"}, secrets={"DB_PASSWORD": Secret.ssm("/web/db")})
    assert found(stack_of(task), "ECS104") == []


# ---- ECS105 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("port", "text"), [
    (0, "container port 0"), (65536, "container port 65536"),
    (PortMapping(8080, host_port=70000), "host port 70000"),
    (PortMapping(8080, host_port=-1), "host port -1"),
])
def test_ecs105_port_out_of_range(stack_of, found, port, text):
    task = Ec2TaskDefinition("web", memory=512)
    task.add_container("app", image="app:1", ports=[port])
    [problem] = found(stack_of(task), "ECS105")
    assert problem.path.endswith("container app") and text in problem.message


@pytest.mark.parametrize("port", [1, 80, 65535, PortMapping(8080, host_port=0),
                                  PortMapping(80, host_port=65535)])
def test_ecs105_port_in_range(stack_of, found, port):
    task = Ec2TaskDefinition("web", memory=512)  # bridge: host port 0 means a dynamic port
    task.add_container("app", image="app:1", ports=[port])
    assert found(stack_of(task), "ECS105") == []


# ---- ECS106 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "text"), [
    ({"memory": 256, "memory_reservation": 512}, "memory_reservation=512"),
    ({"memory": 0}, "memory=0"),
    ({"memory_reservation": -5}, "memory_reservation=-5"),
])
def test_ecs106_bad_memory(stack_of, found, kwargs, text):
    task, _ = one(**kwargs)
    [problem] = found(stack_of(task), "ECS106")
    assert problem.path.endswith("container app") and text in problem.message


@pytest.mark.parametrize("kwargs", [
    {"memory": 512, "memory_reservation": 512}, {"memory": 512, "memory_reservation": 256},
    {"memory_reservation": 256}, {"memory": 512}, {},
])
def test_ecs106_good_memory(stack_of, found, kwargs):
    task, _ = one(**kwargs)
    assert found(stack_of(task), "ECS106") == []


# ---- ECS107 ------------------------------------------------------------------------------------

def test_ecs107_blank_name_is_an_error(stack_of, found):
    task, _ = one(environment={"OK": "1", " ": "x"})
    [problem] = found(stack_of(task), "ECS107")
    assert problem.severity == "error" and problem.path.endswith("container app")


@pytest.mark.parametrize("name", ["my-var", "1ABC", "has space", "dotted.name"])
def test_ecs107_unportable_name_is_a_warning(stack_of, found, name):
    task, _ = one(environment={name: "x"})
    [problem] = found(stack_of(task), "ECS107")
    assert problem.severity == "warning" and f"'{name}'" in problem.message


def test_ecs107_checks_secret_names_too(stack_of, found):
    task, _ = one(secrets={"db-password": Secret.ssm("/web/db")})
    [problem] = found(stack_of(task), "ECS107")
    assert "secret" in problem.message and "'db_password'" in problem.hint


@pytest.mark.parametrize("name", ["LOG_LEVEL", "_private", "a1", "PATH"])
def test_ecs107_allows_portable_names(stack_of, found, name):
    task, _ = one(environment={name: "x"})
    assert found(stack_of(task), "ECS107") == []


# ---- ECS108 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "said", "fix"), [
    ({"interval": 600}, "interval=600 is out of range: ECS allows 5 to 300 seconds.", "Use interval=300"),
    ({"interval": 4}, "interval=4 is out of range: ECS allows 5 to 300 seconds.", "Use interval=5"),
    ({"timeout": 1}, "timeout=1 is out of range: ECS allows 2 to 120 seconds.", "Use timeout=2"),
    ({"timeout": 121}, "timeout=121 is out of range: ECS allows 2 to 120 seconds.", "Use timeout=120"),
    ({"retries": 20}, "retries=20 is out of range: ECS allows 1 to 10.", "Use retries=10"),
    ({"retries": 0}, "retries=0 is out of range: ECS allows 1 to 10.", "Use retries=1"),
    ({"start_period": 301}, "start_period=301 is out of range: ECS allows 0 to 300 seconds.", "Use start_period=300"),
    ({"start_period": -1}, "start_period=-1 is out of range: ECS allows 0 to 300 seconds.", "Use start_period=0"),
])
def test_ecs108_health_check_out_of_range(stack_of, found, kwargs, said, fix):
    task, _ = one(health_check=HealthCheck(["CMD", "/bin/check"], **kwargs))
    [problem] = found(stack_of(task), "ECS108")
    assert problem.severity == "error"
    assert problem.path == "service web › task web › container app"
    assert problem.message == f"health check {said}"
    assert problem.hint.startswith(fix) and "or leave it out for the default" in problem.hint


def test_ecs108_reports_each_field(stack_of, found):
    task, _ = one(health_check=HealthCheck(["CMD", "/bin/check"], interval=600, retries=20))
    assert [p.message.split("=")[0] for p in found(stack_of(task), "ECS108")] == ["health check interval",
                                                                                  "health check retries"]


@pytest.mark.parametrize("kwargs", [{}, {"interval": 5, "timeout": 2, "retries": 1, "start_period": 0},
                                    {"interval": 300, "timeout": 120, "retries": 10, "start_period": 300}])
def test_ecs108_allows_the_bounds(stack_of, found, kwargs):
    task, _ = one(health_check=HealthCheck(["CMD", "/bin/check"], **kwargs))
    task.add_container("plain", image="app:1")
    assert found(stack_of(task), "ECS108") == []


def test_stop_timeout_above_120_on_fargate_is_ecs103(stack_of, found):  # issue 8's "stop timeout ≤ 120 s on Fargate"
    task, _ = one(stop_timeout=121)
    [problem] = found(stack_of(task), "ECS103")
    assert problem.message.startswith("stop_timeout=121 is out of range")


# ---- ECS109 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("image", "said", "example"), [
    ("nginx", "has no tag, so it means nginx:latest", "'nginx:1.2.3'"),
    ("nginx:latest", "uses the tag latest", "'nginx:1.2.3'"),
    ("localhost:5000/team/app", "has no tag, so it means localhost:5000/team/app:latest",
     "'localhost:5000/team/app:1.2.3'"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest", "uses the tag latest",
     "'123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2.3'"),
])
def test_ecs109_untagged_or_latest_image(stack_of, found, image, said, example):
    task = FargateTaskDefinition("web")
    task.add_container("app", image=image)
    [problem] = found(stack_of(task), "ECS109")
    assert problem.severity == "warning"
    assert problem.path == "service web › task web › container app"
    assert problem.message.startswith(f"image {image!r} {said}: ")
    assert example in problem.hint and "@sha256:" in problem.hint


@pytest.mark.parametrize("image", [
    "nginx:1.27", "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0", "localhost:5000/app:2",
    "nginx@sha256:" + "a" * 64, "nginx:latest@sha256:" + "b" * 64,
    "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
])
def test_ecs109_allows_a_tag_or_a_digest(stack_of, found, image):
    task = FargateTaskDefinition("web")
    task.add_container("app", image=image)
    assert found(stack_of(task), "ECS109") == []


@pytest.mark.parametrize("image", ["nginx@latest", "nginx:1.27@sha256:abc", "nginx@sha256:" + "A" * 64])
def test_ecs109_malformed_digest_is_an_error(stack_of, found, image):
    task = FargateTaskDefinition("web")
    task.add_container("app", image=image)
    [problem] = found(stack_of(task), "ECS109")
    assert problem.severity == "error"
    digest = image.split("@")[1]
    assert problem.message == (f"image {image!r} has '@{digest}' where a digest goes, which is not one (sha256: and "
                               "64 hex digits), so the image cannot be pulled.")
    assert "'nginx:1.2.3'" in problem.hint


def test_ecs109_does_not_judge_tokens(stack_of, found):
    stack = Stack("app")
    task = FargateTaskDefinition("web")
    task.add_container("a", image=stack.parameter("Image"))
    task.add_container("b", image=Sub("example/app:${ImageTag}", {"ImageTag": "latest"}))
    task.add_container("c", image=Sub("example/app"))
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    assert found(stack, "ECS109") == []
