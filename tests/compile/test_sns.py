"""Queues subscribed to SNS topics: one subscription per topic, one queue policy admitting exactly them."""

from __future__ import annotations

from ecsstack import Queue, QueueWorkerService, Stack
from ecsstack.lint import lint_template

ORDERS = "arn:aws:sns:us-east-1:123456789012:orders"


def subscribed() -> Stack:
    stack = Stack("app")
    worker = QueueWorkerService(stack, "jobs", image="worker:1")
    worker.queue.subscribe(ORDERS, filter_policy={"event": ["created"]}, filter_policy_scope="MessageBody")
    worker.queue.subscribe(stack.parameter("BillingTopicArn"), raw_message_delivery=False)
    return stack


def test_one_subscription_per_topic() -> None:
    resources = subscribed().to_dict()["Resources"]
    assert resources["JobsOrdersSubscription"] == {"Type": "AWS::SNS::Subscription", "Properties": {
        "Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["JobsQueue", "Arn"]}, "TopicArn": ORDERS,
        "RawMessageDelivery": True, "FilterPolicy": {"event": ["created"]}, "FilterPolicyScope": "MessageBody"}}
    assert resources["JobsBillingTopicArnSubscription"]["Properties"] == {
        "Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["JobsQueue", "Arn"]},
        "TopicArn": {"Ref": "BillingTopicArn"}, "RawMessageDelivery": False}


def test_queue_policy_admits_exactly_the_subscribed_topics() -> None:
    resources = subscribed().to_dict()["Resources"]
    policies = [r for r in resources.values() if r["Type"] == "AWS::SQS::QueuePolicy"]
    assert policies == [resources["JobsQueuePolicy"]]
    assert policies[0]["Properties"] == {"Queues": [{"Ref": "JobsQueue"}], "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": ["sqs:SendMessage"],
            "Resource": [{"Fn::GetAtt": ["JobsQueue", "Arn"]}],
            "Condition": {"ArnEquals": {"aws:SourceArn": [ORDERS, {"Ref": "BillingTopicArn"}]}}}]}}


def test_no_subscription_no_policy() -> None:
    resources = Stack("app").add(Queue("jobs")).to_dict()["Resources"]
    assert {r["Type"] for r in resources.values()} == {"AWS::SQS::Queue"}


def test_subscribed_stack_lints_clean_and_overrides_reach_a_subscription() -> None:
    stack = subscribed()
    assert stack.problems() == []
    stack.of_type(Queue)[0].override("Subscription:orders", {"DeliveryPolicy": {"healthyRetryPolicy": {}}})
    template = stack.to_dict()
    assert template["Resources"]["JobsOrdersSubscription"]["Properties"]["DeliveryPolicy"] == {
        "healthyRetryPolicy": {}}
    assert [str(f) for f in lint_template(template) if f.level in ("error", "warning")] == []


def test_grants_invariant_holds_the_queue_policy_to_the_subscribed_topics() -> None:
    from ecsstack.invariants import grants
    from ecsstack.invariants._template import Template

    stack = subscribed()
    template = stack.to_dict()
    assert grants.check(stack, Template(template)) == []
    statement = template["Resources"]["JobsQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    statement["Condition"]["ArnEquals"]["aws:SourceArn"] = [ORDERS, "arn:aws:sns:us-east-1:123456789012:other"]
    problems = grants.check(stack, Template(template))
    assert sorted(p.rule for p in problems) == ["ECS920", "ECS921"]
    assert any("other" in p.message for p in problems)
    statement["Principal"] = {"Service": "*"}
    assert "ECS921" in {p.rule for p in grants.check(stack, Template(template))}
