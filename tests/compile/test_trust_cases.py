"""Regression tests for the templates issue 8 found wrong (section 2, the compile fixes), each asserted on
the compiled template; the case number is the issue's."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    FargateTaskDefinition,
    Service,
    Stack,
    TaskDefinition,
    ValidationError,
)


def resources(stack: Stack) -> dict:
    return stack.to_dict()["Resources"]


def fargate_stack(task: TaskDefinition, stack_name: str = "t", **service_kwargs) -> Stack:
    if not task.containers:
        task.add_container("app", image="nginx:1.27", ports=[8080])
    return Stack(stack_name).add(Service(task.family, cluster=Cluster("main"), task=task, **service_kwargs))


# ---- 16: task families are prefixed by stack ------------------------------------------------------------------
def test_16_family_is_prefixed_by_the_stack_name_by_default() -> None:
    families = [resources(fargate_stack(FargateTaskDefinition("web"), name))["WebTaskDefinition"]["Properties"]
                ["Family"] for name in ("shop", "blog")]
    # both stacks compile the same template, and CloudFormation resolves it to shop-web and blog-web
    assert families == [{"Fn::Sub": "${AWS::StackName}-web"}] * 2


def test_16_an_explicit_family_is_kept_as_given() -> None:
    task = FargateTaskDefinition("web", family="shared-web")
    assert task.family == "web" and task.explicit_family == "shared-web"
    r = resources(fargate_stack(task))
    assert "WebTaskDefinition" in r  # the logical ID still comes from the blueprint name
    assert r["WebTaskDefinition"]["Properties"]["Family"] == "shared-web"


def test_16_family_alone_names_the_task_and_is_registered_as_given() -> None:
    task = TaskDefinition(family="web", cpu=256, memory=512)
    assert task.family == "web"
    assert resources(fargate_stack(task))["WebTaskDefinition"]["Properties"]["Family"] == "web"


def test_16_family_may_be_a_parameter() -> None:
    stack = Stack("t")
    task = FargateTaskDefinition("web", family=stack.parameter("Family", default="web"))
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    task.add_container("app", image="nginx:1.27")
    template = stack.to_dict()
    assert template["Resources"]["WebTaskDefinition"]["Properties"]["Family"] == {"Ref": "Family"}
    assert template["Parameters"]["Family"]["Default"] == "web"


@pytest.mark.parametrize(("make", "text"), [
    (lambda: FargateTaskDefinition("web", family=""), "family= is empty"),
    (lambda: FargateTaskDefinition("web", family=3), "family must be a string"),
    (lambda: FargateTaskDefinition(), "needs a name"),
    (lambda: FargateTaskDefinition("web", famly="x"), "unknown keyword famly"),
])
def test_16_a_bad_family_is_refused(make, text) -> None:
    with pytest.raises(ValidationError) as err:
        make()
    assert err.value.problems[0].rule == "ECS001" and text in err.value.problems[0].message
