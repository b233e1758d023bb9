"""The packages stack ``vocab`` <- ``ncc_node`` <- ``sync`` <- ``ncc_cli``, with no import cycle.

Read from the source with :mod:`ast` (nothing is imported): every import of one of our packages,
also one inside a function, is an edge. A package may import only those below it, ``sync`` only
through ``ncc_node``'s and ``vocab``'s public faces, and the module graph has no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("vocab", "ncc_node", "sync", "ncc_cli")  # each may import those before it


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The modules of ours that ``path`` imports, at module level or inside a function."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for n in ast.walk(block)}  # never executed: no runtime edge
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # ``from . import feed`` imports a module, not the package
                submodule = f"{target}.{alias.name}"
                if (ROOT / submodule.replace(".", "/")).with_suffix(".py").exists():
                    found.add(submodule)
                else:
                    found.add(target)
    return {m for m in found if m.split(".")[0] in PACKAGES}


GRAPH = {_module_name(path): _imports(path)
         for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_import_only_those_below(package: str) -> None:
    allowed = set(PACKAGES[: PACKAGES.index(package) + 1])
    wrong = sorted(f"{module} imports {target}" for module, targets in GRAPH.items()
                   if module.split(".")[0] == package
                   for target in targets if target.split(".")[0] not in allowed)
    assert not wrong


def test_sync_uses_the_public_faces() -> None:
    reaching = sorted(f"{module} imports {target}" for module, targets in GRAPH.items()
                      if module.startswith("sync")
                      for target in targets if target.split(".")[0] in ("ncc_node", "vocab")
                      and target not in ("ncc_node", "vocab"))
    assert not reaching


def test_no_import_cycle() -> None:
    # an edge is a module importing another module (as pylint's cyclic-import counts them); a
    # package's __init__ importing its own submodules, which import their siblings, is none
    def edges(module: str) -> set[str]:
        return {target for target in GRAPH.get(module, ()) if target in GRAPH} - {module}

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert not cycles


def test_the_web_pages_do_not_reach_into_the_api() -> None:
    assert not sorted(f"{module} imports {target}" for module, targets in GRAPH.items()
                      if module.startswith("ncc_node.web")
                      for target in targets if target.startswith("ncc_node.api"))


@pytest.mark.parametrize("core", ["integrity", "identity", "records", "store", "reports",
                                  "accounts"])
def test_the_core_needs_no_flask(core: str) -> None:
    # architecture §2: the core never imports Flask-facing modules, so sync can use it without them
    flask_facing = ("ncc_node.api", "ncc_node.web", "ncc_node.app", "ncc_node.context",
                    "ncc_node.representations")
    for path in sorted((ROOT / "ncc_node" / core).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "import flask" not in text and "from flask" not in text, path
        targets = GRAPH[_module_name(path)]
        assert not [t for t in targets if t.startswith(flask_facing)], path
