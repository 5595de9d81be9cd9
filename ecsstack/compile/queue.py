"""SQS queues the stack creates, each with its dead-letter queue; kept when the stack lets go of them."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, sqs

from ..model import Queue
from ..names import DEAD_LETTER_QUEUE, QUEUE, logical_id
from ._checkov import QUEUE_KMS, checkov_skips
from ._context import Context

__all__ = ["compile_queue"]

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
