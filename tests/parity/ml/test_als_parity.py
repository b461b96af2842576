"""ALS through dfml and real PySpark on the same ratings: the same starting factors, the same
fitted factors and held-out RMSE (explicit, nonnegative, implicit), the same top-k, cold-start rows exactly as Spark keeps or drops them,
schema and show() text of recommendations, and Spark's messages for bad ids."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dfml.ml.recommendation import ALS


def _synthetic(n_users=120, n_items=60, rank=4, density=0.35, seed=11, implicit=False):
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(n_users, rank))
    V = rng.normal(size=(n_items, rank))
    train, test = [], []
    for u in range(n_users):
        for i in range(n_items):
            if rng.random() >= density:
                continue
            if implicit:
                r = float(max(0, round(U[u] @ V[i] + rng.normal(0, 0.3))))
            else:
                r = float(round(U[u] @ V[i] / 2 + 3 + rng.normal(0, 0.3), 2))
            (test if (u * 31 + i * 17) % 5 == 0 else train).append((u, i, r))
    return train, test


def _rmse(model, df):
    rows = model.transform(df).collect()
    return float(np.sqrt(np.mean([(r.rating - r.prediction) ** 2 for r in rows]))), len(rows)


def _factors(model):
    return (np.array([r.features for r in sorted(model.userFactors.collect())]),
            np.array([r.features for r in sorted(model.itemFactors.collect())]))


def test_starting_factors_are_sparks(spark, pyspark):
    # maxIter=0 returns the starting point: Spark's seeded generator per factor block, drawn for
    # the block's ids in ascending order, scaled to unit length in float
    from pyspark.ml.recommendation import ALS as PALS
    train, _ = _synthetic()
    schema = "user int, item int, rating double"
    kw = dict(rank=10, maxIter=0, seed=7, numUserBlocks=3, numItemBlocks=4)
    ours = _factors(ALS(**kw).fit(spark.createDataFrame(train, schema)))
    theirs = _factors(PALS(**kw).fit(pyspark.createDataFrame(train, schema)))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("nonnegative", [False, True])
def test_factors_and_heldout_rmse_match(spark, pyspark, nonnegative):
    from pyspark.ml.recommendation import ALS as PALS
    train, test = _synthetic(density=0.5)
    schema = "user int, item int, rating double"
    kw = dict(rank=4, maxIter=10, regParam=0.15, seed=3, nonnegative=nonnegative,
              coldStartStrategy="drop")
    ours = ALS(**kw).fit(spark.createDataFrame(train, schema))
    theirs = PALS(**kw).fit(pyspark.createDataFrame(train, schema))
    # the same start and the same float32 factors per solve: equal to a float's last bits
    # (measured: identical for Cholesky, 2.4e-7 apart for the nonnegative solver)
    for a, b in zip(_factors(ours), _factors(theirs)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    a, na = _rmse(ours, spark.createDataFrame(test, schema))
    b, nb = _rmse(theirs, pyspark.createDataFrame(test, schema))
    assert na == nb
    assert abs(a - b) / b < 1e-6, (a, b)


def test_implicit_factors_and_top_k_match(spark, pyspark):
    from pyspark.ml.recommendation import ALS as PALS
    train, _ = _synthetic(implicit=True)
    schema = "user int, item int, rating double"
    kw = dict(rank=4, maxIter=10, regParam=0.05, alpha=2.0, implicitPrefs=True, seed=3)
    ours = ALS(**kw).fit(spark.createDataFrame(train, schema))
    theirs = PALS(**kw).fit(pyspark.createDataFrame(train, schema))
    for a, b in zip(_factors(ours), _factors(theirs)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    a = {r.user: [x.item for x in r.recommendations]
         for r in ours.recommendForAllUsers(5).collect()}
    b = {r.user: [x.item for x in r.recommendations]
         for r in theirs.recommendForAllUsers(5).collect()}
    assert a == b


@pytest.mark.parametrize("strategy", ["nan", "drop"])
def test_cold_start_rows_exact(both, strategy):
    from pyspark.ml.recommendation import ALS as PALS
    rows = [(0, 0, 4.0), (0, 1, 2.0), (1, 1, 3.0), (1, 2, 4.0), (2, 1, 1.0), (2, 2, 5.0)]
    ours, theirs = both(rows, "user int, item int, rating double")
    test = [(0, 2), (1, 0), (2, 0), (3, 0), (0, 7), (9, 9)]
    to, tt = both(test, "user long, item int")
    m = ALS(rank=3, maxIter=5, seed=0, coldStartStrategy=strategy).fit(ours)
    p = PALS(rank=3, maxIter=5, seed=0, coldStartStrategy=strategy).fit(theirs)

    def shape(df):
        return sorted((r.user, r.item, bool(np.isnan(r.prediction))) for r in df.collect())
    assert shape(m.transform(to)) == shape(p.transform(tt))
    assert m.transform(to).columns == p.transform(tt).columns


def _numbers(text):
    """Show text with every decimal rounded to 4 significant digits and padding removed: the
    layout and values compared, not float32 noise in the last printed digit."""
    text = re.sub(r"-?\d+\.\d+(E-?\d+)?", lambda m: f"{float(m.group(0)):.4g}", text)
    return re.sub(r"[\s-]+", "", text)


def test_recommendations_schema_and_show_text(spark, pyspark, capsys):
    from pyspark.ml.recommendation import ALS as PALS
    # a fully observed rank-1 matrix: every run converges to the same predictions
    rows = [(u, i, float((u + 1) * (i + 2))) for u in range(4) for i in range(5)]
    schema = "user int, item int, rating double"
    kw = dict(rank=1, maxIter=15, regParam=0.01, seed=1)  # deeper: Spark overflows its stack
    m = ALS(**kw).fit(spark.createDataFrame(rows, schema))
    p = PALS(**kw).fit(pyspark.createDataFrame(rows, schema))
    for name, n in (("recommendForAllUsers", 3), ("recommendForAllItems", 2)):
        ours = getattr(m, name)(n).orderBy(m.recommendForAllUsers(1).columns[0]
                                           if name.endswith("Users") else "item")
        theirs = getattr(p, name)(n).orderBy("user" if name.endswith("Users") else "item")
        ours.printSchema()
        assert capsys.readouterr().out.strip() == theirs._jdf.schema().treeString().strip()
        a = ours._show_string(20, False)
        b = theirs._jdf.showString(20, 0, False)
        assert _numbers(a) == _numbers(b), (a, b)
    subset = spark.createDataFrame([(2,), (2,), (8,)], "user int")
    psubset = pyspark.createDataFrame([(2,), (2,), (8,)], "user int")
    a = m.recommendForUserSubset(subset, 2)._show_string(20, False)
    b = p.recommendForUserSubset(psubset, 2)._jdf.showString(20, 0, False)
    assert _numbers(a) == _numbers(b)


@pytest.mark.parametrize("rows,schema", [
    ([(0.5, 1, 1.0)], "user double, item int, rating double"),
    ([(3000000000, 1, 1.0)], "user long, item int, rating double"),
    ([(None, 1, 1.0)], "user int, item int, rating double"),
    ([(1, 1, None)], "user int, item int, rating double"),
])
def test_bad_input_messages(both, rows, schema):
    from pyspark.ml.recommendation import ALS as PALS
    ours, theirs = both(rows, schema)
    with pytest.raises(Exception) as spark_error:
        PALS(maxIter=1).fit(theirs).userFactors.collect()
    with pytest.raises(Exception) as our_error:
        ALS(maxIter=1).fit(ours)
    want = re.search(r"\[USER_RAISED_EXCEPTION\][^\n]*?SQLSTATE: P0001", str(spark_error.value))
    assert want and want.group(0) in str(our_error.value)
