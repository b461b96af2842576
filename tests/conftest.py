"""Shared fixtures: one real local Dask cluster (2 single-threaded workers) for the whole run."""

from __future__ import annotations

import tempfile

import pytest

from dfml.sql import SparkSession


def pytest_collection_modifyitems(config, items):
    """Modules with a ``slow`` test run first. The suite runs in two xdist workers, each module
    whole in one (``--dist loadfile``), handed out in collection order (``--no-loadscope-reorder``:
    xdist's default hands out the modules with the most tests first, which left the one-test
    PySpark docstring run, 4+ minutes, for the end with the other worker idle). Longest first
    keeps both workers busy to the end; the order inside a module is unchanged."""
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items[:] = sorted(items, key=lambda item: item.nodeid.split("::")[0] not in slow)


@pytest.fixture(scope="session")
def spark():
    session = SparkSession.builder.master("local[2]").appName("dfml-tests") \
        .config("spark.dfml.progress", "false") \
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="dfml-warehouse-")).getOrCreate()
    yield session
    session.stop()


@pytest.fixture
def graphs(spark):
    """Counts the graphs the session runs inside a test: ``with graphs() as n: ...; n()``."""
    class Counter:
        def __init__(self):
            self.start = spark.graphs_run

        @property
        def count(self) -> int:
            return spark.graphs_run - self.start

    return Counter
