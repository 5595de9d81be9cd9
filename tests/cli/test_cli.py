"""The CLI as a user meets it: exit codes, files written (or not), messages, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecsstack.cli import main

GOOD = """
from ecsstack import Stack, Cluster, FargateTaskDefinition, Service, HealthCheck, Condition, Secret

def build():
    stack = Stack("demo")
    task = FargateTaskDefinition("demo", cpu=256, memory=512)
    side = task.add_container("side", image="busybox", essential=False,
                              health_check=HealthCheck(["CMD-SHELL", "true"]))
    app = task.add_container("app", image="nginx:1.27", ports=[80],
                             secrets={"TOKEN": Secret.ssm("/demo/token")})
    app.depends_on(side, Condition.HEALTHY)
    stack.add(Service("demo", cluster=Cluster("main"), task=task))
    return stack
"""


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_synth_to_stdout(tmp_path: Path) -> None:
    code, out, _ = run("synth", str(write(tmp_path, "demo.py", GOOD)))
    assert code == 0
    template = json.loads(out)
    assert template["Resources"]["DemoTaskDefinition"]["Type"] == "AWS::ECS::TaskDefinition"


def test_synth_writes_one_file_per_stack_and_yaml(tmp_path: Path) -> None:
    write(tmp_path, "demo.py", GOOD)
    write(tmp_path, "other.py", GOOD.replace('Stack("demo")', 'Stack("other")'))
    code, _, err = run("synth", str(tmp_path), "-o", str(tmp_path / "out"), "--format", "yaml")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["demo.yaml", "other.yaml"]
    assert "AWS::ECS::Service" in (tmp_path / "out" / "demo.yaml").read_text()


def test_synth_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    path = write(tmp_path, "demo.py", GOOD)
    assert run("synth", str(path))[1] == run("synth", str(path))[1]


BROKEN = """
from ecsstack import Stack, Cluster, FargateTaskDefinition, Service, Condition

def build():
    stack = Stack("broken")
    task = FargateTaskDefinition("web", cpu=256, memory=4096)
    otel = task.add_container("otel", image="otel")
    app = task.add_container("app", image="app")
    app.depends_on(otel, Condition.HEALTHY)
    stack.add(Service("web", cluster=Cluster("main"), task=task))
    return stack
