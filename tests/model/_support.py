"""What the model tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ecsstack import FargateTaskDefinition, ValidationError


def raises(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ValidationError:
    """Call ``fn`` and return the ValidationError it raises, every problem of it an ECS001."""
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    assert all(p.rule == "ECS001" for p in info.value.problems)
    return info.value


def fargate(family: str = "web", **kwargs: Any) -> FargateTaskDefinition:
    """A Fargate task with one container ``app``."""
    task = FargateTaskDefinition(family, **kwargs)
    task.add_container("app", image="app:1")
    return task
