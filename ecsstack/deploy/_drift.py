"""``drift``: CloudFormation drift detection for a deployed stack, waited for, with each drifted resource's
property-level differences, and the ECS fields that drift by design marked ``expected``.

What drifts by design (not counted for the exit code unless ``strict``):

- ``AWS::ECS::Service`` ``DesiredCount`` when Application Auto Scaling scales the service (a ScalableTarget
  on ``ecs:service:DesiredCount`` in the stack): the scaler changes it all day;
- ``AWS::ECS::Service`` ``TaskDefinition`` when the running one is another revision of the same family: a CI
  pipeline that registers revisions outside CloudFormation (``aws ecs update-service``) does this;
- ``AWS::AutoScaling::AutoScalingGroup`` ``DesiredCapacity`` when an ECS capacity provider with managed
  scaling drives the group.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ._errors import DeployError, DeployInterrupted
from ._provider import aws_errors
from ._template import check_stack_name
from ._view import Reporter

if TYPE_CHECKING:
    from rich.console import Console

    from ._provider import Provider

__all__ = ["DriftResult", "DriftedResource", "PropertyDifference", "drift", "expected_reason"]

EXIT_IN_SYNC, EXIT_FAILED, EXIT_DRIFTED = 0, 1, 2


@dataclass(frozen=True)
class PropertyDifference:
    """One ``PropertyDifferences`` entry; ``expected`` says why it drifts by design (empty: it should not)."""

    path: str
    expected_value: str
    actual_value: str
    kind: str  # ADD | REMOVE | NOT_EQUAL
    expected: str = ""


@dataclass(frozen=True)
class DriftedResource:
    """A resource whose actual configuration differs (MODIFIED) or that is gone (DELETED)."""

    logical_id: str
    physical_id: str
    resource_type: str
    status: str
    differences: tuple[PropertyDifference, ...] = ()

    @property
    def expected(self) -> bool:
        """Every difference drifts by design (a DELETED resource never does)."""
        return self.status == "MODIFIED" and bool(self.differences) and all(d.expected for d in self.differences)


@dataclass
class DriftResult:
    """The stack's drift status (``DRIFTED``, ``IN_SYNC``...), the drifted resources and the exit code."""

    stack_name: str
    status: str
    resources: list[DriftedResource] = field(default_factory=list)
    detection_id: str = ""
    reason: str = ""
    strict: bool = False

    @property
    def unexpected(self) -> list[DriftedResource]:
        return [r for r in self.resources if self.strict or not r.expected]

    @property
    def exit_code(self) -> int:
        if self.status not in ("DRIFTED", "IN_SYNC"):
            return EXIT_FAILED
        return EXIT_DRIFTED if self.unexpected else EXIT_IN_SYNC


def _refs(node: Any) -> str:
    return json.dumps(node, sort_keys=True)


def _scaled_services(template: Mapping[str, Any]) -> set[str]:
    resources = template.get("Resources") or {}
    targets = [v.get("Properties") or {} for v in resources.values()
               if v.get("Type") == "AWS::ApplicationAutoScaling::ScalableTarget"]
    services = [k for k, v in resources.items() if v.get("Type") == "AWS::ECS::Service"]
    return {s for s in services for t in targets
            if t.get("ScalableDimension") == "ecs:service:DesiredCount"
            and (f'"{s}"' in _refs(t.get("ResourceId")) or f"${{{s}" in _refs(t.get("ResourceId")))}


def _managed_groups(template: Mapping[str, Any]) -> set[str]:
    resources = template.get("Resources") or {}
    groups = set()
    for v in resources.values():
        if v.get("Type") != "AWS::ECS::CapacityProvider":
            continue
        asg = (v.get("Properties") or {}).get("AutoScalingGroupProvider") or {}
        if (asg.get("ManagedScaling") or {}).get("Status", "ENABLED") == "ENABLED":
            groups |= {k for k in resources if f'"{k}"' in _refs(asg.get("AutoScalingGroupArn"))}
    return groups


def _family(arn: str) -> str:
    """``arn:...:task-definition/web:7`` → ``web``."""
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def expected_reason(resource_type: str, logical_id: str, path: str, expected: str, actual: str,
                    template: Mapping[str, Any]) -> str:
    """Why this difference drifts by design, or ``""``."""
    if resource_type == "AWS::ECS::Service" and path == "/DesiredCount" and logical_id in _scaled_services(template):
        return "Application Auto Scaling sets the service's desired count"
    if resource_type == "AWS::ECS::Service" and path == "/TaskDefinition" and expected and actual \
            and ":task-definition/" in actual and _family(expected) == _family(actual):
        return "another revision of the same task definition family (registered outside CloudFormation, e.g. by CI)"
    if resource_type == "AWS::AutoScaling::AutoScalingGroup" and path == "/DesiredCapacity" \
            and logical_id in _managed_groups(template):
        return "the ECS capacity provider's managed scaling sets the group's desired capacity"
    return ""


