"""A cold ``ecsstack synth`` / ``--help`` loads only what it needs: no boto3, cfn-lint, rich or PyYAML."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecsstack.cli._console import Terminal, _plain, escape

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("boto3", "botocore", "cfnlint", "rich", "yaml", "cfn_tools", "cfn_clean")

PROBE = """
import json, sys
from ecsstack.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write("\\nLOADED " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})) + "\\n")
"""


def _loaded(*args: str, tmp_path: Path) -> tuple[set[str], str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    marker = done.stderr.rpartition("LOADED ")[2]
    return set(json.loads(marker)), done.stdout


@pytest.mark.parametrize("args", [["--help"], ["synth", "{bp}/web.py"], ["synth", "{bp}", "-o", "out"]])
def test_cold_cli_loads_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    loaded, stdout = _loaded(*(a.format(bp=ROOT / "blueprints") for a in args), tmp_path=tmp_path)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    if args[0] == "synth" and len(args) == 2:
        assert json.loads(stdout)["Resources"]
    if "-o" in args:
        assert (tmp_path / "out" / "web.json").is_file()


def test_yaml_output_loads_pyyaml_only_then(tmp_path: Path) -> None:
    loaded, stdout = _loaded("synth", str(ROOT / "blueprints" / "web.py"), "--format", "yaml", tmp_path=tmp_path)
    assert "yaml" in loaded and "rich" not in loaded
    assert "AWSTemplateFormatVersion: '2010-09-09'" in stdout


def test_troposphere_yaml_still_works_after_import() -> None:
    import troposphere

    import ecsstack  # noqa: F401  (installs the stand-in for cfn_flip)

    assert troposphere.Template().to_yaml().strip() == "Resources: {}"


@pytest.mark.parametrize("text", ["plain", "a [b] c", "x[/]y", "[bold]no[/bold]", "back\\[slash]", "trail\\",
                                  "list[0] and [red]"])
def test_plain_output_matches_rich_without_colour(text: str) -> None:
    from rich.console import Console

    markup = f"[bold red]error[/] {escape(text)}: [yellow]{escape(text)}[/]"
    buffer = io.StringIO()
    Console(file=buffer, highlight=False, soft_wrap=True, force_terminal=False, emoji=False).print(markup)
    assert _plain(markup) + "\n" == buffer.getvalue()
    from rich.markup import escape as rich_escape

    assert escape(text) == rich_escape(text)


def test_terminal_uses_rich_when_colour_is_forced(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    term = Terminal()
    term.print("[bold red]error[/] x")
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    plain.print("[bold red]error[/] x")
    assert capsys.readouterr().out == "error x\n"
