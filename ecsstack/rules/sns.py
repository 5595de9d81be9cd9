"""SNS subscriptions of queues: the topic ARN's shape, filter policies within SNS's limits, no topic twice,
and a KMS-encrypted queue's key letting SNS in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from ..model import Queue, Token
from ._registry import Index, Rule, rule

_TOPIC_ARN = re.compile(r"^arn:aws[-a-z]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
MAX_KEYS = 5  # attribute keys per filter policy (SNS quota)
MAX_COMBINATIONS = 150  # value combinations per filter policy (SNS quota)


def _subs(ix: Index) -> Iterator[tuple[Queue, int, Any]]:
    for queue in ix.of_type(Queue):
        for n, sub in enumerate(queue.subscriptions):
            yield queue, n, sub


@rule("ECS481", "a subscribed topic is an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME) or a token")
def _topic_arn(ix: Index, r: Rule) -> Iterator[Problem]:
    for queue, n, sub in _subs(ix):
        if isinstance(sub.topic, str) and not _TOPIC_ARN.match(sub.topic):
            yield r.problem(f"{queue.path}.subscriptions[{n}]", f"{sub.topic!r} is not an SNS topic ARN.",
                            "Write arn:aws:sns:REGION:ACCOUNT:NAME, or pass a stack parameter holding the ARN.")


@rule("ECS482", "a queue encrypted with a KMS key that subscribes to topics needs the key to let SNS in")
def _kms(ix: Index, r: Rule) -> Iterator[Problem]:
    for queue in ix.of_type(Queue):
        if queue.subscriptions and queue.kms_key is not None:
            yield r.problem(f"{queue.path}.kms_key", "SNS can deliver to this queue only if the key policy lets "
                            "sns.amazonaws.com use the key; ecsstack cannot change a key it does not create.",
                            "Add kms:GenerateDataKey* and kms:Decrypt for sns.amazonaws.com to the key policy, "
                            "or drop kms_key to use SQS-managed keys.", severity="warning")


def _leaves(policy: Any) -> Iterator[int]:
    """The number of values of each attribute (nested keys of a MessageBody policy flattened)."""
    for value in policy.values():
        if isinstance(value, dict):
            yield from _leaves(value)
        else:
            yield len(value) if isinstance(value, list) else 1


def _keys(policy: Any) -> int:
    return sum(_keys(v) if isinstance(v, dict) else 1 for v in policy.values())


@rule("ECS483", "a filter policy is JSON with at most 5 attribute keys and 150 value combinations")
def _filter_policy(ix: Index, r: Rule) -> Iterator[Problem]:
    for queue, n, sub in _subs(ix):
        policy, path = sub.filter_policy, f"{queue.path}.subscriptions[{n}].filter_policy"
        if policy is None:
            continue
        try:
            json.dumps(policy)
        except (TypeError, ValueError) as err:
            yield r.problem(path, f"the filter policy is not JSON ({err}).",
                            "Use strings, numbers, booleans, lists and dicts only.")
            continue
        keys = _keys(policy)
        if keys > MAX_KEYS:
            yield r.problem(path, f"the filter policy has {keys} attribute keys; SNS allows {MAX_KEYS}.",
                            "Filter on fewer attributes, or filter further in the worker.")
        combinations = 1
        for count in _leaves(policy):
            combinations *= max(count, 1)
        if combinations > MAX_COMBINATIONS:
            yield r.problem(path, f"the filter policy has {combinations} value combinations; SNS allows "
                            f"{MAX_COMBINATIONS}.", "List fewer values, or use a prefix or numeric match.")


def _topic_key(topic: Any) -> Any:
    return ("token", topic.name) if isinstance(topic, Token) and hasattr(topic, "name") else topic


@rule("ECS484", "a queue subscribes to each topic once, and to no two topics of the same name")
def _twice(ix: Index, r: Rule) -> Iterator[Problem]:
    for queue in ix.of_type(Queue):
        seen: dict[str, Any] = {}
        for n, sub in enumerate(queue.subscriptions):
            name, path = sub.topic_name, f"{queue.path}.subscriptions[{n}]"
            if name in seen and _topic_key(seen[name]) == _topic_key(sub.topic):
                yield r.problem(path, f"the queue subscribes to topic {name!r} twice.",
                                "Subscribe once; to filter on several patterns, list them in one filter policy.")
            elif name in seen:
                yield r.problem(path, f"two subscribed topics are named {name!r}; their subscriptions would share "
                                "a logical ID.", "Subscribe one of them from another queue.")
            seen.setdefault(name, sub.topic)
