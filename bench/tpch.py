"""TPC-H parquet for the benchmarks, made by ``tpchgen-cli`` (a PyPI package) on first use.

The data lives in ``bench/data/sf{N}/<table>/<table>.<part>.parquet`` (gitignored). Each table is
split into several files so that every engine sees more than one partition per worker, as it
would with real data; the files carry the types Arrow-native writers produce (decimal128,
string_view, date32), which is the point of the benchmark's read path.

    python bench/tpch.py --sf 1            # generate if absent, print where it is
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = ("lineitem", "orders", "customer")


def data_dir(sf: float) -> str:
    return os.path.join(HERE, "data", f"sf{sf:g}")


def parts_for(sf: float) -> int:
    """About 750k lineitem rows per file: 8 files at SF1, 80 at SF10."""
    return max(2, int(math.ceil(sf * 8)))


def _complete(root: str, tables: tuple[str, ...]) -> bool:
    return all(os.path.isdir(os.path.join(root, t))
               and any(f.endswith(".parquet") for f in os.listdir(os.path.join(root, t)))
               for t in tables)


def ensure_data(sf: float, tables: tuple[str, ...] = TABLES) -> str:
    """The directory holding ``tables`` at scale factor ``sf``, generated when absent."""
    root = data_dir(sf)
    if _complete(root, tables):
        return root
    exe = shutil.which("tpchgen-cli")
    if exe is None:
        raise SystemExit("tpchgen-cli not found: python -m pip install tpchgen-cli "
                         "(or pip install -e '.[bench]')")
    parts = parts_for(sf)
    print(f"generating TPC-H SF{sf:g} parquet ({', '.join(tables)}; {parts} files per table) "
          f"into {root} ...", flush=True)
    # write beside the final place and rename, so an interrupted run leaves no half data set
    tmp = root + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run([exe, "parquet", "-s", f"{sf:g}", f"--tables={','.join(tables)}",
                    f"--parts={parts}", f"--output-dir={tmp}", "--no-progress"], check=True)
    os.makedirs(root, exist_ok=True)
    for t in tables:
        shutil.rmtree(os.path.join(root, t), ignore_errors=True)
        os.replace(os.path.join(tmp, t), os.path.join(root, t))
    shutil.rmtree(tmp, ignore_errors=True)
    return root


def table_path(root: str, table: str) -> str:
    return os.path.join(root, table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Generate TPC-H parquet for bench/ if absent.")
    ap.add_argument("--sf", type=float, default=1)
    args = ap.parse_args(argv)
    print(ensure_data(args.sf))
    return 0


if __name__ == "__main__":
    sys.exit(main())
