"""Spark's KLL quantile sketches, in three flavours named by their item type (``_bigint``,
``_float``, ``_double``): the aggregates ``kll_sketch_agg_*`` and ``kll_merge_agg_*``, and
``kll_sketch_get_quantile_*``, ``kll_sketch_get_rank_*``, ``kll_sketch_get_n_*``,
``kll_sketch_merge_*`` and ``kll_sketch_to_string_*``.

Floats and doubles are DataSketches' ``kll_floats_sketch``/``kll_doubles_sketch``, the same
format as Java's. The Python package has no longs sketch; a KLL image is the same for any
fixed-width item (preamble, levels, min, max, items), so the ``bigint`` flavour is the generic
items sketch with 8-byte little-endian items: Java's ``KllLongsSketch`` bytes, except that
items of the unsorted bottom level may be stored in another order (same sketch, same answers).
Queries use inclusive ranks, Spark's (Java's) default: ``get_rank(3)`` of 1..5 is 0.6. KLL
compaction is randomized, so past ``k`` items two engines agree within the sketch's error,
not exactly; below ``k`` the sketch keeps every value and the answers are exact.
"""

from __future__ import annotations

import struct
from typing import Any

import datasketches as ds
import numpy as np

from .. import types as T
from ..column import Column
from ..errors import AnalysisException, SparkException
from ..formatting import format_double
from ._common import col_expr
from ._sketch_core import (FAMILIES, SketchFamily, accepting, bad_sketch, constant, require_binary,
                           sketch_agg, sketch_function)

_FLAVOURS = ("bigint", "float", "double")
__all__ = [f"{stem}_{f}" for f in _FLAVOURS for stem in (
    "kll_sketch_agg", "kll_merge_agg", "kll_sketch_get_quantile", "kll_sketch_get_rank",
    "kll_sketch_get_n", "kll_sketch_merge", "kll_sketch_to_string")]

_ITEM_TYPE = {"bigint": T.LongType(), "float": T.FloatType(), "double": T.DoubleType()}
_ITEM_BYTES = {"bigint": 8, "float": 4, "double": 8}
_INPUTS = {"bigint": accepting('("TINYINT" or "INT" or "BIGINT" or "SMALLINT")', T.IntegralType),
           "float": accepting('"FLOAT"', T.FloatType),
           "double": accepting('("FLOAT" or "DOUBLE")', T.FloatType, T.DoubleType)}


def _new(flavour: str, k: int) -> Any:
    if flavour == "bigint":
        return ds.kll_items_sketch(k)
    return ds.kll_floats_sketch(k) if flavour == "float" else ds.kll_doubles_sketch(k)


def _image(flavour: str, sketch: Any) -> bytes:
    return sketch.serialize(ds.PyLongsSerDe()) if flavour == "bigint" else sketch.serialize()


def _load(flavour: str, b: bytes, fn: str) -> Any:
    try:
        if flavour == "bigint":
            return ds.kll_items_sketch.deserialize(bytes(b), ds.PyLongsSerDe())
        cls = ds.kll_floats_sketch if flavour == "float" else ds.kll_doubles_sketch
        return cls.deserialize(bytes(b))
    except Exception as err:  # the package raises RuntimeError/ValueError on bad images
        raise bad_sketch(fn, "KLL_INVALID_INPUT_SKETCH_BUFFER", err) from None


def _k_of(image: bytes) -> int:
    return struct.unpack_from("<H", bytes(image), 4)[0]


def _merged(flavour: str, images: list, k: int | None, fn: str) -> bytes | None:
    """The merge of KLL images into a sketch of ``k`` (None: the first image's k)."""
    if not images:
        return None
    out = _new(flavour, k if k is not None else _k_of(images[0]))
    for b in images:
        out.merge(_load(flavour, b, fn))
    return _image(flavour, out)


def _build(flavour: str) -> Any:
    def build(values: list, k: int) -> bytes:
        s = _new(flavour, k)
        for v in values:
            if flavour == "bigint":
                s.update(int(v))
            elif v == v:  # NaN is skipped (DataSketches ignores it too)
                s.update(float(v))
        return _image(flavour, s)
    return build


for _f in _FLAVOURS:
    FAMILIES[f"kll_build_{_f}"] = SketchFamily(
        _build(_f), lambda states, k, f=_f: _merged(f, states, k, f"kll_sketch_agg_{f}"),
        lambda k, f=_f: _image(f, _new(f, k)), _INPUTS[_f])
    FAMILIES[f"kll_merge_{_f}"] = SketchFamily(
        lambda images, k, f=_f: _merged(f, images, k, f"kll_merge_agg_{f}"),
        lambda states, k, f=_f: _merged(f, states, k, f"kll_merge_agg_{f}"),
        lambda k, f=_f: _image(f, _new(f, 200 if k is None else k)), require_binary)


