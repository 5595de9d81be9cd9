"""Errors the deploy commands report as one clear line (never a traceback), with an exit code."""

from __future__ import annotations

from typing import Any

from ..errors import EcsstackError

__all__ = ["DataLossError", "DeployError", "DeployInterrupted", "LimitError", "LintError", "UsageError"]


class DeployError(EcsstackError):
    """A deploy-time problem: AWS said no, the stack is in a state we must not touch, the user declined.

    ``exit_code`` is what the CLI exits with (1 unless said otherwise); ``hint`` says what to do next.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} {hint}")


class UsageError(DeployError):
    """The command line or API call itself is wrong (bad --parameter, unknown parameter): exit 2."""

    exit_code = 2


class LimitError(DeployError):
    """The template is over a CloudFormation limit; raised before any AWS call."""


class LintError(DeployError):
    """cfn-lint found errors; ``findings`` lists every finding."""

    def __init__(self, findings: list[Any]):
        self.findings = findings
        errors = sum(f.is_error for f in findings)
        super().__init__(f"cfn-lint found {errors} error{'s' if errors != 1 else ''}; nothing was deployed.")


class DataLossError(DeployError):
    """The change set would remove or replace data-bearing resources; ``risks`` lists them."""

    def __init__(self, stack_name: str, risks: list[Any]):
        self.risks = risks
        names = ", ".join(r.logical_id for r in risks)
        super().__init__(
            f"stopped before changing {stack_name}: the change set would remove or replace "
            f"{len(risks)} resource{'s' if len(risks) != 1 else ''} that may hold data or have a fixed "
            f"name ({names}); nothing was changed.",
            "Re-run with --allow-replace (allow_replace=True) if that is intended.",
        )


class DeployInterrupted(KeyboardInterrupt):
    """Ctrl-C while waiting: the stack keeps deploying in AWS; ``hint`` says how to follow it."""

    def __init__(self, stack_name: str, hint: str | None = None):
        self.stack_name = stack_name
        self.hint = hint or (f"Interrupted; the stack {stack_name} keeps changing in AWS. Follow it with "
                             f"`ecsstack status --stack-name {stack_name}`; a later deploy waits for it to "
                             f"finish.")
        super().__init__(self.hint)
