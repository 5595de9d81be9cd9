"""cfn-lint over rendered templates, through its Python API. Imported lazily: synth never needs it.

``lint_template`` lints one template. ``lint_templates`` lints several the way ``ecsstack lint`` does: cfn-lint's
rules are loaded once per process (per settings), templates the cache does not know are linted in parallel
across the CPUs (one process each, forked after the rules are loaded), and each template's findings are cached
under a key made of the template's bytes, cfn-lint's version and the settings (regions, ignored checks, any
``.cfnlintrc``), so a run with nothing changed never imports cfn-lint::

    from ecsstack.lint import lint_templates
    report = lint_templates([("web.json", text)], regions=("us-east-1",), cache_dir="build/.lint-cache")
    for f in report.findings:          # LintFinding: file, resource, rule, message, severity, path, line
        print(f.file, f.resource, f.rule, f.severity, f.message)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_CACHE_DIR", "LintFinding", "LintReport", "LintResult", "lint_template", "lint_templates"]

DEFAULT_REGIONS = ("us-east-1",)
#: where ``ecsstack lint`` keeps findings between runs (relative to the working directory)
DEFAULT_CACHE_DIR = Path("build") / ".lint-cache"
#: bumped whenever what a cache entry holds changes, so old entries are never misread
_CACHE_FORMAT = 1
_SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True, order=True)
class LintFinding:
    """One cfn-lint finding: ``level`` is ``error``, ``warning`` or ``informational``; ``path`` the place in the
    template (``Resources/WebService/Properties/...``); ``file`` the template's name in a multi-template run
    (``lint_templates``) and ``resource`` the logical ID the finding is on (both ``""`` when none)."""

    level: str
    rule: str
    path: str
    message: str
    line: int = 0
    file: str = ""
    resource: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    @property
    def severity(self) -> str:
        """The same as ``level``."""
        return self.level

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.level} {self.rule}{where}: {self.message}"


@dataclass(frozen=True)
class LintResult:
    """The findings for one template of ``lint_templates`` (errors first) and whether they came from the cache."""

    file: str
    findings: list[LintFinding]
    cached: bool = False


@dataclass(frozen=True)
class LintReport:
    """What ``lint_templates`` found: one result per template, in the order given."""

    results: list[LintResult] = field(default_factory=list)

    @property
    def findings(self) -> list[LintFinding]:
        """Every finding of every template, each naming its ``file``."""
        return [f for r in self.results for f in r.findings]

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)


# ---- linting ----------------------------------------------------------------------------------------------
_RUNNERS: dict[tuple[tuple[str, ...], tuple[str, ...]], Any] = {}


def _runner(regions: tuple[str, ...], ignore_checks: tuple[str, ...]) -> Any:
    """A cfn-lint runner with its rules loaded, made once per process and settings."""
    key = (tuple(regions), tuple(ignore_checks))
    if key not in _RUNNERS:
        from cfnlint.config import ConfigMixIn, ManualArgs
        from cfnlint.runner import Runner

        args = ManualArgs(regions=list(regions))
        if ignore_checks:
            args["ignore_checks"] = list(ignore_checks)
        _RUNNERS[key] = Runner(ConfigMixIn(**args))
    return _RUNNERS[key]


def _lint(text: str, regions: tuple[str, ...], ignore_checks: tuple[str, ...] = ()) -> list[LintFinding]:
    from cfnlint.decode.decode import decode_str

    template, errors = decode_str(text)
    if errors:
        matches = list(errors)
    elif template is None:
        matches = []
    else:
        matches = list(_runner(regions, ignore_checks).validate_template(template))
    findings = set()
    for m in matches:
        path = [str(p) for p in (getattr(m, "path", None) or [])]
        findings.add(LintFinding(
            level=str(getattr(m.rule, "severity", "error")).lower(),
            rule=m.rule.id,
            path="/".join(path),
            message=m.message,
            line=m.linenumber,
            resource=path[1] if len(path) > 1 and path[0] == "Resources" else "",
        ))
    return sorted(findings, key=lambda f: (_SEVERITY_ORDER.get(f.level, 2), f.path, f.rule, f.message))


def lint_template(template: dict[str, Any] | str, regions: tuple[str, ...] = DEFAULT_REGIONS,
                  ignore_checks: tuple[str, ...] = ()) -> list[LintFinding]:
    """Lint a template (dict or JSON/YAML text) and return every finding, errors first. Default: ``regions``
    us-east-1; ``ignore_checks`` none (cfn-lint rule ids or prefixes, e.g. ``("W3005",)``)."""
    text = template if isinstance(template, str) else json.dumps(template, indent=1)
    return _lint(text, tuple(regions), tuple(ignore_checks))


# ---- the cache --------------------------------------------------------------------------------------------
def _cfnlint_version() -> str:
    from importlib.metadata import version  # no cfn-lint import: a cached run never loads it

    return version("cfn-lint")


def _settings_key(regions: tuple[str, ...], ignore_checks: tuple[str, ...]) -> str:
    """cfn-lint's version, the settings and any .cfnlintrc cfn-lint reads (they change the findings)."""
    rc = []
    for folder in (Path.cwd(), Path.home()):
        for name in (".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml"):
            try:
                rc.append(hashlib.sha256((folder / name).read_bytes()).hexdigest())
            except OSError:
                rc.append("")
    return json.dumps([_CACHE_FORMAT, _cfnlint_version(), list(regions), sorted(ignore_checks), rc])


