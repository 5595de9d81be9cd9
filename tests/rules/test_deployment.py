"""ECS420–431: deployment strategies, their routes, ranges and hooks."""

from __future__ import annotations

import pytest

from ecsstack import (
    ApplicationLoadBalancer,
    Cluster,
    Deployment,
    FargateTaskDefinition,
    LifecycleHook,
    LifecycleStage,
    LoadBalancedWebService,
    Namespace,
    NetworkLoadBalancer,
    PortMapping,
    Service,
    ServiceConnect,
    Stack,
)
from ecsstack.rules import check_stack

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:check"


def found(stack: Stack, rule_id: str) -> list:
    return [p for p in check_stack(stack) if p.rule == rule_id]


def task(family: str = "web", port: int = 8080, name: str | None = None) -> FargateTaskDefinition:
    t = FargateTaskDefinition(family)
    t.add_container("app", image="app:1", ports=[PortMapping(port, name=name)])
    return t


def worker(deployment: Deployment, **kwargs) -> Stack:
    return Stack("app").add(Service("worker", cluster=Cluster("main"), task=task("worker"), deployment=deployment,
                                    **kwargs))


def web(deployment: Deployment, **kwargs) -> Stack:
    stack = Stack("app")
    LoadBalancedWebService(stack, "web", image="app:1", deployment=deployment, **kwargs)
    return stack


# ---- ECS420 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("deployment", [Deployment.blue_green(), Deployment.canary(), Deployment.linear()])
def test_ecs420_traffic_shifting_without_a_route(deployment):
    [problem] = found(worker(deployment), "ECS420")
    assert problem.severity == "error" and problem.path == "service worker › deployment"
    assert "no load balancer target nor Service Connect port" in problem.message
    assert "listener.add_target(service)" in problem.hint and "Deployment.rolling()" in problem.hint


def test_ecs420_allows_a_load_balancer_or_a_service_connect_server_and_rolling_anywhere():
    assert found(web(Deployment.blue_green()), "ECS420") == []
    ns = Namespace("internal")
    served = Service("api", cluster=Cluster("main", service_connect_namespace=ns), task=task("api", name="http"),
                     service_connect=ServiceConnect(ports=["http"]), deployment=Deployment.blue_green())
    assert found(Stack("app").add(served), "ECS420") == []
    assert found(worker(Deployment.rolling()), "ECS420") == []
    client_only = Service("cli", cluster=Cluster("main", service_connect_namespace=ns), task=task("cli"),
                          service_connect=ServiceConnect(), deployment=Deployment.canary())
    assert len(found(Stack("app").add(client_only), "ECS420")) == 1  # a client receives no traffic to shift


# ---- ECS421 ---------------------------------------------------------------------------------------

def test_ecs421_hooks_on_a_rolling_deployment():
    hook = LifecycleHook(FUNCTION, [LifecycleStage.POST_SCALE_UP])
    [problem] = found(web(Deployment(hooks=[hook])), "ECS421")
    assert "ECS runs lifecycle hooks only in blue/green, canary and linear" in problem.message
    assert found(web(Deployment.linear(hooks=[hook])), "ECS421") == []


# ---- ECS422 / ECS423 ------------------------------------------------------------------------------

@pytest.mark.parametrize(("deployment", "text"), [
    (Deployment.blue_green(bake_time=1441), "bake_time=1441 minutes"),
    (Deployment.rolling(bake_time=-1), "bake_time=-1 minutes"),
    (Deployment.canary(interval=1500), "interval=1500 minutes"),
])
def test_ecs422_minutes_out_of_range(deployment, text):
    [problem] = found(web(deployment), "ECS422")
    assert text in problem.message and "0 to 1440" in problem.message


def test_ecs422_allows_the_bounds():
    assert found(web(Deployment.canary(interval=0, bake_time=1440)), "ECS422") == []


@pytest.mark.parametrize(("deployment", "text"), [
    (Deployment.canary(percent=0.05), "percent=0.05"),
    (Deployment.canary(percent=100.5), "percent=100.5"),
    (Deployment.canary(percent=12.34), "percent=12.34"),
    (Deployment.linear(step_percent=2.9), "step_percent=2.9"),
])
def test_ecs423_percentages_ecs_refuses(deployment, text):
    [problem] = found(web(deployment), "ECS423")
    assert text in problem.message and "in steps of 0.1" in problem.message


@pytest.mark.parametrize("deployment", [Deployment.canary(percent=0.1), Deployment.canary(percent=100),
                                        Deployment.linear(step_percent=3), Deployment.linear(step_percent=33.3)])
def test_ecs423_allows_the_range(deployment):
    assert found(web(deployment), "ECS423") == []


def test_ecs423_a_hand_made_canary_without_percent():
    made = Deployment(strategy="CANARY")
    assert {p.message for p in found(web(made), "ECS423")} == {"a canary deployment needs percent.",
                                                                "a canary deployment needs interval (minutes)."}


