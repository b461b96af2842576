"""Shared fixtures: one real local Dask cluster (2 single-threaded workers) for the whole run."""

from __future__ import annotations

import tempfile

import pytest

from dfml.sql import SparkSession


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
