"""CI-native output: lint findings as SARIF 2.1.0, JUnit XML, GitHub annotations or JSON; the committed-templates
check of ``synth --check``; a deploy diff as a Markdown pull-request comment and its detailed exit code.

Rule problems (ECSxxx) and cfn-lint findings become one kind of ``Finding``; each points at the blueprint line
that made the object at fault where ecsstack knows it (``Problem.source``, ``pipeline.resource_sources``), else
at the blueprint or template file itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, ValidationError

__all__ = ["FORMATS", "Finding", "TemplateChange", "collect_findings", "diff_exit_code", "diff_markdown",
           "from_lint", "from_problem", "render", "template_changes"]

FORMATS = ("text", "json", "sarif", "junit", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ECSSTACK_DOCS = "https://github.com/ecsstack/ecsstack/blob/main/docs/rules.md#"
CFN_LINT_DOCS = "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md"
#: exit codes of ``diff --detailed-exitcode``
DIFF_NO_CHANGES, DIFF_CHANGES, DIFF_DATA_AT_RISK = 0, 2, 3


@dataclass(frozen=True)
class Finding:
    """One lint result, whoever found it: ``tool`` is ``ecsstack`` (a rule) or ``cfn-lint``; ``level`` is
    ``error``, ``warning`` or ``note``; ``template`` the stack or template file it concerns; ``path`` where in
    the model or template; ``file``/``line`` what to point at (``line`` 0: the file as a whole)."""

    tool: str
    rule: str
    level: str
    message: str
    template: str
    path: str
    file: str
    line: int = 0
    help_uri: str = ""
    summary: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == "error"


def _relative(file: str) -> str:
    """``file`` relative to the working directory (the repository root in CI), with forward slashes."""
    path = Path(file)
    if path.is_absolute() or ".." in path.parts:
        resolved = path.resolve()
        if resolved.is_relative_to(Path.cwd().resolve()):
            path = resolved.relative_to(Path.cwd().resolve())
    return path.as_posix()


def from_problem(problem: Problem, template: str, blueprint: str) -> Finding:
    """A rule problem as a finding, at the line of the blueprint that made the object (else the blueprint)."""
    from ..rules import RULES

    file, line = problem.source if problem.source else (blueprint, 0)
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    rule = RULES.get(problem.rule)
    return Finding("ecsstack", problem.rule, problem.severity if problem.severity == "error" else "warning",
                   f"{message} {problem.hint}".strip(), template, problem.path, _relative(file), line,
                   rule.docs if rule else ECSSTACK_DOCS + problem.rule.lower(), rule.summary if rule else problem.rule)


def from_lint(finding: Any, template: str, file: str, sources: Mapping[str, tuple[str, int]] | None = None) -> Finding:
    """A cfn-lint finding (``ecsstack.lint.LintFinding``) as a finding. With ``sources`` (the template was
    synthesized from a blueprint) it points at the builder or container that made the resource, else at
    ``file`` (the blueprint as a whole); without, at the finding's own line of ``file`` (a template file)."""
    level = {"error": "error", "warning": "warning"}.get(finding.level, "note")
    path = finding.path
    if sources is None:
        where, line = file, finding.line
    else:
        where, line = file, 0
        steps = path.removeprefix("Resources/").split("/") if path.startswith("Resources/") else []
        for n in range(len(steps), 0, -1):
            hit = sources.get("/".join(steps[:n]))
            if hit is not None:
                where, line = hit
                break
    message = f"{path}: {finding.message}" if path else finding.message
    return Finding("cfn-lint", finding.rule, level, message, template, path, _relative(where), line,
                   CFN_LINT_DOCS, finding.rule)


