"""Decimal ``+ - *`` in int64 (dfml.sql.decimal_int64) against Python's decimal module and the
Arrow path: same type, same values, same nulls, and a fall back wherever int64 could overflow.

Each case checks three things: that the int64 path was taken (or not) where expected, so a test
cannot pass by always falling back; that its answer equals Spark's rules computed with Python
decimals (round half up, null past the output precision); and that it equals Arrow's answer."""

from __future__ import annotations

import decimal

import numpy as np
import pyarrow as pa
import pytest

from dfml.sql import decimal_int64 as I64
from dfml.sql import decimals as D
from dfml.sql import types as T

Dec = decimal.Decimal
_CTX = decimal.Context(prec=200, rounding=decimal.ROUND_HALF_UP)


def _dt(p: int, s: int) -> T.DecimalType:
    return T.DecimalType(p, s)


def _expected(op, left, right, out: T.DecimalType) -> list:
    """Spark's answer, row by row, with Python decimals: exact, then HALF_UP to out's scale,
    null where it does not fit out's precision."""
    n = max(len(v) for v in (left, right) if isinstance(v, list))
    ls = left if isinstance(left, list) else [left] * n
    rs = right if isinstance(right, list) else [right] * n
    quantum = Dec(1).scaleb(-out.scale)
    limit = Dec(10) ** (out.precision - out.scale)
    rows = []
    for x, y in zip(ls, rs):
        if x is None or y is None:
            rows.append(None)
            continue
        x, y = Dec(x), Dec(y)
        exact = {"+": _CTX.add, "-": _CTX.subtract, "*": _CTX.multiply}[op](x, y)
        q = exact.quantize(quantum, context=_CTX)
        rows.append(q if abs(q) < limit else None)
    return rows


def _as_list(v):
    if isinstance(v, (pa.Array, pa.ChunkedArray)):
        return v.to_pylist()
    return v


def _check(op, left, right, lt, rt, fast: bool, out: T.DecimalType | None = None):
    """Run both paths on (left, right) and compare them with each other and with Python."""
    out = out or D.arithmetic_type(op, lt, rt)
    got = I64.compute(op, left, right, lt, rt, out)
    assert (got is not None) == fast, f"int64 path {'not ' if fast else ''}taken"
    want = _expected(op, _as_list(left), _as_list(right), out)
    if got is not None:
        got.validate(full=True)
        assert got.type == pa.decimal128(out.precision, out.scale)
        assert got.to_pylist() == want
        if out == D.arithmetic_type(op, lt, rt):
            arrow = D.DecimalArithmetic(op, lt, rt, out).arrow(left, right)
            arrow = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
            assert got.equals(arrow)
    # what a query sees: the kernel with the int64 path on (used or not) is right either way
    if out == D.arithmetic_type(op, lt, rt):
        res = D.DecimalArithmetic(op, lt, rt, out)(left, right)
        assert _as_list(res) == want
    return got


def _random(rng, n: int, p: int, s: int, digits: int, nulls: float = 0.15) -> pa.Array:
    """decimal(p, s) values of up to ``digits`` digits, both signs, zeros and nulls."""
    top = 10 ** min(digits, p)
    values = []
    for _ in range(n):
        r = rng.random()
        if r < nulls:
            values.append(None)
        elif r < nulls + 0.05:
            values.append(Dec(0))
        elif r < nulls + 0.1:
            values.append(Dec(top - 1).scaleb(-s) * rng.choice([-1, 1]))  # at the limit
        else:
            values.append(Dec(int(rng.integers(-top + 1, top))).scaleb(-s))
    return pa.array(values, pa.decimal128(p, s))


# types whose exact result passes 38 digits (where DecimalArithmetic uses int64) and types whose
# result fits (int64 is then not used by the kernel, but compute must still be right)
TYPE_CASES = [
    ("*", (32, 4), (16, 2)),    # TPC-H Q1: price * (1 - discount) * (1 + tax)
    ("*", (38, 10), (10, 5)),   # scale 15 -> 6: rounds 9 digits
    ("*", (38, 2), (20, 0)),
    ("+", (38, 20), (30, 10)),  # scale 20 -> 17: rounds 3 digits
    ("-", (38, 20), (30, 10)),
    ("+", (38, 0), (38, 10)),   # scale 10 -> 6
    ("*", (15, 2), (16, 2)),
    ("+", (15, 2), (18, 9)),
    ("-", (5, 5), (18, 0)),
]


