"""Load balancers, their security group, listeners, listener rules and target groups; the services'
``LoadBalancers``, grace period and least-privilege ingress from the load balancer."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, ec2, ecs
from troposphere import elasticloadbalancingv2 as elb

from ..model import (
    Listener,
    ListenerProtocol,
    LoadBalancer,
    LoadBalancerTarget,
    NetworkMode,
    Service,
    Stack,
    TargetType,
)
from ..model.derived import load_balancers_of, targets_of, test_listeners
from ..names import (
    GREEN_TARGET_GROUP,
    LISTENER,
    LISTENER_RULE,
    LOAD_BALANCER,
    SECURITY_GROUP,
    SERVICE,
    TARGET_GROUP,
    TEST_LISTENER_RULE,
    TRAFFIC_ROLE,
    logical_id,
)
from ._checkov import REDIRECT_PORT_80, checkov_skips
from ._context import Context
from .network import admit, internet_route, service_security_group, subnet_refs, vpc_ref

__all__ = [
    "compile_load_balancers", "green_name", "listener_name", "rule_name", "service_properties", "shifts_traffic",
    "target_group", "target_type", "test_listener_name", "test_rule_name", "weighted_forward",
]

#: the grace period a service behind a load balancer gets unless it sets one
DEFAULT_GRACE_PERIOD = 60


def target_type(target: LoadBalancerTarget) -> TargetType:
    """``ip`` for awsvpc tasks, ``instance`` for bridge/host, unless the target says."""
    if target.target_type is not None:
        return target.target_type
    mode = getattr(getattr(target.service, "task", None), "network_mode", None)
    return TargetType.IP if mode is NetworkMode.AWSVPC else TargetType.INSTANCE


def _target_names(stack: Stack) -> dict[int, str]:
    """Target group logical IDs: ``WebServiceTargetGroup``, then ``…TargetGroup2`` for a service's next."""
    names: dict[int, str] = {}
    count: dict[int, int] = {}
    for lb in load_balancers_of(stack):
        for target in lb.targets:
            n = count[id(target.service)] = count.get(id(target.service), 0) + 1
            names[id(target)] = logical_id(target.service.name, SERVICE, TARGET_GROUP) + (str(n) if n > 1 else "")
    return names


def _listener_name(listener: Listener, ctx: Context) -> str:
    return f"{ctx.logical(listener.load_balancer)}{LISTENER}{listener.port}"


def _rule_name(target: LoadBalancerTarget, ctx: Context) -> str:
    return ctx.logical(target).replace(TARGET_GROUP, LISTENER_RULE)


# ---- blue/green, canary and linear deployments (compile/traffic.py makes their resources) ------------------------
def shifts_traffic(target: LoadBalancerTarget) -> bool:
    """True when the target's service deploys blue/green, canary or linear: ECS shifts its traffic between
    the target group and a second ("green") one."""
    deployment = target.service.deployment
    return deployment is not None and deployment.shifts_traffic


def green_name(target: LoadBalancerTarget, ctx: Context) -> str:
    """``WebServiceTargetGroup`` → ``WebServiceGreenTargetGroup``."""
    return ctx.logical(target).replace(TARGET_GROUP, GREEN_TARGET_GROUP)


def test_listener_name(target: LoadBalancerTarget, ctx: Context) -> str | None:
    """The test listener of the target's service (``WebLoadBalancerListener9000``); None without a test port."""
    deployment = target.service.deployment
    if deployment is None or deployment.test_port is None:
        return None
    return f"{ctx.logical(target.load_balancer)}{LISTENER}{deployment.test_port}"


def test_rule_name(target: LoadBalancerTarget, ctx: Context) -> str:
    """``WebServiceTargetGroup`` → ``WebServiceTestListenerRule`` (ALB only: an NLB listener has no rules)."""
    return ctx.logical(target).replace(TARGET_GROUP, TEST_LISTENER_RULE)


