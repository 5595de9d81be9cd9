"""ECS6xx: Cloud Map registration and Service Connect."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    FargateTaskDefinition,
    Namespace,
    PortMapping,
    Service,
    ServiceConnect,
    ServiceConnectPort,
    Stack,
    ValidationError,
    Vpc,
)


def service(name: str = "api", *, ports=None, cluster: Cluster | None = None, **kwargs) -> Service:
    task = FargateTaskDefinition(name)
    task.add_container("app", image="app:1", ports=list(ports or [PortMapping(8080, name="http")]))
    return Service(name, cluster=cluster or Cluster("main"), task=task, **kwargs)


# ---- ECS607 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ports", "text"), [
    ([8080], "(none has a name)"),
    ([PortMapping(8080, name="htp")], "Did you mean 'htp'?"),
])
def test_ecs607_port_name_not_a_named_mapping(found, ports, text):
    svc = service(ports=ports, service_connect=ServiceConnect(Namespace("internal"), ports=["http"]))
    [problem] = found(Stack("app").add(svc), "ECS607")
    assert problem.path == "service api" and text in problem.message and 'name="http"' in problem.hint


def test_ecs607_allows_named_mapping(found):
    svc = service(service_connect=ServiceConnect(Namespace("internal"), ports=[ServiceConnectPort("http")]))
    assert found(Stack("app").add(svc), "ECS607") == []


# ---- ECS609 ------------------------------------------------------------------------------------

def test_ecs609_service_connect_without_namespace(found):
    [problem] = found(Stack("app").add(service(service_connect=ServiceConnect())), "ECS609")
    assert problem.path == "service api" and "namespace" in problem.message


def test_ecs609_registered_twice(found):
    svc = service().register_dns(Namespace("one")).register_dns(Namespace("two"))
    [problem] = found(Stack("app").add(svc), "ECS609")
    assert problem.path == "service api" and "'one', 'two'" in problem.message


@pytest.mark.parametrize("where", ["cluster", "service"])
def test_ecs609_allows_a_namespace_from_cluster_or_service(found, where):
    ns = Namespace("internal")
    cluster = Cluster("main", service_connect_namespace=ns if where == "cluster" else None)
    sc = ServiceConnect(namespace=ns if where == "service" else None)
    svc = service(cluster=cluster, service_connect=sc).register_dns(ns)
    assert found(Stack("app").add(svc), "ECS609") == []


def test_service_connect_true_is_a_client():
    svc = service(cluster=Cluster("main", service_connect_namespace=Namespace("internal")), service_connect=True)
    assert isinstance(svc.service_connect, ServiceConnect) and svc.service_connect.ports == []


def test_build_time_argument_checks():
    with pytest.raises(ValidationError) as info:
        service(service_connect="yes")
    assert info.value.problems[0].rule == "ECS001"
    with pytest.raises(ValidationError):
        service().register_dns("internal")
    with pytest.raises(ValidationError):
        Namespace("Not A Name")
    with pytest.raises(ValidationError) as info:
        ServiceConnect(client=False)
    assert "neither call nor serve" in info.value.problems[0].message


# ---- ECS614 ------------------------------------------------------------------------------------

def test_ecs614_two_servers_with_one_name(found):
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    one = service("api", cluster=cluster, service_connect=ServiceConnect(ports=["http"]))
    two = service("api-v2", cluster=cluster,
                  service_connect=ServiceConnect(ports=[ServiceConnectPort("http", dns_name="api")]))
    [problem] = found(Stack("app").add(one, two), "ECS614")
    assert problem.path == "service api-v2" and "'api'" in problem.message


def test_ecs614_two_registrations_with_one_name(found):
    ns = Namespace("internal")
    one = service("api").register_dns(ns, "db")
    two = service("worker").register_dns(ns, "db")
    [problem] = found(Stack("app").add(one, two), "ECS614")
    assert problem.path == "service worker"


def test_ecs614_allows_same_name_in_other_namespaces(found):
    one = service("api", service_connect=ServiceConnect(Namespace("a"), ports=["http"]))
    two = service("api2", service_connect=ServiceConnect(Namespace("b"), ports=[ServiceConnectPort("http", "api")]))
    assert found(Stack("app").add(one, two), "ECS614") == []


# ---- ECS615 ------------------------------------------------------------------------------------

def test_ecs615_namespace_in_another_vpc(found):
    vpc = Vpc("main")
    svc = service(vpc=vpc).register_dns(Namespace("internal"))
    [problem] = found(Stack("app").add(svc), "ECS615")
    assert problem.path == "service api" and "vpc 'main'" in problem.message


def test_ecs615_service_connect_namespace_in_another_vpc(found):
    svc = service(service_connect=ServiceConnect(Namespace("internal", vpc=Vpc("other")), ports=["http"]))
    [problem] = found(Stack("app").add(svc), "ECS615")
    assert "vpc 'other'" in problem.message


def test_ecs615_allows_same_vpc(found):
    vpc = Vpc("main")
    ns = Namespace("internal", vpc=vpc)
    svc = service(vpc=vpc, service_connect=ServiceConnect(ns, ports=["http"])).register_dns(ns, "api-dns")
    assert found(Stack("app").add(svc), "ECS615") == []


def test_adding_the_service_brings_its_namespaces():
    ns, other = Namespace("internal"), Namespace("other")
    svc = service(cluster=Cluster("main", service_connect_namespace=ns), service_connect=True)
    svc.register_dns(other)
    stack = Stack("app").add(svc)
    assert stack.of_type(Namespace) == [ns, other]


def test_ecs622_service_connect_needs_awsvpc_or_bridge(found):
    from ecsstack import Cluster, Ec2TaskDefinition, Namespace, Service, ServiceConnect, Stack

    for mode, expected in (("host", 1), ("bridge", 0), ("awsvpc", 0)):
        cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
        cluster.add_ec2_capacity("ec2")
        task = Ec2TaskDefinition("api", memory=512, network_mode=mode)
        task.add_container("app", image="api:1", ports=[8080])
        stack = Stack("app").add(Service("api", cluster=cluster, task=task, service_connect=ServiceConnect()))
        problems = found(stack, "ECS622")
        assert len(problems) == expected, mode
        if problems:
            assert problems[0].path == "service api" and "host network mode" in problems[0].message
