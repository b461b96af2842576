"""RFormula through dfml and real PySpark on the same rows: every output vector (values and
dense/sparse form), the features column's ML attributes (slot names such as ``s_a``, ``s_a:t_x``,
kinds and order), the label values and the label's metadata agree, over formulas with string,
numeric and boolean columns, interactions, ``.``, removed terms and no intercept, with ties in
category frequency, nulls and NaN under each handleInvalid, string and forced-index labels, and
scoring data without the label."""

from __future__ import annotations

import pytest

NAN = float("nan")
SCHEMA = "y double, s string, t string, n double, b boolean, i int"
# s: a x3, b x2, c x2 (b and c tie); t: x x3, y x2, z x2
ROWS = [(1.0, "a", "x", 1.0, True, 3), (0.0, "b", "y", 2.0, False, 4),
        (1.0, "a", "y", 3.0, True, 5), (0.0, "c", "x", 4.0, False, 6),
        (1.0, "b", "z", 5.0, False, 7), (1.0, "a", "z", 2.0, False, 9),
        (0.0, "c", "x", 6.0, True, 8)]
NULL_ROWS = [(1.0, "a", "x", 1.0, True, 1), (0.0, "b", None, 2.0, False, 2),
             (1.0, None, "y", 3.0, True, 3), (0.0, "c", "x", None, False, 4),
             (1.0, "b", "z", NAN, False, 5), (None, "a", "x", 6.0, True, 6),
             (0.0, "a", "y", 2.5, False, 7)]


def _plain(v):
    if hasattr(v, "toArray"):
        kind = "sparse" if type(v).__name__ == "SparseVector" else "dense"
        return (kind, [round(float(x), 12) if x == x else "nan" for x in v.toArray()])
    if isinstance(v, float) and v != v:
        return "nan"
    return v


def _rows(df, cols):
    return [tuple(_plain(r[c]) for c in cols) for r in df.select(*cols).collect()]


def _same(ours_df, theirs_df, fit_kwargs, formula, label=True):
    from pyspark.ml.feature import RFormula as PR

    from dfml.ml.feature import RFormula
    a = RFormula(formula=formula, **fit_kwargs).fit(ours_df).transform(ours_df)
    b = PR(formula=formula, **fit_kwargs).fit(theirs_df).transform(theirs_df)
    assert a.columns == b.columns
    feats = fit_kwargs.get("featuresCol", "features")
    lab = fit_kwargs.get("labelCol", "label")
    assert a.schema[feats].metadata == b.schema[feats].metadata
    cols = [feats] + ([lab] if lab in b.columns else [])
    if lab in b.columns:
        assert a.schema[lab].metadata == b.schema[lab].metadata
    ours, theirs = _rows(a, ["i"] + cols), _rows(b, ["i"] + cols)
    assert sorted(ours, key=repr) == sorted(theirs, key=repr)


