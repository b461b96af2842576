"""String functions: native dask ``.str`` methods where they exist, Arrow kernels otherwise."""

from __future__ import annotations

import builtins
import functools
import re
from typing import Any

import pyarrow as pa

from .. import types as T
from .. import column_ops as ops
from ..column import Column, Ctx, Literal, Typed, cast_to, fix_dtype
from ..kernels import rowwise
from ..errors import AnalysisException
from ..star_args import expands_star
from ._common import col_expr, func, lit_expr, per_partition
from .._casts import cast_series
from ..coercion import cast_scalar

__all__ = ["lower", "upper", "length", "substring", "concat", "concat_ws", "trim", "ltrim", "rtrim",
           "regexp_replace", "regexp_extract", "split", "lpad", "rpad", "initcap", "reverse",
           "repeat", "instr", "locate", "translate"]


_str = ops.string_arg


def _string_test(name: str) -> Any:
    def f(c: Column, other: Any) -> Column:
        return Column(ops.string_test(name, c._expr, lit_expr(other)))
    f.__name__ = name
    return f


startswith = _string_test("startswith")
endswith = _string_test("endswith")
contains = _string_test("contains")


def like(c: Column, pattern: str, case_insensitive: bool = False) -> Column:
    return Column(ops.like(c._expr, pattern, case_insensitive))


def rlike(c: Column, pattern: str) -> Column:
    return Column(ops.rlike(c._expr, pattern))


def lower(col: Any) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = _str("lower", t)
        return Typed(fix_dtype(t.value.str.lower(), T.StringType()), T.StringType(), t.nullable)
    return func("lower", [col], impl)


def upper(col: Any) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = _str("upper", t)
        return Typed(fix_dtype(t.value.str.upper(), T.StringType()), T.StringType(), t.nullable)
    return func("upper", [col], impl)


def length(col: Any) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = _str("length", t)
        return Typed(fix_dtype(t.value.str.len(), T.IntegerType()), T.IntegerType(), t.nullable)
    return func("length", [col], impl)


def _trim(name: str, method: str, side: str) -> Any:
    def f(col: Any, trim: Any = None) -> Column:
        """Spaces off the string's ends; with ``trim`` (a column or column name, as in PySpark)
        every character of that row's ``trim`` string instead, named as Spark names it
        (``TRIM(LEADING t FROM value)``)."""
        if trim is None:
            def impl(ctx: Ctx, t: Typed) -> Typed:
                t = _str(name, t)
                value = getattr(t.value.str, method)(" ")
                return Typed(fix_dtype(value, T.StringType()), T.StringType(), t.nullable)
            return func(name, [col], impl)
        src, chars = col_expr(col), col_expr(trim)
        sql = f"TRIM({side} {chars.sql()} FROM {src.sql()})"

        def impl_chars(ctx: Ctx, t: Typed, c: Typed) -> Typed:
            t, c = _str(name, t), _str(name, c)
            if c.is_scalar:  # one set of characters for every row: pandas' vectorized strip
                if c.value is None:
                    return Typed(None, T.StringType(), True)
                value = getattr(ctx.broadcast(t).str, method)(c.value)
                return Typed(fix_dtype(value, T.StringType()), T.StringType(), t.nullable)
            k = ops.row_func(name, [], "ss", lambda v, cs: getattr(v, method)(cs), T.StringType())
            return k.impl(ctx, t, c)
        return func(name, [src, chars], impl_chars, sql=sql)
    f.__name__ = name
    return f


trim = _trim("trim", "strip", "BOTH")
ltrim = _trim("ltrim", "lstrip", "LEADING")
rtrim = _trim("rtrim", "rstrip", "TRAILING")


def _col_or_value(v: Any) -> Any:
    """An argument Spark types ``ColumnOrName | int``: a str names a column."""
    return col_expr(v) if isinstance(v, (str, Column)) else lit_expr(v)


def substring(str: Any, pos: Any, len: Any) -> Column:  # noqa: A002 - Spark's names
    """1-based substring; ``pos`` and ``len`` may be ints, columns or column names."""
    if isinstance(pos, int) and isinstance(len, int):
        return Column(ops.substring(col_expr(str), pos, len))
    return Column(ops.substring_of(col_expr(str), _col_or_value(pos), _col_or_value(len)))


