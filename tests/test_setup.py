"""The set-up: the committed locks cover what pyproject.toml asks for, and uv is given pip's settings."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {m[1].lower().replace("_", "-"): m[2] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_the_locks_pin_every_dependency_and_the_build_backend() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    base = _names(project["project"]["dependencies"]) | _names(project["build-system"]["requires"])
    test = base | _names(project["project"]["optional-dependencies"]["test"])
    assert base <= set(_pins("requirements.lock"))
    assert test <= set(_pins("requirements-test.lock"))
    # the test lock holds the base lock's versions: tests pass with what users install
    shared = set(_pins("requirements.lock")) & set(_pins("requirements-test.lock"))
    assert {n: _pins("requirements.lock")[n] for n in shared} == {n: _pins("requirements-test.lock")[n] for n in shared}
    checkov = re.search(r"^CHECKOV_VERSION\s*\?=\s*(\S+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert checkov and _pins("requirements-checkov.lock")["checkov"] == checkov[1]


def _tool():
    spec = importlib.util.spec_from_file_location("pip_to_uv", ROOT / "tools" / "pip_to_uv.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pip_settings_become_uv_flags(tmp_path: Path) -> None:
    tool = _tool()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    constraints = tmp_path / "c.txt"
    constraints.write_text("torch<=2\n")
    settings = [("find-links", str(wheels)), ("constraint", str(constraints)), ("find-links", str(wheels)),
                ("extra-index-url", f"file://{tmp_path}/missing https://mirror.example/simple"),
                ("timeout", "180"), ("cert", str(constraints))]
    assert tool.uv_flags(settings) == [
        "--find-links", str(wheels), "--constraint", str(constraints),
        "--extra-index-url", "https://mirror.example/simple", "--cert", str(constraints),
        "--index-strategy", "unsafe-best-match"]
    assert tool.uv_flags([]) == []


def test_pip_settings_are_read_from_files_and_the_environment(tmp_path: Path, monkeypatch) -> None:
    tool = _tool()
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nextra-index-url =\n    https://a.example/simple\n    https://b.example/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    settings = tool.pip_settings()
    assert ("find-links", str(tmp_path)) in settings
    flags = tool.uv_flags(settings)
    assert "https://a.example/simple" in flags and "https://b.example/simple" in flags
