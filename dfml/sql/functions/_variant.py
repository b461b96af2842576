"""VARIANT functions: ``parse_json``, ``variant_get``, ``schema_of_variant``, the path edits
(``variant_insert``, ``variant_set``, ``variant_delete``, ``variant_array_append``,
``variant_strip_nulls``) and their ``try_`` forms.

A variant column holds Spark's binary encoding (``dfml.sql.variant_codec``); each function
decodes a row, works on plain Python values and encodes the result again, per partition over
Arrow arrays. Literal paths and target types are checked when the column is built, so a bad
one fails before any work runs; paths given as columns are checked row by row, as in Spark.
"""

from __future__ import annotations

from typing import Any, Callable

import pyarrow as pa

from .. import types as T
from .. import variant_paths as P
from ..column import Column, Ctx, Literal, Typed
from ..errors import AnalysisException
from ..variant_cast import check_source, check_target, from_spark, to_spark
from ..variant_codec import VariantError, decode, encode, is_valid, parse_json_text
from ..variant_text import merge, schema_of, schema_text, to_json as _variant_json
from ._aggregates import collect_list
from ._common import col_expr, func, lit_expr, per_partition

__all__ = ["parse_json", "try_parse_json", "variant_get", "try_variant_get", "is_variant_null",
           "is_valid_variant", "schema_of_variant", "schema_of_variant_agg", "to_variant_object",
           "variant_array_append", "try_variant_array_append", "variant_delete", "variant_insert",
           "try_variant_insert", "variant_set", "try_variant_set", "variant_strip_nulls"]

_VARIANT = T.VariantType()


def _rows(ctx: Ctx, ts: list[Typed], fn: Callable[..., Any], out: T.DataType) -> Typed:
    """``fn`` applied to each row of ``ts`` (None for a null in a ``strict`` position is the
    caller's business), giving a column of ``out``."""
    arrow_t = T.to_arrow(out)

    def kernel(*cols: Any) -> pa.Array:
        n = len(cols[0])
        vals = [c.to_pylist() if isinstance(c, pa.ChunkedArray) else [c] * n for c in cols]
        return pa.array([fn(*row) for row in zip(*vals)], arrow_t)
    return Typed(per_partition(ctx, ts, kernel, out), out, True)


def _packed(v: Any) -> dict:
    value, meta = encode(v)
    return {"value": value, "metadata": meta}


def _unpacked(d: dict) -> Any:
    return decode(d["value"], d["metadata"])


def _need_variant(t: Typed, fn: str, arg: str = "first") -> None:
    if not isinstance(t.dtype, (T.VariantType, T.NullType)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] {fn}: the {arg} parameter requires the '
            f'"VARIANT" type, got "{t.dtype.simpleString().upper()}"', "DATATYPE_MISMATCH")


def _need_string(t: Typed, fn: str) -> None:
    if not isinstance(t.dtype, (T.StringType, T.NullType)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] {fn}: the path requires the "STRING" '
            f'type, got "{t.dtype.simpleString().upper()}"', "DATATYPE_MISMATCH")


def _str_arg(s: Any) -> str:
    return s if isinstance(s, str) else str(s)


# ---------------------------------------------------------------- parsing

def _parse(col: Any, name: str, try_: bool) -> Column:
    def one(s: Any) -> Any:
        if s is None:
            return None
        try:
            return _packed(parse_json_text(s))
        except VariantError:
            if try_:
                return None
            raise
        except ValueError:
            if try_:
                return None
            raise VariantError("MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION",
                               f"Malformed records are detected in record parsing: {s}.\nParse "
                               f"Mode: FAILFAST. To process malformed records as null result, try "
                               f"setting the option 'mode' as 'PERMISSIVE'.") from None

    def impl(ctx: Ctx, t: Typed) -> Typed:
        if not isinstance(t.dtype, (T.StringType, T.NullType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] {name}: the first parameter requires '
                f'the "STRING" type, got "{t.dtype.simpleString().upper()}"', "DATATYPE_MISMATCH")
        return _rows(ctx, [t], one, _VARIANT)
    return func(name, [col_expr(col)], impl)


def parse_json(col: Any) -> Column:
    """JSON text as a VARIANT (an error for text that is not JSON)."""
    return _parse(col, "parse_json", False)


def try_parse_json(col: Any) -> Column:
    """JSON text as a VARIANT (null for text that is not JSON)."""
    return _parse(col, "try_parse_json", True)


