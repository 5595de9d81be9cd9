"""ECS-native deployment strategies: a service's ``DeploymentConfiguration`` (strategy, bake time, canary and
linear traffic shifts, lifecycle hooks) and, for blue/green, canary and linear behind a load balancer, what ECS
shifts traffic with: the green target group, the production listener rule, the test listener (and its rule) and
the role ECS assumes to move the weights; plus the role ECS invokes lifecycle hooks with.

Behind an ALB the production route is a listener rule forwarding to both target groups (weights 1 and 0, which
ECS changes); a target that takes a listener's default traffic gets a catch-all rule (``/*``, the lowest
priority) for it. Behind an NLB the production route is the listener itself. With Service Connect only, ECS
shifts the traffic itself: no resource is needed.
"""

from __future__ import annotations

from typing import Any

import awacs.awslambda
import awacs.elasticloadbalancing as elbv2_actions
from awacs.aws import Action, Allow, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Ref, ecs, iam
from troposphere import elasticloadbalancingv2 as elb

from ..model import Deployment, DeploymentStrategy, ListenerProtocol, LoadBalancerTarget, Service
from ..model.derived import targets_of
from ..names import HOOK_ROLE, SERVICE, TRAFFIC_ROLE, logical_id
from ._context import Context
from .loadbalancing import (
    green_name,
    listener_name,
    rule_name,
    shifts_traffic,
    target_group,
    test_listener_name,
    test_rule_name,
    weighted_forward,
)

__all__ = ["CATCH_ALL_PRIORITY", "DESCRIBE", "compile_traffic", "strategy_properties", "traffic_resources"]

#: the priority of the catch-all production rule of a listener's default target: the last one ALB evaluates
CATCH_ALL_PRIORITY = 50000
#: what ECS reads while shifting traffic; Elastic Load Balancing's Describe calls take no resource ARN
DESCRIBE = ("elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth")


def _assume_ecs() -> PolicyDocument:
    return PolicyDocument(Version="2012-10-17", Statement=[Statement(
        Effect=Allow, Principal=Principal("Service", "ecs.amazonaws.com"), Action=[Action("sts", "AssumeRole")])])


def strategy_properties(service: Service, ctx: Context, props: dict[str, Any]) -> None:
    """Make the service's ``DeploymentConfiguration`` properties ``props`` (the rolling ones: min/max percent,
    circuit breaker, alarms) say what ``deployment=`` asks for: its strategy, its own percents (rolling only:
    blue/green, canary and linear start the whole new revision) and circuit breaker, bake time, canary or linear
    shift and lifecycle hooks. Without ``deployment=`` nothing changes."""
    deployment = service.deployment
    if deployment is None:
        return
    props.pop("MinimumHealthyPercent", None)
    props.pop("MaximumPercent", None)
    props.pop("DeploymentCircuitBreaker", None)
    if not deployment.shifts_traffic:
        props["MinimumHealthyPercent"] = deployment.min_healthy_percent
        props["MaximumPercent"] = deployment.max_percent
    if deployment.circuit_breaker:
        props["DeploymentCircuitBreaker"] = ecs.DeploymentCircuitBreaker(Enable=True, Rollback=deployment.rollback)
    props["Strategy"] = deployment.strategy.value
    if deployment.bake_time is not None:
        props["BakeTimeInMinutes"] = deployment.bake_time
    if deployment.strategy is DeploymentStrategy.CANARY:
        props["CanaryConfiguration"] = ecs.CanaryConfiguration(CanaryPercent=deployment.percent,
                                                               CanaryBakeTimeInMinutes=deployment.interval)
    if deployment.strategy is DeploymentStrategy.LINEAR:
        props["LinearConfiguration"] = ecs.LinearConfiguration(StepPercent=deployment.percent,
                                                               StepBakeTimeInMinutes=deployment.interval)
    if deployment.hooks:
        role = GetAtt(logical_id(service.name, SERVICE, HOOK_ROLE), "Arn")
        hooks = []
        for hook in deployment.hooks:
            kwargs: dict[str, Any] = {"HookTargetArn": ctx.value(hook.function),
                                      "LifecycleStages": [s.value for s in hook.stages], "RoleArn": role}
            if hook.details is not None:
                kwargs["HookDetails"] = ctx.value(hook.details)
            hooks.append(ecs.DeploymentLifecycleHook(**kwargs))
        props["LifecycleHooks"] = hooks


def compile_traffic(service: Service, ctx: Context) -> None:
    """What the service's strategy needs besides the service: for each load balancer target of a blue/green,
    canary or linear service its green target group, production rule and test route, and the traffic role;
    the lifecycle hook role. Nothing for a rolling service."""
    deployment = service.deployment
    if deployment is None:
        return
    if deployment.hooks:
        _hook_role(service, deployment, ctx)
    if not deployment.shifts_traffic:
        return
    targets = [t for t in targets_of(ctx.stack, service) if t.container is not None and shifts_traffic(t)]
    for target in targets:
        _green(target, deployment, ctx)
    if targets:
        _traffic_role(service, targets, ctx)


