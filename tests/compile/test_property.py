"""Property over the whole public API: a drawn blueprint is either refused with a ValidationError naming each
mistake it was given, or compiles to a template that passes the invariants (ecsstack.invariants, known issue-8
cases aside) and in which cfn-lint finds no error. Never a crash.

Blueprints are drawn sound — containers and dependencies, init containers, sidecars and restart policies, load
balancers (ALB/NLB), Service Connect and Cloud Map, EC2 capacity in bridge/host/awsvpc modes, Fargate, EFS and bind
volumes, FireLens, scaling, queues, scheduled tasks, overrides with tokens — then given up to two mistakes about
half the time.

`make test` runs 300 examples and lints a sample (cfn-lint takes seconds per template); `make fuzz` runs thousands:
ECSSTACK_FUZZ_EXAMPLES sets the number, ECSSTACK_FUZZ_LINT_EVERY how many compiled examples per cfn-lint run.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck as Health
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ecsstack import (
    ApplicationLoadBalancer,
    CapacityProviderStrategy,
    Cluster,
    Condition,
    Deployment,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    HealthCheck,
    LifecycleHook,
    LifecycleStage,
    LogConfig,
    Namespace,
    NetworkLoadBalancer,
    PortMapping,
    Queue,
    RestartPolicy,
    ScheduledTask,
    Secret,
    Service,
    ServiceConnect,
    Stack,
    Sub,
    TargetHealthCheck,
    ValidationError,
)
from ecsstack.invariants import check_template
from ecsstack.lint import lint_template

EXAMPLES = int(os.environ.get("ECSSTACK_FUZZ_EXAMPLES", "300"))
LINT_EVERY = int(os.environ.get("ECSSTACK_FUZZ_LINT_EVERY", "30"))
FARGATE_SIZES = [(256, 512), (512, 1024), (1024, 3072), (2048, 8192), (4096, 8192)]

#: each mistake the generator can make, and how a problem naming it reads (a regular expression over the
#: problem's text, matched case-insensitively)
MISTAKES: dict[str, str] = {
    "bad stack name": r"stack bad_name",
    "bad fargate size": r"cpu=256.*memory=4096|memory=4096.*cpu=256|fargate.*(size|cpu|memory)",
    "long stop timeout": r"stop.?timeout",
    "secret and env": r"TOKEN",
    "same port twice": r"port",
    "self dependency": r"itself|depends on 'app'|self",
    "healthy without check": r"health check",
    "success on essential": r"SUCCESS|essential",
    "cycle": r"cycle|circular|wait",
    "no essential": r"essential",
    "deploy cannot progress": r"min_healthy_percent|max_percent|progress",
    "port out of range": r"70000|port",
    "health check interval": r"interval",
    "health check retries": r"retries",
    "override enum": r"LaunchType.*LAMBDA",
    "override unknown key": r"Bogus",
    "unknown service connect port": r"nope",
    "bad schedule": r"schedule=.*rate\(1 days\)",
    "restarting init container": r"init container runs once",
}

#: mistakes the invariants catch on the template: when a rule refuses the model first, nothing is compiled
TEMPLATE_LEVEL = {"health check interval", "health check retries", "override enum", "override unknown key"}


@dataclass
class Drawn:
    stack: Stack
    mistakes: list[str] = field(default_factory=list)


def _image(draw: st.DrawFn, stack: Stack) -> object:
    kind = draw(st.sampled_from(["hub", "ecr", "sub", "ecr-sub", "public"]))
    if kind == "hub":
        return "nginx:1.27"
    if kind == "ecr":
        return "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1.0"
    if kind == "public":
        return "public.ecr.aws/nginx/nginx:1.27"
    stack.parameter("ImageTag", default="1.0")
    if kind == "sub":
        return Sub("example/app:${ImageTag}")
    return Sub("111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:${ImageTag}")  # issue 8 case 3


def _task(draw: st.DrawFn, stack: Stack, t: int, mode: str, mistakes: set[str]) -> object:
    if mode == "fargate":
        cpu, memory = (256, 4096) if "bad fargate size" in mistakes else draw(st.sampled_from(FARGATE_SIZES))
        return FargateTaskDefinition(f"task{t}", cpu=cpu, memory=memory)
    return Ec2TaskDefinition(f"task{t}", network_mode=mode, memory=512)


@st.composite
def blueprints(draw: st.DrawFn) -> Drawn:
    mistakes = set(draw(st.lists(st.sampled_from(sorted(MISTAKES)), max_size=2, unique=True))
                   if draw(st.booleans()) else [])
    stack = Stack("bad_name" if "bad stack name" in mistakes else draw(st.sampled_from(["demo", "demo-2"])))
    connects = "unknown service connect port" in mistakes or draw(st.booleans())
    namespace = Namespace("internal") if connects else None
    cluster = Cluster(draw(st.sampled_from(["main", "blue-green"])), service_connect_namespace=namespace)
    dns = namespace or Namespace("discovery")  # Cloud Map: one namespace per stack
    capacity = None
    services: list[Service] = []
    count = draw(st.integers(1, 3))
    # a mistake that lives in one service goes to the first
    for t in range(count):
        own = mistakes if t == 0 else set()
        needs_fargate = bool(own & {"bad fargate size", "long stop timeout", "same port twice"})
        mode = "fargate" if needs_fargate else draw(st.sampled_from(["fargate", "fargate", "awsvpc", "bridge", "host"]))
        task = _task(draw, stack, t, mode, own)
        port = draw(st.sampled_from([80, 8080])) + t  # host mode: one port per service on an instance
        inits = [task.add_init_container(f"init{i}", image="busybox:1.36", command=["true"])
                 for i in range(draw(st.integers(0, 2)))]
        logging = draw(st.sampled_from(["default", "default", "named", "firelens", "off"]))
        if logging == "firelens" and "no essential" in own:
            logging = "default"  # the router is essential
        if logging == "firelens":
            task.add_firelens_router()
        secrets = {"TOKEN": Secret.ssm("/demo/token")} if "secret and env" in own else draw(
            st.sampled_from([{}, {"TOKEN": Secret.ssm("/demo/token")},
                             {"KEY": Secret.secrets_manager("demo/k", key="k")}]))
        interval = 600 if "health check interval" in own else 30
        retries = 20 if "health check retries" in own else 3
        container_overrides = {"Bogus": 1} if "override unknown key" in own else {}
        app = task.add_container(
            "app", image=_image(draw, stack),
            # a named port is for Service Connect, which host-mode tasks cannot use (ECS116, ECS622)
            ports=[PortMapping(70000 if "port out of range" in own else port, name=None if mode == "host" else "http")],
            essential="no essential" not in own,
            secrets=secrets,
            environment={"TOKEN": "plain"} if "secret and env" in own else {"MODE": "prod"},
            stop_timeout=300 if "long stop timeout" in own else draw(st.sampled_from([None, 30, 120])),
            health_check=HealthCheck.shell("curl -f localhost || exit 1", interval=interval, retries=retries)
            if interval != 30 or retries != 3 or draw(st.booleans()) else None,
            logging={"default": LogConfig(), "named": LogConfig.awslogs(log_group=f"/demo/task{t}"),
                     "firelens": LogConfig.firelens(), "off": LogConfig.disabled()}[logging],
            overrides=container_overrides,
        )
        check = None if "healthy without check" in own else HealthCheck.shell("true", interval=interval,
                                                                                retries=retries)
        side = task.add_container("side", image="otel:1", essential=False, health_check=check,
                                  ports=[port] if "same port twice" in own else [])
        app.depends_on(side, Condition.HEALTHY if "healthy without check" in own else draw(
            st.sampled_from([Condition.START, Condition.HEALTHY])))
        if "self dependency" in own:
            app.depends_on(app)
        if "success on essential" in own:
            side.depends_on(app, Condition.SUCCESS)
        if "cycle" in own:
            side.depends_on(app, Condition.START)
        if inits and draw(st.booleans()):
            side.depends_on(inits[0], Condition.SUCCESS)
        if "restarting init container" in own and not inits:
            inits.append(task.add_init_container("init0", image="busybox:1.36", command=["true"]))
        if "restarting init container" in own:
            inits[0].restart_policy = RestartPolicy()
        if draw(st.booleans()):  # a Kubernetes-style sidecar, which the first init container may use
            proxy = task.add_sidecar(
                "proxy", image="proxy:1",
                health_check=HealthCheck.shell("true") if draw(st.booleans()) else None,
                restart=draw(st.sampled_from([True, False, RestartPolicy(ignored_exit_codes=[0],
                                                                         restart_attempt_period=60)])))
            if inits and draw(st.booleans()):
                inits[0].depends_on(proxy, proxy.readiness)
        storage = draw(st.sampled_from(["none", "efs", "efs-iam", "bind"]))
        if storage.startswith("efs"):
            volume = task.add_efs_volume("data", "fs-12345678", iam_authorization=storage == "efs-iam")
            app.mount(volume, "/data", read_only=draw(st.booleans()))
        elif storage == "bind":
            volume = task.add_bind_volume("scratch")
            app.mount(volume, "/scratch")
            side.mount(volume, "/scratch", read_only=True)
        if draw(st.booleans()):
            queue = Queue(f"jobs{t}")
            stack.add(queue)
            task.allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"], queue.arn)
        if draw(st.booleans()):
            task.allow("s3:GetObject", "arn:aws:s3:::demo-bucket/*")

        kwargs: dict = {}
        if mode != "fargate":
            if capacity is None:
                capacity = cluster.add_ec2_capacity("ec2", max_size=2)
            placement = draw(st.sampled_from(["strategy", "launch type"]))
            if placement == "strategy":
                kwargs["capacity_provider_strategy"] = [CapacityProviderStrategy(capacity)]
            else:
                kwargs["launch_type"] = "EC2"
        stuck = "deploy cannot progress" in own
        connect = None
        if namespace is not None and (mode != "host" or "unknown service connect port" in own):
            role = "unknown port" if "unknown service connect port" in own else draw(
                st.sampled_from(["none", "client", "server"]))
            if role == "client":
                connect = ServiceConnect()
            elif role == "server":
                connect = ServiceConnect(ports=["http"])
            elif role == "unknown port":
                connect = ServiceConnect(ports=["nope"])
        service = Service(f"svc{t}", cluster=cluster, task=task, service_connect=connect,
                          desired_count=draw(st.sampled_from([None, 1, 2])),
                          min_healthy_percent=100 if stuck else draw(st.sampled_from([0, 50, 100])),
                          max_percent=100 if stuck else 200,
                          enable_execute_command=draw(st.booleans()),
                          overrides={"LaunchType": "LAMBDA"} if "override enum" in own else {},
                          **kwargs)
        front = draw(st.sampled_from(["none", "alb", "nlb", "allow_from", "dns"]))
        target = None
        if front == "alb":
            target = ApplicationLoadBalancer(f"lb{t}").listen_http().add_target(
                service, container=app, health_check=TargetHealthCheck(path="/health"))
        elif front == "nlb":
            NetworkLoadBalancer(f"lb{t}").listen_tcp(443).add_target(service, container=app)
        elif front == "allow_from" and mode in ("fargate", "awsvpc"):  # network settings are awsvpc's
            service.allow_from = ["10.0.0.0/8"]
        elif front == "dns":
            service.register_dns(dns)
        # a deployment strategy for a service traffic reaches (and that keeps the rolling keywords at their defaults)
        serves = connect is not None and bool(connect.ports) and "unknown service connect port" not in own
        if (front in ("alb", "nlb") or serves) and service.min_healthy_percent == 100 and not stuck \
                and draw(st.booleans()):
            hook = LifecycleHook("arn:aws:lambda:us-east-1:123456789012:function:check", [LifecycleStage.POST_SCALE_UP])
            behind = front in ("alb", "nlb")
            service.deployment = draw(st.sampled_from([
                Deployment.blue_green(bake_time=5, test_port=9000 + t) if behind else Deployment.blue_green(),
                Deployment.canary(percent=10, interval=5, hooks=[hook]),
                Deployment.linear(step_percent=20, interval=2),
            ]))
        if draw(st.booleans()):
            scaling = service.auto_scale(1, 4).on_cpu(60)
            if target is not None and draw(st.booleans()):
                scaling.on_request_count(target, per_target=500)
        services.append(service)
        if "bad schedule" in own or draw(st.booleans()):
            schedule = "rate(1 days)" if "bad schedule" in own else draw(
                st.sampled_from(["rate(1 day)", "cron(0 3 * * ? *)", "at(2030-01-01T00:00:00)"]))
            stack.add(ScheduledTask(f"job{t}", task=task, cluster=cluster, schedule=schedule, **kwargs))
    stack.add(*services)
    return Drawn(stack, sorted(mistakes))


_compiled = itertools.count()


def _named(mistake: str, problems: list[str]) -> bool:
    return any(re.search(MISTAKES[mistake], text, flags=re.I | re.S) for text in problems)


def check_drawn(drawn: Drawn, lint: Callable[[dict], list] | None = None) -> str:
    """Run the property on one drawn blueprint; returns ``refused`` or ``compiled``."""
    stack, mistakes = drawn.stack, drawn.mistakes
    try:
        template = stack.to_dict()
    except ValidationError as exc:
        assert mistakes, f"a sound blueprint was refused: {exc}"
        texts = [str(p) for p in exc.problems]
        assert exc.problems and all(p.rule.startswith("ECS") for p in exc.problems)
        compiled = any(p.rule.startswith("ECS93") for p in exc.problems)
        unnamed = [m for m in mistakes if not _named(m, texts) and (compiled or m not in TEMPLATE_LEVEL)]
        assert not unnamed, f"{unnamed} not named among: {texts}"
        return "refused"
    assert not mistakes, f"{mistakes} were not caught"
    assert check_template(stack, template) == []
    if lint is not None:
        errors = [str(f) for f in lint(template) if f.is_error]
        assert errors == []
    return "compiled"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[Health.too_slow, Health.data_too_large])
@given(blueprints())
def test_refused_or_invariant_and_lint_clean(drawn: Drawn) -> None:
    lint = lint_template if drawn.mistakes == [] and next(_compiled) % LINT_EVERY == 0 else None
    outcome = check_drawn(drawn, lint)
    event(outcome)
    event(f"linted: {lint is not None}")
