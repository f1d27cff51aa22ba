"""The layers' joins, read from the source: who may import whom, and no import hidden from a cycle."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx

PKG = Path(__file__).resolve().parents[2] / "pqscan"

# Known offenders owned by other work in flight; this list may only shrink.


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = p.relative_to(PKG.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module for a in node.names]
    return []


@functools.cache
def _graph() -> tuple[nx.DiGraph, list[tuple[str, str]]]:
    top, local = nx.DiGraph(), []
    for mod, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top.add_node(mod)
        for node in tree.body:
            for target in _imports(node):
                if (r := _resolve(target)) and r != mod:
                    top.add_edge(mod, r)
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    local += [(mod, r) for t in _imports(node) if (r := _resolve(t)) and r != mod]
    return top, local


def test_no_module_outside_the_cli_imports_the_cli() -> None:
    top, local = _graph()
    edges = list(top.edges) + local
    offenders = {(a, b) for a, b in edges if (b.startswith("pqscan.commands") or b == "pqscan.cli")
                 and not (a.startswith("pqscan.commands") or a in ("pqscan.cli", "pqscan.__main__"))}
    assert offenders == set()


def test_collectors_do_not_know_the_inventory_file_format() -> None:
    top, local = _graph()
    offenders = {a for a, b in list(top.edges) + local if a.startswith("pqscan.collect") and b == "pqscan.inventory"}
    assert offenders == set()


def test_no_function_level_import_exists_only_to_dodge_an_import_cycle() -> None:
    top, local = _graph()
    dodged = {(a, b) for a, b in local if not b.startswith(a + ".") and nx.has_path(top, b, a)}
    assert dodged == set()
