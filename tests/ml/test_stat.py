"""dfml.ml.stat: how many passes each statistic takes, agreement with numpy/scipy over several
partitions, Summarizer beside ordinary aggregates, and errors that name the column."""

import numpy as np
import pytest
from scipy import stats as ss

from dfml.ml.linalg import DenseMatrix, Vectors
from dfml.ml.stat import ChiSquareTest, Correlation, Summarizer
from dfml.ml.stats import weighted_moments, weighted_moments_merge
from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException, IllegalArgumentException, SparkException


@pytest.fixture
def data(spark):
    rng = np.random.default_rng(11)
    X = np.column_stack([rng.integers(0, 5, 200), rng.normal(size=200), rng.integers(0, 2, 200)])
    X[:, 1] += X[:, 0]
    w = rng.choice([0.0, 0.5, 1.0, 3.0], size=200)
    rows = [(i, float(X[i, 2]), float(w[i]), "ab"[i % 2],
             Vectors.sparse(3, np.flatnonzero(X[i]), X[i][X[i] != 0]) if i % 3 else
             Vectors.dense(X[i])) for i in range(200)]
    df = spark.createDataFrame(rows, ["id", "label", "w", "g", "features"]).repartition(4)
    return df, X, w


def test_pearson_is_one_pass_and_matches_numpy(data, graphs):
    df, X, _ = data
    n = graphs()
    result = Correlation.corr(df, "features")
    assert n.count == 1
    m = result.collect()[0][0]
    assert isinstance(m, DenseMatrix) and not m.isTransposed
    assert np.allclose(m.toArray(), np.corrcoef(X, rowvar=False), rtol=1e-10)


def test_spearman_averages_tied_ranks(data, graphs):
    df, X, _ = data
    n = graphs()
    result = Correlation.corr(df, "features", "spearman")
    assert n.count == 2  # ranks, then co-moments of the ranks
    m = result.collect()[0][0].toArray()
    assert np.allclose(m, ss.spearmanr(X).statistic, rtol=1e-10)


def test_constant_feature_correlates_nan(spark):
    df = spark.createDataFrame([(Vectors.dense([float(i), 1.0]),) for i in range(5)], ["v"])
    m = Correlation.corr(df, "v").collect()[0][0].toArray()
    assert m[0, 0] == m[1, 1] == 1.0 and np.isnan(m[0, 1]) and np.isnan(m[1, 0])


def test_chi_square_matches_scipy(data):
    df, X, _ = data
    row = ChiSquareTest.test(df, "features", "label").collect()[0]
    for j in (0, 2):
        table = np.array([[np.sum((X[:, j] == a) & (X[:, 2] == b)) for b in (0, 1)]
                          for a in np.unique(X[:, j])])
        stat, p, dof, _ = ss.chi2_contingency(table, correction=False)
        assert row.statistics[j] == pytest.approx(stat) and row.pValues[j] == pytest.approx(p)
        assert row.degreesOfFreedom[j] == dof


def test_chi_square_refuses_continuous_features(spark):
    df = spark.createDataFrame([(float(i % 2), Vectors.dense([i * 0.5])) for i in range(10001)],
                               ["label", "f"])
    with pytest.raises(SparkException, match="more than 10000 distinct values"):
        ChiSquareTest.test(df, "f", "label")


def test_summarizer_beside_other_aggregates_in_one_pass(data, graphs):
    df, X, w = data
    n = graphs()
    out = df.groupBy("g").agg(
        Summarizer.metrics("mean", "variance", "count", "normL1").summary(F.col("features"),
                                                                        F.col("w")).alias("s"),
        F.count("*").alias("rows"), Summarizer.max("features")).orderBy("g").collect()
    assert n.count == 1
    for r, half in zip(out, (0, 1)):
        idx = np.arange(200) % 2 == half
        keep = idx & (w > 0)
        Xg, wg = X[keep], w[keep]
        mean = wg @ Xg / wg.sum()
        var = wg @ (Xg - mean) ** 2 / (wg.sum() - (wg ** 2).sum() / wg.sum())
        assert np.allclose(r.s.mean.toArray(), mean) and np.allclose(r.s.variance.toArray(), var)
        assert r.s["count"] == keep.sum() and r.rows == idx.sum()
        assert np.allclose(r.s.normL1.toArray(), wg @ np.abs(Xg))
        assert np.allclose(r[3].toArray(), X[idx].max(axis=0))


def test_weighted_moments_merge_equals_whole():
    rng = np.random.default_rng(3)
    X, w = rng.normal(size=(50, 3)) * 100 + 1e6, rng.random(50)
    whole = weighted_moments(X, w)
    merged = weighted_moments_merge(weighted_moments(X[:20], w[:20]),
                                    weighted_moments(X[20:], w[20:]))
    for k in ("mean", "m2", "l1", "l2", "max", "min"):
        assert np.allclose(merged[k], whole[k], rtol=1e-9), k


def test_errors_name_what_is_wrong(spark, data):
    df, _, _ = data
    with pytest.raises(IllegalArgumentException, match="method"):
        Correlation.corr(df, "features", "kendall")
    with pytest.raises(AnalysisException, match="`feats`"):
        Correlation.corr(df, "feats")
    with pytest.raises(IllegalArgumentException, match="`label` must be a vector"):
        Correlation.corr(df, "label")
    with pytest.raises(IllegalArgumentException, match="unknown metric 'median'"):
        Summarizer.metrics("mean", "median")
    with pytest.raises(AnalysisException, match="must be a vector"):
        df.select(Summarizer.mean(F.col("label"))).collect()


def test_summarizer_fails_on_null_vectors_and_empty_input(spark):
    """As Spark's: a null vector fails the job, so does a group with nothing added (no rows,
    or only rows of weight 0); a row whose weight is null is left out."""
    df = spark.createDataFrame([(1.0, Vectors.dense([1.0, 2.0])), (None, Vectors.dense([5.0, 0.0])),
                                (3.0, Vectors.dense([3.0, -2.0]))], ["w", "v"])
    r = df.select(Summarizer.metrics("mean", "count").summary(F.col("v"), F.col("w"))).first()[0]
    assert r["count"] == 2 and np.allclose(r["mean"].toArray(), [2.5, -1.0])
    with pytest.raises(SparkException, match="nothing has been added"):
        df.filter("w > 5").select(Summarizer.mean(F.col("v"))).collect()
    with pytest.raises(SparkException, match="nothing has been added"):
        df.select(Summarizer.mean(F.col("v"), F.lit(0.0))).collect()
    nulls = spark.createDataFrame([(1.0, None), (2.0, Vectors.dense([1.0]))], df.schema)
    with pytest.raises(SparkException, match="null vector"):
        nulls.select(Summarizer.count(F.col("v"))).collect()
