"""PipelineModel.to_sklearn(): the exported scikit-learn pipeline, run on the pandas input,
adds the same columns with the same values as the dfml model's transform."""

import numpy as np
import pandas as pd
import pytest

from dfml.ml import Pipeline
from dfml.ml.feature import (Imputer, OneHotEncoder, StandardScaler, StringIndexer,
                             VectorAssembler)

ROWS = [(i, ["a", "b", "c", "a"][i % 4], ["x", "y"][i % 2], float(i % 7) - 2.0,
         None if i % 5 == 0 else i % 3, float("nan") if i % 6 == 0 else i * 0.5)
        for i in range(40)]
SCHEMA = "id int, c1 string, c2 string, x double, k int, y double"


def _features_pipeline():
    return [StringIndexer(inputCols=["c1", "c2"], outputCols=["i1", "i2"], handleInvalid="keep"),
            OneHotEncoder(inputCols=["i1", "i2"], outputCols=["v1", "v2"]),
            Imputer(inputCols=["k", "y"], outputCols=["kf", "yf"], strategy="median"),
            VectorAssembler(inputCols=["v1", "v2", "x", "kf", "yf"], outputCol="raw"),
            StandardScaler(inputCol="raw", outputCol="features", withMean=True)]


def _as_array(v):
    return v.toArray() if hasattr(v, "toArray") else np.asarray(v, dtype=float)


def test_feature_stages_export(spark):
    df = spark.createDataFrame(ROWS, SCHEMA)
    model = Pipeline(stages=_features_pipeline()).fit(df)
    ours = model.transform(df).orderBy("id").toPandas()
    pdf = pd.DataFrame(ROWS, columns=["id", "c1", "c2", "x", "k", "y"])
    # built from the values, not cast from floats: whether a float NaN may become a missing
    # Int64 depends on pandas' NaN option, which dfml's in-process workers set
    pdf["k"] = pd.array([r[4] for r in ROWS], dtype="Int64")
    exported = model.to_sklearn().transform(pdf)
    for c in ("i1", "i2", "yf"):
        assert np.allclose(exported[c].to_numpy(dtype=float), ours[c].to_numpy(dtype=float))
    assert list(exported["kf"]) == list(ours["kf"])
    assert exported["kf"].dtype.kind == "i"
    for c in ("v1", "raw", "features"):
        a = np.vstack([_as_array(v) for v in exported[c]])
        b = np.vstack([_as_array(v) for v in ours[c]])
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12), c


def test_unexportable_stage_is_named(spark):
    from dfml.ml.feature import MinMaxScaler
    df = spark.createDataFrame(ROWS, SCHEMA)
    model = Pipeline(stages=[VectorAssembler(inputCols=["x"], outputCol="v"),
                             MinMaxScaler(inputCol="v", outputCol="s")]).fit(df)
    with pytest.raises(NotImplementedError, match="MinMaxScalerModel"):
        model.to_sklearn()
