"""``na.drop`` as one per-partition kernel: same rows as PySpark for null and NaN in double,
float, integer, string and boolean columns, with how/thresh/subset (a name listed twice counts
twice), and a plan that no longer grows by several dask layers per column."""

from __future__ import annotations

import math

import pytest

from .helpers import assert_same

NAN = math.nan
ROWS = [
    (1, 1.0, 1.5, "a", True, 10), (2, NAN, 2.5, "b", False, None), (3, None, NAN, None, None, 30),
    (4, 4.0, None, "d", True, 40), (5, NAN, NAN, None, None, None), (6, 6.0, 6.5, "f", None, 60),
    (7, None, None, None, None, None), (8, 8.0, 8.5, "", False, 0),
]
SCHEMA = "id INT, d DOUBLE, f FLOAT, s STRING, b BOOLEAN, n BIGINT"


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


CASES = [
    ("any_all_columns", lambda df: df.na.drop()),
    ("all_all_columns", lambda df: df.na.drop(how="all")),
    ("any_floats", lambda df: df.na.drop(subset=["d", "f"])),
    ("all_floats", lambda df: df.dropna(how="all", subset=["d", "f"])),
    ("thresh_2", lambda df: df.dropna(thresh=2, subset=["d", "f", "s", "b", "n"])),
    ("thresh_5", lambda df: df.na.drop(thresh=5)),
    ("string_bool_long", lambda df: df.na.drop(subset=["s", "b", "n"])),
    ("one_name", lambda df: df.na.drop(subset="d")),
    ("twice_listed_thresh", lambda df: df.na.drop(thresh=2, subset=["d", "d"])),
    ("after_filter", lambda df: df.filter(df.id > 2).na.drop(subset=["f", "n"]).select("id", "n")),
]


@pytest.mark.parametrize("case_id,build", CASES, ids=[c[0] for c in CASES])
def test_drop_matches_pyspark(frames, case_id, build):
    ours, theirs = frames
    assert_same(build(ours), build(theirs))


def test_drop_is_one_layer_not_one_per_column(spark):
    """Ten columns used to lower to about forty dask-expr nodes (notnull, NaN test, cast and
    sum per column); now the row mask is one per-partition task whatever the column count."""
    cols = [f"c{i}" for i in range(10)]
    df = spark.createDataFrame([tuple(float(i + j) for j in range(10)) for i in range(4)],
                               ", ".join(f"{c} DOUBLE" for c in cols))
    expr = df.na.drop(subset=cols)._frame.expr
    nodes = list(expr.walk())
    assert len(nodes) < 12, [type(n).__name__ for n in nodes]
    assert df.na.drop(subset=cols).count() == 4
