"""sample, sampleBy and randomSplit keep Spark's very rows for the same seed and partitioning.

Partitionings compared: ``range(start, end, step, numPartitions)`` (both split the range the same
way) and ``createDataFrame`` of a small list (one partition in dfml; one in PySpark on
``local[1]``). ``repartition(n)`` is not comparable (Spark's round-robin starts each input
partition at its own pseudo-random offset).
"""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import IllegalArgumentException

from .helpers import assert_same

ROWS = [(1, "b", 2.5), (1, "a", None), (10, None, 1.0), (2, "b", 2.5), (None, "a", float("nan")),
        (2, "10", -1.0), (1, "b", 2.5), (None, None, None), (3, "é", float("nan")), (2, "b", 0.5),
        (7, "z", 3.0), (1, "b", 2.5)]
DDL = "k int, s string, x double"


def _ranged(s, f, parts, n=40):
    """Nulls, NaN, ties and text over ``parts`` partitions of a range."""
    mod = f.col("id") % 4
    return s.range(0, n, 1, parts).select(
        f.when(mod == 0, None).otherwise(f.col("id") % 3).alias("k"),
        f.when(mod == 1, f.lit(float("nan"))).otherwise((f.col("id") % 5).cast("double")).alias("x"),
        f.when(f.col("id") % 7 == 0, None).otherwise(f.concat(f.lit("s"), (f.col("id") % 2).cast("string"))).alias("s"),
        "id")


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("fraction, seed", [(0.5, 3), (0.3, -7), (0.0, 1), (1.0, 2), (0.9, 2**40)])
def test_sample_keeps_sparks_rows(spark, pyspark, parts, fraction, seed):
    from pyspark.sql import functions as PF
    assert_same(_ranged(spark, F, parts).sample(fraction=fraction, seed=seed),
                _ranged(pyspark, PF, parts).sample(fraction=fraction, seed=seed), ordered=True)


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("fraction, seed", [(0.5, 3), (2.5, -7), (0.0, 1), (1.0, 2**40)])
def test_sample_with_replacement_keeps_sparks_rows(spark, pyspark, parts, fraction, seed):
    from pyspark.sql import functions as PF
    assert_same(_ranged(spark, F, parts).sample(True, fraction, seed),
                _ranged(pyspark, PF, parts).sample(True, fraction, seed), ordered=True)


def test_sample_argument_forms_and_later_steps(spark, pyspark, both):
    from pyspark.sql import functions as PF
    ours, theirs = both(ROWS, DDL)
    assert_same(ours.sample(0.5, 11), theirs.sample(0.5, 11), ordered=True)
    assert_same(ours.sample(False, 0.4, 5), theirs.sample(False, 0.4, 5), ordered=True)
    assert_same(ours.sample(withReplacement=False, fraction=0.7, seed=1),
                theirs.sample(withReplacement=False, fraction=0.7, seed=1), ordered=True)
    # a filter or projection after the sample does not move below it
    a = _ranged(spark, F, 3).sample(0.5, 8).filter(F.col("k") == 1).select("id", "x")
    b = _ranged(pyspark, PF, 3).sample(0.5, 8).filter(PF.col("k") == 1).select("id", "x")
    assert_same(a, b, ordered=True)
    a = _ranged(spark, F, 3).filter(F.col("k") == 1).sample(0.5, 8)
    b = _ranged(pyspark, PF, 3).filter(PF.col("k") == 1).sample(0.5, 8)
    assert_same(a, b, ordered=True)


