"""rollup/cube/groupingSets: one Expand + one aggregate; a data null and a rolled-up null stay
separate rows; grouping()/grouping_id() only exist inside them."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from dfml.sql.grouping_sets import cube_sets, rollup_sets


@pytest.fixture
def df(spark):
    return spark.createDataFrame([(1, "a"), (2, None), (3, "a")], "id INT, g STRING")


def test_set_shapes():
    assert rollup_sets(2) == [(0, 1), (0,), ()]
    assert sorted(cube_sets(2)) == [(), (0,), (0, 1), (1,)]


def test_data_null_and_rolled_up_null_are_separate(df):
    rows = sorted(df.rollup("g").agg(F.sum("id").alias("s"), F.grouping("g").alias("r"))
                  .collect(), key=lambda r: (r.r, r.s))
    assert [tuple(r) for r in rows] == [(None, 2, 0), ("a", 4, 0), (None, 6, 1)]


def test_aggregates_read_the_original_key(df):
    # the total row counts the real g values, not the rolled-up nulls
    rows = df.rollup("g").agg(F.count("g").alias("n"), F.grouping_id().alias("gid")).collect()
    assert sorted((r.gid, r.n) for r in rows) == [(0, 0), (0, 2), (1, 2)]


def test_grouping_outside_grouping_sets_fails(df):
    with pytest.raises(AnalysisException, match="UNSUPPORTED_GROUPING_EXPRESSION"):
        df.groupBy("g").agg(F.grouping("g"))
    with pytest.raises(AnalysisException, match="UNSUPPORTED_GROUPING_EXPRESSION"):
        df.select(F.grouping_id())


def test_bad_arguments_name_the_column(df):
    with pytest.raises(AnalysisException, match="GROUPING_COLUMN_MISMATCH"):
        df.rollup("g").agg(F.grouping("id"))
    with pytest.raises(AnalysisException, match="nope"):
        df.cube("nope")
    with pytest.raises(AnalysisException, match="GROUPING_COLUMN_MISMATCH"):
        df.groupingSets([("id",)], "g")
    with pytest.raises(AnalysisException, match="pivot"):
        df.rollup("g").pivot("id")
