"""orderBy on array and struct columns, as Spark orders them (Arrow's sort refuses them)."""

from __future__ import annotations

import datetime as dt

import pytest

ROWS = [(1, [3, 1], ("b", 2.0), [dt.date(2020, 1, 2)], ["b", "a"]),
        (2, [3], ("a", None), [dt.date(2019, 1, 1)], ["b"]),
        (3, None, None, None, None),
        (4, [None, 5], ("a", -1.5), [], ["", "z"]),
        (5, [3, 1, 0], ("a", float("nan")), [None], ["b\x00", None]),
        (6, [-2], ("", 0.0), [dt.date(2020, 1, 1), dt.date(2020, 1, 1)], ["ab"]),
        (7, [], ("a", -0.0), [dt.date(2020, 1, 1)], ["b", "a", "c"]),
        (8, [3, None], ("ab", 1.0), None, ["é"]),
        (9, [2**40, -7], None, [dt.date(1960, 5, 5)], ["a\x00b"]),
        (10, [-2, 0], ("a", float("inf")), [dt.date(2020, 1, 2)], ["b", "a"])]
SCHEMA = "id int, a array<bigint>, s struct<t:string,x:double>, d array<date>, w array<string>"


@pytest.mark.parametrize("column", ["a", "s", "d", "w"])
def test_order_by_nested_column_as_spark(both, column):
    """Ascending, descending and both null placements; ``id`` breaks ties, so the whole row
    order must equal Spark's."""
    ours, theirs = both(ROWS, SCHEMA)
    from pyspark.sql import functions as PF

    from dfml.sql import functions as F
    for how in ("asc", "desc", "asc_nulls_last", "desc_nulls_first"):
        got = [r.id for r in ours.orderBy(getattr(F.col(column), how)(), "id").collect()]
        want = [r.id for r in theirs.orderBy(getattr(PF.col(column), how)(), "id").collect()]
        assert got == want, (column, how)


def test_sort_within_partitions_and_limit_on_arrays(both):
    ours, theirs = both(ROWS, SCHEMA)
    assert [r.id for r in ours.orderBy("a", "id").limit(4).collect()] == \
        [r.id for r in theirs.orderBy("a", "id").limit(4).collect()]
    assert [r.id for r in ours.coalesce(1).sortWithinPartitions("w", "id").collect()] == \
        [r.id for r in theirs.coalesce(1).sortWithinPartitions("w", "id").collect()]
