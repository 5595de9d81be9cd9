"""ECS932: combinations of properties ECS refuses that only overrides= can write (the AWS CDK's checks on
DAEMON scheduling, deployment controllers, canary/linear strategies, links, swap and PID/IPC modes)."""

from __future__ import annotations

from typing import Any

import pytest

from ecsstack import (
    Cluster,
    Ec2TaskDefinition,
    FargateTaskDefinition,
    Namespace,
    Parameter,
    PortMapping,
    Service,
    ServiceConnect,
    Stack,
    ValidationError,
)
from ecsstack.compile import compile_with_warnings
from ecsstack.invariants import ecs_overrides
from ecsstack.invariants._template import Template

from .cases import shipped


def _fargate(container: dict[str, Any] | None = None, task: dict[str, Any] | None = None,
             **service: Any) -> Stack:
    definition = FargateTaskDefinition("web", overrides=task or {})
    definition.add_container("app", image="app:1", overrides=container or {})
    return Stack("app").add(Service("web", cluster=Cluster("main"), task=definition, **service))


def _daemon(**service: Any) -> Stack:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("agent", memory=256)
    task.add_container("agent", image="agent:1")
    return Stack("app").add(Service("agent", cluster=cluster, task=task, **service))


def _refused(stack: Stack) -> list[str]:
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    problems = [p for p in info.value.problems if p.rule == "ECS932"]
    assert problems and all(p.severity == "error" and p.hint for p in problems)
    # the override that wrote the value is named (``service agent › overrides › resource AgentService``)
    assert all(p.path.startswith(("stack app › resource ", "service ", "task ")) and " › resource " in p.path
               for p in problems)
    return [p.message for p in problems]


@pytest.mark.parametrize("stack", shipped(), ids=lambda s: s.name)
def test_shipped_blueprints_pass(stack: Stack) -> None:
    template, _ = compile_with_warnings(stack)
    assert ecs_overrides.check(stack, Template(template)) == []


# ---- DAEMON -------------------------------------------------------------------------------------------

def test_daemon_with_a_desired_count_and_max_percent() -> None:
    messages = _refused(_daemon(launch_type="EC2", overrides={"SchedulingStrategy": "DAEMON"}))
    assert any("no DesiredCount" in m for m in messages)
    assert any("maximum percent of 200" in m for m in messages)


def test_daemon_with_placement_or_capacity_provider_strategies() -> None:
    messages = _refused(_daemon(launch_type="EC2", min_healthy_percent=0, max_percent=100, overrides={
        "SchedulingStrategy": "DAEMON", "DesiredCount": None,
        "PlacementStrategies": [{"Type": "spread", "Field": "instanceId"}]}))
    assert len(messages) == 1 and "placement strategies" in messages[0]
    messages = _refused(_daemon(min_healthy_percent=0, max_percent=100,
                                overrides={"SchedulingStrategy": "DAEMON", "DesiredCount": None}))
    assert messages == ["SchedulingStrategy DAEMON with a capacity provider strategy; ECS runs daemons on the EC2 "
                        "launch type only."]


def test_daemon_on_fargate_is_left_to_cfn_lint() -> None:  # E3044, reported by ecsstack lint and deploy
    stack = _fargate(overrides={"SchedulingStrategy": "DAEMON"})
    template, _ = compile_with_warnings(stack)
    assert ecs_overrides.check(stack, Template(template)) == []


def test_a_daemon_written_as_ecs_takes_it_compiles() -> None:
    stack = _daemon(launch_type="EC2", min_healthy_percent=0, max_percent=100,
                    overrides={"SchedulingStrategy": "DAEMON", "DesiredCount": None})
    props = stack.to_dict()["Resources"]["AgentService"]["Properties"]
    assert props["SchedulingStrategy"] == "DAEMON" and "DesiredCount" not in props


# ---- deployment controllers and strategies ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["CODE_DEPLOY", "EXTERNAL"])
def test_circuit_breaker_needs_the_ecs_controller(kind: str) -> None:
    messages = _refused(_fargate(overrides={"DeploymentController": {"Type": kind}}))
    assert messages == [f"DeploymentConfiguration.DeploymentCircuitBreaker needs the ECS deployment controller; "
                        f"this service's is {kind}."]
    _fargate(circuit_breaker=False, overrides={"DeploymentController": {"Type": kind}}).to_dict()


def test_code_deploy_refuses_force_new_deployment_alarms_and_strategies() -> None:
    messages = _refused(_fargate(circuit_breaker=False, force_new_deployment=True, rollback_alarms=["high-5xx"],
                                 overrides={"DeploymentController": {"Type": "CODE_DEPLOY"},
                                            "DeploymentConfiguration": {"BakeTimeInMinutes": 5}}))
    assert any(m.startswith("ForceNewDeployment with the CODE_DEPLOY") for m in messages)
    assert any(m.startswith("DeploymentConfiguration.Alarms needs") for m in messages)
    assert any(m.startswith("DeploymentConfiguration.BakeTimeInMinutes needs") for m in messages)


