"""No import circle under ``src/recommendations``: the modules import one another in one
direction only (the committee paper imports the outputs, never the other way round).

The graph is read with ``ast`` from the source: every import a module makes when it is
imported, those for type checkers (``if TYPE_CHECKING:``) included, and none made inside
a function (those are made when the function runs)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "recommendations"


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _module_level(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports ``node`` makes when it runs, not those inside its functions."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        else:
            yield from _module_level(child)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _module_level(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            targets.add(submodule if submodule in modules else base)
    return {target for target in targets if target in modules and target != name}


def graph(root: Path = SOURCE) -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports."""
    modules = _modules(root)
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each strongly connected set of modules (Tarjan), each as the
    modules in the order they import one another, the first repeated at the end."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(_path(edges, set(members)))

    for name in sorted(edges):
        if name not in index:
            visit(name)
    return found


def _path(edges: dict[str, set[str]], members: set[str]) -> list[str]:
    """A circle within ``members``: from the first of them, back to it."""
    start = min(members)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(edges[node] & members):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(f"no circle in {sorted(members)}")  # pragma: no cover


def test_no_module_of_the_package_imports_itself_back() -> None:
    found = circles(graph())
    assert found == [], "import circles: " + "; ".join(" -> ".join(c) for c in found)


def test_a_circle_is_found_and_named(tmp_path: Path) -> None:
    """The check fails on a circle, even one made only for type checkers, and names it."""
    package = tmp_path / PACKAGE
    (package / "paper").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "outputs.py").write_text("from recommendations.paper import _paper\n")
    (package / "paper" / "__init__.py").write_text("from ._paper import Paper\n")
    (package / "paper" / "_paper.py").write_text("class Paper: ...\n")
    (package / "paper" / "_layout.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ._paper import Paper\n"
        "def later():\n    from recommendations import outputs\n"
    )
    assert circles(graph(tmp_path)) == []  # an import inside a function is not one
    (package / "paper" / "_paper.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ._layout import x\n"
    )
    (package / "paper" / "_layout.py").write_text("from ._paper import Paper\n")
    assert circles(graph(tmp_path)) == [
        [
            "recommendations.paper._layout",
            "recommendations.paper._paper",
            "recommendations.paper._layout",
        ]
    ]
