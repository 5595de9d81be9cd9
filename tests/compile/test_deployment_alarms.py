"""Alarm-based rollback in the template: DeploymentConfiguration.Alarms beside the circuit breaker."""

from __future__ import annotations

from ecsstack import Alarm, Cluster, FargateTaskDefinition, Metric, Service, Stack
from ecsstack.lint import lint_template


def web(stack: Stack | None = None, **service_kwargs) -> Stack:
    task = FargateTaskDefinition("web")
    task.add_container("app", image="app")
    return (stack or Stack("t")).add(Service("web", cluster=Cluster("main"), task=task, **service_kwargs))


def deployment(stack: Stack) -> dict:
    return stack.to_dict()["Resources"]["WebService"]["Properties"]["DeploymentConfiguration"]


def test_names_and_parameters_enable_rollback_beside_the_circuit_breaker():
    stack = Stack("t")
    web(stack, rollback_alarms=["web-5xx", stack.parameter("LatencyAlarm")])
    config = deployment(stack)
    assert config["Alarms"] == {"AlarmNames": ["web-5xx", {"Ref": "LatencyAlarm"}], "Enable": True, "Rollback": True}
    assert config["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert "LatencyAlarm" in stack.to_dict()["Parameters"]


def test_alarms_work_without_the_circuit_breaker():
    config = deployment(web(rollback_alarms=["web-5xx"], circuit_breaker=False))
    assert "DeploymentCircuitBreaker" not in config and config["Alarms"]["Rollback"] is True


def test_a_modelled_alarm_is_referenced_by_its_name_and_comes_along():
    alarm = Alarm("errors", Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": "app/x/1"},
                                   statistic="Sum"), threshold=5)
    template = web(rollback_alarms=[alarm]).to_dict()
    assert template["Resources"]["ErrorsAlarm"]["Type"] == "AWS::CloudWatch::Alarm"
    alarms = template["Resources"]["WebService"]["Properties"]["DeploymentConfiguration"]["Alarms"]
    assert alarms["AlarmNames"] == [{"Ref": "ErrorsAlarm"}]


def test_no_alarms_no_change():
    assert "Alarms" not in deployment(web())


def test_rollback_alarms_are_cfn_lint_clean():
    assert [str(f) for f in lint_template(web(rollback_alarms=["web-5xx", "web-latency"]).to_dict())] == []
