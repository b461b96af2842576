"""CSV and JSON-lines as written: Spark's text forms (``true``/``false``, Java doubles, ISO dates).

Reading lives in ``csv_read.py`` and ``json_read.py``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pyarrow as pa

from .. import types as T
from ..formatting import format_double

_TRUE = ("true", "1", "yes")


def _flag(v: Any, default: bool = False) -> bool:
    if v is None:
        return default
    return v if isinstance(v, bool) else str(v).lower() in _TRUE


# ---------------------------------------------------------------- text of one value

def _text(v: Any, dtype: T.DataType) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_double(v)
    if isinstance(v, dt.datetime):
        s = v.strftime("%Y-%m-%dT%H:%M:%S")
        if v.microsecond:
            s += f".{v.microsecond:06d}".rstrip("0")
        return s + "Z"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def csv_bytes(table: pa.Table, schema: T.StructType, options: dict[str, Any]) -> bytes:
    sep = options.get("sep") or options.get("delimiter") or ","
    null = options.get("nullvalue") or ""
    out = io.StringIO()
    w = csv.writer(out, delimiter=sep, quotechar='"', lineterminator="\n",
                   quoting=csv.QUOTE_MINIMAL)
    if _flag(options.get("header")):
        w.writerow(schema.names)
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    types = [f.dataType for f in schema.fields]
    for row in zip(*cols):
        w.writerow([null if v is None else _text(v, t) for v, t in zip(row, types)])
    return out.getvalue().encode()


def _json_value(v: Any) -> Any:
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else format_double(v)
    if isinstance(v, dt.datetime):
        return _text(v, T.TimestampType())
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _json_value(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        if v and isinstance(v[0], tuple):
            return {str(k): _json_value(x) for k, x in v}
        return [_json_value(x) for x in v]
    if hasattr(v, "as_tuple"):
        return float(v)
    return v


def json_bytes(table: pa.Table, schema: T.StructType) -> bytes:
    lines = []
    for row in table.to_pylist():
        lines.append(json.dumps({k: _json_value(v) for k, v in row.items() if v is not None},
                                separators=(",", ":"), ensure_ascii=False))
    return ("\n".join(lines) + ("\n" if lines else "")).encode()