def _green(target: LoadBalancerTarget, deployment: Deployment, ctx: Context) -> None:
    lb = target.load_balancer
    network = lb.kind == "network"
    target_group(target, ctx, green_name(target, ctx))
    listener = target.listener
    if not network and target.is_default:
        ctx.add(elb.ListenerRule(
            ctx.part(target, "ListenerRule", rule_name(target, ctx)), ListenerArn=Ref(listener_name(listener, ctx)),
            Priority=CATCH_ALL_PRIORITY,
            Conditions=[elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=["/*"]))],
            Actions=[elb.ListenerRuleAction(Type="forward", ForwardConfig=weighted_forward(target, ctx))]))
    test = test_listener_name(target, ctx)
    if test is None:
        return
    props: dict[str, Any] = {"LoadBalancerArn": Ref(ctx.logical(lb)), "Port": deployment.test_port,
                             "Protocol": listener.protocol.value,
                             "DefaultActions": [elb.Action(Type="forward", TargetGroupArn=Ref(ctx.logical(target)))]}
    if listener.protocol is ListenerProtocol.HTTPS:
        props["Certificates"] = [elb.Certificate(CertificateArn=ctx.value(listener.certificate))]
        if listener.ssl_policy:
            props["SslPolicy"] = listener.ssl_policy
    ctx.add(elb.Listener(ctx.part(target, "TestListener", test), **props))
    if network:
        return
    conditions = []
    if target.paths:
        conditions.append(elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(
            Values=target.paths)))
    if target.hosts:
        conditions.append(elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(
            Values=target.hosts)))
    if not conditions:
        conditions.append(elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=["/*"])))
    ctx.add(elb.ListenerRule(ctx.part(target, "TestListenerRule", test_rule_name(target, ctx)), ListenerArn=Ref(test),
                             Priority=1, Conditions=conditions,
                             Actions=[elb.ListenerRuleAction(Type="forward",
                                                             ForwardConfig=weighted_forward(target, ctx))]))


def traffic_resources(target: LoadBalancerTarget, ctx: Context) -> tuple[list[str], list[str], list[str]]:
    """(target groups, listeners, listener rules) ECS changes while it shifts ``target``'s traffic."""
    network = target.load_balancer.kind == "network"
    groups = [ctx.logical(target), green_name(target, ctx)]
    listeners = [listener_name(target.listener, ctx)] if network else []
    rules = [] if network else [rule_name(target, ctx)]
    test = test_listener_name(target, ctx)
    if test is not None:
        if network:
            listeners.append(test)
        else:
            rules.append(test_rule_name(target, ctx))
    return groups, listeners, rules


def _traffic_role(service: Service, targets: list[LoadBalancerTarget], ctx: Context) -> None:
    """The role ECS assumes to shift traffic: read the load balancers, (de)register tasks in exactly the two
    target groups, move the weights of exactly the production and test routes."""
    groups: list[str] = []
    listeners: list[str] = []
    rules: list[str] = []
    for target in targets:
        g, lis, r = traffic_resources(target, ctx)
        groups += g
        listeners += lis
        rules += r
    statements = [
        Statement(Effect=Allow, Action=[Action(*a.split(":", 1)) for a in DESCRIBE], Resource=["*"]),
        Statement(Effect=Allow, Action=[elbv2_actions.RegisterTargets, elbv2_actions.DeregisterTargets],
                  Resource=[Ref(g) for g in groups]),
    ]
    if listeners:
        statements.append(Statement(Effect=Allow, Action=[elbv2_actions.ModifyListener],
                                    Resource=[Ref(name) for name in listeners]))
    if rules:
        statements.append(Statement(Effect=Allow, Action=[elbv2_actions.ModifyRule],
                                    Resource=[Ref(name) for name in rules]))
    ctx.add(iam.Role(ctx.part(service, "TrafficRole", logical_id(service.name, SERVICE, TRAFFIC_ROLE)),
                     AssumeRolePolicyDocument=_assume_ecs(),
                     Policies=[iam.Policy(PolicyName="traffic-shift", PolicyDocument=PolicyDocument(
                         Version="2012-10-17", Statement=statements))]))


def _hook_role(service: Service, deployment: Deployment, ctx: Context) -> None:
    """The role ECS invokes the lifecycle hooks with: ``lambda:InvokeFunction`` on exactly those functions."""
    functions: dict[str, Any] = {}
    for hook in deployment.hooks:
        value = ctx.value(hook.function)
        functions.setdefault(repr(value.to_dict()) if hasattr(value, "to_dict") else repr(value), value)
    ctx.add(iam.Role(ctx.part(service, "HookRole", logical_id(service.name, SERVICE, HOOK_ROLE)),
                     AssumeRolePolicyDocument=_assume_ecs(),
                     Policies=[iam.Policy(PolicyName="lifecycle-hooks", PolicyDocument=PolicyDocument(
                         Version="2012-10-17", Statement=[Statement(
                             Effect=Allow, Action=[awacs.awslambda.InvokeFunction],
                             Resource=list(functions.values()))]))]))
