"""TaskDefinition.existing: a service running a task definition registered elsewhere — the model, its rules
(ECS330-ECS335), the compiled template (alone, behind a load balancer, auto-scaled, on EC2 bridge, with
Service Connect) and the ECS339 invariant."""

from __future__ import annotations

import pytest

import ecsstack
from ecsstack import (
    ApplicationLoadBalancer,
    Cluster,
    ExistingTaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    Namespace,
    NetworkLoadBalancer,
    NetworkMode,
    PortMapping,
    Service,
    ServiceConnect,
    Stack,
    TaskDefinition,
    ValidationError,
)
from ecsstack.invariants import check_template
from ecsstack.lint import lint_template
from ecsstack.rules import check_stack

ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7"


def service(task: TaskDefinition, **kwargs) -> Service:
    return Service("web", cluster=Cluster("main"), task=task, **kwargs)


def synth(*things) -> dict:
    stack = Stack("app").add(*things)
    template = ecsstack.synth(stack)
    errors = [f for f in lint_template(template) if f.is_error]
    assert errors == [], errors
    return template


def rules(stack: Stack, *ids: str) -> list:
    return [p for p in check_stack(stack) if p.rule in ids]


# ---- the model --------------------------------------------------------------------------------------------------

def test_existing_is_a_task_definition_with_stated_defaults() -> None:
    task = TaskDefinition.existing("web:3")
    assert isinstance(task, ExistingTaskDefinition) and isinstance(task, TaskDefinition)
    assert task.family == "web" and task.reference == "web:3"
    assert task.network_mode is NetworkMode.AWSVPC and task.compatibilities == [LaunchType.FARGATE]
    assert task.containers == [] and task.path == "task web"


def test_existing_names_itself_from_an_arn_a_parameter_or_name() -> None:
    assert TaskDefinition.existing(ARN).family == "web"
    param = Stack("app").parameter("WebTask")
    assert TaskDefinition.existing(param).family == "WebTask"
    assert TaskDefinition.existing("web:3", name="api").family == "api"
    assert FargateTaskDefinition.existing("web:3").family == "web"  # a classmethod of every task class


def test_existing_takes_the_ports_of_named_containers() -> None:
    task = TaskDefinition.existing("web:3", ports={"app": 8080, "admin": [9090, PortMapping(9091, name="m")]})
    assert [c.name for c in task.containers] == ["app", "admin"]
    assert [p.container_port for p in task.container("admin").ports] == [9090, 9091]
    assert all(c.essential and c.logging.driver is None for c in task.containers)


def test_existing_states_network_mode_and_compatibilities() -> None:
    task = TaskDefinition.existing("web:3", network_mode="bridge", compatibilities="EC2")
    assert task.network_mode is NetworkMode.BRIDGE and task.compatibilities == [LaunchType.EC2]


@pytest.mark.parametrize("call", [
    lambda t: t.add_container("x", image="x:1"),
    lambda t: t.add_init_container("x", image="x:1"),
    lambda t: t.add_firelens_router(),
    lambda t: t.add_bind_volume("v"),
    lambda t: t.add_efs_volume("v", "fs-1"),
    lambda t: t.allow("s3:GetObject"),
])
def test_an_existing_task_refuses_what_belongs_to_the_registered_definition(call) -> None:
    with pytest.raises(ValidationError) as info:
        call(TaskDefinition.existing("web:3"))
    assert info.value.problems[0].rule == "ECS001"
    assert "registered elsewhere" in info.value.problems[0].message


@pytest.mark.parametrize(("args", "kwargs", "text"), [
    ((3,), {}, "family:revision"),
    ((ecsstack.Sub("${X}"),), {}, "cannot name"),
    (("web:3",), {"ports": ["app"]}, "ports must map container names"),
    (("web:3",), {"network_mode": "wide"}, "network_mode"),
])
def test_existing_checks_its_arguments(args, kwargs, text) -> None:
    with pytest.raises(ValidationError) as info:
        TaskDefinition.existing(*args, **kwargs)
    assert text in str(info.value)


