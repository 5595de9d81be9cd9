"""What ECS runs for a stack: per ECS service, the task-definition revision it runs with its images, the earlier
revisions of the family (newest first, with their images and registration dates) and the deployment in progress.

The ECS calls go through the provider's ``ecs`` client (its connect/read timeouts and retry budget apply to every
call); lists are read with boto3 paginators. ``ecsstack status`` shows the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._ecs import service_location
from ._errors import DeployError
from ._provider import aws_errors

if TYPE_CHECKING:
    from ._provider import Provider, StackResource

__all__ = ["Deployment", "Revision", "ServiceRevisions", "parse_task_definition_arn", "service_revisions"]

#: how many earlier revisions of a family ``status`` describes by default
PREVIOUS = 5
#: DescribeServices takes at most 10 services per call
_SERVICES_PER_CALL = 10


def parse_task_definition_arn(arn: str) -> tuple[str, int] | None:
    """``arn:…:task-definition/web:3`` (or ``web:3``) → ("web", 3); None when it is neither."""
    tail = arn.rsplit(":task-definition/", 1)[-1]
    family, sep, revision = tail.rpartition(":")
    if not sep or not family or not revision.isdigit():
        return None
    return family, int(revision)


@dataclass(frozen=True)
class Revision:
    """One registered revision of a task-definition family."""

    arn: str
    family: str
    revision: int
    #: container name → image, in the definition's order
    images: dict[str, str] = field(default_factory=dict)
    registered_at: datetime | None = None
    status: str = ""

    @property
    def label(self) -> str:
        return f"{self.family}:{self.revision}"

    @classmethod
    def from_api(cls, definition: dict[str, Any]) -> Revision:
        arn = definition.get("taskDefinitionArn", "")
        family, revision = parse_task_definition_arn(arn) or (definition.get("family", ""), 0)
        return cls(arn, definition.get("family") or family, int(definition.get("revision") or revision),
                   {c.get("name", "?"): c.get("image", "?") for c in definition.get("containerDefinitions") or []},
                   definition.get("registeredAt"), definition.get("status", ""))


@dataclass(frozen=True)
class Deployment:
    """One deployment of a service (DescribeServices ``deployments``): ``status`` PRIMARY (the newest) or ACTIVE
    (an older one still running tasks); ``rollout_state`` IN_PROGRESS, COMPLETED or FAILED."""

    id: str
    status: str
    task_definition: str
    rollout_state: str = ""
    rollout_reason: str = ""
    running: int = 0
    pending: int = 0
    desired: int = 0
    failed: int = 0
    updated_at: datetime | None = None

    @classmethod
    def from_api(cls, d: dict[str, Any]) -> Deployment:
        return cls(d.get("id", ""), d.get("status", ""), d.get("taskDefinition", ""), d.get("rolloutState") or "",
                   d.get("rolloutStateReason") or "", int(d.get("runningCount") or 0),
                   int(d.get("pendingCount") or 0), int(d.get("desiredCount") or 0),
                   int(d.get("failedTasks") or 0), d.get("updatedAt") or d.get("createdAt"))

    @property
    def revision(self) -> str:
        parsed = parse_task_definition_arn(self.task_definition)
        return f"{parsed[0]}:{parsed[1]}" if parsed else self.task_definition


@dataclass
class ServiceRevisions:
    """An ECS service of the stack: what it runs, what ran before, and how its deployment goes."""

    logical_id: str
    cluster: str
    service: str
    running: Revision | None = None
    previous: list[Revision] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    #: why part of it could not be read (the rest is still shown)
    note: str = ""

    @property
    def in_progress(self) -> Deployment | None:
        """The deployment under way: the PRIMARY one while it rolls out, or while older deployments still run."""
        primary = next((d for d in self.deployments if d.status == "PRIMARY"), None)
        if primary is None:
            return None
        if primary.rollout_state == "IN_PROGRESS" or any(d.status == "ACTIVE" for d in self.deployments):
            return primary
        return None


class _Reader:
    def __init__(self, provider: Provider):
        self.provider = provider
        self.ecs = provider.client("ecs")
        self.definitions: dict[str, Revision] = {}

    def services(self, cluster: str, names: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(names), _SERVICES_PER_CALL):
            chunk = names[start:start + _SERVICES_PER_CALL]
            with aws_errors(f"describing the ECS services of cluster {cluster}"):
                answer = self.ecs.describe_services(cluster=cluster, services=chunk)
            for s in answer.get("services") or []:
                found[s.get("serviceName", "")] = s
                found[s.get("serviceArn", "")] = s
        return found

    def definition(self, arn: str) -> Revision:
        if arn not in self.definitions:
            with aws_errors(f"describing the task definition {arn}"):
                answer = self.ecs.describe_task_definition(taskDefinition=arn)
            self.definitions[arn] = Revision.from_api(answer.get("taskDefinition") or {"taskDefinitionArn": arn})
        return self.definitions[arn]

    def family_arns(self, family: str) -> Iterator[str]:
        """The ACTIVE revisions of exactly ``family``, newest first (``familyPrefix`` also matches longer names)."""
        with aws_errors(f"listing the revisions of task definition family {family}"):
            pages = self.ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, sort="DESC")
            for page in pages:
                for arn in page.get("taskDefinitionArns") or []:
                    parsed = parse_task_definition_arn(arn)
                    if parsed and parsed[0] == family:
                        yield arn


def _ecs_services(resources: Iterable[StackResource]) -> list[tuple[str, str, str]]:
    """(logical id, cluster, service) for each ECS service of the stack whose ARN names its cluster."""
    found = []
    for r in resources:
        if r.resource_type != "AWS::ECS::Service" or not r.physical_id:
            continue
        where = service_location(r.physical_id)
        if where is not None:
            found.append((r.logical_id, *where))
    return found


def service_revisions(provider: Provider, resources: Iterable[StackResource], *,
                      previous: int = PREVIOUS) -> list[ServiceRevisions]:
    """For each ECS service among ``resources`` (a stack's), its revisions and deployments. A part that ECS does
    not answer is left out and said in ``note``; a missing permission for ECS as a whole raises ``DeployError``."""
    services = _ecs_services(resources)
    if not services:
        return []
    reader = _Reader(provider)
    by_cluster: dict[str, list[str]] = {}
    for _, cluster, name in services:
        by_cluster.setdefault(cluster, []).append(name)
    described = {cluster: reader.services(cluster, names) for cluster, names in by_cluster.items()}
    out = []
    for logical, cluster, name in services:
        entry = ServiceRevisions(logical, cluster, name)
        raw = described[cluster].get(name)
        if raw is None:
            entry.note = "ECS does not know this service (deleted outside CloudFormation?)."
            out.append(entry)
            continue
        entry.deployments = [Deployment.from_api(d) for d in raw.get("deployments") or []]
        arn = raw.get("taskDefinition") or ""
        try:
            if arn:
                entry.running = reader.definition(arn)
            parsed = parse_task_definition_arn(arn)
            if parsed is not None and previous > 0:
                for earlier in reader.family_arns(parsed[0]):
                    if parse_task_definition_arn(earlier)[1] >= parsed[1]:  # type: ignore[index]
                        continue  # newer than what runs (registered, not deployed) or the one running
                    entry.previous.append(reader.definition(earlier))
                    if len(entry.previous) >= previous:
                        break
        except DeployError as exc:
            entry.note = exc.message
        out.append(entry)
    return out


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else "?"


def _images(revision: Revision) -> str:
    return ", ".join(f"{name}={image}" for name, image in revision.images.items()) or "no containers listed"


def show(reporter: Any, services: list[ServiceRevisions]) -> None:
    """Print each service's revisions and deployment through ``reporter`` (``say``/``markup``)."""
    if not services:
        return
    reporter.markup("[bold]ECS services[/]")
    for s in services:
        running = s.running.label if s.running else "?"
        registered = f" (registered {_when(s.running.registered_at)})" if s.running else ""
        reporter.say(f"{s.logical_id}: service {s.service} in cluster {s.cluster} runs {running}{registered}")
        if s.running:
            for name, image in s.running.images.items():
                reporter.say(f"    {name}: {image}")
        moving = s.in_progress
        if moving is not None:
            reporter.say(f"  deployment in progress: {moving.revision} {moving.rollout_state or moving.status}, "
                         f"{moving.running}/{moving.desired} running, {moving.pending} pending"
                         + (f", {moving.failed} failed" if moving.failed else "")
                         + (f" ({moving.rollout_reason})" if moving.rollout_reason else ""))
            for d in s.deployments:
                if d is not moving:
                    reporter.say(f"    {d.status.lower()} {d.revision}: {d.running} running, {d.pending} pending")
        elif s.deployments:
            last = s.deployments[0]
            state = last.rollout_state.lower() if last.rollout_state else "steady"
            reporter.say(f"  deployment: {state}, {last.running}/{last.desired} running")
        if s.previous:
            reporter.say("  previous revisions:")
            for r in s.previous:
                reporter.say(f"    {r.label}  {_when(r.registered_at)}  {_images(r)}")
        if s.note:
            reporter.warn(f"{s.logical_id}: {s.note}")
