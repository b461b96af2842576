"""Finding the scripts under the paths a user names, and reading them as Python text.

A notebook is read cell by cell (code cells only). IPython syntax that is not Python (``%magic``,
``!shell``, ``%%cell magics``, ``x?`` help) is blanked out line by line, so line numbers inside a
cell stay the ones the user sees in Jupyter.
"""

from __future__ import annotations

import io
import json
import os
import re
import tokenize
from dataclasses import dataclass

SUFFIXES = (".py", ".ipynb", ".sh", ".bash", "spark-defaults.conf")
_SKIP_DIRS = {".git", "__pycache__", ".ipynb_checkpoints", ".venv", "venv", "node_modules"}


class SourceError(ValueError):
    """A path that cannot be read as a script (the message names the path)."""


@dataclass(frozen=True)
class Chunk:
    """One piece of Python text: a whole ``.py`` file, or one code cell of a notebook."""

    text: str
    cell: int | None = None  # 1-based index among the notebook's cells (all kinds), else None


def find_scripts(paths: list[str]) -> list[str]:
    """Every script (``.py``, ``.ipynb``, shell, ``spark-defaults.conf``) named or found under
    the folders named, in a stable order."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(SUFFIXES))
        elif os.path.isfile(path):
            found.append(path)
        else:
            raise SourceError(f"no such file or folder: {path}")
    seen: set[str] = set()
    return [p for p in found if not (p in seen or seen.add(p))]


_MAGIC = re.compile(r"^\s*(%|!|\?)|\?\s*$")


def blank_magics(text: str) -> str:
    """``text`` with IPython-only lines emptied (a ``%%`` cell magic empties the whole cell)."""
    if text.lstrip().startswith("%%"):
        return "\n" * text.count("\n")
    return "\n".join("" if _MAGIC.search(line) else line for line in text.split("\n"))


def kind_of(path: str) -> str:
    """How to read ``path``: python, notebook, shell or properties (by its name)."""
    if path.endswith(".ipynb"):
        return "notebook"
    if path.endswith((".sh", ".bash")):
        return "shell"
    if path.endswith((".conf", ".properties")):
        return "properties"
    return "python"


def read_python(path: str) -> tuple[str, str]:
    """(text, encoding) of a Python file as Python reads it (a BOM or ``# coding:`` line decides
    the encoding); line endings are kept as they are, so a rewrite can keep them too."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        return data.decode(encoding), encoding
    except (OSError, SyntaxError, LookupError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: cannot read ({e})") from None


def read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: cannot read ({e})") from None


def read_chunks(path: str) -> list[Chunk]:
    """The Python text of ``path``: one chunk for a script, one per code cell for a notebook."""
    if not path.endswith(".ipynb"):
        return [Chunk(read_python(path)[0])]
    raw = read_text(path)
    try:
        cells = json.loads(raw)["cells"]
    except (ValueError, KeyError, TypeError):
        raise SourceError(f"{path}: not a Jupyter notebook (no JSON 'cells' list)") from None
    chunks = []
    for i, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        chunks.append(Chunk(blank_magics("".join(src) if isinstance(src, list) else src), cell=i))
    return chunks