@expands_star
def concat(*cols: Any) -> Column:
    """Strings joined end to end, or arrays one after another; null if any input is null."""
    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        if any(isinstance(t.dtype, T.ArrayType) for t in ts):
            return _concat_arrays(ctx, ts)
        if ts and all(isinstance(t.dtype, T.BinaryType) for t in ts):
            return _concat_binary(ctx, ts)
        vals = [_str("concat", t) for t in ts]
        out = ctx.broadcast(vals[0]) if not (vals[0].is_scalar and vals[0].value is None) \
            else ctx.broadcast(Typed(None, T.StringType()))
        for v in vals[1:]:
            if v.is_scalar and v.value is None:
                out = ctx.broadcast(Typed(None, T.StringType()))
            else:
                out = out + v.value
        return Typed(fix_dtype(out, T.StringType()), T.StringType(), True)
    return func("concat", list(cols), impl)


def _concat_binary(ctx: Ctx, ts: tuple[Typed, ...]) -> Typed:
    """``concat`` of binary inputs only is binary, as in Spark (a string or NULL among them makes
    it a string concat): Arrow joins the bytes, null when any input is."""
    import pyarrow.compute as pc

    def k(*parts: Any) -> pa.Array:
        n = next(builtins_len(p) for p in parts if isinstance(p, pa.ChunkedArray))
        arrays = [p.combine_chunks().cast(pa.large_binary()) if isinstance(p, pa.ChunkedArray)
                  else pa.array([p] * n, pa.large_binary()) for p in parts]
        return pc.binary_join_element_wise(*arrays, pa.scalar(b"", pa.large_binary()))
    first = Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable)
    return Typed(per_partition(ctx, [first, *ts[1:]], k, T.BinaryType()), T.BinaryType(),
                 any(t.nullable for t in ts))


def _concat_arrays(ctx: Ctx, ts: tuple[Typed, ...]) -> Typed:
    from ..coercion import common_type
    from ..errors import AnalysisException
    if not all(isinstance(t.dtype, (T.ArrayType, T.NullType)) for t in ts):
        raise AnalysisException(
            "[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve \"concat\": the inputs mix arrays "
            f"and other types ({', '.join(t.dtype.simpleString() for t in ts)}).",
            "DATATYPE_MISMATCH.DATA_DIFF_TYPES")
    elem = common_type([t.dtype.elementType for t in ts if isinstance(t.dtype, T.ArrayType)], "concat")
    out = T.ArrayType(elem, True)
    if any(t.is_scalar and t.value is None for t in ts):
        return Typed(None, out, True)
    ts = tuple(cast_to(t, out) if not t.is_scalar else t for t in ts)

    def k(*parts: Any) -> pa.Array:
        n = next(builtins_len(p) for p in parts if isinstance(p, pa.ChunkedArray))
        cols_ = [p.to_pylist() if isinstance(p, pa.ChunkedArray) else [p] * n for p in parts]
        return pa.array([None if any(v is None for v in row) else [x for v in row for x in v]
                         for row in zip(*cols_)], T.to_arrow(out))
    return Typed(per_partition(ctx, list(ts), k, out), out, True)


@expands_star(skip=1)
def concat_ws(sep: str, *cols: Any) -> Column:
    """Strings and the elements of string arrays joined with ``sep``, skipping nulls (a null
    argument or element adds nothing, as Spark's: never a null result)."""
    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        arrs = [_ws_arg(t) for t in ts]

        def k(*parts: Any) -> pa.ChunkedArray:
            n = next(len(p) for p in parts if isinstance(p, pa.ChunkedArray))
            lists = [p.to_pylist() if isinstance(p, pa.ChunkedArray) else [p] * n for p in parts]
            out = [sep.join(_ws_items(row)) for row in zip(*lists)]
            return pa.chunked_array([pa.array(out, pa.large_string())])
        return Typed(per_partition(ctx, arrs, k, T.StringType()), T.StringType(), False)
    return func("concat_ws", list(cols), impl,
                sql=f"concat_ws({sep}, {', '.join(col_expr(c).sql() for c in cols)})")


