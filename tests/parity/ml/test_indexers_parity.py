"""StringIndexer, IndexToString and OneHotEncoder through dfml and real PySpark on the same rows:
labels, every output value (exact), which rows 'skip' drops, and the same failures for unseen
and null values under 'error'."""

from __future__ import annotations

import pytest

import dfml.ml.feature as DM

ROWS = [(i, c, n, x) for i, (c, n, x) in enumerate([
    ("a", 1, 1.5), ("b", 2, 2.0), ("c", 1, 1.5), ("a", 3, None), ("a", 2, 3.0), ("c", 2, 2.0),
    (None, 1, 1.5), ("d", 1, 0.5), ("b", 9, 0.5), ("e", 2, 1e20), ("a", 1, -0.0), ("b", 1, 2.0)])]
SCHEMA = "id int, cat string, n int, x double"
UNSEEN = [(100, "zz", 77, 9.25), (101, "a", 1, 1.5)]


def _pm():
    import pyspark.ml.feature as PM
    return PM


def _rows(df, cols):
    return [tuple(r[c] for c in cols) for r in df.orderBy("id").collect()]


def _vec(v):
    return None if v is None else (v.size, list(v.indices), list(v.values))


@pytest.mark.parametrize("order", ["frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"])
@pytest.mark.parametrize("handle", ["keep", "skip"])
def test_string_indexer(both, order, handle):
    ours_df, theirs_df = both(ROWS, SCHEMA)
    kw = dict(inputCols=["cat", "n", "x"], outputCols=["ci", "ni", "xi"], handleInvalid=handle,
              stringOrderType=order)
    ours = DM.StringIndexer(**kw).fit(ours_df)
    theirs = _pm().StringIndexer(**kw).fit(theirs_df)
    assert ours.labelsArray == [list(ls) for ls in theirs.labelsArray]
    cols = ["id", "ci", "ni", "xi"]
    assert _rows(ours.transform(ours_df), cols) == _rows(theirs.transform(theirs_df), cols)
    u_ours, u_theirs = both(UNSEEN, SCHEMA)
    assert _rows(ours.transform(u_ours), cols) == _rows(theirs.transform(u_theirs), cols)


def test_string_indexer_errors_like_spark(both):
    ours_df, theirs_df = both(ROWS, SCHEMA)
    ours = DM.StringIndexer(inputCol="n", outputCol="ni").fit(ours_df)
    theirs = _pm().StringIndexer(inputCol="n", outputCol="ni").fit(theirs_df)
    u_ours, u_theirs = both(UNSEEN, SCHEMA)
    with pytest.raises(Exception, match="Unseen label: 77"):
        theirs.transform(u_theirs).collect()
    with pytest.raises(Exception, match="Unseen label: 77"):
        ours.transform(u_ours).collect()
    ours = DM.StringIndexer(inputCol="cat", outputCol="ci").fit(ours_df)
    theirs = _pm().StringIndexer(inputCol="cat", outputCol="ci").fit(theirs_df)
    for model, df in ((theirs, theirs_df), (ours, ours_df)):
        with pytest.raises(Exception, match="NULL"):
            model.transform(df).collect()


def test_index_to_string(both):
    ours_df, theirs_df = both(ROWS, SCHEMA)
    kw = dict(inputCol="cat", outputCol="ci", handleInvalid="skip")
    ours = DM.StringIndexer(**kw).fit(ours_df)
    theirs = _pm().StringIndexer(**kw).fit(theirs_df)
    back_ours = DM.IndexToString(inputCol="ci", outputCol="b", labels=ours.labels)
    back_theirs = _pm().IndexToString(inputCol="ci", outputCol="b", labels=theirs.labels)
    assert _rows(back_ours.transform(ours.transform(ours_df)), ["id", "b"]) == \
        _rows(back_theirs.transform(theirs.transform(theirs_df)), ["id", "b"])


@pytest.mark.parametrize("drop_last", [True, False])
@pytest.mark.parametrize("handle", ["keep", "error"])
def test_one_hot_encoder(both, drop_last, handle):
    rows = [(i, float(i % 4), float(i % 3), i % 5) for i in range(12)]
    schema = "id int, a double, b double, c int"
    ours_df, theirs_df = both(rows, schema)
    kw = dict(inputCols=["a", "b", "c"], outputCols=["av", "bv", "cv"], dropLast=drop_last,
              handleInvalid=handle)
    ours = DM.OneHotEncoder(**kw).fit(ours_df)
    theirs = _pm().OneHotEncoder(**kw).fit(theirs_df)
    assert ours.categorySizes == list(theirs.categorySizes)
    cols = ["id", "av", "bv", "cv"]

    def vecs(df):
        return [(r[0],) + tuple(_vec(v) for v in r[1:]) for r in _rows(df, cols)]
    assert vecs(ours.transform(ours_df)) == vecs(theirs.transform(theirs_df))
    unseen = [(50, 9.0, 1.0, 2)]
    u_ours, u_theirs = both(unseen, schema)
    if handle == "keep":
        assert vecs(ours.transform(u_ours)) == vecs(theirs.transform(u_theirs))
    else:
        for model, df in ((theirs, u_theirs), (ours, u_ours)):
            with pytest.raises(Exception, match="Unseen value: 9.0"):
                model.transform(df).collect()


def test_indexer_then_encoder_pipeline(both):
    from pyspark.ml import Pipeline as PP
    from dfml.ml import Pipeline as DP
    ours_df, theirs_df = both(ROWS, SCHEMA)

    def stages(M):
        return [M.StringIndexer(inputCols=["cat", "n"], outputCols=["ci", "ni"],
                                handleInvalid="keep"),
                M.OneHotEncoder(inputCols=["ci", "ni"], outputCols=["cv", "nv"],
                                handleInvalid="keep")]
    ours = DP(stages=stages(DM)).fit(ours_df)
    theirs = PP(stages=stages(_pm())).fit(theirs_df)
    assert ours.stages[1].categorySizes == list(theirs.stages[1].categorySizes)
    cols = ["id", "cv", "nv"]
    assert [(r[0], _vec(r[1]), _vec(r[2])) for r in _rows(ours.transform(ours_df), cols)] == \
        [(r[0], _vec(r[1]), _vec(r[2])) for r in _rows(theirs.transform(theirs_df), cols)]
