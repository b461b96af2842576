"""dfml.xgboost against xgboost.spark itself (running on real PySpark) with the same rows and
keywords: the same output columns in the same order with the same types, and the same
predictions to float32 precision. Features have few distinct values (so the quantile sketch
is exact whatever the partitioning), a null/NaN feature (missing to xgboost), weights, a
validation column with early stopping, and tied labels within queries for the ranker."""

from __future__ import annotations

import numpy as np
import pytest

RNG = np.random.default_rng(17)
N = 300
X = np.round(RNG.normal(size=(N, 3)), 1)
X[::13, 1] = np.nan
F = np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) * X[:, 2]
Y = {"bin": (F > 0).astype(float), "multi": np.digitize(F, [-0.7, 0.7]).astype(float),
     "reg": F + 0.2 * RNG.normal(size=N), "rank": np.clip(np.round(F), 0, 2)}
W = 1.0 + (np.arange(N) % 3)
VALID = np.arange(N) % 5 == 0
QID = np.arange(N) // 15


def _frames(spark, pyspark, y):
    from dfml.ml.linalg import Vectors as DV
    from pyspark.ml.linalg import Vectors as PV

    def rows(V):
        return [(V.dense(*map(float, x)), None if np.isnan(x[1]) else float(x[1]),
                 float(x[0]), float(x[2]), float(t), float(w), bool(v), int(q))
                for x, t, w, v, q in zip(X, y, W, VALID, QID)]
    names = ["features", "b", "a", "c", "label", "w", "valid", "qid"]
    return spark.createDataFrame(rows(DV), names), pyspark.createDataFrame(rows(PV), names)


def _values(df, cols):
    out = []
    for r in df.select(*cols).collect():
        row = []
        for v in r:
            row.append(list(v.toArray()) if hasattr(v, "toArray") else v)
        out.append(row)
    return out


CASES = [
    ("SparkXGBClassifier", "bin", dict(n_estimators=8, max_depth=3, seed=1)),
    ("SparkXGBClassifier", "multi", dict(n_estimators=5, max_depth=2, learning_rate=0.5)),
    ("SparkXGBRegressor", "reg", dict(features_col=["a", "b", "c"], weight_col="w",
                                      n_estimators=8, max_depth=4, reg_lambda=0.5)),
    ("SparkXGBRegressor", "reg", dict(validation_indicator_col="valid", n_estimators=100,
                                      early_stopping_rounds=2, learning_rate=0.8,
                                      max_depth=6, eval_metric="rmse")),
    ("SparkXGBRanker", "rank", dict(qid_col="qid", n_estimators=6, max_depth=3)),
]


