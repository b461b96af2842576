"""``spark.read.text``: one string column ``value``, a row per line (or per file, with
``wholetext``), files decompressed by extension like every text source."""

from __future__ import annotations

import re
from typing import Any, Callable

import pyarrow as pa

from .files import read_text

_TRUE = ("true", "1", "yes")
SCHEMA = pa.schema([pa.field("value", pa.large_string())])


def split_lines(text: str, sep: str | None) -> list[str]:
    """The lines of ``text``: split on ``sep``, or on any of \\n, \\r\\n, \\r as Spark does by
    default; a final separator does not start an empty line."""
    parts = re.split(r"\r\n|\r|\n", text) if not sep else text.split(sep)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def text_reader(fs: Any, options: dict[str, Any]) -> tuple[pa.Schema, Callable[[str], pa.Table]]:
    """The schema of a text read and ``read_table(file)`` for one file."""
    whole = str(options.get("wholetext", "false")).lower() in _TRUE
    sep = options.get("linesep")

    def read_table(file: str) -> pa.Table:
        text = read_text(fs, file)
        values = [text] if whole else split_lines(text, sep)
        return pa.Table.from_arrays([pa.array(values, pa.large_string())], schema=SCHEMA)

    return SCHEMA, read_table
