"""Errors a user can see: every problem at once, each with where it is and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["BlueprintError", "EcsstackError", "Problem", "ValidationError"]


class EcsstackError(Exception):
    """Base of every error ecsstack raises on purpose for a user mistake."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a blueprint.

    ``path`` names where it is (``service web › task web › container app``), ``message`` what is
    wrong and ``hint`` how to fix it. ``severity`` is ``error`` or ``warning``. ``source`` is the blueprint
    file and line that made the object at fault, ``(file, line)``, where ecsstack knows it (CI annotations
    point there); Default ``None`` (not known). It takes no part in comparisons.
    """

    rule: str
    path: str
    message: str
    hint: str = ""
    severity: str = "error"
    source: tuple[str, int] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        text = f"{self.severity} {self.rule} {where}{self.message}"
        if self.hint:
            text += f" {self.hint}"
        return text


class ValidationError(EcsstackError, ValueError):
    """The blueprint has problems; ``.problems`` lists all of them (the errors), ``.warnings`` the warnings
    found alongside, which do not stop a build by themselves."""

    def __init__(self, problems: Iterable[Problem] | Problem, warnings: Iterable[Problem] = ()):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.warnings: list[Problem] = list(warnings)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


class BlueprintError(EcsstackError):
    """A blueprint file could not be loaded or its ``build()`` failed."""
