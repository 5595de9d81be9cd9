"""Property: any model built through the public API either is refused with ValidationError, or
compiles to a template cfn-lint finds no error in. Never a crash, never a template AWS would reject
for a reason we could have checked.

Models are drawn sound, then (half the time) given one mistake, so both sides are exercised.
"""

from __future__ import annotations

from hypothesis import HealthCheck as Health
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ecsstack import (
    Cluster,
    Condition,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    HealthCheck,
    Secret,
    Service,
    Stack,
    ValidationError,
)
from ecsstack.lint import lint_template

FARGATE_SIZES = [(256, 512), (512, 1024), (1024, 3072), (2048, 8192), (4096, 8192)]
MISTAKES = ["bad stack name", "bad fargate size", "long stop timeout", "secret and env", "same port twice",
            "self dependency", "healthy without check", "success on essential", "cycle", "no essential",
            "deploy cannot progress", "port out of range"]


@st.composite
def stacks(draw: st.DrawFn) -> tuple[Stack, str | None]:
    mistake = draw(st.one_of(st.none(), st.sampled_from(MISTAKES)))
    stack = Stack("bad_name" if mistake == "bad stack name" else draw(st.sampled_from(["demo", "demo-2"])))
    cluster = Cluster(draw(st.sampled_from(["main", "blue-green"])))
    for t in range(draw(st.integers(1, 2))):
        if mistake in ("bad fargate size", "same port twice") or draw(st.booleans()):
            cpu, memory = (256, 4096) if mistake == "bad fargate size" else draw(st.sampled_from(FARGATE_SIZES))
            task = FargateTaskDefinition(f"task{t}", cpu=cpu, memory=memory)
        else:
            task = Ec2TaskDefinition(f"task{t}", network_mode=draw(st.sampled_from(["bridge", "awsvpc", "host"])),
                                     memory=512)
        inits = [task.add_init_container(f"init{i}", image="busybox", command=["true"])
                 for i in range(draw(st.integers(0, 2)))]
        port = draw(st.sampled_from([80, 8080]))
        app = task.add_container(
            "app", image=draw(st.sampled_from(["nginx:1.27", "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1"])),
            ports=[70000 if mistake == "port out of range" else port],
            essential=mistake != "no essential",
            secrets={"TOKEN": Secret.ssm("/demo/token")} if mistake == "secret and env" else draw(
                st.sampled_from([{}, {"TOKEN": Secret.ssm("/demo/token")},
                                 {"KEY": Secret.secrets_manager("demo/k", key="k")}])),
            environment={"TOKEN": "plain"} if mistake == "secret and env" else {"MODE": "prod"},
            stop_timeout=300 if mistake == "long stop timeout" else draw(st.sampled_from([None, 30, 120])),
            health_check=draw(st.sampled_from([None, HealthCheck.shell("curl -f localhost || exit 1")])),
        )
        check = None if mistake == "healthy without check" else HealthCheck.shell("true")
        side = task.add_container("side", image="otel:1", essential=False, health_check=check,
                                  ports=[port] if mistake == "same port twice" else [])
        condition = draw(st.sampled_from([Condition.START, Condition.HEALTHY]))
        app.depends_on(side, Condition.HEALTHY if mistake == "healthy without check" else condition)
        if mistake == "self dependency":
            app.depends_on(app)
        if mistake == "success on essential":
            side.depends_on(app, Condition.SUCCESS)
        if mistake == "cycle":
            side.depends_on(app, Condition.START)
        if inits and draw(st.booleans()):
            side.depends_on(inits[0], Condition.SUCCESS)
        stuck = mistake == "deploy cannot progress"
        stack.add(Service(f"svc{t}", cluster=cluster, task=task, desired_count=draw(st.sampled_from([None, 1, 2])),
                          min_healthy_percent=100 if stuck else draw(st.sampled_from([0, 50, 100])),
                          max_percent=100 if stuck else 200))
    return stack, mistake


@settings(max_examples=60, deadline=None, suppress_health_check=[Health.too_slow, Health.data_too_large])
@given(stacks())
def test_refused_or_lint_clean(drawn: tuple[Stack, str | None]) -> None:
    stack, mistake = drawn
    try:
        template = stack.to_dict()
    except ValidationError as exc:
        assert mistake is not None, f"a sound model was refused: {exc}"
        assert exc.problems and all(p.rule.startswith("ECS") and p.path for p in exc.problems)
        event("refused")
        return
    assert mistake is None, f"{mistake!r} was not caught"
    event("compiled")
    errors = [str(f) for f in lint_template(template) if f.is_error]
    assert errors == []
