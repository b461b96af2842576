"""Feature selectors through dfml and real PySpark on the same rows: selectedFeatures (in the
order each reports them), the test scores behind them (to 1e-6 relative, against PySpark's own
ChiSquareTest/ANOVATest/FValueTest), every output vector exactly (dense or sparse as Spark
gives it) and the output column's ML attributes. The data has ties (a feature and its
multiple score alike), a constant column, sparse rows and a column that is mostly zero."""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.feature as DM
from dfml.ml.linalg import Vectors as DV

MODES = [("numTopFeatures", 3), ("percentile", 0.5), ("fpr", 0.05), ("fdr", 0.1), ("fwe", 0.2)]


def _rows(sparse: bool, regression: bool = False) -> list[tuple]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(60):
        y = float(i % 3)
        # f0 depends on the label now and then (p-values well above rounding noise); f2 is its
        # multiple (a tie), f1 constant, f5 mostly zero
        f0 = y if i % 4 == 0 else float(rng.integers(0, 4))
        x = [f0, 1.0, 2.0 * f0, float(rng.integers(0, 3)), float(i % 2),
             float(rng.integers(0, 2) * (i % 7 == 0)), round(float(rng.normal() * 2 + 0.3 * y), 2)]
        label = round(y * 1.5 + x[6] * 0.3 + float(rng.normal()) * 0.2, 3) if regression else y
        if sparse and i % 2:
            idx = [j for j, v in enumerate(x) if v != 0.0]
            out.append((i, (len(x), idx, [x[j] for j in idx]), label))
        else:
            out.append((i, x, label))
    return out


def _frames(spark, pyspark, sparse, regression=False, attrs=False):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, V.sparse(*v) if isinstance(v, tuple) else V.dense(v), y)
                for i, v, y in _rows(sparse, regression)]
    ours = spark.createDataFrame(make(DV), ["id", "features", "label"])
    theirs = pyspark.createDataFrame(make(PV), ["id", "features", "label"])
    return ours, theirs


def _vec(v):
    """A dfml or PySpark vector as comparable plain data (its form, size, indices, values)."""
    if hasattr(v, "indices"):
        return ("sparse", v.size, [int(i) for i in v.indices], [float(x) for x in v.values])
    return ("dense", [float(x) for x in v.toArray()])


def _same_outputs(ours_df, theirs_df):
    ours = ours_df.orderBy("id").select("id", "o").collect()
    theirs = theirs_df.orderBy("id").select("id", "o").collect()
    assert [r.id for r in ours] == [r.id for r in theirs]
    for a, b in zip(ours, theirs):
        assert type(a.o).__name__ == type(b.o).__name__, (a.id, a.o, b.o)
        assert _vec(a.o) == _vec(b.o), (a.id, a.o, b.o)
    assert ours_df.schema["o"].metadata == theirs_df.schema["o"].metadata


def _close(a, b):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-6, atol=1e-12,
                       equal_nan=True)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("mode,threshold", MODES)
def test_chisq_selector(spark, pyspark, sparse, mode, threshold):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, sparse)
    param = {"numTopFeatures": "numTopFeatures"}.get(mode, mode)
    kw = {"selectorType": mode, param: threshold, "outputCol": "o"}
    ours = DM.ChiSqSelector(**kw).fit(ours_df)
    theirs = PM.ChiSqSelector(**kw).fit(theirs_df)
    assert ours.selectedFeatures == list(theirs.selectedFeatures)
    _same_outputs(ours.transform(ours_df), theirs.transform(theirs_df))


def _spark_scores(pyspark_df, kind):
    """PySpark's flattened test result (ANOVATest and FValueTest have no Python wrapper: they
    are called on the JVM)."""
    from pyspark.sql.classic.dataframe import DataFrame
    session = pyspark_df.sparkSession
    name = {"chi2": "ChiSquareTest", "anova": "ANOVATest", "fregression": "FValueTest"}[kind]
    test = getattr(session._jvm.org.apache.spark.ml.stat, name)
    jdf = test.test(pyspark_df._jdf, "features", "label", True)
    rows = sorted(DataFrame(jdf, session).collect(), key=lambda r: r.featureIndex)
    stat = "statistic" if kind == "chi2" else "fValue"
    return [r.pValue for r in rows], [r[stat] for r in rows]


