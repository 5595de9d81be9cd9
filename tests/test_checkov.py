"""checkov (framework ``cloudformation``) over every shipped blueprint's template: zero failed checks.

checkov runs from its own virtual environment (``make install-checkov`` makes ``.venv-checkov``; it pins
old libraries that must stay out of ``.venv``). ``make test`` sets ``CHECKOV`` to its binary, so there a
missing scanner fails; a bare ``pytest`` without ``.venv-checkov`` skips, saying how to get it.

A check that does not apply to a resource is skipped in that resource's ``Metadata`` with a one-line
reason (``ecsstack/compile/_checkov.py``); this test allows exactly those skips, each with its reason.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ecsstack.cli import main
from ecsstack.compile._checkov import LOG_GROUP_KMS, QUEUE_KMS, REDIRECT_PORT_80

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
#: the only checks a shipped blueprint may skip, with the reason compile writes next to each
ALLOWED_SKIPS = dict([LOG_GROUP_KMS, QUEUE_KMS, REDIRECT_PORT_80])


def _checkov() -> Path:
    given = os.environ.get("CHECKOV")
    if given:
        path = Path(given)
        assert path.exists(), f"CHECKOV={given} does not exist: run `make install-checkov`"
        return path
    if not DEFAULT_CHECKOV.exists():
        pytest.skip("checkov is not installed in .venv-checkov: `make install-checkov` (make test does it)")
    return DEFAULT_CHECKOV


def _scan(checkov: Path, folder: Path) -> dict[str, Any]:
    """checkov's JSON report on every template in ``folder``, without reaching the network."""
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_SKIP_DOWNLOAD": "TRUE"}
    done = subprocess.run([str(checkov), "--directory", str(folder), "--framework", "cloudformation",
                           "--skip-download", "--output", "json"],
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode in (0, 1), f"checkov exited {done.returncode}:\n{done.stderr[-3000:]}"
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    found = [r for r in reports if r.get("check_type") == "cloudformation"]
    assert found, f"checkov scanned no CloudFormation template:\n{done.stdout[:2000]}"
    return found[0]


def _where(check: dict[str, Any]) -> str:
    return f"{check['check_id']} {check['resource']} in {Path(check['file_path']).name}"


def test_shipped_blueprints_have_no_failed_checkov_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkov = _checkov()
    out = tmp_path / "templates"
    synth = CliRunner().invoke(main, ["synth", str(ROOT / "blueprints"), "-o", str(out)])
    assert synth.exit_code == 0, synth.output
    templates = sorted(p.name for p in out.glob("*.json"))
    assert len(templates) == len(list((ROOT / "blueprints").glob("[!_]*.py"))), templates

    started = time.monotonic()
    report = _scan(checkov, out)
    seconds = time.monotonic() - started
    summary, results = report["summary"], report["results"]
    with capsys.disabled():
        print(f"\ncheckov {summary.get('checkov_version')} on {len(templates)} templates "
              f"({summary['resource_count']} resources) in {seconds:.0f} s: passed {summary['passed']}, "
              f"failed {summary['failed']}, skipped {summary['skipped']} (reasons: ecsstack/compile/_checkov.py)")

    failed = [f"{_where(c)}: {c['check_name']}" for c in results["failed_checks"]]
    assert not failed, "checkov failed checks:\n" + "\n".join(failed)
    assert summary["parsing_errors"] == 0, report.get("parsing_errors")
    assert summary["passed"] > 0
    for check in results["skipped_checks"]:
        assert check["check_id"] in ALLOWED_SKIPS, f"unexpected skip {_where(check)}"
        assert check["check_result"].get("suppress_comment") == ALLOWED_SKIPS[check["check_id"]], _where(check)

    stated = re.search(r"\*\*(\d+) passed, (\d+) failed, (\d+) skipped\*\*", (ROOT / "README.md").read_text("utf-8"))
    assert stated, "README.md's Safety section states the checkov counts as **N passed, 0 failed, N skipped**"
    counts = (summary["passed"], summary["failed"], summary["skipped"])
    assert tuple(map(int, stated.groups())) == counts, f"update the counts in README.md's Safety section: {counts}"
