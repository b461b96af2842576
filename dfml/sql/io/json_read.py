"""Reading JSON lines as Spark does: one object per line, parse modes, encodings, compression.

A line is malformed when it is not JSON, or not an object (an array of objects is several
records, as in Spark), or when a field's value does not fit its column's type. In PERMISSIVE
mode an inferred schema gains the corrupt-record column when some line is malformed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable, Iterator

import pyarrow as pa

from .. import types as T
from . import modes
from .files import read_text, text_encoding

_NON_NUMERIC = {"nan": float("nan"), "infinity": float("inf"), "+infinity": float("inf"),
                "-infinity": float("-inf"), "inf": float("inf"), "+inf": float("inf"),
                "-inf": float("-inf")}


class _Mismatch(ValueError):
    """A JSON value that is not a value of its column's type."""


def json_records(text: str) -> Iterator[tuple[int, str, Any]]:
    """``(line number, raw line, record)`` for each non-blank line of ``text``; the record is
    None for a malformed line (None rather than a sentinel object: read functions travel to the
    workers by value, and a copied sentinel would not be the same object)."""
    for no, line in enumerate(text.split("\n"), 1):
        raw = line.rstrip("\r")
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            yield no, raw, None
            continue
        if isinstance(value, dict):
            yield no, raw, value
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for v in value:
                yield no, raw, v
        else:
            yield no, raw, None


def json_document(text: str) -> Iterator[tuple[int, str, Any]]:
    """The records of a ``multiLine`` file: one JSON object, or an array of objects, spanning
    the whole file; anything else makes the whole file one malformed record."""
    if not text.strip():
        return
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict):
        yield 1, text, value
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for v in value:
            yield 1, text, v
    else:
        yield 1, text, None


def json_type(values: list[Any]) -> pa.DataType:
    """The Arrow type Spark infers for a JSON field holding ``values``."""
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
        return pa.large_list(json_type([x for v in present for x in v]))
    if all(isinstance(v, dict) for v in present):
        keys = sorted({k for v in present for k in v})
        return pa.struct([pa.field(k, json_type([v.get(k) for v in present])) for k in keys])
    return pa.large_string()


def json_cast(v: Any, t: pa.DataType) -> Any:
    """``v`` (parsed JSON) as a value of Arrow type ``t``; _Mismatch when it is not one."""
    if v is None:
        return None
    if pa.types.is_struct(t):
        if not isinstance(v, dict):
            raise _Mismatch(v)
        return {f.name: json_cast(v.get(f.name), f.type) for f in t}
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        if not isinstance(v, list):
            raise _Mismatch(v)
        return [json_cast(x, t.value_type) for x in v]
    if pa.types.is_large_string(t) or pa.types.is_string(t):
        return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
    if pa.types.is_floating(t):
        if isinstance(v, str) and v.lower() in _NON_NUMERIC:
            return _NON_NUMERIC[v.lower()]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        raise _Mismatch(v)
    if pa.types.is_integer(t):
        bound = 2 ** (t.bit_width - 1)
        if isinstance(v, int) and not isinstance(v, bool) and -bound <= v < bound:
            return v
        raise _Mismatch(v)
    if pa.types.is_boolean(t):
        if isinstance(v, bool):
            return v
        raise _Mismatch(v)
    try:
        if pa.types.is_date(t):
            return dt.date.fromisoformat(str(v)[:10])
        if pa.types.is_timestamp(t):
            ts = dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
            return ts.astimezone(dt.timezone.utc).replace(tzinfo=None) if ts.tzinfo else ts
        if pa.types.is_decimal(t):
            import decimal
            return decimal.Decimal(str(v))
    except (ValueError, ArithmeticError) as e:
        raise _Mismatch(v) from e
    return v


def json_schema_and_reader(fs: Any, files: list[str], options: dict[str, Any],
                           schema: T.StructType | None) -> tuple[pa.Schema, Callable[[str], pa.Table]]:
    """The Arrow schema of the JSON-lines ``files`` and ``read_table(file)`` for one file."""
    encoding = text_encoding(options, "JSONOptions")
    mode = modes.parse_mode(options)
    name = modes.corrupt_name(options)

    multiline = str(options.get("multiline", "false")).lower() in ("true", "1", "yes")

    def records(file: str) -> Iterator[tuple[int, str, Any]]:
        text = read_text(fs, file, encoding)
        return json_document(text) if multiline else json_records(text)

    corrupt: str | None
    if schema is not None:
        arrow_schema, corrupt = modes.split_schema(schema, name)
    else:
        recs: list[dict] = []
        any_bad = False
        for f in files:
            for line, raw, rec in records(f):
                if rec is not None:
                    recs.append(rec)
                    continue
                if mode == modes.FAILFAST:
                    raise modes.malformed(f, line, raw, inferring=True)
                any_bad = True
        keys = {k for r in recs for k in r}
        corrupt = name if any_bad and mode == modes.PERMISSIVE else None
        fields = [pa.field(k, json_type([r.get(k) for r in recs])) for k in keys if k != corrupt]
        if corrupt is not None:
            fields.append(pa.field(corrupt, pa.large_string()))
        # Spark orders inferred JSON fields by name
        arrow_schema = pa.schema(sorted(fields, key=lambda f: f.name))
    data_fields = [f for f in arrow_schema if f.name != corrupt]

    def read_table(file: str) -> pa.Table:
        columns: list[list[Any]] = [[] for _ in data_fields]
        bad_text: list[str | None] = []
        for line, raw, rec in records(file):
            bad = rec is None
            values: list[Any] = []
            failed_in: str | None = None
            for f in data_fields:
                try:
                    values.append(None if rec is None else json_cast(rec.get(f.name), f.type))
                except _Mismatch:
                    values.append(None)
                    bad = True
                    failed_in = failed_in or f.name
            if bad and mode == modes.FAILFAST:
                if rec is None:
                    reason = "not a JSON object"
                else:
                    want = T.from_arrow(arrow_schema.field(failed_in).type).simpleString()
                    reason = f"field `{failed_in}` is not {want}"
                raise modes.malformed(file, line, raw, column=failed_in, reason=reason)
            if bad and mode == modes.DROPMALFORMED:
                continue
            for col, v in zip(columns, values):
                col.append(v)
            bad_text.append(raw if bad else None)
        arrays = {f.name: pa.array(col, f.type) for f, col in zip(data_fields, columns)}
        if corrupt is not None:
            arrays[corrupt] = pa.array(bad_text, arrow_schema.field(corrupt).type)
        return pa.Table.from_arrays([arrays[f.name] for f in arrow_schema], schema=arrow_schema)

    return arrow_schema, read_table
