"""CI-native output: where the blueprint made each object, ``synth --check``, and ``lint --format`` as SARIF 2.1.0,
JUnit XML, GitHub annotations and JSON."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import ecsstack
from ecsstack import Cluster, FargateTaskDefinition, Service
from ecsstack.cli import main
from ecsstack.errors import Problem
from ecsstack.loader import load_blueprint
from ecsstack.model.derived import source_of

HERE = Path(__file__).resolve().parent

# line 6: the container with the :latest image (ECS109), line 7: the one whose Fn::Sub needs no Sub (W1020),
# line 9: the service
WARNED = '''from ecsstack import Cluster, FargateTaskDefinition, Service, Stack, Sub


def build():
    task = FargateTaskDefinition("web")
    task.add_container("app", image="nginx:latest")
    task.add_container("side", image="busybox:1.36", essential=False, environment={"PLAIN": Sub("plain")})
    stack = Stack("warned")
    service = Service("web", cluster=Cluster("main"), task=task)
    return stack.add(service)
'''

# line 7: the service whose override CloudFormation would reject (ECS930, found by the invariants)
BROKEN = '''from ecsstack import Cluster, FargateTaskDefinition, Service, Stack


def build():
    task = FargateTaskDefinition("api")
    task.add_container("app", image="nginx:1.27")
    service = Service("api", cluster=Cluster("main"), task=task)
    service.override("Service", {"DependsOn": []})
    return Stack("broken").add(service)
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one blueprint that has warnings (a rule's and cfn-lint's); the working directory."""
    (tmp_path / "blueprints").mkdir()
    (tmp_path / "blueprints" / "warned.py").write_text(WARNED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


# ---- where the blueprint made each object --------------------------------------------------------------------
def test_builders_and_containers_remember_the_line_that_made_them() -> None:
    task = FargateTaskDefinition("web"); line = _line()  # noqa: E702
    container = task.add_container("app", image="nginx:1.27"); container_line = _line()  # noqa: E702
    service = Service("web", cluster=Cluster("main"), task=task); service_line = _line()  # noqa: E702
    assert source_of(task) == (__file__, line)
    assert source_of(container) == (__file__, container_line)
    assert source_of(service) == (__file__, service_line)
    assert source_of(object()) is None


def _line() -> int:
    import sys

    return sys._getframe(1).f_lineno


def test_the_source_leaves_fields_repr_and_copies_alone() -> None:
    task = FargateTaskDefinition("web")
    container = task.add_container("app", image="nginx:1.27")
    assert "_ecsstack_source" not in repr(container) and "source" not in {f.name for f in dataclasses.fields(container)}
    assert source_of(copy.deepcopy(container)) == source_of(container)
    assert Problem("ECS1", "p", "m", source=("a.py", 1)) == Problem("ECS1", "p", "m")
    assert "source" not in repr(Problem("ECS1", "p", "m", source=("a.py", 1)))


def test_rule_problems_carry_the_blueprint_line(project: Path) -> None:
    path = project / "blueprints" / "warned.py"
    found = [p for p in ecsstack.problems(load_blueprint(path)) if p.rule == "ECS109"]
    assert [p.source for p in found] == [(str(path.resolve()), 6)]
    assert found[0].path == "service web › task web › container app"


def test_invariant_problems_carry_the_line_of_the_builder(project: Path) -> None:
    (project / "broken.py").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ecsstack.ValidationError) as caught:
        ecsstack.synth(load_blueprint(project / "broken.py"))
    assert [(p.rule, p.source) for p in caught.value.problems] == [("ECS930", (str(project / "broken.py"), 7))]


# ---- synth --check -------------------------------------------------------------------------------------------
def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_synth_check_passes_when_committed_templates_are_current(project: Path) -> None:
    assert invoke("synth", "blueprints", "-o", "templates").exit_code == 0
    before = _snapshot(project)
    result = invoke("synth", "blueprints", "--check", "-o", "templates")
    assert result.exit_code == 0, result.output
    assert "1 template in templates up to date" in result.output
    assert _snapshot(project) == before


