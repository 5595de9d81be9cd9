"""The template bucket, on botocore's Stubber (the emulator ignores ExpectedBucketOwner and applies a
Deny policy without its conditions): every S3 call names this account as the owner, a bucket of the
name owned by another account is refused with the fix, and a bucket ecsstack creates is secured."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from ecsstack.deploy import DeployError, Provider

from .fakeaws import make_client

ACCOUNT = "123456789012"
DEFAULT = f"ecsstack-templates-{ACCOUNT}-us-east-1"
OWNER = {"ExpectedBucketOwner": ACCOUNT}


class Stubs:
    def __init__(self) -> None:
        self.cfn, self.s3, self.sts = make_client("cloudformation"), make_client("s3"), make_client("sts")
        self.s3_stub, self.sts_stub = Stubber(self.s3), Stubber(self.sts)
        self.sts_stub.add_response("get_caller_identity", {"Account": ACCOUNT, "UserId": "AIDAEXAMPLE",
                                                           "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci"})
        self.provider = Provider(clients={"cloudformation": self.cfn, "s3": self.s3, "sts": self.sts})

    def upload(self, bucket: str | None = None) -> str:
        with self.s3_stub, self.sts_stub:
            url = self.provider.upload_template('{"Resources": {}}', "app", bucket)
            self.s3_stub.assert_no_pending_responses()
        return url


@pytest.fixture
def stubs() -> Stubs:
    return Stubs()


def put_object(bucket: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    return ("put_object", {"ETag": "x"}, {"Bucket": bucket, "Key": ANY, "Body": ANY,
                                          "ContentType": "application/json", **OWNER})


def test_a_missing_default_bucket_is_created_and_secured(stubs: Stubs) -> None:
    stub = stubs.s3_stub
    stub.add_client_error("head_bucket", "404", "Not Found", 404, expected_params={"Bucket": DEFAULT, **OWNER})
    stub.add_response("create_bucket", {}, {"Bucket": DEFAULT})
    stub.add_response("put_public_access_block", {}, {"Bucket": DEFAULT, **OWNER, "PublicAccessBlockConfiguration": {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}})
    stub.add_response("put_bucket_encryption", {}, {"Bucket": DEFAULT, **OWNER, "ServerSideEncryptionConfiguration": {
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]}})
    stub.add_response("put_bucket_lifecycle_configuration", {}, {"Bucket": DEFAULT, **OWNER,
                                                                 "LifecycleConfiguration": ANY})
    stub.add_response("put_bucket_policy", {}, {"Bucket": DEFAULT, **OWNER, "Policy": ANY})
    stub.add_response(*put_object(DEFAULT))
    sent: dict[str, Any] = {}
    stubs.s3.meta.events.register("before-parameter-build.s3.*",
                                  lambda params, model, **_: sent.setdefault(model.name, params))

    url = stubs.upload()

    assert url.startswith(f"https://{DEFAULT}.s3.us-east-1.amazonaws.com/ecsstack/app/")
    [statement] = json.loads(sent["PutBucketPolicy"]["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [f"arn:aws:s3:::{DEFAULT}", f"arn:aws:s3:::{DEFAULT}/*"]
    [rule] = sent["PutBucketLifecycleConfiguration"]["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["Filter"] == {"Prefix": "ecsstack/"}
    assert rule["Expiration"]["Days"] > 0


def test_an_existing_default_bucket_of_ours_is_used_as_it_is(stubs: Stubs) -> None:
    stubs.s3_stub.add_response("head_bucket", {}, {"Bucket": DEFAULT, **OWNER})
    stubs.s3_stub.add_response(*put_object(DEFAULT))
    assert DEFAULT in stubs.upload()


def test_a_default_bucket_owned_by_another_account_is_refused(stubs: Stubs) -> None:
    """Someone pre-created ecsstack-templates-<our account>-<region> in their account: never upload there."""
    stubs.s3_stub.add_client_error("head_bucket", "403", "Forbidden", 403, expected_params={"Bucket": DEFAULT, **OWNER})
    with pytest.raises(DeployError) as caught:
        stubs.upload()
    message = str(caught.value)
    assert f"the bucket {DEFAULT} exists but is not owned by account {ACCOUNT}" in message
    assert "--s3-bucket" in message


def test_a_name_taken_while_creating_is_refused(stubs: Stubs) -> None:
    stubs.s3_stub.add_client_error("head_bucket", "404", "Not Found", 404)
    stubs.s3_stub.add_client_error("create_bucket", "BucketAlreadyExists", "The requested bucket name is not "
                                   "available.", 409)
    with pytest.raises(DeployError, match=r"is not owned by account 123456789012.*--s3-bucket"):
        stubs.upload()


def test_a_given_bucket_of_another_account_is_refused(stubs: Stubs) -> None:
    stubs.s3_stub.add_client_error("head_bucket", "403", "Forbidden", 403, expected_params={"Bucket": "theirs",
                                                                                             **OWNER})
    with pytest.raises(DeployError, match="the bucket theirs exists but is not owned by account 123456789012"):
        stubs.upload("theirs")


def test_a_given_bucket_of_ours_gets_the_template_with_the_owner_named(stubs: Stubs) -> None:
    stubs.s3_stub.add_response("head_bucket", {}, {"Bucket": "mine", **OWNER})
    stubs.s3_stub.add_response(*put_object("mine"))
    assert stubs.upload("mine").startswith("https://mine.s3.us-east-1.amazonaws.com/ecsstack/app/")


def test_a_bucket_that_cannot_be_secured_is_removed_again(stubs: Stubs) -> None:
    stub = stubs.s3_stub
    stub.add_client_error("head_bucket", "404", "Not Found", 404)
    stub.add_response("create_bucket", {}, {"Bucket": DEFAULT})
    stub.add_response("put_public_access_block", {}, {"Bucket": DEFAULT, **OWNER,
                                                      "PublicAccessBlockConfiguration": ANY})
    stub.add_client_error("put_bucket_encryption", "AccessDenied", "not allowed", 403)
    stub.add_response("delete_bucket", {}, {"Bucket": DEFAULT, **OWNER})
    with pytest.raises(DeployError) as caught:
        stubs.upload()
    assert "securing the new template bucket" in str(caught.value) and "removed again" in str(caught.value)
    assert "--s3-bucket" in str(caught.value)
