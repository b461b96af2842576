"""A long action shows a progress bar on a terminal, and nothing when told not to or when piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

PROGRAM = """
from dfml.sql import SparkSession, functions as F
spark = SparkSession.builder.master("local[1]").config("spark.dfml.progress", "{flag}").getOrCreate()
df = spark.range(0, 1000, numPartitions=4).withColumn("y", F.col("id") * 2)
print("ROWS", df.count())
spark.stop()
"""


def run_on_terminal(flag: str) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", PROGRAM.format(flag=flag)], stdout=slave,
                            stderr=subprocess.DEVNULL, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_progress_bar_on_a_terminal():
    out = run_on_terminal("true")
    assert "ROWS 1000" in out
    assert "100% Completed" in out


@pytest.mark.slow
def test_progress_bar_can_be_switched_off():
    out = run_on_terminal("false")
    assert "ROWS 1000" in out
    assert "Completed" not in out