def test_a_size_set_afterwards_is_refused_when_the_stack_is_checked() -> None:
    task = TaskDefinition.existing("web:3")
    task.cpu = 256
    with pytest.raises(ValidationError, match="cpu is part of the registered task definition"):
        Stack("app").add(service(task))


# ---- rules ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("reference", "rule", "text"), [
    ("web", "ECS330", "names a family without a revision"),
    ("arn:aws:ecs:eu-west-1:123456789012:service/main/web", "ECS330", "not of an ECS task definition"),
    ("arn:aws:ecs:eu-west-1:1234:task-definition/web:1", "ECS330", "not of an ECS task definition"),
    (":3", "ECS330", "not a reference"),
    ("web.api:3", "ECS331", "'web.api'"),
    ("web:0", "ECS332", "revision '0'"),
    ("web:latest", "ECS332", "revision 'latest'"),
    ("arn:aws:ecs:eu-west-1:123456789012:task-definition/web:x", "ECS332", "revision 'x'"),
])
def test_a_malformed_reference_is_an_error(reference, rule, text) -> None:
    stack = Stack("app").add(service(TaskDefinition.existing(reference, name="web")))
    [problem] = rules(stack, "ECS330", "ECS331", "ECS332")
    assert (problem.rule, problem.severity, problem.path) == (rule, "error", "service web › task web")
    assert text in problem.message and problem.hint


@pytest.mark.parametrize("reference", ["web:3", "web_api-2:12", ARN,
                                       "arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:1",
                                       "arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/web:1"])
def test_well_formed_references_pass(reference) -> None:
    stack = Stack("app").add(service(TaskDefinition.existing(reference)))
    assert [p for p in check_stack(stack) if p.severity == "error"] == []


def test_a_parameter_default_is_checked_like_a_literal() -> None:
    stack = Stack("app")
    param = stack.parameter("WebTask", default="web")
    stack.add(service(TaskDefinition.existing(param)))
    [problem] = rules(stack, "ECS330")
    assert "the default of parameter 'WebTask'" in problem.message


def test_a_parameter_without_default_is_not_checked_and_must_be_a_string() -> None:
    stack = Stack("app")
    stack.add(service(TaskDefinition.existing(stack.parameter("WebTask"))))
    assert rules(stack, "ECS330", "ECS331", "ECS332", "ECS335") == []
    bad = Stack("app")
    bad.add(service(TaskDefinition.existing(bad.parameter("WebTask", type="Number"))))
    [problem] = rules(bad, "ECS335")
    assert "its type is Number" in problem.message


def test_ecs333_notes_what_was_not_checked() -> None:
    stack = Stack("app").add(service(TaskDefinition.existing("web:3")))
    [note] = rules(stack, "ECS333")
    assert note.severity == "warning" and note.path == "service web › task web"
    assert "runs web:3" in note.message and "the Fargate cpu/memory size" in note.message
    assert "network mode (awsvpc) and launch types (FARGATE) as stated" in note.message
    assert [p.rule for p in check_stack(stack)] == ["ECS333"]  # no container/size rule speaks for it


def test_container_and_size_rules_are_skipped_but_service_rules_still_run() -> None:
    task = TaskDefinition.existing("web:3", compatibilities=["EC2"], network_mode="bridge")
    stack = Stack("app").add(service(task, launch_type="FARGATE", allow_from=["10.0.0.0/8"]))
    found = {p.rule for p in check_stack(stack) if p.severity == "error"}
    assert {"ECS403", "ECS405"} <= found  # launch type vs stated compatibilities; network settings vs mode
    assert not found & {"ECS301", "ECS303", "ECS310"}  # no containers, no size: not judged


def test_ecs334_a_load_balancer_needs_the_ports() -> None:
    alb = ApplicationLoadBalancer("public", internet_facing=False)
    svc = service(TaskDefinition.existing("web:3"))
    alb.listen_http().add_target(svc)
    stack = Stack("app").add(svc, alb)
    [problem] = rules(stack, "ECS334", "ECS608")
    assert (problem.rule, problem.path) == ("ECS334", "service web")
    assert 'ports={"app": 8080}' in problem.hint


