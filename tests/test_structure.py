"""The layering DESIGN.md sets, checked on the source: each layer imports only the ones below."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "dfml"


def _modules(package: str) -> list[pathlib.Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _is_module(name: str) -> bool:
    rel = pathlib.Path(*name.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (never imported at run time)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _imported(path: pathlib.Path) -> set[str]:
    """Absolute names of every dfml module ``path`` imports, function-level imports included."""
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                mod = ".".join(base + ((node.module,) if node.module else ()))
            else:
                mod = node.module or ""
            subs = {f"{mod}.{a.name}" for a in node.names}
            modules = {m for m in subs if _is_module(m)}
            found.update(modules)
            if modules != subs:  # names defined in ``mod`` itself
                found.add(mod)
    return {m for m in found if m == "dfml" or m.startswith("dfml.")}


@pytest.mark.parametrize("path", _modules("cluster"), ids=lambda p: p.name)
def test_cluster_imports_neither_sql_nor_cli(path):
    bad = sorted(m for m in _imported(path)
                 if m.startswith(("dfml.sql", "dfml.cli", "dfml.ml")))
    assert not bad, f"{path.name} imports {bad}: dfml.cluster sits below dfml.sql and dfml.cli"


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycles(package: str) -> list[list[str]]:
    """Cycles among the modules of ``package`` (strongly connected groups of more than one)."""
    paths = {_module_name(p): p for p in _modules(package)}
    graph = {m: {n for n in _imported(p) if n in paths and n != m} for m, p in paths.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(m: str) -> None:  # Tarjan's algorithm
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return groups


def test_cluster_has_no_import_cycle():
    assert import_cycles("cluster") == []


def _private(name: str) -> bool:
    return any(part.startswith("_") for part in name.split("."))


@pytest.mark.parametrize("path", _modules("ml"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ml_reaches_sql_only_through_public_names_and_the_engine(path):
    bad = []
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            parts = path.relative_to(ROOT.parent).with_suffix("").parts[:-1]
            base = parts[:len(parts) - node.level + 1] if node.level else ()
            mod = ".".join(base + ((node.module,) if node.module else ())) if node.level \
                else (node.module or "")
            if not mod.startswith("dfml.sql"):
                continue
            names = [f"{mod}.{a.name}" for a in node.names]
            for full in [mod] + names:
                if full.startswith("dfml.sql._engine") or not _private(full):
                    continue
                if full == mod and all(not _private(n) for n in names):
                    continue
                bad.append(full)
            if mod in ("dfml.sql.column", "dfml.sql.dataframe", "dfml.sql.session"):
                bad.append(mod)
        elif isinstance(node, ast.Attribute) and node.attr in (
                "_frame", "_session", "graphs_run", "_run", "_record_reads", "_persist", "_ctx"):
            bad.append(f".{node.attr} (line {node.lineno})")
    assert not bad, f"{path.name} reaches into dfml.sql: {bad}"


def test_sql_has_no_import_cycle():
    """dfml.sql's modules import each other in one direction (function-level imports count)."""
    assert import_cycles("sql") == []


def test_no_module_is_over_700_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 700}
    assert not long, long


def test_no_private_name_is_imported_from_another_module():
    """A name starting with ``_`` belongs to its module; the private modules ``_engine`` (the
    engine boundary) and ``_dask_compat`` (dask's private API) are imported by design."""
    bad = []
    for path in ROOT.rglob("*.py"):
        for node in _runtime_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("dfml")):
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__") \
                            and a.name not in ("_engine", "_dask_compat"):
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {a.name}")
    assert not bad, bad
