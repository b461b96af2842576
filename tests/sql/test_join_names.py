"""Internal names of same-named join columns never reach the user (dfml.sql.join_names)."""

from __future__ import annotations

from dfml.sql import functions as F
from dfml.sql.join_names import SEP


def test_getitem_takes_a_filter_column_and_a_star(spark):
    df = spark.createDataFrame([(2, "Alice"), (5, "Bob")], "age int, name string")
    assert df[df.age > 3].collect() == [(5, "Bob")]
    assert df.select(df["*"]).columns == ["age", "name"]


def test_no_internal_name_is_visible(spark, tmp_path):
    a = spark.createDataFrame([(1, "x")], "k int, v string")
    b = spark.createDataFrame([(1, "y")], "k int, v string")
    j = a.join(b, a.k == b.k)
    seen = [j.columns, j.schema.names, [n for n, _ in j.dtypes], list(j.toPandas().columns),
            j.toArrow().column_names, list(j.first().__fields__), [j._show_string()],
            [repr(j)], [j.select(F.sum(j[0])).columns[0]]]
    assert not any(SEP in s for names in seen for s in names)
    assert j._names != j.columns  # the frame itself keeps them apart
    j.drop(b.k).drop(b.v).write.parquet(str(tmp_path / "out"))
    assert spark.read.parquet(str(tmp_path / "out")).columns == ["k", "v"]
