"""Deployment strategies on the compiled template: Strategy, bake time, canary and linear shifts, lifecycle hooks;
behind an ALB or NLB the green target group, production rule, test listener and rule, AdvancedConfiguration and
the least-privilege traffic and hook roles; the invariants that watch them; cfn-lint on every strategy; graph."""

from __future__ import annotations

import copy
from typing import Any

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
from ecsstack.graph import render
from ecsstack.invariants import check_template
from ecsstack.lint import lint_template

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:smoke"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def web(deployment: Deployment | None = None, **kwargs: Any) -> Stack:
    stack = Stack("t")
    LoadBalancedWebService(stack, "web", image="app:1", public=False, deployment=deployment, **kwargs)
    return stack


def resources(stack: Stack) -> dict[str, Any]:
    return stack.to_dict()["Resources"]


def props(stack: Stack, logical: str) -> dict[str, Any]:
    return resources(stack)[logical]["Properties"]


def weighted(blue: str, green: str) -> dict[str, Any]:
    return {"TargetGroups": [{"TargetGroupArn": {"Ref": blue}, "Weight": 1},
                             {"TargetGroupArn": {"Ref": green}, "Weight": 0}]}


def task(family: str, port: int, name: str | None = None) -> FargateTaskDefinition:
    t = FargateTaskDefinition(family)
    t.add_container("app", image="app:1", ports=[PortMapping(port, name=name)])
    return t


# ---- the default stays what it was ------------------------------------------------------------------------------

