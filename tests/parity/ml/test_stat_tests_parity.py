"""ANOVATest, FValueTest and KolmogorovSmirnovTest through dfml and real Spark on the same rows:
schemas, p-values, degrees of freedom, F values and KS statistics to 1e-6, nested and flattened,
with ties, a constant feature, sparse rows and several partitions; and the errors Spark raises
(unknown distribution, wrong parameter count, a non-numeric or missing column, too few rows).
PySpark has no Python wrapper for ANOVATest and FValueTest, so the oracle calls the Scala
objects through the session's JVM gateway."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.linalg import Vectors as DV

NAN = float("nan")


def _spark_test(name, df, features, label, flatten=False):
    from pyspark.sql import DataFrame
    jvm = df.sparkSession._jvm
    jdf = getattr(jvm.org.apache.spark.ml.stat, name).test(df._jdf, features, label, flatten)
    return DataFrame(jdf, df.sparkSession)


def _rows(n=60, seed=3):
    """(label, target, features): 3 classes, a feature shifted by class, a noise feature, a
    constant, a feature with many ties; every fourth row sparse."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        c = float(i % 3)
        x = np.array([round(c * 1.5 + rng.normal(), 4), round(rng.normal(), 4), 2.5,
                      float(rng.integers(0, 3))])
        y = round(float(0.7 * x[0] - 0.2 * x[3] + rng.normal() * 0.5), 4)
        nz = np.flatnonzero(x)
        f = ("s", [int(j) for j in nz], [float(v) for v in x[nz]]) if i % 4 == 0 \
            else [float(v) for v in x]
        out.append((c, y, f))
    return out


def _frames(spark, pyspark, rows):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(c, y, V.sparse(4, f[1], f[2]) if isinstance(f, tuple) else V.dense(f))
                for c, y, f in rows]
    cols = ["label", "target", "features"]
    return spark.createDataFrame(make(DV), cols).repartition(3), \
        pyspark.createDataFrame(make(PV), cols)


def _close(a, b, rel=1e-6):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name,label", [("ANOVATest", "label"), ("FValueTest", "target"),
                                        ("FValueTest", "label")])
def test_f_tests_nested_and_flat(spark, pyspark, name, label):
    import dfml.ml.stat as stat
    ours_df, theirs_df = _frames(spark, pyspark, _rows())
    ours = getattr(stat, name).test(ours_df, "features", label)
    theirs = _spark_test(name, theirs_df, "features", label)
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    (p1, d1, f1), (p2, d2, f2) = ours.collect()[0], theirs.collect()[0]
    assert list(d1) == list(d2)
    assert _close(p1.toArray(), p2.toArray()) and _close(f1.toArray(), f2.toArray())

    ours = getattr(stat, name).test(ours_df, "features", label, flatten=True)
    theirs = _spark_test(name, theirs_df, "features", label, True)
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    a = sorted(tuple(r) for r in ours.collect())
    b = sorted(tuple(r) for r in theirs.collect())
    assert [(r[0], r[2]) for r in a] == [(r[0], r[2]) for r in b]
    assert _close([(r[1], r[3]) for r in a], [(r[1], r[3]) for r in b])


@pytest.mark.parametrize("name", ["ANOVATest", "FValueTest"])
def test_f_tests_too_few_rows_fail_as_spark(spark, pyspark, name):
    import dfml.ml.stat as stat
    from dfml.sql.errors import SparkException
    rows = [(1.0, 1.0, [1.0, 2.0]), (1.0, 2.0, [2.0, 2.0])]
    ours_df, theirs_df = _frames(spark, pyspark, [(c, y, f + [0.0, 0.0]) for c, y, f in rows])
    with pytest.raises(Exception, match="degrees of freedom"):
        _spark_test(name, theirs_df, "features", "label").collect()
    with pytest.raises(SparkException, match="degrees of freedom"):
        getattr(stat, name).test(ours_df, "features", "label")