def _k(value: Any, fn: str, default: int | None) -> int | None:
    k = constant(value, fn, "k", default, int)
    if k is not None and not 8 <= k <= 65535:
        raise AnalysisException(f"[KLL_INVALID_K] Invalid call to {fn}; only values of k between "
                                f"8 and 65535 are allowed, got {k}.", "KLL_INVALID_K")
    return k


def _shown_k(value: Any, k: int | None) -> str | None:
    """Spark's column name carries k only when it was given."""
    return None if value is None else str(k)


def _aggregates(flavour: str) -> tuple[Any, Any]:
    def sketch_agg_fn(col: Any, k: Any = None) -> Column:
        name = f"kll_sketch_agg_{flavour}"
        kk = _k(k, name, 200)
        return sketch_agg(name, f"kll_build_{flavour}", col, kk, _shown_k(k, kk))

    def merge_agg_fn(col: Any, k: Any = None) -> Column:
        name = f"kll_merge_agg_{flavour}"
        kk = _k(k, name, None)
        return sketch_agg(name, f"kll_merge_{flavour}", col, kk, _shown_k(k, kk))

    sketch_agg_fn.__doc__ = (f"The KLL sketch of the group's non-null values as {flavour} items "
                             f"(``k``: 8..65535, default 200; larger is more accurate).")
    merge_agg_fn.__doc__ = (f"The merge of the group's KLL {flavour} sketches (nulls skipped) "
                            f"into one of ``k`` (default: the first sketch's k).")
    return sketch_agg_fn, merge_agg_fn


# ---------------------------------------------------------------- queries
def _check_rank(r: float, fn: str) -> float:
    if not 0.0 <= r <= 1.0:
        raise SparkException(f"[KLL_SKETCH_INVALID_QUANTILE_RANGE] {fn}: the rank {r} must be "
                             f"between 0.0 and 1.0. SQLSTATE: 22003")
    return r


def _scalar_or_array(flavour: str, name: str, out: T.DataType, one: Any, probe: T.DataType) -> Any:
    """``name(sketch, x)`` where ``x`` is one value or an array of them (then an array out)."""
    def f(sketch: Any, x: Any) -> Column:
        s, e = col_expr(sketch), col_expr(x)

        def check_probe(fn_sql: str, pos: int, arg_sql: str, t: T.DataType) -> None:
            inner = t.elementType if isinstance(t, T.ArrayType) else t
            accepting(f'"{probe.simpleString().upper()}" or "ARRAY"', T.NumericType)(
                fn_sql, pos, arg_sql, inner)

        def impl(b: bytes, v: Any) -> Any:
            sk = _load(flavour, b, name)
            if isinstance(v, list):
                return [None if q is None else one(sk, q) for q in v]
            return one(sk, v)
        def out_of(ts: list) -> T.DataType:
            return T.ArrayType(out, True) if isinstance(ts[1], T.ArrayType) else out
        return sketch_function(name, [s, e], impl, out_of, checks=[require_binary, check_probe])
    f.__name__ = name
    return f


def _require_items(sk: Any, fn: str) -> None:
    """Spark (Java) refuses a quantile or rank query on an empty sketch, under this error."""
    if sk.is_empty():
        raise SparkException(f"[KLL_INVALID_INPUT_SKETCH_BUFFER] Invalid call to `{fn}`; the "
                             f"sketch is empty (no non-null input), so it has no quantiles or "
                             f"ranks. SQLSTATE: 22000")


def _quantile(flavour: str) -> Any:
    def one(sk: Any, r: Any) -> Any:
        r = _check_rank(float(r), f"kll_sketch_get_quantile_{flavour}")
        _require_items(sk, f"kll_sketch_get_quantile_{flavour}")
        q = sk.get_quantile(r, True)
        return int(q) if flavour == "bigint" else float(q)
    return one


def _rank(flavour: str) -> Any:
    def one(sk: Any, q: Any) -> Any:
        _require_items(sk, f"kll_sketch_get_rank_{flavour}")
        return float(sk.get_rank(int(q) if flavour == "bigint" else float(q), True))
    return one


