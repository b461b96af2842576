"""Exact decimal arithmetic with Spark's result types (``DecimalType(p, s)`` stays exact).

Spark types the result of ``+ - *`` (and ``avg``) between decimals from the operands' precision
and scale, caps the precision at 38 by giving up fraction digits (down to 6), rounds half up to
the result scale, and (non-ANSI) gives null where the value does not fit. The kernels here
compute in Arrow's 256-bit decimals, so no intermediate can overflow, then round and narrow to
the result type: vectorized, never through a double. ``+ - *`` whose exact type passes 38 digits
first try exact int64 arithmetic on the unscaled values (dfml.sql.decimal_int64), which applies
when the data proves it cannot overflow, and is 10-15x faster than Arrow's decimal256 kernels.
"""

from __future__ import annotations

import decimal as _dec
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import decimal_int64
from . import types as T

MAX_PRECISION = 38
INT64_PATH = True  # False forces ``+ - *`` through Arrow's decimal kernels (tests compare both)
_MIN_ADJUSTED_SCALE = 6


def bounded(precision: int, scale: int) -> T.DecimalType:
    """``DecimalType(p, s)`` with both capped at 38 (Spark's ``DecimalType.bounded``)."""
    return T.DecimalType(min(precision, MAX_PRECISION), min(scale, MAX_PRECISION))


def adjusted(precision: int, scale: int) -> T.DecimalType:
    """A result type too wide for 38 digits keeps its integer digits and loses fraction digits,
    but keeps at least 6 of them (or all it had, if fewer): Spark's precision-loss rule."""
    if precision <= MAX_PRECISION:
        return T.DecimalType(precision, scale)
    int_digits = precision - scale
    min_scale = min(scale, _MIN_ADJUSTED_SCALE)
    return T.DecimalType(MAX_PRECISION, max(MAX_PRECISION - int_digits, min_scale))


_INT_DIGITS = {T.ByteType: 3, T.ShortType: 5, T.IntegerType: 10, T.LongType: 20}


def as_decimal_type(dt: T.DataType, literal: Any = None) -> T.DecimalType | None:
    """The decimal type an operand takes in decimal arithmetic: its own, an integer's (int ->
    decimal(10,0); an integer literal only as many digits as it has), else None."""
    if isinstance(dt, T.DecimalType):
        return dt
    if isinstance(dt, T.IntegralType):
        if literal is not None:
            return T.DecimalType(max(len(str(abs(int(literal)))), 1), 0)
        return T.DecimalType(_INT_DIGITS[type(dt)], 0)
    return None


def arithmetic_type(op: str, a: T.DecimalType, b: T.DecimalType) -> T.DecimalType:
    """Spark's result type of ``a op b`` for decimals (``+``, ``-``, ``*``)."""
    if op in "+-":
        scale = max(a.scale, b.scale)
        return adjusted(max(a.precision - a.scale, b.precision - b.scale) + scale + 1, scale)
    if op == "*":
        return adjusted(a.precision + b.precision + 1, a.scale + b.scale)
    if op == "/":
        scale = max(_MIN_ADJUSTED_SCALE, a.scale + b.precision + 1)
        return adjusted(a.precision - a.scale + b.scale + scale, scale)
    raise ValueError(f"no decimal result type for {op!r}")


def average_type(dt: T.DecimalType) -> T.DecimalType:
    """Spark's result type of ``avg`` over ``decimal(p, s)``: ``decimal(p + 4, s + 4)``."""
    return bounded(dt.precision + 4, dt.scale + 4)


def _wide(a: Any, dt: T.DecimalType) -> Any:
    """An Arrow array or Python value as a 256-bit decimal of type ``dt``."""
    t = pa.decimal256(dt.precision, dt.scale)
    if isinstance(a, (pa.Array, pa.ChunkedArray)):
        return a.cast(t)
    return pa.scalar(None if a is None else _dec.Decimal(str(a)), t)


def _narrow(a: Any, dt: T.DecimalType) -> Any:
    """An Arrow array or Python value as a 128-bit decimal of type ``dt``."""
    t = pa.decimal128(dt.precision, dt.scale)
    if isinstance(a, (pa.Array, pa.ChunkedArray)):
        return a if a.type == t else a.cast(t)
    return pa.scalar(None if a is None else _dec.Decimal(str(a)), t)


def fit(values: Any, out: T.DecimalType) -> Any:
    """256-bit decimal ``values`` rounded half up to ``out``'s scale, null where they do not fit
    its precision (Spark non-ANSI), as ``decimal128(out)``."""
    if values.type.scale != out.scale:
        # Spark rounds HALF_UP in Java's sense: halves away from zero
        values = pc.round(values, ndigits=out.scale, round_mode="half_towards_infinity")
    wide = pa.decimal256(76, out.scale)
    values = pc.cast(values, wide)
    limit = pa.scalar(_dec.Decimal(10) ** (out.precision - out.scale), wide)
    inside = pc.less(pc.abs(values), limit)
    values = pc.if_else(inside, values, pa.scalar(None, wide))
    return pc.cast(values, pa.decimal128(out.precision, out.scale))


