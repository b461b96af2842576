"""``spark.tvf``: Spark's table-valued functions, each a DataFrame.

A table-valued generator is the generator selected over a single row, exactly what
``SELECT * FROM explode(...)`` means in Spark SQL, so each method here is that select (lazy,
with the generator's own column names). ``json_tuple``, the variant explodes and the listing
functions (``collations``, ``sql_keywords``, ``python_worker_logs``) are not offered.
"""

from __future__ import annotations

from typing import Any


class TableValuedFunction:
    """The table-valued functions of one session."""

    def __init__(self, session: Any):
        self._session = session

    def _generate(self, generator: Any) -> Any:
        return self._session.range(1).select(generator)

    def range(self, start: int, end: int | None = None, step: int = 1,
              numPartitions: int | None = None) -> Any:
        return self._session.range(start, end, step, numPartitions)

    def explode(self, collection: Any) -> Any:
        from . import functions as F
        return self._generate(F.explode(collection))

    def explode_outer(self, collection: Any) -> Any:
        from . import functions as F
        return self._generate(F.explode_outer(collection))

    def posexplode(self, collection: Any) -> Any:
        from . import functions as F
        return self._generate(F.posexplode(collection))

    def posexplode_outer(self, collection: Any) -> Any:
        from . import functions as F
        return self._generate(F.posexplode_outer(collection))

    def inline(self, input: Any) -> Any:
        from . import functions as F
        return self._generate(F.inline(input))

    def inline_outer(self, input: Any) -> Any:
        from . import functions as F
        return self._generate(F.inline_outer(input))

    def stack(self, n: Any, *fields: Any) -> Any:
        from . import functions as F
        return self._generate(F.stack(n, *fields))
