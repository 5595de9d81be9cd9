"""ECS5xx: names and the CloudFormation logical IDs derived from them."""

from __future__ import annotations

import pytest

from ecsstack import Cluster, FargateTaskDefinition, Service, Stack, ValidationError
from ecsstack.names import pascal as _pascal


def fargate(family: str = "web") -> FargateTaskDefinition:
    task = FargateTaskDefinition(family)
    task.add_container("app", image="app:1")
    return task


# ---- ECS501 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["2web", "my_stack", "web app", "-web", "a" * 129])
def test_ecs501_bad_stack_name(found, name):
    [problem] = found(Stack(name), "ECS501")
    assert problem.path == f"stack {name}"


def test_ecs501_suggests_a_name(found):
    [problem] = found(Stack("my_stack"), "ECS501")
    assert "'my-stack'" in problem.hint


@pytest.mark.parametrize("name", ["web", "my-stack-2", "A", "a" * 128])
def test_ecs501_good_stack_name(found, name):
    assert found(Stack(name), "ECS501") == []


# ---- ECS502 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cluster", "service", "where"), [
    (Cluster("main cluster"), {}, "cluster main cluster"),
    (Cluster("main", cluster_name="prod.main"), {}, "cluster main"),
    (Cluster("main"), {"name": "web.api"}, "service web.api"),
    (Cluster("main"), {"service_name": "web api"}, "service web"),
    (Cluster("x" * 256), {}, "cluster " + "x" * 256),
])
def test_ecs502_bad_cluster_or_service_name(found, cluster, service, where):
    kwargs = {"name": "web", **service}
    stack = Stack("app").add(Service(kwargs.pop("name"), cluster=cluster, task=fargate(), **kwargs))
    [problem] = found(stack, "ECS502")
    assert problem.path == where


def test_ecs502_good_names_and_tokens(found):
    stack = Stack("app")
    name = stack.parameter("ServiceName")
    stack.add(Service("web_api-2", cluster=Cluster("main-1", cluster_name="prod_main"), task=fargate(),
                      service_name=name))
    assert found(stack, "ECS502") == []


# ---- ECS503 ------------------------------------------------------------------------------------

def test_ecs503_clusters_collide(found):
    stack = Stack("app").add(Service("a", cluster=Cluster("my-app"), task=fargate("a")),
                             Service("b", cluster=Cluster("my_app"), task=fargate("b")))
    [problem] = found(stack, "ECS503")
    assert problem.path == "cluster my_app"
    assert "'my-app'" in problem.message and "'MyApp'" in problem.message


def test_ecs503_same_cluster_name_twice(found):
    stack = Stack("app").add(Service("a", cluster=Cluster("main"), task=fargate("a")),
                             Service("b", cluster=Cluster("main"), task=fargate("b")))
    [problem] = found(stack, "ECS503")
    assert problem.path == "cluster main" and "two clusters" in problem.message


def test_ecs503_tasks_collide(found):
    cluster = Cluster("main")
    stack = Stack("app").add(Service("a", cluster=cluster, task=fargate("web-api")),
                             Service("b", cluster=cluster, task=fargate("webApi")))
    [problem] = found(stack, "ECS503")
    assert problem.path == "service b › task webApi" and "'WebApi'" in problem.message


def test_ecs503_services_collide(found):
    cluster = Cluster("main")
    stack = Stack("app").add(Service("web-api", cluster=cluster, task=fargate("a")),
                             Service("web_api", cluster=cluster, task=fargate("b")))
    [problem] = found(stack, "ECS503")
    assert problem.path == "service web_api"


def test_ecs503_name_without_letters_or_digits(found):
    stack = Stack("app").add(Service("a", cluster=Cluster("-_-"), task=fargate("a")))
    [problem] = found(stack, "ECS503")
    assert problem.path == "cluster -_-"


def test_ecs503_parameters_differing_only_in_case_warn(found):
    stack = Stack("app")
    stack.parameter("ImageTag")
    stack.parameter("imagetag")
    [problem] = found(stack, "ECS503")
    assert problem.severity == "warning" and problem.path == "stack app › parameter imagetag"


