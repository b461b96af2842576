"""What ``import dfml`` and ``from dfml.sql import SparkSession`` load (issue 16, fixed costs).

Every script starts with that import, so the heavy packages wait for their first use:
dask.dataframe (and the dask.array and scipy it pulls in), distributed, sqlglot, scikit-learn.
Timing is the benchmark's job (bench/latency.py); these tests pin what is imported, in a fresh
interpreter, so a new module-level import of a heavy package shows up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEAVY = ["dask", "dask.dataframe", "dask.array", "distributed", "scipy", "sqlglot", "sklearn",
         "xgboost"]


def _loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter with this checkout first on the path; report which
    of ``HEAVY`` it loaded and dask's string-conversion setting afterwards."""
    probe = (f"{code}\nimport sys, json\n"
             f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
             "import dask\n"
             "print(json.dumps({'loaded': loaded, "
             "'convert': dask.config.get('dataframe.convert-string')}))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
    env.pop("DASK_DATAFRAME__CONVERT_STRING", None)
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("code, allowed", [
    ("import dfml", []),
    ("from dfml.sql import SparkSession", []),
    ("from dfml.sql import SparkSession, functions as F, types as T, Window", []),
])
def test_import_leaves_heavy_packages_for_first_use(code, allowed):
    result = _loaded_after(code)
    assert sorted(result["loaded"]) == allowed
    # dask imported afterwards still keeps dfml's setting (Arrow strings stay Arrow strings)
    assert result["convert"] is False


def test_dask_imported_first_gets_the_setting_too():
    assert _loaded_after("import dask\nimport dfml")["convert"] is False
