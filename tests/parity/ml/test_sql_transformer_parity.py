"""SQLTransformer through dfml and real PySpark: the same statement over the same rows (nulls,
NaN, a filter, an aggregate) gives the same rows and schema; a saved transformer keeps its
statement and no data, as Spark's."""

from __future__ import annotations

import os

import pytest

from tests.parity.helpers import assert_same

ROWS = [(0, 1.0, 3.0, "a"), (1, None, 5.0, "b"), (2, float("nan"), 2.0, None), (3, 4.0, -1.0, "a")]
SCHEMA = "id long, v1 double, v2 double, s string"

STATEMENTS = [
    "SELECT *, (v1 + v2) AS v3, (v1 * v2) AS v4 FROM __THIS__",
    "SELECT id, upper(s) AS s FROM __THIS__ WHERE v2 > 0",
    "SELECT s, count(*) AS n, sum(v2) AS total FROM __THIS__ GROUP BY s",
    "select id, coalesce(v1, 0.0) + 1 as w from __this__",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_statement_rows_and_schema(both, statement):
    from pyspark.ml.feature import SQLTransformer as PST

    from dfml.ml.feature import SQLTransformer
    ours, theirs = both(ROWS, SCHEMA)
    if "__this__" in statement:  # Spark replaces the upper-case marker only
        with pytest.raises(Exception):
            PST(statement=statement).transform(theirs).collect()
        with pytest.raises(Exception):
            SQLTransformer(statement=statement).transform(ours).collect()
        return
    a = SQLTransformer(statement=statement).transform(ours)
    b = PST(statement=statement).transform(theirs)
    assert_same(a, b)
    assert a.schema.simpleString() == b.schema.simpleString()
    assert SQLTransformer(statement=statement).transformSchema(ours.schema) == a.schema


def test_saved_layout_and_round_trip(both, tmp_path):
    from pyspark.ml.feature import SQLTransformer as PST

    from dfml.ml.feature import SQLTransformer
    ours, theirs = both(ROWS, SCHEMA)
    statement = STATEMENTS[0]
    SQLTransformer(statement=statement).save(str(tmp_path / "ours"))
    PST(statement=statement).save(str(tmp_path / "theirs"))
    assert not os.path.exists(tmp_path / "ours" / "data")
    assert not os.path.exists(tmp_path / "theirs" / "data")
    loaded = SQLTransformer.load(str(tmp_path / "ours"))
    assert loaded.getStatement() == statement
    assert_same(loaded.transform(ours), PST.load(str(tmp_path / "theirs")).transform(theirs))
