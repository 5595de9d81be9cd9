"""ECS6xx: load balancers, listeners and the services behind them."""

from __future__ import annotations

import pytest

from ecsstack import (
    ApplicationLoadBalancer,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    NetworkLoadBalancer,
    NetworkMode,
    PortMapping,
    Service,
    Stack,
    TargetHealthCheck,
    Vpc,
)

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"


def service(name: str = "web", *, ports=(8080,), ec2: bool = False, mode: NetworkMode | None = None,
            **kwargs) -> Service:
    if ec2:
        task = Ec2TaskDefinition(name, memory=512, **({"network_mode": mode} if mode else {}))
    else:
        task = FargateTaskDefinition(name)
    task.add_container("app", image="app:1", ports=list(ports))
    return Service(name, cluster=Cluster("main"), task=task, **kwargs)


def stack_with(*services: Service) -> Stack:
    return Stack("app").add(*services)


# ---- ECS601 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "target_type", "text"), [
    ({"ec2": True, "mode": NetworkMode.NONE, "ports": ()}, None, "network_mode=none"),
    ({"ec2": True}, "ip", "target_type=ip"),
    ({"ec2": True, "mode": NetworkMode.HOST}, "ip", "network_mode=host"),
    ({}, "instance", "target_type=instance"),
])
def test_ecs601_target_type_against_network_mode(found, kwargs, target_type, text):
    web = service(**kwargs)
    ApplicationLoadBalancer("public").listen_http().add_target(web, target_type=target_type)
    [problem] = found(stack_with(web), "ECS601")
    assert problem.path == "service web › load balancer public › listener 80" and text in problem.message


@pytest.mark.parametrize(("kwargs", "target_type"), [
    ({}, None), ({}, "ip"), ({"ec2": True}, None), ({"ec2": True}, "instance"),
    ({"ec2": True, "mode": NetworkMode.AWSVPC}, None), ({"ec2": True, "mode": NetworkMode.HOST}, None),
])
def test_ecs601_allows_fitting_types(found, kwargs, target_type):
    web = service(**kwargs)
    NetworkLoadBalancer("tcp").listen_tcp(8080).add_target(web, target_type=target_type)
    assert found(stack_with(web), "ECS601") == []


# ---- ECS602 ------------------------------------------------------------------------------------

def test_ecs602_https_without_certificate(found):
    web = service()
    ApplicationLoadBalancer("public").listen_https().add_target(web)
    [problem] = found(stack_with(web), "ECS602")
    assert problem.path == "load balancer public › listener 443" and "certificate" in problem.message


def test_ecs602_allows_arn_and_parameter(found):
    stack = Stack("app")
    web, api = service(), service("api")
    ApplicationLoadBalancer("a").listen_https(CERT).add_target(web)
    ApplicationLoadBalancer("b").listen_https(stack.parameter("Cert")).add_target(api)
    assert found(stack.add(web, api), "ECS602") == []


# ---- ECS603 / ECS604 -----------------------------------------------------------------------------

def test_ecs603_same_priority(found):
    web, api = service(), service("api")
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(web, path="/web/*", priority=7)
    listener.add_target(api, path="/api/*", priority=7)
    [problem] = found(stack_with(web, api), "ECS603")
    assert problem.path == "service api › load balancer public › listener 80" and "'web'" in problem.message


@pytest.mark.parametrize("priority", [0, 50001])
def test_ecs603_priority_out_of_range(found, priority):
    web = service()
    ApplicationLoadBalancer("public").listen_http().add_target(web, path="/x", priority=priority)
    [problem] = found(stack_with(web), "ECS603")
    assert f"priority={priority}" in problem.message


def test_ecs603_allows_auto_and_distinct_priorities(found):
    web, api, admin = service(), service("api"), service("admin")
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(web, path="/web/*", priority=10)   # auto would give 10 to the first: it moves
    listener.add_target(api, path="/api/*")
    listener.add_target(admin, host="admin.example.com", priority=3)
    assert found(stack_with(web, api, admin), "ECS603") == []
    assert [p for _, p in listener.rule_priorities()] == [10, 20, 3]