FORMULAS = ["y ~ s + n", "y ~ s + n - 1", "y ~ s + t + 0", "y ~ s:t", "y ~ s * n",
            "y ~ (s + t)^2", "y ~ . - i", "y ~ b + n", "y ~ s:n + i", "y ~ n:i", "~ n + s",
            "y ~ t:s - 1", "y ~ s - s + n", "s ~ n + i", "y ~ s:s + n + n",
            "y ~ s*t*n", "y ~ (s + t + n)^2 - s:t", "y ~ s:(t + n)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas(both, formula):
    ours, theirs = both(ROWS, SCHEMA)
    _same(ours, theirs, {}, formula)


@pytest.mark.parametrize("kwargs", [
    {"stringIndexerOrderType": "frequencyAsc"}, {"stringIndexerOrderType": "alphabetDesc"},
    {"stringIndexerOrderType": "alphabetAsc", "featuresCol": "f", "labelCol": "l"},
    {"forceIndexLabel": True}, {"forceIndexLabel": True, "stringIndexerOrderType": "alphabetDesc"}])
def test_order_types_and_label_indexing(both, kwargs):
    ours, theirs = both(ROWS, SCHEMA)
    _same(ours, theirs, kwargs, "y ~ s + t:n")
    _same(ours, theirs, kwargs, "i ~ s + n - 1")


@pytest.mark.parametrize("handle", ["keep", "skip"])
@pytest.mark.parametrize("formula", ["y ~ s + n", "y ~ s:t", "s ~ n", "y ~ t + s - 1"])
def test_nulls_and_nan(both, handle, formula):
    ours, theirs = both(NULL_ROWS, SCHEMA)
    _same(ours, theirs, {"handleInvalid": handle}, formula)
    _same(ours, theirs, {"handleInvalid": handle, "forceIndexLabel": True}, formula)


@pytest.mark.parametrize("formula", ["y ~ s + n", "s ~ n"])
def test_nulls_fail_with_error(both, formula):
    """handleInvalid='error' (the default): a null string or number fails the transform."""
    from pyspark.ml.feature import RFormula as PR

    from dfml.ml.feature import RFormula
    ours, theirs = both(NULL_ROWS, SCHEMA)
    with pytest.raises(Exception):
        PR(formula=formula).fit(theirs).transform(theirs).collect()
    with pytest.raises(Exception):
        RFormula(formula=formula).fit(ours).transform(ours).collect()


@pytest.mark.parametrize("handle", ["keep", "error"])
def test_scoring_without_label_and_unseen(both, spark, pyspark, handle):
    from pyspark.ml.feature import RFormula as PR

    from dfml.ml.feature import RFormula
    ours, theirs = both(ROWS, SCHEMA)
    test_rows = [("a", 1.0, 1), ("q" if handle == "keep" else "b", 2.0, 2)]
    tschema = "s string, n double, i int"
    a = RFormula(formula="y ~ s + n", handleInvalid=handle).fit(ours).transform(
        spark.createDataFrame(test_rows, tschema))
    b = PR(formula="y ~ s + n", handleInvalid=handle).fit(theirs).transform(
        pyspark.createDataFrame(test_rows, tschema))
    assert a.columns == b.columns == ["s", "n", "i", "features"]
    assert _rows(a, ["i", "features"]) == _rows(b, ["i", "features"])


def test_existing_label_column_kept(both):
    ours, theirs = both([r + (r[3] * 2,) for r in ROWS], SCHEMA + ", label double")
    _same(ours, theirs, {}, "y ~ s")


def test_leading_sign_fails_in_both(both):
    from pyspark.ml.feature import RFormula as PR

    from dfml.ml.feature import RFormula
    ours, theirs = both(ROWS, SCHEMA)
    with pytest.raises(Exception, match="Could not parse formula"):
        PR(formula="y ~ -1 + t").fit(theirs)
    with pytest.raises(Exception, match="Could not parse formula: y ~ -1 \\+ t \\(unexpected '-'"):
        RFormula(formula="y ~ -1 + t").fit(ours)


def test_boolean_interaction_fails_in_both(both):
    """Spark's Interaction takes numbers and vectors only: a boolean in ``b:n`` fails."""
    from pyspark.ml.feature import RFormula as PR

    from dfml.ml.feature import RFormula
    ours, theirs = both(ROWS, SCHEMA)
    with pytest.raises(Exception):
        PR(formula="y ~ b:n + t").fit(theirs).transform(theirs).collect()
    with pytest.raises(Exception, match="boolean column `b`"):
        RFormula(formula="y ~ b:n + t").fit(ours)


@pytest.mark.parametrize("formula", ["y ~ v + s"])
def test_vector_terms(spark, pyspark, formula):
    """A vector column enters as its slots (``v_0``, ``v_1``); Spark refuses a vector without
    ML attributes in an interaction, so ``v:s`` is not compared."""
    from pyspark.ml.linalg import Vectors as PV

    from dfml.ml.linalg import Vectors as DV

    def rows(V):
        return [(k, float(k % 2), "abc"[k % 3], float(k), V.dense([k, 0.5 * k]) if k % 2
                 else V.sparse(2, [0], [1.0])) for k in range(6)]
    from pyspark.ml.linalg import VectorUDT as PVU
    from pyspark.sql import types as PT

    from dfml.ml.linalg import VectorUDT as DVU
    from dfml.sql import types as DT

    def struct(TT, VU):
        return TT.StructType([TT.StructField("i", TT.IntegerType()), TT.StructField("y", TT.DoubleType()),
                              TT.StructField("s", TT.StringType()), TT.StructField("n", TT.DoubleType()),
                              TT.StructField("v", VU())])
    ours = spark.createDataFrame(rows(DV), struct(DT, DVU))
    theirs = pyspark.createDataFrame(rows(PV), struct(PT, PVU))
    _same(ours, theirs, {}, formula)
