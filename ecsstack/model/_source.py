"""Where a blueprint made each model object: the file and line of the first caller outside ecsstack.

Recorded once, when the object is constructed (``Service(...)``, ``task.add_container(...)``), by walking the
call stack only as far as the first frame outside the ``ecsstack`` package. The location lives outside the
dataclass fields, so equality, ``repr`` and copies of model objects are unaffected by it.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["Source", "Sourced", "caller_outside", "source_of"]

#: (file name, line number) of the blueprint code that made an object
Source = tuple[str, int]

_ATTR = "_ecsstack_source"


def caller_outside(skip: int = 1) -> Source | None:
    """The (file, line) of the nearest frame above the caller whose module is not ecsstack's; None if none."""
    frame = sys._getframe(skip + 1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name != "ecsstack" and not name.startswith("ecsstack."):
            return frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back
    return None


class Sourced:
    """Mixin: every instance remembers where the blueprint constructed it (see ``source_of``)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        obj = super().__new__(cls)
        obj.__dict__[_ATTR] = caller_outside()
        return obj


def source_of(obj: Any) -> Source | None:
    """Where the blueprint made ``obj`` (file, line), or None when ecsstack does not know."""
    return getattr(obj, "__dict__", {}).get(_ATTR)
