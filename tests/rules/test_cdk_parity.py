"""The mistakes the AWS CDK's ECS tests refuse that ecsstack's rules took over: port mapping names and
application protocols (ECS113, ECS114), Secrets Manager JSON keys on old Fargate platforms (ECS115), Windows
on Fargate (ECS318), Service Connect discovery names and alias ports (ECS620), SRV registrations without a
port (ECS621), EC2 services without EC2 capacity (ECS720)."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    Namespace,
    PortMapping,
    Secret,
    Service,
    ServiceConnect,
    ServiceConnectPort,
    Stack,
)

DB = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"


def one(task, cluster: Cluster | None = None, **service) -> Stack:
    return Stack("app").add(Service(task.family, cluster=cluster or Cluster("main"), task=task, **service))


# ---- ECS113 ----------------------------------------------------------------------------------------

def test_ecs113_port_names_unique_across_containers(found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="api")])
    task.add_container("admin", image="admin:1", ports=[PortMapping(9090, name="api")])
    [problem] = found(one(task), "ECS113")
    assert problem.path == "service web › task web › container admin" and problem.severity == "error"
    assert problem.message == ("port mapping 9090 is named 'api', a name container 'app' already gives a port "
                               "mapping; ECS needs port mapping names unique within task 'web'.")
    assert 'name="api-9090"' in problem.hint


def test_ecs113_port_names_unique_within_a_container(found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="api"), PortMapping(8081, name="api")])
    [problem] = found(one(task), "ECS113")
    assert "a name this container already gives" in problem.message


def test_ecs113_an_empty_name_is_not_dropped_silently(found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="")])
    [problem] = found(one(task), "ECS113")
    assert "empty name" in problem.message and 'name="http"' in problem.hint


def test_ecs113_allows_distinct_names(found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="api"), 8081])
    task.add_container("admin", image="admin:1", ports=[PortMapping(9090, name="admin")])
    assert found(one(task), "ECS113") == []


# ---- ECS114 ----------------------------------------------------------------------------------------

def test_ecs114_app_protocol_needs_a_name_and_a_known_value(found):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, app_protocol="HTTP")])
    problems = found(one(task), "ECS114")
    assert [p.message for p in problems] == [
        "port mapping 8080 has app_protocol='HTTP'; ECS takes 'http', 'http2', 'grpc'.",
        "port mapping 8080 sets app_protocol='HTTP' but has no name; ECS takes an application protocol only on a "
        "named port mapping."]
    assert problems[0].hint == 'Write app_protocol="http", or leave it out.'


@pytest.mark.parametrize("proto", ["http", "http2", "grpc", None])
def test_ecs114_allows_named_known_protocols(found, proto):
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="api", app_protocol=proto)])
    assert found(one(task), "ECS114") == []


# ---- ECS115 ----------------------------------------------------------------------------------------

def _keyed(key: str | None = "password") -> FargateTaskDefinition:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", secrets={"DB_PASSWORD": Secret.secrets_manager(DB, key=key)})
    return task


def test_ecs115_json_key_below_platform_1_4(found):
    [problem] = found(one(_keyed(), platform_version="1.3.0"), "ECS115")
    assert problem.path == "service web › task web › container app" and problem.severity == "error"
    assert "'DB_PASSWORD' reads one key of a JSON secret" in problem.message
    assert 'platform_version="1.4.0"' in problem.hint


@pytest.mark.parametrize(("key", "version"), [("password", "1.4.0"), ("password", "LATEST"), ("password", None),
                                              (None, "1.3.0")])
def test_ecs115_allows(found, key, version):
    assert found(one(_keyed(key), platform_version=version), "ECS115") == []


# ---- ECS318 ----------------------------------------------------------------------------------------

def test_ecs318_windows_fargate_size_and_architecture(found):
    task = FargateTaskDefinition("iis", cpu=512, memory=1024, os_family="WINDOWS_SERVER_2019_CORE",
                                 cpu_architecture="ARM64")
    task.add_container("iis", image="iis:2019")
    problems = found(one(task), "ECS318")
    assert len(problems) == 2 and all(p.path == "service iis › task iis" for p in problems)
    size = next(p for p in problems if "cpu=512" in p.message)
    assert "cpu=1024 with memory=2048" in size.hint
    assert any("X86_64 only" in p.message for p in problems)


@pytest.mark.parametrize("cpu", [1024, 2048, 4096])
def test_ecs318_allows_windows_sizes(found, cpu):
    task = FargateTaskDefinition("iis", cpu=cpu, memory=cpu * 2, os_family="WINDOWS_SERVER_2022_CORE")
    task.add_container("iis", image="iis:2022")
    assert found(one(task), "ECS318") == []


def test_ecs318_allows_small_linux_tasks(found):
    task = FargateTaskDefinition("web", cpu=256, memory=512, os_family="LINUX")
    task.add_container("app", image="app:1")
    assert found(one(task), "ECS318") == []


# ---- ECS620 ----------------------------------------------------------------------------------------

def _connected(*ports: ServiceConnectPort) -> Stack:
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    task = FargateTaskDefinition("api")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="http"), PortMapping(9090, name="grpc")])
    return one(task, cluster, service_connect=ServiceConnect(ports=list(ports)))


def test_ecs620_one_discovery_name_twice_in_a_service(found):
    stack = _connected(ServiceConnectPort("http", dns_name="api"), ServiceConnectPort("grpc", dns_name="api"))
    [problem] = found(stack, "ECS620")
    assert problem.path == "service api" and "one discovery name 'api'" in problem.message


def test_ecs620_alias_port_out_of_range(found):
    [problem] = found(_connected(ServiceConnectPort("http", port=0)), "ECS620")
    assert problem.message == "Service Connect port 'http' gives clients port 0; ports are 1 to 65535."


def test_ecs620_discovery_name_too_long(found):
    [problem] = found(_connected(ServiceConnectPort("http", dns_name="a" * 30 + "." + "b" * 40)), "ECS620")
    assert "(71 characters)" in problem.message


def test_ecs620_allows_distinct_names_and_ports(found):
    stack = _connected(ServiceConnectPort("http", dns_name="api", port=80), ServiceConnectPort("grpc"))
    assert found(stack, "ECS620") == []


# ---- ECS621 ----------------------------------------------------------------------------------------

def _registered(mode: str, ports: list[int]) -> Stack:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("worker", memory=512, network_mode=mode)
    task.add_container("app", image="worker:1", ports=ports)
    service = Service("worker", cluster=cluster, task=task)
    service.register_dns(Namespace("internal"))
    return Stack("app").add(service)


@pytest.mark.parametrize("mode", ["bridge", "host"])
def test_ecs621_srv_registration_without_a_port(found, mode):
    [problem] = found(_registered(mode, []), "ECS621")
    assert problem.path == "service worker" and problem.severity == "error"
    assert f"a {mode}-mode task gets SRV records" in problem.message and "ports=[8080]" in problem.hint


@pytest.mark.parametrize(("mode", "ports"), [("bridge", [8080]), ("awsvpc", [])])
def test_ecs621_allows(found, mode, ports):
    assert found(_registered(mode, ports), "ECS621") == []


# ---- ECS720 ----------------------------------------------------------------------------------------

def _ec2(cluster: Cluster, **service) -> Stack:
    task = Ec2TaskDefinition("api", memory=512)
    task.add_container("app", image="api:1")
    return one(task, cluster, **service)


def test_ecs720_ec2_service_without_capacity(found):
    [problem] = found(_ec2(Cluster("main")), "ECS720")
    assert problem.severity == "warning" and problem.path == "service api"
    assert "cluster 'main' has no EC2 capacity" in problem.message
    assert 'cluster.add_ec2_capacity("instances"' in problem.hint


def test_ecs720_allows_capacity_or_a_fixed_cluster_name(found):
    with_capacity = Cluster("main")
    with_capacity.add_ec2_capacity("instances")
    assert found(_ec2(with_capacity), "ECS720") == []
    assert found(_ec2(Cluster("main", cluster_name="shared")), "ECS720") == []
    fargate = FargateTaskDefinition("web")
    fargate.add_container("app", image="app:1")
    assert found(one(fargate), "ECS720") == []


# ---- ECS116 ----------------------------------------------------------------------------------------

def _moded(mode: str, port: PortMapping) -> Stack:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("api", memory=512, network_mode=mode)
    task.add_container("app", image="api:1", ports=[port])
    return one(task, cluster)


def test_ecs116_named_ports_under_host_networking(found):
    [problem] = found(_moded("host", PortMapping(8080, name="http", app_protocol="http")), "ECS116")
    assert problem.severity == "error" and problem.path == "service api › task api › container app"
    assert "sets name and app_protocol" in problem.message and "uses host" in problem.message


@pytest.mark.parametrize(("mode", "port"), [("bridge", PortMapping(8080, name="http")),
                                            ("awsvpc", PortMapping(8080, name="http")), ("host", PortMapping(8080))])
def test_ecs116_allows(found, mode, port):
    assert found(_moded(mode, port), "ECS116") == []
