"""``ecsstack diff --detailed-exitcode`` (0 no changes, 2 changes, 3 data at risk) and ``--format markdown``, on the
local emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ecsstack.cli import _deploy, main
from ecsstack.cli._formats import diff_exit_code, diff_markdown
from ecsstack.deploy import DiffResult
from ecsstack.deploy._changes import ResourceChange, Risk

from .test_emulator import template


@pytest.fixture
def cli(moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """``ecsstack ARGS`` against the emulator; the blueprint compiles to ``cli.state["template"]``."""
    blueprint = tmp_path / "app.py"
    blueprint.write_text("def build():\n    raise AssertionError('replaced by the test')\n")
    state: dict[str, Any] = {"template": template("a")}
    monkeypatch.setattr(_deploy, "_template_of", lambda path, strict=False: (state["template"], "app"))

    def run(command: str, *args: str) -> Any:
        argv = [command, str(blueprint), *args, "--endpoint-url", moto]
        if command == "deploy":
            argv += ["--yes", "--no-lint"]
        return CliRunner().invoke(main, argv)

    run.state = state  # type: ignore[attr-defined]
    return run


def test_detailed_exitcode_0_2_3(cli: Any) -> None:
    creating = cli("diff", "--detailed-exitcode")
    assert creating.exit_code == 2, creating.output  # a new stack is a change, and risks nothing
    assert cli("deploy").exit_code == 0
    same = cli("diff", "--detailed-exitcode")
    assert same.exit_code == 0 and "no changes" in same.output
    cli.state["template"] = template("b")
    assert cli("diff", "--detailed-exitcode").exit_code == 2
    cli.state["template"] = template("a", logs=False)  # removes the retained log group
    risky = cli("diff", "--detailed-exitcode")
    assert risky.exit_code == 3 and "Logs" in risky.output
    assert cli("diff").exit_code == 0, "without the flag a diff that ran is a success"


def test_usage_errors_never_read_as_changes(cli: Any) -> None:
    assert cli("diff", "--parameter", "Nope=1").exit_code == 2
    assert cli("diff", "--parameter", "Nope=1", "--detailed-exitcode").exit_code == 1


def test_markdown_comment_on_the_emulator(cli: Any) -> None:
    assert cli("deploy").exit_code == 0
    cli.state["template"] = template("a", logs=False)
    result = cli("diff", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 3
    comment = result.stdout
    assert comment.startswith("<!-- ecsstack-diff:app -->\n### ecsstack diff: `app` (update, ")
    assert "| Action | Logical ID | Type | Replacement | Data at risk |" in comment
    row = next(line for line in comment.splitlines() if "`Logs`" in line)
    assert row.startswith("| Remove | `Logs` | `AWS::Logs::LogGroup` |") and "**removed**: it holds data" in row
    assert "[!CAUTION]" in comment
    assert "Stack app" not in comment, "progress goes to stderr, the comment alone to stdout"


def test_markdown_of_no_changes(cli: Any) -> None:
    assert cli("deploy").exit_code == 0
    result = cli("diff", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout == ("<!-- ecsstack-diff:app -->\n### ecsstack diff: `app`\n\n"
                             "No changes: the stack is up to date.\n")


def test_markdown_escapes_table_cells_and_folds_details() -> None:
    change = ResourceChange("Modify", "Web|Service", "AWS::ECS::Service", replacement="True",
                            details=("Properties.ServiceName (requires replacement)",))
    result = DiffResult("web", True, False, [change], [],
                        [Risk("Web|Service", "AWS::ECS::Service", "replaced", ("it has a fixed name (ServiceName)",))])
    text = diff_markdown(result)
    assert "| Modify | `Web\\|Service` | `AWS::ECS::Service` | True | **replaced**: it has a fixed name" in text
    assert "<details><summary>What changes, per resource</summary>" in text
    assert "- `Web|Service`: Properties.ServiceName (requires replacement)" in text
    assert diff_exit_code(result) == 3
    assert diff_exit_code(DiffResult("web", True, False, [change])) == 2
    assert diff_exit_code(DiffResult("web", True, True)) == 0
