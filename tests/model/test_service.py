"""Services: argument mistakes raise ECS001 with the path."""

from __future__ import annotations

import pytest

from ecsstack import (
    Cluster,
    FargateTaskDefinition,
    Service,
)

from ._support import raises


@pytest.mark.parametrize("kwargs", [
    {"cluster": "main"}, {"task": "web"}, {"desired_count": "2"}, {"launch_type": "LAMBDA"},
    {"min_healthy_percent": "50"}, {"max_percent": None}, {"health_check_grace_period": "60"},
    {"assign_public_ip": "yes"}, {"propagate_tags": "ALL"}, {"overrides": [1]},
])
def test_service_bad_arguments(kwargs):
    base = {"cluster": Cluster("main"), "task": FargateTaskDefinition("web")}
    raises(Service, "web", **{**base, **kwargs})
