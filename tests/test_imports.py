"""The dependency direction, and `import ecsstack` staying light (no boto3, no cfn-lint)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ecsstack"

# a layer may import only from layers to its right (module-level imports)
LAYERS = ["cli", "deploy", "lint", "compile", "rules", "model"]
NEUTRAL = {"errors", "__init__"}


def _layer(module: str) -> str | None:
    head = module.split(".")[0]
    return head if head in LAYERS else None


def _top_level_imports(path: Path) -> list[str]:
    """Module-level imports of ecsstack modules, relative to the package: lazy imports inside
    functions may point upward (``Stack.to_dict`` compiles on demand)."""
    rel = path.relative_to(PACKAGE).with_suffix("")
    package = ".".join(["ecsstack", *rel.parts[:-1]])
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            module = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else (node.module or "")
            if module == "ecsstack":
                names.extend(alias.name for alias in node.names)
            elif module.startswith("ecsstack."):
                names.append(module.removeprefix("ecsstack."))
    return names


def test_no_module_imports_upward() -> None:
    bad = []
    for path in PACKAGE.rglob("*.py"):
        own = _layer(".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        if own is None:
            continue
        for target in _top_level_imports(path):
            other = _layer(target)
            if other and LAYERS.index(other) < LAYERS.index(own):
                bad.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert bad == []


def test_import_ecsstack_loads_neither_boto3_nor_cfnlint() -> None:
    code = ("import sys, ecsstack, ecsstack.cli, ecsstack.compile, ecsstack.graph, ecsstack.loader;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'cfnlint')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
