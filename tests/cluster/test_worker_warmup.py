"""Worker set-up for a local session whose workers are threads of the driver's process.

Its heavy imports (dask.dataframe, through the shuffle converters) load in a background thread
so the session is ready sooner; an action must still never start before they are in place,
and a failed import must surface at the action rather than vanish with the thread. Each case
runs in a fresh interpreter, because the warm-up happens once per process.
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
        import pandas as pd
        from dfml.sql import SparkSession
        spark = (SparkSession.builder.master("local[2]")
                 .config("spark.dfml.local.processes", "false").getOrCreate())
        df = spark.createDataFrame([(i % 3, [i, i + 1]) for i in range(30)], ["k", "xs"])
        # a repartition by key shuffles a list column: it needs the converters
        print(sorted(r.k for r in df.repartition(4, "k").collect()) == sorted(i % 3 for i in range(30)))
        from dask.dataframe.dispatch import to_pyarrow_table_dispatch
        print(to_pyarrow_table_dispatch.dispatch(pd.DataFrame).__module__)
        print(pd.get_option("future.distinguish_nan_and_na"))
        spark.stop()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "dfml.sql.shuffle_arrow", "True"]


def test_a_failed_background_import_is_raised_when_waiting():
    done = _run("""
        from dfml.cluster.worker import DfmlWorkerSetup, wait_until_warm
        DfmlWorkerSetup((), ("dfml_no_such_module",)).setup(None)
        try:
            wait_until_warm()
        except ModuleNotFoundError as error:
            print("raised", error.name)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["raised", "dfml_no_such_module"]
