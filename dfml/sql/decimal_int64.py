"""Decimal ``+ - *`` in int64 when the values prove it exact (the fast path of DecimalArithmetic).

Arrow's decimal128/decimal256 kernels are exact but slow (TPC-H Q1 spent most of its thread
time in them); numpy's int64 arithmetic is about 50x faster. A decimal is an unscaled integer
and a scale, so ``a op b`` on decimals whose unscaled values fit in int64 is integer arithmetic
on those values, provided no intermediate can overflow. That is proved here per partition from
the data (``max|a| * max|b| < 2**63`` for ``*``, ``max|a| * 10**i + max|b| * 10**j < 2**63`` for
``+ -`` after rescaling to the common scale), never assumed; when it cannot be proved the caller
uses the Arrow path, so the answer is the same either way (same type, same values, same nulls).
Spark's precision-loss rounding (half away from zero) and its null for a result too wide for the
output precision are done here in integers, as ``decimals.fit`` does them in decimal256.
"""

from __future__ import annotations

import decimal as _dec
import sys
from typing import Any

import numpy as np
import pyarrow as pa

from . import types as T

_LIMIT = 2 ** 63  # every |intermediate| must stay below this
_LITTLE = sys.byteorder == "little"


class _Operand:
    """One side of the operation as unscaled int64 values: an array (``values``, ``valid`` a
    bool mask or None when no nulls) or a literal (``values`` a Python int). ``limit`` bounds
    |value| from the type alone (free); ``bound()`` is the largest |value| in the data (two
    reductions, done only when the type's bound does not prove the result fits). Both are
    Python ints, so they cannot overflow."""

    __slots__ = ("values", "valid", "limit", "scale", "_bound")

    def __init__(self, values: Any, valid: Any, limit: int, scale: int, bound: int | None = None):
        self.values, self.valid, self.limit, self.scale, self._bound = \
            values, valid, limit, scale, bound

    def bound(self) -> int:
        if self._bound is None:
            v = self.values
            self._bound = max(abs(int(v.max())), abs(int(v.min()))) if len(v) else 0
        return self._bound


def _chunks(a: Any) -> list[pa.Array]:
    return a.chunks if isinstance(a, pa.ChunkedArray) else [a]


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """One contiguous array from per-chunk views: a parquet partition arrives in many chunks
    (row groups), and copying just the low words is half the bytes of ``combine_chunks``."""
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _validity(arr: pa.Array) -> Any:
    """The validity of ``arr`` as a numpy bool array (all True when it has no nulls)."""
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return arr.is_valid().to_numpy(zero_copy_only=False)


