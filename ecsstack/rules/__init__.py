"""Validation over the whole model: every problem at once, each with a rule id, a path and a fix."""

from ._registry import RULES, Rule, check_stack, rule, validate

__all__ = ["RULES", "Rule", "check_stack", "rule", "validate"]