def _ws_arg(t: Typed) -> Typed:
    """A ``concat_ws`` argument as a string or an array of strings (Spark casts other element
    types implicitly, as a cast to string prints them)."""
    if not isinstance(t.dtype, T.ArrayType):
        return _str("concat_ws", t)
    strings = T.ArrayType(T.StringType(), True)
    if isinstance(t.dtype.elementType, T.StringType):
        return t
    if t.is_scalar:
        return Typed(cast_scalar(t.value, strings), strings, t.nullable)
    return Typed(cast_series(t.value, t.dtype, strings), strings, t.nullable)


def _ws_items(row: tuple) -> list[str]:
    out: list[str] = []
    for v in row:
        if isinstance(v, list):
            out.extend(x for x in v if x is not None)
        elif v is not None:
            out.append(v)
    return out


def _java_replacement(rep: str) -> str:
    """Java's ``$1`` group references as Python's ``\\g<1>``."""
    out, i = [], 0
    while i < len(rep):
        ch = rep[i]
        if ch == "\\" and i + 1 < len(rep):
            out.append(re.escape(rep[i + 1]) if rep[i + 1] != "\\" else "\\\\")
            i += 2
            continue
        if ch == "$" and i + 1 < len(rep) and rep[i + 1].isdigit():
            j = i + 1
            while j < len(rep) and rep[j].isdigit():
                j += 1
            out.append(f"\\g<{rep[i + 1:j]}>")
            i = j
            continue
        out.append(ch.replace("\\", "\\\\"))
        i += 1
    return "".join(out)


def _rows_kernel(fn: Any, out_t: pa.DataType) -> Any:
    def k(a: pa.ChunkedArray) -> pa.Array:
        return pa.array([None if v is None else fn(v) for v in a.to_pylist()], out_t)
    return k


@functools.lru_cache(maxsize=256)
def _compiled_replace(pattern: str, replacement: str) -> tuple:
    return re.compile(pattern), _java_replacement(replacement)


def regexp_replace(string: Any, pattern: Any, replacement: Any, position: Any = 1) -> Column:
    """Every match of the Java-style regex ``pattern`` replaced by ``replacement`` (``$1``
    group references), from 1-based ``position`` on. A str ``pattern``/``replacement`` is the
    text itself; either may be a Column, whose value each row compiles (cached)."""
    if isinstance(position, Column) and isinstance(position._expr, Literal):
        position = position._expr.value
    if isinstance(position, bool) or not isinstance(position, int):
        raise TypeError(f"regexp_replace: position must be an int literal, got {position!r}")
    if position < 1:
        raise AnalysisException(f"[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] regexp_replace: the "
                                f"position must be positive, got {position}.",
                                "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE")
    start = position - 1

    def one(v: str, pat: str, rep: str) -> str:
        rx, jrep = _compiled_replace(pat, rep)
        return v[:start] + rx.sub(jrep, v[start:]) if start else rx.sub(jrep, v)
    e = col_expr(string)
    p = pattern._expr if isinstance(pattern, Column) else lit_expr(pattern)
    r = replacement._expr if isinstance(replacement, Column) else lit_expr(replacement)
    sql = f"regexp_replace({e.sql()}, {p.sql()}, {r.sql()}, {position})"
    if isinstance(p, Literal) and isinstance(r, Literal) and isinstance(p.value, str) \
            and isinstance(r.value, str):
        _compiled_replace(p.value, r.value)  # a bad pattern fails here, before any work runs
        pat, rep = p.value, r.value

        def impl(ctx: Ctx, t: Typed) -> Typed:
            t = _str("regexp_replace", t)
            return Typed(per_partition(ctx, [t], _rows_kernel(lambda v: one(v, pat, rep), pa.large_string()),
                                       T.StringType()), T.StringType(), t.nullable)
        return func("regexp_replace", [e], impl, sql=sql)
    return Column(ops.row_func("regexp_replace", [e, p, r], "sss", one, T.StringType(), sql=sql))


