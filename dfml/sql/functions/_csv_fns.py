"""CSV and schema-inference functions: ``to_csv``, ``from_csv``, ``schema_of_csv``,
``schema_of_json``.

``to_csv`` writes a struct's fields as one CSV line the way Spark's writer does with its
defaults (each value as its cast to string, nulls empty, a field holding the separator, a
quote or a line break quoted, quotes inside escaped with a backslash, white space at either
end trimmed). ``from_csv`` splits
with the same rules and casts each field to the schema's type (empty fields are null), under
the reader options its docstrings use (separator, white space, null text).
``schema_of_*`` infer from one literal sample, as Spark requires, and print the type in
Spark's DDL (``STRUCT<a: BIGINT>``); JSON objects list their fields sorted by name, as Spark's
inference does. Options other than the defaults are refused rather than ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from .. import types as T
from ..column import CaseWhen, Column, Ctx, Literal, Typed
from ..expressions import Func
from ..errors import AnalysisException
from ..kernels import rowwise
from ._arrays import struct
from ._common import col_expr, func, per_partition, renamed

__all__ = ["to_csv", "from_csv", "schema_of_csv", "schema_of_json"]


def _no_options(options: Any, fname: str) -> None:
    if options:
        raise NotImplementedError(f"{fname}(): options are not supported yet, got {options!r}")


def _csv_field(v: Any) -> str:
    if v is None:
        return ""
    v = v.strip("".join(map(chr, range(33))))  # the writer trims white space (Spark's default)
    if any(ch in v for ch in ',"\n\r'):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return v


def _csv_array(v: list, dtype: T.ArrayType) -> str:
    """An array as Spark's CSV writer spells it: ``[a, b]``, a null element left empty
    (``[a,, c]``), nested arrays the same way."""
    from ..show import cell
    et = dtype.elementType

    def one(x: Any) -> str:
        return _csv_array(x, et) if isinstance(et, T.ArrayType) else cell(x, et, True)
    parts = ["" if x is None else (" " if i else "") + one(x) for i, x in enumerate(v)]
    return "[" + ",".join(parts) + "]"


def _array_text(ctx: Ctx, t: Typed, dtype: T.ArrayType) -> Typed:
    if t.is_scalar:
        t = Typed(ctx.broadcast(t), t.dtype, t.nullable)
    fn = rowwise(lambda v: None if v is None else _csv_array(v, dtype), T.to_arrow(T.StringType()))
    return Typed(per_partition(ctx, [t], fn, T.StringType()), T.StringType(), True)


def to_csv(col: Any, options: dict | None = None) -> Column:
    """A struct as one CSV line (Spark's default writer: comma, double quote, backslash escape)."""
    _no_options(options, "to_csv")
    e = col_expr(col)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        if not isinstance(t.dtype, T.StructType):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "to_csv({e.sql()})" '
                f'due to data type mismatch: the parameter requires "STRUCT" type, however '
                f'"{e.sql()}" has the type "{t.dtype.simpleString().upper()}".',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        for f in t.dtype.fields:
            if isinstance(f.dataType, (T.TimestampType, T.MapType, T.StructType)):
                raise NotImplementedError(f"to_csv(): field {f.name!r} of type "
                                          f"{f.dataType.simpleString()} is not supported yet")
        # each field as Spark casts it to a string (Java's double formatting included)
        texts = [_array_text(ctx, Column(e).getField(f.name)._expr.compile(ctx), f.dataType)
                 if isinstance(f.dataType, T.ArrayType)
                 else Column(e).getField(f.name).cast("string")._expr.compile(ctx)
                 for f in t.dtype.fields]
        texts = [x if not x.is_scalar else Typed(ctx.broadcast(x), T.StringType(), True)
                 for x in texts]
        whole = t if not t.is_scalar else Typed(ctx.broadcast(t), t.dtype, t.nullable)

        def line(row: Any, *vals: Any) -> Any:
            return None if row is None else ",".join(_csv_field(v) for v in vals)
        return Typed(per_partition(ctx, [whole] + texts, rowwise(line, T.to_arrow(T.StringType())),
                                   T.StringType()), T.StringType(), t.nullable)
    return func("to_csv", [e], impl)


def _split(line: str, sep: str = ",") -> list[str | None]:
    row = next(csv.reader(io.StringIO(line), delimiter=sep, quotechar='"', escapechar="\\"), [])
    return [v if v != "" else None for v in row]


def _flag(options: dict, name: str) -> bool:
    value = options.pop(name, False)
    return value is True or str(value).lower() == "true"


class _CsvReading:
    """How ``from_csv`` reads a line under the options Spark's CSV reader shares with it:
    ``sep``/``delimiter`` (one character), ``ignoreLeadingWhiteSpace``,
    ``ignoreTrailingWhiteSpace`` (both off for from_csv, as in Spark) and ``nullValue`` (the
    text read as null; empty by default). Any other option is refused, not ignored."""

    def __init__(self, options: dict | None):
        opts = dict(options or {})
        self.sep = str(opts.pop("sep", opts.pop("delimiter", ",")))
        self.lead, self.trail = _flag(opts, "ignoreLeadingWhiteSpace"), _flag(opts, "ignoreTrailingWhiteSpace")
        self.null = str(opts.pop("nullValue", ""))
        _no_options(opts, "from_csv")
        if len(self.sep) != 1:
            raise NotImplementedError(f"from_csv(): a separator of one character is supported, "
                                      f"got {self.sep!r}")

    def __call__(self, line: str) -> list[str | None]:
        row = next(csv.reader(io.StringIO(line), delimiter=self.sep, quotechar='"', escapechar="\\"), [])
        out: list[str | None] = []
        for v in row:
            v = v.lstrip(" \t") if self.lead else v
            v = v.rstrip(" \t") if self.trail else v
            out.append(None if v == self.null or v == "" else v)
        return out


def schema_argument(schema: Any, fname: str) -> Any:
    """A schema given to from_json/from_csv: a type, a DDL string, a string literal, or the
    column ``schema_of_json``/``schema_of_csv`` returns (foldable: its DDL is known when the
    function is called)."""
    if isinstance(schema, Column):
        e = schema._expr
        if isinstance(e, Func) and e.name in ("schema_of_json", "schema_of_csv"):
            return e.options["ddl"]
        if not isinstance(e, Literal):
            raise AnalysisException(f"{fname}(): the schema must be a literal, got "
                                    f"{e.sql()}", "INVALID_SCHEMA.NON_STRING_LITERAL")
        return e.value
    return schema


def _schema_of(schema: Any, fname: str) -> T.StructType:
    schema = schema_argument(schema, fname)
    dt_ = T.parse_ddl(schema) if isinstance(schema, str) else schema
    if not isinstance(dt_, T.StructType):
        raise AnalysisException(f"{fname}(): the schema must be a struct, got {dt_!r}",
                                "INVALID_SCHEMA")
    return dt_


def from_csv(col: Any, schema: Any, options: dict | None = None) -> Column:
    """A CSV line parsed into a struct of ``schema`` (a DDL string or StructType): each field
    cast to its type, empty or missing fields null, a null line null."""
    reading = _CsvReading(options)
    st = _schema_of(schema, "from_csv")
    e = col_expr(col)
    list_t = T.ArrayType(T.StringType(), True)

    def split(ctx: Ctx, t: Typed) -> Typed:
        if not isinstance(t.dtype, (T.StringType, T.NullType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "from_csv({e.sql()})" '
                f'due to data type mismatch: the parameter requires "STRING" type, however the '
                f'input has type "{t.dtype.simpleString().upper()}".',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
        fn = rowwise(lambda s: None if s is None else reading(s), T.to_arrow(list_t))
        return Typed(per_partition(ctx, ts, fn, list_t), list_t, True)
    parts = func("from_csv_split", [e], split)
    fields = [parts.getItem(i).cast(f.dataType).alias(f.name) for i, f in enumerate(st.fields)]
    out = Column(Literal(None)).cast(st)
    built = Column(CaseWhen([(Column(e).isNotNull()._expr, struct(*fields)._expr)], out._expr))
    return renamed(built, f"from_csv({e.sql()})")


def _literal_text(v: Any, fname: str) -> str:
    if isinstance(v, Column):
        if not isinstance(v._expr, Literal) or not isinstance(v._expr.value, str):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "{fname}" due to data '
                f'type mismatch: the input `{fname[len("schema_of_"):]}` should be a foldable '
                f'"STRING" expression; however, got "{v._expr.sql()}".',
                "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT")
        return v._expr.value
    if not isinstance(v, str):
        raise TypeError(f"{fname}(): expected a string or a literal Column, got {type(v).__name__}")
    return v


def _csv_type(v: str | None) -> str:
    if v is None:
        return "STRING"
    try:
        n = int(v)
        return "INT" if -2**31 <= n < 2**31 else "BIGINT" if -2**63 <= n < 2**63 else "DECIMAL(38,0)"
    except ValueError:
        pass
    try:
        float(v)
        return "DOUBLE"
    except ValueError:
        pass
    if v.lower() in ("true", "false"):
        return "BOOLEAN"
    try:
        dt.date.fromisoformat(v)
        return "DATE" if len(v) == 10 else "TIMESTAMP"
    except ValueError:
        pass
    try:
        dt.datetime.fromisoformat(v)
        return "TIMESTAMP"
    except ValueError:
        return "STRING"


def schema_of_csv(csv: Any, options: dict | None = None) -> Column:  # noqa: A002 - Spark's name
    """The type Spark infers for one CSV line, as DDL (``STRUCT<_c0: INT, _c1: STRING>``)."""
    opts = dict(options or {})
    sep = str(opts.pop("sep", opts.pop("delimiter", ",")))
    _no_options(opts, "schema_of_csv")  # the separator is the one option read so far
    if len(sep) != 1:
        raise NotImplementedError(f"schema_of_csv(): a separator of one character is supported, "
                                  f"got {sep!r}")
    text = _literal_text(csv, "schema_of_csv")
    fields = ", ".join(f"_c{i}: {_csv_type(v)}" for i, v in enumerate(_split(text, sep)))
    ddl = f"STRUCT<{fields}>"
    return func("schema_of_csv", [], lambda ctx, ddl: Typed(ddl, T.StringType(), False),
                sql=f"schema_of_csv({text})", ddl=ddl)


def _merge(a: str | None, b: str | None) -> str | None:
    """Spark's JSON type merge: numbers widen, anything else unlike becomes a string."""
    if a is None or a == b:
        return b if a is None else a
    if b is None:
        return a
    nums = ("BIGINT", "DECIMAL(38,0)", "DOUBLE")
    if a in nums and b in nums:
        return "DOUBLE" if "DOUBLE" in (a, b) else "DECIMAL(38,0)"
    return "STRING"  # (differing objects are not merged field by field yet)


def _ddl_name(name: str) -> str:
    """A field name as Spark's DDL prints it: backquoted unless a plain identifier."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return name
    return "`" + name.replace("`", "``") + "`"


def _json_type(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "BOOLEAN"
    if isinstance(v, int):
        return "BIGINT" if -2**63 <= v < 2**63 else "DECIMAL(38,0)"
    if isinstance(v, float):
        return "DOUBLE"
    if isinstance(v, str):
        return "STRING"
    if isinstance(v, list):
        elem = None
        for x in v:
            elem = _merge(elem, _json_type(x))
        return f"ARRAY<{elem or 'STRING'}>"
    fields = ", ".join(f"{_ddl_name(k)}: {_json_type(x) or 'STRING'}" for k, x in sorted(v.items()))
    return f"STRUCT<{fields}>"


_BARE_NAME = re.compile(r'"(?:[^"\\]|\\.)*"|([A-Za-z_$][A-Za-z0-9_$]*)(\s*:)')


def quote_bare_names(text: str) -> str:
    """JSON with unquoted field names (``{a: 1}``, Jackson's allowUnquotedFieldNames) made
    strict: a bare name before a colon, outside a string, gets quotes."""
    return _BARE_NAME.sub(lambda m: m.group(0) if m.group(1) is None
                          else f'"{m.group(1)}"{m.group(2)}', text)


def schema_of_json(json: Any, options: dict | None = None) -> Column:  # noqa: A002 - Spark's name
    """The type Spark infers for one JSON document, as DDL (``STRUCT<a: BIGINT, b: STRING>``)."""
    opts = dict(options or {})
    unquoted = str(opts.pop("allowUnquotedFieldNames", "false")).lower() == "true"
    _no_options(opts, "schema_of_json")  # allowUnquotedFieldNames is the one option read so far
    text = _literal_text(json, "schema_of_json")
    import json as _json_mod
    try:
        value = _json_mod.loads(quote_bare_names(text) if unquoted else text)
    except ValueError:
        value = None
    ddl = _json_type(value) or "STRING"
    return func("schema_of_json", [], lambda ctx, ddl: Typed(ddl, T.StringType(), False),
                sql=f"schema_of_json({text})", ddl=ddl)
