from __future__ import annotations

import pytest

from ecsstack import FargateTaskDefinition


@pytest.fixture
def task() -> FargateTaskDefinition:
    return FargateTaskDefinition("web")
