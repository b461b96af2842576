"""The machinery behind Spark's Tuple sketch functions (``tuple_*_double``/``tuple_*_integer``):
summary modes, the summary's binary layout, and building, merging and reading sketches.

A Tuple sketch is a Theta sketch whose retained hashes each carry a summary: here a double or
an int combined by a *mode* (``sum``, ``min``, ``max``, ``alwaysone``). The bytes are the ones
Spark writes (DataSketches' compact tuple image), so sketches cross between the engines: each
summary is its value (8-byte double or 4-byte int, little-endian) followed by one byte naming
the mode that produced it (0 sum, 1 min, 2 max, 3 alwaysone), as the Java library writes it.

Modes follow the Java summaries Spark uses, found by running Spark: a new summary starts at the
mode's identity (0, +inf/INT_MAX, -inf/INT_MIN, 1) and each value updates it by comparison
(``min``/``max`` skip NaN, so an all-NaN key keeps the identity; ``sum`` propagates NaN; an int
sum wraps at 32 bits like Java's). When two sketches meet (union, intersection), a key present
in both gets a new summary of the operation's mode updated with both values; a key in one only
keeps its summary and its mode byte. A Theta sketch taking part gives its keys the identity
summary of the mode.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import datasketches as ds

from .. import types as T
from ..errors import AnalysisException, SparkException
from ._sketch_core import FAMILIES, SketchFamily, hashable_key, require_binary

__all__ = ["MODES", "EMPTY_TUPLE", "Kind", "DOUBLE", "INTEGER", "check_mode", "check_lg_nom",
           "load", "load_theta", "image", "union_of", "intersection_of", "difference_of",
           "summary_of", "register_families"]

MODES = ("sum", "min", "max", "alwaysone")
EMPTY_TUPLE = bytes.fromhex("01030901000ecc93")  # Spark's empty compact tuple sketch
_ORDERED = 0x10  # the flag bit C++ sets on sorted images; Java's images (and Spark's) lack it
_INT_MIN, _INT_MAX = -2 ** 31, 2 ** 31 - 1


def _wrap32(x: int) -> int:
    return (x - _INT_MIN) % 2 ** 32 + _INT_MIN


class Kind:
    """One summary type: its identity per mode, its update, its conversion of input values and
    its serialized layout (value then mode byte)."""

    def __init__(self, name: str, fmt: str, identity: dict, add: Any, convert: Any,
                 sql_type: str, out: T.DataType):
        self.name, self.fmt, self.identity, self.add = name, fmt, identity, add
        self.convert, self.sql_type, self.out = convert, sql_type, out
        self.size = struct.calcsize(fmt)

    def update(self, mode: str, cur: Any, v: Any) -> Any:
        """``cur`` updated with ``v`` under ``mode`` (comparisons, so NaN never wins a min/max)."""
        if mode == "sum":
            return self.add(cur, v)
        if mode == "min":
            return v if v < cur else cur
        if mode == "max":
            return v if v > cur else cur
        return self.identity["alwaysone"]

    def combine(self, mode: str, a: Any, b: Any) -> Any:
        """The value of a key present on both sides of a set operation."""
        return self.update(mode, self.update(mode, self.identity[mode], a), b)


def _to_int(v: Any) -> int:
    if isinstance(v, float):
        raise SparkException("[DATATYPE_MISMATCH] tuple_sketch_agg_integer: a floating-point "
                             "summary reached an integer sketch")
    i = int(v)
    if not _INT_MIN <= i <= _INT_MAX:
        raise SparkException(
            f'[CAST_OVERFLOW] The value {i}L of the type "BIGINT" cannot be cast to "INT" due to '
            f"an overflow. Use `try_cast` to tolerate overflow and return NULL instead. "
            f"SQLSTATE: 22003")
    return i


DOUBLE = Kind("double", "<d", {"sum": 0.0, "min": math.inf, "max": -math.inf, "alwaysone": 1.0},
              lambda a, b: a + b, float, '"DOUBLE"', T.DoubleType())
INTEGER = Kind("integer", "<i", {"sum": 0, "min": _INT_MAX, "max": _INT_MIN, "alwaysone": 1},
               lambda a, b: _wrap32(a + b), _to_int, '"INT"', T.LongType())


class _SerDe(ds.PyObjectSerDe):
    """A summary ``(value, mode byte)`` as Java's DoubleSummary/IntegerSummary bytes."""

    def __init__(self, kind: Kind):
        ds.PyObjectSerDe.__init__(self)
        self.kind = kind

    def get_size(self, item: Any) -> int:
        return self.kind.size + 1

    def to_bytes(self, item: Any) -> bytes:
        return struct.pack(self.kind.fmt + "B", item[0], item[1])

    def from_bytes(self, data: bytes, offset: int) -> Any:
        value, mode = struct.unpack_from(self.kind.fmt + "B", data, offset)
        return (value, mode), self.kind.size + 1