def _decimal_words(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The low and high int64 words of each 128-bit value of ``arr`` (strided views, no copy)."""
    n = len(arr)
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset:2 * (arr.offset + n)]
    return words[0::2], words[1::2]


def _high_words_are_signs(lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether every 128-bit value (lo, hi) is an int64: hi is lo's sign extension. When all
    values share a sign (the usual case), four reductions decide it without a temporary."""
    if not len(hi):
        return True
    hi_min, hi_max = int(hi.min()), int(hi.max())
    if hi_min == hi_max == 0:
        return int(lo.min()) >= 0
    if hi_min == hi_max == -1:
        return int(lo.max()) < 0
    return bool(np.array_equal(hi, lo >> 63))


def _array_operand(a: Any, dt: T.DecimalType) -> _Operand | None:
    """The unscaled int64 values of a decimal128 or integer array, or None if some valid value
    does not fit in int64 (or the array is of another kind)."""
    chunks = _chunks(a)
    t = a.type
    valid = _joined([_validity(c) for c in chunks]) if a.null_count else None
    if pa.types.is_decimal128(t):
        if t.scale != dt.scale or not _LITTLE:
            return None
        pairs = [_decimal_words(c) for c in chunks]
        lo = _joined([p[0] for p in pairs])
        if valid is not None:  # what a null slot holds is unspecified
            lo = np.where(valid, lo, 0)
        if t.precision > 18:
            hi = _joined([p[1] for p in pairs])
            if valid is not None:
                hi = np.where(valid, hi, 0)
            if not _high_words_are_signs(lo, hi):
                return None  # some value needs the high word
        values = lo
        limit = 10 ** t.precision - 1 if t.precision <= 18 else _LIMIT
    elif pa.types.is_integer(t) and dt.scale == 0:
        if pa.types.is_unsigned_integer(t):
            return None
        values = _joined([c.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
                          for c in chunks])
        limit = 2 ** (8 * t.byte_width - 1)
    else:
        return None
    return _Operand(values, valid, limit, dt.scale)


def _literal_operand(v: Any, dt: T.DecimalType) -> _Operand | None:
    """A Python int or Decimal literal as an unscaled integer of ``dt``'s scale, or None if it
    is null, of another kind, or not exact at that scale."""
    if isinstance(v, bool) or not isinstance(v, (int, _dec.Decimal)):
        return None
    d = _dec.Decimal(v) if isinstance(v, int) else v
    if not d.is_finite():
        return None
    scaled = d.scaleb(dt.scale)
    if scaled != scaled.to_integral_value():
        return None
    u = int(scaled)
    if abs(u) >= _LIMIT:
        return None
    return _Operand(u, None, abs(u), dt.scale, abs(u))


def _operand(v: Any, dt: T.DecimalType) -> _Operand | None:
    if isinstance(v, (pa.Array, pa.ChunkedArray)):
        return _array_operand(v, dt)
    return _literal_operand(v, dt)


def _round_half_away(v: np.ndarray, digits: int) -> np.ndarray:
    """``v / 10**digits`` rounded half away from zero, in integers (Java's HALF_UP)."""
    unit = 10 ** digits  # digits >= 1, so unit is even and a half is exactly unit // 2
    q, r = np.divmod(np.abs(v), unit)
    q += r >= unit // 2
    return np.where(v < 0, -q, q)


def _fits(op: str, ma: int, mb: int, fa: int, fb: int) -> bool:
    """Whether ``a op b`` with |a| <= ma, |b| <= mb (rescaled by fa, fb for + -) stays in int64."""
    if op == "*":
        return ma * mb < _LIMIT
    return ma * fa + mb * fb < _LIMIT


def compute(op: str, left: Any, right: Any, left_t: T.DecimalType, right_t: T.DecimalType,
            out: T.DecimalType) -> pa.Array | None:
    """``left op right`` (``op`` one of ``+ - *``) as ``decimal128(out)``, or None when the int64
    path cannot prove the result exact (then the caller computes it in Arrow decimals)."""
    if not any(isinstance(v, (pa.Array, pa.ChunkedArray)) for v in (left, right)):
        return None
    a, b = _operand(left, left_t), _operand(right, right_t)
    if a is None or b is None:
        return None
    if op == "*":
        exact_scale, fa, fb = a.scale + b.scale, 1, 1
    else:
        exact_scale = max(a.scale, b.scale)
        fa, fb = 10 ** (exact_scale - a.scale), 10 ** (exact_scale - b.scale)
    if not 0 <= exact_scale - out.scale <= 18:
        # Spark's rules never widen the scale of + - *; dropping 19 digits or more (10**19 is
        # past int64) is left to Arrow too
        return None
    if not (_fits(op, a.limit, b.limit, fa, fb) or _fits(op, a.bound(), b.bound(), fa, fb)):
        return None
    lengths = {len(v.values) for v in (a, b) if isinstance(v.values, np.ndarray)}
    if len(lengths) != 1:
        return None  # misaligned partitions: let Arrow report it
    n = lengths.pop()
    # the result goes straight into the low words of the output buffer (Arrow's pool, which
    # keeps its pages: a fresh numpy array of this size is mostly page faults)
    data = pa.allocate_buffer(16 * n)
    words = np.frombuffer(data, dtype=np.int64).reshape(n, 2)
    values = words[:, 0]
    if op == "*":
        np.multiply(a.values, b.values, out=values)
    else:
        av = a.values * fa if fa != 1 else a.values
        bv = b.values * fb if fb != 1 else b.values
        (np.add if op == "+" else np.subtract)(av, bv, out=values)
    if out.scale < exact_scale:
        values[:] = _round_half_away(values, exact_scale - out.scale)
    valid = a.valid if b.valid is None else b.valid if a.valid is None else a.valid & b.valid
    if out.precision < 19:
        inside = np.abs(values) < 10 ** out.precision
        if not inside.all():
            valid = inside if valid is None else valid & inside
    np.right_shift(values, 63, out=words[:, 1])
    bitmap, nulls = None, 0
    if valid is not None:
        nulls = n - int(np.count_nonzero(valid))
        if nulls:
            words[~valid] = 0
            bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.decimal128(out.precision, out.scale), n, [bitmap, data],
                                 null_count=nulls)
