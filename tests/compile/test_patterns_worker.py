"""QueueWorkerService: queue (or an existing one), least-privilege worker, Fargate Spot, queue-depth scaling."""

from __future__ import annotations

import pytest

from ecsstack import Cluster, Queue, ScalingStep, Stack, ValidationError
from ecsstack.lint import lint_template
from ecsstack.patterns import QueueWorkerService

ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]


def build(**kwargs) -> tuple[Stack, QueueWorkerService, dict]:
    stack = Stack("t")
    worker = QueueWorkerService(stack, "worker", image="worker:1", **kwargs)
    return stack, worker, stack.to_dict()


def task_statements(r: dict) -> list[dict]:
    return [s for p in r["WorkerTaskRole"]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def environment(r: dict) -> dict:
    container = r["WorkerTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    return {e["Name"]: e["Value"] for e in container["Environment"]}


def test_creates_a_retained_queue_with_a_dead_letter_queue() -> None:
    _, worker, t = build()
    r = t["Resources"]
    queue, dlq = r["WorkerQueue"], r["WorkerDeadLetterQueue"]
    for q in (queue, dlq):
        assert (q["DeletionPolicy"], q["UpdateReplacePolicy"]) == ("Retain", "Retain")
        assert q["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["WorkerDeadLetterQueue", "Arn"]}, "maxReceiveCount": 5}
    assert isinstance(worker.queue, Queue)


def test_worker_gets_the_queue_url_and_only_its_queue() -> None:
    _, _, t = build(environment={"LOG_LEVEL": "info"}, command=["python", "-m", "worker"])
    r = t["Resources"]
    assert environment(r) == {"QUEUE_URL": {"Ref": "WorkerQueue"}, "LOG_LEVEL": "info"}
    assert task_statements(r) == [{"Effect": "Allow", "Action": ACTIONS,
                                   "Resource": [{"Fn::GetAtt": ["WorkerQueue", "Arn"]}]}]
    container = r["WorkerTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert container["StopTimeout"] == 120 and container["Command"] == ["python", "-m", "worker"]


def test_spot_by_default_with_an_on_demand_base() -> None:
    _, _, t = build()
    r = t["Resources"]
    service = r["WorkerService"]
    assert "LaunchType" not in service["Properties"]
    assert service["Properties"]["CapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 4}, {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1}]
    assert service["DependsOn"] == ["WorkerClusterCapacityProviders"]
    assert r["WorkerClusterCapacityProviders"]["Properties"]["CapacityProviders"] == ["FARGATE_SPOT", "FARGATE"]
    assert "DesiredCount" not in service["Properties"], "autoscaling owns the count"


def test_without_spot_it_runs_on_the_fargate_launch_type() -> None:
    _, _, t = build(spot=False, min_tasks=1)
    r = t["Resources"]
    assert r["WorkerService"]["Properties"]["LaunchType"] == "FARGATE"
    assert "WorkerClusterCapacityProviders" not in r
    assert "DesiredCount" not in r["WorkerService"]["Properties"]


def test_scaled_on_queue_depth() -> None:
    _, worker, t = build(max_tasks=20, messages_per_task=50)
    r = t["Resources"]
    assert (r["WorkerScalableTarget"]["Properties"]["MinCapacity"],
            r["WorkerScalableTarget"]["Properties"]["MaxCapacity"]) == (0, 20)
    out_alarm = r["WorkerQueueDepthScaleOutAlarm"]["Properties"]
    assert out_alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and out_alarm["Namespace"] == "AWS/SQS"
    assert out_alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["WorkerQueue", "QueueName"]}}]
    assert out_alarm["Threshold"] == 1
    steps = r["WorkerQueueDepthScaleOutPolicy"]["Properties"]["StepScalingPolicyConfiguration"]["StepAdjustments"]
    assert steps == [{"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 49, "ScalingAdjustment": 1},
                     {"MetricIntervalLowerBound": 49, "ScalingAdjustment": 5}]
    in_alarm = r["WorkerQueueDepthScaleInAlarm"]["Properties"]
    assert (in_alarm["Threshold"], in_alarm["EvaluationPeriods"]) == (0, 5)
    assert worker.scaling is worker.service.scalings[0]


def test_custom_steps_and_one_message_per_task() -> None:
    _, _, t = build(messages_per_task=1)
    steps = t["Resources"]["WorkerQueueDepthScaleOutPolicy"]["Properties"]["StepScalingPolicyConfiguration"]
    assert steps["StepAdjustments"] == [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]
    _, _, t = build(steps=[ScalingStep(lower=10, change=2)])
    assert "WorkerQueueDepthScaleInAlarm" not in t["Resources"]


@pytest.mark.parametrize(("queue", "arn", "url", "name"), [
    ("arn:aws:sqs:eu-west-1:123456789012:jobs", "arn:aws:sqs:eu-west-1:123456789012:jobs",
     {"Fn::Sub": "https://sqs.eu-west-1.${AWS::URLSuffix}/123456789012/jobs"}, "jobs"),
    ("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
     {"Fn::Sub": "arn:${AWS::Partition}:sqs:eu-west-1:123456789012:jobs"},
     "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", "jobs"),
    ("jobs", {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"},
     {"Fn::Sub": "https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/jobs"}, "jobs"),
])
def test_existing_queue_by_arn_url_or_name(queue, arn, url, name) -> None:
    _, _, t = build(queue=queue)
    r = t["Resources"]
    assert "WorkerQueue" not in r and "WorkerDeadLetterQueue" not in r
    assert environment(r)["QUEUE_URL"] == url
    assert task_statements(r)[0]["Resource"] == [arn]
    assert r["WorkerQueueDepthScaleOutAlarm"]["Properties"]["Dimensions"] == [{"Name": "QueueName", "Value": name}]


def test_existing_queue_as_a_parameter() -> None:
    stack = Stack("t")
    QueueWorkerService(stack, "worker", image="worker:1", queue=stack.parameter("QueueName"))
    t = stack.to_dict()
    r = t["Resources"]
    assert "QueueName" in t["Parameters"]
    assert environment(r)["QUEUE_URL"] == {"Fn::Sub": [
        "https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/${Name}", {"Name": {"Ref": "QueueName"}}]}
    assert r["WorkerQueueDepthScaleOutAlarm"]["Properties"]["Dimensions"][0]["Value"] == {"Ref": "QueueName"}


def test_shares_a_cluster_and_exposes_its_parts() -> None:
    stack = Stack("t")
    cluster = Cluster("jobs")
    a = QueueWorkerService(stack, "images", image="img:1", cluster=cluster)
    b = QueueWorkerService(stack, "mail", image="mail:1", cluster=cluster, cpu_architecture="ARM64")
    assert a.cluster is b.cluster is cluster
    r = stack.to_dict()["Resources"]
    assert r["JobsClusterCapacityProviders"]["Properties"]["CapacityProviders"] == ["FARGATE_SPOT", "FARGATE"]
    assert r["MailTaskDefinition"]["Properties"]["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    assert {"ImagesQueue", "MailQueue", "ImagesService", "MailService"} <= set(r)
    assert "CapacityProviderStrategy" in r["ImagesService"]["Properties"]
    assert r["MailService"]["Properties"]["LaunchType"] == "FARGATE", "no Spot for ARM64 unless asked"


def test_arm64_with_spot_asked_for_is_refused() -> None:
    stack = Stack("t")
    QueueWorkerService(stack, "mail", image="mail:1", cpu_architecture="ARM64", spot=True)
    with pytest.raises(ValidationError) as info:
        stack.to_dict()
    assert [p.rule for p in info.value.problems] == ["ECS705"]


@pytest.mark.parametrize("kwargs", [
    {"queue": 5}, {"queue": "not a queue!"}, {"messages_per_task": 0}, {"scale_in_minutes": 0},
    {"on_demand_base": -1},
])
def test_argument_mistakes(kwargs) -> None:
    with pytest.raises(ValidationError) as info:
        QueueWorkerService(Stack("t"), "worker", image="worker:1", **kwargs)
    assert [p.rule for p in info.value.problems] == ["ECS001"]


def test_first_argument_must_be_the_stack() -> None:
    with pytest.raises(ValidationError):
        QueueWorkerService("worker", "worker", image="worker:1")


def test_worker_stack_lints_clean() -> None:
    stack = Stack("worker")
    QueueWorkerService(stack, "worker", image="worker:1", max_tasks=20, cpu=1024, memory=2048)
    QueueWorkerService(stack, "existing", image="worker:1", queue=stack.parameter("ExistingQueue"), spot=False)
    assert stack.problems() == []
    findings = lint_template(stack.to_dict())
    assert [str(f) for f in findings if f.level in ("error", "warning")] == []


def test_a_queue_with_its_own_kms_key_lets_the_worker_decrypt() -> None:
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    _, _, t = build(queue=Queue("jobs", kms_key=key))
    decrypt = [s for s in task_statements(t["Resources"]) if s["Action"] == ["kms:Decrypt"]]
    assert decrypt == [{"Action": ["kms:Decrypt"], "Effect": "Allow", "Resource": [key]}]
    _, _, plain = build()
    assert not any("kms:Decrypt" in s["Action"] for s in task_statements(plain["Resources"]))
