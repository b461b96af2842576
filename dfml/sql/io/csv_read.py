"""Reading CSV as Spark does: header, schema inference, parse modes, encodings, compression.

A record is malformed when it has more or fewer fields than the schema, or when a field
cannot be parsed as its column's type. What happens then is the reader's ``mode``
(``modes.py``): Spark's CSV reader never cuts a ragged row silently, and neither does this one.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
from typing import Any, Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from . import modes
from .files import read_text, text_encoding

_TRUE = ("true", "1", "yes")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _flag(v: Any, default: bool = False) -> bool:
    if v is None:
        return default
    return v if isinstance(v, bool) else str(v).lower() in _TRUE


# ---------------------------------------------------------------- records

def csv_records(text: str, sep: str, quote: str = '"',
                multiline: bool = False) -> Iterator[tuple[int, list[str], str]]:
    """``(first line number, fields, raw text)`` of each non-blank record of ``text``.

    As in Spark, a record is one line unless ``multiline`` is set; then a quoted field may
    span lines. The raw text is what PERMISSIVE mode puts in the corrupt-record column.
    """
    if not multiline:
        quoted = quote in text
        for no, raw in enumerate(_LINE_BREAK.split(text), 1):
            if not raw:
                continue  # Spark skips blank lines
            fields = next(csv.reader([raw], delimiter=sep, quotechar=quote)) \
                if quoted and quote in raw else raw.split(sep)
            yield no, fields, raw
        return
    consumed: list[str] = []
    line_no = [0]

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=sep, quotechar=quote)
    for row in reader:
        start = line_no[0] + 1
        line_no[0] = reader.line_num
        raw = "".join(consumed).rstrip("\r\n")
        consumed.clear()
        if not row or (len(row) == 1 and row[0] == "" and raw == ""):
            continue
        yield start, row, raw


# ---------------------------------------------------------------- values

def _parse_bool(v: str) -> bool:
    low = v.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    raise ValueError(v)


_INT_RE = re.compile(r"[+-]?[0-9]+")
_DOUBLE_RE = re.compile(r"[+-]?(NaN|Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[fFdD]?)")


def _parse_int(v: str) -> int:
    """Java's ``Integer.parseInt`` grammar, which Spark's CSV reader uses: a sign and digits,
    no spaces, no underscores."""
    if not _INT_RE.fullmatch(v):
        raise ValueError(v)
    return int(v)


def _parse_double(v: str) -> float:
    """Java's ``Double.parseDouble`` grammar (surrounding spaces allowed, ``NaN`` and
    ``Infinity`` spelled so), plus Spark's ``Inf``/``-Inf``."""
    if v in ("Inf", "-Inf"):
        return float(v)
    s = v.strip()
    if not _DOUBLE_RE.fullmatch(s):
        raise ValueError(v)
    return float(s.rstrip("fFdD"))


def _parse_timestamp(v: str) -> dt.datetime:
    ts = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
    return ts if ts.tzinfo is None else ts.astimezone(dt.timezone.utc).replace(tzinfo=None)


def converter(t: pa.DataType) -> Callable[[str], Any]:
    """``text -> value`` for a column of Arrow type ``t``; raises ValueError/ArithmeticError
    for text that is not a value of that type (a malformed field)."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return lambda v: v
    if pa.types.is_integer(t):
        lo, hi = -(2 ** (t.bit_width - 1)), 2 ** (t.bit_width - 1)

        def as_int(v: str) -> int:
            n = _parse_int(v)
            if not lo <= n < hi:
                raise ValueError(v)
            return n
        return as_int
    if pa.types.is_floating(t):
        return _parse_double
    if pa.types.is_boolean(t):
        return _parse_bool
    if pa.types.is_date(t):
        return lambda v: dt.date.fromisoformat(v.strip()[:10])
    if pa.types.is_timestamp(t):
        return _parse_timestamp
    if pa.types.is_decimal(t):
        return lambda v: decimal.Decimal(v.strip())
    return lambda v: v


_INT_TEXT = r"^[+-]?[0-9]+$"
_FLOAT_TEXT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _all_match(texts: pa.Array, pattern: str) -> bool:
    return bool(len(texts)) and pc.all(pc.match_substring_regex(texts, pattern)).as_py() is True


def convert_column(values: list[str | None], t: pa.DataType) -> tuple[pa.Array, list[int]]:
    """A column of text ``values`` (None: null) as Arrow type ``t``, and the positions of the
    values that are not values of ``t`` (null in the result, their records malformed).

    Numbers in plain notation and ISO dates are parsed by Arrow in one call for the whole
    column; anything else (a bad value, NaN, Infinity, whitespace) goes value by value through
    ``converter``, so both paths accept the same text."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pa.array(values, t), []
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_date32(t):
        texts = pa.array(values, pa.large_string())
        present = texts.drop_null()
        pattern = _INT_TEXT if pa.types.is_integer(t) else \
            _FLOAT_TEXT if pa.types.is_floating(t) else _DATE_TEXT
        if not len(present) or _all_match(present, pattern):
            try:
                return pc.cast(texts, t), []
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass  # out of range for t: value by value
    conv = converter(t)
    out: list[Any] = []
    failed: list[int] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        try:
            out.append(conv(v))
        except (ValueError, TypeError, ArithmeticError):
            out.append(None)
            failed.append(i)
    return pa.array(out, t), failed


