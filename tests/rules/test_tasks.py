"""ECS3xx: task definitions."""

from __future__ import annotations

import pytest

from ecsstack import (
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    NetworkMode,
    PortMapping,
    Protocol,
    Stack,
    TaskDefinition,
)

# Written out from the AWS table, independently of the rule's own table.
FARGATE = {
    256: [512, 1024, 2048],
    512: [1024, 2048, 3072, 4096],
    1024: [m * 1024 for m in range(2, 9)],
    2048: [m * 1024 for m in range(4, 17)],
    4096: [m * 1024 for m in range(8, 31)],
    8192: [m * 1024 for m in range(16, 61, 4)],
    16384: [m * 1024 for m in range(32, 121, 8)],
}
VALID = [(cpu, memory) for cpu, memories in FARGATE.items() for memory in memories]


def fargate(cpu: int = 256, memory: int = 512, **kwargs) -> FargateTaskDefinition:
    task = FargateTaskDefinition("web", cpu=cpu, memory=memory, **kwargs)
    task.add_container("app", image="app:1")
    return task


# ---- ECS301 / ECS302 / ECS303 -------------------------------------------------------------------

def test_ecs301_no_essential_container(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_init_container("migrate", image="app:1")
    task.add_container("app", image="app:1", essential=False)
    [problem] = found(stack_of(task), "ECS301")
    assert problem.path == "service web › task web"
    assert "essential=True" in problem.hint and "'app'" in problem.hint


def test_ecs301_allows_one_essential(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_container("sidecar", image="x", essential=False)
    task.add_container("app", image="app:1")
    assert found(stack_of(task), "ECS301") == []


@pytest.mark.parametrize(("count", "expected"), [(10, 0), (11, 1)])
def test_ecs302_at_most_ten_containers(stack_of, found, count, expected):
    task = FargateTaskDefinition("web", cpu=4096, memory=8192)
    for i in range(count):
        task.add_container(f"c{i}", image="busybox")
    problems = found(stack_of(task), "ECS302")
    assert len(problems) == expected
    if problems:
        assert problems[0].path == "service web › task web" and "11 containers" in problems[0].message


def test_ecs303_task_without_containers(found):
    stack = Stack("app").add(FargateTaskDefinition("empty"))
    [problem] = found(stack, "ECS303")
    assert problem.path == "task empty"
    assert found(stack, "ECS301") == []  # one problem for one mistake


def test_ecs303_allows_a_container(stack_of, found):
    assert found(stack_of(fargate()), "ECS303") == []


# ---- ECS310 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cpu", "memory"), VALID)
def test_ecs310_every_valid_fargate_size(stack_of, found, cpu, memory):
    assert found(stack_of(fargate(cpu, memory)), "ECS310") == []


def test_ecs310_table_size():
    assert len(VALID) == 3 + 4 + 7 + 13 + 23 + 12 + 12


@pytest.mark.parametrize(("cpu", "memory"), [
    (256, 4096), (256, 256), (512, 512), (512, 5120), (1024, 1024), (1024, 9216), (2048, 2048),
    (2048, 17408), (4096, 4096), (4096, 31744), (8192, 8192), (8192, 17408), (8192, 65536),
    (16384, 16384), (16384, 36864), (16384, 131072),
])
def test_ecs310_invalid_fargate_sizes(stack_of, found, cpu, memory):
    [problem] = found(stack_of(fargate(cpu, memory)), "ECS310")
    assert problem.path == "service web › task web"
    start = f"Fargate does not support cpu={cpu} with memory={memory} ({cpu} CPU allows "
    assert problem.message.startswith(start)


def test_ecs310_message_as_documented(stack_of, found):
    [problem] = found(stack_of(fargate(256, 4096)), "ECS310")
    assert problem.message == ("Fargate does not support cpu=256 with memory=4096 "
                               "(256 CPU allows 512, 1024, 2048).")
    assert "memory=2048" in problem.hint and "cpu=512" in problem.hint
    [problem] = found(stack_of(fargate(1024, 1024)), "ECS310")
    assert "(1024 CPU allows 2048 to 8192 in steps of 1024)" in problem.message


@pytest.mark.parametrize("cpu", [128, 300, 3072, 32768])
def test_ecs310_unknown_cpu_lists_valid_cpus(stack_of, found, cpu):
    [problem] = found(stack_of(fargate(cpu, 2048)), "ECS310")
    assert f"cpu={cpu}" in problem.message
    assert "256, 512, 1024, 2048, 4096, 8192, 16384" in problem.message


def test_ecs310_fargate_needs_cpu_and_memory(found):
    task = TaskDefinition("plain")  # compatible with Fargate by default, but no size
    task.add_container("app", image="app:1")
    [problem] = found(Stack("app").add(task), "ECS310")
    assert problem.path == "task plain" and "cpu and memory are not set" in problem.message


def test_ecs310_skips_ec2_tasks(stack_of, found):
    task = Ec2TaskDefinition("web", cpu=300, memory=4096)
    task.add_container("app", image="app:1")
    assert found(stack_of(task), "ECS310") == []


# ---- ECS311 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["bridge", NetworkMode.HOST, "none"])
def test_ecs311_fargate_needs_awsvpc(stack_of, found, mode):
    [problem] = found(stack_of(fargate(network_mode=mode)), "ECS311")
    assert problem.path.endswith("task web") and "awsvpc" in problem.message


def test_ecs311_allows_awsvpc_and_ec2_bridge(stack_of, found):
    task = Ec2TaskDefinition("worker", memory=512)
    task.add_container("app", image="app:1")
    assert found(stack_of(fargate(), task), "ECS311") == []


# ---- ECS312 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", [NetworkMode.AWSVPC, NetworkMode.HOST])
def test_ecs312_host_port_must_equal_container_port(stack_of, found, mode):
    task = Ec2TaskDefinition("web", network_mode=mode, memory=512)
    task.add_container("app", image="app:1", ports=[PortMapping(8080, host_port=80)])
    [problem] = found(stack_of(task), "ECS312")
    assert problem.path.endswith("task web › container app")
    assert "host port 80" in problem.message and "host_port=8080" in problem.hint


def test_ecs312_network_mode_none_takes_no_ports(stack_of, found):
    task = Ec2TaskDefinition("web", network_mode="none", memory=512)
    task.add_container("app", image="app:1", ports=[8080, 8081])
    [problem] = found(stack_of(task), "ECS312")
    assert "none" in problem.message


@pytest.mark.parametrize(("mode", "port"), [
    ("awsvpc", 8080), ("awsvpc", PortMapping(8080, host_port=8080)), ("host", PortMapping(8080)),
    ("bridge", PortMapping(8080, host_port=80)), ("bridge", 8080),
])
def test_ecs312_allows_fitting_ports(stack_of, found, mode, port):
    task = Ec2TaskDefinition("web", network_mode=mode, memory=512)
    task.add_container("app", image="app:1", ports=[port])
    assert found(stack_of(task), "ECS312") == []


# ---- ECS313 ------------------------------------------------------------------------------------

def test_ecs313_two_containers_on_one_port_under_awsvpc(stack_of, found):
    task = fargate(1024, 2048)
    task.add_container("sidecar", image="envoy", ports=[8080])
    task.container("app").ports.append(PortMapping(8080))
    [problem] = found(stack_of(task), "ECS313")
    assert problem.path.endswith("container sidecar") and "'app'" in problem.message


def test_ecs313_one_container_mapping_a_port_twice(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[8080, 8080])
    [problem] = found(stack_of(task), "ECS313")
    assert problem.path.endswith("container app") and "twice" in problem.message


def test_ecs313_bridge_fixed_host_port_twice(stack_of, found):
    task = Ec2TaskDefinition("web", memory=1024)
    task.add_container("a", image="x", ports=[PortMapping(8080, host_port=80)])
    task.add_container("b", image="x", ports=[PortMapping(9090, host_port=80)])
    [problem] = found(stack_of(task), "ECS313")
    assert problem.path.endswith("container b") and "host port 80/tcp" in problem.message


def test_ecs313_allows_other_protocols_and_dynamic_bridge_ports(stack_of, found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[8080, PortMapping(8080, protocol=Protocol.UDP)])
    bridge = Ec2TaskDefinition("worker", memory=1024)
    bridge.add_container("a", image="x", ports=[8080])
    bridge.add_container("b", image="x", ports=[8080, PortMapping(9090, host_port=0)])
    bridge.add_container("c", image="x", ports=[PortMapping(9090, host_port=0)])
    assert found(stack_of(task, bridge), "ECS313") == []


# ---- ECS314 ------------------------------------------------------------------------------------

def test_ecs314_container_cpu_sum_exceeds_task(stack_of, found):
    task = FargateTaskDefinition("web", cpu=256, memory=512)
    task.add_container("a", image="x", cpu=200)
    task.add_container("b", image="x", cpu=100)
    [problem] = found(stack_of(task), "ECS314")
    assert problem.path == "service web › task web" and "300" in problem.message


def test_ecs314_container_memory_exceeds_task(stack_of, found):
    task = FargateTaskDefinition("web", cpu=256, memory=512)
    task.add_container("app", image="x", memory=1024)
    [problem] = found(stack_of(task), "ECS314")
    assert problem.path.endswith("container app") and "memory=1024" in problem.message


def test_ecs314_reservations_exceed_task(stack_of, found):
    task = FargateTaskDefinition("web", cpu=256, memory=512)
    task.add_container("a", image="x", memory_reservation=300)
    task.add_container("b", image="x", memory=300)
    [problem] = found(stack_of(task), "ECS314")
    assert problem.path == "service web › task web" and "600 MiB" in problem.message


def test_ecs314_allows_fitting_containers(stack_of, found):
    task = FargateTaskDefinition("web", cpu=512, memory=1024)
    task.add_container("a", image="x", cpu=256, memory=512)
    task.add_container("b", image="x", cpu=256, memory_reservation=256, memory=1024)
    task.add_container("c", image="x")
    assert found(stack_of(task), "ECS314") == []


# ---- ECS315 ------------------------------------------------------------------------------------

def test_ecs315_ec2_container_without_memory(stack_of, found):
    task = Ec2TaskDefinition("web")
    task.add_container("app", image="x")
    task.add_container("sidecar", image="x", memory_reservation=64)
    [problem] = found(stack_of(task), "ECS315")
    assert problem.path == "service web › task web › container app"
    assert "memory_reservation" in problem.hint


@pytest.mark.parametrize(("task_memory", "kwargs"), [
    (None, {"memory": 256}), (None, {"memory_reservation": 256}), (512, {}),
])
def test_ecs315_allows_memory_somewhere(stack_of, found, task_memory, kwargs):
    task = Ec2TaskDefinition("web", memory=task_memory)
    task.add_container("app", image="x", **kwargs)
    assert found(stack_of(task), "ECS315") == []


def test_ecs315_does_not_apply_to_fargate(found):
    task = TaskDefinition("web", compatibilities=[LaunchType.FARGATE])
    task.add_container("app", image="x")
    assert found(Stack("app").add(task), "ECS315") == []


# ---- ECS316 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("days", "nearest"), [(31, 30), (2, 1), (0, 1), (10000, 3653), (-7, 1)])
def test_ecs316_log_retention_not_allowed(stack_of, found, days, nearest):
    [problem] = found(stack_of(fargate(log_retention_days=days)), "ECS316")
    assert problem.path == "service web › task web"
    assert problem.hint == f"Use log_retention_days={nearest}."


@pytest.mark.parametrize("days", [1, 30, 365, 3653])
def test_ecs316_log_retention_allowed(stack_of, found, days):
    assert found(stack_of(fargate(log_retention_days=days)), "ECS316") == []


# ---- ECS317 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("family", ["my.app", "my app", "x" * 256])
def test_ecs317_bad_family(found, family):
    task = FargateTaskDefinition(family)
    task.add_container("app", image="x")
    [problem] = found(Stack("app").add(task), "ECS317")
    assert problem.path == f"task {family}"


@pytest.mark.parametrize(("family", "kwargs"), [("web", {}), ("my_app-2", {}), ("x" * 126, {}),
                                                ("x" * 255, {"family": "x" * 255})])
def test_ecs317_good_family(found, family, kwargs):
    task = FargateTaskDefinition(family, **kwargs)
    task.add_container("app", image="x")
    assert found(Stack("app").add(task), "ECS317") == []
