"""The examples run as the README shows them (as scripts, each with its own local cluster)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_tuning_gbt_example_runs(tmp_path):
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "tuning_gbt.py"), "--rows", "6000",
         "--out", str(tmp_path / "model")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert sum("mean AUC" in line for line in lines) == 4   # 2 maxDepth x 2 stepSize
    best = [line for line in lines if line.startswith("best: ")]
    assert best and "test areaUnderROC = 0." in best[0]
    assert float(best[0].rsplit("= ", 1)[1]) > 0.6
    assert (tmp_path / "model" / "metadata").exists()
