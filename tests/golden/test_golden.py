"""Every blueprint's template, byte for byte. `make golden` rewrites them on purpose.

On a mismatch the new template is written beside the expected one as `<name>.actual.json`, so
reviewing is a diff and accepting is a copy.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecsstack.loader import load_blueprint
from ecsstack.render import to_json

from ..conftest import BLUEPRINTS

HERE = Path(__file__).parent
UPDATE = os.environ.get("ECSSTACK_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: p.stem)
def test_template_matches_golden(blueprint: Path) -> None:
    stack = load_blueprint(blueprint)
    actual = to_json(stack.to_dict())
    expected_file = HERE / f"{stack.name}.json"
    actual_file = HERE / f"{stack.name}.actual.json"
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
        actual_file.unlink(missing_ok=True)
        return
    assert expected_file.exists(), f"no golden template for {stack.name}: run `make golden`"
    if expected_file.read_text(encoding="utf-8") != actual:
        actual_file.write_text(actual, encoding="utf-8")
        pytest.fail(f"{blueprint.name} no longer compiles to {expected_file.name}; see {actual_file.name} "
                    f"(diff them; `make golden` accepts the change)")
    actual_file.unlink(missing_ok=True)


def test_every_golden_file_has_a_blueprint() -> None:
    names = {load_blueprint(b).name for b in BLUEPRINTS}
    stale = sorted(p.stem for p in HERE.glob("*.json") if not p.name.endswith(".actual.json")
                   and p.stem not in names)
    assert not stale, f"golden templates without a blueprint: {stale}"