def _cache_key(text: str, settings: str) -> str:
    return hashlib.sha256(settings.encode() + b"\0" + text.encode("utf-8")).hexdigest()


def _read_cache(folder: Path, key: str) -> list[LintFinding] | None:
    """The findings cached under ``key``; None when there is none or it cannot be read (it is then redone)."""
    try:
        entry = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        if entry.get("key") != key:
            return None
        return [LintFinding(**{k: v for k, v in f.items() if k != "file"}) for f in entry["findings"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write_cache(folder: Path, key: str, findings: list[LintFinding]) -> None:
    """Write atomically (a reader never sees half an entry); a cache that cannot be written is skipped."""
    import tempfile

    entry = {"key": key, "findings": [{k: v for k, v in asdict(f).items() if k != "file"} for f in findings]}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        pass


# ---- many templates ---------------------------------------------------------------------------------------
def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _lint_one(job: tuple[str, tuple[str, ...], tuple[str, ...]]) -> list[LintFinding]:
    return _lint(*job)


def lint_templates(inputs: Sequence[tuple[str, str]], *, regions: Sequence[str] = DEFAULT_REGIONS,
                   ignore_checks: Sequence[str] = (), cache_dir: str | Path | None = DEFAULT_CACHE_DIR,
                   jobs: int | None = None) -> LintReport:
    """Lint each ``(name, template text)`` and return the findings of all, in the order given.

    Defaults: ``regions`` us-east-1; ``ignore_checks`` none; ``cache_dir`` ``build/.lint-cache`` (None: no
    cache; an unreadable entry is linted again and rewritten); ``jobs`` the ``ECSSTACK_LINT_JOBS`` environment
    variable, else the CPUs this process may use (1: lint serially in this process). Findings are the same
    whichever way they were found.
    """
    regions, ignored = tuple(regions), tuple(ignore_checks)
    folder = Path(cache_dir) if cache_dir is not None else None
    settings = _settings_key(regions, ignored) if folder is not None else ""
    found: dict[int, tuple[list[LintFinding], bool]] = {}
    todo: list[tuple[int, str]] = []
    for i, (_, text) in enumerate(inputs):
        cached = _read_cache(folder, _cache_key(text, settings)) if folder is not None else None
        if cached is not None:
            found[i] = (cached, True)
        else:
            todo.append((i, text))
    workers = min(jobs or int(os.environ.get("ECSSTACK_LINT_JOBS") or 0) or _cpus(), len(todo))
    if workers > 1:
        _runner(regions, ignored)  # loaded here, before the fork: the workers inherit the rules
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_lint_one, [(text, regions, ignored) for _, text in todo]))
    else:
        results = [_lint(text, regions, ignored) for _, text in todo]
    for (i, text), findings in zip(todo, results, strict=True):
        found[i] = (findings, False)
        if folder is not None:
            _write_cache(folder, _cache_key(text, settings), findings)
    return LintReport([LintResult(name, [replace(f, file=name) for f in found[i][0]], found[i][1])
                       for i, (name, _) in enumerate(inputs)])