@pytest.mark.parametrize("op,lt,rt", TYPE_CASES, ids=[f"{o}{a}{b}" for o, a, b in TYPE_CASES])
def test_random_arrays_match_python_and_arrow(op, lt, rt):
    rng = np.random.default_rng(hash((op, lt, rt)) % 2 ** 32)
    lt, rt = _dt(*lt), _dt(*rt)
    digits = 8 if op == "*" else 8  # small enough for every pair here to fit int64
    a = _random(rng, 300, lt.precision, lt.scale, digits)
    b = _random(rng, 300, rt.precision, rt.scale, digits)
    _check(op, a, b, lt, rt, fast=True)
    # sliced: offsets into the data and validity buffers, different on each side
    _check(op, a.slice(7, 250), b.slice(33, 250), lt, rt, fast=True)
    # chunked, with different chunk layouts on the two sides
    ca = pa.chunked_array([a.slice(0, 100), a.slice(100, 13), a.slice(113)])
    cb = pa.chunked_array([b.slice(0, 250), b.slice(250)])
    _check(op, ca, cb, lt, rt, fast=True)


@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_literals_on_either_side(op):
    rng = np.random.default_rng(1)
    ct = _dt(38, 10)
    col = _random(rng, 200, 38, 10, 9)
    for lit, lit_t in [(3, _dt(1, 0)), (-17, _dt(2, 0)), (Dec("1.00000"), _dt(6, 5)),
                       (Dec("-0.00005"), _dt(5, 5)), (0, _dt(1, 0))]:
        _check(op, col, lit, ct, lit_t, fast=True)
        _check(op, lit, col, lit_t, ct, fast=True)
    # a null literal, or one with more digits than its type: Arrow's path decides
    _check(op, col, None, ct, _dt(1, 0), fast=False)
    assert I64.compute(op, col, Dec("0.001"), ct, _dt(2, 2), D.arithmetic_type(op, ct, _dt(2, 2))) \
        is None


def test_integer_columns_are_operands_too():
    rng = np.random.default_rng(2)
    ints = pa.array([None if rng.random() < 0.2 else int(rng.integers(-10 ** 6, 10 ** 6))
                     for _ in range(200)], pa.int64())
    col = _random(rng, 200, 38, 10, 9)
    for op in "+-*":
        _check(op, col, ints, _dt(38, 10), _dt(20, 0), fast=True)
        _check(op, ints.cast(pa.int32()), col, _dt(10, 0), _dt(38, 10), fast=True)


def test_rounding_is_half_away_from_zero():
    # decimal(38,10) * decimal(10,5) is decimal(38,6): 15 exact digits rounded to 6
    lt, rt = _dt(38, 10), _dt(10, 5)
    a = pa.array([Dec("0.05"), Dec("-0.05"), Dec("0.0499999999"), Dec("-0.0499999999"),
                  Dec("0.15"), Dec("-0.15"), Dec("123.4567890123"), None], pa.decimal128(38, 10))
    b = pa.array([Dec("0.00001")] * 7 + [Dec(1)], pa.decimal128(10, 5))
    got = _check("*", a, b, lt, rt, fast=True)
    assert got.to_pylist()[:6] == [Dec("0.000001"), Dec("-0.000001"), Dec("0.000000"),
                                   Dec("0.000000"), Dec("0.000002"), Dec("-0.000002")]
    # + and -: decimal(38,20) + decimal(30,10) is decimal(38,17), 3 digits rounded
    x = pa.array([Dec("0.00000000000000000500"), Dec("-0.00000000000000001500"),
                  Dec("0.00000000000000000499"), Dec("0.01234567890123456789")],
                 pa.decimal128(38, 20))
    y = pa.array([Dec(0), Dec(0), Dec(0), Dec("-0.0500000000")], pa.decimal128(30, 10))
    got = _check("+", x, y, _dt(38, 20), _dt(30, 10), fast=True)
    assert got.to_pylist()[:3] == [Dec("1E-17"), Dec("-2E-17"), Dec("0E-17")]


