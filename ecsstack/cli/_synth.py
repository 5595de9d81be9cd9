"""``ecsstack synth | lint | graph``: blueprints to templates, cfn-lint over them, the container graph."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from ..errors import ValidationError
from ..lint import DEFAULT_CACHE_DIR
from ._console import EXIT_PROBLEMS, EXIT_USAGE, STRICT, err, escape, fail, load_stacks, out, print_problems, strictly
from ._envs import ENV_OPTIONS, resolve
from ._formats import FORMATS

__all__ = ["COMMANDS"]


def _synth_all(target: str, fmt: str, strict: bool = False, env: object = None) -> list[tuple[str, str]]:
    """(file name, template text) for every blueprint at ``target`` (a stack split into nested stacks, or an app,
    gives ``<name>.json`` and ``<name>/<Child>.json``); exits 1 listing all problems, including two blueprints that
    build stacks of the same name (each file named)."""
    from ..pipeline import assemble

    rendered: list[tuple[str, str]] = []
    built_by: dict[str, list[str]] = {}
    failed = 0
    for path, stack in load_stacks(target, env):
        source = str(path) if Path(target).is_dir() else None
        built_by.setdefault(stack.name, []).append(str(path))
        try:
            assembly = assemble(stack)
        except ValidationError as exc:
            failed += print_problems([*exc.problems, *exc.warnings], source=source)
            continue
        warnings = assembly.warnings
        if strict and warnings:
            failed += print_problems(strictly(warnings, strict), source=source)
            continue
        print_problems(warnings, source=source)
        if assembly.children:
            _print_split(assembly)
        rendered += assembly.files(fmt)
    for name, files in sorted(built_by.items()):
        if len(files) < 2:
            continue
        listed = ", ".join(files[:-1]) + f" and {files[-1]}"
        both = "both" if len(files) == 2 else "all"
        err.print(f"[bold red]error[/] {escape(listed)} {both} build a stack named {escape(repr(name))}, so their "
                  f"templates would overwrite each other; give each a stack name of its own (Stack(\"...\") in "
                  "its build()).")
        failed += 1
    if failed:
        err.print(f"{failed} problem{'s' if failed != 1 else ''}; nothing was written.")
        sys.exit(EXIT_PROBLEMS)
    return rendered


def _print_split(assembly: object) -> None:
    """The split, on stderr: each nested stack, its resource count and the services in it."""
    children: dict[str, dict] = assembly.children  # type: ignore[attr-defined]
    placement: dict[str, str] = assembly.placement  # type: ignore[attr-defined]
    root = assembly.template  # type: ignore[attr-defined]
    shared = len(root["Resources"]) - len(children)
    err.print(f"{escape(assembly.name)}: root ({shared} shared resources) and {len(children)} nested "  # type: ignore[attr-defined]
              "stacks")
    for child, doc in children.items():
        held = [name for name, where in placement.items() if where == child]
        err.print(f"  {child}: {len(doc['Resources'])} resources; services {escape(', '.join(held) or '-')}")


@click.command()
@click.argument("target", type=click.Path(exists=True))
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), help="Write <stack>.<format> here.")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a unified diff when the templates in -o DIR "
                                            "(default: build) differ from what the blueprints produce, lack one, or "
                                            "hold one no blueprint produces.")
@STRICT
@ENV_OPTIONS
def synth(target: str, output: str | None, fmt: str, check: bool, strict: bool, env_name: str | None = None,
          environments_file: str | None = None) -> None:
    """Compile blueprint(s) at TARGET (a file or a directory) to CloudFormation. With --env NAME, build(env)
    gets the environment and the templates go to <-o DIR, default build>/NAME/."""
    environment = resolve(target, env_name, environments_file)
    rendered = _synth_all(target, fmt, strict, environment)
    if environment is not None:
        output = str(Path(output or "build") / environment.name)
    if check:
        _check(Path(output or "build"), rendered, fmt)
        return
    if output is None:
        if len(rendered) > 1:
            fail(f"{target} makes {len(rendered)} templates; pass -o DIR to write one file each.", 2)
        out.file.write(rendered[0][1])
        return
    for dest in _write_all(Path(output), rendered):
        err.print(f"wrote {dest}")


def _check(folder: Path, produced: list[tuple[str, str]], fmt: str) -> None:
    """``synth --check``: the diff of every out-of-date template on stdout; exit 1 when there is any."""
    from ._formats import template_changes

    changes = template_changes(folder, produced, (".yaml", ".yml") if fmt == "yaml" else (".json",))
    for change in changes:
        out.file.write(change.diff)
    for change in changes:
        what = {"changed": "differs from what its blueprint produces", "missing": "is missing",
                "stale": "is produced by no blueprint (stale)"}[change.kind]
        err.print(f"[bold red]out of date[/] {escape(str(folder / change.name))} {what}")
    if changes:
        err.print(f"{len(changes)} template{'s' if len(changes) != 1 else ''} out of date; run `ecsstack synth "
                  f"<blueprints> -o {escape(str(folder))}{'' if fmt == 'json' else ' --format ' + fmt}` and commit "
                  "the result (delete stale files).")
        sys.exit(EXIT_PROBLEMS)
    err.print(f"{len(produced)} template{'s' if len(produced) != 1 else ''} in {escape(str(folder))} up to date.")


def _write_all(folder: Path, files: list[tuple[str, str]]) -> list[Path]:
    """Write every file or none: all go to a staging folder inside ``folder`` first and are then moved
    into place, so a failed write never leaves new templates next to stale ones. A folder that cannot be
    written is a usage error (exit 2)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".ecsstack-synth-", dir=folder))
    except OSError as exc:
        fail(f"cannot write to {folder}: {exc.strerror or exc}; nothing was written.", EXIT_USAGE)
    written: list[Path] = []
    try:
        for name, text in files:
            if (folder / name).exists() and not (folder / name).is_file():
                raise IsADirectoryError(21, "it is not a file", str(folder / name))
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")
        for name, _ in files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        return written
    except OSError as exc:
        done = f"only {', '.join(map(str, written))} replaced" if written else "nothing was written"
        fail(f"cannot write {exc.filename or folder}: {exc.strerror or exc}; {done}.", EXIT_USAGE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@click.command()
@click.argument("target", type=click.Path(exists=True), default="blueprints")
@click.option("--region", "regions", multiple=True, default=["us-east-1"], show_default=True)
@click.option("--ignore-checks", "ignore_checks", multiple=True, metavar="RULE",
              help="cfn-lint rule (or prefix) to ignore; repeat for several.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=str(DEFAULT_CACHE_DIR), show_default=True,
              envvar="ECSSTACK_LINT_CACHE", help="Where findings are kept between runs (key: template bytes, "
                                                 "cfn-lint version, settings).")
@click.option("--no-cache", is_flag=True, help="Lint everything again and leave the cache alone.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="sarif (code scanning), junit (test reports), github (workflow annotations at the blueprint "
                   "line), json; rule problems are reported the same way as cfn-lint findings.")
@STRICT
@ENV_OPTIONS
def lint(target: str, regions: tuple[str, ...], ignore_checks: tuple[str, ...], cache_dir: str, no_cache: bool,
         fmt: str, strict: bool, env_name: str | None = None, environments_file: str | None = None) -> None:
    """Run cfn-lint on every blueprint at TARGET (synthesized first) and on every template file there
    (.json/.yaml, e.g. what `synth -o` wrote); exit 1 on any lint error. Templates are linted in parallel and
    their findings cached (see --cache-dir). With --env NAME, build(env) gets the environment."""
    from ..lint import lint_templates
    from ..loader import template_files

    path = Path(target)
    templates = template_files(path)
    has_blueprints = path.suffix == ".py" or (path.is_dir() and any(path.glob("*.py")))
    if not templates and not has_blueprints:
        fail(f"{target}: no blueprints (.py) or templates (.json/.yaml) to lint.", 2)
    environment = resolve(target, env_name, environments_file)
    cache = None if no_cache else cache_dir
    if fmt != "text":
        _lint_report(target, regions, fmt, strict, environment, ignore_checks, cache)
        return
    inputs = _synth_all(target, "json", strict, environment) if has_blueprints else []
    inputs += [(str(p), p.read_text(encoding="utf-8")) for p in templates]
    report = lint_templates(inputs, regions=regions, ignore_checks=ignore_checks, cache_dir=cache)
    errors = 0
    for name, findings in ((r.file, r.findings) for r in report.results):
        for f in findings:
            style = "bold red" if f.is_error else "yellow"
            err.print(f"{escape(name)}: [{style}]{f.level}[/] {f.rule} {escape(f.path)}: {escape(f.message)}")
        errors += sum(f.is_error for f in findings)
        if not findings:
            out.print(f"{name}: no findings")
    if errors:
        err.print(f"{errors} lint error{'s' if errors != 1 else ''}.")
        sys.exit(EXIT_PROBLEMS)


def _lint_report(target: str, regions: tuple[str, ...], fmt: str, strict: bool, environment: object,
                 ignore_checks: tuple[str, ...], cache_dir: str | None) -> None:
    """``lint --format`` other than text: every rule problem and cfn-lint finding on stdout in ``fmt``; exit 1
    on any error."""
    from ._formats import collect_findings, render

    findings, templates = collect_findings(target, regions, strict, environment, ignore_checks=ignore_checks,
                                           cache_dir=cache_dir)
    out.file.write(render(findings, fmt, templates))
    errors = sum(f.is_error for f in findings)
    if errors:
        err.print(f"{errors} lint error{'s' if errors != 1 else ''}.")
        sys.exit(EXIT_PROBLEMS)


@click.command()
@click.argument("blueprint", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "mermaid", "dot"]), default="text", show_default=True)
def graph(blueprint: str, fmt: str) -> None:
    """Show each task's containers, who waits for whom, and the start order."""
    from ..graph import render
    from ..pipeline import assemble

    for _, loaded in load_stacks(blueprint):
        try:
            assembly = assemble(loaded)  # validates the whole app at once; shows how the stack splits
        except ValidationError as exc:
            print_problems(exc.problems)
            sys.exit(EXIT_PROBLEMS)
        for stack in getattr(loaded, "stacks", [loaded]):
            out.file.write(render(stack, fmt) + ("\n" if fmt == "text" else ""))
        if assembly.children and fmt == "text":
            out.file.write(_split_text(assembly))


def _split_text(assembly: object) -> str:
    """The nested stacks and the services each holds, as text."""
    children: dict[str, dict] = assembly.children  # type: ignore[attr-defined]
    placement: dict[str, str] = assembly.placement  # type: ignore[attr-defined]
    lines = [f"nested stacks of {assembly.name} (root: "  # type: ignore[attr-defined]
             f"{len(assembly.template['Resources']) - len(children)} shared resources)"]  # type: ignore[attr-defined]
    for child, doc in children.items():
        held = [name for name, where in placement.items() if where == child]
        lines.append(f"  {child} ({len(doc['Resources'])} resources): {', '.join(held) or '-'}")
    return "\n".join(lines) + "\n"


COMMANDS = (synth, lint, graph)
