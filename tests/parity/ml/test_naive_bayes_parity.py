"""NaiveBayes through dfml and real PySpark on the same weighted rows, for all four model types:
pi, theta and sigma (values and printed form), every row's rawPrediction, probability and
prediction to 1e-6, the shown predictions character for character (numbers to 1e-6), thresholds,
labels that skip values (classes are the distinct labels), and Spark's input errors."""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml.classification import NaiveBayes as DNB
from dfml.ml.linalg import Vectors as DV
from dfml.sql.errors import IllegalArgumentException, SparkException
from tests.parity.ml.test_show_text_parity import same_text

TYPES = ["multinomial", "complement", "bernoulli", "gaussian"]


def _rows(kind: str, n: int = 30) -> list[tuple]:
    """(id, label, weight, features) with ties, sparse rows, a zero weight and an absent label
    value (labels 0, 1 and 3)."""
    rng = np.random.default_rng({"multinomial": 1, "complement": 2, "bernoulli": 3,
                                 "gaussian": 4}[kind])
    out = []
    for i in range(n):
        label = float([0, 1, 3][i % 3])
        if kind == "bernoulli":
            x = (rng.random(4) < 0.3 + 0.2 * (i % 3)).astype(float)
        elif kind == "gaussian":
            x = np.round(rng.normal(size=4) + [label, 0, -label, 2], 2)
            x[1] = 5.0 if i % 3 == 0 else x[1]  # constant within class 0
        else:
            x = rng.integers(0, 4, size=4).astype(float) + [label, 0, 0, 3 - label]
        w = [1.0, 0.5, 2.0, 0.0][i % 4] if i % 7 else 1.0
        feats = ("sparse", [int(j) for j in np.flatnonzero(x)],
                 [float(v) for v in x[x != 0]]) if i % 4 == 1 else [float(v) for v in x]
        out.append((i, label, w, feats))
    return out


def _frames(spark, pyspark, rows):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, lab, w, V.sparse(4, f[1], f[2]) if isinstance(f, tuple) else V.dense(f))
                for i, lab, w, f in rows]
    cols = ["id", "label", "weight", "features"]
    return spark.createDataFrame(make(DV), cols), pyspark.createDataFrame(make(PV), cols)


def _close(a, b, rel=1e-6):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=rel, atol=1e-9, equal_nan=True)


def _fit_both(spark, pyspark, kind, rows=None, **params):
    from pyspark.ml.classification import NaiveBayes as PNB
    ours_df, theirs_df = _frames(spark, pyspark, rows or _rows(kind))
    ours = DNB(modelType=kind, weightCol="weight", **params).fit(ours_df)
    theirs = PNB(modelType=kind, weightCol="weight", **params).fit(theirs_df)
    return ours, theirs, ours_df, theirs_df


@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("smoothing", [1.0, 0.25])
def test_model_parameters_and_predictions(spark, pyspark, kind, smoothing):
    ours, theirs, ours_df, theirs_df = _fit_both(spark, pyspark, kind, smoothing=smoothing)
    assert ours.numClasses == theirs.numClasses == 3
    assert ours.numFeatures == theirs.numFeatures
    assert _close(ours.pi.toArray(), theirs.pi.toArray())
    assert _close(ours.theta.toArray(), theirs.theta.toArray())
    assert _close(ours.sigma.toArray(), theirs.sigma.toArray(), rel=1e-5)
    assert type(ours.theta).__name__ == type(theirs.theta).__name__
    assert same_text(repr(ours.theta), repr(theirs.theta))
    assert same_text(repr(ours.pi), repr(theirs.pi))
    assert repr(ours).split(", ", 1)[1] == repr(theirs).split(", ", 1)[1]
    a = ours.transform(ours_df).orderBy("id").collect()
    b = theirs.transform(theirs_df).orderBy("id").collect()
    for ra, rb in zip(a, b):
        assert _close(ra.rawPrediction.toArray(), rb.rawPrediction.toArray()), ra.id
        assert _close(ra.probability.toArray(), rb.probability.toArray()), ra.id
        assert ra.prediction == rb.prediction, ra.id


@pytest.mark.parametrize("kind", TYPES)
def test_shown_predictions(spark, pyspark, kind):
    ours, theirs, ours_df, theirs_df = _fit_both(spark, pyspark, kind)
    cols = ["id", "rawPrediction", "probability", "prediction"]
    a = ours.transform(ours_df).orderBy("id").select(cols)._show_string(12, truncate=False)
    b = theirs.transform(theirs_df).orderBy("id").select(cols)._jdf.showString(12, 0, False)
    assert same_text(a, b), a + "\n" + b


