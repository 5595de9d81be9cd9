"""The provider: every boto3 call of the deploy package, and the translation of AWS errors into one
clear line. Nothing else in ``ecsstack.deploy`` talks to AWS."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from ._changes import ResourceChange
from ._errors import DeployError, UsageError

__all__ = ["ACTIVE_DEPLOYMENTS", "AWS_EXCEPTIONS", "AwsError", "ChangeSet", "Provider", "StackInfo", "StackResource",
           "Timeouts", "aws_errors", "is_no_changes"]

# CloudFormation's two ways of saying "nothing to do"; checked here and nowhere else.
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
_CHANGE_SET_PENDING = frozenset({"CREATE_PENDING", "CREATE_IN_PROGRESS"})
_CREDENTIAL_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                               "UnrecognizedClientException", "SignatureDoesNotMatch", "AccessDenied",
                               "AccessDeniedException"})


#: days an uploaded template stays in the bucket ecsstack creates (CloudFormation keeps its own copy)
TEMPLATE_DAYS = 30


def tls_only_policy(bucket: str, region: str = "") -> dict[str, Any]:
    """A bucket policy refusing every request that does not use TLS."""
    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


# Everything botocore raises for a failed call (ResponseParserError: an endpoint answering garbage).
AWS_EXCEPTIONS = (ClientError, BotoCoreError, ResponseParserError)


def is_no_changes(reason: str | None) -> bool:
    return any(text in (reason or "") for text in _NO_CHANGES)


class AwsError(DeployError):
    """AWS refused a call, or could not be reached."""


def _where(exc: BotoCoreError) -> str:
    return str(exc.kwargs.get("endpoint_url") or "the AWS endpoint").rstrip("/")


def translate(exc: Exception, doing: str) -> DeployError:
    """One line for any botocore error: what we were doing, AWS's error code and message, a hint."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), (error.get("Message") or str(exc)).strip()
        message = message if message.endswith((".", "!", "?")) else f"{message}."
        hint = None
        if code in _CREDENTIAL_CODES:
            hint = "Check the AWS credentials and permissions in use (--profile, AWS_PROFILE)."
        return AwsError(f"{doing} failed: {code}: {message}", hint)
    if isinstance(exc, ReadTimeoutError):
        return AwsError(f"{doing} failed: {_where(exc)} accepted the "
                        f"connection but sent no answer in time (read timeout).",
                        "Check --endpoint-url / AWS_ENDPOINT_URL and the network; --timeout SECONDS waits longer.")
    if isinstance(exc, ConnectTimeoutError):
        return AwsError(f"{doing} failed: could not connect to {_where(exc)} "
                        f"in time (connect timeout).",
                        "Check --endpoint-url / AWS_ENDPOINT_URL, --region and the network.")
    if isinstance(exc, NoCredentialsError):
        return AwsError(f"{doing} failed: no AWS credentials found.",
                        "Pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY.")
    if isinstance(exc, EndpointConnectionError):
        return AwsError(f"{doing} failed: cannot reach {exc.kwargs.get('endpoint_url', 'the AWS endpoint')}.",
                        "Check --endpoint-url / AWS_ENDPOINT_URL, --region and the network.")
    if isinstance(exc, NoRegionError):
        return AwsError(f"{doing} failed: no AWS region configured.",
                        "Pass --region, set AWS_REGION, or give the profile a region.")
    if isinstance(exc, ResponseParserError):
        return AwsError(f"{doing} failed: the endpoint answered with something that is not an AWS response "
                        f"(an internal server error?).")
    return AwsError(f"{doing} failed: {exc}")


@contextmanager
def aws_errors(doing: str) -> Iterator[None]:
    """Re-raise any botocore error inside as an ``AwsError`` saying what we were ``doing``."""
    try:
        yield
    except AWS_EXCEPTIONS as exc:
        raise translate(exc, doing) from exc


