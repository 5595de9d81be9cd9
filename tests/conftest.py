from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = sorted(p for p in (ROOT / "blueprints").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