def test_ecs503_outputs_collide(found):
    stack = Stack("app")
    stack.output("service-url", "x")
    stack.output("service_url", "y")
    [problem] = found(stack, "ECS503")
    assert problem.path == "stack app › output service_url" and "'ServiceUrl'" in problem.message


@pytest.mark.parametrize("parameter", ["WebService", "MainCluster", "WebTaskDefinition"])
def test_ecs503_parameter_named_like_a_resource(found, parameter):
    stack = Stack("app").add(Service("web", cluster=Cluster("main"), task=fargate("web")))
    stack.parameter(parameter)
    [problem] = found(stack, "ECS503")
    assert problem.path == f"stack app › parameter {parameter}"


def test_ecs503_allows_distinct_names_and_shared_objects(found):
    cluster = Cluster("main")
    task = fargate("web")
    stack = Stack("app").add(Service("web", cluster=cluster, task=task),
                             Service("web-canary", cluster=cluster, task=task))
    stack.parameter("ImageTag")
    stack.parameter("VpcId")
    stack.parameter("Web")
    stack.output("WebUrl", "x")
    stack.output("Web", "y")
    assert found(stack, "ECS503") == []


@pytest.mark.parametrize(("name", "pascal"), [
    ("web", "Web"), ("my-app", "MyApp"), ("my_app", "MyApp"), ("myApp", "MyApp"), ("my-app_v2", "MyAppV2"),
    ("a.b c", "ABC"), ("-_-", ""), ("2fast", "2fast"),
])
def test_pascal(name, pascal):
    assert _pascal(name) == pascal


# ---- ECS504 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "suggestion"), [("image-tag", "ImageTag"), ("image_tag", "ImageTag"),
                                                  ("vpc id", "VpcId")])
def test_ecs504_bad_parameter_name(found, name, suggestion):
    stack = Stack("app")
    stack.parameter(name)
    [problem] = found(stack, "ECS504")
    assert problem.path == f"stack app › parameter {name}" and f"'{suggestion}'" in problem.hint


@pytest.mark.parametrize("name", ["ImageTag", "VpcId", "Subnets2"])
def test_ecs504_good_parameter_name(found, name):
    stack = Stack("app")
    stack.parameter(name)
    assert found(stack, "ECS504") == []


# ---- ECS505 ------------------------------------------------------------------------------------

def test_ecs505_output_of_a_resource_not_in_the_stack():
    from ecsstack import Attr, Cluster, FargateTaskDefinition, Service, Stack

    stack = Stack("app")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx", environment={"PEER": Attr(Cluster("ghost"), "Arn")})
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    stack.output("Other", Cluster("other"))
    problems = [p for p in stack.problems() if p.rule == "ECS505"]
    assert [(p.path, "cluster" in p.message) for p in problems] == [
        ("service web › task web › container app", True), ("stack app › output Other", True)]
    assert "stack.add" in problems[0].hint


def test_ecs505_allows_references_to_what_the_stack_holds():
    from ecsstack import Attr, Cluster, FargateTaskDefinition, Service, Stack

    stack = Stack("app")
    cluster = Cluster("main")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx", environment={"CLUSTER": Attr(cluster, "Arn")})
    stack.add(Service("web", cluster=cluster, task=task))
    stack.output("Cluster", cluster)
    stack.output("Arn", Attr(cluster, "Arn"))
    assert [p for p in stack.problems() if p.rule == "ECS505"] == []
    stack.to_dict()


# ---- ECS507 ------------------------------------------------------------------------------------

def test_ecs507_stack_without_resources(found):
    stack = Stack("app")
    stack.parameter("ImageTag", default="1")
    stack.output("Tag", stack.parameters["ImageTag"])
    Service("web", cluster=Cluster("main"), task=fargate())  # built, never added
    [problem] = found(stack, "ECS507")
    assert problem.severity == "error"
    assert problem.path == "stack app"
    assert problem.message == "holds no resources, and CloudFormation refuses a template without any."
    assert problem.hint.startswith("Add what the blueprint builds with stack.add(service)")


def test_ecs507_is_raised_by_synth():
    with pytest.raises(ValidationError) as info:
        Stack("app").to_dict()
    assert [p.rule for p in info.value.problems] == ["ECS507"]


def test_ecs507_allows_any_resource(found):
    assert found(Stack("app").add(Cluster("main")), "ECS507") == []
