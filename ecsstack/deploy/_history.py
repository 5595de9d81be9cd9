"""Deploy history, as Helm keeps releases: every successful deploy writes a record (its template, parameters,
who deployed it, when, the images, what changed) to S3, the last ``KEEP`` per stack; the stack's
``ecsstack:history`` tag says where (``s3://BUCKET/ecsstack-history/STACK/``), so ``history`` and ``rollback``
find the records from the stack alone.

The bucket is the deploy's template bucket: ``--s3-bucket``, else the one ecsstack makes per account and region
(private, encrypted, TLS only). Records live under ``ecsstack-history/``, outside the prefix whose uploaded
templates expire after 30 days. Every S3 call names the account expected to own the bucket. NoEcho parameter
values are never written (a rollback keeps their deployed value). Writing a record never fails a deploy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._errors import DeployError, UsageError
from ._provider import AWS_EXCEPTIONS, aws_errors, translate
from ._template import MASK, Template, is_no_echo

if TYPE_CHECKING:
    from ._changes import ResourceChange
    from ._provider import Provider, StackInfo

__all__ = ["HISTORY_TAG", "KEEP", "PREFIX", "HistoryEntry", "Location", "images_of", "prune", "read_entries",
           "record", "where"]

#: the stack tag that says where the stack's history is
HISTORY_TAG = "ecsstack:history"
#: records kept per stack (older ones are deleted after each new record)
KEEP = 20
#: the key prefix of every record (the bucket's lifecycle rule expires ``ecsstack/`` only)
PREFIX = "ecsstack-history"
_FORMAT = 1


@dataclass(frozen=True)
class Location:
    """Where a stack's records are: ``s3://bucket/prefix`` (prefix ending with ``/``)."""

    bucket: str
    prefix: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @classmethod
    def parse(cls, uri: str) -> Location | None:
        if not uri.startswith("s3://"):
            return None
        bucket, _, prefix = uri[5:].partition("/")
        if not bucket or not prefix:
            return None
        return cls(bucket, prefix if prefix.endswith("/") else prefix + "/")

    @classmethod
    def of(cls, bucket: str, stack_name: str) -> Location:
        return cls(bucket, f"{PREFIX}/{stack_name}/")

    def key(self, number: int) -> str:
        return f"{self.prefix}{number:06d}.json"

    def number(self, key: str) -> int | None:
        tail = key[len(self.prefix):] if key.startswith(self.prefix) else ""
        stem = tail.removesuffix(".json")
        return int(stem) if tail.endswith(".json") and stem.isdigit() else None


@dataclass
class HistoryEntry:
    """One recorded deploy: ``number`` (1, 2, …), ``when`` (UTC), ``who`` (the caller's ARN), ``outcome``
    (created/updated), ``images`` (``TaskDefinition/container`` → image), ``changes`` (``~ Modify X`` lines),
    ``description`` (``rollback to 2``, or what ``deploy(description=...)`` said), and the ``template`` text and
    ``parameters`` deployed (NoEcho values as ``****``)."""

    number: int
    when: str
    who: str
    outcome: str
    template: str
    parameters: dict[str, str] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    description: str = ""
    stack_id: str = ""
    #: True for the record whose template and parameters the stack has now (set by ``history``)
    deployed: bool = False

    def to_json(self) -> str:
        data = {"format": _FORMAT, **asdict(self)}
        data.pop("deployed")
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> HistoryEntry:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("template"), str):
            raise ValueError("not an ecsstack history record")
        return cls(int(data["number"]), str(data.get("when", "")), str(data.get("who", "")),
                   str(data.get("outcome", "")), data["template"], dict(data.get("parameters") or {}),
                   dict(data.get("images") or {}), list(data.get("changes") or []), str(data.get("description", "")),
                   str(data.get("stack_id", "")))

    @property
    def summary(self) -> str:
        """What changed, in a few words: ``created``, or ``3 changes: ~ WebTaskDefinition, …``."""
        if self.outcome == "created":
            return "created"
        if not self.changes:
            return "no resource changes"
        shown = ", ".join(c.split(" ", 1)[-1] for c in self.changes[:3])
        more = f", +{len(self.changes) - 3}" if len(self.changes) > 3 else ""
        return f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}: {shown}{more}"

    def rollback_parameters(self) -> dict[str, str]:
        """The parameters to deploy again: all recorded ones but NoEcho values (those keep their deployed value)."""
        return {k: v for k, v in self.parameters.items() if v != MASK}