# ---------------------------------------------------------------- Java's summary text
def _capacity(k: int, m: int, levels: int) -> int:
    """The item capacity of a KLL sketch of ``levels`` levels: level h holds about k(2/3)^depth
    items (depth counted from the top), at least m."""
    def aux(kk: int, depth: int) -> int:
        return (((2 * kk) << depth) // 3 ** depth + 1) >> 1
    total = 0
    for h in range(levels):
        depth = levels - h - 1
        cap = aux(k, depth) if depth <= 30 else aux(aux(k, depth // 2), depth - depth // 2)
        total += max(m, cap)
    return total


def _item_text(flavour: str, v: Any) -> str:
    if flavour == "bigint":
        return str(int(v))
    if flavour == "double":
        return format_double(float(v))
    return _float_text(float(v))


def _float_text(v: float) -> str:
    """Java's Float.toString: the shortest digits that read back as the same float."""
    if v != v:
        return "NaN"
    short = float(np.format_float_positional(np.float32(v), unique=True, trim="-"))
    return format_double(short)


def _summary(flavour: str, b: bytes) -> str:
    sk = _load(flavour, b, f"kll_sketch_to_string_{flavour}")
    raw = bytes(b)
    flags, k, m = raw[3], struct.unpack_from("<H", raw, 4)[0], raw[6]
    empty, single = bool(flags & 1), bool(flags & 4)
    levels = 1 if empty or single else raw[18]
    min_k = k if empty or single else struct.unpack_from("<H", raw, 16)[0]
    cap = _capacity(k, m, levels)
    retained = sk.num_retained
    size = _ITEM_BYTES[flavour]
    title = {"bigint": "KllKllLongsSketch", "float": "KllKllFloatsSketch",
             "double": "KllKllDoublesSketch"}  # sic: Java's header repeats "Kll"
    rows = [("K", k), ("Dynamic min K", min_k), ("M", m), ("N", sk.n),
            ("Epsilon", f"{ds.kll_doubles_sketch.get_normalized_rank_error(min_k, False) * 100:.3f}%"),
            ("Epsilon PMF", f"{ds.kll_doubles_sketch.get_normalized_rank_error(min_k, True) * 100:.3f}%"),
            ("Empty", str(empty).lower()), ("Estimation Mode", str(levels > 1).lower()),
            ("Levels", levels), ("Level 0 Sorted", str(bool(flags & 2)).lower()),
            ("Capacity Items", cap), ("Retained Items", retained), ("Free Space", cap - retained),
            ("ReadOnly", "false"),
            ("Updatable Storage Bytes", 20 + (levels + 1) * 4 + 2 * size + cap * size),
            ("Compact Storage Bytes", len(raw)),
            ("Min Item", _item_text(flavour, sk.get_min_value()) if not empty else "NaN"),
            ("Max Item", _item_text(flavour, sk.get_max_value()) if not empty else "NaN")]
    body = "".join(f"   {label:<23}: {value}\n" for label, value in rows)
    return f"\n### {title[flavour]} Summary:\n{body}### End sketch summary\n"


def _scalars(flavour: str) -> dict:
    item = _ITEM_TYPE[flavour]
    by_rank = _scalar_or_array(flavour, f"kll_sketch_get_quantile_{flavour}", item,
                               _quantile(flavour), T.DoubleType())
    by_value = _scalar_or_array(flavour, f"kll_sketch_get_rank_{flavour}", T.DoubleType(),
                                _rank(flavour), item)

    def quant(sketch: Any, rank: Any) -> Column:  # Spark's parameter names
        return by_rank(sketch, rank)

    def rank(sketch: Any, quantile: Any) -> Column:
        return by_value(sketch, quantile)

    def get_n(col: Any) -> Column:
        return sketch_function(f"kll_sketch_get_n_{flavour}", [col],
                               lambda b: _load(flavour, b, f"kll_sketch_get_n_{flavour}").n,
                               T.LongType())

    def merge(left: Any, right: Any) -> Column:
        name = f"kll_sketch_merge_{flavour}"
        return sketch_function(name, [left, right],
                               lambda a, b: _merged(flavour, [a, b], None, name), T.BinaryType())

    def to_string(col: Any) -> Column:
        return sketch_function(f"kll_sketch_to_string_{flavour}", [col],
                               lambda b: _summary(flavour, b), T.StringType())

    get_n.__doc__ = f"How many values the KLL {flavour} sketch has seen (a bigint)."
    merge.__doc__ = f"The merge of two KLL {flavour} sketches (null if either is null)."
    to_string.__doc__ = f"The KLL {flavour} sketch's summary, as Java's toString prints it."
    quant.__doc__ = (f"The {flavour} value at the given rank (0..1), or an array of them for an "
                     f"array of ranks; an empty sketch is an error, as in Spark.")
    rank.__doc__ = (f"The inclusive rank (0..1) of the given value in the KLL {flavour} sketch, "
                    f"or an array of them for an array of values.")
    return {"kll_sketch_get_quantile": quant, "kll_sketch_get_rank": rank,
            "kll_sketch_get_n": get_n, "kll_sketch_merge": merge, "kll_sketch_to_string": to_string}


for _f in _FLAVOURS:
    _agg, _merge_agg = _aggregates(_f)
    globals()[f"kll_sketch_agg_{_f}"] = _agg
    globals()[f"kll_merge_agg_{_f}"] = _merge_agg
    for _stem, _fn in _scalars(_f).items():
        _fn.__name__ = f"{_stem}_{_f}"
        globals()[f"{_stem}_{_f}"] = _fn
    _agg.__name__, _merge_agg.__name__ = f"kll_sketch_agg_{_f}", f"kll_merge_agg_{_f}"
