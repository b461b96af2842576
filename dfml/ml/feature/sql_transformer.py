"""SQLTransformer: a SQL statement over ``__THIS__`` (the input DataFrame) as a pipeline stage.

The statement runs through dfml's own ``spark.sql`` (sqlglot's Spark dialect turned into
DataFrame calls), so the result is as lazy as the same chain written in Python: nothing is read
until an action, and filters and projections still reach the reader. The input is registered
under a fresh temp view name for the duration of the translation only; the DataFrame the query
returns holds the input's plan, so dropping the view afterwards loses nothing. There is no fit
data: a saved SQLTransformer is its metadata (the statement) alone, as Spark saves it.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...sql import types as T
from ...sql.errors import IllegalArgumentException
from ..base import Transformer
from ..fitspec import TRANSFORM, FitSpec
from ..param import Param, Params, TypeConverters as TC, keyword_only

__all__ = ["SQLTransformer"]

_THIS = "__THIS__"


class SQLTransformer(Transformer):
    """Applies ``statement`` (``SELECT ... FROM __THIS__``) to the input DataFrame."""

    statement = Param(Params._dummy(), "statement", "SQL statement", TC.toString)

    @keyword_only
    def __init__(self, *, statement: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, statement: str | None = None) -> "SQLTransformer":
        return self._set(**self._input_kwargs)

    def _checked_statement(self) -> str:
        if not self.isDefined("statement") or not (self.getStatement() or "").strip():
            raise IllegalArgumentException(
                f"SQLTransformer ({self.uid}): param statement is not set (give a SELECT ... "
                f"FROM {_THIS} statement)")
        return self.getStatement()

    def _query(self, dataset: Any) -> Any:
        """The statement over ``dataset``, as a lazy DataFrame."""
        from ...sql.sqlparse import session_views
        statement = self._checked_statement()
        session = dataset.sparkSession
        # a view name no statement can collide with, as Spark derives one from the uid
        view = f"{self.uid}_{uuid.uuid4().hex[:12]}"
        views = session_views(session)
        views.create(view, dataset, replace=True)
        try:
            return session.sql(statement.replace(_THIS, view))
        finally:
            views.drop(view)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        """The output schema, from the statement run over an empty frame of ``schema`` (the
        translation resolves every name and type without reading a row)."""
        from ...sql import SparkSession
        session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        return self._query(session.createDataFrame([], schema)).schema

    def _fit_spec(self, schema: T.StructType) -> FitSpec:
        """A statement may read any column, rewrite any, and (WHERE, GROUP BY) drop rows: the
        pipeline planner is told all three, so no estimator after it is fitted on rows or
        columns the statement would have changed."""
        after = self.transformSchema(schema)
        return FitSpec(tuple(schema.names), tuple(after.names), TRANSFORM, drops_rows=True)

    def transform(self, dataset: Any, params: dict | None = None) -> Any:
        if params:
            return self.copy(params).transform(dataset)
        return self._transform(dataset)

    def _transform(self, dataset: Any) -> Any:
        return self._query(dataset)