def drift(stack_name: str, *, strict: bool = False, wait_timeout: float = 300.0, poll: float = 3.0,
          region: str | None = None, profile: str | None = None, endpoint_url: str | None = None,
          timeout: float | None = None, provider: Provider | None = None, console: Console | None = None,
          sleep: Callable[[float], None] | None = None, clock: Callable[[], float] | None = None) -> DriftResult:
    """Run drift detection on ``stack_name``, wait for it (at most ``wait_timeout`` seconds), print each
    drifted resource with its property differences and return a ``DriftResult`` (``exit_code``: 0 in sync,
    2 drifted, 1 when detection failed). Expected-by-design drift is shown but does not count unless
    ``strict``."""
    check_stack_name(stack_name, arn_ok=True)
    sleep, clock = sleep or time.sleep, clock or time.monotonic
    if provider is None:
        from ._provider import Provider

        provider = Provider(region=region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)
    reporter = Reporter(console)
    cfn = provider.cfn
    with aws_errors(f"starting drift detection on {stack_name}"):
        detection = cfn.detect_stack_drift(StackName=stack_name)["StackDriftDetectionId"]
    reporter.say(f"Detecting drift of {stack_name} (detection {detection})...")
    deadline = clock() + wait_timeout
    try:
        while True:
            with aws_errors(f"asking for drift detection {detection}"):
                state = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
            if state.get("DetectionStatus") != "DETECTION_IN_PROGRESS":
                break
            if clock() > deadline:
                raise DeployError(f"drift detection {detection} of {stack_name} did not finish in "
                                  f"{wait_timeout:.0f} s.", "Try again later, or with --wait-timeout SECONDS.")
            sleep(poll)
    except KeyboardInterrupt:
        raise DeployInterrupted(stack_name, f"Interrupted; drift detection {detection} goes on in AWS (it changes "
                                            "nothing). Run `ecsstack drift` again later.") from None
    status = state.get("StackDriftStatus", "UNKNOWN")
    reason = state.get("DetectionStatusReason") or ""
    result = DriftResult(stack_name, status, detection_id=detection, reason=reason, strict=strict)
    if state.get("DetectionStatus") == "DETECTION_FAILED":
        # CloudFormation still reports what it could check; a resource it could not is named in the reason
        reporter.markup(f"[bold red]drift detection failed[/]: {escape(reason or 'no reason given')}")
        result.status = "DETECTION_FAILED"
    template: dict[str, Any] = {}
    if status == "DRIFTED" or result.status == "DETECTION_FAILED":
        template = provider.get_template(stack_name)
        result.resources = _drifts(cfn, stack_name, template)
    _report(reporter, result)
    return result


def _drifts(cfn: Any, stack_name: str, template: Mapping[str, Any]) -> list[DriftedResource]:
    found = []
    drifts: list[dict[str, Any]] = []
    token = None
    with aws_errors(f"listing the drifted resources of {stack_name}"):
        for _ in range(1000):  # botocore has no paginator for this call
            page = cfn.describe_stack_resource_drifts(StackName=stack_name, **({"NextToken": token} if token else {}),
                                                      StackResourceDriftStatusFilters=["MODIFIED", "DELETED"])
            drifts.extend(page.get("StackResourceDrifts") or [])
            token = page.get("NextToken")
            if not token:
                break
    for d in drifts:
        kind, logical = d.get("ResourceType", ""), d.get("LogicalResourceId", "")
        diffs = tuple(PropertyDifference(
            p.get("PropertyPath", ""), p.get("ExpectedValue", ""), p.get("ActualValue", ""),
            p.get("DifferenceType", ""),
            expected_reason(kind, logical, p.get("PropertyPath", ""), p.get("ExpectedValue", ""),
                            p.get("ActualValue", ""), template))
            for p in d.get("PropertyDifferences") or [])
        found.append(DriftedResource(logical, d.get("PhysicalResourceId", ""), kind,
                                     d.get("StackResourceDriftStatus", ""), diffs))
    return sorted(found, key=lambda r: r.logical_id)


def _clip(value: str, limit: int = 100) -> str:
    """A drift value as CloudFormation gives it (JSON text), shortened; ``(none)`` when absent."""
    if not value:
        return "(none)"
    return value if len(value) <= limit else value[: limit - 1] + "…"


_SIGN = {"ADD": "+", "REMOVE": "-", "NOT_EQUAL": "~"}


def _report(reporter: Reporter, result: DriftResult) -> None:
    for r in result.resources:
        tag = " [dim](expected)[/]" if r.expected and not result.strict else ""
        style = "bold red" if r.status == "DELETED" else "yellow"
        reporter.markup(f"[{style}]{r.status}[/] {escape(r.logical_id)} {escape(r.resource_type)} "
                        f"{escape(r.physical_id)}{tag}")
        if r.status == "DELETED":
            reporter.say("    the resource no longer exists; CloudFormation still believes it does.")
        for d in r.differences:
            why = f"  (expected: {d.expected})" if d.expected else ""
            reporter.say(f"    {_SIGN.get(d.kind, '?')} {d.path}: {_clip(d.expected_value)} → "
                         f"{_clip(d.actual_value)} [{d.kind}]{why}")
    if result.status == "IN_SYNC":
        reporter.markup(f"[bold green]{escape(result.stack_name)}: in sync[/] (no drift)")
    elif result.status == "DRIFTED":
        unexpected, expected = len(result.unexpected), len(result.resources) - len(result.unexpected)
        if unexpected:
            reporter.markup(f"[bold red]{escape(result.stack_name)}: drifted[/] ({unexpected} resource"
                            f"{'s' if unexpected != 1 else ''}" + (f"; {expected} expected by design" if expected
                                                                   else "") + ")")
        else:
            reporter.markup(f"[bold green]{escape(result.stack_name)}: in sync[/] except for drift that is "
                            f"expected by design ({expected}; --strict counts it)")
    elif result.status not in ("DETECTION_FAILED",):
        reporter.say(f"{result.stack_name}: drift status {result.status}" +
                     (f" ({result.reason})" if result.reason else ""))
