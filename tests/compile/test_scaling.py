"""Autoscaling: the scalable target, target tracking, step scaling with its alarms, schedules; alarms."""

from __future__ import annotations

from ecsstack import (
    Alarm,
    ApplicationLoadBalancer,
    Attr,
    Cluster,
    Comparison,
    FargateTaskDefinition,
    Metric,
    ScalingStep,
    Service,
    Stack,
)
from ecsstack.lint import lint_template

DEPTH = Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "jobs"}, statistic="Maximum")


def web(name: str = "web", **kwargs) -> Service:
    task = FargateTaskDefinition(name)
    task.add_container("app", image="app:1", ports=[8080])
    return Service(name, cluster=Cluster("main"), task=task, **kwargs)


def compiled(*things) -> dict:
    return Stack("t").add(*things).to_dict()["Resources"]


def test_scalable_target_uses_the_service_linked_role() -> None:
    svc = web(desired_count=2)
    svc.auto_scale(min_tasks=2, max_tasks=8)
    r = compiled(svc)
    target = r["WebScalableTarget"]
    assert target["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
    assert target["Properties"] == {
        "MinCapacity": 2, "MaxCapacity": 8, "ScalableDimension": "ecs:service:DesiredCount", "ServiceNamespace": "ecs",
        "ResourceId": {"Fn::Join": ["/", ["service", {"Ref": "MainCluster"}, {"Fn::GetAtt": ["WebService", "Name"]}]]},
    }
    assert r["WebService"]["Properties"]["DesiredCount"] == 2  # left as given (see ECS702)


def test_target_tracking_on_cpu_and_memory_with_cooldowns() -> None:
    svc = web()
    svc.auto_scale().on_cpu(60).on_memory(75, scale_in_cooldown=600, scale_out_cooldown=30, disable_scale_in=True)
    r = compiled(svc)
    cpu = r["WebCpuScalingPolicy"]["Properties"]
    assert cpu["PolicyType"] == "TargetTrackingScaling" and cpu["ScalingTargetId"] == {"Ref": "WebScalableTarget"}
    assert cpu["TargetTrackingScalingPolicyConfiguration"] == {
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        "TargetValue": 60, "ScaleInCooldown": 300, "ScaleOutCooldown": 60}
    memory = r["WebMemoryScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert memory["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageMemoryUtilization"
    assert (memory["TargetValue"], memory["ScaleInCooldown"], memory["ScaleOutCooldown"]) == (75, 600, 30)
    assert memory["DisableScaleIn"] is True


def test_request_count_per_target_names_the_load_balancer_and_target_group() -> None:
    svc = web()
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    target = ApplicationLoadBalancer("public").listen_https(certificate).add_target(svc)
    svc.auto_scale().on_request_count(target, per_target=500)
    r = compiled(svc)
    config = r["WebRequestsScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 500
    assert config["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ALBRequestCountPerTarget",
        "ResourceLabel": {"Fn::Join": ["/", [{"Fn::GetAtt": ["PublicLoadBalancer", "LoadBalancerFullName"]},
                                             {"Fn::GetAtt": ["WebServiceTargetGroup", "TargetGroupFullName"]}]]}}


def test_step_scaling_splits_into_two_alarms_around_thresholds() -> None:
    svc = web()
    svc.auto_scale(max_tasks=20).on_metric("queue-depth", DEPTH, steps=[
        ScalingStep(upper=0, change=-1), ScalingStep(lower=100, upper=500, change=+1),
        ScalingStep(lower=500, change=+5)],
        scale_in_evaluation_periods=5)
    r = compiled(svc)
    out = r["WebQueueDepthScaleOutPolicy"]["Properties"]
    assert out["PolicyType"] == "StepScaling"
    assert out["StepScalingPolicyConfiguration"] == {
        "AdjustmentType": "ChangeInCapacity", "Cooldown": 60, "MetricAggregationType": "Maximum",
        "StepAdjustments": [
            {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 400, "ScalingAdjustment": 1},
            {"MetricIntervalLowerBound": 400, "ScalingAdjustment": 5}]}
    alarm = r["WebQueueDepthScaleOutAlarm"]["Properties"]
    assert (alarm["Threshold"], alarm["ComparisonOperator"], alarm["EvaluationPeriods"]) == (
        100, "GreaterThanOrEqualToThreshold", 1)
    assert alarm["AlarmActions"] == [{"Ref": "WebQueueDepthScaleOutPolicy"}]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == (
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 60)
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "jobs"}]
    scale_in = r["WebQueueDepthScaleInPolicy"]["Properties"]["StepScalingPolicyConfiguration"]
    assert scale_in["Cooldown"] == 300
    assert scale_in["StepAdjustments"] == [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": -1}]
    in_alarm = r["WebQueueDepthScaleInAlarm"]["Properties"]
    assert (in_alarm["Threshold"], in_alarm["ComparisonOperator"], in_alarm["EvaluationPeriods"]) == (
        0, "LessThanOrEqualToThreshold", 5)


def test_step_scaling_scale_in_bounds_are_relative_to_its_threshold() -> None:
    svc = web()
    svc.auto_scale().on_metric("latency", Metric("Custom", "Latency"), adjustment="PercentChangeInCapacity", steps=[
        ScalingStep(upper=20, change=-50), ScalingStep(lower=20, upper=40, change=-10),
        ScalingStep(lower=100, change=20)])
    r = compiled(svc)
    scale_in = r["WebLatencyScaleInPolicy"]["Properties"]["StepScalingPolicyConfiguration"]
    assert scale_in["AdjustmentType"] == "PercentChangeInCapacity"
    assert scale_in["MetricAggregationType"] == "Average"
    assert scale_in["StepAdjustments"] == [
        {"MetricIntervalUpperBound": -20, "ScalingAdjustment": -50},
        {"MetricIntervalLowerBound": -20, "MetricIntervalUpperBound": 0, "ScalingAdjustment": -10}]
    assert r["WebLatencyScaleInAlarm"]["Properties"]["Threshold"] == 40
    assert "Dimensions" not in r["WebLatencyScaleInAlarm"]["Properties"]


def test_only_scale_out_steps_make_one_alarm() -> None:
    svc = web()
    svc.auto_scale().on_metric("depth", DEPTH, [ScalingStep(lower=10, change=2)])
    r = compiled(svc)
    assert "WebDepthScaleOutAlarm" in r and "WebDepthScaleInAlarm" not in r and "WebDepthScaleInPolicy" not in r


def test_scheduled_actions() -> None:
    svc = web()
    svc.auto_scale(min_tasks=2, max_tasks=10).on_schedule("night", "cron(0 22 * * ? *)", min_tasks=1, max_tasks=2,
                                                          timezone="Europe/Paris").on_schedule(
        "morning", "cron(0 6 * * ? *)", min_tasks=2)
    r = compiled(svc)
    assert r["WebScalableTarget"]["Properties"]["ScheduledActions"] == [
        {"ScheduledActionName": "night", "Schedule": "cron(0 22 * * ? *)",
         "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 2}, "Timezone": "Europe/Paris"},
        {"ScheduledActionName": "morning", "Schedule": "cron(0 6 * * ? *)",
         "ScalableTargetAction": {"MinCapacity": 2}}]


def test_a_service_without_scaling_has_no_target() -> None:
    r = compiled(web())
    assert not any(v["Type"].startswith("AWS::ApplicationAutoScaling") for v in r.values())


def test_alarm_resource_and_its_dimensions() -> None:
    svc = web(service_name="web")
    alarm = Alarm("web-cpu-high", Metric("AWS/ECS", "CPUUtilization", {"ServiceName": "web",
                                                                       "ClusterName": Attr(svc.cluster)}),
                  threshold=90, comparison=Comparison.GREATER, evaluation_periods=3, datapoints_to_alarm=2,
                  treat_missing_data="notBreaching", description="CPU above 90 %")
    r = compiled(svc, alarm)
    props = r["WebCpuHighAlarm"]["Properties"]
    assert props == {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization", "Statistic": "Average", "Period": 60,
                     "Dimensions": [{"Name": "ClusterName", "Value": {"Ref": "MainCluster"}},
                                    {"Name": "ServiceName", "Value": "web"}],
                     "Threshold": 90, "ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 3,
                     "DatapointsToAlarm": 2, "TreatMissingData": "notBreaching", "AlarmDescription": "CPU above 90 %"}


def realistic() -> Stack:
    svc = web(desired_count=2)
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    target = ApplicationLoadBalancer("public").listen_https(certificate).add_target(svc)
    (svc.auto_scale(min_tasks=2, max_tasks=12)
        .on_cpu(60).on_memory(80).on_request_count(target, per_target=800)
        .on_metric("latency", Metric("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": "app/x/1"}),
                   steps=[ScalingStep(upper=0.1, change=-1), ScalingStep(lower=0.5, upper=1, change=1),
                          ScalingStep(lower=1, change=3)])
        .on_schedule("night", "cron(0 22 * * ? *)", min_tasks=2, max_tasks=4)
        .on_schedule("day", "cron(0 6 * * ? *)", min_tasks=2, max_tasks=12))
    return Stack("scaling").add(svc, Alarm("errors", Metric("Custom", "Errors"), threshold=1))


def test_realistic_scaling_stack_lints_clean() -> None:
    stack = realistic()
    assert stack.problems() == []
    findings = lint_template(stack.to_dict())
    assert [str(f) for f in findings if f.level in ("error", "warning")] == []