@pytest.mark.parametrize(("first", "second", "text"), [
    ({"path": "/api/*"}, {"path": ["/api/*"]}, "path /api/*"),
    ({"path": "/a", "host": "x.com"}, {"host": "x.com", "path": "/a"}, "path /a and host x.com"),
    ({}, {}, "second default target"),
])
def test_ecs604_same_route(found, first, second, text):
    web, api = service(), service("api")
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(web, **first)
    listener.add_target(api, **second)
    [problem] = found(stack_with(web, api), "ECS604")
    assert problem.path.startswith("service api ›") and text in problem.message


def test_ecs604_allows_different_routes(found):
    web, api, admin = service(), service("api"), service("admin")
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(web)
    listener.add_target(api, path="/api/*")
    listener.add_target(admin, path="/api/*", host="admin.example.com")
    assert found(stack_with(web, api, admin), "ECS604") == []


# ---- ECS605 ------------------------------------------------------------------------------------

def test_ecs605_unknown_container(found):
    web = service()
    ApplicationLoadBalancer("public").listen_http().add_target(web, container="ap")
    [problem] = found(stack_with(web), "ECS605")
    assert "no container named 'ap'" in problem.message and "Did you mean 'app'?" in problem.message


def test_ecs605_port_not_mapped(found):
    web = service()
    ApplicationLoadBalancer("public").listen_http().add_target(web, port=9090)
    [problem] = found(stack_with(web), "ECS605")
    assert problem.path == "service web › load balancer public › listener 80" and "port=9090" in problem.message


def test_ecs605_ambiguous_container(found):
    web = service()
    web.task.add_container("admin", image="admin:1", ports=[9000])
    ApplicationLoadBalancer("public").listen_http().add_target(web)
    [problem] = found(stack_with(web), "ECS605")
    assert "not clear which one" in problem.message and "container=" in problem.hint


def test_ecs605_named_container_without_ports(found):
    web = service()
    web.task.add_container("side", image="side:1", essential=False)
    ApplicationLoadBalancer("public").listen_http().add_target(web, container="side")
    [problem] = found(stack_with(web), "ECS605")
    assert "'side' has no port mappings" in problem.message


def test_ecs605_allows_named_and_implied(found):
    web = service()
    web.task.add_container("admin", image="admin:1", ports=[9000], essential=False)
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(web)  # the only essential container with ports
    listener.add_target(web, container=web.task.container("admin"), port=9000, path="/admin/*")
    assert found(stack_with(web), "ECS605") == []


# ---- ECS606 ------------------------------------------------------------------------------------

def test_ecs606_internet_facing_in_private_subnets(found):
    vpc = Vpc("main")
    web = service(vpc=vpc)
    ApplicationLoadBalancer("public", subnets=vpc.private_subnets).listen_http().add_target(web)
    [problem] = found(stack_with(web), "ECS606")
    assert problem.path == "load balancer public" and "private subnets of vpc 'main'" in problem.message


@pytest.mark.parametrize(("facing", "kind"), [(True, "public"), (False, "private"), (False, "public")])
def test_ecs606_allows_fitting_subnets(found, facing, kind):
    vpc = Vpc("main")
    web = service(vpc=vpc)
    lb = ApplicationLoadBalancer("lb", internet_facing=facing, subnets=getattr(vpc, f"{kind}_subnets"))
    lb.listen_http().add_target(web)
    assert found(stack_with(web), "ECS606") == []


# ---- ECS608 ------------------------------------------------------------------------------------

def test_ecs608_task_without_ports(found):
    web = service(ports=())
    ApplicationLoadBalancer("public").listen_http().add_target(web)
    [problem] = found(stack_with(web), "ECS608")
    assert problem.path == "service web" and "no port mappings" in problem.message
    assert found(stack_with(web), "ECS605") == []


def test_ecs608_allows_ports(found):
    web = service()
    ApplicationLoadBalancer("public").listen_http().add_target(web)
    assert found(stack_with(web), "ECS608") == []


