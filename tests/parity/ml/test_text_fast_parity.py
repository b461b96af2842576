"""Tokenizer and StopWordsRemover on all-ASCII chunks, where dfml runs whole-column Arrow
kernels instead of its row kernels (``_text_fast``): the same arrays as PySpark for runs of
spaces, leading and trailing separators, every Java whitespace control, empty and blank
strings, upper-case stop words and null tokens."""

from __future__ import annotations

TEXT = [(0, "Hi I heard about Spark"), (1, "  lead  and trail  "), (2, ""), (3, " "),
        (4, "a\tb\nc\x0bd\fe\rf g"), (5, "\tTHE Quick\t\tbrown fox\n"), (6, "x  "),
        (7, "Don't stop--it's 3.14, e.g. (really)!"), (8, "UPPER lower MiXeD And OR")]
TOKENS = [(0, ["a", "The", "b", "AND", "quick"]), (1, []), (2, ["solo"]),
          (3, ["x", None, "y", "The"]), (4, ["", "the", "", "OUR", "ours"])]


def _rows(df):
    return [(r.id, r.o) for r in df.orderBy("id").collect()]


def test_tokenizer_ascii_matches_spark(both):
    import dfml.ml.feature as ours
    import pyspark.ml.feature as theirs
    mine, spark_df = both(TEXT, "id int, s string")
    assert _rows(ours.Tokenizer(inputCol="s", outputCol="o").transform(mine)) == \
        _rows(theirs.Tokenizer(inputCol="s", outputCol="o").transform(spark_df))


def test_stop_words_ascii_match_spark(both):
    import dfml.ml.feature as ours
    import pyspark.ml.feature as theirs
    mine, spark_df = both(TOKENS, "id int, a array<string>")
    for kw in ({}, {"caseSensitive": True}):
        assert _rows(ours.StopWordsRemover(inputCol="a", outputCol="o", **kw).transform(mine)) \
            == _rows(theirs.StopWordsRemover(inputCol="a", outputCol="o", **kw)
                     .transform(spark_df))
