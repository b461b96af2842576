"""Spark's distinct-count sketches: HyperLogLog (``hll_sketch_agg``, ``hll_union_agg``,
``hll_union``, ``hll_sketch_estimate``) and Theta (``theta_sketch_agg``, ``theta_union_agg``,
``theta_intersection_agg``, ``theta_union``, ``theta_intersection``, ``theta_difference``,
``theta_sketch_estimate``).

The bytes are Spark's: an HLL sketch is DataSketches' updatable image of an ``HLL_8`` sketch,
a Theta sketch the compressed compact image (Spark writes an empty one with a zero seed hash,
reproduced here so the bytes agree too). Values are hashed as Spark hashes them: integers as
64-bit longs, floats as doubles, strings as their UTF-8 bytes (empty strings and nulls are
skipped). The Python package cannot hash raw bytes, so a binary value is hashed through its
UTF-8 reading, which is byte-identical; a binary value that is not UTF-8 is refused by name.
Estimates are rounded to a bigint, as Spark's.
"""

from __future__ import annotations

import math
from typing import Any

import datasketches as ds

from .. import types as T
from ..column import Column
from ..errors import AnalysisException, SparkException
from ._sketch_core import (FAMILIES, SketchFamily, accepting, bad_sketch, constant,
                           hashable_key, require_binary, sketch_agg, sketch_function)

__all__ = ["hll_sketch_agg", "hll_union_agg", "hll_union", "hll_sketch_estimate",
           "theta_sketch_agg", "theta_union_agg", "theta_intersection_agg", "theta_union",
           "theta_intersection", "theta_difference", "theta_sketch_estimate"]


def _java_round(x: float) -> int:
    """Java's Math.round (halves go up), which Spark applies to estimates."""
    return math.floor(x + 0.5)


# ---------------------------------------------------------------- HyperLogLog
_hll_input = accepting('("INT" or "BIGINT" or "STRING" or "BINARY")', T.IntegerType, T.LongType,
                       T.StringType, T.BinaryType)


def _hll_load(b: bytes, fn: str) -> Any:
    try:
        return ds.hll_sketch.deserialize(bytes(b))
    except Exception as err:  # the package raises RuntimeError/ValueError on bad images
        raise bad_sketch(fn, "HLL_INVALID_INPUT_SKETCH_BUFFER", err) from None


def _hll_build(values: list, lg_k: int) -> bytes:
    s = ds.hll_sketch(lg_k, ds.HLL_8)
    for v in values:
        s.update(hashable_key(v))
    return s.serialize_updatable()


def _hll_merge(images: list, allow_different: bool, fn: str = "hll_union_agg") -> bytes | None:
    """The union of HLL images; unless ``allow_different``, all must share one lgConfigK."""
    sketches = [_hll_load(b, fn) for b in images]
    if not sketches:
        return None
    ks = [s.lg_config_k for s in sketches]
    if not allow_different and len(set(ks)) > 1:
        raise SparkException(
            f"[HLL_UNION_DIFFERENT_LG_K] Sketches have different lgConfigK values: {ks[0]} and "
            f"{next(k for k in ks if k != ks[0])}. Set the allowDifferentLgConfigK parameter to "
            f"true to call {fn} with different lgConfigK values. SQLSTATE: 22000")
    u = ds.hll_union(min(ks))
    for s in sketches:
        u.update(s)
    return u.get_result(ds.HLL_8).serialize_updatable()


FAMILIES["hll_build"] = SketchFamily(
    _hll_build, lambda states, lg_k: _hll_merge(states, True),
    lambda lg_k: ds.hll_sketch(lg_k, ds.HLL_8).serialize_updatable(), _hll_input)
FAMILIES["hll_union"] = SketchFamily(
    lambda images, allow: _hll_merge(images, allow), lambda states, allow: _hll_merge(states, allow),
    lambda allow: ds.hll_sketch(12, ds.HLL_8).serialize_updatable(),  # Spark's, for no input
    require_binary)


def _lg_k(value: Any, fn: str) -> int:
    lg_k = constant(value, fn, "lgConfigK", 12, int)
    if not 4 <= lg_k <= 21:
        raise AnalysisException(f"[HLL_INVALID_LG_K] Invalid call to {fn}; only values of "
                                f"lgConfigK between 4 and 21 are allowed, got {lg_k}.",
                                "HLL_INVALID_LG_K")
    return lg_k


def hll_sketch_agg(col: Any, lgConfigK: Any = None) -> Column:  # noqa: N803 - Spark's name
    """The HLL sketch (binary) of the group's non-null values; ``lgConfigK`` (4..21, default
    12) trades size for accuracy."""
    lg_k = _lg_k(lgConfigK, "hll_sketch_agg")
    return sketch_agg("hll_sketch_agg", "hll_build", col, lg_k, str(lg_k))


def hll_union_agg(col: Any, allowDifferentLgConfigK: Any = None) -> Column:  # noqa: N803
    """The union of the group's HLL sketches (nulls skipped); sketches of different lgConfigK
    are an error unless ``allowDifferentLgConfigK`` (then the result has the smallest)."""
    allow = constant(allowDifferentLgConfigK, "hll_union_agg", "allowDifferentLgConfigK", False, bool)
    return sketch_agg("hll_union_agg", "hll_union", col, allow, str(allow).lower())


def hll_union(col1: Any, col2: Any, allowDifferentLgConfigK: Any = None) -> Column:  # noqa: N803
    """The union of two HLL sketches (null if either is null)."""
    allow = constant(allowDifferentLgConfigK, "hll_union", "allowDifferentLgConfigK", False, bool)
    from ._common import col_expr
    a, b = col_expr(col1), col_expr(col2)
    return sketch_function("hll_union", [col1, col2],
                           lambda x, y: _hll_merge([x, y], allow, "hll_union"), T.BinaryType(),
                           sql=f"hll_union({a.sql()}, {b.sql()}, {str(allow).lower()})")