"""


def test_problems_exit_1_list_everything_and_write_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.py", BROKEN)
    code, out, err = run("synth", str(path), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "ECS201" in err and "service web › task web › container app" in err
    assert "ECS310" in err and "cpu=256" in err
    assert "nothing was written" in err
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in out + err


def test_one_broken_blueprint_in_a_directory_writes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "good.py", GOOD)
    write(tmp_path, "broken.py", BROKEN)
    code, _, err = run("synth", str(tmp_path), "-o", str(tmp_path / "out"))
    assert code == 1 and "broken.py" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("body", "expected"), [
    ("def build():\n    return undefined_name\n", "NameError"),
    ("def build(:\n", "syntax error"),
    ("x = 1\n", "defines no build()"),
    ("def build():\n    return 42\n", "not a Stack"),
    ("from ecsstack import FargateTaskDefinition\ndef build():\n"
     "    FargateTaskDefinition('t').add_container('a', image='x', ports='80')\n", "ports must be a list"),
    ("from ecsstack import Stack\ndef build():\n    raise RuntimeError('boom')\n", "broken.py:3 in build"),
])
def test_blueprint_mistakes_are_one_clear_line(tmp_path: Path, body: str, expected: str) -> None:
    code, out, err = run("synth", str(write(tmp_path, "broken.py", body)))
    assert code == 1
    assert expected in err
    assert "Traceback" not in out + err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("synth", str(tmp_path / "missing.py"))[0] == 2
    assert run("synth", "--format", "xml", str(write(tmp_path, "demo.py", GOOD)))[0] == 2
    (tmp_path / "notes.txt").write_text("hi")
    assert run("synth", str(tmp_path / "notes.txt"))[0] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("synth", str(empty))[0] == 2


def test_directory_to_stdout_needs_output_dir(tmp_path: Path) -> None:
    write(tmp_path, "a.py", GOOD)
    write(tmp_path, "b.py", GOOD.replace('Stack("demo")', 'Stack("b")'))
    code, _, err = run("synth", str(tmp_path))
    assert code == 2 and "-o" in err


def test_lint_clean_and_failing(tmp_path: Path) -> None:
    good = write(tmp_path, "demo.py", GOOD)
    assert run("lint", str(good))[0] == 0
    bad = write(tmp_path, "bad.py", GOOD.replace(
        'stack.add(Service("demo", cluster=Cluster("main"), task=task))',
        'stack.add(Service("demo", cluster=Cluster("main"), task=task, overrides={"SchedulingStrategy": "DAEMON"}))'))
    code, _, err = run("lint", str(bad))  # inside the schema, so only cfn-lint's own rules see it
    assert code == 1 and "E3044" in err and "SchedulingStrategy" in err
    unknown = write(tmp_path, "unknown.py", GOOD.replace(
        'stack.add(Service("demo", cluster=Cluster("main"), task=task))',
        'stack.add(Service("demo", cluster=Cluster("main"), task=task, overrides={"Bogus": 1}))'))
    code, _, err = run("lint", str(unknown))  # outside the schema: refused at synth already
    assert code == 1 and "ECS930" in err and "Bogus" in err


def test_graph_shows_waits_and_start_order(tmp_path: Path) -> None:
    code, out, _ = run("graph", str(write(tmp_path, "demo.py", GOOD)))
    assert code == 0
    assert "app   waits until side is healthy [HEALTHY]" in out
    assert out.index("1. side") < out.index("2. app")
    code, out, _ = run("graph", "--format", "mermaid", str(write(tmp_path, "demo.py", GOOD)))
    assert 'demo_side -->|"HEALTHY"| demo_app' in out


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("ecsstack")
    result = subprocess.run([str(exe), "synth", str(write(tmp_path, "broken.py", BROKEN))],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "ECS201" in result.stderr


def test_blueprints_import_helper_modules_beside_them(tmp_path: Path) -> None:
    write(tmp_path, "common.py", """
        from ecsstack import FargateTaskDefinition

        def web_task(name):
            task = FargateTaskDefinition(name)
            task.add_container("app", image="nginx:1.27", ports=[80])
            return task
    """)
    write(tmp_path, "site.py", """
        from common import web_task
        from ecsstack import Cluster, Service, Stack

        def build():
            return Stack("site").add(Service("site", cluster=Cluster("main"), task=web_task("site")))
    """)
    code, _, err = run("synth", str(tmp_path), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "skipped" in err and "common.py" in err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["site.json"]
    code, _, err = run("synth", str(tmp_path / "common.py"))
    assert code == 1 and "defines no build()" in err


def test_an_internal_error_is_one_line_unless_debugging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecsstack import cli

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(cli, "main", boom)
    monkeypatch.delenv("ECSSTACK_DEBUG", raising=False)
    with pytest.raises(SystemExit) as info:
        cli.run()
    assert info.value.code == 1
    monkeypatch.setenv("ECSSTACK_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.run()


def test_lint_reads_synthesized_templates_too(tmp_path: Path) -> None:
    write(tmp_path, "demo.py", GOOD)
    out = tmp_path / "out"
    assert run("synth", str(tmp_path), "-o", str(out), "--format", "yaml")[0] == 0
    code, stdout, _ = run("lint", str(out))
    assert code == 0 and "demo.yaml: no findings" in stdout
    (out / "bad.json").write_text('{"Resources": {"C": {"Type": "AWS::ECS::Cluster", '
                                  '"Properties": {"Bogus": ["[red]x[/red]"]}}}}')
    code, _, err = run("lint", str(out / "bad.json"))
    assert code == 1 and "E3002" in err and "Bogus" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("lint", str(empty))[0] == 2


def test_an_output_folder_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "demo.py", GOOD)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run("synth", str(tmp_path / "demo.py"), "-o", str(blocker / "out"))
    assert code == 2, err
    assert f"error cannot write to {blocker / 'out'}" in err and "nothing was written" in err
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_output_folder_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "demo.py", GOOD)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = run("synth", str(tmp_path / "demo.py"), "-o", str(locked))
    finally:
        locked.chmod(0o700)
    assert code == 2 and "cannot write to" in err and list(locked.iterdir()) == []


def test_synth_to_a_folder_is_all_or_nothing(tmp_path: Path) -> None:
    """One template cannot be written: the other one is not replaced either (no new next to stale)."""
    write(tmp_path, "demo.py", GOOD)
    write(tmp_path, "other.py", GOOD.replace('Stack("demo")', 'Stack("other")'))
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo.json").write_text("stale demo")
    (out / "other.json").mkdir()  # in the way
    code, _, err = run("synth", str(tmp_path / "demo.py"), "-o", str(out))
    assert code == 0, err  # one blueprint alone: fine
    blueprints = tmp_path / "blueprints"
    blueprints.mkdir()
    for name in ("demo.py", "other.py"):
        (blueprints / name).write_text((tmp_path / name).read_text())
    (out / "demo.json").write_text("stale demo")
    code, _, err = run("synth", str(blueprints), "-o", str(out))
    assert code == 2, err
    assert "nothing was written" in err
    assert (out / "demo.json").read_text() == "stale demo"
    assert sorted(p.name for p in out.iterdir()) == ["demo.json", "other.json"], "no staging folder left behind"
