"""Aggregates are node classes that declare their partials and finish: the lowering in
dfml.sql.group never switches on a name, so a new aggregate is one class."""

from __future__ import annotations

import ast
import pathlib

import numpy as np
import pytest

from dfml.sql import Column
from dfml.sql import functions as F
from dfml.sql import types as T
from dfml.sql.aggregates import Partials
from dfml.sql.column import AggFunc, Typed, fix_dtype


class GeometricMean(AggFunc):
    """exp(avg(ln x)) of the positive values: a toy aggregate defined only here."""

    def declare(self, args: list[Typed], p: Partials):
        logs = p.input(args[0], T.DoubleType())
        p.inputs[logs] = np.log(p.inputs[logs].where(p.inputs[logs] > 0, None))
        s, n = p.reduce(logs, "sum"), p.reduce(logs, "count")
        return lambda P: Typed(fix_dtype(np.exp(P[s] / P[n].mask(P[n] == 0, None)), T.DoubleType()),
                               T.DoubleType(), True)


def geometric_mean(col: str) -> Column:
    return Column(GeometricMean("geometric_mean", [F.col(col)._expr]))


def test_a_new_aggregate_is_one_class(spark):
    df = spark.createDataFrame([("a", 1.0), ("a", 4.0), ("b", 8.0), ("b", None), ("c", None)],
                               "k string, x double")
    out = df.groupBy("k").agg(geometric_mean("x").alias("g"), F.count("x").alias("n"))
    got = {r.k: (None if r.g is None else round(r.g, 9), r.n) for r in out.collect()}
    assert got == {"a": (2.0, 2), "b": (8.0, 1), "c": (None, 0)}
    assert df.select(geometric_mean("x")).schema.names == ["geometric_mean(x)"]


def test_aggregate_nodes_compare_by_value():
    assert F.sum("a")._expr == F.sum("a")._expr
    assert hash(F.sum("a")._expr) == hash(F.sum("a")._expr)
    assert F.sum("a")._expr != F.sum("b")._expr
    assert F.sum("a")._expr != F.avg("a")._expr
    assert F.stddev("a")._expr != F.stddev_samp("a")._expr  # same statistic, another name
    assert F.percentile_approx("a", 0.5)._expr == F.percentile_approx("a", 0.5)._expr
    assert F.percentile_approx("a", 0.5)._expr != F.percentile_approx("a", 0.25)._expr
    assert len({F.max("x")._expr, F.max("x")._expr, F.min("x")._expr}) == 2


def test_the_group_lowering_has_no_name_ladder():
    """No comparison of a name with string literals (``name == "sum"``, ``a.name in (...)``)."""
    source = (pathlib.Path(__file__).resolve().parents[2] / "dfml" / "sql" / "group.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        left = node.left
        is_name = (isinstance(left, ast.Name) and left.id == "name") or \
            (isinstance(left, ast.Attribute) and left.attr == "name")
        literals = [c for side in node.comparators for c in ast.walk(side)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        assert not (is_name and literals), f"group.py switches on a name at line {node.lineno}"


def test_regression_three_comoments_in_one_call(spark):
    """Work columns were named by suffixing an input's name (``__in1`` + ``2``), which collided
    with the twelfth input in a call with several co-moments: Arrow refused a duplicate field."""
    rows = [(float(i), float(i * i % 7), float(i % 3)) for i in range(12)]
    df = spark.createDataFrame(rows, "x double, y double, z double")
    out = df.agg(F.corr("x", "y").alias("c"), F.covar_pop("x", "z").alias("p"),
                 F.covar_samp("y", "z").alias("s"), F.stddev("x").alias("d"),
                 F.skewness("y").alias("k")).collect()[0]
    x, y, z = (np.array(c) for c in zip(*rows))
    assert out.c == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert out.p == pytest.approx(np.cov(x, z, bias=True)[0, 1])
    assert out.s == pytest.approx(np.cov(y, z)[0, 1])
    assert out.d == pytest.approx(np.std(x, ddof=1))