def collect_findings(target: str, regions: tuple[str, ...], strict: bool, env: Any = None, *,
                     ignore_checks: Sequence[str] = (), cache_dir: str | Path | None = None,
                     ) -> tuple[list[Finding], list[str]]:
    """Every rule problem and cfn-lint finding of the blueprints and template files at ``target``, and the
    names of the templates checked (stacks, template files, and blueprints that did not load). A blueprint that
    does not load, or whose rules find errors, is reported as findings too (its template is not linted: there is
    none), so a CI upload always has a report. ``build(env)`` gets ``env`` (an environment, or nothing); cfn-lint
    runs once over every template, in parallel, through the cache in ``cache_dir`` (None: no cache), ignoring
    ``ignore_checks``: the same findings as ``ecsstack.lint.lint_templates``."""
    from ..errors import BlueprintError
    from ..lint import lint_templates
    from ..loader import NotABlueprint, blueprint_files, load_blueprint, template_files
    from ..pipeline import resource_sources, synth_with_warnings
    from ..render import to_json
    from ._console import err, fail, strictly

    path = Path(target)
    # in order: findings known now, or a template to lint (its name, text, and how to turn its findings into ours)
    parts: list[list[Finding] | tuple[str, str, str, str, Mapping[str, tuple[str, int]] | None]] = []
    templates: list[str] = []
    has_blueprints = path.suffix == ".py" or (path.is_dir() and any(path.glob("*.py")))
    try:
        files = blueprint_files(target) if has_blueprints else []
    except BlueprintError as exc:
        fail(str(exc), 2)
    for blueprint in files:
        try:
            stack = load_blueprint(blueprint, env)
        except NotABlueprint as exc:
            if path.is_dir():
                err.print(f"skipped {blueprint}: no build(), so not a blueprint (a helper module?)", markup=False)
                continue
            parts.append([_unloadable(exc, str(blueprint))])
            templates.append(str(blueprint))
            continue
        except ValidationError as exc:
            parts.append([from_problem(p, str(blueprint), str(blueprint)) for p in [*exc.problems, *exc.warnings]])
            templates.append(str(blueprint))
            continue
        except BlueprintError as exc:
            parts.append([_unloadable(exc, str(blueprint))])
            templates.append(str(blueprint))
            continue
        templates.append(stack.name)
        try:
            template, warnings = synth_with_warnings(stack)
        except ValidationError as exc:
            parts.append([from_problem(p, stack.name, str(blueprint)) for p in [*exc.problems, *exc.warnings]])
            continue
        parts.append([from_problem(p, stack.name, str(blueprint)) for p in strictly(warnings, strict)])
        parts.append((stack.name, to_json(template), stack.name, str(blueprint), resource_sources(stack)))
    for file in template_files(path):
        templates.append(str(file))
        parts.append((str(file), file.read_text(encoding="utf-8"), str(file), str(file), None))
    jobs = [part for part in parts if isinstance(part, tuple)]
    report = lint_templates([(name, text) for name, text, *_ in jobs], regions=regions, ignore_checks=ignore_checks,
                            cache_dir=cache_dir)
    linted = iter(report.results)
    findings: list[Finding] = []
    for part in parts:
        if isinstance(part, list):
            findings += part
            continue
        _, _, name, file, sources = part
        findings += [from_lint(f, name, file, sources) for f in next(linted).findings]
    return findings, templates


def _unloadable(exc: Exception, blueprint: str) -> Finding:
    """A blueprint that cannot be loaded (syntax error, an exception in build()) as an error finding at the line
    the loader names (``web.py:12 in build: ...``)."""
    text = str(exc)
    found = re.match(rf"{re.escape(blueprint)}:(\d+)", text)
    return Finding("ecsstack", "blueprint", "error", text, blueprint, "", _relative(blueprint),
                   int(found[1]) if found else 0, "", "the blueprint loads and build() returns a Stack")


# ---- renderers ---------------------------------------------------------------------------------------------
def render(findings: Sequence[Finding], fmt: str, templates: Iterable[str] = ()) -> str:
    """``findings`` in ``fmt`` (json, sarif, junit, github); ``templates``: every template checked (JUnit lists
    the clean ones too)."""
    if fmt == "json":
        return _json(findings)
    if fmt == "sarif":
        return json.dumps(sarif(findings), indent=2) + "\n"
    if fmt == "junit":
        return junit(findings, templates)
    if fmt == "github":
        return "".join(github(f) + "\n" for f in findings)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _json(findings: Sequence[Finding]) -> str:
    data = {"findings": [asdict(f) for f in findings],
            "errors": sum(f.is_error for f in findings),
            "warnings": sum(f.level == "warning" for f in findings)}
    return json.dumps(data, indent=2) + "\n"


def sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run per tool (ecsstack's rules, cfn-lint), each with the rules it reported."""
    from importlib.metadata import PackageNotFoundError, version

    runs = []
    for tool, info in (("ecsstack", "https://github.com/ecsstack/ecsstack"),
                       ("cfn-lint", "https://github.com/aws-cloudformation/cfn-lint")):
        mine = [f for f in findings if f.tool == tool]
        if not mine and tool == "cfn-lint":
            continue
        rules: dict[str, dict[str, Any]] = {}
        for f in mine:
            rules.setdefault(f.rule, {"id": f.rule, "name": f.rule, "shortDescription": {"text": f.summary or f.rule},
                                      "helpUri": f.help_uri})
        order = {rule: i for i, rule in enumerate(rules)}
        try:
            ver = version("ecsstack" if tool == "ecsstack" else "cfn-lint")
        except PackageNotFoundError:  # pragma: no cover - both are installed with ecsstack
            ver = "0"
        results = [{
            "ruleId": f.rule,
            "ruleIndex": order[f.rule],
            "level": f.level,
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(f.line, 1)},
                },
                "logicalLocations": [{"name": f.path or f.template, "fullyQualifiedName": f"{f.template}/{f.path}"}],
            }],
            "partialFingerprints": {"ecsstack/v1": f"{f.template}|{f.rule}|{f.path}"},
        } for f in mine]
        runs.append({"tool": {"driver": {"name": tool, "version": ver, "informationUri": info,
                                         "rules": list(rules.values())}},
                     "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
                     "results": results})
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def junit(findings: Sequence[Finding], templates: Iterable[str] = ()) -> str:
    """JUnit XML: one test suite per template, one test case per finding (an error fails, a warning or note
    passes with its text as output); a template without findings has one passing case."""
    import xml.etree.ElementTree as ET

    by_template: dict[str, list[Finding]] = {t: [] for t in templates}
    for f in findings:
        by_template.setdefault(f.template, []).append(f)
    root = ET.Element("testsuites", name="ecsstack lint", tests=str(sum(max(len(v), 1) for v in by_template.values())),
                      failures=str(sum(f.is_error for f in findings)), errors="0")
    for template, mine in by_template.items():
        suite = ET.SubElement(root, "testsuite", name=template, tests=str(max(len(mine), 1)),
                              failures=str(sum(f.is_error for f in mine)), errors="0", skipped="0")
        if not mine:
            ET.SubElement(suite, "testcase", classname=template, name="ecsstack rules and cfn-lint")
        for f in mine:
            case = ET.SubElement(suite, "testcase", classname=template, name=f"{f.rule} {f.path}".strip(),
                                 file=f.file, line=str(f.line))
            text = f"{f.message}\n{f.file}:{f.line}" if f.line else f"{f.message}\n{f.file}"
            if f.is_error:
                ET.SubElement(case, "failure", message=f.message, type=f.rule).text = text
            else:
                ET.SubElement(case, "system-out").text = f"{f.level}: {text}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github(f: Finding) -> str:
    """One GitHub Actions workflow command: ``::error file=…,line=…,title=…::message``."""
    command = {"error": "error", "warning": "warning"}.get(f.level, "notice")
    props = [f"file={_prop(f.file)}"]
    if f.line:
        props.append(f"line={f.line}")
    props.append(f"title={_prop(f'{f.rule} {f.template}')}")
    return f"::{command} {','.join(props)}::{_data(f.message)}"


# ---- synth --check -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateChange:
    """One committed template out of date: ``kind`` is ``changed``, ``missing`` (no file for a stack) or
    ``stale`` (a file that no blueprint produces); ``diff`` is the unified diff from committed to produced."""

    name: str
    kind: str
    diff: str


