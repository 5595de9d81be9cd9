"""Task definitions: argument mistakes raise ECS001 with the path."""

from __future__ import annotations

import pytest

from ecsstack import (
    Ec2TaskDefinition,
    FargateTaskDefinition,
    LaunchType,
    NetworkMode,
    TaskDefinition,
)

from ._support import raises


@pytest.mark.parametrize("kwargs", [
    {"cpu": "256"}, {"memory": 0.5}, {"network_mode": "vpc"}, {"compatibilities": ["LAMBDA"]},
    {"compatibilities": None}, {"compatibilities": []}, {"compatibilities": 5}, {"log_retention_days": "30"},
    {"overrides": 5},
])
def test_task_definition_bad_arguments(kwargs):
    raises(TaskDefinition, "web", **kwargs)

@pytest.mark.parametrize("family", ["", None, 5])
def test_task_definition_needs_family(family):
    raises(FargateTaskDefinition, family)

def test_task_definition_spellings_and_defaults():
    task = TaskDefinition("web", network_mode="BRIDGE", compatibilities="ec2")
    assert task.network_mode is NetworkMode.BRIDGE and task.compatibilities == [LaunchType.EC2]
    assert Ec2TaskDefinition("w").network_mode is NetworkMode.BRIDGE
    fargate = FargateTaskDefinition("f")
    assert (fargate.cpu, fargate.memory, fargate.network_mode) == (256, 512, NetworkMode.AWSVPC)
