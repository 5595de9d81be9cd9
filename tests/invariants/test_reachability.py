"""Reachability: every declared path admitted, nothing else; on the shipped blueprints and on broken templates."""

from __future__ import annotations

import copy

import pytest

from ecsstack import (
    ApplicationLoadBalancer,
    CapacityProviderStrategy,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    Namespace,
    NetworkLoadBalancer,
    PortMapping,
    Service,
    ServiceConnect,
    Stack,
)
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import check_template, reachability
from ecsstack.invariants._template import Template

from .cases import shipped

STACKS = shipped()


@pytest.mark.parametrize("stack", STACKS, ids=lambda s: s.name)
def test_shipped_blueprints_pass(stack: Stack) -> None:
    template, _ = compile_with_warnings(stack)
    assert reachability.check(stack, Template(template)) == []


def _behind_alb(mode: str) -> Stack:
    stack = Stack("demo")
    cluster = Cluster("main")
    if mode == "fargate":
        task = FargateTaskDefinition("web")
        task.add_container("app", image="nginx:1.27", ports=[8080])
        service = Service("web", cluster=cluster, task=task)
    else:
        cap = cluster.add_ec2_capacity("ec2")
        task = Ec2TaskDefinition("web", network_mode=mode, memory=512)
        task.add_container("app", image="nginx:1.27", ports=[8080])
        service = Service("web", cluster=cluster, task=task, capacity_provider_strategy=[CapacityProviderStrategy(cap)])
    ApplicationLoadBalancer("public").listen_http().add_target(service)
    return stack.add(service)


@pytest.mark.parametrize("mode", ["fargate", "awsvpc", "bridge", "host"])
def test_every_network_mode_passes_and_a_deleted_rule_fires(mode: str) -> None:
    stack = _behind_alb(mode)
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template) == []
    broken = copy.deepcopy(template)
    for logical in [k for k, v in broken["Resources"].items() if v["Type"] == "AWS::EC2::SecurityGroupIngress"]:
        del broken["Resources"][logical]
    problems = reachability.check(stack, Template(broken))
    assert [p.rule for p in problems] == ["ECS910"]
    assert "load balancer public → service web" in problems[0].message


def test_bridge_paths_use_the_dynamic_port_range() -> None:
    stack = _behind_alb("bridge")
    template, _ = compile_with_warnings(stack)
    [path] = [p for p in reachability.declared_paths(Template(template), stack) if "→ service web" in p.label]
    assert (path.low, path.high) == reachability.EPHEMERAL_PORTS


def test_an_extra_rule_fires() -> None:
    stack = _behind_alb("fargate")
    template, _ = compile_with_warnings(stack)
    group = template["Resources"]["WebServiceSecurityGroup"]["Properties"]
    group["SecurityGroupIngress"] = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]
    [problem] = reachability.check(stack, Template(template))
    assert problem.rule == "ECS911" and "tcp/22 from 0.0.0.0/0" in problem.message


def test_a_widened_rule_fires() -> None:
    stack = _behind_alb("fargate")
    template, _ = compile_with_warnings(stack)
    [ingress] = [v for v in template["Resources"].values() if v["Type"] == "AWS::EC2::SecurityGroupIngress"]
    ingress["Properties"]["ToPort"] = 8090
    assert [p.rule for p in reachability.check(stack, Template(template))] == ["ECS911"]


def test_allow_from_and_service_connect_paths() -> None:
    stack = Stack("demo")
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    api_task = FargateTaskDefinition("api")
    api_task.add_container("api", image="api:1", ports=[PortMapping(8080, name="http")])
    api = Service("api", cluster=cluster, task=api_task, service_connect=ServiceConnect(ports=["http"]),
                  allow_from=["10.0.0.0/8"])
    web_task = FargateTaskDefinition("web")
    web_task.add_container("web", image="web:1")
    web = Service("web", cluster=cluster, task=web_task, service_connect=ServiceConnect())
    stack.add(api, web)
    template, _ = compile_with_warnings(stack)
    view = Template(template)
    labels = sorted(p.label for p in reachability.declared_paths(view, stack))
    assert labels == ["10.0.0.0/8 → service api (container api, tcp/8080; allow_from)",
                      "service web → service api (Service Connect, tcp/8080)"]
    assert check_template(stack, template) == []
    del template["Resources"]["ApiServiceSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    [problem] = reachability.check(stack, view)
    assert problem.rule == "ECS910" and "10.0.0.0/8 → service api" in problem.message


def test_a_load_balancer_listener_needs_its_allow_from() -> None:
    stack = Stack("demo")
    task = FargateTaskDefinition("dns")
    task.add_container("dns", image="dns:1", ports=[PortMapping(53, protocol="udp")])
    service = Service("dns", cluster=Cluster("main"), task=task)
    from ecsstack import TargetHealthCheck

    NetworkLoadBalancer("nlb", allow_from=["192.0.2.0/24"]).listen_udp(53).add_target(
        service, health_check=TargetHealthCheck(port=8080, protocol="TCP"))
    stack.add(service)
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template) == []
    template["Resources"]["NlbLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"][0]["CidrIp"] = \
        "0.0.0.0/0"
    rules = sorted(p.rule for p in reachability.check(stack, Template(template)))
    assert rules == ["ECS911"]  # the wider range still admits the declared one, and more
