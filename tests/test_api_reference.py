"""docs/api.md is what tools/api_reference.py generates from the code: the reference cannot drift."""

from __future__ import annotations

import sys
from pathlib import Path

import ecsstack

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import api_reference  # noqa: E402


def test_docs_api_md_matches_the_code() -> None:
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == api_reference.render(), (
        "docs/api.md is stale: run `python tools/api_reference.py` and commit it")


def test_every_public_name_is_in_the_reference() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in ecsstack.__all__ if not name.startswith("_") and f"### `{name}`" not in text]
    assert missing == []


def test_keywords_and_defaults_are_shown() -> None:
    text = api_reference.render()
    assert "health_check_grace_period: int | None = None" in text  # Service
    assert "propagate_tags: PropagateTags = PropagateTags.SERVICE" in text
    assert "TaskDefinition(name: str | None = None, /, *, family: str | Token | None = None" in text
