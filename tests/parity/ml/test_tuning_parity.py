"""CrossValidator and TrainValidationSplit through dfml and real PySpark on the same rows.

With a fold column both see the same folds, so every candidate's mean and standard deviation
of the metric agree (to 1e-6) and both pick the same param map. Without one, the random splits
are Spark's too (``rand`` draws Spark's values and both inputs are one partition), so the
metrics agree as well; the best models are refitted on the whole input, so their coefficients
agree. Rows repeat, so scores tie (the evaluator's tie handling is in play).
"""

from __future__ import annotations

import numpy as np
import pytest

from dfml.ml import Pipeline as DPipeline
from dfml.ml.classification import LogisticRegression as DLR
from dfml.ml.evaluation import BinaryClassificationEvaluator as DBCE
from dfml.ml.feature import StringIndexer as DSI, VectorAssembler as DVA
from dfml.ml.tuning import (CrossValidator as DCV, ParamGridBuilder as DGrid,
                            TrainValidationSplit as DTVS)
from dfml.sql.errors import SparkException


def _rows(n=90, seed=4):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        x1, x2 = np.round(rng.normal(size=2), 2)
        c = ["red", "green", "blue"][(i // 3) % 3]
        shift = {"red": 0.8, "green": 0.0, "blue": -0.8}[c]
        y = float(x1 - 0.5 * x2 + shift + rng.normal() * 0.8 > 0)
        out.append((float(x1), float(x2), c, y, i % 3))
    return out + out[:30]  # repeated rows: tied scores


SCHEMA = "x1 double, x2 double, c string, label double, fold int"


def _api(engine):
    if engine == "dfml":
        return DLR, DBCE, DSI, DVA, DPipeline, DCV, DTVS, DGrid
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.ml.feature import StringIndexer, VectorAssembler
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit
    return (LogisticRegression, BinaryClassificationEvaluator, StringIndexer, VectorAssembler,
            Pipeline, CrossValidator, TrainValidationSplit, ParamGridBuilder)


def _assembled(df, engine):
    VA = _api(engine)[3]
    return VA(inputCols=["x1", "x2"], outputCol="features").transform(df)


def _lr_cv(engine, **kw):
    LR, BCE, _, _, _, CV, _, Grid = _api(engine)
    lr = LR(maxIter=100)
    grid = Grid().addGrid(lr.regParam, [0.0, 0.3]).addGrid(lr.elasticNetParam, [0.0, 1.0]).build()
    return CV(estimator=lr, estimatorParamMaps=grid, evaluator=BCE(), **kw), lr, grid


def _best(model, lr_of):
    lr = lr_of(model.bestModel)
    return lr.getRegParam(), lr.getElasticNetParam()


def test_cross_validator_with_fold_column_matches(both):
    ours_df, theirs_df = both(_rows(), SCHEMA)
    ours_df, theirs_df = _assembled(ours_df, "dfml"), _assembled(theirs_df, "pyspark")
    ours_cv, _, _ = _lr_cv("dfml", foldCol="fold", parallelism=2)
    theirs_cv, _, _ = _lr_cv("pyspark", foldCol="fold", parallelism=2)
    ours, theirs = ours_cv.fit(ours_df), theirs_cv.fit(theirs_df)
    assert len(ours.avgMetrics) == 4
    assert np.allclose(ours.avgMetrics, theirs.avgMetrics, rtol=0, atol=1e-6)
    assert np.allclose(ours.stdMetrics, theirs.stdMetrics, rtol=0, atol=1e-6)
    assert _best(ours, lambda m: m) == _best(theirs, lambda m: m)
    assert np.allclose(ours.bestModel.coefficients.toArray(),
                       theirs.bestModel.coefficients.toArray(), atol=1e-6)


def _pipeline_cv(engine):
    LR, BCE, SI, VA, Pipeline, CV, _, Grid = _api(engine)
    si = SI(inputCol="c", outputCol="ci")
    va = VA(inputCols=["x1", "x2", "ci"], outputCol="features")
    lr = LR(maxIter=100)
    grid = Grid().addGrid(lr.regParam, [0.0, 1.0]).addGrid(lr.fitIntercept, [True, False]).build()
    pipe = Pipeline(stages=[si, va, lr])
    return CV(estimator=pipe, estimatorParamMaps=grid, evaluator=BCE(), foldCol="fold")


def test_pipeline_estimator_matches(both):
    ours_df, theirs_df = both(_rows(), SCHEMA)
    ours, theirs = _pipeline_cv("dfml").fit(ours_df), _pipeline_cv("pyspark").fit(theirs_df)
    assert np.allclose(ours.avgMetrics, theirs.avgMetrics, rtol=0, atol=1e-6)
    last = lambda m: m.stages[-1]  # noqa: E731
    o, t = last(ours.bestModel), last(theirs.bestModel)
    assert (o.getRegParam(), o.getFitIntercept()) == (t.getRegParam(), t.getFitIntercept())
    assert ours.bestModel.stages[0].labels == theirs.bestModel.stages[0].labels
    assert np.allclose(o.coefficients.toArray(), t.coefficients.toArray(), atol=1e-6)


def test_fold_number_out_of_range_fails_in_both(both):
    rows = [r[:4] + (5 if i == 7 else r[4],) for i, r in enumerate(_rows())]
    ours_df, theirs_df = both(rows, SCHEMA)
    ours_df, theirs_df = _assembled(ours_df, "dfml"), _assembled(theirs_df, "pyspark")
    message = r"Fold number must be in range \[0, 3\), but got 5"
    with pytest.raises(SparkException, match=message):
        _lr_cv("dfml", foldCol="fold")[0].fit(ours_df)
    with pytest.raises(Exception, match=message):
        _lr_cv("pyspark", foldCol="fold")[0].fit(theirs_df)


def _clear_rows(n=240, seed=9):
    """A strong signal: any regularization as heavy as 5.0 loses to none on every split."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        x1, x2 = np.round(rng.normal(size=2), 2)
        y = float(2.0 * x1 - x2 + rng.normal() * 0.3 > 0)
        out.append((float(x1), float(x2), "red", y, i % 3))
    return out


def _tvs(engine):
    LR, BCE, _, _, _, _, TVS, Grid = _api(engine)
    lr = LR(maxIter=100)
    grid = Grid().addGrid(lr.regParam, [0.0, 5.0]).addGrid(lr.elasticNetParam, [1.0]).build()
    return TVS(estimator=lr, estimatorParamMaps=grid, evaluator=BCE(), trainRatio=0.7,
               seed=3, collectSubModels=True)


def test_train_validation_split_behaves_as_spark(both):
    ours_df, theirs_df = both(_clear_rows(), SCHEMA)
    ours_df, theirs_df = _assembled(ours_df, "dfml"), _assembled(theirs_df, "pyspark")
    ours, theirs = _tvs("dfml").fit(ours_df), _tvs("pyspark").fit(theirs_df)
    assert len(ours.validationMetrics) == len(theirs.validationMetrics) == 2
    assert len(ours.subModels) == len(theirs.subModels) == 2
    # with that much L1 every coefficient is zero: the metric of a constant score, in both
    assert ours.validationMetrics[1] == theirs.validationMetrics[1] == 0.5
    assert ours.validationMetrics[0] > 0.9 and theirs.validationMetrics[0] > 0.9
    assert np.allclose(ours.validationMetrics, theirs.validationMetrics, rtol=0, atol=1e-6)
    assert ours.bestModel.getRegParam() == theirs.bestModel.getRegParam() == 0.0
    assert np.allclose(ours.bestModel.coefficients.toArray(),
                       theirs.bestModel.coefficients.toArray(), atol=1e-6)


def test_random_folds_behave_as_spark(both):
    ours_df, theirs_df = both(_clear_rows(), SCHEMA)
    ours_df, theirs_df = _assembled(ours_df, "dfml"), _assembled(theirs_df, "pyspark")
    ours_cv, theirs_cv = _tvs("dfml"), _tvs("pyspark")

    def cv(engine, tvs):
        CV = _api(engine)[5]
        return CV(estimator=tvs.getEstimator(), estimatorParamMaps=tvs.getEstimatorParamMaps(),
                  evaluator=tvs.getEvaluator(), numFolds=3, seed=3)
    ours, theirs = cv("dfml", ours_cv).fit(ours_df), cv("pyspark", theirs_cv).fit(theirs_df)
    assert ours.stdMetrics[1] == theirs.stdMetrics[1] == 0.0
    assert ours.avgMetrics[1] == theirs.avgMetrics[1] == 0.5
    assert np.allclose(ours.avgMetrics, theirs.avgMetrics, rtol=0, atol=1e-6)
    assert np.allclose(ours.stdMetrics, theirs.stdMetrics, rtol=0, atol=1e-6)
    assert ours.bestModel.getRegParam() == theirs.bestModel.getRegParam() == 0.0
    assert np.allclose(ours.bestModel.coefficients.toArray(),
                       theirs.bestModel.coefficients.toArray(), atol=1e-6)