# ---- ECS424 ---------------------------------------------------------------------------------------

def test_ecs424_rolling_keywords_beside_deployment():
    [problem] = found(worker(Deployment.rolling(), min_healthy_percent=50, rollback=False), "ECS424")
    assert problem.path == "service worker"
    assert problem.message.startswith("min_healthy_percent=50, rollback=False and deployment= are both given")
    assert "Deployment.rolling(min_healthy_percent=50, rollback=False, ...)" in problem.hint


def test_ecs424_percents_do_not_move_into_a_blue_green_deployment():
    stack = web(Deployment.blue_green())
    stack.of_type(Service)[0].max_percent = 150
    [problem] = found(stack, "ECS424")
    assert "Drop max_percent=150 (a blue/green deployment starts the whole new revision" in problem.hint


def test_ecs424_allows_the_defaults_and_rollback_alarms():
    assert found(worker(Deployment.rolling(min_healthy_percent=50), rollback_alarms=["web-5xx"]), "ECS424") == []


# ---- ECS425 / ECS426 ------------------------------------------------------------------------------

def test_ecs425_test_port_on_a_listener_port():
    [problem] = found(web(Deployment.blue_green(test_port=80)), "ECS425")
    assert "test_port=80 is already load balancer web's listener 80" in problem.message
    assert "test_port=9000" in problem.hint


def test_ecs425_two_services_one_test_port():
    stack = Stack("app")
    cluster = Cluster("main")
    alb = ApplicationLoadBalancer("public", internet_facing=False)
    listener = alb.listen_http()
    for name in ("a", "b"):
        service = Service(name, cluster=cluster, task=task(name), deployment=Deployment.blue_green(test_port=9000))
        listener.add_target(service, host=f"{name}.example.com") if name == "b" else listener.add_target(service)
        stack.add(service)
    [problem] = found(stack, "ECS425")
    assert problem.path == "service b › deployment" and "test listener of service a" in problem.message


def test_ecs425_allows_a_free_port():
    assert found(web(Deployment.blue_green(test_port=9000)), "ECS425") == []


@pytest.mark.parametrize(("stack", "text"), [
    (lambda: web(Deployment(test_port=9000)), "test_port= on a rolling deployment"),
    (lambda: web(Deployment.blue_green(test_port=70000)), "test_port=70000 is not a port"),
])
def test_ecs426_test_port_without_a_test_route(stack, text):
    [problem] = found(stack(), "ECS426")
    assert text in problem.message


def test_ecs426_test_port_with_service_connect_only():
    ns = Namespace("internal")
    served = Service("api", cluster=Cluster("main", service_connect_namespace=ns), task=task("api", name="http"),
                     service_connect=ServiceConnect(ports=["http"]), deployment=Deployment.blue_green(test_port=9000))
    [problem] = found(Stack("app").add(served), "ECS426")
    assert "Service Connect routes test traffic itself" in problem.message


# ---- ECS427 / ECS428 ------------------------------------------------------------------------------

def test_ecs427_two_targets():
    stack = Stack("app")
    web_service = LoadBalancedWebService(stack, "web", image="app:1", deployment=Deployment.blue_green())
    web_service.load_balancer.listen_http(8081).add_target(web_service.service)
    [problem] = found(stack, "ECS427")
    assert "behind 2 load balancer targets" in problem.message
    assert found(web(Deployment.blue_green()), "ECS427") == []


def test_ecs428_listener_without_default_target_and_the_taken_catch_all_priority():
    stack = Stack("app")
    cluster = Cluster("main")
    api = Service("api", cluster=cluster, task=task("api"), deployment=Deployment.blue_green())
    alb = ApplicationLoadBalancer("internal", internet_facing=False)
    alb.listen_http().add_target(api, path="/api/*")
    stack.add(api)
    [problem] = found(stack, "ECS428")
    assert "fixed 404" in problem.message and "Add a target without path/host" in problem.hint

    stack = Stack("app")
    site = Service("site", cluster=cluster, task=task("site"), deployment=Deployment.blue_green())
    other = Service("other", cluster=cluster, task=task("other"))
    listener = ApplicationLoadBalancer("internal", internet_facing=False).listen_http()
    listener.add_target(other, path="/x/*", priority=50000)
    listener.add_target(site)
    stack.add(site, other)
    [problem] = found(stack, "ECS428")
    assert "priority 50000" in problem.message


def test_ecs428_allows_nlb_and_forward_only_listeners():
    stack = Stack("app")
    service = Service("tcp", cluster=Cluster("main"), task=task("tcp", 7000), deployment=Deployment.blue_green())
    NetworkLoadBalancer("edge", internet_facing=False).listen_tcp(7000).add_target(service)
    stack.add(service)
    assert found(stack, "ECS428") == []
    assert found(web(Deployment.blue_green()), "ECS428") == []