def test_ecs334_allow_from_and_srv_records() -> None:
    stack = Stack("app").add(service(TaskDefinition.existing("web:3"), allow_from=["10.0.0.0/8"]))
    assert "allow_from=" in rules(stack, "ECS334")[0].message
    bridge = TaskDefinition.existing("web:3", network_mode="bridge", compatibilities=["EC2"])
    cluster = Cluster("main")
    cluster.add_ec2_capacity("pool")
    svc = Service("web", cluster=cluster, task=bridge)
    svc.register_dns(Namespace("internal"))
    assert "Cloud Map SRV records" in rules(Stack("app").add(svc), "ECS334")[0].message


def test_a_named_container_that_is_not_in_ports_is_reported() -> None:
    alb = ApplicationLoadBalancer("public", internet_facing=False)
    svc = service(TaskDefinition.existing("web:3", ports={"app": 8080}))
    alb.listen_http().add_target(svc, container="ap")
    [problem] = rules(Stack("app").add(svc, alb), "ECS605")
    assert "Did you mean 'app'?" in problem.message


# ---- compile ----------------------------------------------------------------------------------------------------

def test_a_service_alone_runs_the_reference_and_nothing_is_made_for_the_task() -> None:
    t = synth(service(TaskDefinition.existing("web:3")))
    resources = t["Resources"]
    assert resources["WebService"]["Properties"]["TaskDefinition"] == "web:3"
    kinds = {r["Type"] for r in resources.values()}
    assert not kinds & {"AWS::ECS::TaskDefinition", "AWS::IAM::Role", "AWS::Logs::LogGroup"}
    assert sorted(resources) == ["MainCluster", "WebService", "WebServiceSecurityGroup"]
    assert resources["WebService"]["Properties"]["LaunchType"] == "FARGATE"
    assert "NetworkConfiguration" in resources["WebService"]["Properties"]


def test_an_arn_and_a_parameter_compile_as_given() -> None:
    assert synth(service(TaskDefinition.existing(ARN)))["Resources"]["WebService"]["Properties"][
        "TaskDefinition"] == ARN
    stack = Stack("app")
    stack.add(service(TaskDefinition.existing(stack.parameter("WebTask"))))
    t = ecsstack.synth(stack)
    assert t["Resources"]["WebService"]["Properties"]["TaskDefinition"] == {"Ref": "WebTask"}
    assert t["Parameters"]["WebTask"]["Type"] == "String"
    assert [f for f in lint_template(t) if f.is_error] == []


def test_behind_an_alb_with_autoscaling() -> None:
    svc = service(TaskDefinition.existing("web:3", ports={"app": 8080}))
    alb = ApplicationLoadBalancer("public", internet_facing=False)
    alb.listen_http().add_target(svc, path="/api/*")
    svc.auto_scale(2, 6).on_cpu(60)
    r = synth(svc, alb)["Resources"]
    props = r["WebService"]["Properties"]
    assert props["LoadBalancers"] == [{"ContainerName": "app", "ContainerPort": 8080,
                                       "TargetGroupArn": {"Ref": "WebServiceTargetGroup"}}]
    assert r["WebServiceTargetGroup"]["Properties"]["Port"] == 8080
    assert r["WebScalableTarget"]["Properties"]["MinCapacity"] == 2
    ingress = r["WebServiceFromPublicLoadBalancerTcp8080"]["Properties"]
    assert (ingress["FromPort"], ingress["ToPort"]) == (8080, 8080)
    assert "DesiredCount" not in props  # left to autoscaling, as for a task built here


def test_behind_an_nlb_on_the_named_container_and_port() -> None:
    svc = service(TaskDefinition.existing("web:3", ports={"proxy": 80, "app": [8080, 9090]}))
    nlb = NetworkLoadBalancer("edge", internet_facing=False)
    nlb.listen_tcp(9090).add_target(svc, container="app", port=9090)
    props = synth(svc, nlb)["Resources"]["WebService"]["Properties"]
    assert props["LoadBalancers"][0]["ContainerName"] == "app"
    assert props["LoadBalancers"][0]["ContainerPort"] == 9090


