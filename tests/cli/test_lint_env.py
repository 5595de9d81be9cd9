"""``lint --env`` (``build(env)`` blueprints) in every format, ``synth --check --env``, and ``lint --format``
finding exactly what the text path finds, through the same cache and ``--ignore-checks``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecsstack.cli import main
from ecsstack.cli._formats import collect_findings
from ecsstack.lint import lint_templates
from ecsstack.loader import blueprint_files, load_blueprint
from ecsstack.pipeline import synth
from ecsstack.render import to_json

ROOT = Path(__file__).resolve().parents[2]

# line 6: an image tag from the environment; staging's is "latest" (ECS109), prod's is pinned
BLUEPRINT = '''from ecsstack import Cluster, FargateTaskDefinition, Service, Stack


def build(env):
    task = FargateTaskDefinition("web", cpu=env.get("cpu", 256), memory=env.get("memory", 512))
    task.add_container("app", image="nginx:" + env.get("tag", "latest"))
    return Stack("app").add(Service("web", cluster=Cluster("main"), task=task))
'''

ENVIRONMENTS = '''[environments.staging]
account = "123456789012"
region = "us-east-1"

[environments.prod]
account = "210987654321"
region = "eu-west-1"
settings = { cpu = 512, memory = 1024, tag = "1.27" }
'''

# line 7: a Fn::Sub that needs no Sub (cfn-lint W1020)
WARNED = '''from ecsstack import Cluster, FargateTaskDefinition, Service, Stack, Sub


def build():
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:1.27")
    task.add_container("side", image="busybox:1.36", essential=False, environment={"PLAIN": Sub("plain")})
    return Stack("warned").add(Service("web", cluster=Cluster("main"), task=task))
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "blueprints").mkdir()
    (tmp_path / "blueprints" / "app.py").write_text(BLUEPRINT, encoding="utf-8")
    (tmp_path / "blueprints" / "environments.toml").write_text(ENVIRONMENTS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_lint_without_env_names_the_fix(project: Path) -> None:
    for fmt in ("text", "json"):
        result = invoke("lint", "blueprints", "--format", fmt)
        assert result.exit_code == 1, result.output
        assert "pass --env NAME" in result.output


def test_lint_env_builds_with_the_environment_in_every_format(project: Path) -> None:
    staging = json.loads(invoke("lint", "blueprints", "--env", "staging", "--format", "json").stdout)
    assert [(f["rule"], f["file"], f["line"]) for f in staging["findings"]] == [("ECS109", "blueprints/app.py", 6)]
    prod = invoke("lint", "blueprints", "--env", "prod", "--format", "json")
    assert prod.exit_code == 0 and json.loads(prod.stdout)["findings"] == []
    strict = invoke("lint", "blueprints", "--env", "staging", "--format", "github", "--strict")
    assert strict.exit_code == 1 and strict.stdout.startswith("::error file=blueprints/app.py,line=6,title=ECS109")
    text = invoke("lint", "blueprints", "--env", "prod")
    assert text.exit_code == 0 and "app.json: no findings" in text.output


def test_lint_env_with_another_environments_file(project: Path) -> None:
    moved = project / "elsewhere.toml"
    (project / "blueprints" / "environments.toml").rename(moved)
    result = invoke("lint", "blueprints", "--env", "prod", "--environments", str(moved), "--format", "json")
    assert result.exit_code == 0, result.output
    unknown = invoke("lint", "blueprints", "--env", "qa", "--environments", str(moved))
    assert unknown.exit_code == 2 and "qa" in unknown.output
    assert invoke("lint", "blueprints", "--environments", str(moved)).exit_code == 2  # needs --env


def test_synth_check_env_compares_against_the_environment_folder(project: Path) -> None:
    assert invoke("synth", "blueprints", "--env", "prod", "-o", "templates").exit_code == 0
    assert (project / "templates" / "prod" / "app.json").is_file()
    fresh = invoke("synth", "blueprints", "--env", "prod", "--check", "-o", "templates")
    assert fresh.exit_code == 0, fresh.output
    assert "templates/prod up to date" in fresh.output.replace("\n", "")
    # staging was never written: its check fails on templates/staging/, not on prod's files
    missing = invoke("synth", "blueprints", "--env", "staging", "--check", "-o", "templates")
    assert missing.exit_code == 1 and "+++ b/templates/staging/app.json" in missing.stdout
    committed = project / "templates" / "prod" / "app.json"
    assert '"1024"' in committed.read_text()
    committed.write_text(committed.read_text().replace('"1024"', '"2048"'))
    stale = invoke("synth", "blueprints", "--env", "prod", "--check", "-o", "templates")
    assert stale.exit_code == 1 and "--- a/templates/prod/app.json" in stale.stdout
    lines = stale.stdout.splitlines()
    assert any(x.startswith("-") and '"2048"' in x for x in lines) and any(x.startswith("+") and '"1024"' in x
                                                                          for x in lines)


def _cfn_lint_text_path(folder: Path) -> set[tuple[str, str, str]]:
    """What plain ``lint`` finds with cfn-lint: lint_templates over every synthesized stack."""
    stacks = [load_blueprint(p) for p in blueprint_files(folder)]
    report = lint_templates([(s.name, to_json(synth(s))) for s in stacks], cache_dir=None)
    return {(f.file, f.rule, f"{f.path}: {f.message}" if f.path else f.message) for f in report.findings}


def test_format_findings_are_the_text_paths_on_the_shipped_blueprints(tmp_path: Path) -> None:
    folder = tmp_path / "blueprints"
    shutil.copytree(ROOT / "blueprints", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "warned.py").write_text(WARNED, encoding="utf-8")
    findings, templates = collect_findings(str(folder), ("us-east-1",), False, cache_dir=None)
    ours = {(f.template, f.rule, f.message) for f in findings if f.tool == "cfn-lint"}
    assert ours == _cfn_lint_text_path(folder)
    assert ("warned", "W1020") in {(t, r) for t, r, _ in ours}, "the comparison is not vacuous"
    assert "warned" in templates and "web" in templates


def test_format_path_uses_the_cache_and_ignore_checks(project: Path) -> None:
    (project / "blueprints" / "app.py").unlink()
    (project / "blueprints" / "warned.py").write_text(WARNED, encoding="utf-8")
    cache = project / "cache"
    first = invoke("lint", "blueprints", "--format", "json", "--cache-dir", str(cache))
    assert [f["rule"] for f in json.loads(first.stdout)["findings"]] == ["W1020"]
    entries = list(cache.glob("*.json"))
    assert len(entries) == 1
    # a cached run gives the same findings from the cache entry: make the entry say something else to prove it
    entry = json.loads(entries[0].read_text())
    entry["findings"][0]["message"] = "from the cache"
    entries[0].write_text(json.dumps(entry))
    cached = invoke("lint", "blueprints", "--format", "json", "--cache-dir", str(cache))
    assert "from the cache" in json.loads(cached.stdout)["findings"][0]["message"]
    fresh = invoke("lint", "blueprints", "--format", "json", "--cache-dir", str(cache), "--no-cache")
    assert "from the cache" not in json.loads(fresh.stdout)["findings"][0]["message"]
    ignored = invoke("lint", "blueprints", "--format", "sarif", "--ignore-checks", "W1020", "--no-cache")
    assert ignored.exit_code == 0
    assert [r["ruleId"] for run in json.loads(ignored.stdout)["runs"] for r in run["results"]] == []
