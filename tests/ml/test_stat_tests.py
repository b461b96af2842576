"""ANOVATest, FValueTest and KolmogorovSmirnovTest: one pass each, agreement with scipy's
f_oneway, f_regression (via the correlation) and kstest over several partitions, and errors
that name the column or parameter."""

import numpy as np
import pytest
from scipy import stats as ss

from dfml.ml.linalg import Vectors
from dfml.ml.stat import ANOVATest, FValueTest, KolmogorovSmirnovTest
from dfml.sql.errors import IllegalArgumentException, SparkException, UnsupportedOperationException


@pytest.fixture
def data(spark):
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 150).astype(float)
    X = np.column_stack([y + rng.normal(size=150), rng.normal(size=150),
                         rng.integers(0, 4, 150).astype(float)])
    t = 0.5 * X[:, 0] + rng.normal(size=150)
    rows = [(float(y[i]), float(t[i]), Vectors.sparse(3, np.flatnonzero(X[i]), X[i][X[i] != 0])
             if i % 3 == 0 else Vectors.dense(X[i])) for i in range(150)]
    return spark.createDataFrame(rows, ["label", "target", "features"]).repartition(4), X, y, t


def test_anova_is_one_pass_and_matches_scipy(data, graphs):
    df, X, y, _ = data
    n = graphs()
    result = ANOVATest.test(df, "features", "label")
    assert n.count == 1
    row = result.collect()[0]
    for j in range(3):
        f, p = ss.f_oneway(*[X[y == c, j] for c in np.unique(y)])
        assert row.fValues[j] == pytest.approx(f, rel=1e-9)
        assert row.pValues[j] == pytest.approx(p, rel=1e-6)
    assert list(row.degreesOfFreedom) == [149] * 3


def test_fvalue_is_one_pass_and_matches_scipy(data, graphs):
    df, X, _, t = data
    n = graphs()
    result = FValueTest.test(df, "features", "target", flatten=True)
    assert n.count == 1
    rows = result.collect()
    assert [r.featureIndex for r in rows] == [0, 1, 2]
    for j, r in enumerate(rows):
        rho = np.corrcoef(X[:, j], t)[0, 1]
        f = rho * rho / (1 - rho * rho) * 148
        assert r.fValue == pytest.approx(f, rel=1e-9)
        assert r.pValue == pytest.approx(ss.f.sf(f, 1, 148), rel=1e-6)
        assert r.degreesOfFreedom == 148


def test_ks_is_one_pass_and_matches_scipy(spark, graphs):
    x = np.round(np.random.default_rng(2).normal(0.3, 1.5, 500), 2)  # with ties
    df = spark.createDataFrame([(float(v),) for v in x], ["x"]).repartition(3)
    n = graphs()
    result = KolmogorovSmirnovTest.test(df, "x", "norm", 0.3, 1.5)
    assert n.count == 1
    row = result.collect()[0]
    ref = ss.kstest(x, "norm", args=(0.3, 1.5), method="exact")
    assert row.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert row.pValue == pytest.approx(ref.pvalue, rel=1e-6)
    std = KolmogorovSmirnovTest.test(df, "x", "norm").collect()[0]
    assert std.statistic == pytest.approx(ss.kstest(x, "norm").statistic, rel=1e-12)


def test_errors_name_the_column_or_parameter(spark, data):
    df = data[0]
    with pytest.raises(IllegalArgumentException, match="`labels` does not exist"):
        ANOVATest.test(df, "features", "labels")
    with pytest.raises(IllegalArgumentException, match="`target` must be of type vector"):
        FValueTest.test(df, "target", "label")
    with pytest.raises(SparkException, match="degrees of freedom"):
        ANOVATest.test(df.filter("label = 1.0"), "features", "label")
    s = spark.createDataFrame([(1.0, "a")], ["x", "s"])
    with pytest.raises(UnsupportedOperationException, match="'uniform'"):
        KolmogorovSmirnovTest.test(s, "x", "uniform")
    with pytest.raises(IllegalArgumentException, match="`s` must be of type numeric"):
        KolmogorovSmirnovTest.test(s, "s", "norm")
    with pytest.raises(IllegalArgumentException, match="standard deviation"):
        KolmogorovSmirnovTest.test(s, "x", "norm", 0.0, 0.0)
    with pytest.raises(IllegalArgumentException, match="two parameters"):
        KolmogorovSmirnovTest.test(s, "x", "norm", 1.0, 2.0, 3.0)
    with pytest.raises(SparkException, match="no rows"):
        KolmogorovSmirnovTest.test(s.filter("x > 5"), "x", "norm")
    assert issubclass(UnsupportedOperationException, NotImplementedError)
