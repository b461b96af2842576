"""Worker set-up for a local session whose workers are threads of the driver's process.

Its heavy import (dask.dataframe, through the shuffle converters) is left to the driver's first
graph so the session is ready sooner; an action must still never start before the converters
are in place, and a script that reads right after the session starts (its own import of
dask.dataframe) must not race anything. Each case runs in a fresh interpreter, because the set-up
happens once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, timeout=300)


def test_threads_session_installs_the_shuffle_converters_before_its_first_action():
    done = _run("""
        import sys
        import pandas as pd
        from dfml.sql import SparkSession
        spark = SparkSession.builder.master("local[2]").getOrCreate()
        print("dask.dataframe" in sys.modules)  # left to the first graph
        df = spark.createDataFrame([(i % 3, [i, i + 1]) for i in range(30)], ["k", "xs"])
        # a repartition by key shuffles a list column: it needs the converters
        keys = sorted(r.k for r in df.repartition(4, "k").collect())
        print(keys == sorted(i % 3 for i in range(30)))
        from dask.dataframe.dispatch import to_pyarrow_table_dispatch
        print(to_pyarrow_table_dispatch.dispatch(pd.DataFrame).__module__)
        print(pd.get_option("future.distinguish_nan_and_na"))
        spark.stop()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "dfml.sql.shuffle_arrow", "True"]


def test_reading_right_after_the_session_starts(tmp_path):
    """A background import of dask.dataframe raced this script's own (circular-import errors
    in every run); the import is now the driver's, in order."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = str(tmp_path / "t.parquet")
    pq.write_table(pa.table({"x": [1, 2, None]}), path)
    for _ in range(3):
        done = _run(f"""
            from dfml.sql import SparkSession
            spark = SparkSession.builder.master("local[2]").getOrCreate()
            print(spark.read.parquet({path!r}).count())
            spark.stop()
        """)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["3"]


def test_a_failed_deferred_import_is_raised_at_the_first_graph():
    done = _run("""
        from dfml.cluster.worker import DfmlWorkerSetup, import_deferred
        DfmlWorkerSetup((), ("dfml_no_such_module",)).setup(None)
        try:
            import_deferred()
        except ModuleNotFoundError as error:
            print("raised", error.name)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["raised", "dfml_no_such_module"]
