"""Errors raised before any work runs, named as PySpark names them."""

from __future__ import annotations

import difflib


class PySparkException(Exception):
    """The base of dfml's errors, as ``pyspark.errors.PySparkException`` is of PySpark's, so an
    ``except PySparkException`` clause written for PySpark catches dfml's errors too."""

    def getErrorClass(self) -> str | None:
        return getattr(self, "errorClass", None)


class AnalysisException(PySparkException):
    """A plan refers to something that does not exist or does not type-check."""

    def __init__(self, message: str, errorClass: str | None = None):
        super().__init__(message)
        self.errorClass = errorClass

    def getErrorClass(self) -> str | None:
        return self.errorClass


class ParseException(AnalysisException):
    """SQL text that does not parse (Spark's PARSE_SYNTAX_ERROR), raised before any plan exists."""


class IllegalArgumentException(PySparkException, ValueError):
    """A parameter has a value that is not allowed."""


class UnsupportedOperationException(PySparkException, NotImplementedError):
    """An operation Spark declines outright (a distribution the KS test does not offer, for
    one); also a NotImplementedError, so Python code that expects that still catches it."""


class PythonException(PySparkException, RuntimeError):
    """A user's Python function (a UDF, a ``mapInPandas`` or ``applyInPandas`` function) raised
    while an action ran; the message names the function and carries its traceback."""


def python_failure(where: str) -> PythonException:
    """The exception being handled, raised by a user's function ``where``, as Spark reports it
    (its traceback in the message)."""
    import traceback
    return PythonException(f"An exception was thrown from the Python worker. Please see the "
                           f"stack trace below.\nin {where}:\n{traceback.format_exc()}")


class ArithmeticException(PySparkException, ArithmeticError):
    """A value that does not fit where it goes, found while an action runs (Spark's
    CAST_OVERFLOW_IN_TABLE_INSERT, for one)."""


class SparkException(PySparkException, RuntimeError):
    """A row-level failure found while an action runs (bad data a stage cannot handle, such as
    a label a StringIndexerModel has not seen), where Spark raises its SparkException."""


def field_not_found(field: str, available: list[str]) -> AnalysisException:
    """Spark's FIELD_NOT_FOUND: a struct has no field of that name (its fields are listed)."""
    listed = ", ".join(f"`{n}`" for n in available)
    return AnalysisException(f"[FIELD_NOT_FOUND] No such struct field `{field}` in {listed}.",
                             "FIELD_NOT_FOUND")


def unresolved_column(name: str, available: list[str], quote: bool = False) -> AnalysisException:
    """Spark's UNRESOLVED_COLUMN.WITH_SUGGESTION: name the column and the nearest existing ones
    (``quote``: ``name`` is already printed in backticks, part by part)."""
    bare = name.replace("`", "") if quote else name
    close = difflib.get_close_matches(bare, available, n=5, cutoff=0.0)
    close = sorted(close, key=lambda c: -difflib.SequenceMatcher(None, bare.lower(), c.lower()).ratio())
    suggestion = ", ".join(f"`{c}`" for c in close[:5])
    shown = name if quote else f"`{name}`"
    return AnalysisException(
        f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name {shown} "
        f"cannot be resolved. Did you mean one of the following? [{suggestion}].",
        "UNRESOLVED_COLUMN.WITH_SUGGESTION",
    )
