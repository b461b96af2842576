"""ML attributes of Bucketizer, QuantileDiscretizer, Binarizer, the scalers and PCA (the
output's size), and of VectorAssembler over a vector input without size metadata: the JSON in the output column's metadata equals PySpark's
(bucket labels formatted as the JVM prints doubles), and Spark's refusal to infer sizes with
handleInvalid="keep" is dfml's."""

from __future__ import annotations

import json
import math

import pytest

import dfml.ml.feature as DM
from dfml.ml.linalg import Vectors as DV

INF = math.inf
ROWS = [(-1.0, 0.5, [0.1, 0.9]), (0.3, 1.5, [0.6, 0.2]), (2.5, 3.0, [1.0, 0.0]),
        (1e-4, 1e10, [0.0, 0.0]), (0.3, -0.0, [2.0, 1.0])]


def _frames(spark, pyspark):
    from pyspark.ml.linalg import Vectors as PV
    ours = spark.createDataFrame([(a, b, DV.dense(v)) for a, b, v in ROWS], ["a", "b", "v"])
    theirs = pyspark.createDataFrame([(a, b, PV.dense(v)) for a, b, v in ROWS], ["a", "b", "v"])
    return ours, theirs


def _stages(mod):
    return {
        "bucketizer": mod.Bucketizer(splits=[-INF, 0.0, 1e-4, 0.5, 1e10, INF], inputCol="a",
                                     outputCol="o"),
        "bucketizer_multi": mod.Bucketizer(splitsArray=[[-INF, 0.0, INF], [-1.0, 1.0, 2.5, 1e11]],
                                           inputCols=["a", "b"], outputCols=["o", "p"]),
        "binarizer": mod.Binarizer(threshold=0.5, inputCol="a", outputCol="o"),
        "binarizer_vector": mod.Binarizer(threshold=0.5, inputCol="v", outputCol="o"),
        "binarizer_sized_vector": mod.Binarizer(threshold=0.5, inputCol="sv", outputCol="o"),
        "quantiles": mod.QuantileDiscretizer(numBuckets=3, inputCol="a", outputCol="o"),
        "assembler_unsized": mod.VectorAssembler(inputCols=["v", "a", "sv"], outputCol="o"),
        "standard_scaler": mod.StandardScaler(inputCol="v", outputCol="o"),
        "min_max_scaler": mod.MinMaxScaler(inputCol="v", outputCol="o"),
        "max_abs_scaler": mod.MaxAbsScaler(inputCol="sv", outputCol="o"),
        "robust_scaler": mod.RobustScaler(inputCol="v", outputCol="o"),
        "pca": mod.PCA(k=1, inputCol="sv", outputCol="o"),
    }


@pytest.mark.parametrize("name", sorted(_stages(DM)))
def test_output_metadata_equals_spark(spark, pyspark, name):
    import pyspark.ml.feature as PM
    got = []
    for mod, df in zip((DM, PM), _frames(spark, pyspark)):
        df = mod.VectorAssembler(inputCols=["a", "b"], outputCol="sv").transform(df)
        stage = _stages(mod)[name]
        if hasattr(stage, "fit"):
            stage = stage.fit(df)
        out = stage.transform(df)
        cols = [c for c in ("o", "p") if c in out.columns]
        got.append({c: (json.dumps(out.schema[c].metadata, sort_keys=True),
                        out.schema[c].nullable) for c in cols})
        got.append(sorted([[round(abs(x), 9) for x in r[c].toArray()]  # PCA: up to sign
                           if hasattr(r[c], "toArray") else [r[c]]
                           for c in cols] for r in out.select(*cols).collect()))
    assert got[0] == got[2] and got[1] == got[3]


def test_assembler_refuses_to_infer_sizes_with_keep(spark, pyspark):
    ours, theirs = _frames(spark, pyspark)
    import pyspark.ml.feature as PM
    with pytest.raises(Exception, match="VectorSizeHint"):
        PM.VectorAssembler(inputCols=["v", "a"], outputCol="o",
                           handleInvalid="keep").transform(theirs).collect()
    with pytest.raises(Exception, match="VectorSizeHint"):
        DM.VectorAssembler(inputCols=["v", "a"], outputCol="o",
                           handleInvalid="keep").transform(ours).collect()