def test_synth_check_fails_with_a_unified_diff_for_each_difference(project: Path) -> None:
    (project / "blueprints" / "other.py").write_text(WARNED.replace('"warned"', '"other"'), encoding="utf-8")
    assert invoke("synth", "blueprints", "-o", "templates").exit_code == 0
    committed = project / "templates" / "warned.json"
    committed.write_text(committed.read_text().replace('"nginx:latest"', '"nginx:1.0"'))
    (project / "templates" / "other.json").unlink()
    (project / "templates" / "gone.json").write_text("{}\n")
    before = _snapshot(project)
    result = invoke("synth", "blueprints", "--check", "-o", "templates")
    assert result.exit_code == 1
    diff = result.stdout
    assert "--- a/templates/warned.json\n+++ b/templates/warned.json\n@@ " in diff
    assert re.search(r'^- +"Image": "nginx:1\.0",\n\+ +"Image": "nginx:latest",$', diff, re.M)
    assert "--- /dev/null\n+++ b/templates/other.json\n" in diff
    assert "--- a/templates/gone.json\n+++ /dev/null\n@@ -1 +0,0 @@\n-{}\n" in diff
    assert "templates/other.json is missing" in result.stderr
    assert "templates/gone.json is produced by no blueprint (stale)" in result.stderr
    assert "3 templates out of date" in result.stderr
    assert _snapshot(project) == before, "--check writes nothing"


def test_synth_check_of_a_folder_never_written(project: Path) -> None:
    result = invoke("synth", "blueprints/warned.py", "--check", "-o", "nowhere")
    assert result.exit_code == 1 and "+++ b/nowhere/warned.json" in result.stdout
    assert not (project / "nowhere").exists()


def test_synth_check_yaml_compares_yaml_files_only(project: Path) -> None:
    assert invoke("synth", "blueprints", "-o", "t", "--format", "yaml").exit_code == 0
    (project / "t" / "notes.json").write_text("{}")  # not a YAML template: not stale for a YAML check
    assert invoke("synth", "blueprints", "-o", "t", "--format", "yaml", "--check").exit_code == 0


