"""cfn-lint over a rendered template, through its Python API. Imported lazily: synth never needs it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["LintFinding", "lint_template"]

DEFAULT_REGIONS = ("us-east-1",)


@dataclass(frozen=True, order=True)
class LintFinding:
    """One cfn-lint finding: ``level`` is ``error``, ``warning`` or ``informational``."""

    level: str
    rule: str
    path: str
    message: str
    line: int = 0

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.level} {self.rule}{where}: {self.message}"


def lint_template(template: dict[str, Any] | str, regions: tuple[str, ...] = DEFAULT_REGIONS) -> list[LintFinding]:
    """Lint a template (dict or JSON/YAML text) and return every finding, errors first."""
    from cfnlint.api import ManualArgs, lint

    text = template if isinstance(template, str) else json.dumps(template, indent=1)
    matches = lint(text, config=ManualArgs(regions=list(regions)))
    findings = {
        LintFinding(
            level=str(getattr(m.rule, "severity", "error")).lower(),
            rule=m.rule.id,
            path="/".join(str(p) for p in (getattr(m, "path", None) or [])),
            message=m.message,
            line=m.linenumber,
        )
        for m in matches
    }
    order = {"error": 0, "warning": 1}
    return sorted(findings, key=lambda f: (order.get(f.level, 2), f.path, f.rule, f.message))
