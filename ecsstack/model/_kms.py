"""The shape of a ``kms_key=`` argument: a KMS key ARN, or a token (a stack parameter, an ``Attr``)."""

from __future__ import annotations

import re
from typing import Any

from ._check import fail
from ._tokens import Token

__all__ = ["as_kms_key"]

_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")


def as_kms_key(value: Any, path: str, field: str = "kms_key") -> str | Token | None:
    """None, a token, or a KMS key ARN (an alias will not do: log groups and IAM grants need the key's ARN)."""
    if value is None or isinstance(value, Token):
        return value
    if isinstance(value, str) and _KEY_ARN.match(value):
        return value
    raise fail(path, f"{field} must be a KMS key ARN or a stack parameter, got {value!r}.",
               f'Write {field}="arn:aws:kms:<region>:<account>:key/<key-id>" or '
               f'{field}=stack.parameter("KmsKeyArn").')
