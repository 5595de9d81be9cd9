"""CloudFormation stack states, written once, and the one decision: what a deploy does in each state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ALL_STATUSES", "DEPLOYABLE", "FAILED_CREATE", "GONE", "IN_PROGRESS", "REVIEW", "STUCK", "SUCCESS",
    "Action", "Decision", "advice", "decide", "is_settled",
]

# Every StackStatus of the CloudFormation API, grouped. A status is in exactly one of these sets.
DEPLOYABLE = frozenset({  # a stack that accepts an UPDATE change set
    "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE", "UPDATE_FAILED",
})
FAILED_CREATE = frozenset({  # never (fully) created: can only be deleted and created again
    "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED",
})
# CloudFormation is working on it: wait. (REVIEW_IN_PROGRESS never settles on its own: not here.)
IN_PROGRESS = frozenset({
    "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS", "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "IMPORT_IN_PROGRESS", "IMPORT_ROLLBACK_IN_PROGRESS",
})
STUCK = frozenset({"UPDATE_ROLLBACK_FAILED", "DELETE_FAILED", "IMPORT_ROLLBACK_FAILED"})
REVIEW = "REVIEW_IN_PROGRESS"
GONE = "DELETE_COMPLETE"
ALL_STATUSES = DEPLOYABLE | FAILED_CREATE | IN_PROGRESS | STUCK | {REVIEW, GONE}

SUCCESS = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "DELETE_COMPLETE"})


def is_settled(status: str | None) -> bool:
    """True once CloudFormation has stopped working on the stack (or it is gone)."""
    return status is None or status not in IN_PROGRESS


class Action(StrEnum):
    CREATE = "create"      # CREATE change set on a new stack
    UPDATE = "update"      # UPDATE change set on the existing stack
    WAIT = "wait"          # wait for the stack to settle, then decide again
    RECREATE = "recreate"  # delete the never-created stack, then CREATE (only with --recreate-failed)
    RECOVER = "recover"    # REVIEW_IN_PROGRESS, no resources: delete the stale change sets, then CREATE
    FAIL = "fail"          # stop and explain (``Decision.advice``)


@dataclass(frozen=True)
class Decision:
    action: Action
    advice: str = ""
    show_failure: bool = False  # print the original failure (root cause) before acting


def advice(status: str | None, stack_name: str) -> str:
    """What to do next with a stack in ``status`` (after a failure, or when a deploy refuses)."""
    follow = f"ecsstack status --stack-name {stack_name}"
    if status in FAILED_CREATE:
        return (f"The stack {stack_name} was never created successfully ({status}) and cannot be updated. "
                f"Fix the cause, then deploy again with --recreate-failed to delete it and create it anew.")
    if status == REVIEW:
        return (f"The stack {stack_name} is REVIEW_IN_PROGRESS: a change set was made and not executed. "
                f"Deploy again: a deploy deletes the stale change set and creates the stack.")
    if status == "UPDATE_ROLLBACK_FAILED":
        return (f"The update failed and so did the rollback: the stack is stuck until the rollback is "
                f"finished. Fix what blocks it (see the failed events: `{follow}`), then run "
                f"`aws cloudformation continue-update-rollback --stack-name {stack_name}` (add "
                f"`--resources-to-skip LOGICAL_ID` for resources that cannot be rolled back), "
                f"then deploy again.")
    if status == "DELETE_FAILED":
        return (f"Deleting the stack failed; fix the cause shown above and run "
                f"`ecsstack destroy --stack-name {stack_name}` again (or "
                f"`aws cloudformation delete-stack --stack-name {stack_name} "
                f"--retain-resources LOGICAL_ID`).")
    if status == "IMPORT_ROLLBACK_FAILED":
        return f"The import and its rollback failed; inspect the events with `{follow}` and fix them by hand."
    if status in ("UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"):
        return (f"The stack {stack_name} is back on its previous version and still serves traffic; "
                f"fix the cause and deploy again.")
    if status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"):
        return f"The stack {stack_name} was not changed; fix the cause and deploy again."
    if status == "UPDATE_FAILED":
        return (f"Rollback is disabled: fix the cause and deploy again, or roll back with "
                f"`aws cloudformation rollback-stack --stack-name {stack_name}`.")
    return f"Inspect the stack with `{follow}`."


def decide(status: str | None, *, has_resources: bool = False, recreate_failed: bool = False,
           stack_name: str = "STACK") -> Decision:
    """Map a stack's status (``None``: no stack) to what a deploy does next."""
    if status is None or status == GONE:
        return Decision(Action.CREATE)
    if status in DEPLOYABLE:
        return Decision(Action.UPDATE)
    if status in IN_PROGRESS:
        return Decision(Action.WAIT, f"The stack {stack_name} is {status}; waiting for it to settle.")
    if status == REVIEW and not has_resources:
        return Decision(Action.RECOVER)
    if status in FAILED_CREATE:
        if recreate_failed:
            return Decision(Action.RECREATE, f"The stack {stack_name} is {status}: deleting it to create it "
                                             f"anew (--recreate-failed).", show_failure=True)
        return Decision(Action.FAIL, advice(status, stack_name), show_failure=True)
    if status == REVIEW:
        return Decision(Action.FAIL, f"The stack {stack_name} is REVIEW_IN_PROGRESS but already holds "
                                     f"resources (a change set failed half-way). Delete it with "
                                     f"`ecsstack destroy --stack-name {stack_name}`, then deploy again.")
    if status in STUCK:
        return Decision(Action.FAIL, advice(status, stack_name), show_failure=True)
    return Decision(Action.FAIL, f"The stack {stack_name} is in an unknown state {status}. "
                                 f"{advice(None, stack_name)}")