def test_null_slots_may_hold_anything():
    # a null slot whose bytes are a value far past int64: it must not stop the int64 path,
    # nor show in the output
    lo = np.array([5, -1, 7, 0], dtype=np.int64)
    hi = np.array([0, 12345, 0, 0], dtype=np.int64)  # slot 1 is 12345 * 2**64 - 1
    words = np.empty(8, dtype=np.int64)
    words[0::2], words[1::2] = lo, hi
    validity = pa.py_buffer(np.packbits([1, 0, 1, 1], bitorder="little"))
    a = pa.Array.from_buffers(pa.decimal128(38, 2), 4, [validity, pa.py_buffer(words)],
                              null_count=1)
    b = pa.array([Dec(3)] * 4, pa.decimal128(20, 0))
    got = _check("*", a, b, _dt(38, 2), _dt(20, 0), fast=True)
    assert got.to_pylist() == [Dec("0.15"), None, Dec("0.21"), Dec("0.00")]


def test_values_past_int64_fall_back():
    # (decimal(38,x) * decimal(38,y) is left out: Arrow's path cannot type its 77 digits)
    lt, rt = _dt(38, 0), _dt(30, 10)
    big = pa.array([Dec(2 ** 63), Dec(1), None], pa.decimal128(38, 0))  # needs the high word
    neg = pa.array([Dec(-2 ** 63 - 1), Dec(1), None], pa.decimal128(38, 0))
    small = pa.array([Dec("0.5"), Dec(1), Dec(2)], pa.decimal128(30, 10))
    for col in (big, neg):
        _check("*", col, small, lt, rt, fast=False)
        _check("+", small, col, rt, lt, fast=False)
    # values whose low word alone looks small, or of the right sign: the high word decides
    for v in (2 ** 64 + 5, -2 ** 64 - 5, 2 ** 63 + 5, -2 ** 63 - 5):
        col = pa.array([Dec(v), Dec(1)], pa.decimal128(38, 0))
        _check("+", col, 0, lt, _dt(1, 0), fast=False)
        _check("*", 1, col, _dt(1, 0), lt, fast=False)
    # mixed signs within int64 take the element-wise check and stay on the fast path
    mixed = pa.array([Dec(-2 ** 62), Dec(2 ** 40), Dec(-1), Dec(0)], pa.decimal128(38, 0))
    _check("*", mixed, pa.array([Dec("1E-10")] * 4, pa.decimal128(30, 10)), lt, rt, fast=True)
    # -2**63 fits int64, but |-2**63| does not: multiplying it by 1 must not take the fast path
    edge = pa.array([Dec(-2 ** 63), Dec(5)], pa.decimal128(38, 0))
    _check("*", edge, pa.array([Dec(1)] * 2, pa.decimal128(10, 0)), lt, _dt(10, 0), fast=False)


def test_product_bound_just_below_and_above_2_63():
    lt, rt = _dt(38, 0), _dt(10, 0)
    below = 3037000499  # below**2 < 2**63 <= (below + 1)**2
    assert below ** 2 < 2 ** 63 <= (below + 1) ** 2
    for m, fast in [(below, True), (below + 1, False)]:
        # the two maxima sit in different rows: the bound is max|a| * max|b|, not row-wise
        a = pa.array([Dec(m), Dec(1), Dec(-m), None], pa.decimal128(38, 0))
        b = pa.array([Dec(1), Dec(-m), Dec(m), Dec(m)], pa.decimal128(10, 0))
        _check("*", a, b, lt, rt, fast=fast)
    # 2**62 * 2 is 2**63: one past int64
    _check("*", pa.array([Dec(2 ** 62)], pa.decimal128(38, 0)), 2, lt, _dt(1, 0), fast=False)
    _check("*", pa.array([Dec(2 ** 62 - 1)], pa.decimal128(38, 0)), 2, lt, _dt(1, 0), fast=True)


def test_sum_bound_just_below_and_above_2_63():
    # decimal(38,0) + decimal(38,10): the left side is rescaled by 10**10 first
    lt, rt = _dt(38, 0), _dt(38, 10)
    top = 2 ** 63 - 1  # 922337203 * 10**10 + 6854775807
    for extra, fast in [(0, True), (1, False)]:
        a = pa.array([Dec(922337203), Dec(-922337203), None], pa.decimal128(38, 0))
        b = pa.array([Dec(6854775807 + extra).scaleb(-10), Dec(-6854775807 - extra).scaleb(-10),
                      Dec("1E-10")], pa.decimal128(38, 10))
        assert 922337203 * 10 ** 10 + 6854775807 == top
        _check("+", a, b, lt, rt, fast=fast)
        _check("-", a, b.slice(0, 3), lt, rt, fast=fast)