def weighted_forward(target: LoadBalancerTarget, ctx: Context) -> elb.ForwardConfig:
    """Forward to the target group (weight 1) and its green twin (weight 0): the weights ECS shifts."""
    return elb.ForwardConfig(TargetGroups=[elb.TargetGroupTuple(TargetGroupArn=Ref(ctx.logical(target)), Weight=1),
                                           elb.TargetGroupTuple(TargetGroupArn=Ref(green_name(target, ctx)),
                                                                Weight=0)])


def _rule_action(target: LoadBalancerTarget, ctx: Context) -> elb.ListenerRuleAction:
    if shifts_traffic(target):
        return elb.ListenerRuleAction(Type="forward", ForwardConfig=weighted_forward(target, ctx))
    return elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(ctx.logical(target)))


def _advanced(target: LoadBalancerTarget, ctx: Context) -> dict[str, Any]:
    """``AdvancedConfiguration`` of a service's load balancer entry when ECS shifts its traffic."""
    if not shifts_traffic(target):
        return {}
    network = target.load_balancer.kind == "network"
    production = _listener_name(target.listener, ctx) if network else _rule_name(target, ctx)
    props: dict[str, Any] = {"AlternateTargetGroupArn": Ref(green_name(target, ctx)),
                             "ProductionListenerRule": Ref(production),
                             "RoleArn": GetAtt(logical_id(target.service.name, SERVICE, TRAFFIC_ROLE), "Arn")}
    test = test_listener_name(target, ctx)
    if test is not None:
        props["TestListenerRule"] = Ref(test if network else test_rule_name(target, ctx))
    return {"AdvancedConfiguration": ecs.AdvancedConfiguration(**props)}


listener_name = _listener_name
rule_name = _rule_name


def _ingress(lb: LoadBalancer, ctx: Context) -> list[ec2.SecurityGroupRule]:
    ports = sorted({(listener.port, "udp" if listener.protocol is ListenerProtocol.UDP else "tcp")
                    for listener in lb.listeners}
                   | {(port, "udp" if t.listener.protocol is ListenerProtocol.UDP else "tcp")
                      for port, t in test_listeners(lb)})
    rules = []
    for cidr in lb.allow_from:
        source = "CidrIpv6" if isinstance(cidr, str) and ":" in cidr else "CidrIp"
        shown = cidr if isinstance(cidr, str) else "the allowed range"
        for port, proto in ports:
            rules.append(ec2.SecurityGroupRule(IpProtocol=proto, FromPort=port, ToPort=port,
                                               Description=f"{proto}/{port} from {shown}",
                                               **{source: ctx.value(cidr)}))
    return rules


def _health_check(target: LoadBalancerTarget, network: bool) -> dict[str, Any]:
    hc = target.health_check
    protocol = hc.protocol or ("TCP" if network else "HTTP")
    props: dict[str, Any] = {
        "HealthCheckEnabled": True,
        "HealthCheckProtocol": protocol,
        "HealthCheckIntervalSeconds": hc.interval,
        "HealthCheckTimeoutSeconds": hc.timeout,
        "HealthyThresholdCount": hc.healthy_threshold,
        "UnhealthyThresholdCount": hc.unhealthy_threshold,
    }
    if protocol in ("HTTP", "HTTPS"):
        props["HealthCheckPath"] = hc.path
        props["Matcher"] = elb.Matcher(HttpCode=hc.matcher)
    # "traffic-port" (each target's own port) is what dynamic bridge host ports need; say it always
    props["HealthCheckPort"] = "traffic-port" if hc.port is None else str(hc.port)
    return props


def _target_group(target: LoadBalancerTarget, ctx: Context, name: str | None = None) -> None:
    """The target's target group (or, named ``name``, its green twin, alike in everything else)."""
    lb = target.load_balancer
    network = lb.kind == "network"
    protocol = target.listener.protocol.value if network else "HTTP"
    ctx.add(elb.TargetGroup(
        ctx.part(target, "GreenTargetGroup", name) if name else ctx.part(target, "TargetGroup", ctx.logical(target)),
        Port=target.container_port,
        Protocol=protocol,
        TargetType=target_type(target).value,
        VpcId=vpc_ref(lb.vpc, ctx),
        TargetGroupAttributes=[elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds",
                                                        Value=str(target.deregistration_delay))],
        **_health_check(target, network),
    ))


