"""``ecsstack synth | lint | graph``: blueprints to templates, cfn-lint over them, the container graph."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click
from rich.markup import escape

from ..errors import ValidationError
from ._console import EXIT_PROBLEMS, EXIT_USAGE, STRICT, err, fail, load_stacks, out, print_problems, strictly

__all__ = ["COMMANDS"]


def _synth_all(target: str, fmt: str, strict: bool = False) -> list[tuple[str, str]]:
    """(file name, template text) for every blueprint at ``target`` (a stack split into nested stacks, or an app,
    gives ``<name>.json`` and ``<name>/<Child>.json``); exits 1 listing all problems, including two blueprints that
    build stacks of the same name (each file named)."""
    from ..pipeline import assemble

    rendered: list[tuple[str, str]] = []
    built_by: dict[str, list[str]] = {}
    failed = 0
    for path, stack in load_stacks(target):
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
@STRICT
def synth(target: str, output: str | None, fmt: str, strict: bool) -> None:
    """Compile blueprint(s) at TARGET (a file or a directory) to CloudFormation."""
    rendered = _synth_all(target, fmt, strict)
    if output is None:
        if len(rendered) > 1:
            fail(f"{target} makes {len(rendered)} templates; pass -o DIR to write one file each.", 2)
        out.file.write(rendered[0][1])
        return
    for dest in _write_all(Path(output), rendered):
        err.print(f"wrote {dest}")


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
@STRICT
def lint(target: str, regions: tuple[str, ...], strict: bool) -> None:
    """Run cfn-lint on every blueprint at TARGET (synthesized first) and on every template file there
    (.json/.yaml, e.g. what `synth -o` wrote); exit 1 on any lint error."""
    from ..lint import lint_template
    from ..loader import template_files

    path = Path(target)
    templates = template_files(path)
    has_blueprints = path.suffix == ".py" or (path.is_dir() and any(path.glob("*.py")))
    if not templates and not has_blueprints:
        fail(f"{target}: no blueprints (.py) or templates (.json/.yaml) to lint.", 2)
    inputs = _synth_all(target, "json", strict) if has_blueprints else []
    inputs += [(str(p), p.read_text(encoding="utf-8")) for p in templates]
    errors = 0
    for name, text in inputs:
        findings = lint_template(text, regions=regions)
        for f in findings:
            style = "bold red" if f.is_error else "yellow"
            err.print(f"{escape(name)}: [{style}]{f.level}[/] {f.rule} {escape(f.path)}: {escape(f.message)}")
        errors += sum(f.is_error for f in findings)
        if not findings:
            out.print(f"{name}: no findings")
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
