"""``ecsstack import taskdef | compose`` as a user meets them: the file written, what is printed, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ecsstack.cli import main

from ._support import FIXTURES

TASKDEF = FIXTURES / "taskdef" / "appmesh.json"
COMPOSE = FIXTURES / "compose" / "blog" / "compose.yml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_import_taskdef_writes_a_blueprint_that_synthesizes(tmp_path: Path) -> None:
    out = tmp_path / "blueprints" / "colorteller.py"
    code, _, err = run("import", "taskdef", str(TASKDEF), "-o", str(out))
    assert code == 0, err
    assert f"wrote {out}" in err and "overrides" not in err  # ProxyConfiguration is first-class
    assert "proxy_configuration=ProxyConfiguration(" in out.read_text()
    code, template, err = run("synth", str(out))
    assert code == 0, err
    assert json.loads(template)["Resources"]["ColortellerTaskDefinition"]["Properties"]["ProxyConfiguration"][
        "Type"] == "APPMESH"


def test_import_to_stdout_and_no_overwrite_without_force(tmp_path: Path) -> None:
    code, source, _ = run("import", "taskdef", str(TASKDEF))
    assert code == 0 and source.startswith('"""Imported from appmesh.json')
    out = tmp_path / "x.py"
    out.write_text("keep me")
    code, _, err = run("import", "taskdef", str(TASKDEF), "-o", str(out))
    assert code == 2 and "--force" in err and out.read_text() == "keep me"
    code, _, _ = run("import", "taskdef", str(TASKDEF), "-o", str(out), "--force")
    assert code == 0 and out.read_text() == source


def test_import_compose_modes_and_profiles(tmp_path: Path) -> None:
    code, source, err = run("import", "compose", str(COMPOSE), "--mode", "services", "--profile", "ops",
                            "--name", "blog-prod")
    assert code == 0, err
    assert '"blog-prod"' in source and "Mode: one ECS service per compose service, because --mode services" \
        in source
    assert 'Service(\n        "backup"' in source  # enabled by its profile
    assert "warning service backup: the host directory /srv/backups" in err


def test_user_mistakes_are_messages_not_tracebacks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = run("import", "taskdef", str(bad))
    assert code == 2 and "not readable JSON" in err and "Traceback" not in err
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"family": "x"}')
    code, _, err = run("import", "taskdef", str(wrong))
    assert code == 1 and "not a task definition" in err
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  a:\n    image: app:${TAG:?pass TAG}\n")
    code, _, err = run("import", "compose", str(compose))
    assert code == 1 and "required variable TAG is missing a value: pass TAG" in err
    code, _, err = run("import", "compose", str(compose), "--mode", "pods")
    assert code == 2 and "Invalid value for '--mode'" in err


def test_the_readme_example_is_what_the_importer_writes() -> None:
    """The README's web.json and the blueprint shown for it: the docs cannot drift from the importer."""
    import re

    from ecsstack.importers import import_taskdef

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Importing"):readme.index("## Deploying")]
    given = json.loads(re.search(r"```json\n(.*?)```", section, re.S)[1])
    shown = re.search(r"```python\n(\"\"\"Imported.*?)```", section, re.S)[1]
    assert import_taskdef(given, origin="web.json").source == shown
