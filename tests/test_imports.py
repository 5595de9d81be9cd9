"""The dependency direction, checked honestly: every module of ``ecsstack/`` and every import in it,
including imports inside functions (a lazy import is still an arrow). Only ``if TYPE_CHECKING:`` blocks
are left out: they never run, so they cannot form a circle at run time.

Layers, lowest first: model < rules < compile < render/lint/pipeline/invariants < graph/patterns/loader/importers <
deploy < cli.
``errors`` and ``names`` are neutral (any layer may use them; they use nothing above them). The package's
``__init__`` assembles the public API and may import anything; nothing imports it.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ecsstack"

LAYERS = [{"model"}, {"rules"}, {"compile"}, {"render", "lint", "pipeline", "invariants"},
          {"graph", "patterns", "loader", "importers", "environments"}, {"deploy"}, {"cli"}]
NEUTRAL = {"errors", "names", "_lazy"}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node``, skipping the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from (n for orelse in child.orelse for n in [orelse, *_walk(orelse)])
            continue
        yield child
        yield from _walk(child)


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """module → the ecsstack modules it imports (a package means its ``__init__``)."""
    files = {_module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                    if node.level else (node.module or "")
                # `from pkg import sub` imports the submodule when there is one
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for target in targets:
                while target and target not in files:  # `import ecsstack.model.x.y` → the nearest module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # the package itself
    return next((i for i, layer in enumerate(LAYERS) if parts[1] in layer), None)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            if target == "ecsstack":
                bad.append(f"{source} imports the package root (import from the module that defines it)")
                continue
            if source == "ecsstack":
                continue  # the assembly point
            if target.split(".")[1] in NEUTRAL:
                continue
            if source.split(".")[1] in NEUTRAL:
                bad.append(f"{source} (neutral) imports {target}")
                continue
            own, other = _layer(source), _layer(target)
            if own is None or other is None:
                bad.append(f"{source} → {target}: a module of no layer; add it to LAYERS")
            elif other > own:
                bad.append(f"{source} imports {target}, a higher layer")
    return bad


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_runs_upward() -> None:
    assert upward_imports(import_graph()) == []


def test_no_import_circles() -> None:
    assert circles(import_graph()) == []


def test_every_module_has_a_layer() -> None:
    tops = {m.split(".")[1] for m in import_graph() if "." in m}
    assert tops <= set().union(*LAYERS) | NEUTRAL


def test_the_checker_sees_a_lazy_upward_import(tmp_path: Path) -> None:
    """Adding `from ecsstack.compile import compile_stack` inside any function of the model fails the check."""
    copy = tmp_path / "ecsstack"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for path in sorted((copy / "model").glob("*.py")):
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "\n\ndef _sneaky():\n    from ecsstack.compile import compile_stack\n"
                        "    return compile_stack\n", encoding="utf-8")
        graph = import_graph(copy)
        assert any("a higher layer" in line for line in upward_imports(graph)), path.name
        assert circles(graph), path.name  # compile imports the model: the arrow back makes a circle
        path.write_text(original, encoding="utf-8")
    assert upward_imports(import_graph(copy)) == [] and circles(import_graph(copy)) == []


def test_the_checker_sees_a_circle_inside_a_layer(tmp_path: Path) -> None:
    copy = tmp_path / "ecsstack"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    values = copy / "model" / "_values.py"
    values.write_text(values.read_text(encoding="utf-8") + "\n\ndef _late():\n    from ._task import TaskDefinition\n"
                      "    return TaskDefinition\n", encoding="utf-8")
    assert any("ecsstack.model._values" in group for group in circles(import_graph(copy)))


def test_import_ecsstack_loads_neither_boto3_nor_cfnlint() -> None:
    code = ("import sys, ecsstack, ecsstack.cli, ecsstack.compile, ecsstack.graph, ecsstack.loader, ecsstack.deploy;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'cfnlint')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