@pytest.mark.parametrize("name, target, kwargs", CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_predictions_and_columns_as_xgboost_spark(spark, pyspark, name, target, kwargs):
    import xgboost.spark as xs
    import dfml.xgboost as dx
    ddf, pdf = _frames(spark, pyspark, Y[target])
    theirs = getattr(xs, name)(num_workers=1, **kwargs).fit(pdf)
    ours = getattr(dx, name)(num_workers=1, **kwargs).fit(ddf)
    assert ours.get_booster().num_boosted_rounds() == theirs.get_booster().num_boosted_rounds()
    pout, dout = theirs.transform(pdf), ours.transform(ddf)
    assert dout.columns == pout.columns
    assert [f.dataType.simpleString() for f in dout.schema.fields] == \
        [f.dataType.simpleString() for f in pout.schema.fields]
    new = [c for c in pout.columns if c not in pdf.columns]
    got, want = _values(dout, new), _values(pout, new)
    np.testing.assert_allclose(np.asarray([np.hstack(r) for r in got], float),
                               np.asarray([np.hstack(r) for r in want], float),
                               rtol=1e-5, atol=1e-6)
    if "validation_indicator_col" in kwargs:
        a = ours.training_summary.validation_objective_history["rmse"]
        b = theirs.training_summary.validation_objective_history["rmse"]
        np.testing.assert_allclose(a, b, rtol=1e-5)


def _docstring_rows(V, kind):
    """The rows of xgboost.spark's own docstring examples."""
    if kind == "ranker":
        train = [(V.dense(1.0, 2.0, 3.0), 0, 0), (V.dense(4.0, 5.0, 6.0), 1, 0),
                 (V.dense(9.0, 4.0, 8.0), 2, 0), (V.sparse(3, {1: 1.0, 2: 5.5}), 0, 1),
                 (V.sparse(3, {1: 6.0, 2: 7.5}), 1, 1), (V.sparse(3, {1: 8.0, 2: 9.5}), 2, 1)]
        test = [(V.dense(1.5, 2.0, 3.0), 0), (V.dense(4.5, 5.0, 6.0), 0),
                (V.dense(9.0, 4.5, 8.0), 0), (V.sparse(3, {1: 1.0, 2: 6.0}), 1),
                (V.sparse(3, {1: 6.0, 2: 7.0}), 1), (V.sparse(3, {1: 8.0, 2: 10.5}), 1)]
        return train, ["features", "label", "qid"], test, ["features", "qid"]
    labels = [0, 1, 2, 3] if kind == "regressor" else [0, 1, 0, 1]
    feats = [V.dense(1.0, 2.0, 3.0), V.sparse(3, {1: 1.0, 2: 5.5}), V.dense(4.0, 5.0, 6.0),
             V.sparse(3, {1: 6.0, 2: 7.5})]
    train = [(f, t, v, w) for f, t, v, w in zip(feats, labels, [False, False, True, True],
                                                 [1.0, 2.0, 1.0, 2.0])]
    test = [(V.dense(1.0, 2.0, 3.0),), (V.sparse(3, {1: 1.0, 2: 5.5}),)]
    return train, ["features", "label", "isVal", "weight"], test, ["features"]


DOC_CASES = [
    ("SparkXGBRegressor", "regressor", dict(max_depth=5, missing=0.0, weight_col="weight",
                                            validation_indicator_col="isVal",
                                            early_stopping_rounds=1, eval_metric="rmse")),
    ("SparkXGBClassifier", "classifier", dict(max_depth=5, missing=0.0, weight_col="weight",
                                              validation_indicator_col="isVal",
                                              early_stopping_rounds=1, eval_metric="logloss")),
    ("SparkXGBRanker", "ranker", dict(qid_col="qid")),
]


@pytest.mark.parametrize("name, kind, kwargs", DOC_CASES, ids=[c[0] for c in DOC_CASES])
def test_xgboost_spark_docstring_examples_give_the_same_output(spark, pyspark, name, kind,
                                                               kwargs):
    import xgboost.spark as xs
    import dfml.xgboost as dx
    from dfml.ml.linalg import Vectors as DV
    from pyspark.ml.linalg import Vectors as PV
    train, tcols, test, xcols = _docstring_rows(PV, kind)
    theirs = getattr(xs, name)(**kwargs).fit(pyspark.createDataFrame(train, tcols))
    pout = theirs.transform(pyspark.createDataFrame(test, xcols))
    train, tcols, test, xcols = _docstring_rows(DV, kind)
    ours = getattr(dx, name)(**kwargs).fit(spark.createDataFrame(train, tcols))
    dout = ours.transform(spark.createDataFrame(test, xcols))
    assert dout.columns == pout.columns
    new = [c for c in pout.columns if c not in xcols]
    np.testing.assert_allclose(np.asarray([np.hstack(r) for r in _values(dout, new)], float),
                               np.asarray([np.hstack(r) for r in _values(pout, new)], float),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SparkXGBClassifier", "SparkXGBRegressor"])
def test_model_saved_by_xgboost_spark_loads_and_predicts_the_same(spark, pyspark, tmp_path,
                                                                 name):
    import xgboost.spark as xs
    import dfml.xgboost as dx
    ddf, pdf = _frames(spark, pyspark, Y["multi" if "Class" in name else "reg"])
    theirs = getattr(xs, name)(n_estimators=4, max_depth=3, seed=2,
                               prediction_col="pred").fit(pdf)
    theirs.write().overwrite().save(str(tmp_path / "m"))
    ours = getattr(dx, name + "Model").load(str(tmp_path / "m"))
    assert ours.uid == theirs.uid
    assert ours.getOrDefault("predictionCol") == "pred"
    assert ours.getOrDefault("max_depth") == 3
    assert ours.getOrDefault("arbitrary_params_dict") == {"seed": 2}
    pout, dout = theirs.transform(pdf), ours.transform(ddf)
    assert dout.columns == pout.columns
    new = [c for c in pout.columns if c not in pdf.columns]
    np.testing.assert_allclose(np.asarray([np.hstack(r) for r in _values(dout, new)], float),
                               np.asarray([np.hstack(r) for r in _values(pout, new)], float),
                               rtol=1e-6)
    from dfml.ml.util import ModelLoadError
    other = "SparkXGBRegressorModel" if "Class" in name else "SparkXGBClassifierModel"
    with pytest.raises(ModelLoadError, match=name):
        getattr(dx, other).load(str(tmp_path / "m"))