# ---- ECS610 ------------------------------------------------------------------------------------

def test_ecs610_second_listener_on_port_80(found):
    web = service()
    alb = ApplicationLoadBalancer("public")
    alb.listen_https(CERT).add_target(web)
    alb.listen_http()
    [problem] = found(stack_with(web), "ECS610")
    assert problem.path == "load balancer public › listener 80" and "redirect" in problem.message


def test_ecs610_allows_distinct_ports(found):
    web = service()
    alb = ApplicationLoadBalancer("public")
    alb.listen_https(CERT, redirect_http=False).add_target(web)
    alb.listen_http().add_target(web)
    assert found(stack_with(web), "ECS610") == []


# ---- ECS611 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lb_vpc", "svc_vpc"), [(None, "a"), ("a", None), ("a", "b")])
def test_ecs611_different_vpcs(found, lb_vpc, svc_vpc):
    vpcs = {"a": Vpc("a"), "b": Vpc("b"), None: None}
    web = service(vpc=vpcs[svc_vpc])
    ApplicationLoadBalancer("public", vpc=vpcs[lb_vpc]).listen_http().add_target(web)
    [problem] = found(stack_with(web), "ECS611")
    assert problem.path.startswith("service web ›") and "own VPC" in problem.message


def test_ecs611_allows_same_vpc(found):
    vpc = Vpc("main")
    web, api = service(vpc=vpc), service("api")
    ApplicationLoadBalancer("a", vpc=vpc).listen_http().add_target(web)
    ApplicationLoadBalancer("b").listen_http().add_target(api)
    assert found(stack_with(web, api), "ECS611") == []


# ---- ECS612 ------------------------------------------------------------------------------------

def test_ecs612_allow_from_behind_load_balancer(found):
    web = service(allow_from=["10.0.0.0/8"])
    ApplicationLoadBalancer("public").listen_http().add_target(web)
    [problem] = found(stack_with(web), "ECS612")
    assert problem.path == "service web" and "bypass" in problem.message


def test_ecs612_allows_allow_from_without_load_balancer(found):
    assert found(stack_with(service(allow_from=["10.0.0.0/8"])), "ECS612") == []


# ---- ECS613 ------------------------------------------------------------------------------------

def test_ecs613_udp_listener_to_tcp_port(found):
    svc = service("dns", ports=[53])
    NetworkLoadBalancer("dns").listen_udp(53).add_target(svc, health_check=TargetHealthCheck(port=53))
    [problem] = found(stack_with(svc), "ECS613")
    assert problem.path == "service dns › load balancer dns › listener 53" and "mapped as tcp" in problem.message


def test_ecs613_udp_target_needs_health_check_port(found):
    svc = service("dns", ports=[PortMapping(53, protocol="udp")])
    NetworkLoadBalancer("dns").listen_udp(53).add_target(svc)
    [problem] = found(stack_with(svc), "ECS613")
    assert "TCP port" in problem.message


def test_ecs613_allows_matching_protocols(found):
    svc = service("dns", ports=[PortMapping(53, protocol="udp"), 8053])
    nlb = NetworkLoadBalancer("dns")
    nlb.listen_udp(53).add_target(svc, container="app", port=53, health_check=TargetHealthCheck(port=8053))
    nlb.listen_tcp(8053).add_target(svc, port=8053)
    assert found(stack_with(svc), "ECS613") == []


# ---- ECS616 ------------------------------------------------------------------------------------

def test_ecs616_nlb_listener_without_target(found):
    svc = service("db", ports=[5432])
    nlb = NetworkLoadBalancer("db")
    nlb.listen_tcp(5432).add_target(svc)
    nlb.listen_tcp(5433)
    [problem] = found(stack_with(svc), "ECS616")
    assert problem.path == "load balancer db › listener 5433"


def test_ecs616_allows_alb_listener_without_target(found):
    svc = service()
    alb = ApplicationLoadBalancer("public")
    alb.listen_http(8000)  # answers 404
    alb.listen_http().add_target(svc)
    assert found(stack_with(svc), "ECS616") == []


