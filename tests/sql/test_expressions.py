"""Expression nodes compare by value: equal expressions built separately are equal and hash
alike (what matching ``GROUP BY upper(s)`` to a select item and deduplication need)."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F

BUILDERS = {
    "arithmetic": lambda c: (F.col(c) + 1) * 2,
    "comparison": lambda c: F.col(c) >= 3,
    "logic": lambda c: (F.col(c) > 1) & ~F.col(c).isNull(),
    "case": lambda c: F.when(F.col(c) > 1, "x").otherwise("y"),
    "cast": lambda c: F.col(c).cast("int"),
    "field": lambda c: F.col(c)["k"],
    "string": lambda c: F.upper(F.substring(c, 1, 2)),
    "regexp": lambda c: F.regexp_replace(c, "a+", "b"),
    "math": lambda c: F.round(F.sqrt(c), 2),
    "date": lambda c: F.date_add(F.to_date(c, "yyyy-MM-dd"), 3),
    "array": lambda c: F.array_contains(F.array(c, F.lit("b")), "b"),
    "predicate": lambda c: F.col(c).isin(1, 2, 3),
    "aggregate": lambda c: F.sum(F.col(c) * 2),
    "misc": lambda c: F.coalesce(c, F.lit(0)),
}


@pytest.mark.parametrize("family", sorted(BUILDERS))
def test_equal_expressions_are_equal(family):
    build = BUILDERS[family]
    a, b, other = build("x")._expr, build("x")._expr, build("y")._expr
    assert a is not b
    assert a == b and hash(a) == hash(b)
    assert a != other
    assert len({a, b, other}) == 2


def test_arguments_and_literal_types_distinguish():
    assert F.substring("s", 1, 2)._expr != F.substring("s", 1, 3)._expr
    assert F.lit(1)._expr != F.lit(True)._expr
    assert F.lit(1)._expr != F.lit(1.0)._expr
    assert F.col("a").alias("b")._expr != F.col("a").alias("c")._expr
    assert F.col("a").asc()._expr != F.col("a").desc()._expr
