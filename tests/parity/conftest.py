"""Parity fixtures: a real PySpark session (the oracle) beside the dfml session."""

from __future__ import annotations

import os
import sys
import tempfile

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/parity" in str(item.fspath):
            item.add_marker(pytest.mark.parity)


@pytest.fixture(scope="session")
def pyspark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[1]").appName("dfml-parity")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "2")
               # dfml follows Spark's non-ANSI semantics: x/0 and bad casts give null
               .config("spark.sql.ansi.enabled", "false")
               # local paths stay local whatever HADOOP_CONF_DIR says
               .config("spark.hadoop.fs.defaultFS", "file:///")
               # tables written by tests go to a scratch warehouse, not the working directory
               .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="pyspark-warehouse-"))
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def both(spark, pyspark):
    """``both(rows, schema)`` -> (dfml DataFrame, PySpark DataFrame) of the same rows."""
    def make(rows, schema):
        return spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)
    return make
