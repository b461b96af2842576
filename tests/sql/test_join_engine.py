"""How a join reaches dask: the shuffle it uses on a local session and how null keys are kept
from matching (checked on dask's optimized expression and on the rows)."""

from __future__ import annotations

import pytest

from dfml.sql import functions as F
import dfml.sql.joins as joins


def _nodes(df):
    return {type(e).__name__ for e in df._frame.optimize().expr.walk()}


def _sides(spark):
    # four partitions a side, so the merge shuffles; every fifth key null on both sides
    key = F.when(F.col("id") % 5 == 0, None).otherwise(F.col("id") % 50)
    a = spark.range(0, 400, numPartitions=4).select(key.alias("k"), F.col("id").alias("a"))
    b = spark.range(0, 200, numPartitions=4).select(key.alias("k"), F.col("id").alias("b"))
    return a, b


def test_a_local_join_uses_the_task_shuffle_up_to_the_limit(spark, monkeypatch):
    a, b = _sides(spark)
    nodes = _nodes(a.join(b, "k"))
    assert "TaskShuffle" in nodes and "HashJoinP2P" not in nodes
    for how in ("left_semi", "left_anti"):  # the right side's distinct keys shuffle too
        nodes = _nodes(a.join(b, "k", how))
        assert "TaskShuffle" in nodes and "P2PShuffle" not in nodes, how
    monkeypatch.setattr(joins, "_TASK_SHUFFLE_MAX", 2)
    assert "HashJoinP2P" in _nodes(a.join(b, "k"))


def _expected(a_rows, b_rows, how):
    out = []
    matched_b = set()
    for ka, va in a_rows:
        hits = [(kb, vb) for kb, vb in b_rows if ka is not None and kb == ka]
        for kb, vb in hits:
            matched_b.add(vb)
            out.append((ka, va, vb))
        if not hits and how in ("left", "outer"):
            out.append((ka, va, None))
    if how in ("right", "outer"):
        out += [(kb, None, vb) for kb, vb in b_rows if vb not in matched_b]
    return sorted(out, key=repr)


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_null_keys_never_match_after_a_shuffle(spark, how):
    a, b = _sides(spark)
    a_rows = [tuple(r) for r in a.collect()]
    b_rows = [tuple(r) for r in b.collect()]
    got = sorted((tuple(r) for r in a.join(b, "k", how).select("k", "a", "b").collect()), key=repr)
    assert got == _expected(a_rows, b_rows, how)
    cond = a.join(b, a["k"] == b["k"], how).select(F.coalesce(a["k"], b["k"]), "a", "b")
    assert sorted((tuple(r) for r in cond.collect()), key=repr) == _expected(a_rows, b_rows, how)


def test_an_inner_join_merges_on_its_keys_alone(spark):
    """The null-key flag is only an outer join's: the other joins drop the null-key rows of a
    side whose unmatched rows are not kept, and merge on the keys alone."""
    a, b = _sides(spark)
    merges = [e for e in a.join(b, "k")._frame.optimize(fuse=False).expr.walk()
              if type(e).__name__ in ("Merge", "HashJoinP2P", "BlockwiseMerge")]
    assert merges and all("__nk" not in (e.left_on or []) for e in merges)
    outer = [e for e in a.join(b, "k", "outer")._frame.optimize(fuse=False).expr.walk()
             if type(e).__name__ in ("Merge", "HashJoinP2P", "BlockwiseMerge")]
    assert outer and all("__nk" in (e.left_on or []) for e in outer)