def hll_sketch_estimate(col: Any) -> Column:
    """The distinct count an HLL sketch estimates, rounded to a bigint."""
    return sketch_function("hll_sketch_estimate", [col],
                           lambda b: _java_round(_hll_load(b, "hll_sketch_estimate").get_estimate()),
                           T.LongType())


# ---------------------------------------------------------------- Theta
_EMPTY_THETA = bytes.fromhex("01030300001e0000")  # Spark's empty compact sketch (seed hash 0)


# Spark also takes ARRAY<INT>/ARRAY<BIGINT>, hashed as raw int/long arrays, which the Python
# package cannot hash: refused here, naming the type (docs/differences.md).
_theta_input = accepting('("BINARY" or "DOUBLE" or "FLOAT" or "INT" or "BIGINT" or "STRING")',
                         T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.StringType,
                         T.BinaryType)


def _theta_image(sketch: Any) -> bytes:
    return _EMPTY_THETA if sketch.is_empty() else sketch.serialize(True)


def _theta_load(b: bytes, fn: str) -> Any:
    try:
        return ds.compact_theta_sketch.deserialize(bytes(b))
    except Exception as err:
        raise bad_sketch(fn, "THETA_INVALID_INPUT_SKETCH_BUFFER", err) from None


def _theta_build(values: list, lg_k: int) -> bytes:
    s = ds.update_theta_sketch(lg_k)
    for v in values:
        s.update(hashable_key(v))
    return _theta_image(s.compact())


def _theta_union(images: list, lg_k: int, fn: str = "theta_union_agg") -> bytes | None:
    if not images:
        return None
    u = ds.theta_union(lg_k)
    for b in images:
        u.update(_theta_load(b, fn))
    return _theta_image(u.get_result())


def _theta_intersect(images: list, fn: str = "theta_intersection_agg") -> bytes | None:
    if not images:
        return None
    x = ds.theta_intersection()
    for b in images:
        x.update(_theta_load(b, fn))
    return _theta_image(x.get_result())


FAMILIES["theta_build"] = SketchFamily(
    _theta_build, _theta_union, lambda lg_k: _EMPTY_THETA, _theta_input)
FAMILIES["theta_union"] = SketchFamily(_theta_union, _theta_union, lambda lg_k: _EMPTY_THETA,
                                       require_binary)
FAMILIES["theta_intersection"] = SketchFamily(
    lambda images, _: _theta_intersect(images), lambda states, _: _theta_intersect(states),
    lambda _: _EMPTY_THETA, require_binary)


def _lg_nom(value: Any, fn: str) -> int:
    lg_k = constant(value, fn, "lgNomEntries", 12, int)
    if not 4 <= lg_k <= 26:
        raise AnalysisException(f"[THETA_INVALID_LG_NOM_ENTRIES] Invalid call to {fn}; only values "
                                f"of lgNomEntries between 4 and 26 are allowed, got {lg_k}.",
                                "THETA_INVALID_LG_NOM_ENTRIES")
    return lg_k


def theta_sketch_agg(col: Any, lgNomEntries: Any = None) -> Column:  # noqa: N803 - Spark's name
    """The Theta sketch (compact binary) of the group's non-null values; ``lgNomEntries``
    (4..26, default 12) is the log2 of its nominal size."""
    lg_k = _lg_nom(lgNomEntries, "theta_sketch_agg")
    return sketch_agg("theta_sketch_agg", "theta_build", col, lg_k, str(lg_k))


def theta_union_agg(col: Any, lgNomEntries: Any = None) -> Column:  # noqa: N803
    """The union of the group's Theta sketches (nulls skipped)."""
    lg_k = _lg_nom(lgNomEntries, "theta_union_agg")
    return sketch_agg("theta_union_agg", "theta_union", col, lg_k, str(lg_k))


def theta_intersection_agg(col: Any) -> Column:
    """The intersection of the group's Theta sketches (nulls skipped)."""
    return sketch_agg("theta_intersection_agg", "theta_intersection", col, 0, None)


def theta_union(col1: Any, col2: Any, lgNomEntries: Any = None) -> Column:  # noqa: N803
    """The union of two Theta sketches (null if either is null)."""
    from ._common import col_expr
    lg_k = _lg_nom(lgNomEntries, "theta_union")
    a, b = col_expr(col1), col_expr(col2)
    return sketch_function("theta_union", [col1, col2],
                           lambda x, y: _theta_union([x, y], lg_k, "theta_union"), T.BinaryType(),
                           sql=f"theta_union({a.sql()}, {b.sql()}, {lg_k})")


def theta_intersection(col1: Any, col2: Any) -> Column:
    """The intersection of two Theta sketches (null if either is null)."""
    return sketch_function("theta_intersection", [col1, col2],
                           lambda x, y: _theta_intersect([x, y], "theta_intersection"),
                           T.BinaryType())


def theta_difference(col1: Any, col2: Any) -> Column:
    """The values of the first Theta sketch not in the second (A not B; null if either is)."""
    def diff(x: bytes, y: bytes) -> bytes:
        a, b = _theta_load(x, "theta_difference"), _theta_load(y, "theta_difference")
        return _theta_image(ds.theta_a_not_b().compute(a, b))
    return sketch_function("theta_difference", [col1, col2], diff, T.BinaryType())


def theta_sketch_estimate(col: Any) -> Column:
    """The distinct count a Theta sketch estimates, rounded to a bigint."""
    return sketch_function("theta_sketch_estimate", [col],
                           lambda b: _java_round(_theta_load(b, "theta_sketch_estimate").get_estimate()),
                           T.LongType())
