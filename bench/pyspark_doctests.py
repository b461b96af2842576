"""PySpark's own docstring examples, run against dfml (or PySpark itself): a coverage measure.

    python bench/pyspark_doctests.py [--engine dfml|pyspark] [--modules sql.functions.builtin,...]
                                     [--out bench/results/doctests_dfml.json]

Each ``>>>`` block of the named PySpark modules runs with ``pyspark`` replaced by the engine's
package in its source and in its expected output (an object's repr names its module), with the
globals its module's ``_test()`` gives it (the engine's module of the same name, ``spark``,
``sc``...), under doctest's ELLIPSIS and NORMALIZE_WHITESPACE and a
fixed time zone (America/Los_Angeles, as PySpark's own test helpers). A docstring passes when
all its examples do. The JSON lists the passing docstrings, so two runs (dfml before and after a
change; dfml against PySpark) compare name by name. Nothing here is a test assertion.
"""

from __future__ import annotations

import argparse
import doctest
import importlib
import json
import os
import re
import signal
import sys
import tempfile
import time

MODULES = ["sql.functions.builtin", "sql.dataframe", "sql.column", "sql.group", "sql.window",
           "sql.session", "sql.catalog", "ml.feature", "ml.classification", "ml.regression",
           "ml.evaluation", "ml.linalg", "ml.stat",
           "ml.clustering"]

# the engine module whose names a PySpark module's examples use as globals
ENGINE_MODULE = {"sql.functions.builtin": "sql.functions"}


def _globals(engine: str, name: str, spark: object, tmp: str) -> dict:
    glob: dict = {}
    for mod in (f"{engine}.sql", f"{engine}.{ENGINE_MODULE.get(name, name)}"):
        try:
            glob.update(importlib.import_module(mod).__dict__)
        except ImportError:
            pass
    glob.update(spark=spark, sc=getattr(spark, "sparkContext", spark), temp_path=tmp)
    if name == "ml.linalg":  # its examples use the module's own imports
        import array

        import numpy
        glob.update(array=array, np=numpy)
    if name == "ml.feature":
        glob["stringIndDf"] = spark.createDataFrame(
            [(0, "a"), (1, "b"), (2, "c"), (3, "a"), (4, "a"), (5, "c")], ["id", "label"])
    return glob


def _set_numpy_print(legacy: bool) -> None:
    import numpy
    numpy.set_printoptions(legacy="1.13" if legacy else False)


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout()


def run(engine: str, modules: list[str], per_test_seconds: int,
        only: set[str] | None = None) -> dict:
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    SparkSession = importlib.import_module(f"{engine}.sql").SparkSession
    spark = (SparkSession.builder.master("local[2]")
             .config("spark.sql.session.timeZone", "America/Los_Angeles")
             .config("spark.ui.enabled", "false").getOrCreate())
    if engine == "dfml":
        spark.conf.set("spark.dfml.progress", "false")
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result: dict = {"engine": engine, "modules": {}}
    signal.signal(signal.SIGALRM, _alarm)
    for name in modules:
        module = importlib.import_module(f"pyspark.{name}")
        tmp = tempfile.mkdtemp()
        tests = [t for t in doctest.DocTestFinder().find(module) if t.examples
                 and (not only or t.name.rsplit(".", 1)[-1] in only)]
        # ml.linalg's, ml.stat's and ml.clustering's _test() print numpy arrays the pre-1.14 way;
        # others keep the default
        _set_numpy_print(legacy=name in ("ml.linalg", "ml.stat", "ml.clustering"))
        passed, failed = [], []
        for test in tests:
            test.globs = _globals(engine, name, spark, tmp)
            if engine != "pyspark":
                for ex in test.examples:
                    ex.source = re.sub(r"\bpyspark\b", engine, ex.source)
                    ex.want = re.sub(r"\bpyspark\b", engine, ex.want)
            runner = doctest.DocTestRunner(optionflags=flags, verbose=False)
            signal.alarm(per_test_seconds)
            try:
                # with --only, the failures are the point: doctest's report goes to stdout
                outcome = runner.run(test, out=sys.stdout.write if only else lambda _s: None)
                ok = outcome.failed == 0
            except (_Timeout, Exception):
                ok = False
            finally:
                signal.alarm(0)
            (passed if ok else failed).append(test.name)
        result["modules"][name] = {"docstrings": len(tests), "passed": len(passed),
                                   "passing": sorted(passed)}
        print(f"{engine:8s} {name:25s} {len(passed):4d} / {len(tests):4d}", flush=True)
    spark.stop()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="dfml", choices=["dfml", "pyspark"])
    ap.add_argument("--modules", default=",".join(MODULES))
    ap.add_argument("--seconds", type=int, default=60, help="per docstring (default 60)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", default=None,
                    help="comma-separated docstring names (last dotted part, e.g. explode,lpad): "
                         "run just those and print doctest's report of each failure")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    res = run(args.engine, args.modules.split(","), args.seconds, only)
    total = sum(m["docstrings"] for m in res["modules"].values())
    ok = sum(m["passed"] for m in res["modules"].values())
    print(f"{args.engine}: {ok} of {total} docstrings pass")
    if only and not args.out:
        return None
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                                   f"doctests_{args.engine}.json")
    with open(out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