def regexp_extract(str: Any, pattern: str, idx: int) -> Column:  # noqa: A002
    rx = re.compile(pattern)

    def pick(v: str) -> str:
        m = rx.search(v)
        if m is None:
            return ""
        g = m.group(idx)
        return "" if g is None else g

    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = _str("regexp_extract", t)
        if idx > rx.groups:
            raise ValueError(f"regexp_extract: the regex group count is {rx.groups}, but the "
                             f"specified group index is {idx}")
        return Typed(per_partition(ctx, [t], _rows_kernel(pick, pa.large_string()), T.StringType()),
                     T.StringType(), t.nullable)
    e = col_expr(str)
    return func("regexp_extract", [e], impl, sql=f"regexp_extract({e.sql()}, {pattern}, {idx})")


builtins_str = builtins.str


def split(str: Any, pattern: Any, limit: Any = -1) -> Column:  # noqa: A002
    """Split around a Java-style regex; ``pattern`` and ``limit`` may be columns (a str pattern
    is the regex itself, as in Spark)."""
    def cut(v: str, pat: str, lim: int) -> list:
        if lim == 1:
            return [v]
        if lim > 0:
            return re.split(pat, v, maxsplit=lim - 1)
        return re.split(pat, v)
    # Spark 4: a str limit names a column, as a Column does; an int is the limit itself
    e, p = col_expr(str), lit_expr(pattern)
    n = col_expr(limit) if isinstance(limit, (builtins_str, Column)) else lit_expr(limit)
    return Column(ops.row_func("split", [e, p, n], "ssi", cut, T.ArrayType(T.StringType(), True)))


def _pad(name: str, left: bool) -> Any:
    def f(col: Any, len: Any, pad: Any) -> Column:  # noqa: A002
        """Pad (or cut) to ``len`` characters; ``len`` and ``pad`` may be columns."""
        def one(v: str, n: int, fill_with: str) -> str:
            if n <= 0:
                return ""
            if builtins_len(v) >= n:
                return v[:n]
            if not fill_with:
                return v
            fill = (fill_with * n)[: n - builtins_len(v)]
            return fill + v if left else v + fill
        c, n, p = col_expr(col), lit_expr(len), lit_expr(pad)
        sql = f"{name}({c.sql()}, {n.sql()}, {p.sql()})"
        if isinstance(p, Literal) and isinstance(p.value, (bytes, bytearray)):
            # a binary pad of a string: Spark reads the bytes as UTF-8 text (and shows X'..')
            p = Literal(bytes(p.value).decode("utf-8", "replace"))
        return Column(ops.row_func(name, [c, n, p], "sis", one, T.StringType(), sql=sql))
    f.__name__ = name
    return f


import builtins as _builtins  # noqa: E402

builtins_len = _builtins.len
lpad = _pad("lpad", True)
rpad = _pad("rpad", False)


def _simple(name: str, fn: Any) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            t = _str(name, t)
            return Typed(per_partition(ctx, [t], _rows_kernel(fn, pa.large_string()), T.StringType()),
                         T.StringType(), t.nullable)
        return func(name, [col], impl)
    f.__name__ = name
    return f


initcap = _simple("initcap", lambda v: " ".join(w[:1].upper() + w[1:].lower() for w in v.split(" ")))
def _reverse_lists(a: pa.ChunkedArray) -> pa.Array:
    """Each list's elements in reverse order, by one take over the flat values: the element at
    flat position p of list i moves to offsets[i] + offsets[i + 1] - 1 - p."""
    arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    import numpy as np
    offsets = np.asarray(arr.offsets)
    starts, ends = offsets[:-1], offsets[1:]
    flat = np.arange(offsets[0], offsets[-1])
    owner = np.searchsorted(ends, flat, side="right")
    src = starts[owner] + ends[owner] - 1 - flat
    values = arr.values.take(pa.array(src, pa.int64())) if len(src) else arr.values.slice(0, 0)
    large = pa.types.is_large_list(arr.type)
    rebased = pa.array(offsets - offsets[0], pa.int64() if large else pa.int32())
    cls = pa.LargeListArray if large else pa.ListArray
    return cls.from_arrays(rebased, values, type=arr.type, mask=arr.is_null())


