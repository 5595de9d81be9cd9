"""Resource ``Metadata`` telling checkov which of its checks do not apply to a resource, each with a
one-line reason (checkov reports them as skipped, with the reason, instead of failed)."""

from __future__ import annotations

from typing import Any

__all__ = ["LOG_GROUP_KMS", "QUEUE_KMS", "REDIRECT_PORT_80", "checkov_skips"]

#: CKV_AWS_158 (log group encrypted by KMS) on a log group given no ``log_kms_key``
LOG_GROUP_KMS = ("CKV_AWS_158", "CloudWatch Logs encrypts log data at rest itself; "
                                "log_kms_key= adds a customer-managed key")
#: CKV_AWS_27 (SQS queue encrypted with KMS) on a queue given no ``kms_key``
QUEUE_KMS = ("CKV_AWS_27", "encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); "
                           "kms_key= uses a customer-managed key")
#: CKV_AWS_260 (port 80 open to the world) on a load balancer whose port 80 only redirects to HTTPS
REDIRECT_PORT_80 = ("CKV_AWS_260", "port 80 only answers with a redirect to HTTPS; it serves nothing")


def checkov_skips(*checks: tuple[str, str]) -> dict[str, Any]:
    """``Metadata`` (as a resource keyword) skipping each ``(check id, reason)``; empty when none."""
    if not checks:
        return {}
    return {"Metadata": {"checkov": {"skip": [{"id": check, "comment": reason} for check, reason in checks]}}}
