"""``DataFrame.show()``: the table Spark prints, character for character.

Cells render as Spark renders them (``NULL``, ``true``, Java doubles, ``[1, 2]``, ``{k -> 1}``,
``{1, a}``); long cells are cut to ``truncate`` characters; with truncation on, cells are
right-aligned, with it off, left-aligned; the minimum column width is 3.
"""

from __future__ import annotations

import datetime as dt
import decimal
import unicodedata
from typing import Any

import numpy as np

from . import types as T
from .formatting import format_double
from .row import Row


def cell(v: Any, dtype: T.DataType | None = None, nested: bool = False) -> str:
    """Spark's text for one value (as ``show`` prints it)."""
    if v is None:
        return "NULL"
    if isinstance(dtype, T.UserDefinedType):
        return dtype.display(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if isinstance(dtype, T.FloatType):
            # Java's Float.toString: the shortest digits that read back as the same float
            return format_double(float(np.format_float_positional(np.float32(v), unique=True,
                                                                  trim="-")))
        return format_double(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        text = v.strftime("%Y-%m-%d %H:%M:%S")
        if v.microsecond:
            text += f".{v.microsecond:06d}".rstrip("0")
        return text
    if isinstance(v, dt.timedelta):
        return _day_time(v, dtype)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return "[" + " ".join(f"{b:02X}" for b in v) + "]"
    if isinstance(dtype, T.MapType) or (isinstance(v, list) and v and isinstance(v[0], tuple)
                                         and not isinstance(dtype, T.ArrayType)):
        items = v.items() if isinstance(v, dict) else v
        kt = dtype.keyType if isinstance(dtype, T.MapType) else None
        vt = dtype.valueType if isinstance(dtype, T.MapType) else None
        return "{" + ", ".join(f"{cell(k, kt, True)} -> {cell(x, vt, True)}" for k, x in items) + "}"
    if isinstance(v, dict):
        fields = dtype.fields if isinstance(dtype, T.StructType) else None
        vals = list(v.values())
        return "{" + ", ".join(cell(x, fields[i].dataType if fields else None, True)
                               for i, x in enumerate(vals)) + "}"
    if isinstance(v, Row):
        fields = dtype.fields if isinstance(dtype, T.StructType) else None
        return "{" + ", ".join(cell(x, fields[i].dataType if fields else None, True)
                               for i, x in enumerate(v)) + "}"
    if isinstance(v, (list, tuple)):
        et = dtype.elementType if isinstance(dtype, T.ArrayType) else None
        return "[" + ", ".join(cell(x, et, True) for x in v) + "]"
    return str(v)


_META = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", "\b": "\\b",
                       "\x0b": "\\v", "\x07": "\\a"})


def _day_time(v: dt.timedelta, dtype: T.DataType | None) -> str:
    """A day-time interval as Spark prints it: ``INTERVAL '1 02:03:04.5' DAY TO SECOND``."""
    micros = (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
    sign, micros = ("-" if micros < 0 else ""), abs(micros)
    secs, frac = divmod(micros, 1_000_000)
    days, rest = divmod(secs, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    text = f"{s:02d}" + (f".{frac:06d}".rstrip("0") if frac else "")
    return f"INTERVAL '{sign}{days} {h:02d}:{m:02d}:{text}' DAY TO SECOND"


def _escaped(text: str) -> str:
    """Spark 4 writes control characters in a shown cell as escapes, so a row stays one line."""
    return text.translate(_META)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _cut(s: str, truncate: int) -> str:
    if truncate <= 0 or len(s) <= truncate:
        return s
    return s[:truncate] if truncate < 4 else s[:truncate - 3] + "..."


def _pad(s: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(s))
    return fill + s if right else s + fill


def show_string(schema: T.StructType, rows: list[Row], n: int, truncate: bool | int,
                vertical: bool) -> str:
    limit = 20 if truncate is True else (0 if truncate is False else int(truncate))
    shown = rows[:n]
    names = [f.name for f in schema.fields]
    types = [f.dataType for f in schema.fields]
    body = [[_cut(_escaped(cell(v, t)), limit) for v, t in zip(r, types)] for r in shown]
    more = len(rows) > n
    if vertical:
        return _vertical(names, body, n, more, limit)
    header = names  # Spark cuts cells, never the column names
    widths = [max([3, _width(h)] + [_width(r[i]) for r in body]) for i, h in enumerate(header)]
    sep = "+" + "+".join("-" * w for w in widths) + "+"
    right = limit > 0
    lines = [sep, "|" + "|".join(_pad(h, w, right) for h, w in zip(header, widths)) + "|", sep]
    for r in body:
        lines.append("|" + "|".join(_pad(c, w, right) for c, w in zip(r, widths)) + "|")
    lines.append(sep)
    return _with_footer(lines, n, more)


def _with_footer(lines: list[str], n: int, more: bool) -> str:
    """Spark ends the table with a newline, or with the footer line and no newline after it."""
    text = "\n".join(lines) + "\n"
    if more:
        text += f"only showing top {n} row{'s' if n != 1 else ''}"
    return text


def _vertical(names: list[str], body: list[list[str]], n: int, more: bool, limit: int) -> str:
    if not body:
        return "(0 rows)\n"
    name_w = max([_width(x) for x in names] + [3])  # Spark's minimum width, as in the table
    data_w = max([_width(c) for r in body for c in r] + [3])
    lines = []
    for i, r in enumerate(body):
        head = f"-RECORD {i}"
        lines.append(head + "-" * max(name_w + data_w + 5 - len(head), 0))
        for name, c in zip(names, r):
            lines.append(f" {_pad(name, name_w, False)} | {_pad(c, data_w, False)} ")
    return _with_footer(lines, n, more)
