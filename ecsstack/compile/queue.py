"""SQS queues the stack creates, each with its dead-letter queue; kept when the stack lets go of them."""

from __future__ import annotations

from typing import Any

import awacs.sqs
from awacs.aws import Allow, ArnEquals, Condition, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Ref, sns, sqs

from ..model import Queue
from ..names import DEAD_LETTER_QUEUE, QUEUE, QUEUE_POLICY, SUBSCRIPTION, logical_id
from ._checkov import QUEUE_KMS, checkov_skips
from ._context import Context

__all__ = ["compile_queue", "compile_subscriptions"]

DEAD_LETTER_RETENTION = 14 * 24 * 3600  # the longest SQS keeps a message


def _retention(queue: Queue) -> dict[str, Any]:
    policy = "Retain" if queue.retain else "Delete"
    return {"DeletionPolicy": policy, "UpdateReplacePolicy": policy}


def _encryption(queue: Queue, ctx: Context) -> dict[str, Any]:
    """The queue's customer-managed key when it has one, else SQS-managed keys (and why checkov's KMS
    check does not apply)."""
    if queue.kms_key is not None:
        return {"KmsMasterKeyId": ctx.value(queue.kms_key)}
    return {"SqsManagedSseEnabled": True, **checkov_skips(QUEUE_KMS)}


def compile_queue(queue: Queue, ctx: Context) -> None:
    """The queue (compiled before the task definitions that name its URL and ARN)."""
    name = logical_id(queue.name, QUEUE)
    ctx.register(queue, name)
    props: dict[str, Any] = {
        "VisibilityTimeout": queue.visibility_timeout,
        "MessageRetentionPeriod": queue.retention_days * 24 * 3600,
        "ReceiveMessageWaitTimeSeconds": queue.receive_wait_seconds,
        **_encryption(queue, ctx),
    }
    if queue.queue_name:
        props["QueueName"] = queue.queue_name
    if queue.dead_letter:
        dlq = logical_id(queue.name, DEAD_LETTER_QUEUE)
        ctx.part(queue, "DeadLetterQueue", dlq)
        ctx.add(sqs.Queue(dlq, MessageRetentionPeriod=DEAD_LETTER_RETENTION, **_encryption(queue, ctx),
                          **_retention(queue)))
        props["RedrivePolicy"] = sqs.RedrivePolicy(deadLetterTargetArn=GetAtt(dlq, "Arn"),
                                                   maxReceiveCount=queue.max_receive_count)
    ctx.add(sqs.Queue(ctx.part(queue, "Queue", name), **props, **_retention(queue)))

    compile_subscriptions(queue, name, ctx)


def compile_subscriptions(queue: Queue, name: str, ctx: Context) -> None:
    """One SNS subscription per subscribed topic, and one queue policy letting exactly those topics send."""
    if not queue.subscriptions:
        return
    topics = []
    for sub in queue.subscriptions:
        topic = ctx.value(sub.topic)
        topics.append(topic)
        props: dict[str, Any] = {"Protocol": "sqs", "Endpoint": GetAtt(name, "Arn"), "TopicArn": topic,
                                 "RawMessageDelivery": sub.raw_message_delivery}
        if sub.filter_policy is not None:
            props["FilterPolicy"] = sub.filter_policy
            props["FilterPolicyScope"] = sub.filter_policy_scope
        logical = logical_id(queue.name, sub.topic_name, SUBSCRIPTION)
        ctx.add(sns.SubscriptionResource(ctx.part(queue, f"Subscription:{sub.topic_name}", logical), **props))
    document = PolicyDocument(Version="2012-10-17", Statement=[Statement(
        Effect=Allow, Principal=Principal("Service", "sns.amazonaws.com"), Action=[awacs.sqs.SendMessage],
        Resource=[GetAtt(name, "Arn")], Condition=Condition(ArnEquals("aws:SourceArn", topics)))])
    policy = logical_id(queue.name, QUEUE_POLICY)
    ctx.add(sqs.QueuePolicy(ctx.part(queue, "QueuePolicy", policy), Queues=[Ref(name)], PolicyDocument=document))