def test_single_row_methods_and_thresholds(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV
    ours, theirs, ours_df, theirs_df = _fit_both(spark, pyspark, "multinomial",
                                                 rows=[r for r in _rows("multinomial")
                                                       if r[1] != 3.0])
    x = [2.0, 0.0, 1.0, 3.0]
    assert _close(ours.predictRaw(DV.dense(x)).toArray(), theirs.predictRaw(PV.dense(x)).toArray())
    assert _close(ours.predictProbability(DV.dense(x)).toArray(),
                  theirs.predictProbability(PV.dense(x)).toArray())
    assert ours.predict(DV.dense(x)) == theirs.predict(PV.dense(x))
    for ts in ([0.9, 0.1], [0.0, 1.0], [3.0, 0.2]):
        a = ours.copy({ours.thresholds: ts}).transform(ours_df).orderBy("id").collect()
        b = theirs.copy({theirs.thresholds: ts}).transform(theirs_df).orderBy("id").collect()
        assert [r.prediction for r in a] == [r.prediction for r in b], ts


def _spark_error(fn):
    with pytest.raises(Exception) as e:
        fn()
    return str(e.value)


@pytest.mark.parametrize("kind,bad,message", [
    ("multinomial", [1.0, -1.0], "Vector values MUST NOT be Negative, NaN or Infinity, but got "
                                 "[1.0,-1.0]"),
    ("complement", [float("nan"), 1.0], "Vector values MUST NOT be Negative, NaN or Infinity"),
    ("bernoulli", [1.0, 2.0], "Vector values MUST be in {0, 1}, but got [1.0,2.0]"),
])
def test_invalid_feature_values(spark, pyspark, kind, bad, message):
    from pyspark.ml.classification import NaiveBayes as PNB
    from pyspark.ml.linalg import Vectors as PV
    rows = [(0.0, [1.0, 0.0]), (1.0, bad)]
    theirs = _spark_error(lambda: PNB(modelType=kind).fit(
        pyspark.createDataFrame([(lab, PV.dense(x)) for lab, x in rows], ["label", "features"])))
    assert message in theirs
    with pytest.raises(SparkException, match="features") as e:
        DNB(modelType=kind).fit(spark.createDataFrame([(lab, DV.dense(x)) for lab, x in rows],
                                                      ["label", "features"]))
    assert message in str(e.value)


@pytest.mark.parametrize("labels,weights,message", [
    ([0.0, 0.5], [1.0, 1.0], "Labels MUST be Integers, but got 0.5"),
    ([0.0, -1.0], [1.0, 1.0], "Labels MUST be in [0, 2147483647), but got -1.0"),
    ([0.0, 1.0], [1.0, -2.0], "Weights MUST NOT be Negative or Infinity, but got -2.0"),
    ([None, 1.0], [1.0, 1.0], "Labels MUST NOT be Null or NaN"),
    ([0.0, 1.0], [None, 1.0], "Weights MUST NOT be Null or NaN"),
    ([0.0, 1.0], [1.0, 1.0], "Vectors MUST NOT be Null"),
])
def test_invalid_labels_and_weights(spark, pyspark, labels, weights, message):
    from pyspark.ml.classification import NaiveBayes as PNB
    from pyspark.ml.linalg import Vectors as PV, VectorUDT as PU
    from pyspark.sql import types as PT

    from dfml.ml.linalg import VectorUDT as DU
    from dfml.sql import types as DT
    null_vector = message.startswith("Vectors")

    def frame(session, V, U, TT):
        schema = TT.StructType([TT.StructField("label", TT.DoubleType()),
                                TT.StructField("w", TT.DoubleType()),
                                TT.StructField("features", U())])
        return session.createDataFrame(
            [(lab, w, None if null_vector and i == 0 else V.dense([1.0]))
             for i, (lab, w) in enumerate(zip(labels, weights))], schema)
    theirs = _spark_error(lambda: PNB(weightCol="w").fit(frame(pyspark, PV, PU, PT)))
    assert message in theirs
    with pytest.raises(SparkException) as e:
        DNB(weightCol="w").fit(frame(spark, DV, DU, DT))
    assert message in str(e.value)


def test_bad_params(spark, pyspark):
    for params in ({"smoothing": -1.0}, {"modelType": "poisson"}):
        df = spark.createDataFrame([(0.0, DV.dense([1.0]))], ["label", "features"])
        with pytest.raises(IllegalArgumentException, match=list(params)[0]):
            DNB(**params).fit(df)
