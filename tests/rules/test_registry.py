"""The rule set as a whole: registration, docs, all problems at once, and the docs examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecsstack import (
    Cluster,
    Condition,
    FargateTaskDefinition,
    HealthCheck,
    Secret,
    Service,
    Stack,
    ValidationError,
)
from ecsstack.rules import RULES, check_stack, validate

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

EXPECTED = {
    "ECS101", "ECS102", "ECS103", "ECS104", "ECS105", "ECS106", "ECS107", "ECS108", "ECS109", "ECS110", "ECS111",
    "ECS201", "ECS202", "ECS203", "ECS204", "ECS205", "ECS206", "ECS207",
    "ECS301", "ECS302", "ECS303", "ECS310", "ECS311", "ECS312", "ECS313", "ECS314", "ECS315", "ECS316",
    "ECS317",
    "ECS401", "ECS402", "ECS403", "ECS404", "ECS405", "ECS406", "ECS407",
    *(f"ECS{n}" for n in range(420, 434)),
    "ECS501", "ECS502", "ECS503", "ECS504",
    "ECS505", "ECS507",
    *(f"ECS{n}" for n in range(601, 619)),
    *(f"ECS{n}" for n in range(701, 716)),
    *(f"ECS{n}" for n in range(801, 815)),
    *(f"ECS{n}" for n in range(120, 131)), "ECS340", "ECS341", "ECS342", "ECS343",
    "ECS460", "ECS461", "ECS462", "ECS463", "ECS470", "ECS471",
}


def design_blueprint() -> Stack:
    """The blueprint of design.md, verbatim."""
    stack = Stack("web", description="Web app with a migration step and a telemetry sidecar")
    cluster = Cluster("main", container_insights=True)
    task = FargateTaskDefinition("web", cpu=512, memory=1024)
    task.add_init_container("migrate", image="example/app:1.4", command=["./manage", "migrate"])
    otel = task.add_container("otel", image="public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
                              health_check=HealthCheck(["CMD-SHELL", "curl -f localhost:13133 || exit 1"]))
    app = task.add_container("app", image="example/app:1.4", ports=[8080],
                             environment={"LOG_LEVEL": "info"},
                             secrets={"DB_PASSWORD": Secret.ssm("/web/db-password")})
    app.depends_on(otel, Condition.HEALTHY)
    stack.add(cluster, Service("web", cluster=cluster, task=task, desired_count=2))
    return stack


def test_every_rule_is_registered():  # importing ecsstack.rules registers them
    assert set(RULES) >= EXPECTED


def test_every_rule_has_a_summary_and_a_docs_anchor():
    check_stack(Stack("empty"))
    text = DOCS.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (ECS\d{3})\s*$", text, flags=re.M))
    for rule in RULES.values():
        assert rule.summary and not rule.summary.endswith(".")
        assert rule.docs.endswith("#" + rule.id.lower())
        assert rule.id in headings, f"docs/rules.md has no '## {rule.id}' section"
        assert f"| [{rule.id}](#{rule.id.lower()}) |" in text, f"docs/rules.md table lacks {rule.id}"


def test_design_blueprint_is_clean():
    stack = design_blueprint()
    assert check_stack(stack) == []
    assert validate(stack) == []
    stack.validate()


def broken() -> Stack:
    stack = Stack("web")
    task = FargateTaskDefinition("web", cpu=256, memory=4096)
    otel = task.add_container("otel", image="otel:1")
    app = task.add_container("app", image="app:1", environment={"my-var": "x"})
    app.depends_on(otel, Condition.HEALTHY)
    app.depends_on("migrat")
    stack.add(Service("web", cluster=Cluster("main"), task=task, desired_count=-1))
    return stack


def test_validate_raises_all_problems_at_once():
    with pytest.raises(ValidationError) as info:
        validate(broken())
    rules = [p.rule for p in info.value.problems]
    # errors only: the ECS107 warning stays out
    assert sorted(rules) == ["ECS201", "ECS202", "ECS310", "ECS402"]
    text = str(info.value)
    assert text.startswith("4 problems:")
    assert ("error ECS201 service web › task web › container app: depends on 'otel' with HEALTHY, but 'otel' "
            "has no health check. Add health_check=HealthCheck([...]) to 'otel', or use START.") in text
    assert ("error ECS310 service web › task web: Fargate does not support cpu=256 with memory=4096 "
            "(256 CPU allows 512, 1024, 2048).") in text


def test_stack_methods_use_the_rules():
    stack = broken()
    assert stack.problems() == check_stack(stack)
    with pytest.raises(ValidationError):
        stack.validate()


def test_check_stack_orders_errors_before_warnings_then_by_path():
    problems = check_stack(broken())
    severities = [p.severity for p in problems]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert problems[-1].rule == "ECS107" and problems[-1].severity == "warning"
    errors = [p for p in problems if p.severity == "error"]
    assert [p.path for p in errors] == sorted(p.path for p in errors)


def test_validate_returns_warnings_without_raising():
    stack = design_blueprint()
    stack.of_type(FargateTaskDefinition)[0].container("app").environment["my-var"] = "x"
    [warning] = validate(stack)
    assert warning.rule == "ECS107" and warning.severity == "warning"


def test_hints_and_messages_are_sentences():
    for problem in check_stack(broken()):
        assert problem.message.endswith((".", ")")) or problem.message.endswith("start.")
        assert not problem.hint or problem.hint.endswith((".", "?"))


# ---- an empty stack: only ECS507 speaks (CloudFormation refuses a template without resources) --------


def test_only_ecs507_finds_anything_in_an_empty_stack():
    found = {rule_id: rule.check(Stack("empty")) for rule_id, rule in RULES.items()}
    assert {rule_id for rule_id, problems in found.items() if problems} == {"ECS507"}
    assert set(found) >= EXPECTED


def test_no_rule_finds_anything_in_a_stack_of_one_cluster():
    found = {rule_id: rule.check(Stack("one").add(Cluster("main"))) for rule_id, rule in RULES.items()}
    assert {rule_id: problems for rule_id, problems in found.items() if problems} == {}


# ---- the examples of docs/rules.md do what they say ----------------------------------------------

PRELUDE = 'from ecsstack import *\nstack = Stack("app")\ncluster = Cluster("main")\n'


def doc_examples() -> list[tuple[str, str, str]]:
    """(rule id, "bad" or "good", code) for every example block of docs/rules.md."""
    text = DOCS.read_text(encoding="utf-8")
    out = []
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        rule_id = section.split("\n", 1)[0].strip()
        for code in re.findall(r"```python\n(.*?)```", section, flags=re.S):
            kind = code.split("\n", 1)[0].removeprefix("# ").strip()
            if kind in ("bad", "good"):
                out.append((rule_id, kind, code))
    return out


@pytest.mark.parametrize(("rule_id", "kind", "code"), doc_examples(),
                         ids=[f"{r}-{k}" for r, k, _ in doc_examples()])
def test_docs_examples(rule_id, kind, code):
    namespace: dict[str, object] = {}
    if rule_id == "ECS001" and kind == "bad":
        with pytest.raises(ValidationError) as info:
            exec(PRELUDE + code, namespace)
        assert [p.rule for p in info.value.problems] == ["ECS001"]
        return
    exec(PRELUDE + code, namespace)
    problems = check_stack(namespace["stack"])
    if rule_id not in RULES:  # checked while compiling (ECS5xx/9xx without a rule): compile to see
        try:
            namespace["stack"].to_dict()
        except ValidationError as exc:
            problems = exc.problems
    if kind == "bad":
        assert rule_id in {p.rule for p in problems}
    else:
        assert [p for p in problems if p.severity == "error" or p.rule == rule_id] == []


def test_every_rule_has_docs_examples():
    check_stack(Stack("empty"))
    covered = {(r, k) for r, k, _ in doc_examples()}
    for rule_id in [*RULES, "ECS001"]:
        assert (rule_id, "bad") in covered and (rule_id, "good") in covered, rule_id
