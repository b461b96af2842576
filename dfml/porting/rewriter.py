"""``dfml port``: rewrite a script's ``pyspark`` imports to ``dfml``, touching nothing else.

Edits are made on the original text at the positions ``ast`` gives for each import (so comments,
formatting and every other line stay byte for byte). Names stay bound as before:
``import pyspark`` becomes ``import dfml as pyspark``, and ``import pyspark.sql.functions``
becomes ``import dfml.sql.functions, dfml as pyspark`` when the script uses the bare name
``pyspark``. An import of a module dfml does not have is left alone and reported.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from typing import Callable

from .sources import blank_magics, read_python

_WORD = re.compile(rb"\bpyspark\b")


def _offsets(data: bytes) -> list[int]:
    starts = [0]
    for m in re.finditer(rb"\n", data):
        starts.append(m.end())
    return starts


def port_source(text: str, is_module: Callable[[str], bool], parse_text: str | None = None
                ) -> tuple[str, list[str]]:
    """``text`` with its ``pyspark`` imports rewritten, and notes on the ones left alone.

    ``parse_text`` is what to parse when ``text`` is not plain Python (a notebook cell with
    magics blanked out, line for line); edits still apply to ``text``.
    """
    tree = ast.parse(parse_text if parse_text is not None else text)
    data = text.encode("utf-8")
    starts = _offsets(data)
    uses_bare = any(isinstance(n, ast.Name) and n.id == "pyspark" for n in ast.walk(tree))
    edits: list[tuple[int, int, bytes]] = []
    notes: list[str] = []

    def pos(line: int, col: int) -> int:
        return starts[line - 1] + col

    def target(name: str, line: int) -> str | None:
        new = "dfml" + name[len("pyspark"):]
        if is_module(new):
            return new
        notes.append(f"line {line}: dfml has no module {new}; 'import {name}' left as is")
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] != "pyspark" or target(a.name, node.lineno) is None:
                    continue
                new = "dfml" + a.name[len("pyspark"):]
                if a.asname:
                    new += f" as {a.asname}"
                elif a.name == "pyspark":
                    new = "dfml as pyspark"
                elif uses_bare:
                    new += ", dfml as pyspark"
                edits.append((pos(a.lineno, a.col_offset), pos(a.end_lineno, a.end_col_offset),
                              new.encode()))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "pyspark":
            if target(node.module, node.lineno) is None:
                continue
            start = pos(node.lineno, node.col_offset)
            m = _WORD.search(data, start, pos(node.end_lineno, node.end_col_offset))
            edits.append((m.start(), m.end(), b"dfml"))
    for start, end, new in sorted(edits, reverse=True):
        data = data[:start] + new + data[end:]
    return data.decode("utf-8"), notes


def port_file(path: str, is_module: Callable[[str], bool]) -> tuple[str, str, list[str], str]:
    """(old text, new text, notes, encoding to write with) of a ``.py`` file or notebook;
    notebooks cell by cell. A script keeps its encoding, BOM and line endings."""
    if not path.endswith(".ipynb"):
        old, encoding = read_python(path)
        new, notes = port_source(old, is_module)
        return old, new, [f"{path}: {n}" for n in notes], encoding
    with open(path, encoding="utf-8", newline="") as f:
        old = f.read()
    nb = json.loads(old)
    notes, changed = [], False
    for i, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        try:
            new, cell_notes = port_source(text, is_module, blank_magics(text))
        except SyntaxError as e:
            notes.append(f"{path}: cell {i}: cannot parse ({e.msg}); left as is")
            continue
        notes.extend(f"{path}: cell {i}, {n}" for n in cell_notes)
        if new != text:
            changed = True
            cell["source"] = new.splitlines(keepends=True) if isinstance(src, list) else new
    if not changed:
        return old, old, notes, "utf-8"
    return old, json.dumps(nb, indent=1, ensure_ascii=False) + "\n", notes, "utf-8"


def unified_diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=_label("a", path), tofile=_label("b", path)))


def _label(side: str, path: str) -> str:
    """git's ``a/``/``b/`` prefixes for relative paths (so ``patch -p1`` applies the diff)."""
    return path if path.startswith("/") else f"{side}/{path}"