def test_sample_errors(spark, pyspark, both):
    from pyspark.errors import IllegalArgumentException as PIAE, PySparkTypeError
    ours, theirs = both(ROWS, DDL)
    for args in [(True, 1), (None, None), ("0.5",)]:
        with pytest.raises(PySparkTypeError, match="NOT_EXPECTED_TYPE"):
            theirs.sample(*args)
        with pytest.raises(TypeError, match="NOT_EXPECTED_TYPE"):
            ours.sample(*args)
    with pytest.raises(PIAE, match=r"Sampling fraction \(1.5\) must be on interval \[0, 1\]"):
        theirs.sample(1.5, 1)
    with pytest.raises(IllegalArgumentException,
                       match=r"Sampling fraction \(1.5\) must be on interval \[0, 1\]"):
        ours.sample(1.5, 1)
    with pytest.raises(PIAE, match="must be nonnegative with replacement"):
        theirs.sample(True, -0.5, 1)
    with pytest.raises(IllegalArgumentException, match="must be nonnegative with replacement"):
        ours.sample(True, -0.5, 1)
    with pytest.raises(IllegalArgumentException, match="fraction 40.0 >= 40 is not supported"):
        ours.sample(True, 40.0, 1)


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("weights, seed", [([0.3, 0.7], 11), ([1.0, 2.0, 3.0], 5),
                                           ([0.5, 0.0, 0.5], -3), ([0.1, 0.2, 0.3, 0.4], 7)])
def test_random_split_keeps_sparks_rows(spark, pyspark, parts, weights, seed):
    from pyspark.sql import functions as PF
    ours = _ranged(spark, F, parts).randomSplit(weights, seed)
    theirs = _ranged(pyspark, PF, parts).randomSplit(weights, seed)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b, ordered=True)


def test_random_split_sorts_each_partition_by_all_columns(spark, pyspark, both):
    ours, theirs = both(ROWS, DDL)
    for a, b in zip(ours.randomSplit([0.4, 0.6], 2), theirs.randomSplit([0.4, 0.6], 2)):
        assert_same(a, b, ordered=True)
    # a map column is left out of the sort (maps do not order); the rest still orders the rows
    rows = [(r[0], r[1], {"m": r[2]}) for r in ROWS]
    ours, theirs = both(rows, "k int, s string, m map<string,double>")
    for a, b in zip(ours.randomSplit([0.5, 0.5], 9), theirs.randomSplit([0.5, 0.5], 9)):
        assert_same(a.select("k", "s"), b.select("k", "s"), ordered=True)


def test_random_split_errors(spark, pyspark, both):
    from pyspark.errors import IllegalArgumentException as PIAE, PySparkValueError
    ours, theirs = both(ROWS, DDL)
    with pytest.raises(PySparkValueError, match="VALUE_NOT_POSITIVE"):
        theirs.randomSplit([-1.0, 2.0], 1)
    with pytest.raises(ValueError, match="VALUE_NOT_POSITIVE"):
        ours.randomSplit([-1.0, 2.0], 1)
    with pytest.raises(PIAE, match=r"Sum of weights must be positive, but got \[0.0,0.0\]"):
        theirs.randomSplit([0.0, 0.0], 1)
    with pytest.raises(IllegalArgumentException,
                       match=r"Sum of weights must be positive, but got \[0.0,0.0\]"):
        ours.randomSplit([0.0, 0.0], 1)
    with pytest.raises(Exception, match="ClassCastException"):
        theirs.randomSplit([1, 2.0], 1)
    with pytest.raises(TypeError, match="weights must be floats"):
        ours.randomSplit([1, 2.0], 1)


@pytest.mark.parametrize("parts", [1, 3])
def test_sample_by_keeps_sparks_rows(spark, pyspark, parts):
    from pyspark.sql import functions as PF
    fractions = {0: 0.5, 1: 0.8, 2: 0.0}
    assert_same(_ranged(spark, F, parts).sampleBy("k", fractions, 9),
                _ranged(pyspark, PF, parts).sampleBy("k", fractions, 9), ordered=True)
    assert_same(_ranged(spark, F, parts).stat.sampleBy(F.col("s"), {"s0": 0.3, "s1": 0.6}, -2),
                _ranged(pyspark, PF, parts).stat.sampleBy(PF.col("s"), {"s0": 0.3, "s1": 0.6}, -2),
                ordered=True)