# ---- the load balancer comes along with the service ---------------------------------------------------

def test_adding_the_service_brings_its_load_balancer():
    vpc = Vpc("main")
    web = service(vpc=vpc)
    alb = ApplicationLoadBalancer("public", vpc=vpc)
    alb.listen_http().add_target(web)
    stack = stack_with(web)
    assert any(r is alb for r in stack.resources) and any(r is vpc for r in stack.resources)


# ---- ECS617 ------------------------------------------------------------------------------------

def test_ecs617_internet_facing_plain_http(found):
    web, api = service("web"), service("api")
    listener = ApplicationLoadBalancer("public").listen_http()
    listener.add_target(web)
    listener.add_target(api, path="/api/*")
    [problem] = found(stack_with(web, api), "ECS617")
    assert problem.severity == "warning"
    assert problem.path == "load balancer public › listener 80"
    assert problem.message.startswith("forwards plain HTTP from the internet to service 'web', 'api': ")
    assert "listen_https(certificate=" in problem.hint and "internet_facing=False" in problem.hint


def test_ecs617_allows_https_redirects_internal_and_network_load_balancers(found):
    web, internal, tcp = service("web"), service("internal"), service("tcp")
    ApplicationLoadBalancer("public").listen_https(CERT).add_target(web)  # port 80 only redirects
    ApplicationLoadBalancer("private", internet_facing=False).listen_http().add_target(internal)
    NetworkLoadBalancer("nlb").listen_tcp(8080).add_target(tcp)
    ApplicationLoadBalancer("empty").listen_http()  # forwards nothing: a fixed 404
    assert found(stack_with(web, internal, tcp), "ECS617") == []


# ---- ECS618 ------------------------------------------------------------------------------------

def test_ecs618_fixed_health_check_port_under_dynamic_host_ports(found):
    web = service(ec2=True)
    alb = ApplicationLoadBalancer("public", internet_facing=False)
    alb.listen_http().add_target(web, health_check=TargetHealthCheck(path="/health", port=8080))
    [problem] = found(stack_with(web), "ECS618")
    assert problem.severity == "error"
    assert problem.path == "service web › load balancer public › listener 80"
    assert problem.message.startswith("health_check port=8080, but container 'app' maps port 8080 to a dynamic "
                                      "host port (bridge networking)")
    assert "Leave port= out of TargetHealthCheck" in problem.hint
    assert "PortMapping(8080, host_port=8080)" in problem.hint


def test_ecs618_udp_target_can_only_map_a_fixed_host_port(found):
    web = service(ec2=True, ports=(PortMapping(5000, protocol="udp"),))
    NetworkLoadBalancer("nlb").listen_udp(5000).add_target(web, health_check=TargetHealthCheck(port=8080))
    [problem] = found(stack_with(web), "ECS618")
    assert problem.hint == "Map a fixed host port: PortMapping(5000, host_port=5000) (one task per instance)."


def test_ecs618_host_port_zero_is_dynamic_too(found):
    web = service(ec2=True, ports=(PortMapping(8080, host_port=0),))
    alb = ApplicationLoadBalancer("public", internet_facing=False)
    alb.listen_http().add_target(web, health_check=TargetHealthCheck(port=9000))
    assert [p.rule for p in found(stack_with(web), "ECS618")] == ["ECS618"]


@pytest.mark.parametrize(("kwargs", "check_port"), [
    ({"ec2": True}, None),  # traffic-port
    ({"ec2": True, "ports": (PortMapping(8080, host_port=8080),)}, 8080),
    ({"ec2": True, "mode": NetworkMode.HOST}, 9000),
    ({"ec2": True, "mode": NetworkMode.AWSVPC}, 9000),
    ({}, 9000),
])
def test_ecs618_allows_traffic_port_and_fixed_ports(found, kwargs, check_port):
    web = service(**kwargs)
    alb = ApplicationLoadBalancer("public", internet_facing=False)
    alb.listen_http().add_target(web, health_check=TargetHealthCheck(port=check_port))
    assert found(stack_with(web), "ECS618") == []