@dataclass(frozen=True)
class StackInfo:
    name: str
    stack_id: str
    status: str
    reason: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    termination_protection: bool = False

    @classmethod
    def from_api(cls, s: Mapping[str, Any]) -> StackInfo:
        return cls(
            name=s["StackName"], stack_id=s.get("StackId", s["StackName"]), status=s["StackStatus"],
            reason=s.get("StackStatusReason") or "",
            outputs={o["OutputKey"]: o.get("OutputValue", "") for o in s.get("Outputs") or []},
            parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in s.get("Parameters") or []},
            tags={t["Key"]: t["Value"] for t in s.get("Tags") or []},
            termination_protection=bool(s.get("EnableTerminationProtection")),
        )


@dataclass(frozen=True)
class StackResource:
    logical_id: str
    resource_type: str
    physical_id: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class ChangeSet:
    arn: str
    stack_id: str
    changes: tuple[ResourceChange, ...] = ()
    no_changes: bool = False


@dataclass(frozen=True)
class Timeouts:
    """How long one AWS call may take: ``connect`` and ``read`` seconds per attempt, at most ``attempts``
    attempts (throttling and server errors are retried with backoff), and a call that timed out is tried
    again only while it can still end within ``budget`` seconds (default ``2 * read + connect``), so an
    endpoint that accepts connections and never answers fails in about a minute, not after six reads."""

    connect: float = 10.0
    read: float = 30.0  # ``--timeout``
    attempts: int = 6
    budget: float | None = None

    @classmethod
    def of(cls, timeout: float | None) -> Timeouts:
        """The defaults, or ``timeout`` seconds to read (and at most that long to connect)."""
        if timeout is None:
            return cls()
        if not timeout > 0:
            raise UsageError(f"--timeout {timeout:g}: expected a number of seconds above 0.")
        return cls(connect=min(cls.connect, timeout), read=float(timeout))

    @property
    def total(self) -> float:
        return self.budget if self.budget is not None else 2 * self.read + self.connect

    def retry_after_timeout(self, elapsed: float) -> bool:
        """Whether a call that timed out after running ``elapsed`` seconds may try once more."""
        return elapsed + self.read <= self.total

    def install(self, client: Any) -> None:
        """Stop botocore from retrying a timed-out call once another attempt could overrun ``total``."""

        def start(context: dict[str, Any], **_: Any) -> None:
            context.setdefault("ecsstack_started", time.monotonic())

        def give_up(caught_exception: Exception | None = None, request_dict: Mapping[str, Any] | None = None,
                    **_: Any) -> None:
            if not isinstance(caught_exception, (ReadTimeoutError, ConnectTimeoutError)):
                return
            started = (request_dict or {}).get("context", {}).get("ecsstack_started")
            if started is not None and not self.retry_after_timeout(time.monotonic() - started):
                raise caught_exception

        client.meta.events.register("before-call", start)
        client.meta.events.register_first("needs-retry", give_up)


def _endpoint(endpoint_url: str | None) -> str | None:
    """``--endpoint-url`` or ``AWS_ENDPOINT_URL``, refused (usage error) unless it is an http(s) URL."""
    source = "--endpoint-url"
    if not endpoint_url:
        endpoint_url, source = os.environ.get("AWS_ENDPOINT_URL") or None, "AWS_ENDPOINT_URL"
    if endpoint_url is None:
        return None
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        fix = f"http://{endpoint_url}" if "://" not in endpoint_url else "http://HOST:PORT or https://HOST"
        raise UsageError(f"{source} {endpoint_url!r} is not an http(s) URL.", f"Write it with its scheme: {fix}.")
    return endpoint_url


#: the service deployment states of a deployment still under way (ListServiceDeployments ``status``)
ACTIVE_DEPLOYMENTS = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")


