"""Every blueprint in the README compiles, and cfn-lint finds no error in it: the docs cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecsstack import Stack
from ecsstack.lint import lint_template

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
          if "def build" in b]


def test_the_readme_has_blueprints() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=lambda c: re.search(r'Stack\("([^"]+)"', c)[1])
def test_readme_blueprint_compiles_and_lints_clean(code: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    stack = namespace["build"]()
    assert isinstance(stack, Stack)
    errors = [str(f) for f in lint_template(stack.to_dict()) if f.is_error]
    assert errors == []


def test_the_from_python_sample_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's "From Python" block, as written (its deploy call recorded instead of sent)."""
    import ecsstack
    import ecsstack.deploy

    [code] = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
              if "ecsstack.load_blueprint" in b]
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(ecsstack.deploy, "deploy", lambda *args, **kwargs: calls.append(args))
    monkeypatch.chdir(README.parent)
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert calls == [(namespace["template"], "web-dev")]
    assert namespace["template"] == namespace["stack"].to_dict()