def _forward(target: LoadBalancerTarget, ctx: Context) -> elb.Action:
    return elb.Action(Type="forward", TargetGroupArn=Ref(ctx.logical(target)))


def _listener(listener: Listener, ctx: Context) -> None:
    lb_name = ctx.logical(listener.load_balancer)
    props: dict[str, Any] = {"LoadBalancerArn": Ref(lb_name), "Port": listener.port,
                             "Protocol": listener.protocol.value}
    if listener.protocol is ListenerProtocol.HTTPS:
        props["Certificates"] = [elb.Certificate(CertificateArn=ctx.value(listener.certificate))]
        if listener.ssl_policy:
            props["SslPolicy"] = listener.ssl_policy
    default = listener.default_target
    if listener.redirect_to is not None:
        action = elb.Action(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port=str(listener.redirect_to), StatusCode="HTTP_301"))
    elif default is not None:
        action = _forward(default, ctx)
    else:
        action = elb.Action(Type="fixed-response", FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"))
    props["DefaultActions"] = [action]
    name = ctx.part(listener, "Listener", _listener_name(listener, ctx))
    ctx.part(listener.load_balancer, f"Listener:{listener.port}", name)
    ctx.add(elb.Listener(name, **props))
    for target, priority in listener.rule_priorities():
        conditions = []
        if target.paths:
            conditions.append(elb.Condition(Field="path-pattern",
                                            PathPatternConfig=elb.PathPatternConfig(Values=target.paths)))
        if target.hosts:
            conditions.append(elb.Condition(Field="host-header",
                                            HostHeaderConfig=elb.HostHeaderConfig(Values=target.hosts)))
        ctx.part(target, "ListenerRule", _rule_name(target, ctx))
        ctx.add(elb.ListenerRule(_rule_name(target, ctx), ListenerArn=Ref(_listener_name(listener, ctx)),
                                 Priority=priority, Conditions=conditions,
                                 Actions=[_rule_action(target, ctx)]))


def compile_load_balancers(stack: Stack, ctx: Context) -> None:
    """Every load balancer of the stack: those added, in order, then those only its services are
    attached to."""
    names = _target_names(stack)
    for lb in load_balancers_of(stack):
        _load_balancer(lb, names, ctx)


def _port_80_only_redirects(lb: LoadBalancer) -> bool:
    """True when every listener on port 80 only redirects to HTTPS (what checkov's port-80 check is about)."""
    on_80 = [listener for listener in lb.listeners if listener.port == 80]
    return bool(on_80) and all(listener.redirect_to is not None for listener in on_80)


def _access_logs(lb: LoadBalancer, ctx: Context) -> list[elb.LoadBalancerAttributes]:
    """The attributes writing access logs to ``access_logs_bucket``, when it is given."""
    if lb.access_logs_bucket is None:
        return []
    attributes = [elb.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="true"),
                  elb.LoadBalancerAttributes(Key="access_logs.s3.bucket", Value=ctx.value(lb.access_logs_bucket))]
    if lb.access_logs_prefix:
        attributes.append(elb.LoadBalancerAttributes(Key="access_logs.s3.prefix", Value=lb.access_logs_prefix))
    return attributes


