"""CSV and JSON-lines: Spark's text forms (``true``/``false``, Java doubles, ISO dates), both ways."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any, Callable

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


# ---------------------------------------------------------------- reading

def _read_text(fs: Any, file: str) -> bytes:
    with fs.open(file, "rb") as fh:
        return fh.read()


def _infer_value_type(values: list[str]) -> pa.DataType:
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return pa.large_string()

    def all_parse(conv: Callable[[str], Any]) -> bool:
        try:
            for v in present:
                conv(v)
            return True
        except (ValueError, TypeError):
            return False

    def as_int(v: str) -> int:
        if "." in v or "e" in v.lower():
            raise ValueError(v)
        return int(v)

    if all_parse(as_int):
        return pa.int32() if all(-2**31 <= int(v) < 2**31 for v in present) else pa.int64()
    if all_parse(float):
        return pa.float64()
    if all(v.lower() in ("true", "false") for v in present):
        return pa.bool_()
    if all_parse(dt.date.fromisoformat) and all(len(v) == 10 for v in present):
        return pa.date32()
    if all_parse(lambda v: dt.datetime.fromisoformat(v.replace("Z", "+00:00"))):
        return pa.timestamp("us")
    return pa.large_string()


def _convert_strings(values: list[str | None], t: pa.DataType) -> pa.Array:
    if pa.types.is_large_string(t) or pa.types.is_string(t):
        return pa.array(values, t)
    out: list[Any] = []
    for v in values:
        if v is None or v == "":
            out.append(None)
            continue
        try:
            if pa.types.is_integer(t):
                out.append(int(v))
            elif pa.types.is_floating(t):
                out.append(float(v))
            elif pa.types.is_boolean(t):
                low = v.strip().lower()
                out.append(True if low == "true" else False if low == "false" else None)
            elif pa.types.is_date(t):
                out.append(dt.date.fromisoformat(v.strip()[:10]))
            elif pa.types.is_timestamp(t):
                ts = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
                out.append(ts.replace(tzinfo=None) if ts.tzinfo is None else
                           ts.astimezone(dt.timezone.utc).replace(tzinfo=None))
            elif pa.types.is_decimal(t):
                import decimal
                out.append(decimal.Decimal(v))
            else:
                out.append(v)
        except (ValueError, ArithmeticError):
            out.append(None)  # Spark's PERMISSIVE mode: an unparsable field becomes null
    return pa.array(out, t)


def _csv_rows(text: str, sep: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=sep, quotechar='"'))


def csv_schema_and_reader(fs: Any, files: list[str], options: dict[str, Any],
                          schema: T.StructType | None) -> tuple[pa.Schema, Callable[[str], pa.Table]]:
    sep = options.get("sep") or options.get("delimiter") or ","
    header = _flag(options.get("header"))
    infer = _flag(options.get("inferschema"))
    null = options.get("nullvalue")
    first = _csv_rows(_read_text(fs, files[0]).decode(), sep)
    width = len(first[0]) if first else 0
    names = first[0] if header and first else [f"_c{i}" for i in range(width)]
    if schema is not None:
        arrow_schema = pa.schema([pa.field(f.name, T.to_arrow(f.dataType)) for f in schema.fields])
    elif infer:
        rows: list[list[str]] = []
        for f in files:
            rows.extend(_csv_rows(_read_text(fs, f).decode(), sep)[1 if header else 0:])
        cols = list(zip(*rows)) if rows else [[] for _ in names]
        arrow_schema = pa.schema([pa.field(n, _infer_value_type(
            [None if v == null else v for v in col])) for n, col in zip(names, cols)])
    else:
        arrow_schema = pa.schema([pa.field(n, pa.large_string()) for n in names])

    def read_table(file: str) -> pa.Table:
        rows = _csv_rows(_read_text(fs, file).decode(), sep)[1 if header else 0:]
        arrays = []
        for i, field in enumerate(arrow_schema):
            vals = [(r[i] if i < len(r) else None) for r in rows]
            vals = [None if v is None or v == "" or (null is not None and v == null) else v for v in vals]
            arrays.append(_convert_strings(vals, field.type))
        return pa.Table.from_arrays(arrays, schema=arrow_schema)

    return arrow_schema, read_table


def _json_type(values: list[Any]) -> pa.DataType:
    present = [v for v in values if v is not None]
    if not present:
        return pa.large_string()
    if all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64()
    if all(isinstance(v, list) for v in present):
        return pa.large_list(_json_type([x for v in present for x in v]))
    if all(isinstance(v, dict) for v in present):
        keys = sorted({k for v in present for k in v})
        return pa.struct([pa.field(k, _json_type([v.get(k) for v in present])) for k in keys])
    return pa.large_string()


def _json_cast(v: Any, t: pa.DataType) -> Any:
    if v is None:
        return None
    if pa.types.is_struct(t):
        return {f.name: _json_cast(v.get(f.name), f.type) for f in t} if isinstance(v, dict) else None
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return [_json_cast(x, t.value_type) for x in v] if isinstance(v, list) else None
    if pa.types.is_large_string(t):
        return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
    if pa.types.is_floating(t):
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if pa.types.is_integer(t):
        return v if isinstance(v, int) and not isinstance(v, bool) else None
    if pa.types.is_boolean(t):
        return v if isinstance(v, bool) else None
    if pa.types.is_date(t):
        try:
            return dt.date.fromisoformat(str(v)[:10])
        except ValueError:
            return None
    if pa.types.is_timestamp(t):
        try:
            ts = dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
            return ts.astimezone(dt.timezone.utc).replace(tzinfo=None) if ts.tzinfo else ts
        except ValueError:
            return None
    return v


def json_schema_and_reader(fs: Any, files: list[str], options: dict[str, Any],
                           schema: T.StructType | None) -> tuple[pa.Schema, Callable[[str], pa.Table]]:
    def records(file: str) -> list[dict]:
        text = _read_text(fs, file).decode()
        out = []
        for line in text.splitlines():
            line = line.strip()
            if line:
                out.append(json.loads(line))
        return out

    if schema is not None:
        arrow_schema = pa.schema([pa.field(f.name, T.to_arrow(f.dataType)) for f in schema.fields])
    else:
        recs = [r for f in files for r in records(f)]
        keys = sorted({k for r in recs for k in r})  # Spark orders inferred JSON fields by name
        arrow_schema = pa.schema([pa.field(k, _json_type([r.get(k) for r in recs])) for k in keys])

    def read_table(file: str) -> pa.Table:
        recs = records(file)
        arrays = [pa.array([_json_cast(r.get(f.name), f.type) for r in recs], f.type)
                  for f in arrow_schema]
        return pa.Table.from_arrays(arrays, schema=arrow_schema)

    return arrow_schema, read_table