def prune(numbers: Iterable[int], keep: int = KEEP) -> list[int]:
    """The record numbers to delete so that the newest ``keep`` remain, oldest first."""
    ordered = sorted(set(numbers))
    return ordered[:max(len(ordered) - keep, 0)]


def _resolve(value: Any, parameters: Mapping[str, str]) -> str:
    """An image as deployed: a ``Ref`` to a parameter or a ``Sub`` of parameters, resolved; else its JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref" and isinstance(arg, str) and arg in parameters:
            return parameters[arg]
        if key == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            for name, given in parameters.items():
                text = text.replace("${" + name + "}", given)
            return text
    return json.dumps(value, sort_keys=True)


def images_of(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, str]:
    """``TaskDefinition/container`` → image, for every task definition of ``template`` (parameters resolved)."""
    images = {}
    for logical, resource in sorted((template.get("Resources") or {}).items()):
        if resource.get("Type") != "AWS::ECS::TaskDefinition":
            continue
        for c in (resource.get("Properties") or {}).get("ContainerDefinitions") or []:
            if isinstance(c, dict) and "Image" in c:
                images[f"{logical}/{c.get('Name', '?')}"] = _resolve(c["Image"], parameters)
    return images


def where(provider: Provider, stack_name: str, previous: StackInfo | None, s3_bucket: str | None) -> Location:
    """Where this deploy records: where the stack's tag says (so a stack's history never splits), else in
    ``s3_bucket``, else in the default template bucket of the account and region (its name needs the account:
    one STS call)."""
    if previous is not None:
        tagged = Location.parse(previous.tags.get(HISTORY_TAG, ""))
        if tagged is not None:
            return tagged
    return Location.of(s3_bucket or provider.default_bucket(), stack_name)


def history_tags(location: Location, given: Mapping[str, str] | None,
                 previous: StackInfo | None) -> dict[str, str] | None:
    """The stack tags to send with the change set so that the stack carries ``HISTORY_TAG``: ``None`` (keep the
    stack's tags) when it already has it and no tags were given; else the given tags (or, when none are given,
    the stack's own, which sending tags would otherwise drop) plus the history tag."""
    current = dict(previous.tags) if previous is not None else {}
    if given is None and current.get(HISTORY_TAG) == location.uri:
        return None
    base = dict(given) if given is not None else current
    return {**base, HISTORY_TAG: location.uri}


def _change_lines(changes: Iterable[ResourceChange]) -> list[str]:
    symbol = {"Add": "+", "Modify": "~", "Remove": "-", "Import": "+", "Dynamic": "~"}
    return [f"{symbol.get(c.action, '?')} {c.action} {c.logical_id}" for c in changes]


def _caller(provider: Provider) -> str:
    try:
        with aws_errors("looking up who deploys"):
            return str(provider.client("sts").get_caller_identity().get("Arn") or "unknown")
    except DeployError:
        return "unknown"


def _s3(provider: Provider) -> tuple[Any, str]:
    return provider.client("s3"), provider.account()


def numbers(provider: Provider, location: Location) -> list[int]:
    """The record numbers kept at ``location``, oldest first (a paginated listing)."""
    s3, account = _s3(provider)
    found = []
    with aws_errors(f"listing the deploy history in {location.uri}"):
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=location.bucket, Prefix=location.prefix,
                                                             ExpectedBucketOwner=account)
        for page in pages:
            for obj in page.get("Contents") or []:
                number = location.number(obj.get("Key", ""))
                if number is not None:
                    found.append(number)
    return sorted(found)


def read_entry(provider: Provider, location: Location, number: int) -> HistoryEntry:
    s3, account = _s3(provider)
    key = location.key(number)
    with aws_errors(f"reading the deploy record s3://{location.bucket}/{key}"):
        body = s3.get_object(Bucket=location.bucket, Key=key, ExpectedBucketOwner=account)["Body"].read()
    try:
        return HistoryEntry.from_json(body.decode("utf-8"))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise DeployError(f"s3://{location.bucket}/{key} is not an ecsstack deploy record ({exc}).") from exc