def infer_value_type(values: list[str | None]) -> pa.DataType:
    """The narrowest type every present value of a column parses as (Spark's inference order:
    int, long, double, boolean, date, timestamp, string)."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return pa.large_string()
    texts = pa.array(present, pa.large_string())
    if _all_match(texts, _INT_TEXT):
        try:
            low, high = pc.min_max(pc.cast(texts, pa.int64())).values()
            return pa.int32() if -2**31 <= low.as_py() and high.as_py() < 2**31 else pa.int64()
        except pa.ArrowInvalid:
            pass  # beyond a long: decided below, value by value
    elif _all_match(texts, _FLOAT_TEXT):
        return pa.float64()

    def all_parse(conv: Callable[[str], Any]) -> bool:
        try:
            for v in present:
                conv(v)
            return True
        except (ValueError, TypeError, ArithmeticError):
            return False

    if all_parse(_parse_int):
        return pa.int32() if all(-2**31 <= int(v) < 2**31 for v in present) else pa.int64()
    if all_parse(_parse_double):
        return pa.float64()
    if all(v.lower() in ("true", "false") for v in present):
        return pa.bool_()
    if all_parse(dt.date.fromisoformat) and all(len(v) == 10 for v in present):
        return pa.date32()
    if all_parse(lambda v: dt.datetime.fromisoformat(v.replace("Z", "+00:00"))):
        return pa.timestamp("us")
    return pa.large_string()


# ---------------------------------------------------------------- schema and reader

def csv_schema_and_reader(fs: Any, files: list[str], options: dict[str, Any],
                          schema: T.StructType | None) -> tuple[pa.Schema, Callable[[str], pa.Table]]:
    """The Arrow schema of the CSV ``files`` and ``read_table(file)`` for one file."""
    sep = options.get("sep") or options.get("delimiter") or ","
    quote = options.get("quote") or '"'
    header = _flag(options.get("header"))
    infer = _flag(options.get("inferschema"))
    null = options.get("nullvalue")
    encoding = text_encoding(options)
    mode = modes.parse_mode(options)
    multiline = _flag(options.get("multiline"))
    corrupt: str | None = None

    def records(file: str) -> list[tuple[int, list[str], str]]:
        recs = list(csv_records(read_text(fs, file, encoding), sep, quote, multiline))
        return recs[1:] if header else recs

    if schema is not None:
        arrow_schema, corrupt = modes.split_schema(schema, modes.corrupt_name(options))
    else:
        first = next(csv_records(read_text(fs, files[0], encoding), sep, quote, multiline), None)
        width = len(first[1]) if first else 0
        names = first[1] if header and first else [f"_c{i}" for i in range(width)]
        if infer:
            rows = [r for f in files for _, r, _ in records(f)]
            types = [infer_value_type([None if i >= len(r) or r[i] == null else r[i] for r in rows])
                     for i in range(len(names))]
        else:
            types = [pa.large_string()] * len(names)
        arrow_schema = pa.schema([pa.field(n, t) for n, t in zip(names, types)])
    data_fields = [f for f in arrow_schema if f.name != corrupt]
    width = len(data_fields)

    def read_table(file: str) -> pa.Table:
        recs = records(file)
        bad = [len(row) != width for _, row, _ in recs]
        arrays: dict[str, pa.Array] = {}
        first_failure: dict[int, str] = {}  # record -> the first column it failed in
        for i, f in enumerate(data_fields):
            values = [row[i] if i < len(row) else None for _, row, _ in recs]
            values = [None if v == "" or (null is not None and v == null) else v for v in values]
            arrays[f.name], failed = convert_column(values, f.type)
            for j in failed:
                bad[j] = True
                first_failure.setdefault(j, f.name)
        if corrupt is not None:
            arrays[corrupt] = pa.array([raw if b else None for (_, _, raw), b in zip(recs, bad)],
                                       arrow_schema.field(corrupt).type)
        table = pa.Table.from_arrays([arrays[f.name] for f in arrow_schema], schema=arrow_schema)
        if any(bad):
            if mode == modes.FAILFAST:
                j = bad.index(True)
                line, row, raw = recs[j]
                name = first_failure.get(j)
                if name is not None:
                    field = arrow_schema.field(name)
                    text = row[data_fields.index(field)]
                    reason = f"column `{name}`: {text!r} is not {T.from_arrow(field.type).simpleString()}"
                else:
                    reason = f"{len(row)} fields where the schema has {width}"
                raise modes.malformed(file, line, raw, column=name, reason=reason)
            if mode == modes.DROPMALFORMED:
                table = table.filter(pa.array([not b for b in bad]))
        return table

    return arrow_schema, read_table