# ---- ECS429 / ECS430 / ECS431 ---------------------------------------------------------------------

@pytest.mark.parametrize(("deployment", "text"), [
    (Deployment.rolling(min_healthy_percent=120), "min_healthy_percent=120 is out of range"),
    (Deployment.rolling(max_percent=90), "max_percent=90 is below 100"),
    (Deployment.rolling(min_healthy_percent=100, max_percent=100), "can neither stop an old task"),
])
def test_ecs429_rolling_percents(deployment, text):
    [problem] = found(worker(deployment), "ECS429")
    assert text in problem.message


def test_ecs429_allows_a_service_of_no_tasks_and_sane_percents():
    assert found(worker(Deployment.rolling(min_healthy_percent=100, max_percent=100), desired_count=0),
                 "ECS429") == []
    assert found(worker(Deployment.rolling(min_healthy_percent=50, max_percent=100)), "ECS429") == []


@pytest.mark.parametrize(("deployment", "minutes"), [
    (Deployment.linear(step_percent=3, interval=120), 15 + 120 * 33),
    (Deployment.linear(step_percent=10, interval=220, bake_time=0), 220 * 9),  # 10 divides 100: 9 steps
    (Deployment.canary(interval=1440, bake_time=600), 2040),
])
def test_ecs430_longer_than_33_hours(deployment, minutes):
    if minutes <= 1980:
        assert found(web(deployment), "ECS430") == []
        return
    [problem] = found(web(deployment), "ECS430")
    assert f"takes {minutes} minutes" in problem.message and "1980 (33 hours)" in problem.message


def test_ecs430_counts_steps_as_cloudformation_does():
    assert found(web(Deployment.linear(step_percent=11, interval=219, bake_time=9)), "ECS430") == []  # 9 × 219 + 9
    assert len(found(web(Deployment.linear(step_percent=11, interval=220, bake_time=1)), "ECS430")) == 1


def test_ecs431_hooks_need_a_lambda_arn_and_stages_once():
    hooks = [LifecycleHook("check", [LifecycleStage.POST_SCALE_UP]),
             LifecycleHook(FUNCTION, []),
             LifecycleHook(FUNCTION, [LifecycleStage.POST_SCALE_UP, "post_scale_up"])]
    problems = found(web(Deployment.blue_green(hooks=hooks)), "ECS431")
    assert [(p.path, p.message.split(" ")[0]) for p in problems] == [
        ("service web › deployment › hook 1", "function='check'"),
        ("service web › deployment › hook 2", "the"),
        ("service web › deployment › hook 3", "the"),
    ]
    assert "'POST_SCALE_UP' more than once" in problems[2].message


def test_ecs431_allows_an_arn_or_a_parameter():
    stack = Stack("app")
    hooks = [LifecycleHook(FUNCTION, [LifecycleStage.PRE_SCALE_UP]),
             LifecycleHook(stack.parameter("Check"), [LifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT])]
    LoadBalancedWebService(stack, "web", image="app:1", deployment=Deployment.canary(hooks=hooks))
    assert [p for p in check_stack(stack) if p.severity == "error"] == []


def test_ecs432_request_count_scaling_with_a_traffic_shift_is_a_warning():
    stack = web(Deployment.canary(), requests_per_task=500)
    [problem] = found(stack, "ECS432")
    assert problem.severity == "warning" and problem.path == "service web › scaling › policy requests"
    assert "after every other deployment" in problem.message and "on_cpu" in problem.hint
    assert found(web(Deployment.rolling(), requests_per_task=500), "ECS432") == []
    assert found(web(Deployment.canary()), "ECS432") == []


def connect_service(deployment: Deployment, serves: bool = True) -> Stack:
    ns = Namespace("internal")
    return Stack("app").add(Service(
        "api", cluster=Cluster("main", service_connect_namespace=ns), task=task("api", name="http"),
        service_connect=ServiceConnect(ports=["http"] if serves else []), deployment=deployment))


@pytest.mark.parametrize(("deployment", "serves", "text"), [
    (Deployment.blue_green(test_header="x canary"), True, "is not an HTTP header name"),
    (Deployment(test_header="x-canary"), True, "test_header= on a rolling deployment"),
    (Deployment.canary(test_header="x-canary"), False, "serves no Service Connect port"),
    (Deployment.linear(test_header_value="yes"), True, "test_header_value= is given without test_header="),
])
def test_ecs433_test_header_needs_a_service_connect_server_and_a_shift(deployment, serves, text):
    [problem] = found(connect_service(deployment, serves), "ECS433")
    assert text in problem.message and problem.path == "service api › deployment"


def test_ecs433_allows_a_header_on_a_service_connect_server():
    deployment = Deployment.canary(test_header="x-canary", test_header_value="true")
    assert [p for p in check_stack(connect_service(deployment)) if p.severity == "error"] == []
