"""Every stack state → what a deploy does: one table."""

from __future__ import annotations

import botocore.session
import pytest

from ecsstack.deploy._states import ALL_STATUSES, IN_PROGRESS, Action, advice, decide, is_settled

C, U, W, R, F, V = Action.CREATE, Action.UPDATE, Action.WAIT, Action.RECREATE, Action.FAIL, Action.RECOVER

# status, has_resources, action without --recreate-failed, action with it, words the advice must contain
TABLE = [
    (None, False, C, C, ""),
    ("DELETE_COMPLETE", False, C, C, ""),
    ("CREATE_COMPLETE", True, U, U, ""),
    ("UPDATE_COMPLETE", True, U, U, ""),
    ("UPDATE_ROLLBACK_COMPLETE", True, U, U, ""),
    ("IMPORT_COMPLETE", True, U, U, ""),
    ("IMPORT_ROLLBACK_COMPLETE", True, U, U, ""),
    ("UPDATE_FAILED", True, U, U, ""),
    ("ROLLBACK_COMPLETE", False, F, R, "--recreate-failed"),
    ("ROLLBACK_FAILED", True, F, R, "--recreate-failed"),
    ("CREATE_FAILED", True, F, R, "--recreate-failed"),
    ("REVIEW_IN_PROGRESS", False, V, V, ""),  # only unexecuted change sets: delete them, create
    ("REVIEW_IN_PROGRESS", True, F, F, "ecsstack destroy"),
    ("CREATE_IN_PROGRESS", False, W, W, "waiting"),
    ("UPDATE_IN_PROGRESS", True, W, W, "waiting"),
    ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", True, W, W, "waiting"),
    ("UPDATE_ROLLBACK_IN_PROGRESS", True, W, W, "waiting"),
    ("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", True, W, W, "waiting"),
    ("ROLLBACK_IN_PROGRESS", True, W, W, "waiting"),
    ("DELETE_IN_PROGRESS", True, W, W, "waiting"),
    ("IMPORT_IN_PROGRESS", True, W, W, "waiting"),
    ("IMPORT_ROLLBACK_IN_PROGRESS", True, W, W, "waiting"),
    ("UPDATE_ROLLBACK_FAILED", True, F, F, "continue-update-rollback"),
    ("DELETE_FAILED", True, F, F, "ecsstack destroy"),
    ("IMPORT_ROLLBACK_FAILED", True, F, F, "ecsstack status"),
    ("SOMETHING_NEW", True, F, F, "unknown state"),
]


@pytest.mark.parametrize(("status", "has_resources", "plain", "recreating", "words"), TABLE,
                         ids=[f"{row[0]}{'-with-resources' if row[1] and row[0] == 'REVIEW_IN_PROGRESS' else ''}"
                              for row in TABLE])
def test_decision_table(status: str | None, has_resources: bool, plain: Action, recreating: Action,
                        words: str) -> None:
    without = decide(status, has_resources=has_resources, stack_name="web-dev")
    with_flag = decide(status, has_resources=has_resources, recreate_failed=True, stack_name="web-dev")
    assert (without.action, with_flag.action) == (plain, recreating)
    assert words in without.advice
    if status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "UPDATE_ROLLBACK_FAILED"):
        assert without.show_failure  # the original failure is printed before anything else


def test_table_covers_every_status_of_the_api() -> None:
    model = botocore.session.get_session().get_service_model("cloudformation")
    api = set(model.shape_for("StackStatus").enum)
    assert api == ALL_STATUSES
    assert api <= {row[0] for row in TABLE}


def test_review_in_progress_is_not_waited_on() -> None:
    assert "REVIEW_IN_PROGRESS" not in IN_PROGRESS
    assert is_settled("REVIEW_IN_PROGRESS") and is_settled(None) and not is_settled("UPDATE_IN_PROGRESS")


def test_advice_names_the_stack() -> None:
    assert "--stack-name web-dev" in advice("UPDATE_ROLLBACK_FAILED", "web-dev")
    assert "--resources-to-skip" in advice("UPDATE_ROLLBACK_FAILED", "web-dev")


def test_review_in_progress_is_not_called_never_created() -> None:
    assert "never created" not in advice("REVIEW_IN_PROGRESS", "web-dev")
    assert "deletes the stale change set" in advice("REVIEW_IN_PROGRESS", "web-dev")
