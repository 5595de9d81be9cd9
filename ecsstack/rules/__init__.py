"""Validation over the whole model: every problem at once, each with a rule id, a path and a fix.

Importing the package registers every rule: each rule module below adds its rules to ``RULES``.
"""

from . import (  # noqa: F401  (imported for their rules)
    alarms,
    capacity,
    containers,
    dependencies,
    deployment,
    discovery,
    loadbalancing,
    logging,
    naming,
    nesting,
    overrides,
    ranges,
    revisions,
    scaling,
    scheduled,
    secrets,
    services,
    settings,
    sidecars,
    sns,
    tasks,
    volumes,
)
from ._registry import RULES, Index, Rule, check_stack, rule, validate

__all__ = ["RULES", "Index", "Rule", "check_stack", "rule", "validate"]
