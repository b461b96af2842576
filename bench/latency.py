"""Fixed costs on small data: import, session start, first and tenth small action.

    python bench/latency.py [--repeat 3] [--engines dfml,pyspark,pandas]

A user with a three-row frame pays only fixed costs; this benchmark measures them the way a
script meets them. Each engine runs in a fresh child process (nothing warm from an earlier run)
that times, in order: the import a script starts with (``from dfml.sql import SparkSession``,
``from pyspark.sql import SparkSession``, ``import pandas``), the start of a ``local[2]``
session, then ``show()``, ``collect()`` and ``count()`` ten times each on a 3-row frame built
from Python rows and on a small parquet file (100 rows, 4 columns) read once. The first of each
is the cold cost (dfml: the first graph submission, Spark: its first job); the tenth is what
every later action costs. pandas has no session; its "actions" on the parquet frame re-read the
file, as Spark and dfml do for an uncached read. ``wall`` is the whole child process, start to
exit. Every engine is repeated ``--repeat`` times; the table shows the median (the JSON in
``bench/results/latency.json`` keeps every run).

Engines ``dfml-threads`` and ``dfml-processes`` pin the local cluster's kind
(``spark.dfml.local.processes``), to compare the two on session start and small actions.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = [(1, "a", 1.5), (2, "b", None), (3, None, float("nan"))]
COLUMNS = ["id", "name", "score"]
ACTIONS = ("show", "collect", "count")
TIMES = 10  # each action runs this many times; the first and the last are reported
TARGETS = {"import_s": 0.5, "session_s": 0.5, "tenth_ms": 50.0}  # issue 16's fixed-cost targets
ENGINE_CONF = {"dfml": {}, "dfml-threads": {"spark.dfml.local.processes": "false"},
               "dfml-processes": {"spark.dfml.local.processes": "true"}}
LABELS = {"dfml": "dfml local[2]", "dfml-threads": "dfml threads", "dfml-processes":
          "dfml processes", "pyspark": "PySpark local[2]", "pandas": "pandas"}


def small_parquet(root: str) -> str:
    """A 100-row, 4-column parquet file (written once, with pyarrow) for the read actions."""
    path = os.path.join(root, "small.parquet")
    if not os.path.exists(path):
        import pyarrow as pa
        import pyarrow.parquet as pq
        os.makedirs(root, exist_ok=True)
        n = 100
        table = pa.table({"id": list(range(n)), "city": [f"c{i % 7}" for i in range(n)],
                          "x": [i * 0.5 if i % 9 else None for i in range(n)],
                          "flag": [i % 2 == 0 for i in range(n)]})
        pq.write_table(table, path + ".tmp")
        os.replace(path + ".tmp", path)
    return path


def _quiet(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` with its printed output swallowed (``show()`` prints; the child prints JSON)."""
    def run() -> Any:
        with contextlib.redirect_stdout(io.StringIO()):
            return fn()
    return run


def _time_actions(frames: dict[str, Callable[[str], Any]]) -> dict[str, list[float]]:
    """Run each ``(frame, action)`` ``TIMES`` times; milliseconds per run, in order."""
    out: dict[str, list[float]] = {}
    for frame, act in frames.items():
        for action in ACTIONS:
            run = _quiet(lambda: act(action))
            times = []
            for _ in range(TIMES):
                t = time.perf_counter()
                run()
                times.append(round((time.perf_counter() - t) * 1000, 2))
            out[f"{frame}.{action}"] = times
    return out


def spark_child(engine: str, data: str) -> dict:
    """dfml or PySpark: the same calls, their own modules."""
    t0 = time.perf_counter()
    if engine == "pyspark":
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession
    else:
        from dfml.sql import SparkSession
    t1 = time.perf_counter()
    builder = SparkSession.builder.master("local[2]")
    if engine == "pyspark":
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions", "2"))
    else:
        builder = builder.config("spark.dfml.progress", "false")
        for k, v in ENGINE_CONF[engine].items():
            builder = builder.config(k, v)
    spark = builder.getOrCreate()
    t2 = time.perf_counter()
    if engine == "pyspark":
        spark.sparkContext.setLogLevel("ERROR")
    rows = spark.createDataFrame(ROWS, "id long, name string, score double")
    read = spark.read.parquet(data)

    def on(df: Any) -> Callable[[str], Any]:
        return lambda action: getattr(df, action)()
    try:
        actions = _time_actions({"rows3": on(rows), "parquet": on(read)})
    finally:
        spark.stop()
    return {"import_s": round(t1 - t0, 3), "session_s": round(t2 - t1, 3), "actions": actions}


