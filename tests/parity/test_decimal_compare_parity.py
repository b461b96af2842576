"""A decimal column against a double literal (Spark compares in double) as PySpark answers it.

dfml rewrites such a comparison into one with a decimal literal so that the parquet read can
apply it (``dfml.sql.decimal_compare``); these cases pin the rewrite to Spark's answers at the
edges: values whose double rounds onto, just under or just over the literal, nulls, literals on
either side, NaN and infinities, literals beyond the column's range, and the filter's rows."""

from __future__ import annotations

import decimal
import math
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dfml.sql import functions as F
from dfml.sql.decimal_compare import smallest_at_least
from dfml.sql.explain import reads

D = decimal.Decimal
# decimal(15,2) values around TPC-H Q6's bounds; decimal(38,18) values around the midpoints of
# 0.1 and its neighbouring doubles (0.099999999999999998 rounds below 0.1, ...999 onto it)
SMALL = ["0.04", "0.05", "0.06", "0.07", "0.08", "-0.05", "0.00", "123.45", "123.46", None,
         "9999999999999.99", "-9999999999999.99", "0.30", "0.31"]
WIDE = ["0.099999999999999998", "0.099999999999999999", "0.100000000000000000",
        "0.100000000000000012", "0.100000000000000013", "0.300000000000000044",
        "-0.000000000000000001", "0.000000000000000000", None, "0.300000000000000000",
        "0.299999999999999999", "1E-18", "12345.678901234567890123", "0.30000000000000004"]
LITERALS = [0.05, 0.07, 0.1, 0.1 + 0.2, 0.3, -0.0, 0.0, 1e-20, -1e-20, 1e-18, 123.455, 1e30,
            -1e30, 12345.678901234567, float("nan"), float("inf"), float("-inf")]
OPS = ["<", "<=", ">", ">="]


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    root = tmp_path_factory.mktemp("deccmp")
    table = pa.table({
        "id": pa.array(range(len(SMALL)), pa.int32()),
        "d": pa.array([None if v is None else D(v) for v in SMALL], pa.decimal128(15, 2)),
        "w": pa.array([None if v is None else D(v).quantize(D(1).scaleb(-18)) for v in WIDE],
                      pa.decimal128(38, 18)),
    })
    pq.write_table(table, str(root / "part-0.parquet"))
    return str(root)


def _cmp(f, col, op, lit, literal_left):
    c, v = f.col(col), f.lit(lit)
    a, b = (v, c) if literal_left else (c, v)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _rows(df):
    return sorted(tuple(r) for r in df.collect())


@pytest.mark.parametrize("col", ["d", "w"])
@pytest.mark.parametrize("literal_left", [False, True])
def test_values_match_pyspark(spark, pyspark, path, col, literal_left):
    from pyspark.sql import functions as PF
    ours, theirs = spark.read.parquet(path), pyspark.read.parquet(path)
    exprs = [(op, lit) for op in OPS for lit in LITERALS]
    mine = ours.select("id", *[_cmp(F, col, op, lit, literal_left).alias(f"c{i}")
                               for i, (op, lit) in enumerate(exprs)])
    spark_ = theirs.select("id", *[_cmp(PF, col, op, lit, literal_left).alias(f"c{i}")
                                   for i, (op, lit) in enumerate(exprs)])
    got, want = _rows(mine), _rows(spark_)
    for g, w in zip(got, want):
        for i, (a, b) in enumerate(zip(g[1:], w[1:])):
            op, lit = exprs[i]
            assert a == b, f"id {g[0]}: {col} {op} {lit!r} (literal left: {literal_left})"


@pytest.mark.parametrize("col", ["d", "w"])
def test_filters_match_pyspark_and_reach_the_read(spark, pyspark, path, col):
    from pyspark.sql import functions as PF
    for op in OPS:
        for lit in (0.05, 0.1, 0.3, 123.455, -0.0):
            mine = spark.read.parquet(path).filter(_cmp(F, col, op, lit, False)).select("id")
            theirs = pyspark.read.parquet(path).filter(_cmp(PF, col, op, lit, False)).select("id")
            assert _rows(mine) == _rows(theirs), f"{col} {op} {lit}"
            [read] = reads(mine._frame)
            pushed = [f for conj in (read.operand("filters") or []) for f in conj]
            assert [f[0] for f in pushed] == [col], (op, lit, pushed)


def test_q6_conjunction_is_pushed_whole(spark, path):
    df = spark.read.parquet(path).filter((F.col("d") >= 0.05) & (F.col("d") <= 0.07)
                                         & (F.col("id") < 12)).select("id")
    [read] = reads(df._frame)
    pushed = {f for conj in read.operand("filters") for f in conj}
    assert pushed == {("d", ">=", D("0.05")), ("d", "<", D("0.08")), ("id", "<", 12)}
    assert _rows(df) == [(1,), (2,), (3,)]


def test_smallest_at_least_against_brute_force():
    rng = random.Random(7)
    ctx = decimal.Context(prec=120)
    for _ in range(3000):
        scale = rng.choice([0, 1, 2, 4, 10, 18, 30])
        c = rng.choice([rng.uniform(-1000, 1000), rng.uniform(-1, 1) * 10 ** rng.randint(-25, 15),
                        round(rng.uniform(-100, 100), rng.randint(0, 6))])
        t = smallest_at_least(c, scale)
        unit = D(1).scaleb(-scale)
        assert t == t.quantize(unit, context=ctx) and float(t) >= c, (c, scale, t)
        assert float(ctx.subtract(t, unit)) < c, (c, scale, t)
    for c in (0.0, -0.0, 5e-324, -5e-324, 0.1, 1e37):
        t = smallest_at_least(c, 2)
        assert float(t) >= c and float(t - D("0.01")) < c and not math.isnan(float(t))