class Provider:
    """boto3 clients for one account and region, created on first use.

    ``region`` (default: ``AWS_REGION``, then boto3's ``AWS_DEFAULT_REGION`` and the profile's region),
    ``profile`` and ``endpoint_url`` (default: ``AWS_ENDPOINT_URL``) pick the target; ``timeout`` is the
    read timeout in seconds (see ``Timeouts``); ``clients`` injects ready clients (tests: stubbed ones).
    Retries use botocore's ``standard`` mode (or ``AWS_RETRY_MODE=adaptive``), so throttling is retried
    with backoff.
    """

    def __init__(self, *, region: str | None = None, profile: str | None = None,
                 endpoint_url: str | None = None, clients: Mapping[str, Any] | None = None,
                 timeout: float | None = None, timeouts: Timeouts | None = None):
        self.region_name = region or os.environ.get("AWS_REGION") or None
        self.profile = profile
        self.endpoint_url = _endpoint(endpoint_url)
        self.timeouts = timeouts or Timeouts.of(timeout)
        self._clients: dict[str, Any] = dict(clients or {})
        self._session: Any = None
        self._account: str | None = None

    @property
    def max_attempts(self) -> int:
        return self.timeouts.attempts

    def config(self) -> Config:
        mode = os.environ.get("AWS_RETRY_MODE", "standard")
        mode = mode if mode in ("standard", "adaptive") else "standard"
        t = self.timeouts
        return Config(connect_timeout=t.connect, read_timeout=t.read,
                      retries={"mode": mode, "total_max_attempts": t.attempts}, user_agent_extra="ecsstack")

    def client(self, service: str) -> Any:
        if service not in self._clients:
            with aws_errors(f"creating the {service} client"):
                if self._session is None:
                    self._session = boto3.session.Session(profile_name=self.profile,
                                                          region_name=self.region_name)
                made = self._session.client(service, endpoint_url=self.endpoint_url, config=self.config())
                self.timeouts.install(made)
                self._clients[service] = made
        return self._clients[service]

    @property
    def cfn(self) -> Any:
        return self.client("cloudformation")

    @property
    def region(self) -> str:
        return self.cfn.meta.region_name

    # -- stacks ---------------------------------------------------------------------------------------
    def describe_stack(self, name: str) -> StackInfo | None:
        """The stack, or ``None`` if there is none by that name."""
        try:
            stacks = self.cfn.describe_stacks(StackName=name)["Stacks"]
        except ClientError as exc:
            if "does not exist" in exc.response.get("Error", {}).get("Message", ""):
                return None
            raise translate(exc, f"describing stack {name}") from exc
        except (BotoCoreError, ResponseParserError) as exc:
            raise translate(exc, f"describing stack {name}") from exc
        return StackInfo.from_api(stacks[0]) if stacks else None

    def has_resources(self, name: str) -> bool:
        with aws_errors(f"listing the resources of {name}"):
            return bool(self.cfn.list_stack_resources(StackName=name).get("StackResourceSummaries"))

    def resources(self, name: str) -> list[StackResource]:
        found = []
        with aws_errors(f"listing the resources of {name}"):
            for page in self.cfn.get_paginator("list_stack_resources").paginate(StackName=name):
                for r in page.get("StackResourceSummaries", []):
                    found.append(StackResource(r["LogicalResourceId"], r["ResourceType"],
                                               r.get("PhysicalResourceId") or "", r["ResourceStatus"],
                                               r.get("ResourceStatusReason") or ""))
        return found

    def events(self, stack_id: str) -> Iterator[dict[str, Any]]:
        """The stack's events, newest first, page by page (stop iterating to stop fetching)."""
        with aws_errors(f"reading the events of {stack_id}"):
            for page in self.cfn.get_paginator("describe_stack_events").paginate(StackName=stack_id):
                yield from page.get("StackEvents", [])

    def get_template(self, stack_id: str) -> dict[str, Any]:
        """The deployed template as data (``{}`` if it cannot be read as JSON or YAML)."""
        with aws_errors(f"reading the template of {stack_id}"):
            body = self.cfn.get_template(StackName=stack_id, TemplateStage="Original").get("TemplateBody")
        if isinstance(body, Mapping):
            return json.loads(json.dumps(body))
        try:
            return json.loads(body or "{}")
        except json.JSONDecodeError:
            pass
        try:
            import yaml

            data = yaml.safe_load(body)
        except Exception:  # short-form tags (!Ref) and the like: no property diff, not an error
            return {}
        return data if isinstance(data, dict) else {}

    def delete_stack(self, stack_id: str, token: str | None = None) -> None:
        """Delete; ``token`` (ClientRequestToken) makes a retried request run once and marks the events."""
        args = {"StackName": stack_id, **({"ClientRequestToken": token} if token else {})}
        with aws_errors(f"deleting stack {stack_id}"):
            self.cfn.delete_stack(**args)

    def set_termination_protection(self, stack_id: str, enabled: bool) -> None:
        with aws_errors("updating termination protection"):
            self.cfn.update_termination_protection(StackName=stack_id, EnableTerminationProtection=enabled)

    # -- change sets ----------------------------------------------------------------------------------
    def create_change_set(self, stack_name: str, change_set_name: str, change_set_type: str, *,
                          body: str | None = None, url: str | None = None,
                          parameters: list[dict[str, Any]] = (), capabilities: list[str] = (),
                          tags: Mapping[str, str] | None = None, description: str = "",
                          client_token: str | None = None, include_nested: bool = False) -> ChangeSet:
        """``client_token`` (ClientToken) makes a retried request create the change set once; ``include_nested``
        (IncludeNestedStacks) makes a change set for every nested stack too, so their changes can be read."""
        args: dict[str, Any] = {
            "StackName": stack_name, "ChangeSetName": change_set_name, "ChangeSetType": change_set_type,
            "Parameters": list(parameters), "Capabilities": list(capabilities),
        }
        if client_token:
            args["ClientToken"] = client_token
        if include_nested:
            args["IncludeNestedStacks"] = True
        args.update({"TemplateURL": url} if url else {"TemplateBody": body})
        if tags:
            args["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        if description:
            args["Description"] = description[:1024]
        try:
            made = self.cfn.create_change_set(**args)
        except ClientError as exc:
            if is_no_changes(exc.response.get("Error", {}).get("Message")):  # UpdateStack-style refusal
                return ChangeSet("", stack_name, no_changes=True)
            raise translate(exc, f"creating a change set for {stack_name}") from exc
        except AWS_EXCEPTIONS as exc:
            raise translate(exc, f"creating a change set for {stack_name}") from exc
        return ChangeSet(made["Id"], made.get("StackId", stack_name))

    def wait_change_set(self, change_set: ChangeSet, sleep: Callable[[float], None],
                        delays: Iterator[float], max_polls: int = 900) -> ChangeSet:
        """Wait until the change set is computed (at most ``max_polls`` looks, half an hour at the usual
        2 s); an empty one comes back with ``no_changes=True``."""
        polls = 0
        while not change_set.no_changes:
            with aws_errors("describing the change set"):
                first = self.cfn.describe_change_set(ChangeSetName=change_set.arn)
            status = first.get("Status", "")
            if status in _CHANGE_SET_PENDING:
                polls += 1
                if polls >= max_polls:
                    raise AwsError(f"CloudFormation was still computing the change set {change_set.arn} after "
                                   f"{polls} looks; nothing was executed.",
                                   "Look at it in the CloudFormation console, delete it, and deploy again.")
                sleep(next(delays))
                continue
            if status == "FAILED":
                if is_no_changes(first.get("StatusReason")):
                    return ChangeSet(change_set.arn, change_set.stack_id, no_changes=True)
                raise AwsError(f"CloudFormation could not create the change set: {first.get('StatusReason')}")
            return ChangeSet(change_set.arn, first.get("StackId", change_set.stack_id),
                             tuple(self._all_changes(change_set.arn, first)))
        return change_set

    def _all_changes(self, arn: str, page: Mapping[str, Any]) -> Iterator[ResourceChange]:
        while True:
            for change in page.get("Changes") or []:
                if change.get("Type", "Resource") == "Resource":
                    yield ResourceChange.from_api(change)
            token = page.get("NextToken")
            if not token:
                return
            with aws_errors("describing the change set"):
                page = self.cfn.describe_change_set(ChangeSetName=arn, NextToken=token)

    def describe_nested_change_set(self, arn: str) -> list[ResourceChange]:
        """Every resource change of a nested stack's change set (made by IncludeNestedStacks)."""
        with aws_errors("describing a nested stack's change set"):
            first = self.cfn.describe_change_set(ChangeSetName=arn)
        return list(self._all_changes(arn, first))

    def execute_change_set(self, change_set: ChangeSet, token: str | None = None) -> None:
        """Execute; ``token`` (ClientRequestToken) makes a retried request run once and marks the events."""
        args = {"ChangeSetName": change_set.arn, **({"ClientRequestToken": token} if token else {})}
        with aws_errors("executing the change set"):
            self.cfn.execute_change_set(**args)

    def execution_status(self, change_set: ChangeSet) -> str | None:
        """The change set's ExecutionStatus (AVAILABLE, EXECUTE_IN_PROGRESS, …), ``None`` if it cannot be read."""
        try:
            return self.cfn.describe_change_set(ChangeSetName=change_set.arn).get("ExecutionStatus")
        except (*AWS_EXCEPTIONS, DeployError):
            return None

    def change_sets(self, stack_id: str) -> list[dict[str, Any]]:
        """The stack's change sets (ListChangeSets summaries)."""
        found: list[dict[str, Any]] = []
        with aws_errors(f"listing the change sets of {stack_id}"):
            page = self.cfn.list_change_sets(StackName=stack_id)
            found.extend(page.get("Summaries") or [])
            while page.get("NextToken"):
                page = self.cfn.list_change_sets(StackName=stack_id, NextToken=page["NextToken"])
                found.extend(page.get("Summaries") or [])
        return found

    def delete_change_set(self, change_set: ChangeSet) -> None:
        """Best effort: a change set left behind is harmless, a failed cleanup must not hide the real news."""
        if not change_set.arn:
            return
        with suppress(*AWS_EXCEPTIONS):
            self.cfn.delete_change_set(ChangeSetName=change_set.arn)

    # -- large templates ------------------------------------------------------------------------------
    def account(self) -> str:
        """The account of the credentials in use (STS GetCallerIdentity), asked once."""
        if self._account is None:
            with aws_errors("looking up the AWS account"):
                self._account = str(self.client("sts").get_caller_identity()["Account"])
        return self._account

    def default_bucket(self) -> str:
        return f"ecsstack-templates-{self.account()}-{self.region}"

    def upload_template(self, body: str, stack_name: str, bucket: str | None = None) -> str:
        """Put the template in S3 and return its URL. Every S3 call names the owner it expects (this
        account), so a bucket of that name owned by anyone else is refused, never written to; the default
        bucket is created (and secured) when missing."""
        account, s3 = self.account(), self.client("s3")
        bucket = self.ensure_bucket(bucket)
        key = f"ecsstack/{stack_name}/{hashlib.sha256(body.encode()).hexdigest()[:20]}.json"
        with aws_errors(f"uploading the template to s3://{bucket}/{key}"):
            s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json",
                          ExpectedBucketOwner=account)
        return f"https://{bucket}.s3.{self.region}.amazonaws.com/{key}"

    def ensure_bucket(self, bucket: str | None = None) -> str:
        """The bucket to write to: ``bucket`` (``--s3-bucket``), which must exist and be this account's, or the
        default bucket, created (and secured) when missing. A bucket owned by anyone else is refused."""
        account = self.account()
        if bucket is None:
            bucket = self.default_bucket()
            if not self._bucket_is_ours(bucket, account, given=False):
                self._create_bucket(bucket, account)
        elif not self._bucket_is_ours(bucket, account, given=True):
            raise AwsError(f"the bucket {bucket} (--s3-bucket) does not exist.",
                           "Create it in this account, or leave out --s3-bucket to let ecsstack make its own.")
        return bucket

    def _foreign_bucket(self, bucket: str, account: str, given: bool) -> AwsError:
        fix = ("Pass --s3-bucket with a bucket this account owns." if not given else
               "Pass --s3-bucket with a bucket this account owns, or leave it out to let ecsstack make its own.")
        return AwsError(f"the bucket {bucket} exists but is not owned by account {account} (or this account may "
                        f"not use it): ecsstack does not upload templates to another account's bucket.", fix)

    def _bucket_is_ours(self, bucket: str, account: str, *, given: bool) -> bool:
        """True if ``bucket`` exists and belongs to ``account``; False if it does not exist."""
        try:
            self.client("s3").head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchBucket", "NotFound"):
                return False
            if code in ("403", "AccessDenied", "Forbidden"):
                raise self._foreign_bucket(bucket, account, given) from exc
            raise translate(exc, f"looking up the bucket {bucket}") from exc
        except AWS_EXCEPTIONS as exc:
            raise translate(exc, f"looking up the bucket {bucket}") from exc
        return True

    def _create_bucket(self, bucket: str, account: str) -> None:
        """Create the template bucket with a public access block, default encryption, a TLS-only policy
        and a lifecycle rule expiring uploaded templates; if it cannot be secured, remove it again."""
        s3 = self.client("s3")
        config = {} if self.region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": self.region}}
        try:
            s3.create_bucket(Bucket=bucket, **config)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "BucketAlreadyExists":  # someone else took the name since we looked
                raise self._foreign_bucket(bucket, account, False) from exc
            if code != "BucketAlreadyOwnedByYou":
                raise translate(exc, f"creating the template bucket {bucket}") from exc
        except AWS_EXCEPTIONS as exc:
            raise translate(exc, f"creating the template bucket {bucket}") from exc
        owner = {"Bucket": bucket, "ExpectedBucketOwner": account}
        try:
            s3.put_public_access_block(**owner, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True})
            s3.put_bucket_encryption(**owner, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]})
            s3.put_bucket_lifecycle_configuration(**owner, LifecycleConfiguration={"Rules": [{
                "ID": "expire-ecsstack-templates", "Status": "Enabled", "Filter": {"Prefix": "ecsstack/"},
                "Expiration": {"Days": TEMPLATE_DAYS}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
            s3.put_bucket_policy(**owner, Policy=json.dumps(tls_only_policy(bucket, self.region)))
        except AWS_EXCEPTIONS as exc:
            with suppress(*AWS_EXCEPTIONS):
                s3.delete_bucket(**owner)
            raise AwsError(f"{translate(exc, f'securing the new template bucket {bucket}').message} The bucket "
                           f"was removed again.",
                           "Allow s3:PutBucketPolicy, s3:PutBucketPublicAccessBlock, s3:PutEncryptionConfiguration "
                           "and s3:PutLifecycleConfiguration, or pass --s3-bucket with a bucket you prepared.") from exc

    # -- ECS feedback ---------------------------------------------------------------------------------
    def describe_service(self, cluster: str, service: str) -> dict[str, Any] | None:
        ecs = self.client("ecs")
        found = ecs.describe_services(cluster=cluster, services=[service]).get("services") or []
        return found[0] if found else None

    def service_deployments(self, cluster: str, service: str) -> list[dict[str, Any]]:
        """The service's deployments still under way (ECS's service deployments API: lifecycle stage, traffic
        weights, hooks), newest first."""
        ecs = self.client("ecs")
        listed = ecs.list_service_deployments(cluster=cluster, service=service, status=list(ACTIVE_DEPLOYMENTS))
        arns = [d["serviceDeploymentArn"] for d in listed.get("serviceDeployments") or []
                if d.get("serviceDeploymentArn")]
        if not arns:
            return []
        found = ecs.describe_service_deployments(serviceDeploymentArns=arns[:20]).get("serviceDeployments") or []
        return sorted(found, key=lambda d: str(d.get("createdAt") or ""), reverse=True)

    def stopped_tasks(self, cluster: str, service: str) -> list[dict[str, Any]]:
        ecs = self.client("ecs")
        listed = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED")
        arns = listed.get("taskArns") or []
        if not arns:
            return []
        return ecs.describe_tasks(cluster=cluster, tasks=arns[:100]).get("tasks") or []
