"""``dfml.errors``: the exception names of ``pyspark.errors``, so ``except`` clauses port by import.

The classes dfml raises live where they are raised (dfml.sql.errors); this module names them as
PySpark's package does; all derive from ``PySparkException`` (``except PySparkException``
catches dfml's errors, as PySpark's catches its own).
Names for conditions dfml does not produce (streaming, Spark Connect sessions) exist so that
imports and ``except`` clauses keep working; dfml never raises them.
"""

from __future__ import annotations

from .sql.errors import (AnalysisException, ArithmeticException, IllegalArgumentException,
                         ParseException, PySparkException, PythonException, SparkException,
                         UnsupportedOperationException)


class _Named(PySparkException):
    """A PySpark error name dfml keeps for imports and ``except`` clauses."""


class SessionNotSameException(_Named):
    pass


class TempTableAlreadyExistsException(AnalysisException):
    pass


class ArrayIndexOutOfBoundsException(_Named):
    pass


class DateTimeException(_Named):
    pass


class NumberFormatException(IllegalArgumentException):
    pass


class StreamingQueryException(_Named):
    pass


class QueryExecutionException(_Named):
    pass


class UnknownException(_Named):
    pass


class SparkRuntimeException(SparkException):
    pass


class SparkUpgradeException(_Named):
    pass


class SparkNoSuchElementException(_Named):
    pass


class PySparkTypeError(PySparkException, TypeError):
    pass


class PySparkValueError(PySparkException, ValueError):
    pass


class PySparkImportError(PySparkException, ImportError):
    pass


class PySparkIndexError(PySparkException, IndexError):
    pass


class PySparkAttributeError(PySparkException, AttributeError):
    pass


class PySparkRuntimeError(PySparkException, RuntimeError):
    pass


class PySparkAssertionError(PySparkException, AssertionError):
    pass


class PySparkNotImplementedError(PySparkException, NotImplementedError):
    pass


class PySparkKeyError(PySparkException, KeyError):
    pass


class PySparkPicklingError(PySparkException):
    pass


__all__ = ["PySparkException", "AnalysisException", "SessionNotSameException",
           "TempTableAlreadyExistsException", "ParseException", "IllegalArgumentException",
           "ArithmeticException", "UnsupportedOperationException",
           "ArrayIndexOutOfBoundsException", "DateTimeException", "NumberFormatException",
           "StreamingQueryException", "QueryExecutionException", "PythonException",
           "UnknownException", "SparkRuntimeException", "SparkUpgradeException",
           "SparkNoSuchElementException", "PySparkTypeError", "PySparkValueError",
           "PySparkImportError", "PySparkIndexError", "PySparkAttributeError",
           "PySparkRuntimeError", "PySparkAssertionError", "PySparkNotImplementedError",
           "PySparkPicklingError", "PySparkKeyError"]
