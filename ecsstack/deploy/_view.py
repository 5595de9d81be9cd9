"""What the user sees: change sets, template diffs, events, progress, failures, outputs, resources.

On a terminal, progress is a live rich display (resources done of total); otherwise plain lines for CI logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from ._propdiff import short

if TYPE_CHECKING:
    from ._changes import ResourceChange, Risk
    from ._events import StackEvent
    from ._failure import Failure
    from ._propdiff import Entry
    from ._provider import StackResource
    from ._template import KeptDefault

__all__ = ["Reporter"]

_ACTION = {"Add": ("+", "green"), "Modify": ("~", "yellow"), "Remove": ("-", "red")}
_KIND = {"+": "green", "-": "red", "~": "yellow"}


def _status_style(status: str) -> str:
    if status.endswith("_FAILED") or "ROLLBACK" in status:
        return "red"
    if status.endswith(("_COMPLETE", "_SKIPPED")):
        return "green"
    return "yellow"


def _clock(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M:%S") if isinstance(when, datetime) else str(when)


class _PlainBar:
    def __init__(self, reporter: Reporter, title: str, total: int):
        self.reporter, self.title, self.total, self.last = reporter, title, total, ""

    def update(self, done: int, status: str) -> None:
        if status != self.last:
            self.last = status
            self.reporter.say(f"{self.title}: {status} ({min(done, self.total)}/{self.total} resources)")


class _LiveBar:
    def __init__(self, progress: Any, task: Any, total: int):
        self.progress, self.task, self.total = progress, task, total

    def update(self, done: int, status: str) -> None:
        self.progress.update(self.task, completed=min(done, self.total), status=status)


class Reporter:
    """Prints to ``console`` (default: stdout). ``live`` (default: the console is a terminal) picks the
    rich live progress display over plain lines."""

    def __init__(self, console: Console | None = None, *, live: bool | None = None):
        self.console = console or Console(highlight=False, soft_wrap=True)
        self.live = self.console.is_terminal if live is None else live

    def say(self, text: str, style: str | None = None) -> None:
        self.console.print(escape(text), style=style)

    def markup(self, text: str) -> None:
        self.console.print(text)

    def warn(self, text: str) -> None:
        self.console.print(f"[bold yellow]warning[/] {escape(text)}")

    # -- what will change -----------------------------------------------------------------------------
    def changes(self, stack_name: str, changes: Iterable[ResourceChange], creating: bool) -> None:
        changes = list(changes)
        verb = "create" if creating else "update"
        self.markup(f"[bold]Changes to {escape(stack_name)}[/] ({verb}, {len(changes)} "
                    f"resource{'s' if len(changes) != 1 else ''}):")
        width = max((len(c.logical_id) for c in changes), default=0)
        for c in changes:
            sign, style = _ACTION.get(c.action, ("*", "cyan"))
            flag = ""
            if c.replacement == "True":
                flag = " [bold white on red] REPLACEMENT [/]"
            elif c.replacement == "Conditional":
                flag = " [bold red]MAY BE REPLACED[/]"
            detail = f"  ({escape(', '.join(c.details))})" if c.details else ""
            self.markup(f"  [{style}]{sign} {c.action:<7}[/] {escape(c.logical_id):<{width}}  "
                        f"{escape(c.resource_type)}{flag}{detail}")

    def parameter_changes(self, changes: Iterable[tuple[str, str, str]]) -> None:
        changes = list(changes)
        if changes:
            self.markup("[bold]Parameters[/] (deployed → proposed):")
        for name, old, new in changes:
            self.markup(f"    [yellow]~ {escape(name)}[/]: {escape(old)} → {escape(new)}")

    def kept_defaults(self, kept: Iterable[KeptDefault]) -> None:
        for k in kept:
            self.markup(f"[bold yellow]note[/] {escape(str(k))}")

    def template_diff(self, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        if not entries:
            self.say("Template: identical to the deployed one.")
            return
        self.markup("[bold]Template diff[/] (deployed → proposed):")
        section = None
        for e in entries:
            if e.section != section:
                section = e.section
                self.say(f"  {section}")
            label = f" ({e.label})" if e.label else ""
            self.markup(f"    [{_KIND[e.kind]}]{e.kind} {escape(e.name)}[/]{escape(label)}")
            for path, old, new in e.changes:
                self.say(f"        {path or e.name}: {short(old)} → {short(new)}")

    def risks(self, risks: Iterable[Risk]) -> None:
        for r in risks:
            self.markup(f"[bold red]DATA AT RISK[/] {escape(str(r))}")

    # -- while it happens -----------------------------------------------------------------------------
    def event(self, e: StackEvent) -> None:
        style = _status_style(e.status)
        reason = f"  {escape(e.reason)}" if e.reason else ""
        self.markup(f"{_clock(e.timestamp)}  {escape(e.name):<30} {escape(e.resource_type):<36} "
                    f"[{style}]{e.status:<28}[/]{reason}")

    def ecs(self, line: str) -> None:
        self.markup(f"[magenta]{escape(line)}[/]")

    @contextmanager
    def progress(self, title: str, total: int) -> Iterator[_PlainBar | _LiveBar]:
        total = max(total, 1)
        if not self.live:
            yield _PlainBar(self, title, total)
            return
        from rich import progress as rp

        with rp.Progress(rp.SpinnerColumn(), rp.TextColumn("[bold]{task.description}"), rp.BarColumn(),
                         rp.MofNCompleteColumn(), rp.TextColumn("resources  {task.fields[status]}"),
                         rp.TimeElapsedColumn(), console=self.console) as progress:
            task = progress.add_task(title, total=total, status="")
            yield _LiveBar(progress, task, total)

    # -- the outcome ----------------------------------------------------------------------------------
    def failure(self, failure: Failure | None, status: str | None, advice: str) -> None:
        if failure is not None:
            self.markup(f"[bold red]Root cause[/] {escape(str(failure))}")
        if status:
            self.markup(f"[bold]Stack state[/] [{_status_style(status)}]{status}[/]")
        if advice:
            self.markup(f"[bold]Next step[/] {escape(advice)}")

    def outputs(self, outputs: Mapping[str, str], declared: Iterable[str] = ()) -> None:
        if not outputs:
            declared = list(declared)
            extra = f" (the template declares {', '.join(declared)})" if declared else ""
            self.say(f"Outputs: none reported by CloudFormation{extra}.")
            return
        self.markup("[bold]Outputs[/]")
        width = max(len(k) for k in outputs)
        for key, value in sorted(outputs.items()):
            self.say(f"  {key:<{width}}  {value}")

    def resources(self, resources: Iterable[StackResource]) -> None:
        resources = [r for r in resources if r.logical_id]  # rows without a logical id name nothing
        if not resources:
            self.say("Resources: none.")
            return
        self.markup("[bold]Resources[/]")
        w1 = max(len(r.logical_id) for r in resources)
        w2 = max(len(r.resource_type) for r in resources)
        for r in resources:
            self.say(f"  {r.logical_id:<{w1}}  {r.resource_type:<{w2}}  {r.physical_id or '-'}  {r.status}")