def test_canary_and_linear_settings_go_with_their_strategy() -> None:
    messages = _refused(_fargate(overrides={"DeploymentConfiguration": {"LinearConfiguration": {"StepPercent": 10}}}))
    assert messages == ["DeploymentConfiguration.LinearConfiguration is set, but the strategy is ROLLING; ECS reads it "
                        "only with the LINEAR strategy."]
    _fargate(overrides={"DeploymentConfiguration": {
        "Strategy": "LINEAR", "LinearConfiguration": {"StepPercent": 10}}}).to_dict()


def test_canary_ranges_are_the_schemas() -> None:  # ECS930 reads them from the resource schema
    with pytest.raises(ValidationError) as info:
        _fargate(overrides={"DeploymentConfiguration": {"Strategy": "CANARY", "CanaryConfiguration": {
            "CanaryPercent": 0, "CanaryBakeTimeInMinutes": 2000}}}).to_dict()
    assert {p.rule for p in info.value.problems} == {"ECS930"} and len(info.value.problems) == 2


# ---- task definitions -------------------------------------------------------------------------------------

def test_links_need_bridge_mode() -> None:
    assert _refused(_fargate(container={"Links": ["db"]})) == [
        "container app: Links under the awsvpc network mode; ECS links containers in bridge mode only."]


def test_swap_on_fargate_and_out_of_range() -> None:
    messages = _refused(_fargate(container={"LinuxParameters": {"Swappiness": 150, "MaxSwap": 100}}))
    assert "container app: LinuxParameters.Swappiness is 150; ECS takes 0 to 100." in messages
    assert "container app: LinuxParameters.MaxSwap on a Fargate task; Fargate does not take it." in messages


def test_swap_on_ec2_in_range_compiles() -> None:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("web", memory=512)
    task.add_container("app", image="app:1", overrides={"LinuxParameters": {"Swappiness": 60, "MaxSwap": 512}})
    Stack("app").add(Service("web", cluster=cluster, task=task)).to_dict()


def test_pid_ipc_and_placement_constraints_on_fargate() -> None:
    messages = _refused(_fargate(task={"PidMode": "host", "IpcMode": "task",
                                       "PlacementConstraints": [{"Type": "memberOf", "Expression": "x"}]}))
    assert len(messages) == 3
    _fargate(task={"PidMode": "task"}).to_dict()


def test_task_placement_constraints_are_member_of_only() -> None:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("web", memory=512, overrides={"PlacementConstraints": [{"Type": "distinctInstance"}]})
    task.add_container("app", image="app:1")
    messages = _refused(Stack("app").add(Service("web", cluster=cluster, task=task)))
    assert messages == ["a task definition placement constraint of type distinctInstance; a task definition takes "
                        "memberOf constraints only."]


def test_tokens_pass() -> None:
    stack = _fargate(container={"LinuxParameters": {"InitProcessEnabled": True}},
                     overrides={"DeploymentController": {"Type": Parameter("Controller", default="ECS")}})
    stack.to_dict()


def test_external_controller_refuses_service_connect_and_lifecycle_hooks() -> None:
    cluster = Cluster("main", service_connect_namespace=Namespace("internal"))
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app:1", ports=[PortMapping(8080, name="http")])
    hook = {"HookTargetArn": "arn:aws:lambda:eu-west-1:123456789012:function:hook",
            "RoleArn": "arn:aws:iam::123456789012:role/hook", "LifecycleStages": ["POST_SCALE_UP"]}
    stack = Stack("app").add(Service("web", cluster=cluster, task=task, circuit_breaker=False,
                                     service_connect=ServiceConnect(ports=["http"]), overrides={
                                         "DeploymentController": {"Type": "EXTERNAL"},
                                         "DeploymentConfiguration": {"LifecycleHooks": [hook]}}))
    messages = _refused(stack)
    assert any(m.startswith("Service Connect with the EXTERNAL deployment controller") for m in messages)
    assert any(m.startswith("DeploymentConfiguration.LifecycleHooks needs") for m in messages)


def test_windows_takes_no_pid_mode() -> None:
    cluster = Cluster("main")
    cluster.add_ec2_capacity("instances")
    task = Ec2TaskDefinition("iis", memory=2048, os_family="WINDOWS_SERVER_2022_CORE", overrides={"PidMode": "task"})
    task.add_container("iis", image="iis:2022")
    assert _refused(Stack("app").add(Service("iis", cluster=cluster, task=task))) == [
        "PidMode on a WINDOWS_SERVER_2022_CORE task; Windows containers take no PidMode."]
