"""Logical IDs derived from names: stable across runs and refactors."""

from __future__ import annotations

from ..names import pascal

__all__ = ["logical_id", "pascal"]


def logical_id(*parts: str) -> str:
    """A CloudFormation logical ID from name parts: ``logical_id("web", "TaskDefinition")``."""
    return "".join(pascal(p) for p in parts)
