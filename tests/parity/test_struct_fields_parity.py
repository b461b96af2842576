"""Column.withField / dropFields against PySpark (nested paths, null structs, case), and
DataFrame.foreach / foreachPartition running on the workers."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
from dfml.sql.errors import AnalysisException
from tests.parity.helpers import assert_same

ROWS = [(1, (1, "x", (2.0, None))), (2, None), (3, (None, None, None))]
DDL = "k int, s struct<a:int,b:string,c:struct<d:double,e:string>>"

CASES = {
    "replace": lambda f: f.col("s").withField("b", f.lit("z")),
    "add_from_column": lambda f: f.col("s").withField("n", f.col("k") * 2),
    "nested": lambda f: f.col("s").withField("c.e", f.lit("q")),
    "replace_other_case": lambda f: f.col("s").withField("A", f.lit(9)),
    "drop": lambda f: f.col("s").dropFields("b"),
    "drop_nested": lambda f: f.col("s").dropFields("b", "c.d"),
    "drop_missing": lambda f: f.col("s").dropFields("zz"),
    "chained": lambda f: f.col("s").withField("x", f.lit(1.5)).dropFields("a"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_struct_fields(both, name):
    from pyspark.sql import functions as PF
    ours, theirs = both(ROWS, DDL)
    a = ours.select("k", CASES[name](F).alias("r"))
    b = theirs.select("k", CASES[name](PF).alias("r"))
    assert a.schema.simpleString() == b.schema.simpleString()
    assert_same(a, b)


def test_names_and_refusals(both):
    from pyspark.errors import AnalysisException as PAnalysisException
    from pyspark.sql import functions as PF
    ours, theirs = both(ROWS, DDL)
    assert ours.select(F.col("s").withField("b", F.lit("z"))).columns == \
        theirs.select(PF.col("s").withField("b", PF.lit("z"))).columns
    assert ours.select(F.col("s").dropFields("b")).columns == \
        theirs.select(PF.col("s").dropFields("b")).columns
    with pytest.raises(PAnalysisException, match="DATATYPE_MISMATCH"):
        theirs.select(PF.col("k").withField("b", PF.lit(1))).collect()
    with pytest.raises(AnalysisException, match="DATATYPE_MISMATCH"):
        ours.select(F.col("k").withField("b", F.lit(1)))


def test_foreach_partition_runs_on_the_workers(spark, tmp_path):
    import os

    def write(rows):
        from distributed import get_worker
        where = get_worker().name  # raises ValueError anywhere but in a worker's task
        rows = list(rows)
        if rows:
            with open(os.path.join(str(tmp_path), f"{where}-{rows[0].id}"), "w") as fh:
                fh.write("\n".join(str(r.id) for r in rows))

    spark.range(10).repartition(3).foreachPartition(write)
    seen = sorted(int(x) for p in tmp_path.iterdir() for x in p.read_text().split())
    assert seen == list(range(10))

    def touch(row):
        open(os.path.join(str(tmp_path), f"row-{row.id}"), "w").close()

    spark.range(4).foreach(touch)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("row-")) == \
        [f"row-{i}" for i in range(4)]
