from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = sorted(p for p in (ROOT / "blueprints").glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def _mentions(code: object, words: set[str]) -> bool:
    """Whether a function's code (or code nested in it) names one of ``words`` or holds it as a string."""
    names = set(code.co_names) | {c for c in code.co_consts if isinstance(c, str)}  # type: ignore[attr-defined]
    return bool(names & words) or any(_mentions(c, words) for c in code.co_consts  # type: ignore[attr-defined]
                                      if hasattr(c, "co_names"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what `make test-fast` leaves out: tests on the local AWS emulator (`emulator`) and tests that run
    cfn-lint (`lint`). `make test` runs everything."""
    for item in items:
        if "moto_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.emulator)
        function = getattr(item, "function", None)
        function = getattr(getattr(function, "hypothesis", None), "inner_test", function)  # under @given
        if function is not None and _mentions(function.__code__, {"lint_template", "lint"}):
            item.add_marker(pytest.mark.lint)