def template_changes(folder: Path, produced: Sequence[tuple[str, str]],
                     suffixes: Sequence[str]) -> list[TemplateChange]:
    """How the templates committed in ``folder`` differ from ``produced`` ((file name, text) pairs). Files there
    ending in one of ``suffixes`` that nothing produced are stale."""
    changes: list[TemplateChange] = []
    names = {name for name, _ in produced}
    for name, text in sorted(produced):
        file = folder / name
        if not file.is_file():
            changes.append(TemplateChange(name, "missing", _udiff("", text, "/dev/null", f"b/{_relative(str(file))}")))
            continue
        committed = file.read_text(encoding="utf-8")
        if committed != text:
            label = _relative(str(file))
            changes.append(TemplateChange(name, "changed", _udiff(committed, text, f"a/{label}", f"b/{label}")))
    if folder.is_dir():
        for file in sorted(folder.iterdir()):
            if file.is_file() and file.name.endswith(tuple(suffixes)) and file.name not in names:
                old = file.read_text(encoding="utf-8", errors="replace")
                changes.append(TemplateChange(file.name, "stale",
                                              _udiff(old, "", f"a/{_relative(str(file))}", "/dev/null")))
    return changes


def _udiff(old: str, new: str, a: str, b: str) -> str:
    import difflib

    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), a, b)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


# ---- diff --detailed-exitcode / --format markdown ----------------------------------------------------------
def diff_exit_code(result: Any) -> int:
    """0 no changes, 2 changes, 3 changes that put data at risk (a data-bearing, retained or fixed-name
    resource removed or replaced: the deploy's data-loss guard)."""
    if result.no_changes:
        return DIFF_NO_CHANGES
    return DIFF_DATA_AT_RISK if result.risks else DIFF_CHANGES


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ") or " "


def diff_markdown(result: Any) -> str:
    """A deploy diff (``ecsstack.deploy.DiffResult``) as a pull-request comment: a headline, a table of changes
    (action, logical ID, type, replacement, data at risk) and the property-level diff folded away."""
    name = result.stack_name
    lines = ["<!-- ecsstack-diff:" + name + " -->"]
    if result.no_changes:
        lines += [f"### ecsstack diff: `{name}`", "", "No changes: the stack is up to date."]
        return "\n".join(lines) + "\n"
    verb = "update" if result.exists else "create"
    risky = {r.logical_id: r for r in result.risks}
    count = len(result.changes)
    headline = f"### ecsstack diff: `{name}` ({verb}, {count} resource change{'s' if count != 1 else ''})"
    lines += [headline, ""]
    if risky:
        many = len(risky) != 1
        lines += [f"> [!CAUTION]\n> {len(risky)} change{'s' if many else ''} put{'' if many else 's'} data at risk; "
                  f"`ecsstack deploy` refuses {'them' if many else 'it'} without `--allow-replace`.", ""]
    lines += ["| Action | Logical ID | Type | Replacement | Data at risk |", "| --- | --- | --- | --- | --- |"]
    for c in result.changes:
        risk = risky.get(c.logical_id)
        lines.append(f"| {_cell(c.action)} | `{_cell(c.logical_id)}` | `{_cell(c.resource_type)}` | "
                     f"{_cell(c.replacement or '-')} | "
                     f"{_cell(f'**{risk.what}**: ' + '; '.join(risk.why)) if risk else 'no'} |")
    details = [f"- `{c.logical_id}`: {', '.join(c.details)}" for c in result.changes if c.details]
    if details:
        lines += ["", "<details><summary>What changes, per resource</summary>", "", *details, "", "</details>"]
    if result.template_diff:
        lines += ["", "<details><summary>Template diff</summary>", "", "```diff", *_entries(result.template_diff),
                  "```", "", "</details>"]
    return "\n".join(lines) + "\n"


def _entries(entries: Iterable[Any]) -> list[str]:
    out = []
    for e in entries:
        label = f" ({e.label})" if e.label else ""
        out.append(f"{e.kind} {e.section}.{e.name}{label}")
        for path, old, new in e.changes:
            if old is not None:
                out.append(f"-     {path}: {json.dumps(old, sort_keys=True, default=str)}")
            if new is not None:
                out.append(f"+     {path}: {json.dumps(new, sort_keys=True, default=str)}")
    return out

