"""ECS420–439: deployment strategies (rolling, blue/green, canary, linear), their traffic routes and hooks."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from ..errors import Problem
from ..model import Deployment, DeploymentStrategy, Service
from ..model.derived import REQUESTS, TargetTracking, test_listeners
from ._helpers import fmt_list, q
from ._registry import Index, Rule, rule

__all__: list[str] = []

#: minutes; BakeTimeInMinutes, CanaryBakeTimeInMinutes and StepBakeTimeInMinutes are 0 to 1440
MAX_MINUTES = 1440
#: CloudFormation refuses a canary or linear deployment it computes to last more than 33 hours
MAX_SHIFT_MINUTES = 33 * 60
#: the bake time ECS applies to blue/green, canary and linear deployments that set none
DEFAULT_BAKE = 15
#: the priority ecsstack gives the catch-all production rule of a listener's default blue/green target
CATCH_ALL_PRIORITY = 50000


def _deployed(ix: Index) -> Iterator[tuple[Service, Deployment]]:
    for service in ix.services:
        if service.deployment is not None:
            yield service, service.deployment


def _where(service: Service) -> str:
    return f"{service.path} › deployment"


def _serves_connect(service: Service) -> bool:
    sc = service.service_connect
    return sc is not None and bool(sc.ports)


@rule("ECS420", "blue/green, canary and linear deployments need a load balancer or Service Connect")
def _needs_traffic(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if not d.shifts_traffic or ix.targets_of(service) or _serves_connect(service):
            continue
        yield r.problem(_where(service), f"{d.describe()} shifts traffic from the old revision to the new one, but "
                        "no load balancer target nor Service Connect port sends traffic to this service.",
                        "Attach it with listener.add_target(service), serve a port with "
                        'service_connect=ServiceConnect(ports=["http"]), or use Deployment.rolling().')


@rule("ECS421", "lifecycle hooks need a blue/green, canary or linear deployment")
def _hooks_need_shift(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if d.hooks and not d.shifts_traffic:
            yield r.problem(_where(service), f"{len(d.hooks)} lifecycle hook(s) on a rolling deployment: ECS runs "
                            "lifecycle hooks only in blue/green, canary and linear deployments.",
                            "Use Deployment.blue_green(hooks=[...]) (or canary/linear), or remove the hooks.")


@rule("ECS422", "bake times and intervals are 0 to 1440 minutes")
def _minutes(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        for name, value in (("bake_time", d.bake_time), ("interval", d.interval)):
            if value is not None and not 0 <= value <= MAX_MINUTES:
                yield r.problem(_where(service), f"{name}={value} minutes is out of range; ECS allows 0 to "
                                f"{MAX_MINUTES} (24 hours).", f"Use {name}= between 0 and {MAX_MINUTES}.")


@rule("ECS423", "canary and linear traffic percentages are ones ECS accepts")
def _percents(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if d.strategy not in (DeploymentStrategy.CANARY, DeploymentStrategy.LINEAR):
            continue
        name, low = ("percent", 0.1) if d.strategy is DeploymentStrategy.CANARY else ("step_percent", 3.0)
        value = d.percent
        if value is None:
            yield r.problem(_where(service), f"a {d.strategy.value.lower()} deployment needs {name}.",
                            f"Make it with Deployment.{d.strategy.value.lower()}({name}=...).")
        elif not low <= value <= 100 or not math.isclose(value * 10, round(value * 10), abs_tol=1e-9):
            yield r.problem(_where(service), f"{name}={value:g} is not a percentage ECS accepts: {low:g} to 100, "
                            "in steps of 0.1.", f"Use e.g. {name}={10 if low > 1 else 5}.")
        if d.interval is None:
            yield r.problem(_where(service), f"a {d.strategy.value.lower()} deployment needs interval (minutes).",
                            f"Make it with Deployment.{d.strategy.value.lower()}(interval=...).")


@rule("ECS424", "deployment= is not given together with the service's rolling keywords")
def _conflicting_keywords(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        given = [f"{name}={getattr(service, name)!r}" for name, default in
                 (("min_healthy_percent", 100), ("max_percent", 200), ("circuit_breaker", True), ("rollback", True))
                 if getattr(service, name) != default]
        if not given:
            continue
        factory = "rolling" if d.strategy is DeploymentStrategy.ROLLING else d.strategy.value.lower()
        rolling = d.strategy is DeploymentStrategy.ROLLING
        movable = [g for g in given if rolling or "percent" not in g.split("=", 1)[0]]
        dropped = [g for g in given if g not in movable]
        hint = f"Move them into the deployment: deployment=Deployment.{factory}({fmt_list(movable)}, ...)" \
            if movable else ""
        if dropped:
            shown = factory.replace("_", "/")
            hint += ("; and drop " if hint else "Drop ") + f"{fmt_list(dropped)} (a {shown} deployment starts the " \
                "whole new revision, so no percent applies)"
        yield r.problem(service.path, f"{fmt_list(given)} and deployment= are both given; the deployment decides "
                        "how the service deploys, so these would be ignored.",
                        hint + ". Leave them off the Service.")


@rule("ECS425", "a test listener port is free on its load balancer")
def _test_port_clash(ix: Index, r: Rule) -> Iterator[Problem]:
    for lb in ix.load_balancers:
        taken = {listener.port: f"listener {listener.port}" for listener in lb.listeners}
        for port, target in test_listeners(lb):
            if port in taken:
                yield r.problem(_where(target.service), f"test_port={port} is already {lb.path}'s "
                                f"{taken[port]}; a test listener needs a port of its own.",
                                f"Pick a free port, e.g. test_port={_free(taken)}.")
            else:
                taken[port] = f"test listener of {target.service.path}"


def _free(taken: dict[int, str]) -> int:
    port = 9000
    while port in taken:
        port += 1
    return port


@rule("ECS426", "test_port needs a blue/green, canary or linear deployment behind a load balancer")
def _test_port_needs_listener(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if d.test_port is None:
            continue
        if not 1 <= d.test_port <= 65535:
            yield r.problem(_where(service), f"test_port={d.test_port} is not a port (1 to 65535).",
                            "Use e.g. test_port=9000.")
        elif not d.shifts_traffic:
            yield r.problem(_where(service), "test_port= on a rolling deployment: only blue/green, canary and "
                            "linear deployments route test traffic to the new revision.",
                            "Use Deployment.blue_green(test_port=...), or remove test_port.")
        elif not ix.targets_of(service):
            yield r.problem(_where(service), f"test_port={d.test_port}, but no load balancer sends traffic to this "
                            "service, so there is nothing to listen on it (Service Connect routes test traffic "
                            "itself).", "Remove test_port, or attach the service with listener.add_target(service).")


@rule("ECS427", "a blue/green, canary or linear service has one load balancer target")
def _one_target(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        targets = ix.targets_of(service)
        if d.shifts_traffic and len(targets) > 1:
            shown = fmt_list(t.listener.path for t in targets)
            yield r.problem(_where(service), f"{d.describe()} behind {len(targets)} load balancer targets ({shown}); "
                            "ECS shifts the traffic of one production route per service.",
                            "Keep one listener.add_target(...) for this service, or use Deployment.rolling().")


@rule("ECS428", "a blue/green listener routes by forwarding only, with room for the catch-all rule")
def _listener_actions(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if not d.shifts_traffic:
            continue
        for t in ix.targets_of(service):
            if t.load_balancer.kind != "application":
                continue
            listener = t.listener
            if listener.default_target is None:
                yield r.problem(_where(service), f"{listener.path} answers unmatched requests with a fixed 404 (it "
                                "has no default target); ECS blue/green refuses a listener that mixes forward and "
                                "fixed-response actions.",
                                "Add a target without path/host to that listener (it takes the default traffic).")
            if t.is_default and any(p == CATCH_ALL_PRIORITY for _, p in listener.rule_priorities()):
                yield r.problem(_where(service), f"{listener.path} has a rule with priority {CATCH_ALL_PRIORITY}, "
                                f"which the production rule of {service.path} (the listener's default target) needs.",
                                f"Give that target another priority (below {CATCH_ALL_PRIORITY}).")


@rule("ECS429", "a rolling deployment's percents let it progress")
def _rolling_percents(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if d.strategy is not DeploymentStrategy.ROLLING:
            continue
        low, high = d.min_healthy_percent, d.max_percent
        if not 0 <= low <= 100:
            yield r.problem(_where(service), f"min_healthy_percent={low} is out of range; it is 0 to 100.",
                            "Use Deployment.rolling(min_healthy_percent=100) (the default) or lower.")
        elif high < 100:
            yield r.problem(_where(service), f"max_percent={high} is below 100.",
                            "Use Deployment.rolling(max_percent=200) (the default), or at least 100.")
        elif high <= low and not (isinstance(service.desired_count, int) and service.desired_count == 0):
            yield r.problem(_where(service), f"min_healthy_percent={low} with max_percent={high}: ECS can neither "
                            "stop an old task nor start a new one, so no deployment can progress.",
                            "Raise max_percent (e.g. 200) or lower min_healthy_percent (e.g. 50).")


def _shift_minutes(d: Deployment) -> int | None:
    """How long CloudFormation computes a canary or linear deployment to take (its 33-hour check)."""
    bake = DEFAULT_BAKE if d.bake_time is None else d.bake_time
    if d.interval is None or d.percent is None or d.percent <= 0:
        return None
    if d.strategy is DeploymentStrategy.CANARY:
        return bake + d.interval
    if d.strategy is DeploymentStrategy.LINEAR:
        ratio = 100 / d.percent
        steps = round(ratio) - 1 if math.isclose(ratio, round(ratio)) else math.floor(ratio)
        return bake + d.interval * steps
    return None


@rule("ECS430", "a canary or linear deployment fits in CloudFormation's 33 hours")
def _duration(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        minutes = _shift_minutes(d)
        if minutes is not None and minutes > MAX_SHIFT_MINUTES:
            yield r.problem(_where(service), f"{d.describe()} takes {minutes} minutes by CloudFormation's count "
                            f"(bake time plus every step's interval); it refuses more than {MAX_SHIFT_MINUTES} "
                            "(33 hours), since its operations time out at 36.",
                            "Shorten interval= or bake_time=, or shift bigger steps.")


@rule("ECS431", "a lifecycle hook names a Lambda function and at least one stage")
def _hooks(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        for n, hook in enumerate(d.hooks, 1):
            where = f"{_where(service)} › hook {n}"
            if not hook.stages:
                yield r.problem(where, "the hook names no lifecycle stage, so ECS would never run it.",
                                "Write stages=[LifecycleStage.POST_TEST_TRAFFIC_SHIFT] (or others).")
            fn = hook.function
            if isinstance(fn, str) and not (fn.startswith("arn:") and ":lambda:" in fn and ":function:" in fn):
                yield r.problem(where, f"function={fn!r} is not a Lambda function ARN "
                                "(arn:aws:lambda:REGION:ACCOUNT:function:NAME).",
                                "Pass the function's ARN, or a stack parameter holding it.")
            stages = [s.value for s in hook.stages]
            twice = sorted({s for s in stages if stages.count(s) > 1})
            if twice:
                yield r.problem(where, f"the hook names {fmt_list(q(s) for s in twice)} more than once.",
                                "Name each stage once.")



@rule("ECS432", "request-count scaling follows one target group, which a traffic shift empties")
def _request_count_scaling(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if not d.shifts_traffic:
            continue
        for scaling in service.scalings:
            for policy in scaling.policies:
                if isinstance(policy, TargetTracking) and policy.metric_type == REQUESTS:
                    yield r.problem(
                        f"{service.path} › scaling › policy {policy.name}",
                        f"scales on the requests per task of one target group, but {d.describe()} moves the "
                        "traffic between two target groups at each deployment: after every other deployment this "
                        "policy sees no requests and scales the service in.",
                        "Scale on CPU or memory (scaling.on_cpu(60)), or deploy with Deployment.rolling().",
                        severity="warning")


_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@rule("ECS433", "a Service Connect test header needs a traffic-shifting deployment of a Service Connect server")
def _test_header(ix: Index, r: Rule) -> Iterator[Problem]:
    for service, d in _deployed(ix):
        if d.test_header is None:
            if d.test_header_value is not None:
                yield r.problem(_where(service), "test_header_value= is given without test_header=.",
                                'Name the header too: test_header="x-canary", test_header_value="true".')
            continue
        if not _HEADER.match(d.test_header):
            yield r.problem(_where(service), f"test_header={d.test_header!r} is not an HTTP header name (letters, "
                            "digits and !#$%&'*+-.^_`|~ only).", 'Use e.g. test_header="x-canary".')
        if not d.shifts_traffic:
            yield r.problem(_where(service), "test_header= on a rolling deployment: only blue/green, canary and "
                            "linear deployments route test traffic to the new revision.",
                            "Use Deployment.blue_green(test_header=...), or remove test_header.")
        elif not _serves_connect(service):
            yield r.problem(_where(service), f"test_header={d.test_header!r}, but the service serves no Service "
                            "Connect port, so no client's request can carry it to the new revision.",
                            'Serve a port with service_connect=ServiceConnect(ports=["http"]), or use test_port= '
                            "behind a load balancer.")
