"""DCT, VectorSizeHint and VectorIndexer through dfml and real PySpark on the same rows: every
output vector exactly (its form, indices and values; DCT to 1e-12), VectorIndexer's
categoryMaps and the output column's ML attributes equal to PySpark's, on rows with ties,
negatives, NaN, a constant slot and sparse vectors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dfml.ml.feature as DM
from dfml.ml.linalg import Vectors as DV

NAN = float("nan")

ROWS = [(0, [0.0, 1.0, -1.0, 7.0, 3.0]), (1, [2.0, 1.0, 0.0, 7.5, 3.0]),
        (2, (5, [2, 4], [3.0, 3.0])), (3, [-1.0, 1.0, NAN, 8.0, 3.0]),
        (4, (5, [0, 1], [2.0, 1.0])), (5, [2.0, 1.0, -1.0, 9.0, 3.0]),
        (6, [0.0, 1.0, 2.0, 7.0, 3.0])]


def _frames(spark, pyspark, rows=ROWS):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        return [(i, V.sparse(*v) if isinstance(v, tuple) else V.dense(v)) for i, v in rows]
    return (spark.createDataFrame(make(DV), ["id", "v"]),
            pyspark.createDataFrame(make(PV), ["id", "v"]))


def _vec(v, digits=None):
    def num(x):
        x = float(x)
        return "nan" if math.isnan(x) else (round(x, digits) if digits else x)
    if v is None:
        return None
    if hasattr(v, "indices"):
        return ("sparse", v.size, [int(i) for i in v.indices], [num(x) for x in v.values])
    return ("dense", [num(x) for x in v.toArray()])


def _same(ours_df, theirs_df, col="o", digits=None):
    ours = ours_df.orderBy("id").select("id", col).collect()
    theirs = theirs_df.orderBy("id").select("id", col).collect()
    assert [r.id for r in ours] == [r.id for r in theirs]
    for a, b in zip(ours, theirs):
        assert _vec(a[col], digits) == _vec(b[col], digits), (a.id, a[col], b[col])
    assert ours_df.schema[col].metadata == theirs_df.schema[col].metadata


@pytest.mark.parametrize("inverse", [False, True])
def test_dct(spark, pyspark, inverse):
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark)
    _same(DM.DCT(inputCol="v", outputCol="o", inverse=inverse).transform(ours_df),
          PM.DCT(inputCol="v", outputCol="o", inverse=inverse).transform(theirs_df), digits=12)


def _without_nan_rows(rows):
    return [r for r in rows if not (isinstance(r[1], list) and any(x != x for x in r[1]))]


@pytest.mark.parametrize("handle", ["error", "keep", "skip"])
@pytest.mark.parametrize("max_categories", [2, 3, 4])
def test_vector_indexer(spark, pyspark, handle, max_categories):
    import pyspark.ml.feature as PM
    train_ours, train_theirs = _frames(spark, pyspark, _without_nan_rows(ROWS))
    ours = DM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=max_categories,
                            handleInvalid=handle).fit(train_ours)
    theirs = PM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=max_categories,
                              handleInvalid=handle).fit(train_theirs)
    assert ours.numFeatures == theirs.numFeatures
    assert ours.categoryMaps == theirs.categoryMaps
    _same(ours.transform(train_ours), theirs.transform(train_theirs))
    # unseen values (NaN, 9.0) at categorical slots
    test_rows = [(10, [2.0, 1.0, NAN, 7.0, 3.0]), (11, [5.0, 1.0, 0.0, 7.0, 3.0]),
                 (12, (5, [3], [9.0]))]
    test_ours, test_theirs = _frames(spark, pyspark, test_rows)
    if handle == "error":
        with pytest.raises(Exception, match="VectorIndexer encountered invalid value"):
            ours.transform(test_ours).collect()
        return
    _same(ours.transform(test_ours), theirs.transform(test_theirs))


def test_vector_indexer_fit_with_nan(spark, pyspark):
    """NaN counts as a distinct value in the fit (and is last in the map), as in Spark."""
    import pyspark.ml.feature as PM
    rows = [(0, [0.0, NAN]), (1, [2.0, 1.0]), (2, [NAN, 1.0]), (3, [2.0, 0.0])]
    ours_df, theirs_df = _frames(spark, pyspark, rows)
    ours = DM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=3,
                            handleInvalid="keep").fit(ours_df)
    theirs = PM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=3,
                              handleInvalid="keep").fit(theirs_df)
    norm = lambda maps: {j: sorted(((k != k, 0.0 if k != k else k), v)  # noqa: E731
                                   for k, v in m.items()) for j, m in maps.items()}
    assert norm(ours.categoryMaps) == norm(theirs.categoryMaps)
    _same(ours.transform(ours_df), theirs.transform(theirs_df))


def test_vector_indexer_keeps_slot_names(spark, pyspark):
    import pyspark.ml.feature as PM
    rows = [(i, float(i % 2), float(i) * 0.5, float(i % 3)) for i in range(12)]
    cols = ["id", "a", "b", "c"]
    ours_df = DM.VectorAssembler(inputCols=["a", "b", "c"], outputCol="v") \
        .transform(spark.createDataFrame(rows, cols))
    theirs_df = PM.VectorAssembler(inputCols=["a", "b", "c"], outputCol="v") \
        .transform(pyspark.createDataFrame(rows, cols))
    ours = DM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=3).fit(ours_df)
    theirs = PM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=3).fit(theirs_df)
    assert ours.categoryMaps == theirs.categoryMaps
    _same(ours.transform(ours_df), theirs.transform(theirs_df))


@pytest.mark.parametrize("handle", ["skip", "optimistic"])
def test_vector_size_hint(spark, pyspark, handle):
    import pyspark.ml.feature as PM
    rows = ROWS + [(20, [1.0, 2.0]), (21, (3, [0], [1.0]))]
    ours_df, theirs_df = _frames(spark, pyspark, rows)
    ours = DM.VectorSizeHint(inputCol="v", size=5, handleInvalid=handle).transform(ours_df)
    theirs = PM.VectorSizeHint(inputCol="v", size=5, handleInvalid=handle).transform(theirs_df)
    assert ours.columns == theirs.columns
    _same(ours, theirs, col="v")


def test_vector_size_hint_errors(spark, pyspark):
    rows = ROWS + [(20, [1.0, 2.0])]
    ours_df, _ = _frames(spark, pyspark, rows)
    with pytest.raises(Exception, match="Expecting a vector of size 5 but got 2"):
        DM.VectorSizeHint(inputCol="v", size=5).transform(ours_df).collect()
    sized = DM.VectorSizeHint(inputCol="v", size=5, handleInvalid="optimistic").transform(ours_df)
    with pytest.raises(ValueError, match=r"does not match VectorSizeHint size \(4\)"):
        DM.VectorSizeHint(inputCol="v", size=4).transform(sized)


def test_saved_data_has_sparks_layout(spark, pyspark, tmp_path):
    import glob

    import pyarrow.parquet as pq
    import pyspark.ml.feature as PM
    ours_df, theirs_df = _frames(spark, pyspark, _without_nan_rows(ROWS))
    DM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=3).fit(ours_df) \
        .write().overwrite().save(str(tmp_path / "dfml"))
    PM.VectorIndexer(inputCol="v", outputCol="o", maxCategories=3).fit(theirs_df) \
        .write().overwrite().save(str(tmp_path / "spark"))
    tables = [pq.read_table(glob.glob(str(tmp_path / d / "data" / "*.parquet"))[0])
              for d in ("spark", "dfml")]
    norm = lambda t: [(r["numFeatures"], sorted((j, sorted(m)) for j, m in r["categoryMaps"]))  # noqa
                      for r in t.to_pylist()]
    assert norm(tables[0]) == norm(tables[1])
    assert [f.name for f in tables[0].schema] == [f.name for f in tables[1].schema]
