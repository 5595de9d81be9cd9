"""Recorded AWS responses for real botocore clients, for the paths the emulator cannot produce
(per-resource events, rollbacks, throttling, stuck stacks, ECS task failures).

``Recorded`` answers calls by operation through botocore's ``before-call`` hook, as ``Stubber`` does:
botocore still validates every request against the service model, and every canned response is
validated against the operation's output shape. Unlike ``Stubber`` the order *between* operations is
free (a poll loop may ask describe_stacks and describe_stack_events in either order); within one
operation responses come in the order given. ``StackScript`` plays a recorded CloudFormation deploy.
"""

from __future__ import annotations

import copy
import zlib
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.validate import validate_parameters

NOWHERE = "http://127.0.0.1:9"  # a client that escapes the fake reaches nothing but a closed local port
BASE = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
ACCOUNT = "123456789012"


def make_client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1", endpoint_url=NOWHERE, aws_access_key_id="x",
                        aws_secret_access_key="x", config=Config(retries={"mode": "standard", "max_attempts": 1}))


class AwsFault(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Recorded:
    def __init__(self, client: Any):
        self.client = client
        self.queues: dict[str, deque[Any]] = defaultdict(deque)
        self.sticky: dict[str, Any] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register_first("before-parameter-build.*.*", self._record)
        client.meta.events.register("before-call.*.*", self._answer)

    # -- set up ---------------------------------------------------------------------------------------
    def add(self, method: str, *responses: Any, sticky: bool = False) -> Recorded:
        """Queue responses (dicts, ``AwsFault``s or callables taking the call's params)."""
        op = self._op(method)
        for r in responses:
            if isinstance(r, dict):
                self._validate(op, r)
        if sticky:
            self.sticky[op] = responses[-1]
            responses = responses[:-1]
        self.queues[op].extend(responses)
        return self

    def error(self, method: str, code: str, message: str, status: int = 400) -> Recorded:
        return self.add(method, AwsFault(code, message, status))

    def count(self, method: str) -> int:
        op = self._op(method)
        return sum(1 for name, _ in self.calls if name == op)

    def params(self, method: str) -> list[dict[str, Any]]:
        op = self._op(method)
        return [p for name, p in self.calls if name == op]

    # -- botocore hooks -------------------------------------------------------------------------------
    def _op(self, method: str) -> str:
        op = self.client.meta.method_to_api_mapping.get(method)
        if op is None:
            raise ValueError(f"{self.client.meta.service_model.service_name} has no method {method}")
        return op

    def _validate(self, op: str, response: dict[str, Any]) -> None:
        shape = self.client.meta.service_model.operation_model(op).output_shape
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        if shape is not None:
            validate_parameters(body, shape)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, copy.deepcopy(params)))

    def _answer(self, model: Any, params: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        op = model.name
        if self.queues[op]:
            item = self.queues[op].popleft()
        elif op in self.sticky:
            item = self.sticky[op]
        else:
            raise AssertionError(f"unexpected call {op}({self.calls[-1][1]})")
        user_params = self.calls[-1][1]
        try:
            response = item(user_params) if callable(item) else item
            if isinstance(response, AwsFault):
                raise response
        except AwsFault as fault:
            return (AWSResponse(None, fault.status, {}, None),
                    {"ResponseMetadata": {"HTTPStatusCode": fault.status},
                     "Error": {"Code": fault.code, "Message": fault.message}})
        self._validate(op, response)
        return AWSResponse(None, 200, {}, None), copy.deepcopy(response)


def stack_arn(name: str) -> str:
    return f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/{name}/00000000-{zlib.crc32(name.encode()):012d}"


OURS = "OURS"  # in a StackScript's events: the ClientRequestToken the execute/delete request carried


def event(stack: str, n: int, logical: str, status: str, reason: str = "", *, kind: str = "AWS::ECS::Service",
          physical: str = "", at: float | None = None, token: str = "") -> dict[str, Any]:
    """One StackEvent as DescribeStackEvents returns it; ``n`` orders and names it; ``token`` is its
    ClientRequestToken (``OURS``: the one the operation under test sent)."""
    arn = stack_arn(stack)
    if logical == stack:
        kind, physical = "AWS::CloudFormation::Stack", arn
    e = {"EventId": f"{stack}-{n}", "StackId": arn, "StackName": stack, "LogicalResourceId": logical,
         "PhysicalResourceId": physical, "ResourceType": kind,
         "Timestamp": BASE + timedelta(seconds=at if at is not None else n), "ResourceStatus": status}
    if reason:
        e["ResourceStatusReason"] = reason
    if token:
        e["ClientRequestToken"] = token
    return e


def stack_description(name: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"Stacks": [{"StackName": name, "StackId": stack_arn(name), "StackStatus": status,
                        "CreationTime": BASE, **extra}]}


class StackScript:
    """A recorded stack operation. ``steps`` are ``(status, [events])``; step 0 is the state before,
    ``start()`` (wired to execute_change_set / delete_stack) begins the operation and every later
    describe_stacks moves one step on. Events are listed newest first, ``page_size`` per page.
    ``others`` are further stacks (nested children) whose events are all visible."""

    def __init__(self, name: str, steps: list[tuple[str | None, list[dict[str, Any]]]], *,
                 page_size: int = 3, others: dict[str, list[dict[str, Any]]] | None = None,
                 started: bool = False, **stack_extra: Any):
        self.name, self.steps, self.page_size = name, steps, page_size
        self.step = 0
        self.started = started
        self.stack_extra = stack_extra
        self.others = {stack_arn(k): v for k, v in (others or {}).items()}

    token = ""

    def start(self, params: Any = None) -> dict[str, Any]:
        self.started = True
        self.token = (params or {}).get("ClientRequestToken", "")
        return {}

    def advance(self, _params: Any = None) -> None:
        """Move one step now (create_change_set on a new stack: it appears in REVIEW_IN_PROGRESS)."""
        self.step = min(self.step + 1, len(self.steps) - 1)

    @property
    def arn(self) -> str:
        return stack_arn(self.name)

    def describe_stacks(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.started and self.step < len(self.steps) - 1:
            self.step += 1
        status = self.steps[self.step][0]
        if status is None:
            raise AwsFault("ValidationError", f"Stack with id {params['StackName']} does not exist")
        return stack_description(self.name, status, **self.stack_extra)

    def visible_events(self) -> list[dict[str, Any]]:
        events = [e for _, batch in self.steps[: self.step + 1] for e in batch]
        events = [{**e, "ClientRequestToken": self.token} if e.get("ClientRequestToken") == OURS else e
                  for e in events]
        return list(reversed(events))

    def describe_stack_events(self, params: dict[str, Any]) -> dict[str, Any]:
        who = params["StackName"]
        events = self.others[who][::-1] if who in self.others else self.visible_events()
        start = int(params.get("NextToken") or 0)
        page = {"StackEvents": events[start: start + self.page_size]}
        if start + self.page_size < len(events):
            page["NextToken"] = str(start + self.page_size)
        return page

    def install(self, fake: Recorded) -> StackScript:
        fake.add("describe_stacks", self.describe_stacks, sticky=True)
        fake.add("describe_stack_events", self.describe_stack_events, sticky=True)
        return self


class FakeTime:
    """Injected ``sleep`` and ``clock``: sleeping advances the clock, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[int], None] | None = None

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(len(self.sleeps))

    def clock(self) -> float:
        return self.now