def to_variant_object(col: Any) -> Column:
    """An array, map or struct as a VARIANT (structs and maps become objects)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if not isinstance(t.dtype, (T.ArrayType, T.MapType, T.StructType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] to_variant_object: the first parameter '
                f'requires an array, map or struct, got "{t.dtype.simpleString().upper()}"',
                "DATATYPE_MISMATCH")
        check_source(t.dtype, "to_variant_object")
        dt = t.dtype
        return _rows(ctx, [t], lambda v: None if v is None else _packed(from_spark(v, dt)), _VARIANT)
    return func("to_variant_object", [col_expr(col)], impl)


# ---------------------------------------------------------------- reading

def _path_arg(path: Any) -> tuple[Any, str]:
    if isinstance(path, Column):
        e = path._expr
        return e, e.value if isinstance(e, Literal) and isinstance(e.value, str) else None
    if isinstance(path, str):
        return Literal(path), path
    raise TypeError(f"path must be a str or a Column, got {type(path).__name__}: {path!r}")


def _const(x: Any) -> Any:
    """A constant argument given as a literal Column (as the SQL translator passes it)."""
    if isinstance(x, Column) and isinstance(x._expr, Literal):
        return x._expr.value
    return x


def _get(v: Any, path: Any, targetType: str, name: str, try_: bool) -> Column:
    targetType = _const(targetType)
    if not isinstance(targetType, str):
        raise TypeError(f"{name}(): targetType must be a DDL type string, got {targetType!r}")
    dt = T.parse_type(targetType)
    check_target(dt, name)
    pe, fixed = _path_arg(path)
    if fixed is not None:
        P.segments(fixed, name, True, get=True)
    ve = col_expr(v)

    def one(d: Any, p: Any) -> Any:
        if d is None or p is None:
            return None
        segs = P.segments(_str_arg(p), name, True, get=True)
        found = P.get(_unpacked(d), segs)
        return None if P.missing(found) else to_spark(found, dt, try_)

    def impl(ctx: Ctx, t: Typed, tp: Typed) -> Typed:
        _need_variant(t, name)
        _need_string(tp, name)
        return _rows(ctx, [t, tp], one, dt)
    return func(name, [ve, pe], impl, sql=f"{name}({ve.sql()}, {pe.sql()})")


def variant_get(v: Any, path: Any, targetType: str) -> Column:
    """The value at ``path`` cast to ``targetType`` (null if absent, an error if the cast fails)."""
    return _get(v, path, targetType, "variant_get", False)


def try_variant_get(v: Any, path: Any, targetType: str) -> Column:
    """The value at ``path`` cast to ``targetType`` (null if absent or if the cast fails)."""
    return _get(v, path, targetType, "try_variant_get", True)


def _unary(v: Any, name: str, fn: Callable[[Any], Any], out: T.DataType,
           null_in: Any = None) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _need_variant(t, name)
        return _rows(ctx, [t], lambda d: null_in if d is None else fn(d), out)
    return func(name, [col_expr(v)], impl)


def is_variant_null(v: Any) -> Column:
    """Whether the value is a variant null (false for a SQL NULL)."""
    return _unary(v, "is_variant_null", lambda d: _unpacked(d) is None, T.BooleanType(), False)


def is_valid_variant(v: Any) -> Column:
    """Whether the bytes are a well-formed variant (null for NULL)."""
    return _unary(v, "is_valid_variant", lambda d: is_valid(d["value"], d["metadata"]),
                  T.BooleanType())


def schema_of_variant(v: Any) -> Column:
    """The value's schema as Spark prints it (``OBJECT<a: BIGINT>``)."""
    return _unary(v, "schema_of_variant", lambda d: schema_text(schema_of(_unpacked(d))),
                  T.StringType())


def schema_of_variant_agg(v: Any) -> Column:
    """The merged schema of all the values of a column (an aggregate)."""
    e = col_expr(v)

    def merged(xs: Any) -> str:
        s: Any = "VOID"
        for d in xs or []:
            if d is not None:
                s = merge(s, schema_of(_unpacked(d)))
        return schema_text(s)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.ArrayType):
            _need_variant(Typed(None, t.dtype.elementType), "schema_of_variant_agg")
        return _rows(ctx, [t], merged, T.StringType())
    return func("schema_of_variant_agg", [collect_list(Column(e))._expr], impl,
                sql=f"schema_of_variant_agg({e.sql()})")


# ---------------------------------------------------------------- editing

def _edit(name: str, v: Any, path: Any, value: Any, try_: bool, root_ok: bool,
          apply: Callable[..., Any], extra_sql: str = "") -> Column:
    pe, fixed = _path_arg(path)
    if fixed is not None:
        P.segments(fixed, name, root_ok)
    ve, xe = col_expr(v), lit_expr(value) if not isinstance(value, str) else col_expr(value)

    def impl(ctx: Ctx, t: Typed, tp: Typed, tx: Typed) -> Typed:
        _need_variant(t, name)
        _need_string(tp, name)
        check_source(tx.dtype, name)
        xdt = tx.dtype

        def one(d: Any, p: Any, x: Any) -> Any:
            if d is None or p is None or x is None:
                return None
            try:
                segs = P.segments(_str_arg(p), name, root_ok)
                return _packed(apply(_unpacked(d), segs, from_spark(x, xdt), _str_arg(p)))
            except VariantError as err:
                if try_ and err.error_class in ("VARIANT_PATH_TYPE_MISMATCH", "VARIANT_DUPLICATE_KEY"):
                    return None
                raise
        return _rows(ctx, [t, tp, tx], one, _VARIANT)
    return func(name, [ve, pe, xe], impl, sql=f"{name}({ve.sql()}, {pe.sql()}, {xe.sql()}{extra_sql})")


