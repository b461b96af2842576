"""ML attributes in column metadata as Spark writes them (StringIndexer, OneHotEncoder,
VectorAssembler), read back by IndexToString and VectorSlicer, and carried through parquet
files in both directions between dfml and PySpark."""

from __future__ import annotations

import json

import pytest

import dfml.ml.feature as DM

ROWS = [("a", 1.0, 2, 0.0), ("b", 2.0, 3, 2.0), ("a", None, 4, 1.0), ("c", 3.0, 5, 0.0)]
SCHEMA = "c string, x double, n int, k double"


def _stages(mod, keep: bool, drop: bool):
    return [mod.StringIndexer(inputCol="c", outputCol="ci",
                              handleInvalid="keep" if keep else "error"),
            mod.OneHotEncoder(inputCols=["ci", "k"], outputCols=["coh", "kk"], dropLast=drop,
                              handleInvalid="keep" if keep else "error"),
            mod.VectorAssembler(inputCols=["x", "n", "ci", "coh", "kk"], outputCol="v",
                                handleInvalid="keep")]


@pytest.mark.parametrize("keep,drop", [(False, True), (False, False), (True, True), (True, False)])
def test_metadata_equals_spark(spark, pyspark, keep, drop):
    import pyspark.ml as PML
    import pyspark.ml.feature as PM
    import dfml.ml as DML
    outs = []
    for mod, ml, sess in ((DM, DML, spark), (PM, PML, pyspark)):
        df = sess.createDataFrame(ROWS, SCHEMA)
        out = ml.Pipeline(stages=_stages(mod, keep, drop)).fit(df).transform(df)
        outs.append({c: json.dumps(out.schema[c].metadata) for c in ("ci", "coh", "kk", "v")})
    assert outs[0] == outs[1]


def test_index_to_string_reads_the_indexer_labels(spark, pyspark):
    import pyspark.ml.feature as PM
    got = []
    for mod, sess in ((DM, spark), (PM, pyspark)):
        df = sess.createDataFrame(ROWS, SCHEMA)
        indexed = mod.StringIndexer(inputCol="c", outputCol="ci").fit(df).transform(df)
        back = mod.IndexToString(inputCol="ci", outputCol="orig").transform(indexed)
        got.append(sorted((r.c, r.orig) for r in back.collect()))
    assert got[0] == got[1] and all(a == b for a, b in got[0])


@pytest.mark.parametrize("writer", ["dfml", "pyspark"])
def test_attributes_round_trip_through_parquet(spark, pyspark, tmp_path, writer):
    """An indexer's output and an assembler's output written by one side are read by the
    other with their attributes: IndexToString gets the labels back, VectorSlicer selects by
    slot names."""
    import pyspark.ml.feature as PM
    path = str(tmp_path / "features")
    w_mod, w_sess, r_mod, r_sess = (DM, spark, PM, pyspark) if writer == "dfml" else \
        (PM, pyspark, DM, spark)
    df = w_sess.createDataFrame([r for r in ROWS if r[1] is not None], SCHEMA)
    indexed = w_mod.StringIndexer(inputCol="c", outputCol="ci").fit(df).transform(df)
    w_mod.VectorAssembler(inputCols=["x", "ci", "n"], outputCol="v").transform(indexed) \
        .write.parquet(path)
    back = r_sess.read.parquet(path)
    labels = r_mod.IndexToString(inputCol="ci", outputCol="orig").transform(back)
    assert all(r.c == r.orig for r in labels.collect())
    sliced = r_mod.VectorSlicer(inputCol="v", outputCol="s", names=["n", "x"]).transform(back)
    assert sorted(tuple(r.s.toArray()) for r in sliced.collect()) == \
        sorted((float(r[2]), float(r[1])) for r in df.collect())
