"""``lint_templates``: findings cached by template bytes + cfn-lint version + settings, parallel = serial."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecsstack import lint as lint_module
from ecsstack.cli import main
from ecsstack.lint import LintFinding, lint_template, lint_templates

pytestmark = pytest.mark.lint

BAD = json.dumps({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Nope": 1}}}})
WARN = json.dumps({"Parameters": {"Unused": {"Type": "String"}},
                   "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
CLEAN = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})


def _no_linting(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> list[LintFinding]:
        raise AssertionError("linted although the cache holds the findings")

    monkeypatch.setattr(lint_module, "_lint", refuse)


def test_findings_are_data_naming_file_resource_rule_and_severity(tmp_path: Path) -> None:
    report = lint_templates([("bad.json", BAD), ("clean.json", CLEAN)], cache_dir=None, jobs=1)
    assert [r.file for r in report.results] == ["bad.json", "clean.json"]
    (finding,) = [f for f in report.findings if f.rule == "E3002"]
    assert (finding.file, finding.resource, finding.severity) == ("bad.json", "Bucket", "error")
    assert "Nope" in finding.message
    assert report.results[1].findings == [] and report.errors >= 1
    assert [f.rule for f in report.results[0].findings] == [f.rule for f in lint_template(BAD)]


def test_second_run_is_served_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = lint_templates([("bad.json", BAD), ("warn.json", WARN)], cache_dir=tmp_path, jobs=1)
    assert not any(r.cached for r in first.results)
    assert len(list(tmp_path.glob("*.json"))) == 2
    _no_linting(monkeypatch)
    second = lint_templates([("bad.json", BAD), ("warn.json", WARN)], cache_dir=tmp_path, jobs=1)
    assert all(r.cached for r in second.results)
    assert second.findings == first.findings
    # the file name is not part of the key: the same template under another name is a hit too
    assert lint_templates([("other.json", BAD)], cache_dir=tmp_path).results[0].cached


@pytest.mark.parametrize("change", ["template byte", "cfn-lint version", "regions", "ignored checks"])
def test_any_change_misses(change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lint_templates([("bad.json", BAD)], cache_dir=tmp_path, jobs=1)
    kwargs: dict[str, object] = {}
    text = BAD
    if change == "template byte":
        text = BAD.replace('"Nope": 1', '"Nope": 2')
    elif change == "cfn-lint version":
        monkeypatch.setattr(lint_module, "_cfnlint_version", lambda: "0.0.0-other")
    elif change == "regions":
        kwargs["regions"] = ("us-east-1", "eu-west-1")
    else:
        kwargs["ignore_checks"] = ("W",)
    again = lint_templates([("bad.json", text)], cache_dir=tmp_path, jobs=1, **kwargs)
    assert not again.results[0].cached
    assert any(f.rule == "E3002" for f in again.findings)


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    first = lint_templates([("bad.json", BAD)], cache_dir=tmp_path, jobs=1)
    (entry,) = tmp_path.glob("*.json")
    for garbage in ("{not json", json.dumps({"key": entry.stem, "findings": [{"level": 1, "oops": 2}]}),
                    json.dumps({"key": "someone else's", "findings": []}), json.dumps([1, 2])):
        entry.write_text(garbage)
        again = lint_templates([("bad.json", BAD)], cache_dir=tmp_path, jobs=1)
        assert not again.results[0].cached
        assert again.findings == first.findings
    assert lint_templates([("bad.json", BAD)], cache_dir=tmp_path, jobs=1).results[0].cached


def test_an_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    report = lint_templates([("bad.json", BAD)], cache_dir=blocker / "cache", jobs=1)
    assert any(f.rule == "E3002" for f in report.findings)


def test_parallel_finds_what_serial_finds() -> None:
    inputs = [("bad.json", BAD), ("warn.json", WARN), ("clean.json", CLEAN), ("bad2.json", BAD.replace("Bucket", "B2"))]
    serial = lint_templates(inputs, cache_dir=None, jobs=1)
    parallel = lint_templates(inputs, cache_dir=None, jobs=2)
    assert parallel.findings == serial.findings
    assert [r.file for r in parallel.results] == [name for name, _ in inputs]
    assert {f.rule for f in serial.findings} >= {"E3002", "W2001"}


def test_cli_lint_caches_unless_told_not_to(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(BAD)
    runner = CliRunner()
    cache = tmp_path / "cache"
    done = runner.invoke(main, ["lint", str(tmp_path / "bad.json"), "--no-cache", "--cache-dir", str(cache)])
    assert done.exit_code == 1 and "E3002" in done.output and not cache.exists()
    done = runner.invoke(main, ["lint", str(tmp_path / "bad.json"), "--cache-dir", str(cache)])
    assert done.exit_code == 1 and "E3002" in done.output and len(list(cache.glob("*.json"))) == 1
    done = runner.invoke(main, ["lint", str(tmp_path / "bad.json"), "--cache-dir", str(cache),
                                "--ignore-checks", "E3002"])
    assert done.exit_code == 0 and "no findings" in done.output and len(list(cache.glob("*.json"))) == 2