class _Policy(ds.TuplePolicy):
    """The mode's rules, as DataSketches asks for them: a new summary, an update by an input
    value, and (``__call__``) the merge of two summaries of one key in a set operation."""

    def __init__(self, kind: Kind, mode: str):
        ds.TuplePolicy.__init__(self)
        self.kind, self.mode, self.byte = kind, mode, MODES.index(mode)

    def create_summary(self) -> Any:
        return (self.kind.identity[self.mode], self.byte)

    def update_summary(self, summary: Any, value: Any) -> Any:
        return (self.kind.update(self.mode, summary[0], value), summary[1])

    def __call__(self, summary: Any, other: Any) -> Any:
        return (self.kind.combine(self.mode, summary[0], other[0]), self.byte)


# ---------------------------------------------------------------- parameters
def _type_check_failure(fn_sql: str, inner: str) -> AnalysisException:
    return AnalysisException(
        f'[DATATYPE_MISMATCH.TYPE_CHECK_FAILURE_WITH_HINT] Cannot resolve "{fn_sql}" due to data '
        f"type mismatch: {inner}", "DATATYPE_MISMATCH.TYPE_CHECK_FAILURE_WITH_HINT")


def check_mode(value: Any, fn: str, fn_sql: str) -> str:
    """A mode argument (a str, case-insensitive), refused as Spark refuses it."""
    if not isinstance(value, str):
        raise TypeError(f"{fn}: mode must be a str, got {type(value).__name__}: {value!r}")
    if value.lower() not in MODES:
        raise _type_check_failure(
            fn_sql, f"[TUPLE_INVALID_SKETCH_MODE] Invalid call to `{fn}`: mode '{value}' is not "
                    f"supported. Valid modes are: sum, min, max, alwaysone. SQLSTATE: 22023.")
    return value.lower()


def check_lg_nom(lg: int, fn: str, fn_sql: str) -> int:
    """lgNomEntries: Spark's range is 4..26; the C++ library starts at 5, so 4 is refused."""
    if not 4 <= lg <= 26:
        raise _type_check_failure(
            fn_sql, f"[SKETCH_INVALID_LG_NOM_ENTRIES] Invalid call to `{fn}`; the `lgNomEntries` "
                    f"value must be between 4 and 26, inclusive: {lg}. SQLSTATE: 22003.")
    if lg == 4:
        raise NotImplementedError(
            f"{fn}: lgNomEntries=4 is not supported by dfml (the DataSketches C++ library it "
            f"runs on needs at least 5); use 5 or more")
    return lg


# ---------------------------------------------------------------- images
def _bad(fn: str, family: str = "Tuple", what: str = "TUPLE") -> SparkException:
    return SparkException(
        f"[{what}_INVALID_INPUT_SKETCH_BUFFER] Invalid call to `{fn}`; only valid {family} sketch "
        f"buffers are supported as inputs (such as those produced by the corresponding "
        f"`{family.lower()}_sketch_agg{'_*' if what == 'TUPLE' else ''}` function). SQLSTATE: 22000")


def _expected_length(b: bytes, kind: Kind) -> int:
    """The image's length from its preamble, so a sketch of the other summary type (whose
    entries are a different size) is refused instead of being misread."""
    pre_longs = b[0] & 0x3F
    if pre_longs == 1:
        n = 0 if b[5] & 0x04 else 1
    else:
        n = int.from_bytes(b[8:12], "little")
    return pre_longs * 8 + n * (8 + kind.size + 1)


def load(b: Any, kind: Kind, fn: str) -> Any:
    """The compact tuple sketch in ``b`` (Spark's error if it is not one of ``kind``)."""
    b = bytes(b)
    try:
        if len(b) < 8 or b[2] != 9 or len(b) != _expected_length(b, kind):
            raise ValueError("not a tuple sketch image of this summary type")
        return ds.compact_tuple_sketch.deserialize(b, _SerDe(kind))
    except Exception:  # the package raises RuntimeError/ValueError on bad images
        raise _bad(fn) from None


