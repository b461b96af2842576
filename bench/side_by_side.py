"""The frame the estimator benchmarks share (kmeans.py, als.py, naive_bayes.py): one command
line, each engine in a child process of the same script (``pipeline.measure``: wall time and
peak memory of the process tree), the dfml / anchor ratios printed against the issue's targets,
and the JSON written under bench/results with the commit measured.

A script supplies its engines, their labels, the name of its quality figure (cost, RMSE,
accuracy) and how its table's rows print; the rest is here, so the scripts differ only in their
data and workload.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from typing import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from pipeline import measure  # noqa: E402 - bench/ is not a package


def arguments(doc: str, rows: int, engines: str) -> argparse.Namespace:
    """``--rows`` and ``--engines``, and the hidden ``--child``/``--data`` of a child run."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=rows)
    ap.add_argument("--engines", default=engines)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    return ap.parse_args()


def child(ns: argparse.Namespace, engines: dict[str, Callable[[str], dict]], quality: str) -> bool:
    """In a child run: the engine's figures as one JSON line (``pipeline.measure`` reads the
    quality figure under "auc"); True when this was a child run."""
    if not ns.child:
        return False
    t0 = time.perf_counter()
    out = engines[ns.child](ns.data)
    print(json.dumps({**out, "auc": out[quality], "work_s": round(time.perf_counter() - t0, 2)}))
    return True


def run_engines(ns: argparse.Namespace, root: str, script: str) -> dict[str, dict]:
    """Each engine of ``--engines`` in its own child process of ``script``, one after the other."""
    results = {}
    for engine in ns.engines.split(","):
        results[engine] = measure(engine, root, script=os.path.abspath(script), keep=True)
        results[engine].pop("auc", None)
        print(json.dumps(results[engine]), flush=True)
    return results


def table(results: dict[str, dict], labels: dict[str, str], header: str,
          row: Callable[[dict], str], width: int = 22) -> None:
    print(f"{'engine':{width}} {header}")
    for e, r in results.items():
        print(f"{labels[e]:{width}} {r.get('error') or row(r)}")


def ratios(results: dict[str, dict], labels: dict[str, str], anchors: tuple[str, ...],
           quality: str, compare: str, targets: dict[str, float]) -> dict[str, dict]:
    """dfml's time and memory as multiples of each anchor's and its quality figure beside the
    anchor's (``compare``: "ratio" or "diff"), printed with the target where there is one."""
    d, out = results.get("dfml", {}), {}
    for anchor in anchors:
        a = results.get(anchor, {})
        if "wall_s" not in d or "wall_s" not in a:
            continue
        versus = d[quality] / a[quality] if compare == "ratio" else d[quality] - a[quality]
        key = f"{quality}_{compare}"
        out[anchor] = {"time": round(d["wall_s"] / a["wall_s"], 3),
                       "memory": round(d["peak_mb"] / a["peak_mb"], 3), key: round(versus, 4)}
        target = f" (target <= {targets[anchor]}x at 10M)" if anchor in targets else ""
        shown = f"ratio {versus:.4f}" if compare == "ratio" else f"difference {versus:+.4f}"
        print(f"dfml / {labels[anchor]}: time {out[anchor]['time']:.2f}x{target}, memory "
              f"{out[anchor]['memory']:.2f}x, {quality} {shown}")
    return out


def git_head() -> str:
    """The commit measured, ``-dirty`` when dfml/ or bench/ had uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True).stdout
    head = git("rev-parse", "--short", "HEAD").strip()
    dirty = git("status", "--porcelain", "--", "../dfml", "*.py").strip()
    return head + ("-dirty" if dirty else "")


def write(name: str, rows: int, params: dict, results: dict, ratio: dict,
          targets: dict) -> None:
    """bench/results/{name}_{rows}.json with the commit, the machine and its load."""
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", f"{name}_{rows}.json"), "w") as f:
        json.dump({"rows": rows, "commit": git_head(), "machine": platform.platform(),
                   "cores": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()],
                   "params": params, "results": results, "ratios": ratio, "targets": targets},
                  f, indent=2)


def main_of(doc: str, name: str, rows: int, engines: dict[str, Callable[[str], dict]],
            labels: dict[str, str], quality: str, compare: str, targets: dict[str, float],
            generate: Callable[[str, int], str], header: str, row: Callable[[dict], str],
            title: Callable[[int], str], params: dict | Callable[[int], dict], width: int = 22,
            after_table: Callable[[dict], None] | None = None, script: str = "") -> None:
    """A benchmark script's whole ``main``: child run, or data, engines, table, ratios, JSON."""
    ns = arguments(doc, rows, ",".join(engines))
    if child(ns, engines, quality):
        return
    root = generate(os.path.join(HERE, "data", f"{name}_{ns.rows}"), ns.rows)
    results = run_engines(ns, root, script)
    print(f"\n{title(ns.rows)}")
    table(results, labels, header, row, width)
    if after_table is not None:
        after_table(results)
    anchors = tuple(e for e in engines if e != "dfml")
    compared = ratios(results, labels, anchors, quality, compare, targets)
    write(name, ns.rows, params(ns.rows) if callable(params) else params, results, compared,
          targets)
