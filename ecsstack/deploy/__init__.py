"""Deploy compiled templates to AWS CloudFormation through boto3: change sets, a readable diff, live
progress, the real failure reason, safe handling of every stack state.

It takes a template, never a blueprint: a dict, JSON or YAML text, or a template file (its stem names
the stack). Synthesizing, and seeing the rule warnings, is the caller's step (``ecsstack deploy
blueprint.py`` does both). Importing this package imports no boto3: the public names below load on
first use.

    from ecsstack.deploy import deploy
    result = deploy("build/web.json", parameters={"VpcId": "vpc-1"}, yes=True)   # stack "web"
    result = deploy(template, "web-dev", parameters={"VpcId": "vpc-1"}, yes=True)  # a dict
    if not result.ok:
        print(result.failure)

``drift`` runs drift detection on a stack; ``rollout`` / ``rollout_status`` / ``rollout_destroy`` drive a
StackSet over accounts × regions; ``check_target`` is the account guard of ``--env``
(see docs/environments.md).

``run_task`` runs a task definition of a deployed stack once (a migration), as its service runs it:

    from ecsstack.deploy import run_task
    raise SystemExit(run_task("web", "migrate", command=["./manage", "migrate"]).exit_code)

Every successful deploy is recorded (``history("web")`` lists the records, ``rollback("web", to=3)`` deploys one
again through the same change-set path); ``status`` shows per ECS service the revision running, earlier
revisions and the deployment in progress.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._api import deploy, destroy, diff, outputs, status
    from ._drift import DriftResult, drift
    from ._errors import DataLossError, DeployError, DeployInterrupted, LimitError, LintError, UsageError
    from ._guard import AccountMismatch, check_target
    from ._history import HistoryEntry
    from ._progress import Backoff
    from ._provider import Provider
    from ._results import DeployResult, DestroyResult, DiffResult, Outcome, StatusResult
    from ._rollback import history, rollback
    from ._run import ContainerRun, RunTaskResult, TaskRun, run_task
    from ._stacksets import RolloutResult, Targets, rollout, rollout_destroy, rollout_status

__all__ = [
    "Backoff", "ContainerRun", "DataLossError", "DeployError", "DeployInterrupted", "DeployResult", "DestroyResult",
    "DiffResult", "HistoryEntry", "LimitError", "LintError", "Outcome", "Provider", "RunTaskResult", "StatusResult",
    "TaskRun", "UsageError", "deploy", "destroy", "diff", "history", "outputs", "rollback", "run_task", "status",
]
# environments (docs/environments.md): drift, StackSet rollouts, the account guard
__all__ += ["AccountMismatch", "DriftResult", "RolloutResult", "Targets", "check_target", "drift", "rollout",
            "rollout_destroy", "rollout_status"]

_WHERE = {
    "deploy": "_api", "destroy": "_api", "diff": "_api", "outputs": "_api", "status": "_api",
    "DataLossError": "_errors", "DeployError": "_errors", "DeployInterrupted": "_errors",
    "LimitError": "_errors", "LintError": "_errors", "UsageError": "_errors",
    "Backoff": "_progress", "Provider": "_provider",
    "DeployResult": "_results", "DestroyResult": "_results", "DiffResult": "_results",
    "Outcome": "_results", "StatusResult": "_results",
    "ContainerRun": "_run", "RunTaskResult": "_run", "TaskRun": "_run", "run_task": "_run",
    "HistoryEntry": "_history", "history": "_rollback", "rollback": "_rollback",
    "DriftResult": "_drift", "drift": "_drift", "AccountMismatch": "_guard", "check_target": "_guard",
    "RolloutResult": "_stacksets", "Targets": "_stacksets", "rollout": "_stacksets",
    "rollout_destroy": "_stacksets", "rollout_status": "_stacksets",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
