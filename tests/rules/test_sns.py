"""SNS subscriptions of queues (ECS481-ECS484): topic ARNs, KMS keys, filter policy limits, no topic twice."""

from __future__ import annotations

from ecsstack import Queue, Stack

ORDERS = "arn:aws:sns:us-east-1:123456789012:orders"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_topic_must_be_an_sns_arn(found) -> None:
    stack = Stack("app").add(Queue("jobs").subscribe("orders").subscribe("arn:aws:sqs:us-east-1:123456789012:x"))
    problems = found(stack, "ECS481")
    assert [(p.path, p.severity) for p in problems] == [("queue jobs.subscriptions[0]", "error"),
                                                        ("queue jobs.subscriptions[1]", "error")]
    assert "not an SNS topic ARN" in problems[0].message and "arn:aws:sns:" in problems[0].hint


def test_arns_of_other_partitions_and_parameters_pass(found) -> None:
    stack = Stack("app")
    queue = Queue("jobs").subscribe("arn:aws-cn:sns:cn-north-1:123456789012:orders.fifo")
    stack.add(queue.subscribe(stack.parameter("BillingTopicArn")).subscribe(ORDERS))
    assert found(stack, "ECS481") == []


def test_kms_encrypted_queue_warns(found) -> None:
    problems = found(Stack("app").add(Queue("jobs", kms_key=KEY).subscribe(ORDERS)), "ECS482")
    assert [(p.path, p.severity) for p in problems] == [("queue jobs.kms_key", "warning")]
    assert "sns.amazonaws.com" in problems[0].message
    assert found(Stack("app").add(Queue("jobs", kms_key=KEY)), "ECS482") == []


def test_filter_policy_limits(found) -> None:
    six = {k: ["1"] for k in "abcdef"}
    wide = {"a": [str(i) for i in range(10)], "b": [str(i) for i in range(16)]}  # 160 combinations
    nested = {"order": {"kind": ["x"], "shop": {"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"]}}}  # 5 keys
    queue = (Queue("jobs").subscribe(ORDERS, filter_policy=six)
             .subscribe("arn:aws:sns:us-east-1:123456789012:b", filter_policy=wide)
             .subscribe("arn:aws:sns:us-east-1:123456789012:c", filter_policy={"x": [object()]})
             .subscribe("arn:aws:sns:us-east-1:123456789012:d", filter_policy=nested,
                        filter_policy_scope="MessageBody"))
    problems = found(Stack("app").add(queue), "ECS483")
    assert [(p.path, p.message.split(";")[0]) for p in problems] == [
        ("queue jobs.subscriptions[0].filter_policy", "the filter policy has 6 attribute keys"),
        ("queue jobs.subscriptions[1].filter_policy", "the filter policy has 160 value combinations"),
        ("queue jobs.subscriptions[2].filter_policy", problems[2].message.split(";")[0]),
    ]
    assert "not JSON" in problems[2].message


def test_same_topic_twice_or_two_topics_of_one_name(found) -> None:
    twice = Queue("jobs").subscribe(ORDERS).subscribe(ORDERS, filter_policy={"a": ["1"]})
    problems = found(Stack("app").add(twice), "ECS484")
    assert [(p.path, "twice" in p.message) for p in problems] == [("queue jobs.subscriptions[1]", True)]
    clash = Queue("jobs").subscribe(ORDERS).subscribe("arn:aws:sns:eu-west-1:123456789012:orders")
    problems = found(Stack("app").add(clash), "ECS484")
    assert [(p.path, "same name" in p.message or "named" in p.message) for p in problems] == [
        ("queue jobs.subscriptions[1]", True)]
    fine = Queue("jobs").subscribe(ORDERS).subscribe("arn:aws:sns:us-east-1:123456789012:billing")
    assert found(Stack("app").add(fine), "ECS484") == []
