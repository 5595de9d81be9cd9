"""Nested stacks (``AWS::CloudFormation::Stack``) in a deploy: the children a root names by a local path
(``ecsstack synth -o`` writes ``<stack>.json`` and ``<stack>/<Child>.json``; ``ecsstack.assemble`` holds them in
memory) are checked against the limits, uploaded to the template bucket and named in the root by their S3 URL
(what ``aws cloudformation package`` does); the data-loss guard reads the nested change sets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._changes import Risk, find_risks
from ._errors import LimitError, UsageError
from ._template import Template, check_limits, read_template, template_of

if TYPE_CHECKING:
    from ._provider import ChangeSet, Provider

__all__ = ["STACK_TYPE", "local_children", "nested_risks", "package", "source_of"]

STACK_TYPE = "AWS::CloudFormation::Stack"


def _is_local(url: Any) -> bool:
    return isinstance(url, str) and not url.startswith(("https://", "http://", "s3://"))


def source_of(source: Any, stack_name: str | None) -> tuple[Template, str, dict[str, Template]]:
    """``template_of`` for ``deploy``/``diff``, also taking an ``ecsstack.Assembly`` (a split stack or an app):
    the root template, the stack name and the children its TemplateURLs name by a local path."""
    given: Mapping[str, Any] | None = None
    base: Path | None = None
    if hasattr(source, "children") and hasattr(source, "template") and hasattr(source, "name"):
        given = source.children
        tpl, name = template_of(source.template, stack_name or source.name)
    else:
        if isinstance(source, str | Path) and Path(str(source)).suffix in (".json", ".yaml", ".yml", ".template"):
            base = Path(str(source)).parent
        tpl, name = template_of(source, stack_name)
    return tpl, name, local_children(tpl, base, given)


def local_children(tpl: Template, base: Path | None, given: Mapping[str, Any] | None) -> dict[str, Template]:
    """The children ``tpl`` names by a local TemplateURL: from ``given`` (by logical ID) or files relative to
    ``base``; each checked against CloudFormation's limits."""
    found: dict[str, Template] = {}
    for logical, resource in tpl.of_type(STACK_TYPE).items():
        url = (resource.get("Properties") or {}).get("TemplateURL")
        if not _is_local(url):
            continue
        if given is not None and logical in given:
            child = Template.of(given[logical])
        elif base is not None and (base / url).is_file():
            child = Template.of(read_template(base / url))
        else:
            where = f" (looked for {base / url})" if base is not None else ""
            raise UsageError(f"the nested stack {logical} names its template by the local path {url!r}, which is "
                             f"not there{where}.", "Write every template with `ecsstack synth -o DIR` and deploy "
                             "DIR/<stack>.json, or deploy the blueprint itself.")
        try:
            check_limits(child)
        except LimitError as exc:
            raise LimitError(f"nested stack {logical}: {exc.message}", exc.hint) from None
        found[logical] = child
    return found


def package(tpl: Template, children: Mapping[str, Template], provider: Provider, stack_name: str,
            bucket: str | None) -> tuple[Template, dict[str, str]]:
    """Upload every child to the template bucket; the root with their S3 URLs, and child → URL."""
    if not children:
        return tpl, {}
    data = Template.of(tpl.data).data  # a private copy
    urls: dict[str, str] = {}
    for logical, child in children.items():
        urls[logical] = provider.upload_template(child.body, f"{stack_name}/{logical}", bucket)
        data["Resources"][logical]["Properties"]["TemplateURL"] = urls[logical]
    return Template.of(data), urls


def nested_risks(provider: Provider, change_set: ChangeSet, children: Mapping[str, Template],
                 max_depth: int = 5) -> list[Risk]:
    """The data-loss guard inside nested stacks: each nested change set's changes (a change set made with
    IncludeNestedStacks=True) against the child's deployed and proposed templates; the logical IDs are
    prefixed with the nested stack's (``Services03/WebLogGroup``)."""
    risks: list[Risk] = []
    for change in change_set.changes:
        if change.resource_type != STACK_TYPE or not change.nested_change_set or max_depth <= 0:
            continue
        inner = provider.describe_nested_change_set(change.nested_change_set)
        old = provider.get_template(change.physical_id) if change.physical_id and change.action != "Add" else None
        child = children.get(change.logical_id)
        new = child.data if child is not None else {"Resources": {}}
        for risk in find_risks(inner, old, new):
            risks.append(Risk(f"{change.logical_id}/{risk.logical_id}", risk.resource_type, risk.what, risk.why))
    return risks