def _inserter(name: str) -> Callable[..., Any]:
    return lambda d, segs, x, p: P.put(d, segs, x, p, name, "insert")


def variant_insert(v: Any, path: Any, value: Any) -> Column:
    """``v`` with ``value`` inserted at ``path`` (an error if the key exists)."""
    return _edit("variant_insert", v, path, value, False, False, _inserter("variant_insert"))


def try_variant_insert(v: Any, path: Any, value: Any) -> Column:
    """``v`` with ``value`` inserted at ``path`` (null where the insertion fails)."""
    return _edit("try_variant_insert", v, path, value, True, False, _inserter("try_variant_insert"))


def _setter(name: str, create: bool) -> Callable[..., Any]:
    create = _const(create)
    if not isinstance(create, bool):
        raise TypeError(f"{name}(): create_if_missing must be a bool, got {create!r}")
    return lambda d, segs, x, p: P.put(d, segs, x, p, name, "set", create)


def variant_set(v: Any, path: Any, value: Any, create_if_missing: bool = True) -> Column:
    """``v`` with ``value`` at ``path``, replacing or (by default) creating it."""
    return _edit("variant_set", v, path, value, False, False, _setter("variant_set", create_if_missing),
                 f", {str(_const(create_if_missing)).lower()}")


def try_variant_set(v: Any, path: Any, value: Any, create_if_missing: bool = True) -> Column:
    """``variant_set``, null where the path meets a value of the wrong kind."""
    return _edit("try_variant_set", v, path, value, True, False,
                 _setter("try_variant_set", create_if_missing),
                 f", {str(_const(create_if_missing)).lower()}")


def variant_array_append(v: Any, path: Any, value: Any) -> Column:
    """``v`` with ``value`` appended to the array at ``path`` (unchanged if the path is absent)."""
    return _edit("variant_array_append", v, path, value, False, True,
                 lambda d, segs, x, p: P.append(d, segs, x, p, "variant_array_append"))


def try_variant_array_append(v: Any, path: Any, value: Any) -> Column:
    """``variant_array_append``, null where the target is not an array."""
    return _edit("try_variant_array_append", v, path, value, True, True,
                 lambda d, segs, x, p: P.append(d, segs, x, p, "try_variant_array_append"))


def variant_delete(v: Any, *paths: Any) -> Column:
    """``v`` without the values at ``paths`` (applied left to right; null paths skipped)."""
    if not paths:
        raise ValueError("[CANNOT_BE_EMPTY] At least one paths must be specified.")
    pes = []
    for p in paths:
        pe, fixed = _path_arg(p)
        if fixed is not None:
            P.segments(fixed, "variant_delete", False)
        pes.append(pe)
    ve = col_expr(v)

    def one(d: Any, *ps: Any) -> Any:
        if d is None:
            return None
        val = _unpacked(d)
        for p in ps:
            if p is not None:
                val = P.delete(val, P.segments(_str_arg(p), "variant_delete", False))
        return _packed(val)

    def impl(ctx: Ctx, t: Typed, *tps: Typed) -> Typed:
        _need_variant(t, "variant_delete")
        for tp in tps:
            _need_string(tp, "variant_delete")
        return _rows(ctx, [t, *tps], one, _VARIANT)
    return func("variant_delete", [ve, *pes], impl,
                sql="variant_delete(" + ", ".join(e.sql() for e in [ve, *pes]) + ")")


def variant_strip_nulls(v: Any, include_arrays: bool = True) -> Column:
    """``v`` without variant-null object fields (and array elements unless ``include_arrays``
    is False), recursively."""
    include_arrays = _const(include_arrays)
    if not isinstance(include_arrays, bool):
        raise TypeError(f"variant_strip_nulls(): include_arrays must be a bool, got {include_arrays!r}")
    ve = col_expr(v)
    inner = _unary(Column(ve), "variant_strip_nulls",
                   lambda d: _packed(P.strip_nulls(_unpacked(d), include_arrays)), _VARIANT)
    return func("variant_strip_nulls", [inner._expr], lambda ctx, t: t,
                sql=f"variant_strip_nulls({ve.sql()}, {str(include_arrays).lower()})")


def variant_json(d: Any) -> str:
    """A stored variant (Arrow's dict of the two buffers) as Spark's JSON text."""
    return _variant_json(_unpacked(d))
