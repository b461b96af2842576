"""``dfml.errors`` names PySpark's exceptions, and ``except PySparkException`` catches dfml's."""

from __future__ import annotations

import pytest

import dfml.errors as E
from dfml.sql.errors import AnalysisException as SqlAnalysisException


def test_every_pyspark_error_name_exists():
    import pyspark.errors as P
    wanted = {n for n in P.__all__ if n not in ("QueryContext", "QueryContextType",
                                                "StreamingPythonRunnerInitializationException",
                                                "PickleException")}
    assert wanted <= set(E.__all__)
    assert all(hasattr(E, n) for n in E.__all__)


def test_pyspark_exception_catches_dfml_errors(spark):
    df = spark.createDataFrame([(1,)], "a int")
    with pytest.raises(E.PySparkException) as caught:
        df.select("nope")
    assert isinstance(caught.value, E.AnalysisException)
    assert E.AnalysisException is SqlAnalysisException
    try:
        spark.sql("selec 1")
    except E.PySparkException as e:
        assert isinstance(e, E.ParseException)
    else:
        raise AssertionError("no error")
