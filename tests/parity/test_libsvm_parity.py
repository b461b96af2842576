"""The libsvm source through dfml and real PySpark: the same files read to the same rows
(labels, vector kinds, sizes, stored indices and values), and each one reads what the other
wrote."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest


def _text(seed: int, n: int) -> str:
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(n):
        k = int(rng.integers(0, 9))
        idx = np.sort(rng.choice(40, size=k, replace=False)) + 1
        vals = [str(float(v)) for v in np.round(rng.normal(size=k), 4)]
        if k and i % 7 == 0:
            vals[0] = "0"  # explicit zeros are dropped on read
        if k and i % 19 == 0:
            vals[-1] = rng.choice(["NaN", "-Infinity", "1e-300", "3d", "+2"])
        label = rng.choice(["0", "1", "+1", "-1", "2.5", "1e1"])
        sep = "  " if i % 11 == 0 else " "
        lines.append(sep.join([str(label)] + [f"{j}:{v}" for j, v in zip(idx, vals)]))
        if i % 23 == 0:
            lines.append("# a comment line")
        if i % 29 == 0:
            lines.append("   ")
    return "\n".join(lines) + "\n"


def _norm(rows):
    out = []
    for r in rows:
        v = r.features
        kind = "dense" if hasattr(v, "array") and not hasattr(v, "indices") else "sparse"
        if kind == "sparse":
            body = (tuple(int(i) for i in v.indices),
                    tuple("nan" if math.isnan(x) else float(x) for x in v.values))
        else:
            body = tuple("nan" if math.isnan(x) else float(x) for x in v.toArray())
        out.append((float(r.label), kind, int(v.size), body))
    return sorted(out, key=repr)


@pytest.fixture
def files(tmp_path):
    d = tmp_path / "svm"
    d.mkdir()
    (d / "a.txt").write_text(_text(1, 150))
    (d / "b.txt").write_text(_text(2, 90))
    return str(d)


@pytest.mark.parametrize("options", [{}, {"numFeatures": "60"}, {"vectorType": "dense"},
                                     {"numFeatures": "45", "vectorType": "sparse"}])
def test_same_rows(spark, pyspark, files, options):
    ours = spark.read.format("libsvm").options(**options).load(files)
    theirs = pyspark.read.format("libsvm").options(**options).load(files)
    assert ours.columns == theirs.columns == ["label", "features"]
    assert [t for _, t in ours.dtypes] == [t for _, t in theirs.dtypes]
    assert _norm(ours.collect()) == _norm(theirs.collect())


def test_same_rows_across_blocks(spark, pyspark, files):
    spark.conf.set("spark.sql.files.maxPartitionBytes", "500")
    try:
        ours = spark.read.format("libsvm").load(files)
        assert ours._frame.npartitions > 4
        a = _norm(ours.collect())
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert a == _norm(pyspark.read.format("libsvm").load(files).collect())


def test_each_reads_what_the_other_wrote(spark, pyspark, files, tmp_path):
    ours_out, theirs_out = str(tmp_path / "ours"), str(tmp_path / "theirs")
    spark.read.format("libsvm").load(files).write.format("libsvm").save(ours_out)
    pyspark.read.format("libsvm").load(files).write.format("libsvm").save(theirs_out)
    a = _norm(pyspark.read.format("libsvm").load(ours_out).collect())
    b = _norm(spark.read.format("libsvm").load(theirs_out).collect())
    assert a == b == _norm(pyspark.read.format("libsvm").load(files).collect())

    def lines(d):
        return sorted(line for f in os.listdir(d) if f.endswith(".libsvm")
                      for line in open(os.path.join(d, f)).read().splitlines())
    assert lines(ours_out) == lines(theirs_out)  # the same text, line for line