@pytest.mark.parametrize("name", ["ANOVATest", "FValueTest"])
def test_f_tests_bad_columns_fail_as_spark(spark, pyspark, name):
    import dfml.ml.stat as stat
    from dfml.sql.errors import IllegalArgumentException
    ours_df, theirs_df = _frames(spark, pyspark, _rows(12))
    ours_df = ours_df.withColumn("label", ours_df.label.cast("string"))
    theirs_df = theirs_df.withColumn("label", theirs_df.label.cast("string"))
    with pytest.raises(Exception, match="numeric"):
        _spark_test(name, theirs_df, "features", "label")
    with pytest.raises(IllegalArgumentException, match="`label`.*numeric"):
        getattr(stat, name).test(ours_df, "features", "label")
    with pytest.raises(Exception, match="nope"):
        _spark_test(name, theirs_df, "nope", "target")
    with pytest.raises(IllegalArgumentException, match="`nope` does not exist"):
        getattr(stat, name).test(ours_df, "nope", "target")


KS_SAMPLES = {
    "small": [0.1, 0.15, 0.2, 0.3, 0.25, 0.25],
    "ties": [0.0, 0.0, 1.0, 1.0, 1.0, -0.5, 2.0, -0.5, 0.3],
    "shifted": [float(v) for v in np.round(np.random.default_rng(5).normal(1.0, 2.0, 300), 3)],
}


@pytest.mark.parametrize("sample", sorted(KS_SAMPLES))
@pytest.mark.parametrize("params", [(), (0.0, 1.0), (1.0, 2.0), (0.5, 0.1)])
def test_ks(spark, pyspark, sample, params):
    from pyspark.ml.stat import KolmogorovSmirnovTest as PK

    from dfml.ml.stat import KolmogorovSmirnovTest as DK
    rows = [(v,) for v in KS_SAMPLES[sample]]
    ours = DK.test(spark.createDataFrame(rows, ["x"]).repartition(2), "x", "norm", *params)
    theirs = PK.test(pyspark.createDataFrame(rows, ["x"]), "x", "norm", *params)
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    (p1, s1), (p2, s2) = ours.collect()[0], theirs.collect()[0]
    assert _close(s1, s2)
    # below ~1e-11 Spark's p-value is the rounding of 1 - cdf; dfml's is the tail itself
    assert _close(p1, p2) or (p2 < 1e-10 and p1 < p2)


def test_ks_nan_or_null_sample_fails(spark, pyspark):
    from pyspark.ml.stat import KolmogorovSmirnovTest as PK

    from dfml.ml.stat import KolmogorovSmirnovTest as DK
    from dfml.sql.errors import SparkException
    for rows in ([(0.1,), (NAN,), (0.3,)], [(0.1,), (None,), (0.3,)]):
        with pytest.raises(Exception):
            PK.test(pyspark.createDataFrame(rows, "x double"), "x", "norm").collect()
        with pytest.raises(SparkException, match="`x` holds a null or NaN sample"):
            DK.test(spark.createDataFrame(rows, "x double"), "x", "norm")


def test_ks_integer_column(spark, pyspark):
    from pyspark.ml.stat import KolmogorovSmirnovTest as PK

    from dfml.ml.stat import KolmogorovSmirnovTest as DK
    rows = [(i % 4 - 1,) for i in range(25)]
    ours = DK.test(spark.createDataFrame(rows, "x int"), "x", "norm")
    theirs = PK.test(pyspark.createDataFrame(rows, "x int"), "x", "norm")
    assert _close(list(ours.collect()[0]), list(theirs.collect()[0]))


@pytest.mark.parametrize("args,ours_error", [
    (("x", "exp"), "UnsupportedOperationException"),
    (("x", "norm", 1.0), "IllegalArgumentException"),
    (("x", "norm", 0.0, -1.0), "IllegalArgumentException"),
    (("nope", "norm"), "IllegalArgumentException"),
    (("s", "norm"), "IllegalArgumentException")])
def test_ks_errors_as_spark(spark, pyspark, args, ours_error):
    from pyspark.ml.stat import KolmogorovSmirnovTest as PK

    from dfml.ml.stat import KolmogorovSmirnovTest as DK
    rows = [(0.5, "a"), (1.5, "b")]
    with pytest.raises(Exception) as theirs:
        PK.test(pyspark.createDataFrame(rows, ["x", "s"]), *args).collect()
    assert type(theirs.value).__name__ == ours_error
    with pytest.raises(Exception) as ours:
        DK.test(spark.createDataFrame(rows, ["x", "s"]), *args).collect()
    assert type(ours.value).__name__ == ours_error
    assert "KolmogorovSmirnovTest" in str(ours.value)
