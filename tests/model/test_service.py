"""Services: argument mistakes raise ECS001 with the path."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    FargateTaskDefinition,
    Service,
    ValidationError,
)


def raises(fn, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    assert all(p.rule == "ECS001" for p in info.value.problems)
    return info.value


@pytest.fixture
def task() -> FargateTaskDefinition:
    return FargateTaskDefinition("web")




@pytest.mark.parametrize("kwargs", [
    {"cluster": "main"}, {"task": "web"}, {"desired_count": "2"}, {"launch_type": "LAMBDA"},
    {"min_healthy_percent": "50"}, {"max_percent": None}, {"health_check_grace_period": "60"},
    {"assign_public_ip": "yes"}, {"propagate_tags": "ALL"}, {"overrides": [1]},
])
def test_service_bad_arguments(kwargs):
    base = {"cluster": Cluster("main"), "task": FargateTaskDefinition("web")}
    raises(Service, "web", **{**base, **kwargs})