TYPES = [("categorical", "categorical", "chi2"), ("continuous", "categorical", "anova"),
         ("continuous", "continuous", "fregression")]


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("ftype,ltype,kind", TYPES)
@pytest.mark.parametrize("mode,threshold", MODES)
def test_univariate_selector(spark, pyspark, sparse, ftype, ltype, kind, mode, threshold):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, sparse, regression=ltype == "continuous")
    ours = DM.UnivariateFeatureSelector(outputCol="o", selectionMode=mode) \
        .setFeatureType(ftype).setLabelType(ltype).setSelectionThreshold(threshold).fit(ours_df)
    theirs = PM.UnivariateFeatureSelector(outputCol="o", selectionMode=mode) \
        .setFeatureType(ftype).setLabelType(ltype).setSelectionThreshold(threshold) \
        .fit(theirs_df)
    assert ours.selectedFeatures == list(theirs.selectedFeatures)
    p, stat = _spark_scores(theirs_df, kind)
    assert ours._scores[0] == kind
    assert _close(ours._scores[1], p) and _close(ours._scores[2], stat)
    _same_outputs(ours.transform(ours_df), theirs.transform(theirs_df))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.9])
def test_variance_threshold_selector(spark, pyspark, sparse, threshold):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, sparse)
    ours = DM.VarianceThresholdSelector(varianceThreshold=threshold, outputCol="o").fit(ours_df)
    theirs = PM.VarianceThresholdSelector(varianceThreshold=threshold,
                                          outputCol="o").fit(theirs_df)
    assert ours.selectedFeatures == list(theirs.selectedFeatures)
    _same_outputs(ours.transform(ours_df), theirs.transform(theirs_df))


def test_named_slots_survive_selection(spark, pyspark):
    """Input assembled from named columns: the chosen slots keep their names, as in Spark."""
    import pyspark.ml.feature as PM
    rows = [(i, float(i % 3), 5.0, float((i * 7) % 4), float(i % 3 == 0)) for i in range(24)]
    cols = ["id", "a", "b", "c", "label"]
    ours_df = DM.VectorAssembler(inputCols=["a", "b", "c"], outputCol="features") \
        .transform(spark.createDataFrame(rows, cols))
    theirs_df = PM.VectorAssembler(inputCols=["a", "b", "c"], outputCol="features") \
        .transform(pyspark.createDataFrame(rows, cols))
    for name, kw in [("VarianceThresholdSelector", {}), ("ChiSqSelector", {"numTopFeatures": 2})]:
        ours = getattr(DM, name)(outputCol="o", **kw).fit(ours_df)
        theirs = getattr(PM, name)(outputCol="o", **kw).fit(theirs_df)
        assert ours.selectedFeatures == list(theirs.selectedFeatures)
        _same_outputs(ours.transform(ours_df), theirs.transform(theirs_df))


def test_saved_data_has_sparks_layout(spark, pyspark, tmp_path):
    """The model's data file holds what Spark's holds: one row, ``selectedFeatures`` as a list
    of non-null ints."""
    import glob

    import pyarrow.parquet as pq
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, False)
    theirs = PM.ChiSqSelector(numTopFeatures=2, outputCol="o").fit(theirs_df)
    ours = DM.ChiSqSelector(numTopFeatures=2, outputCol="o").fit(ours_df)
    theirs.write().overwrite().save(str(tmp_path / "spark"))
    ours.write().overwrite().save(str(tmp_path / "dfml"))
    tables = [pq.read_table(glob.glob(str(tmp_path / d / "data" / "*.parquet"))[0])
              for d in ("spark", "dfml")]
    assert tables[0].to_pylist() == tables[1].to_pylist()
    assert tables[0].schema.field("selectedFeatures").type == \
        tables[1].schema.field("selectedFeatures").type