# ---- lint --format -------------------------------------------------------------------------------------------
def test_lint_sarif_is_valid_sarif_2_1_0_pointing_at_blueprint_lines(project: Path) -> None:
    result = invoke("lint", "blueprints", "--format", "sarif")
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    schema = json.loads((HERE / "sarif-2.1.0-subset.schema.json").read_text())
    jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    by_tool = {run["tool"]["driver"]["name"]: run for run in log["runs"]}
    assert set(by_tool) == {"ecsstack", "cfn-lint"}
    for run in log["runs"]:
        rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
        for res in run["results"]:
            assert rules[res["ruleIndex"]] == res["ruleId"]
            assert res["message"]["text"] and res["level"] in ("error", "warning", "note")
    [ecs] = by_tool["ecsstack"]["results"]
    assert (ecs["ruleId"], ecs["level"]) == ("ECS109", "warning")
    location = ecs["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "blueprints/warned.py", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 6}}
    assert by_tool["ecsstack"]["tool"]["driver"]["rules"][0]["helpUri"].endswith("docs/rules.md#ecs109")
    [cfn] = by_tool["cfn-lint"]["results"]
    assert cfn["ruleId"] == "W1020" and cfn["level"] == "warning"
    assert cfn["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert "ContainerDefinitions/1/Environment/0/Value" in cfn["message"]["text"]


def test_lint_junit_one_case_per_finding(project: Path) -> None:
    (project / "blueprints" / "broken.py").write_text(BROKEN, encoding="utf-8")
    result = invoke("lint", "blueprints", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites" and root.get("failures") == "1"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"warned", "broken"}
    broken = suites["broken"].findall("testcase")
    assert [c.get("name") for c in broken] == ["ECS930 service api › part Service › resource ApiService"]
    failure = broken[0].find("failure")
    assert failure is not None and failure.get("type") == "ECS930" and "broken.py:7" in failure.text
    warned = {c.get("name").split()[0]: c for c in suites["warned"].findall("testcase")}
    assert set(warned) == {"ECS109", "W1020"}
    assert all(c.find("failure") is None and c.find("system-out").text.startswith("warning:")
               for c in warned.values())
    assert suites["warned"].get("tests") == "2" and suites["warned"].get("failures") == "0"


def test_lint_junit_lists_clean_templates(project: Path) -> None:
    (project / "blueprints" / "warned.py").write_text(
        WARNED.replace("nginx:latest", "nginx:1.27").replace('Sub("plain")', '"plain"'), encoding="utf-8")
    result = invoke("lint", "blueprints", "--format", "junit")
    assert result.exit_code == 0, result.output
    [suite] = ET.fromstring(result.stdout).findall("testsuite")
    assert [c.get("name") for c in suite.findall("testcase")] == ["ecsstack rules and cfn-lint"]
    assert suite.find("testcase/failure") is None


def test_lint_github_annotations_point_at_blueprint_lines(project: Path) -> None:
    (project / "blueprints" / "broken.py").write_text(BROKEN, encoding="utf-8")
    result = invoke("lint", "blueprints", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(re.fullmatch(r"::(error|warning|notice) file=[^,]+(,line=\d+)?,title=[^:]+::.+", x) for x in lines)
    assert any(x.startswith("::error file=blueprints/broken.py,line=7,title=ECS930 broken::service api") for x in lines)
    assert any(x.startswith("::warning file=blueprints/warned.py,line=6,title=ECS109 warned::") for x in lines)
    assert any(x.startswith("::warning file=blueprints/warned.py,line=7,title=W1020 warned::") for x in lines)
    assert "1 lint error." in result.stderr


def test_lint_template_files_point_at_their_own_lines(project: Path) -> None:
    (project / "blueprints" / "warned.py").unlink()
    (project / "t.yaml").write_text("Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
                                    "      Type: String\n      Value: !Sub plain\n", encoding="utf-8")
    result = invoke("lint", "t.yaml", "--format", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("::warning file=t.yaml,line=6,title=W1020 t.yaml::")


def test_lint_json(project: Path) -> None:
    result = invoke("lint", "blueprints", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["errors"], data["warnings"]) == (0, 2)
    rules = {f["rule"]: f for f in data["findings"]}
    assert rules["ECS109"]["tool"] == "ecsstack" and rules["W1020"]["tool"] == "cfn-lint"
    assert (rules["ECS109"]["file"], rules["ECS109"]["line"]) == ("blueprints/warned.py", 6)


def test_lint_strict_makes_warnings_errors_in_every_format(project: Path) -> None:
    result = invoke("lint", "blueprints", "--format", "github", "--strict")
    assert result.exit_code == 1
    assert "::error file=blueprints/warned.py,line=6,title=ECS109 warned::" in result.stdout


def test_lint_text_format_is_unchanged(project: Path) -> None:
    result = invoke("lint", "blueprints")
    assert result.exit_code == 0
    assert "warning ECS109" in result.output and "warning W1020" in result.output


def test_blueprints_that_do_not_load_are_findings_too(project: Path) -> None:
    """A CI upload always gets a report: a builder refused as it was made, and an exception in build()."""
    (project / "blueprints" / "refused.py").write_text(
        'from ecsstack import FargateTaskDefinition, Stack\n\n\ndef build():\n'
        '    FargateTaskDefinition("web", cpu="lots")\n    return Stack("refused")\n', encoding="utf-8")
    (project / "blueprints" / "raises.py").write_text(
        "def build():\n    return 1 / 0\n", encoding="utf-8")
    result = invoke("lint", "blueprints", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(x.startswith("::error file=blueprints/refused.py,line=5,title=ECS001 blueprints/refused.py::")
               for x in lines), lines
    assert any(x.startswith("::error file=blueprints/raises.py,line=2,title=blueprint blueprints/raises.py::")
               and "ZeroDivisionError" in x for x in lines), lines
    assert any("title=ECS109 warned::" in x for x in lines), "the other blueprints are still linted"
    junit = ET.fromstring(invoke("lint", "blueprints", "--format", "junit").stdout)
    assert {s.get("name") for s in junit.findall("testsuite")} == {"warned", "blueprints/refused.py",
                                                                 "blueprints/raises.py"}
