"""The ``dfml`` command: ``dfml run app.py [args]`` runs a dfml script as ``python app.py`` would.

``dfml submit`` (cluster submission, spark-submit's flags) comes with the cluster work.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys


def _run(script: str, args: list[str], conf: list[str], master: str | None) -> int:
    if not os.path.isfile(script):
        print(f"dfml run: no such script: {script}", file=sys.stderr)
        return 2
    for item in conf:
        if "=" not in item:
            print(f"dfml run: --conf takes key=value, got {item!r}", file=sys.stderr)
            return 2
    if master:
        os.environ["DFML_MASTER"] = master
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dfml", description="Run Spark-style dfml applications on Dask.")
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an application script locally")
    run.add_argument("--master", default=None, help="master URL for sessions the script builds")
    run.add_argument("--conf", action="append", default=[], help="key=value (repeatable)")
    run.add_argument("script")
    run.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("version", help="print dfml's version")
    ns = ap.parse_args(argv)
    if ns.command == "version":
        from . import __version__
        print(__version__)
        return 0
    return _run(ns.script, ns.args, ns.conf, ns.master)


if __name__ == "__main__":
    sys.exit(main())