def test_without_deployment_nothing_changes():
    template = resources(web())
    assert template["WebService"]["Properties"]["DeploymentConfiguration"] == {
        "MinimumHealthyPercent": 100, "MaximumPercent": 200,
        "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}}
    assert not [k for k in template if "Green" in k or "Traffic" in k or "Hook" in k or "ListenerRule" in k]
    assert "AdvancedConfiguration" not in template["WebService"]["Properties"]["LoadBalancers"][0]


def test_an_explicit_rolling_deployment_names_its_strategy_and_bake_time():
    config = props(web(Deployment.rolling(min_healthy_percent=50, max_percent=150, circuit_breaker=False,
                                          bake_time=5)), "WebService")["DeploymentConfiguration"]
    assert config == {"MinimumHealthyPercent": 50, "MaximumPercent": 150, "Strategy": "ROLLING",
                      "BakeTimeInMinutes": 5}


# ---- blue/green behind an ALB -----------------------------------------------------------------------------------

def test_blue_green_behind_an_alb_gets_green_target_group_rules_test_listener_and_role():
    stack = web(Deployment.blue_green(bake_time=10, test_port=9000))
    stack.of_type(Service)[0].rollback_alarms = ["web-5xx"]
    template = resources(stack)
    service = template["WebService"]["Properties"]
    assert service["DeploymentConfiguration"] == {
        "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
        "Alarms": {"AlarmNames": ["web-5xx"], "Enable": True, "Rollback": True},
        "Strategy": "BLUE_GREEN", "BakeTimeInMinutes": 10}
    assert service["LoadBalancers"] == [{
        "ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "WebServiceTargetGroup"},
        "AdvancedConfiguration": {
            "AlternateTargetGroupArn": {"Ref": "WebServiceGreenTargetGroup"},
            "ProductionListenerRule": {"Ref": "WebServiceListenerRule"},
            "RoleArn": {"Fn::GetAtt": ["WebServiceTrafficRole", "Arn"]},
            "TestListenerRule": {"Ref": "WebServiceTestListenerRule"}}}]
    # the green twin: the same target group in everything but its name
    blue, green = template["WebServiceTargetGroup"], template["WebServiceGreenTargetGroup"]
    assert blue == green
    # production: a catch-all rule at the lowest priority on the production listener, weights ECS shifts
    rule = template["WebServiceListenerRule"]["Properties"]
    assert rule["ListenerArn"] == {"Ref": "WebLoadBalancerListener80"} and rule["Priority"] == 50000
    assert rule["Conditions"] == [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}]
    assert rule["Actions"] == [{"Type": "forward",
                                "ForwardConfig": weighted("WebServiceTargetGroup", "WebServiceGreenTargetGroup")}]
    # the listener's own default still forwards (ECS refuses listeners mixing forward and fixed responses)
    assert template["WebLoadBalancerListener80"]["Properties"]["DefaultActions"] == [
        {"Type": "forward", "TargetGroupArn": {"Ref": "WebServiceTargetGroup"}}]
    # test: a listener on the test port with a rule ECS shifts the test traffic with
    test = template["WebLoadBalancerListener9000"]["Properties"]
    assert (test["Port"], test["Protocol"], test["LoadBalancerArn"]) == (9000, "HTTP", {"Ref": "WebLoadBalancer"})
    test_rule = template["WebServiceTestListenerRule"]["Properties"]
    assert test_rule["ListenerArn"] == {"Ref": "WebLoadBalancerListener9000"}
    assert test_rule["Actions"][0]["ForwardConfig"] == weighted("WebServiceTargetGroup", "WebServiceGreenTargetGroup")
    # the test port is open to the load balancer's allow_from, like its listeners
    ingress = template["WebLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {(r["FromPort"], r["CidrIp"]) for r in ingress} == {(80, "0.0.0.0/0"), (9000, "0.0.0.0/0")}
    # referenced resources need no DependsOn (cfn-lint W3005); the production listener is still waited on
    assert template["WebService"]["DependsOn"] == ["WebLoadBalancerListener80"]


def test_the_traffic_role_is_least_privilege():
    role = props(web(Deployment.blue_green(test_port=9000)), "WebServiceTrafficRole")
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs.amazonaws.com"}
    assert "ManagedPolicyArns" not in role
    [policy] = role["Policies"]
    statements = {tuple(s["Action"]): s["Resource"] for s in policy["PolicyDocument"]["Statement"]}
    assert statements == {
        ("elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
         "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"): ["*"],
        ("elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"):
            [{"Ref": "WebServiceTargetGroup"}, {"Ref": "WebServiceGreenTargetGroup"}],
        ("elasticloadbalancing:ModifyRule",): [{"Ref": "WebServiceListenerRule"},
                                                {"Ref": "WebServiceTestListenerRule"}],
    }


def test_without_test_port_no_test_listener():
    template = resources(web(Deployment.blue_green()))
    assert "WebLoadBalancerListener9000" not in template and "WebServiceTestListenerRule" not in template
    advanced = template["WebService"]["Properties"]["LoadBalancers"][0]["AdvancedConfiguration"]
    assert "TestListenerRule" not in advanced
    assert {(r["FromPort"]) for r in template["WebLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]} \
        == {80}


def test_a_routed_target_shifts_its_own_rule_and_the_test_rule_matches_alike():
    stack = Stack("t")
    cluster = Cluster("main")
    site = Service("site", cluster=cluster, task=task("site", 8080))
    api = Service("api", cluster=cluster, task=task("api", 9000), deployment=Deployment.blue_green(test_port=9090))
    listener = ApplicationLoadBalancer("pub", internet_facing=False).listen_http()
    listener.add_target(api, path="/api/*", host="api.example.com")
    listener.add_target(site)
    stack.add(site, api)
    template = resources(stack)
    rule = template["ApiServiceListenerRule"]["Properties"]
    assert rule["Priority"] == 10 and rule["Actions"][0]["ForwardConfig"] == weighted(
        "ApiServiceTargetGroup", "ApiServiceGreenTargetGroup")
    assert template["ApiServiceTestListenerRule"]["Properties"]["Conditions"] == rule["Conditions"]
    # the other service on the listener keeps its plain forward and its rolling deployment
    assert template["PubLoadBalancerListener80"]["Properties"]["DefaultActions"][0]["TargetGroupArn"] == {
        "Ref": "SiteServiceTargetGroup"}
    assert "Strategy" not in template["SiteService"]["Properties"]["DeploymentConfiguration"]


def test_an_https_test_listener_serves_the_production_certificate():
    template = resources(web(Deployment.canary(test_port=8443), certificate=CERTIFICATE))
    test = template["WebLoadBalancerListener8443"]["Properties"]
    production = template["WebLoadBalancerListener443"]["Properties"]
    assert test["Protocol"] == "HTTPS" and test["Certificates"] == production["Certificates"]
    assert test["SslPolicy"] == production["SslPolicy"]
    assert template["WebServiceListenerRule"]["Properties"]["ListenerArn"] == {"Ref": "WebLoadBalancerListener443"}


# ---- behind an NLB, and with Service Connect -----------------------------------------------------------------

def nlb(deployment: Deployment) -> Stack:
    stack = Stack("t")
    service = Service("tcp", cluster=Cluster("main"), task=task("tcp", 7000), deployment=deployment)
    NetworkLoadBalancer("edge", internet_facing=False, allow_from="10.0.0.0/8").listen_tcp(7000).add_target(service)
    return stack.add(service)


def test_behind_an_nlb_the_listeners_are_the_production_and_test_routes():
    template = resources(nlb(Deployment.linear(step_percent=20, interval=5, test_port=7001)))
    advanced = template["TcpService"]["Properties"]["LoadBalancers"][0]["AdvancedConfiguration"]
    assert advanced["ProductionListenerRule"] == {"Ref": "EdgeLoadBalancerListener7000"}
    assert advanced["TestListenerRule"] == {"Ref": "EdgeLoadBalancerListener7001"}
    assert not [k for k in template if "ListenerRule" in k]
    test = template["EdgeLoadBalancerListener7001"]["Properties"]
    assert (test["Protocol"], test["DefaultActions"]) == (
        "TCP", [{"Type": "forward", "TargetGroupArn": {"Ref": "TcpServiceTargetGroup"}}])
    statements = template["TcpServiceTrafficRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[-1] == {"Effect": "Allow", "Action": ["elasticloadbalancing:ModifyListener"],
                              "Resource": [{"Ref": "EdgeLoadBalancerListener7000"},
                                           {"Ref": "EdgeLoadBalancerListener7001"}]}
    assert "DependsOn" not in template["TcpService"]  # the listener is referenced already
    ingress = template["EdgeLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {(r["FromPort"], r["CidrIp"]) for r in ingress} == {(7000, "10.0.0.0/8"), (7001, "10.0.0.0/8")}
    assert template["TcpService"]["Properties"]["DeploymentConfiguration"]["LinearConfiguration"] == {
        "StepPercent": 20.0, "StepBakeTimeInMinutes": 5}


def test_with_service_connect_ecs_shifts_the_traffic_itself():
    ns = Namespace("internal")
    service = Service("api", cluster=Cluster("main", service_connect_namespace=ns), task=task("api", 8080, "http"),
                      service_connect=ServiceConnect(ports=["http"]), deployment=Deployment.blue_green(bake_time=5))
    template = resources(Stack("t").add(service))
    assert template["ApiService"]["Properties"]["DeploymentConfiguration"]["Strategy"] == "BLUE_GREEN"
    assert not [k for k in template if "Green" in k or "Traffic" in k or template[k]["Type"].startswith(
        "AWS::ElasticLoadBalancingV2")]


def test_a_service_connect_test_header_routes_test_traffic_to_the_new_revision():
    ns = Namespace("internal")
    service = Service("api", cluster=Cluster("main", service_connect_namespace=ns), task=task("api", 8080, "http"),
                      service_connect=ServiceConnect(ports=["http"]),
                      deployment=Deployment.canary(test_header="x-canary", test_header_value="true"))
    stack = Stack("t").add(service)
    [alias] = props(stack, "ApiService")["ServiceConnectConfiguration"]["Services"][0]["ClientAliases"]
    assert alias["TestTrafficRules"] == {"Header": {"Name": "x-canary", "Value": {"Exact": "true"}}}
    service.deployment = Deployment.canary(test_header="x-canary")
    [alias] = props(stack, "ApiService")["ServiceConnectConfiguration"]["Services"][0]["ClientAliases"]
    assert alias["TestTrafficRules"] == {"Header": {"Name": "x-canary"}}
    assert lint_template(stack.to_dict()) == []
    service.deployment = Deployment.canary()
    [alias] = props(stack, "ApiService")["ServiceConnectConfiguration"]["Services"][0]["ClientAliases"]
    assert "TestTrafficRules" not in alias


# ---- canary, linear, hooks ------------------------------------------------------------------------------------

def test_canary_and_linear_configurations():
    canary = props(web(Deployment.canary(percent=12.5, interval=7, bake_time=30)), "WebService")
    assert canary["DeploymentConfiguration"]["CanaryConfiguration"] == {"CanaryPercent": 12.5,
                                                                        "CanaryBakeTimeInMinutes": 7}
    assert canary["DeploymentConfiguration"]["BakeTimeInMinutes"] == 30
    assert "MinimumHealthyPercent" not in canary["DeploymentConfiguration"]  # no percent applies
    linear = props(web(Deployment.linear()), "WebService")["DeploymentConfiguration"]
    assert (linear["Strategy"], linear["LinearConfiguration"]) == ("LINEAR", {"StepPercent": 10.0,
                                                                              "StepBakeTimeInMinutes": 6})


def test_hooks_get_a_role_that_invokes_exactly_their_functions():
    stack = Stack("t")
    check = stack.parameter("CheckArn")
    hooks = [LifecycleHook(FUNCTION, [LifecycleStage.POST_TEST_TRAFFIC_SHIFT], {"suite": "smoke"}),
             LifecycleHook(check, [LifecycleStage.PRE_SCALE_UP, LifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT]),
             LifecycleHook(FUNCTION, [LifecycleStage.PRODUCTION_TRAFFIC_SHIFT])]
    LoadBalancedWebService(stack, "web", image="app:1", public=False, deployment=Deployment.blue_green(hooks=hooks))
    template = resources(stack)
    role = {"Fn::GetAtt": ["WebServiceHookRole", "Arn"]}
    assert template["WebService"]["Properties"]["DeploymentConfiguration"]["LifecycleHooks"] == [
        {"HookTargetArn": FUNCTION, "LifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"], "RoleArn": role,
         "HookDetails": {"suite": "smoke"}},
        {"HookTargetArn": {"Ref": "CheckArn"}, "LifecycleStages": ["PRE_SCALE_UP", "POST_PRODUCTION_TRAFFIC_SHIFT"],
         "RoleArn": role},
        {"HookTargetArn": FUNCTION, "LifecycleStages": ["PRODUCTION_TRAFFIC_SHIFT"], "RoleArn": role}]
    hook_role = template["WebServiceHookRole"]["Properties"]
    assert hook_role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs.amazonaws.com"}
    assert hook_role["Policies"][0]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [FUNCTION, {"Ref": "CheckArn"}]}]


# ---- --force-new-deployment, cfn-lint and the invariants, for every strategy -------------------------------------

STRATEGIES = {
    "rolling": lambda: Deployment.rolling(bake_time=5),
    "blue_green": lambda: Deployment.blue_green(bake_time=10, test_port=9000,
                                                hooks=[LifecycleHook(FUNCTION, [LifecycleStage.POST_SCALE_UP])]),
    "canary": lambda: Deployment.canary(percent=10, interval=5, test_port=9000),
    "linear": lambda: Deployment.linear(step_percent=25, interval=3),
}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_force_new_deployment_works_with_every_strategy(name):
    stack = web(STRATEGIES[name]())
    stack.of_type(Service)[0].force_new_deployment = True
    service = props(stack, "WebService")
    assert service["ForceNewDeployment"] == {"EnableForceNewDeployment": True}
    assert service["DeploymentConfiguration"]["Strategy"] == name.upper()


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_lints_clean(name):
    findings = lint_template(web(STRATEGIES[name]()).to_dict())
    assert findings == [], findings


@pytest.mark.parametrize("make", [lambda: nlb(Deployment.blue_green(test_port=7001)),
                                  lambda: web(Deployment.canary(test_port=8443), certificate=CERTIFICATE)],
                         ids=["nlb", "https"])
def test_nlb_and_https_blue_green_lint_clean(make):
    findings = lint_template(make().to_dict())
    assert findings == [], findings


def test_the_reachability_invariant_requires_the_test_listener_and_the_green_path():
    stack = web(Deployment.blue_green(test_port=9000))
    template = stack.to_dict()
    assert check_template(stack, template) == []
    broken = copy.deepcopy(template)
    group = broken["Resources"]["WebLoadBalancerSecurityGroup"]["Properties"]
    group["SecurityGroupIngress"] = [r for r in group["SecurityGroupIngress"] if r["FromPort"] != 9000]
    [problem] = check_template(stack, broken)
    assert problem.rule == "ECS910" and "test listener tcp/9000" in problem.message


def test_the_grants_invariant_checks_the_traffic_and_hook_roles():
    stack = web(STRATEGIES["blue_green"]())
    template = stack.to_dict()
    broken = copy.deepcopy(template)
    statements = broken["Resources"]["WebServiceTrafficRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"]
    statements[1]["Resource"] = ["*"]  # register targets anywhere
    hook = broken["Resources"]["WebServiceHookRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    hook["Resource"] = ["arn:aws:lambda:us-east-1:123456789012:function:other"]
    found = {(p.rule, p.message.split(" which")[0]) for p in check_template(stack, broken)}
    assert ("ECS920", "the traffic role may not elasticloadbalancing:RegisterTargets on "
                      "${WebServiceGreenTargetGroup},") in found
    assert ("ECS920", f"the lifecycle hook role may not lambda:InvokeFunction on {FUNCTION},") in found
    assert any(rule == "ECS921" and "grants elasticloadbalancing:RegisterTargets on *" in text for rule, text in found)
    assert any(rule == "ECS921" and "function:other" in text for rule, text in found)


def test_the_grants_invariant_notices_a_shifting_service_without_alternate_target_group():
    stack = web(Deployment.blue_green())
    broken = stack.to_dict()
    del broken["Resources"]["WebService"]["Properties"]["LoadBalancers"][0]["AdvancedConfiguration"]
    assert [p.rule for p in check_template(stack, broken)] == ["ECS920"]


# ---- graph ---------------------------------------------------------------------------------------------------------

def test_graph_shows_the_strategy_and_the_test_listener():
    stack = web(Deployment.canary(percent=10, interval=5, test_port=9000))
    text = render(stack)
    assert "deployments (services not listed deploy rolling):\n  service web: canary 10% for 5 min, test port 9000\n" \
           "    web listener 80: traffic shifts between 2 target groups, test traffic on web:9000" in text
    mermaid = render(stack, "mermaid").splitlines()
    assert '  service_web{{"service web ×2–10 · canary 10% for 5 min, test port 9000"}}' in mermaid
    assert '  listener_web_9000(["test listener 9000 HTTP"])' in mermaid
    assert '  listener_web_9000 -.->|"test"| service_web' in mermaid
    dot = render(stack, "dot")
    assert '"listener_web_9000" -> "service_web" [label="test", style=dashed];' in dot
    assert "deployments" not in render(web())


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_deploy_force_new_deployment_keeps_every_strategy_intact(name):
    """``ecsstack deploy --force-new-deployment`` stamps a nonce on each service of the compiled template: the
    strategy, its traffic routes and roles stay as compiled, and the result still lints clean."""
    from ecsstack.deploy._template import Template, force_new_deployment

    compiled = web(STRATEGIES[name]()).to_dict()
    forced = force_new_deployment(Template.of(compiled), nonce="20260101T000000Z-abc").data
    service = forced["Resources"]["WebService"]
    assert service["Properties"]["ForceNewDeployment"] == {"EnableForceNewDeployment": True,
                                                           "ForceNewDeploymentNonce": "20260101T000000Z-abc"}
    del service["Properties"]["ForceNewDeployment"]
    assert forced == compiled
    assert lint_template(force_new_deployment(Template.of(compiled)).data) == []
