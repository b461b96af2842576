"""Writes under concurrency and failure (issue 15): a writer either wins or gets a named error,
nothing is hidden inside a target, dynamic partition overwrite replaces only its partitions,
and a model save that fails while committing keeps the old model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest

from dfml.sql import functions as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_WRITER = textwrap.dedent('''
    import json, os, sys, time
    from dfml.sql import SparkSession
    me, base, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spark = SparkSession.builder.master("local[1]").getOrCreate()
    outcomes = []
    for mode in ("overwrite", "error", "append", "ignore"):
        for r in range(rounds):
            df = spark.createDataFrame([(me, i) for i in range(50)], "writer string, i long")
            df = df.repartition(2)
            open(os.path.join(base, f"ready-{mode}-{r}-{me}"), "w").close()
            other = os.path.join(base, f"ready-{mode}-{r}-{'b' if me == 'a' else 'a'}")
            deadline = time.time() + 60
            while not os.path.exists(other) and time.time() < deadline:
                time.sleep(0.002)
            try:
                df.write.mode(mode).parquet(os.path.join(base, f"{mode}-{r}"))
                outcomes.append([mode, r, "ok"])
            except Exception as e:
                outcomes.append([mode, r, type(e).__name__ + ": " + str(e)[:200]])
    print(json.dumps(outcomes))
''')


def _writers(rows: list[tuple[str, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w, _ in rows:
        counts[w] = counts.get(w, 0) + 1
    return counts


def _read(path: str) -> list[tuple[str, int]]:
    files = [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".parquet")]
    return [tuple(r.values()) for f in files for r in pq.read_table(f).to_pylist()]


@pytest.mark.slow
def test_two_processes_writing_the_same_new_path(tmp_path):
    rounds = 20
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    base = tmp_path / "out"
    base.mkdir()
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, str(script), me, str(base), str(rounds)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for me in ("a", "b")]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
        outs.append({(m, r): o for m, r, o in json.loads(out.strip().splitlines()[-1])})
    for mode in ("overwrite", "error", "append", "ignore"):
        for r in range(rounds):
            target = base / f"{mode}-{r}"
            inside = sorted(os.listdir(target))
            assert not [n for n in inside if n.startswith(".") or "_dfml_" in n], (mode, r, inside)
            writers = _writers(_read(str(target)))
            results = [o[(mode, r)] for o in outs]
            if mode == "append":
                assert writers == {"a": 50, "b": 50}, (mode, r, writers)
                assert results == ["ok", "ok"]
            else:
                assert list(writers.values()) == [50], (mode, r, writers)  # one writer's rows
            if mode == "error":
                assert sorted(x.split(":")[0] for x in results) == ["AnalysisException", "ok"], results
                loser = results[0] if results[0] != "ok" else results[1]
                assert "PATH_ALREADY_EXISTS" in loser
            if mode in ("overwrite", "ignore"):
                assert results == ["ok", "ok"], results
    leftovers = [n for n in os.listdir(base) if n.startswith(".")]
    assert leftovers == []


def test_static_partition_overwrite_stays_the_default(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.createDataFrame([(1, "x"), (2, "y")], "a long, k string").write.partitionBy("k").parquet(path)
    spark.createDataFrame([(3, "y")], "a long, k string").write.mode("overwrite") \
        .partitionBy("k").parquet(path)
    assert sorted((r.a, r.k) for r in spark.read.parquet(path).collect()) == [(3, "y")]


def test_a_bad_partition_overwrite_mode_fails_before_writing(spark, tmp_path, graphs):
    path = tmp_path / "t"
    counter = graphs()
    with pytest.raises(Exception, match="partitionOverwriteMode"):
        spark.range(3).withColumn("k", F.col("id") % 2).write.mode("overwrite") \
            .option("partitionOverwriteMode", "sometimes").partitionBy("k").parquet(str(path))
    assert counter.count == 0 and os.listdir(tmp_path) == []


def test_a_model_save_that_fails_in_its_commit_keeps_the_old_model(spark, tmp_path, monkeypatch):
    from dfml.ml.feature import StandardScaler, StandardScalerModel, VectorAssembler
    from dfml.sql.io import locking
    df = VectorAssembler(inputCols=["a", "b"], outputCol="v").transform(
        spark.createDataFrame([(1.0, 2.0), (3.0, 5.0)], ["a", "b"]))
    old = StandardScaler(inputCol="v", outputCol="s").fit(df)
    path = str(tmp_path / "model")
    old.save(path)
    new = StandardScaler(inputCol="v", outputCol="s", withMean=True).fit(df)
    real = locking.rename_new
    calls = []

    def flaky(fs, src, dest):
        calls.append(dest)
        if len(calls) == 2:  # the new model onto the path, after the old one moved aside
            raise OSError("disk went away")
        return real(fs, src, dest)

    monkeypatch.setattr(locking, "rename_new", flaky)
    with pytest.raises(OSError, match="disk went away"):
        new.write().overwrite().save(path)
    monkeypatch.undo()
    loaded = StandardScalerModel.load(path)
    assert loaded.getWithMean() is False and loaded.uid == old.uid
    assert sorted(os.listdir(tmp_path)) == ["model"]