def pandas_child(data: str) -> dict:
    """pandas: no session; the parquet "frame" is re-read by every action, as an uncached
    Spark read is."""
    t0 = time.perf_counter()
    import pandas as pd
    t1 = time.perf_counter()
    rows = pd.DataFrame(ROWS, columns=COLUMNS)
    ops = {"show": lambda df: print(df.to_string()), "collect": lambda df: df.to_dict("records"),
           "count": len}
    actions = _time_actions({"rows3": lambda a: ops[a](rows),
                             "parquet": lambda a: ops[a](pd.read_parquet(data))})
    return {"import_s": round(t1 - t0, 3), "session_s": 0.0, "actions": actions}


def measure(engine: str, data: str) -> dict:
    """One fresh child process for ``engine``; its own figures plus the wall time around it."""
    # as an installed wheel has it; imported here, in the parent only: pipeline.py imports
    # numpy and pyarrow, which a child must import inside its timed import, not before
    sys.path.insert(0, HERE)
    from pipeline import compile_dfml
    compile_dfml()
    cmd = [sys.executable, os.path.abspath(__file__), "--child", engine, "--data", data]
    # the dfml of this checkout, not whichever one is installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [os.path.dirname(HERE)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        return {"engine": engine, "error": f"exit code {proc.returncode}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"engine": engine, "wall_s": round(wall, 3), **result}


def summary(runs: list[dict]) -> dict:
    """Medians over the repeated runs of one engine: import, session, first/tenth per action."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return {"error": runs[0].get("error", "no run")}
    med = lambda xs: round(statistics.median(xs), 3)  # noqa: E731
    out = {"wall_s": med([r["wall_s"] for r in ok]), "import_s": med([r["import_s"] for r in ok]),
           "session_s": med([r["session_s"] for r in ok])}
    for key in ok[0]["actions"]:
        out[f"{key}.first_ms"] = med([r["actions"][key][0] for r in ok])
        out[f"{key}.tenth_ms"] = med([r["actions"][key][-1] for r in ok])
    return out


def table(summaries: dict[str, dict]) -> str:
    """Rows are measures, columns engines (medians)."""
    engines = list(summaries)
    keys = [k for k in next(s for s in summaries.values() if "error" not in s)]
    lines = [f"{'measure':28}" + "".join(f"{LABELS.get(e, e):>18}" for e in engines)]
    for k in keys:
        cells = []
        for e in engines:
            v = summaries[e].get(k)
            cells.append(f"{'-' if v is None else f'{v:g}':>18}")
        lines.append(f"{k:28}" + "".join(cells))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="fresh child processes per engine")
    ap.add_argument("--engines", default="dfml,pyspark,pandas",
                    help="comma-separated: dfml, dfml-threads, dfml-processes, pyspark, pandas")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latency.json"))
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.child:
        result = pandas_child(ns.data) if ns.child == "pandas" else spark_child(ns.child, ns.data)
        print(json.dumps(result))
        return
    engines = ns.engines.split(",")
    unknown = [e for e in engines if e not in LABELS]
    if unknown:
        ap.error(f"--engines: unknown engine(s) {', '.join(unknown)}; use {', '.join(LABELS)}")
    data = small_parquet(os.path.join(HERE, "data", "latency"))
    runs: dict[str, list[dict]] = {e: [] for e in engines}
    for i in range(ns.repeat):  # interleaved, so that load on a shared machine hits all alike
        for engine in engines:
            r = measure(engine, data)
            runs[engine].append(r)
            print(json.dumps({"run": i, **{k: v for k, v in r.items() if k != "actions"}}),
                  flush=True)
    summaries = {e: summary(rs) for e, rs in runs.items()}
    print(f"\nmedian of {ns.repeat} fresh processes per engine, {os.cpu_count()} cores; "
          f"targets (dfml): {TARGETS}")
    print(table(summaries))
    os.makedirs(os.path.dirname(ns.out), exist_ok=True)
    with open(ns.out, "w") as f:
        json.dump({"machine": platform.platform(), "cores": os.cpu_count(), "repeat": ns.repeat,
                   "targets": TARGETS, "summary": summaries, "runs": runs}, f, indent=2)


if __name__ == "__main__":
    main()
