"""Joins that keep two columns of one name, against PySpark: both columns are kept and shown,
``a.k``/``b.k``, ``x.k``/``y.k`` and ``a["*"]`` pick their side, a bare ``k`` is ambiguous,
and every later operation (drop, withColumn, rename, groupBy, union, writes) treats them as
Spark does."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from tests.parity.helpers import assert_same

A = [(1, "x"), (2, "y"), (None, "z"), (1, "x2")]
B = [(1, "p"), (3, "q"), (1, "r"), (None, "n")]


def _self(a, b, f):
    return a.alias("s").join(a.alias("t"), f.col("s.k") == f.col("t.k")).select("s.v", "t.v")


def _aliased(a, b, f):
    return a.alias("x").join(b.alias("y"), f.col("x.k") == f.col("y.k"), "left")


CASES = {
    "inner": lambda a, b, f: a.join(b, a.k == b.k),
    "left": lambda a, b, f: a.join(b, a.k == b.k, "left"),
    "right": lambda a, b, f: a.join(b, a.k == b.k, "right"),
    "outer": lambda a, b, f: a.join(b, a.k == b.k, "outer"),
    "select_each_side": lambda a, b, f: a.join(b, a.k == b.k, "left").select(a.k, b.k, b.w),
    "drop_by_name_drops_both": lambda a, b, f: a.join(b, a.k == b.k).drop("k"),
    "drop_one_side": lambda a, b, f: a.join(b, a.k == b.k).drop(b.k),
    "with_column_replaces_both": lambda a, b, f: a.join(b, a.k == b.k).withColumn("k", f.lit(0)),
    "rename_renames_both": lambda a, b, f: a.join(b, a.k == b.k).withColumnRenamed("k", "kk"),
    "filter_on_one_side": lambda a, b, f: a.join(b, a.k == b.k, "outer").filter(b.k > 0),
    "group_by_one_side": lambda a, b, f: a.join(b, a.k == b.k, "outer").groupBy(b.k).count(),
    "aggregate_one_side": lambda a, b, f: a.join(b, a.k == b.k).agg(f.sum(b.k), f.max(a.v)),
    "star_of_one_side": lambda a, b, f: a.join(b, a.k == b.k).select(a["*"], b.w),
    "select_star": lambda a, b, f: a.join(b, a.k == b.k).select("*"),
    "alias_qualified": lambda a, b, f: _aliased(a, b, f).select("x.k", "y.k", "w"),
    "alias_star": lambda a, b, f: _aliased(a, b, f).select("y.*"),
    "self_join": _self,
    "using_join_other_column_shared": lambda a, b, f: a.join(b.withColumnRenamed("w", "v"), "k"),
    "residual_condition": lambda a, b, f: a.join(b, (a.k == b.k) & (a.v < b.w)),
    "null_safe": lambda a, b, f: a.join(b, a.k.eqNullSafe(b.k)),
    "cross": lambda a, b, f: a.crossJoin(b),
    "union_of_joins": lambda a, b, f: a.join(b, a.k == b.k).union(a.join(b, a.k == b.k)),
    "distinct": lambda a, b, f: a.join(b, a.k == b.k).distinct(),
    "join_again_by_name": lambda a, b, f: a.join(b, a.k == b.k).join(b, "w"),
    "select_two_of_one_name": lambda a, b, f: a.select("k", f.col("v").alias("k")),
    "chain_of_three": lambda a, b, f: a.join(b, a.k == b.k).join(
        a.alias("c"), f.col("c.k") == b.k).select(b.w, f.col("c.v")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_join_keeps_both_columns(both, name):
    from pyspark.sql import functions as PF
    (a, pa_), (b, pb) = both(A, "k int, v string"), both(B, "k int, w string")
    assert_same(CASES[name](a, b, F), CASES[name](pa_, pb, PF))


def test_ordered_rows_and_printed_forms(both):
    (a, pa_), (b, pb) = both(A, "k int, v string"), both(B, "k int, w string")
    ours, theirs = a.join(b, a.k == b.k).orderBy(a.v, b.w), pa_.join(pb, pa_.k == pb.k).orderBy(pa_.v, pb.w)
    assert_same(ours, theirs, ordered=True)
    assert ours._show_string() == theirs._show_string()
    assert repr(ours.first()) == repr(theirs.first())
    assert ours.first().asDict() == theirs.first().asDict()
    assert repr(ours) == repr(theirs)
    assert ours.schema.simpleString() == theirs.schema.simpleString()
    assert list(ours.toPandas().columns) == list(theirs.toPandas().columns)
    assert ours.toArrow().column_names == theirs.toArrow().column_names


@pytest.mark.parametrize("ref", [
    lambda j, f: j.select("k"), lambda j, f: j.select(f.col("k")), lambda j, f: j.filter("k > 0"),
    lambda j, f: j.groupBy("k").count(), lambda j, f: j.select(j.k),
], ids=["select_name", "select_col", "filter_text", "group_by", "joined_attr"])
def test_bare_name_is_ambiguous(both, ref):
    from pyspark.errors import AnalysisException as PAnalysisException
    from pyspark.sql import functions as PF
    (a, pa_), (b, pb) = both(A, "k int, v string"), both(B, "k int, w string")
    with pytest.raises(PAnalysisException, match="AMBIGUOUS_REFERENCE"):
        ref(pa_.join(pb, pa_.k == pb.k), PF).collect()
    with pytest.raises(AnalysisException, match=r"AMBIGUOUS_REFERENCE.*Reference `k` is ambiguous"):
        ref(a.join(b, a.k == b.k), F).collect()


def test_writing_two_columns_of_one_name_is_refused_before_any_work(both, tmp_path):
    from pyspark.errors import AnalysisException as PAnalysisException
    (a, pa_), (b, pb) = both(A, "k int, v string"), both(B, "k int, w string")
    with pytest.raises(PAnalysisException, match="COLUMN_ALREADY_EXISTS"):
        pa_.join(pb, pa_.k == pb.k).write.parquet(str(tmp_path / "spark"))
    with pytest.raises(AnalysisException, match="COLUMN_ALREADY_EXISTS.*`k`"):
        a.join(b, a.k == b.k).write.parquet(str(tmp_path / "dfml"))
    assert not (tmp_path / "dfml").exists()
    # one side dropped, the file holds plain names both engines read back
    a.join(b, a.k == b.k).drop(b.k).write.parquet(str(tmp_path / "one"))
    pa_.join(pb, pa_.k == pb.k).drop(pb.k).write.parquet(str(tmp_path / "one_spark"))
    assert_same(a.sparkSession.read.parquet(str(tmp_path / "one")),
                pa_.sparkSession.read.parquet(str(tmp_path / "one_spark")))


@pytest.mark.parametrize("query", [
    "select t.k, u.k from t join u on t.k = u.k",
    "select * from t left join u on t.k = u.k",
    "select t.*, u.w from t join u on t.k = u.k",
    "select u.k, count(*) as n from t full join u on t.k = u.k group by u.k",
])
def test_sql_text_keeps_both_columns(spark, pyspark, query):
    for session in (spark, pyspark):
        session.createDataFrame(A, "k int, v string").createOrReplaceTempView("t")
        session.createDataFrame(B, "k int, w string").createOrReplaceTempView("u")
    assert_same(spark.sql(query), pyspark.sql(query))