def _load_balancer(lb: LoadBalancer, target_names: dict[int, str], ctx: Context) -> None:
    """The load balancer, its security group, listeners, rules and target groups."""
    base = logical_id(lb.name, LOAD_BALANCER)
    ctx.register(lb, base)
    for target in lb.targets:
        ctx.register(target, target_names[id(target)])
    group = f"{base}{SECURITY_GROUP}"
    sg: dict[str, Any] = {
        "GroupDescription": f"{'Network' if lb.kind == 'network' else 'Application'} load balancer {lb.name}",
        "VpcId": vpc_ref(lb.vpc, ctx),
        "SecurityGroupEgress": [ec2.SecurityGroupRule(IpProtocol="-1", CidrIp="0.0.0.0/0",
                                                      Description="all outbound")],
    }
    ingress = _ingress(lb, ctx)
    if ingress:
        sg["SecurityGroupIngress"] = ingress
    skips = [REDIRECT_PORT_80] if _port_80_only_redirects(lb) else []
    ctx.add(ec2.SecurityGroup(ctx.part(lb, "SecurityGroup", group), **sg, **checkov_skips(*skips)))

    if lb.subnets is not None:
        subnets = subnet_refs(lb.subnets, ctx)
    elif lb.vpc is not None:
        subnets = subnet_refs(lb.vpc.public_subnets if lb.internet_facing else lb.vpc.private_subnets, ctx)
    elif lb.internet_facing:
        subnets = subnet_refs(None, ctx, parameter="PublicSubnets",
                              description="Public subnets the internet-facing load balancers use")
    else:
        subnets = subnet_refs(None, ctx)
    props: dict[str, Any] = {
        "Type": lb.kind,
        "Scheme": "internet-facing" if lb.internet_facing else "internal",
        "Subnets": subnets,
        "SecurityGroups": [GetAtt(group, "GroupId")],
    }
    if lb.kind == "application":
        props["LoadBalancerAttributes"] = [elb.LoadBalancerAttributes(
            Key="routing.http.drop_invalid_header_fields.enabled", Value="true"), *_access_logs(lb, ctx)]
    if lb.vpc is not None and lb.internet_facing:
        props["DependsOn"] = [internet_route(lb.vpc)]
    ctx.add(elb.LoadBalancer(ctx.part(lb, "LoadBalancer", base), **props))
    for target in lb.targets:
        _target_group(target, ctx)
    for listener in lb.listeners:
        _listener(listener, ctx)


def service_properties(service: Service, ctx: Context) -> dict[str, Any]:
    """``LoadBalancers`` of a service behind load balancers, waiting (``DependsOn``) on the listener or rule
    that routes to each target group, and the default grace period; ingress into the service's group
    from each load balancer's group only."""
    targets = targets_of(ctx.stack, service)
    if not targets:
        return {}
    props: dict[str, Any] = {"LoadBalancers": [
        ecs.LoadBalancer(ContainerName=t.container.name, ContainerPort=t.container_port,
                         TargetGroupArn=Ref(ctx.logical(t)), **_advanced(t, ctx))
        for t in targets if t.container is not None
    ]}
    # a blue/green target's production rule (ALB) or listener (NLB) is referenced (AdvancedConfiguration) already
    props["DependsOn"] = [_listener_name(t.listener, ctx) for t in targets
                          if not (shifts_traffic(t) and t.load_balancer.kind == "network")]
    props["DependsOn"] += [_rule_name(t, ctx) for t in targets if not t.is_default and not shifts_traffic(t)]
    if service.health_check_grace_period is None:
        props["HealthCheckGracePeriodSeconds"] = DEFAULT_GRACE_PERIOD
    _admit_load_balancers(service, targets, ctx)
    return props


def _admit_load_balancers(service: Service, targets: list[LoadBalancerTarget], ctx: Context) -> None:
    group = service_security_group(service)
    if group is None:
        return
    for t in targets:
        lb_group = f"{ctx.logical(t.load_balancer)}{SECURITY_GROUP}"
        proto = "udp" if t.listener.protocol is ListenerProtocol.UDP else "tcp"
        label = f"load balancer {t.load_balancer.name}"
        if t.container_port is not None:
            admit(ctx, group, lb_group, t.container_port, proto, f"{proto}/{t.container_port} from {label}")
        hc_port = t.health_check.port
        if hc_port is not None and (hc_port, "tcp") != (t.container_port, proto):
            admit(ctx, group, lb_group, hc_port, "tcp", f"tcp/{hc_port} health checks from {label}")


target_group = _target_group
