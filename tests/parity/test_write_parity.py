"""Writes through dfml and PySpark on the same data: the resulting directories read the same."""

from __future__ import annotations


def test_dynamic_partition_overwrite_matches_spark(spark, pyspark, tmp_path):
    first = [(1, "x"), (2, "y"), (5, None)]
    second = [(3, "y"), (4, "z")]
    results = []
    for name, sess in (("dfml", spark), ("spark", pyspark)):
        for how in ("option", "conf"):
            path = str(tmp_path / f"{name}-{how}")
            sess.createDataFrame(first, "a long, k string").write.partitionBy("k").parquet(path)
            w = sess.createDataFrame(second, "a long, k string").write.mode("overwrite")
            if how == "option":
                w = w.option("partitionOverwriteMode", "dynamic")
            else:
                sess.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
            try:
                w.partitionBy("k").parquet(path)
            finally:
                sess.conf.unset("spark.sql.sources.partitionOverwriteMode")
            results.append(sorted((r.a, r.k) for r in sess.read.parquet(path).collect()))
    assert results[0] == results[2] and results[1] == results[3]
    assert results[0] == [(1, "x"), (3, "y"), (4, "z"), (5, None)]