def read_entries(provider: Provider, location: Location) -> list[HistoryEntry]:
    """Every kept record at ``location``, oldest first."""
    return [read_entry(provider, location, n) for n in numbers(provider, location)]


def record(provider: Provider, location: Location, *, stack_name: str, template: Template, outcome: str,
           changes: Iterable[ResourceChange], description: str = "", keep: int = KEEP) -> HistoryEntry:
    """Write the record of a deploy that succeeded, then delete records beyond the newest ``keep``. The deployed
    parameters are read from the stack (NoEcho values come back masked and are kept masked)."""
    info = provider.describe_stack(stack_name)
    parameters = dict(info.parameters) if info is not None else {}
    for name, spec in template.parameters.items():
        if name in parameters and is_no_echo(spec):
            parameters[name] = MASK
    # the default bucket is made (and secured) when missing; any other must exist and be this account's
    default = provider.default_bucket()
    bucket = provider.ensure_bucket(None if location.bucket == default else location.bucket)
    s3, account = _s3(provider)
    kept = numbers(provider, location)
    entry = HistoryEntry(
        number=(kept[-1] if kept else 0) + 1, when=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        who=_caller(provider), outcome=outcome, template=template.body, parameters=parameters,
        images=images_of(template.data, parameters), changes=_change_lines(changes), description=description,
        stack_id=info.stack_id if info is not None else "")
    key = location.key(entry.number)
    with aws_errors(f"writing the deploy record s3://{bucket}/{key}"):
        s3.put_object(Bucket=bucket, Key=key, Body=entry.to_json().encode("utf-8"), ContentType="application/json",
                      ServerSideEncryption="AES256", ExpectedBucketOwner=account)
    for old in prune([*kept, entry.number], keep):
        with aws_errors(f"deleting the old deploy record s3://{bucket}/{location.key(old)}"):
            s3.delete_object(Bucket=bucket, Key=location.key(old), ExpectedBucketOwner=account)
    return entry


def location_of(info: StackInfo) -> Location:
    """The history location the stack's tag names; ``DeployError`` when the stack has none."""
    tagged = info.tags.get(HISTORY_TAG)
    found = Location.parse(tagged or "")
    if found is None:
        why = f"its {HISTORY_TAG} tag ({tagged!r}) is not an s3:// location" if tagged else f"it has no " \
              f"{HISTORY_TAG} tag"
        raise DeployError(f"stack {info.name} has no deploy history: {why}.",
                          "ecsstack records a history from the next `ecsstack deploy` of this stack on.")
    return found


def pick(entries: list[HistoryEntry], to: int | None) -> HistoryEntry:
    """The record to roll back to: number ``to``, or the one before the newest."""
    if not entries:
        raise DeployError("the deploy history is empty: nothing to roll back to.")
    kept = [e.number for e in entries]
    span = f"{kept[0]}" if len(kept) == 1 else f"{kept[0]} to {kept[-1]}"
    if to is None:
        if len(entries) < 2:
            raise DeployError(f"the deploy history holds one record ({kept[0]}), the deploy in place: nothing "
                              "earlier to roll back to.")
        return entries[-2]
    found = next((e for e in entries if e.number == to), None)
    if found is None:
        raise UsageError(f"--to {to}: no such record; the history keeps {span} (the last {KEEP} deploys).",
                         "See them with `ecsstack history --stack-name NAME`.")
    return found


def safely(action: Any, warn: Any) -> Any:
    """Run ``action()``; any failure becomes a warning (``warn``) and None: history never fails a deploy."""
    try:
        return action()
    except DeployError as exc:
        warn(exc.message)
    except AWS_EXCEPTIONS as exc:
        warn(translate(exc, "recording the deploy").message)
    except Exception as exc:  # a record is a by-product: the deploy itself has succeeded
        warn(f"{type(exc).__name__}: {exc}")
    return None


def digest(template: str, parameters: Mapping[str, str]) -> str:
    """What makes two deploys the same: the template's data and the parameters."""
    try:
        data: Any = json.loads(template)
    except json.JSONDecodeError:
        data = template
    text = json.dumps([data, dict(sorted(parameters.items()))], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