def load_theta(b: Any, kind: Kind, mode: str, fn: str) -> Any:
    """A Theta sketch image as a tuple sketch whose keys carry the mode's identity summary."""
    try:
        theta = ds.compact_theta_sketch.deserialize(bytes(b))
    except Exception:
        raise _bad(fn, "Theta", "THETA") from None
    return ds.compact_tuple_sketch(theta, (kind.identity[mode], MODES.index(mode)))


def image(sketch: Any, kind: Kind) -> bytes:
    """``sketch``'s bytes as Spark writes them: the C++ library marks sorted images, which
    Java does not; with at most one entry the order says nothing, so the flag is cleared and
    the bytes equal Spark's."""
    if sketch.is_empty() and not sketch.is_estimation_mode():
        return EMPTY_TUPLE
    b = bytearray(sketch.serialize(_SerDe(kind)))
    if sketch.num_retained <= 1:
        b[5] &= ~_ORDERED & 0xFF
    return bytes(b)


# ---------------------------------------------------------------- operations
def _build(rows: list, param: tuple) -> bytes | None:
    kind, lg, mode = _unpack(param)
    sk = ds.update_tuple_sketch(_Policy(kind, mode), lg)
    for r in rows:
        k, v = r["k"], r["v"]
        if k is not None and v is not None:
            sk.update(hashable_key(k), kind.convert(v))
    return image(sk.compact(), kind)


def union_of(sketches: list, kind: Kind, lg: int, mode: str) -> bytes:
    u = ds.tuple_union(_Policy(kind, mode), lg)
    for s in sketches:
        u.update(s)
    return image(u.get_result(), kind)


def intersection_of(sketches: list, kind: Kind, mode: str) -> bytes:
    x = ds.tuple_intersection(_Policy(kind, mode))
    for s in sketches:
        x.update(s)
    return image(x.get_result(), kind)


def difference_of(a: Any, b: Any, kind: Kind) -> bytes:
    return image(ds.tuple_a_not_b().compute(a, b), kind)


def summary_of(sketch: Any, kind: Kind, mode: str) -> Any:
    """The retained entries' summaries folded by ``mode`` (min/max propagate NaN, as Java's
    Math.min/max; ``alwaysone`` counts the entries; an empty sketch gives 0)."""
    values = [s[0] for _, s in sketch]
    zero = kind.identity["sum"]
    if not values:
        return zero
    if mode == "alwaysone":
        return float(len(values)) if kind.name == "double" else len(values)
    if mode == "sum":
        total = zero
        for v in values:
            total = total + v
        return total
    if kind.name == "double" and any(math.isnan(v) for v in values):
        return math.nan
    return min(values) if mode == "min" else max(values)


def _unpack(param: tuple) -> tuple:
    name, lg, mode = param
    return (DOUBLE if name == "double" else INTEGER), lg, mode


def _union_images(images: list, param: tuple, fn: str) -> bytes | None:
    kind, lg, mode = _unpack(param)
    return union_of([load(b, kind, fn) for b in images], kind, lg, mode) if images else None


def _intersect_images(images: list, param: tuple, fn: str) -> bytes | None:
    kind, _, mode = _unpack(param)
    return intersection_of([load(b, kind, fn) for b in images], kind, mode) if images else None


def _no_check(fn_sql: str, pos: int, arg_sql: str, t: T.DataType) -> None:
    """The build aggregate checks its key and summary itself (TupleSketchAgg.declare)."""


def register_families() -> None:
    """The aggregate families: build (key, summary) pairs, union and intersect images. Partial
    sketches of one group are merged by a union in the build's mode, as Spark merges them."""
    for kind in ("double", "integer"):
        FAMILIES[f"tuple_build_{kind}"] = SketchFamily(
            _build, lambda images, p, k=kind: _union_images(images, p, f"tuple_sketch_agg_{k}"),
            lambda p: EMPTY_TUPLE, _no_check)
        FAMILIES[f"tuple_union_{kind}"] = SketchFamily(
            lambda images, p, k=kind: _union_images(images, p, f"tuple_union_agg_{k}"),
            lambda images, p, k=kind: _union_images(images, p, f"tuple_union_agg_{k}"),
            lambda p: EMPTY_TUPLE, require_binary)
        FAMILIES[f"tuple_intersection_{kind}"] = SketchFamily(
            lambda images, p, k=kind: _intersect_images(images, p, f"tuple_intersection_agg_{k}"),
            lambda images, p, k=kind: _intersect_images(images, p, f"tuple_intersection_agg_{k}"),
            lambda p: EMPTY_TUPLE, require_binary)