def test_allow_from_opens_the_stated_ports() -> None:
    r = synth(service(TaskDefinition.existing("web:3", ports={"app": 8080}), allow_from=["10.0.0.0/8"]))["Resources"]
    [rule] = r["WebServiceSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert (rule["FromPort"], rule["CidrIp"]) == (8080, "10.0.0.0/8")


def test_an_ec2_bridge_task_gets_no_network_configuration() -> None:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("pool")
    task = TaskDefinition.existing("web:3", network_mode="bridge", compatibilities=["EC2"])
    r = synth(Service("web", cluster=cluster, task=task))["Resources"]
    props = r["WebService"]["Properties"]
    assert props["TaskDefinition"] == "web:3" and "NetworkConfiguration" not in props
    assert "AWS::ECS::TaskDefinition" not in {v["Type"] for v in r.values()}


def test_service_connect_serves_a_named_port_of_an_existing_task() -> None:
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    task = TaskDefinition.existing("web:3", ports={"app": PortMapping(8080, name="http")})
    svc = Service("web", cluster=cluster, task=task, service_connect=ServiceConnect(ports=["http"]))
    client_task = FargateTaskDefinition("client")
    client_task.add_container("app", image="client:1")
    client = Service("client", cluster=cluster, task=client_task, service_connect=True)
    stack = Stack("app").add(svc, client)
    assert [p for p in check_stack(stack) if p.severity == "error"] == []
    props = ecsstack.synth(stack)["Resources"]["WebService"]["Properties"]
    assert props["ServiceConnectConfiguration"]["Services"][0]["PortName"] == "http"


def test_a_stack_mixing_built_and_existing_tasks() -> None:
    built = FargateTaskDefinition("worker")
    built.add_container("app", image="worker:1")
    cluster = Cluster("main")
    worker = Service("worker", cluster=cluster, task=built)
    web = Service("web", cluster=cluster, task=TaskDefinition.existing("web:3"))
    r = synth(worker, web)["Resources"]
    assert r["WorkerService"]["Properties"]["TaskDefinition"] == {"Ref": "WorkerTaskDefinition"}
    assert r["WebService"]["Properties"]["TaskDefinition"] == "web:3"
    assert [k for k, v in r.items() if v["Type"] == "AWS::ECS::TaskDefinition"] == ["WorkerTaskDefinition"]


def test_the_graph_draws_an_existing_task() -> None:
    stack = Stack("app").add(service(TaskDefinition.existing("web:3", ports={"app": 8080})))
    text = ecsstack.draw(stack)
    assert "task web (run by service web ×1)" in text and "app  essential, ports 8080" in text


# ---- the ECS339 invariant ---------------------------------------------------------------------------------------

def test_ecs339_catches_a_service_running_something_else() -> None:
    stack = Stack("app").add(service(TaskDefinition.existing("web:3")))
    template = ecsstack.synth(stack)
    assert check_template(stack, template) == []
    template["Resources"]["WebService"]["Properties"]["TaskDefinition"] = "web:2"
    [problem] = check_template(stack, template)
    assert problem.rule == "ECS339" and "runs web:2" in problem.message and "web:3" in problem.message


def test_ecs339_catches_a_resource_made_for_an_existing_task() -> None:
    built = FargateTaskDefinition("web")
    built.add_container("app", image="app:1")
    other = Stack("other").add(Service("web", cluster=Cluster("main"), task=built))
    made = ecsstack.synth(other)
    stack = Stack("app").add(service(TaskDefinition.existing("web:3")))
    made["Resources"]["WebService"]["Properties"]["TaskDefinition"] = {"Ref": "WebTaskDefinition"}
    problems = [p for p in check_template(stack, made) if p.rule == "ECS339"]
    assert any("registered elsewhere: nothing should be made for it" in p.message for p in problems)


def test_ecs339_catches_a_built_task_swapped_for_another() -> None:
    a = FargateTaskDefinition("web")
    a.add_container("app", image="app:1")
    stack = Stack("app").add(Service("web", cluster=Cluster("main"), task=a))
    template = ecsstack.synth(stack)
    template["Resources"]["WebService"]["Properties"]["TaskDefinition"] = "web:1"
    [problem] = [p for p in check_template(stack, template) if p.rule == "ECS339"]
    assert "not the task definition WebTaskDefinition" in problem.message
