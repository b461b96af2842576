"""DataFrame methods over the whole batch that need no plan node of their own: ``transpose``,
``zipWithIndex``, ``scalar``/``exists`` (subqueries), ``isLocal``, and what an interactive shell asks a frame (``__dir__``, the
key completions). A mixin of ``DataFrame``, kept out of ``dataframe.py`` for its size."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dataframe import DataFrame


class BatchMethods:
    """Mixed into ``DataFrame``."""

    def transpose(self, indexColumn: Any = None) -> "DataFrame":
        """Columns as rows, named by ``indexColumn``'s values (the first column's by default);
        collects those values now, as Spark does, since they are the output's column names."""
        from .transpose import transpose
        return transpose(self, indexColumn)

    def zipWithIndex(self, indexColName: str = "index") -> "DataFrame":
        from .row_index import zip_with_index
        return zip_with_index(self, indexColName)

    def scalar(self) -> Any:
        """This one-column frame as a scalar subquery: a Column for another frame's where or
        select (``dfml.sql.subqueries`` says how it runs)."""
        from .column import Column
        from .subquery_nodes import Subquery
        return Column(Subquery("scalar", self))

    def exists(self) -> Any:
        """Whether this frame has rows (per outer row, when correlated with ``outer()``), as a
        boolean Column for another frame's where or select."""
        from .column import Column
        from .subquery_nodes import Subquery
        return Column(Subquery("exists", self))

    def isLocal(self) -> bool:
        """True for a frame made from a pandas DataFrame or by a SQL command, as Spark answers
        (see ``dfml.sql.local_results``)."""
        from .local_results import is_local
        return is_local(self)

    def __dir__(self) -> list[str]:
        """The class's attributes plus the columns usable as attributes (identifiers), sorted,
        so a shell completes ``df.<col>``."""
        names = set(super().__dir__())
        names.update(c for c in self.columns if c.isidentifier())
        return sorted(names)

    def _ipython_key_completions_(self) -> list[str]:
        """Every column name, for ``df["<tab>``: any name works there, identifier or not."""
        return list(self.columns)
