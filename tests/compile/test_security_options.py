"""Access logs, customer-managed KMS keys and the checkov skips compile writes where a check does not apply."""

from __future__ import annotations

import pytest

from ecsstack import (
    ApplicationLoadBalancer,
    Cluster,
    FargateTaskDefinition,
    NetworkLoadBalancer,
    Queue,
    Service,
    Stack,
    ValidationError,
)

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _stack(alb: ApplicationLoadBalancer | None = None, **task_kwargs: object) -> dict:
    stack = Stack("t")
    task = FargateTaskDefinition("web", **task_kwargs)
    task.add_container("app", image="example/app:1.0", ports=[8080])
    service = Service("web", cluster=Cluster("main"), task=task)
    if alb is not None:
        alb.listen_https("arn:aws:acm:eu-west-1:123456789012:certificate/abc").add_target(service)
    stack.add(service)
    return stack.to_dict()["Resources"]


def _skips(resource: dict) -> dict[str, str]:
    return {s["id"]: s["comment"] for s in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])}


def _attributes(resource: dict) -> dict:
    return {a["Key"]: a["Value"] for a in resource["Properties"]["LoadBalancerAttributes"]}


def test_access_logs_go_to_the_bucket_given_under_its_prefix() -> None:
    stack = Stack("t")
    bucket = stack.parameter("AccessLogsBucket")
    alb = ApplicationLoadBalancer("public", access_logs_bucket=bucket, access_logs_prefix="alb/web")
    attributes = _attributes(_stack(alb)["PublicLoadBalancer"])
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == {"Ref": "AccessLogsBucket"}
    assert attributes["access_logs.s3.prefix"] == "alb/web"


def test_no_access_logs_unless_asked() -> None:
    attributes = _attributes(_stack(ApplicationLoadBalancer("public"))["PublicLoadBalancer"])
    assert not any(key.startswith("access_logs") for key in attributes)
    assert "Metadata" not in _stack(ApplicationLoadBalancer("public"))["PublicLoadBalancer"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"access_logs_prefix": "alb"}, "access_logs_prefix is given without access_logs_bucket"),
    ({"access_logs_bucket": "logs", "access_logs_prefix": "/alb"}, "must not start with '/'"),
    ({"access_logs_bucket": "logs", "access_logs_prefix": "x/AWSLogs"}, "contain 'AWSLogs'"),
    ({"access_logs_bucket": 3}, "access_logs_bucket must be a string"),
])
def test_access_log_arguments_are_checked(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ApplicationLoadBalancer("public", **kwargs)


def test_a_network_load_balancer_takes_no_access_logs() -> None:
    with pytest.raises(ValidationError, match="TLS listeners only"):
        NetworkLoadBalancer("tcp", access_logs_bucket="logs")


def test_port_80_open_to_the_world_is_skipped_only_when_it_only_redirects() -> None:
    redirected = _stack(ApplicationLoadBalancer("public"))["PublicLoadBalancerSecurityGroup"]
    assert _skips(redirected) == {"CKV_AWS_260": "port 80 only answers with a redirect to HTTPS; it serves nothing"}

    stack = Stack("t")
    task = FargateTaskDefinition("web")
    task.add_container("app", image="example/app:1.0", ports=[8080])
    service = Service("web", cluster=Cluster("main"), task=task)
    ApplicationLoadBalancer("public").listen_http().add_target(service)
    stack.add(service)
    served = stack.to_dict()["Resources"]["PublicLoadBalancerSecurityGroup"]
    assert "Metadata" not in served  # plain HTTP is a real finding, never skipped


def test_log_group_uses_the_key_given_else_says_why_kms_does_not_apply() -> None:
    encrypted = _stack(log_kms_key=KEY)["WebLogGroup"]
    assert encrypted["Properties"]["KmsKeyId"] == KEY and "Metadata" not in encrypted
    default = _stack()["WebLogGroup"]
    assert "KmsKeyId" not in default["Properties"]
    assert set(_skips(default)) == {"CKV_AWS_158"}


def test_queue_with_a_key_uses_it_on_both_queues_instead_of_sqs_managed_keys() -> None:
    stack = Stack("t")
    key = stack.parameter("QueueKey")
    stack.add(Queue("jobs", kms_key=key))
    out = stack.to_dict()["Resources"]
    for name in ("JobsQueue", "JobsDeadLetterQueue"):
        props = out[name]["Properties"]
        assert props["KmsMasterKeyId"] == {"Ref": "QueueKey"} and "SqsManagedSseEnabled" not in props
        assert "Metadata" not in out[name]


def test_queue_without_a_key_keeps_sqs_managed_keys_and_says_why_kms_does_not_apply() -> None:
    stack = Stack("t")
    stack.add(Queue("jobs"))
    out = stack.to_dict()["Resources"]
    for name in ("JobsQueue", "JobsDeadLetterQueue"):
        assert out[name]["Properties"]["SqsManagedSseEnabled"] is True
        assert set(_skips(out[name])) == {"CKV_AWS_27"}


@pytest.mark.parametrize("value", ["alias/aws/sqs", "1234abcd-12ab-34cd-56ef-1234567890ab", 5])
def test_a_kms_key_must_be_a_key_arn_or_a_parameter(value: object) -> None:
    with pytest.raises(ValidationError, match="kms_key must be a KMS key ARN"):
        Queue("jobs", kms_key=value)
    with pytest.raises(ValidationError, match="log_kms_key must be a KMS key ARN"):
        FargateTaskDefinition("web", log_kms_key=value)
