"""Checks every imported blueprint must pass: it runs, synthesizes, is cfn-lint clean, passes ruff, and its
task definition carries every value of the input."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import ecsstack

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")

#: the API's read-only fields (describe output), which a definition does not carry
READ_ONLY = {"taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
             "registeredBy", "deregisteredAt"}
#: names CloudFormation spells differently from the API (not just capitalised)
SPELLING = {"efsVolumeConfiguration": "EFSVolumeConfiguration", "fileSystemId": "FilesystemId",
            "fsxWindowsFileServerVolumeConfiguration": "FSxWindowsFileServerVolumeConfiguration",
            "properties": "ProxyConfigurationProperties", "iam": "IAM"}
#: maps whose keys are the user's, kept as given
OPAQUE = {"dockerLabels", "options", "driverOpts", "labels"}


def pascal(value: Any, key: str = "") -> Any:
    """The API's camelCase value in CloudFormation's PascalCase, written independently of the importer."""
    if isinstance(value, list):
        return [pascal(v, key) for v in value]
    if not isinstance(value, dict) or key in OPAQUE:
        return value
    out = {}
    for k, v in value.items():
        name = "FilesystemId" if k == "fileSystemId" and key == "efsVolumeConfiguration" else \
            "FileSystemId" if k == "fileSystemId" else SPELLING.get(k, k[:1].upper() + k[1:])
        out[name] = pascal(v, k)
    return out


def build(source: str) -> ecsstack.Stack:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<imported>", "exec"), namespace)
    return namespace["build"]()


def resolve(value: Any) -> Any:
    """A template value with ``Fn::Sub`` of literal variables written out (a Secrets Manager key is a Sub)."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], list):
        text, variables = value["Fn::Sub"]
        if all(isinstance(v, str) for v in variables.values()):
            return re.sub(r"\$\{(\w+)\}", lambda m: variables.get(m[1], m[0]), text)
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


#: lists ECS treats as sets (ecsstack sorts variables, system controls and tags by name, puts implied ordering
#: first, and writes the App Mesh proxy's properties in the order ECS documents them, its default ports included)
UNORDERED = {"Environment", "Secrets", "DependsOn", "SystemControls", "Tags", "ProxyConfigurationProperties"}


def contains(expected: Any, actual: Any, where: str, key: str = "") -> list[str]:
    """Where ``actual`` lacks or changes a value of ``expected`` (extra keys in ``actual`` are defaults)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a mapping, got {actual!r}"]
        out = []
        for k, v in expected.items():
            if v is None or (v in ({}, [], "") and k not in actual):
                continue  # null and empty values say nothing (the API reads them as absent)
            if isinstance(v, dict) and not any(x not in (None, "", [], {}) for x in v.values()) and k not in actual:
                continue  # {"credentialsParameter": ""}: nothing but empty values
            if k not in actual:
                out.append(f"{where}.{k}: missing (expected {v!r})")
            else:
                out += contains(v, actual[k], f"{where}.{k}", k)
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        if key in UNORDERED:
            return [f"{where}: {item!r} missing" for item in expected
                    if not any(not contains(item, a, where) for a in actual)]
        if len(expected) != len(actual):
            return [f"{where}: {len(actual)} items, expected {len(expected)}: {actual!r}"]
        return [p for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for p in contains(e, a, f"{where}[{i}]", key)]
    if expected != actual and str(expected) != str(actual):  # CloudFormation takes "512" and 512 alike
        return [f"{where}: {actual!r}, expected {expected!r}"]
    return []


def task_definitions(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [resolve(r["Properties"]) for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]


def check_ruff(source: str, tmp_path: Path) -> None:
    """ruff check (the project's rules) and ruff format --check pass on the generated file."""
    path = tmp_path / "imported.py"
    path.write_text(source)
    config = str(ROOT / "pyproject.toml")
    for args in (["check", "--config", config], ["format", "--check", "--diff", "--config", config],
                 ["format", "--check", "--diff", "--isolated"]):
        run = subprocess.run([RUFF, *args, str(path)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, f"ruff {' '.join(args[:2])}:\n{run.stdout}{run.stderr}\n{source}"


def check_lint(template: dict[str, Any]) -> None:
    errors = [f for f in ecsstack.lint_template(template) if f.level == "error"]
    assert not errors, errors


#: the warning that explains why a value changed, by the property's name
_EXPLAINED = {"Interval": "health check interval", "Timeout": "health check timeout", "Retries": "health check retries",
              "StartPeriod": "health check start_period", "StopTimeout": "stopTimeout", "StartTimeout": "startTimeout",
              "Cpu": "task cpu", "Memory": "task memory", "TaskRoleArn": "TaskRoleArn",
              "ExecutionRoleArn": "ExecutionRoleArn"}


def unexplained(problems: list[str], warnings: list[str]) -> list[str]:
    """The mismatches no warning explains (a clamped health check, a task size written in other units)."""
    out = []
    for problem in problems:
        path, _, rest = problem.partition(": ")
        leaf = path.rsplit(".", 1)[-1]
        expected = rest.rpartition("expected ")[2].strip("')")
        said = _EXPLAINED.get(leaf)
        if said is None or not any(said in w and expected in w for w in warnings):
            out.append(problem)
    return out
