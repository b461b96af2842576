"""Bad input fails at the transformation call, naming the culprit, before any graph runs."""

from __future__ import annotations

import pytest

from dfml.sql import AnalysisException, functions as F


@pytest.fixture
def df(spark):
    return spark.createDataFrame([(1, "a", 2.0), (2, None, 3.5)], "id INT, category STRING, amount DOUBLE")


@pytest.mark.parametrize("build", [
    lambda df: df.select("amuont"),
    lambda df: df.filter(F.col("amuont") > 1),
    lambda df: df.withColumn("x", F.col("amuont") + 1),
    lambda df: df.groupBy("amuont"),
    lambda df: df.groupBy("category").agg(F.sum("amuont")),
    lambda df: df.select(F.upper(F.col("amuont"))),
    lambda df: df.dropDuplicates(["amuont"]),
])
def test_unknown_column_names_it_and_suggests(df, graphs, build):
    counter = graphs()
    with pytest.raises(AnalysisException) as err:
        build(df)
    msg = str(err.value)
    assert "`amuont`" in msg
    assert "UNRESOLVED_COLUMN.WITH_SUGGESTION" in msg
    assert "[`amount`" in msg  # nearest name suggested first
    assert counter.count == 0


def test_sum_of_string_is_a_type_error(df):
    with pytest.raises(AnalysisException, match=r"sum\(category\).*\"STRING\""):
        df.groupBy("id").agg(F.sum("category"))


def test_avg_of_string_is_a_type_error(df):
    with pytest.raises(AnalysisException, match=r"avg\(category\)"):
        df.agg(F.avg("category"))


def test_arithmetic_on_string_is_a_type_error(df):
    with pytest.raises(AnalysisException, match=r"\(category \* 2\).*STRING"):
        df.select(F.col("category") * 2)


def test_comparing_incompatible_types(spark):
    df = spark.createDataFrame([(True, [1, 2])], "flag BOOLEAN, xs ARRAY<INT>")
    with pytest.raises(AnalysisException, match=r"\(flag = xs\).*BOOLEAN.*ARRAY<INT>"):
        df.filter(F.col("flag") == F.col("xs"))


def test_filter_needs_a_boolean(df):
    with pytest.raises(AnalysisException, match=r"FILTER_NOT_BOOLEAN.*amount"):
        df.filter(F.col("amount") + 1)


def test_aggregate_in_with_column(df):
    with pytest.raises(AnalysisException, match=r"sum\(amount\)"):
        df.withColumn("t", F.sum("amount"))


def test_non_grouped_column_in_agg(df):
    with pytest.raises(AnalysisException, match=r"MISSING_AGGREGATION.*amount"):
        df.groupBy("category").agg(F.col("amount"))


@pytest.mark.parametrize("n", [-1, 2.5, "3"])
def test_negative_or_non_int_limit(df, n):
    with pytest.raises(ValueError, match=repr(n).replace(".", r"\.")):
        df.limit(n)


@pytest.mark.parametrize("weights", [[0.0, 0.0], [-1, 2], [], [-1.0, 2.0]])
def test_random_split_weights(df, weights):
    with pytest.raises(ValueError, match=r"weights"):
        df.randomSplit(weights, seed=1)


def test_random_split_int_weights(df):
    with pytest.raises(TypeError, match=r"weights must be floats, got 1 \(int\)"):
        df.randomSplit([1, 2.0], seed=1)


def test_bad_sample_fraction(df):
    with pytest.raises(ValueError, match="1.5"):
        df.sample(False, 1.5)


def test_bad_cast_type_name(df):
    with pytest.raises(ValueError, match="doubel"):
        df.select(F.col("amount").cast("doubel"))


def test_union_width_mismatch(df):
    with pytest.raises(AnalysisException, match="NUM_COLUMNS_MISMATCH.*3 columns.*1 columns"):
        df.union(df.select("id"))


def test_duplicate_output_names(df):
    # Spark keeps two columns of one name in a select; a bare reference to it is ambiguous
    both = df.select("id", F.col("amount").alias("id"))
    assert both.columns == ["id", "id"]
    assert sorted(both.collect()) == [(1, 2.0), (2, 3.5)]
    with pytest.raises(AnalysisException, match="AMBIGUOUS_REFERENCE.*`id`"):
        both.select("id")


def test_column_in_boolean_context():
    with pytest.raises(ValueError, match="'&' for 'and'"):
        bool(F.col("a") > 1)


def test_unknown_join_type_names_it(df):
    with pytest.raises(ValueError, match="'sideways'.*left_anti"):
        df.join(df, "id", "sideways")


def test_join_on_unknown_column(spark, df):
    other = spark.createDataFrame([(1,)], "id INT")
    with pytest.raises(AnalysisException, match="`idd`"):
        df.join(other, "idd")


def test_join_keeping_two_columns_of_one_name(spark, df):
    # Spark keeps both columns; only a bare reference to the name is ambiguous
    other = spark.createDataFrame([(1, "x")], "id INT, category STRING")
    joined = df.join(other, "id")
    assert joined.columns.count("category") == 2
    with pytest.raises(AnalysisException, match="AMBIGUOUS_REFERENCE.*`category`"):
        joined.select("category")
    assert joined.select(other.category).collect() == [("x",)] * joined.count()


def test_unknown_write_mode_names_it(df):
    with pytest.raises(ValueError, match="'sometimes'"):
        df.write.mode("sometimes")


def test_unknown_fill_subset(df):
    with pytest.raises(AnalysisException, match="`amnt`"):
        df.na.fill(0, subset=["amnt"])


def test_bad_dropna_how(df):
    with pytest.raises(ValueError, match="'some'"):
        df.dropna(how="some")


def test_bad_repartition(df):
    with pytest.raises(ValueError, match="-2"):
        df.repartition(-2)


def test_a_failing_task_is_reported_once(tmp_path):
    """An error inside a task reaches the user once, as the action's exception: the worker's
    multi-line "Compute Failed" log block is not printed before it (a fresh process, so the
    workers write to the stderr this test reads)."""
    import subprocess
    import sys
    script = tmp_path / "fails.py"
    script.write_text(
        "from dfml.sql import SparkSession, functions as F\n"
        "spark = SparkSession.builder.master('local[1]').getOrCreate()\n"
        "boom = F.udf(lambda x: 1 // (x - x), 'int')\n"
        "try:\n"
        "    spark.range(3).select(boom('id')).collect()\n"
        "except Exception as e:\n"
        "    print('RAISED', type(e).__name__)\n"
        "spark.stop()\n")
    import os

    import dfml
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(dfml.__file__)))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, env=env)
    assert "RAISED" in out.stdout, out.stderr[-2000:]
    assert "Compute Failed" not in out.stderr, out.stderr[-2000:]