def test_results_past_the_output_precision_are_null():
    # Spark's types never let an int64-sized result pass its own precision, so this uses a
    # narrower output than Spark would, to show compute honours it as decimals.fit does
    lt, rt = _dt(5, 2), _dt(5, 2)
    # the last row lands exactly on 10**precision (999.99 + 0.01; 999.98 rounded to 1000.0)
    a = pa.array([Dec("999.99"), Dec("-999.99"), Dec("0.01"), None, Dec("500.00"), Dec("999.99")],
                 pa.decimal128(5, 2))
    b = pa.array([Dec("999.99"), Dec("999.99"), Dec("0.01"), Dec(1), Dec("0.50"), Dec("0.01")],
                 pa.decimal128(5, 2))
    for op, out in [("*", _dt(7, 3)), ("+", _dt(5, 2)), ("-", _dt(4, 1))]:
        got = _check(op, a, b, lt, rt, fast=True, out=out)
        exact = D.fit({"+": pa.compute.add, "-": pa.compute.subtract,
                       "*": pa.compute.multiply}[op](a.cast(pa.decimal256(20, 2)),
                                                     b.cast(pa.decimal256(20, 2))), out)
        assert got.equals(exact)
        assert got.null_count > 1
        assert (got[5].as_py() is None) == (op != "*")


def test_empty_and_all_null_arrays():
    lt, rt = _dt(38, 10), _dt(10, 5)
    _check("*", pa.array([], pa.decimal128(38, 10)), pa.array([], pa.decimal128(10, 5)), lt, rt,
           fast=True)
    nulls = pa.array([None] * 5, pa.decimal128(38, 10))
    _check("*", nulls, pa.array([Dec(1)] * 5, pa.decimal128(10, 5)), lt, rt, fast=True)


def test_kernel_switch_off_gives_the_same_answer():
    rng = np.random.default_rng(3)
    lt, rt = _dt(32, 4), _dt(16, 2)
    a, b = _random(rng, 500, 32, 4, 12), _random(rng, 500, 16, 2, 4)
    kernel = D.DecimalArithmetic("*", lt, rt, D.arithmetic_type("*", lt, rt))
    on = kernel(pa.chunked_array([a]), pa.chunked_array([b]))
    D.INT64_PATH = False
    try:
        off = kernel(pa.chunked_array([a]), pa.chunked_array([b]))
    finally:
        D.INT64_PATH = True
    assert isinstance(on, pa.Array)  # the int64 path answered
    assert on.equals(off.combine_chunks())


def test_q1_expression_through_a_dataframe(spark, tmp_path):
    # price * (1 - discount) * (1 + tax) over decimal(15,2) columns: decimal(38,6), exact
    import pyarrow.parquet as pq
    from dfml.sql import functions as F
    rng = np.random.default_rng(4)
    n = 400
    cols = {name: _random(rng, n, 15, 2, digits, nulls=0.1)
            for name, digits in [("price", 9), ("disc", 2), ("tax", 2)]}
    path = tmp_path / "li.parquet"
    pq.write_table(pa.table(cols), path)
    df = spark.read.parquet(str(path))
    charge = F.col("price") * (1 - F.col("disc")) * (1 + F.col("tax"))
    out = df.select(charge.alias("c"))
    assert out.dtypes == [("c", "decimal(38,6)")]
    want = [None if None in (p, d, t) else (p * (1 - d) * (1 + t)).quantize(Dec("0.000001"))
            for p, d, t in zip(*(cols[c].to_pylist() for c in ("price", "disc", "tax")))]
    assert [r.c for r in out.collect()] == want


def test_product_too_wide_for_decimal256_is_a_clear_error():
    # decimal(38,0) * decimal(38,10): 77 exact digits; in int64 when the values fit, else a
    # clear error naming the types (Arrow's own was "Decimal precision out of range")
    from dfml.sql.errors import ArithmeticException
    lt, rt = _dt(38, 0), _dt(38, 10)
    kernel = D.DecimalArithmetic("*", lt, rt, D.arithmetic_type("*", lt, rt))
    small = pa.array([Dec(12), None], pa.decimal128(38, 0))
    assert kernel(small, pa.array([Dec("0.5"), Dec(1)], pa.decimal128(38, 10))).to_pylist() == \
        [Dec("6.000000"), None]
    with pytest.raises(ArithmeticException, match=r"decimal\(38,0\) \* decimal\(38,10\).*77 digits"):
        kernel(pa.array([Dec(2 ** 64)], pa.decimal128(38, 0)),
               pa.array([Dec("0.5")], pa.decimal128(38, 10)))
