"""Every failing example the invariant work and the property test found, kept as a regular test."""

from __future__ import annotations

import pytest

from ecsstack import (
    CapacityProviderStrategy,
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LogConfig,
    Namespace,
    PortMapping,
    Service,
    ServiceConnect,
    Stack,
    Sub,
    ValidationError,
    synth,
)
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import check_template


def test_a_parameter_inside_overrides_no_longer_crashes_synth() -> None:
    """Found writing the schema check: a parameter in overrides= reached the template as a Python object and
    synth failed with 'Object of type Parameter is not JSON serializable'."""
    stack = Stack("demo")
    count = stack.parameter("Count", type="Number", default=2)
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27")
    stack.add(Service("web", cluster=Cluster("main"), task=task, overrides={"DesiredCount": count}))
    template = synth(stack)
    assert template["Resources"]["WebService"]["Properties"]["DesiredCount"] == {"Ref": "Count"}
    assert template["Parameters"]["Count"]["Type"] == "Number"


def test_a_sub_with_a_parameter_inside_container_overrides() -> None:
    stack = Stack("demo")
    stack.parameter("Stage", default="dev")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27", overrides={"WorkingDirectory": Sub("/srv/${Stage}")})
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    definition = synth(stack)["Resources"]["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert definition["WorkingDirectory"] == {"Fn::Sub": "/srv/${Stage}"}


def test_service_connect_from_a_bridge_client_is_admitted() -> None:
    """The reverse of issue 8's case 1: a client on bridge instances calling a Fargate server; its instances'
    group must be admitted into the server's group (it was not, until compile fixed case 1)."""
    stack = Stack("demo")
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    ec2 = cluster.add_ec2_capacity("ec2")
    server_task = FargateTaskDefinition("api")
    server_task.add_container("api", image="api:1", ports=[PortMapping(8080, name="http")])
    client_task = Ec2TaskDefinition("web", memory=512)
    client_task.add_container("web", image="web:1")
    stack.add(Service("api", cluster=cluster, task=server_task, service_connect=ServiceConnect(ports=["http"])),
              Service("web", cluster=cluster, task=client_task, service_connect=ServiceConnect(),
                      capacity_provider_strategy=[CapacityProviderStrategy(ec2)]))
    template, _ = compile_with_warnings(stack)
    assert check_template(stack, template, known=()) == []


def test_no_essential_container_but_the_firelens_router_is_sound() -> None:
    """Found by the property test: the FireLens router is essential, so a task whose own containers are all
    non-essential is still valid (the generator called it a mistake)."""
    stack = Stack("demo")
    task = FargateTaskDefinition("web")
    task.add_firelens_router()
    task.add_container("app", image="nginx:1.27", essential=False, logging=LogConfig.firelens())
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    template = synth(stack)
    assert check_template(stack, template, known=()) == []


def test_allow_from_on_a_bridge_service_is_refused() -> None:
    """Found by the property test: allow_from= is an awsvpc setting; on bridge it is refused (ECS405), so no
    declared path is left unadmitted."""
    stack = Stack("demo")
    cluster = Cluster("main")
    cluster.add_ec2_capacity("ec2")
    task = Ec2TaskDefinition("web", memory=512)
    task.add_container("app", image="nginx:1.27", ports=[80])
    stack.add(Service("web", cluster=cluster, task=task, allow_from=["10.0.0.0/8"]))
    with pytest.raises(ValidationError) as info:
        synth(stack)
    assert [p.rule for p in info.value.problems] == ["ECS405"]
