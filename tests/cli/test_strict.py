"""--strict: rule warnings stop synth, lint, diff and deploy like errors (nothing written, nothing deployed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ecsstack.cli import main

BLUEPRINT = '''
from ecsstack import Cluster, FargateTaskDefinition, Service, Stack

def build():
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:latest")
    return Stack("warned").add(Service("web", cluster=Cluster("main"), task=task))
'''


@pytest.fixture
def warned(tmp_path: Path) -> Path:
    path = tmp_path / "warned.py"
    path.write_text(BLUEPRINT, encoding="utf-8")
    return path


def test_without_strict_a_warning_is_shown_and_the_template_written(warned: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", str(warned), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0 and "warning ECS109" in result.output
    assert (tmp_path / "out" / "warned.json").exists()


@pytest.mark.parametrize("command", [["synth"], ["synth", "-o", "OUT"], ["diff"], ["deploy", "--yes"]])
def test_strict_turns_warnings_into_errors(warned: Path, tmp_path: Path, command: list[str]) -> None:
    args = [part.replace("OUT", str(tmp_path / "out")) for part in command]
    result = CliRunner().invoke(main, [args[0], "--strict", str(warned), *args[1:]])
    assert result.exit_code == 1, result.output
    assert "error ECS109" in result.output and "warning ECS109" not in result.output
    assert not (tmp_path / "out").exists()


def test_warnings_are_shown_next_to_errors(tmp_path: Path) -> None:
    path = tmp_path / "both.py"
    path.write_text(BLUEPRINT.replace('image="nginx:latest")', 'image="nginx:latest", ports=[70000])'),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["synth", str(path)])
    assert result.exit_code == 1
    assert "error ECS105" in result.output and "warning ECS109" in result.output
    assert "1 problem; nothing was written." in result.output
