"""``synth``/``lint`` over a folder: two blueprints building one stack name are refused, naming both files."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from ecsstack.cli import main

BLUEPRINT = """
from ecsstack import Cluster, FargateTaskDefinition, Service, Stack

def build():
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27")
    return Stack("{name}").add(Service("web", cluster=Cluster("main"), task=task))
"""


def folder(tmp_path: Path, **names: str) -> Path:
    for file, stack_name in names.items():
        (tmp_path / f"{file}.py").write_text(textwrap.dedent(BLUEPRINT.format(name=stack_name)))
    return tmp_path


def synth(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["synth", *args])
    return result.exit_code, " ".join(result.stderr.split())  # one line, whatever the console's width


def test_two_blueprints_with_one_stack_name_are_both_named(tmp_path: Path) -> None:
    root = folder(tmp_path, alpha="web", beta="web", gamma="other")
    code, err = synth(str(root), "-o", str(tmp_path / "out"))
    assert code == 1
    assert (f"error {root / 'alpha.py'} and {root / 'beta.py'} both build a stack named 'web', so their templates "
            "would overwrite each other; give each a stack name of its own") in err
    assert "gamma.py" not in err
    assert "1 problem; nothing was written." in err
    assert not (tmp_path / "out").exists()


def test_three_blueprints_with_one_stack_name(tmp_path: Path) -> None:
    root = folder(tmp_path, a="web", b="web", c="web")
    code, err = synth(str(root), "-o", str(tmp_path / "out"))
    assert code == 1
    assert f"{root / 'a.py'}, {root / 'b.py'} and {root / 'c.py'} all build a stack named 'web'" in err


def test_distinct_stack_names_are_written(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    root = folder(tmp_path / "src", a="web", b="api")
    code, err = synth(str(root), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["api.json", "web.json"]


def test_synth_writes_a_split_stack_as_root_and_children_and_prints_the_split(tmp_path: Path) -> None:
    blueprint = tmp_path / "many.py"
    blueprint.write_text(
        "from ecsstack import Cluster, FargateTaskDefinition, Nesting, Service, Stack\n"
        "def build():\n"
        "    stack = Stack('many', nesting=Nesting(max_resources=40, buckets=8))\n"
        "    cluster = Cluster('main')\n"
        "    for i in range(10):\n"
        "        task = FargateTaskDefinition(f'w{i}')\n"
        "        task.add_container('app', image='app:1')\n"
        "        stack.add(Service(f'w{i}', cluster=cluster, task=task))\n"
        "    return stack\n")
    result = CliRunner().invoke(main, ["synth", str(blueprint), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "many.json").is_file()
    children = sorted(p.name for p in (tmp_path / "out" / "many").iterdir())
    assert children and all(c.startswith("Services") for c in children)
    assert "nested stacks" in result.stderr and "services w" in result.stderr
    graph = CliRunner().invoke(main, ["graph", str(blueprint)])
    assert graph.exit_code == 0 and "nested stacks of many" in graph.output