def reverse(col: Any) -> Column:
    """A string's characters, a binary's bytes or an array's elements in reverse order."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.ArrayType):
            if t.is_scalar:
                t = Typed(ctx.broadcast(t), t.dtype, t.nullable)
            return Typed(per_partition(ctx, [t], _reverse_lists, t.dtype), t.dtype, t.nullable)
        if isinstance(t.dtype, T.BinaryType):
            if t.is_scalar:
                return Typed(None if t.value is None else bytes(t.value)[::-1], t.dtype, t.nullable)
            return Typed(per_partition(ctx, [t], _rows_kernel(lambda v: v[::-1], pa.binary()),
                                       t.dtype), t.dtype, t.nullable)
        t = _str("reverse", t)
        return Typed(per_partition(ctx, [t], _rows_kernel(lambda v: v[::-1], pa.large_string()),
                                   T.StringType()), T.StringType(), t.nullable)
    return func("reverse", [col], impl)


def repeat(col: Any, n: Any) -> Column:
    """``col`` repeated ``n`` times; ``n`` may be an int, a column or a column name."""
    return Column(ops.row_func("repeat", [col_expr(col), _col_or_value(n)], "si",
                               lambda v, k: v * max(k, 0), T.StringType()))


def instr(str: Any, substr: Any, start: Any = None, occurrence: Any = None) -> Column:  # noqa: A002
    """1-based position of ``substr`` (a string or a column) in ``str``; 0 when absent. With
    ``start`` (and ``occurrence``, default 1): the occurrence-th match from character ``start``,
    searching backwards from ``len + start + 1`` when ``start`` is negative (overlapping matches
    count, an empty ``substr`` is at 1), as Spark 4.3's four-argument ``instr``."""
    if start is None and occurrence is None:
        return Column(ops.row_func("instr", [col_expr(str), lit_expr(substr)], "ss",
                                   lambda v, sub: v.find(sub) + 1, T.IntegerType()))
    if isinstance(occurrence, int) and not isinstance(occurrence, bool) and occurrence < 1:
        raise _occurrence_error(occurrence)
    args = [col_expr(str), lit_expr(substr), lit_expr(1 if start is None else start),
            lit_expr(1 if occurrence is None else occurrence)]
    return Column(ops.row_func("instr", args, "ssii", _instr_at, T.IntegerType()))


def _occurrence_error(occurrence: int) -> Exception:
    from ..errors import SparkException
    return SparkException(
        "[INVALID_PARAMETER_VALUE.OCCURRENCE] The value of parameter(s) `occurrence` in `instr` is "
        f"invalid: expects a positive integer, but got {occurrence}.")


def _instr_at(s: str, sub: str, start: int, occurrence: int) -> int:
    """One row of the four-argument ``instr`` (see ``instr``)."""
    if occurrence < 1:
        raise _occurrence_error(occurrence)
    if sub == "":
        return 1
    if start > 0:
        at = start - 1
        while (j := s.find(sub, at)) >= 0:
            occurrence -= 1
            if occurrence == 0:
                return j + 1
            at = j + 1
        return 0
    last = builtins_len(s) + start  # 0-based index a match may start at, at the latest
    if start == 0 or last < 0:
        return 0
    end = last + builtins_len(sub)
    while (j := s.rfind(sub, 0, end)) >= 0:
        occurrence -= 1
        if occurrence == 0:
            return j + 1
        end = j + builtins_len(sub) - 1
    return 0


def locate(substr: str, str: Any, pos: int = 1) -> Column:  # noqa: A002
    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = _str("locate", t)
        fn = (lambda v: 0 if pos < 1 else v.find(substr, pos - 1) + 1)
        return Typed(per_partition(ctx, [t], _rows_kernel(fn, pa.int32()), T.IntegerType()),
                     T.IntegerType(), t.nullable)
    e = col_expr(str)
    return func("locate", [e], impl, sql=f"locate({substr}, {e.sql()}, {pos})")


def translate(srcCol: Any, matching: str, replace: str) -> Column:
    table = {ord(c): (replace[i] if i < builtins_len(replace) else None) for i, c in enumerate(matching)}

    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = _str("translate", t)
        return Typed(per_partition(ctx, [t], _rows_kernel(lambda v: v.translate(table), pa.large_string()),
                                   T.StringType()), T.StringType(), t.nullable)
    e = col_expr(srcCol)
    return func("translate", [e], impl, sql=f"translate({e.sql()}, {matching}, {replace})")
