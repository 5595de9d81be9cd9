"""Name → identifier derivation shared by the rules (collision checks) and the compiler (logical IDs)."""

from __future__ import annotations

import re

__all__ = ["pascal"]

_WORD = re.compile(r"[A-Za-z0-9]+")


def pascal(name: str) -> str:
    """``my-app_v2`` → ``MyAppV2``: the alphanumeric words of ``name``, each capitalised."""
    return "".join(w[0].upper() + w[1:] for w in _WORD.findall(name))