class DecimalArithmetic:
    """The per-partition kernel of ``left op right`` for decimal operands (either may be a
    Python literal); its dask token is what it computes."""

    __name__ = "decimal_arithmetic"

    def __init__(self, op: str, left_t: T.DecimalType, right_t: T.DecimalType,
                 out: T.DecimalType):
        self.op, self.left_t, self.right_t, self.out = op, left_t, right_t, out

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-decimal-arith", self.op, repr(self.left_t), repr(self.right_t),
                repr(self.out))

    def __call__(self, left: Any, right: Any) -> Any:
        if self.op == "/":
            return self._divide(left, right)
        if INT64_PATH and not self._fits_128():
            # Arrow's decimal128 kernels are one native call, as fast as numpy here and faster
            # under thread contention (each numpy step retakes the GIL); its decimal256 ones,
            # needed when the exact type passes 38 digits, are 10-15x slower than int64
            fast = decimal_int64.compute(self.op, left, right, self.left_t, self.right_t,
                                         self.out)
            if fast is not None:
                return fast
        return self.arrow(left, right)

    def arrow(self, left: Any, right: Any) -> Any:
        """``left op right`` (``+ - *``) in Arrow's decimal kernels: exact for any values."""
        fn = {"+": pc.add, "-": pc.subtract, "*": pc.multiply}[self.op]
        a, b = self.left_t, self.right_t
        if self.op == "*" and a.precision + b.precision + 1 > 2 * MAX_PRECISION:
            from .errors import ArithmeticException
            raise ArithmeticException(
                f"{a.simpleString()} * {b.simpleString()}: some values do not fit in 64 bits, "
                f"and their exact product needs {a.precision + b.precision + 1} digits, more "
                f"than Arrow's decimal256 holds (76); cast one side to a narrower decimal")
        if self._fits_128():
            # Arrow's own result type is Spark's here, and exact: no rounding, no overflow
            return fn(_narrow(left, self.left_t), _narrow(right, self.right_t)).cast(
                pa.decimal128(self.out.precision, self.out.scale))
        return fit(fn(_wide(left, self.left_t), _wide(right, self.right_t)), self.out)

    def _fits_128(self) -> bool:
        a, b = self.left_t, self.right_t
        if self.op == "*":
            raw = a.precision + b.precision + 1
        else:
            raw = max(a.precision - a.scale, b.precision - b.scale) + max(a.scale, b.scale) + 1
        return raw <= MAX_PRECISION

    def _divide(self, left: Any, right: Any) -> Any:
        """Arrow divides decimals truncating at a scale it picks from the operands: the dividend
        is first given enough scale that this is one digit past the result's, so rounding that
        truncated quotient half up is rounding the exact one. Division by zero is null."""
        a, b = self.left_t, self.right_t
        need = self.out.scale + 1
        arrow_scale = max(4, a.scale + b.precision - b.scale + 1)
        extra = max(0, need - arrow_scale)
        num_t = T.DecimalType(a.precision + extra, a.scale + extra)
        num = _wide(left, num_t) if extra else _wide(left, a)
        den = _wide(right, b)
        zero = pa.scalar(_dec.Decimal(0), den.type)
        den = pc.if_else(pc.equal(den, zero), pa.scalar(None, den.type), den) \
            if not isinstance(den, pa.Scalar) else (den if den.as_py() != 0 else
                                                    pa.scalar(None, den.type))
        if isinstance(num, pa.Scalar) and isinstance(den, pa.Scalar):
            num = pa.array([num.as_py()], num.type)
        return fit(pc.divide(num, den), self.out)


def average(total: Any, count: Any, out: T.DecimalType) -> Any:
    """``total / count`` (Arrow arrays: a decimal sum and an integer count per group) rounded
    half up to ``out``'s scale; null where the count is 0. Groups are few, so this divides with
    Python's decimal module, exactly."""
    ctx = _dec.Context(prec=80, rounding=_dec.ROUND_HALF_UP)
    quantum = _dec.Decimal(1).scaleb(-out.scale)
    limit = _dec.Decimal(10) ** (out.precision - out.scale)
    values = []
    for s, n in zip(total.to_pylist(), count.to_pylist()):
        if s is None or not n:
            values.append(None)
            continue
        q = ctx.divide(_dec.Decimal(s), _dec.Decimal(n)).quantize(quantum, context=ctx)
        values.append(q if abs(q) < limit else None)
    return pa.array(values, pa.decimal128(out.precision, out.scale))
