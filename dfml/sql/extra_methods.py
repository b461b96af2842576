"""DataFrame methods that need no plan node of their own: ``repartitionByRange``,
``freqItems``, ``inputFiles``, ``sameSemantics`` and ``semanticHash``. A mixin of
``DataFrame``, so they live beside their helpers and not in ``dataframe.py``.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
from typing import TYPE_CHECKING, Any

from . import types as T
from .column import Column
from .errors import AnalysisException

if TYPE_CHECKING:
    from .dataframe import DataFrame



# ---------------------------------------------------------------- repartitionByRange
class _Key:
    """One row's sort key under Spark's ordering: per column ascending or descending, nulls
    first or last, NaN above every other number."""

    __slots__ = ("values", "orders")

    def __init__(self, values: tuple, orders: tuple):
        self.values = values
        self.orders = orders

    def _cmp(self, other: "_Key") -> int:
        for a, b, (asc, nulls_first) in zip(self.values, other.values, self.orders):
            c = _compare(a, b, nulls_first if asc else not nulls_first)
            if c:
                return c if asc else -c
        return 0

    def __lt__(self, other: "_Key") -> bool:
        return self._cmp(other) < 0

    def __gt__(self, other: "_Key") -> bool:
        return self._cmp(other) > 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self._cmp(other) == 0


def _compare(a: Any, b: Any, nulls_first: bool) -> int:
    if a is None or b is None:
        if a is None and b is None:
            return 0
        return (-1 if a is None else 1) if nulls_first else (1 if a is None else -1)
    a_nan = isinstance(a, float) and math.isnan(a)
    b_nan = isinstance(b, float) and math.isnan(b)
    if a_nan or b_nan:
        return 0 if a_nan and b_nan else (1 if a_nan else -1)
    return (a > b) - (a < b)


def range_bounds(candidates: list[tuple[_Key, float]], partitions: int) -> list[_Key]:
    """Spark's bounds for range partitioning: walk the weighted sample in key order and cut
    at every ``1/partitions`` of the total weight, never twice at one key."""
    ordered = sorted(candidates, key=functools.cmp_to_key(lambda x, y: x[0]._cmp(y[0])))
    step = sum(w for _, w in ordered) / partitions
    bounds: list[_Key] = []
    cumulative, target = 0.0, step
    for key, weight in ordered:
        if len(bounds) >= partitions - 1:
            break
        cumulative += weight
        if cumulative >= target and (not bounds or key > bounds[-1]):
            bounds.append(key)
            target += step
    return bounds


def repartition_by_range(df: "DataFrame", n: int | None, cols: tuple) -> "DataFrame":
    """Rows into ``n`` partitions by ranges of the sort key: one sampling pass now (as Spark's
    runs a sampling job), then a shuffle on the computed partition number."""
    if isinstance(n, (str, Column)):
        cols, n = (n,) + tuple(cols), None
    if not cols:
        raise AnalysisException("[REPARTITION_BY_RANGE_NEEDS_COLUMNS] repartitionByRange() needs "
                                "at least one partition-by expression", "UNSUPPORTED_FEATURE")
    if n is None:
        n = int(df._session.conf.get("spark.sql.shuffle.partitions", "200"))
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise ValueError(f"repartitionByRange(): numPartitions must be a positive int, got {n!r}")
    from .ordering import sort_keys
    orders = sort_keys(tuple(cols), None, df._names)
    keys = [f"__range_key_{i}" for i in range(len(orders))]
    keyed = df.select("*", *[Column(o.children[0]).alias(k) for o, k in zip(orders, keys)])
    flags = tuple((o.ascending, o.nulls_first) for o in orders)
    frame = keyed._frame
    names = keyed._names
    # Spark's sample: 20 keys per output partition, over-sampled 3x, spread over the inputs
    per_partition = math.ceil(3.0 * min(20.0 * n, 1e6) / max(frame.npartitions, 1))

    def sample(pdf: Any) -> Any:
        import pandas as pd
        part = pdf[keys]
        size = len(part)
        if size > per_partition:
            part = part.sample(per_partition, random_state=size)
        weight = size / max(len(part), 1)
        return pd.DataFrame({"key": [tuple(r) for r in part.astype(object).itertuples(index=False)],
                             "weight": [weight] * len(part)})

    import pandas as pd
    sampled = df._session._run(frame.map_partitions(
        sample, meta=pd.DataFrame({"key": pd.Series([], dtype=object),
                                   "weight": pd.Series([], dtype="float64")})))
    bounds = range_bounds([(_Key(_plain(k), flags), w) for k, w in
                           zip(sampled["key"], sampled["weight"])], n)

    def assign(pdf: Any) -> Any:
        rows = pdf[keys].astype(object).itertuples(index=False)
        pid = [bisect.bisect_left(bounds, _Key(_plain(tuple(r)), flags)) for r in rows]
        return pdf.drop(columns=keys).assign(__range_pid=pd.array(pid, dtype="int64"))

    meta = frame._meta.drop(columns=keys).assign(__range_pid=pd.array([], dtype="int64"))
    with_pid = frame.map_partitions(assign, meta=meta)
    spread = with_pid.set_index("__range_pid", divisions=list(range(n)) + [n], sorted=False)
    # dropping the index inside a partition function keeps dask's optimizer from moving later
    # column assignments below it, onto the partition-number index with its repeated labels
    out = spread.map_partitions(_drop_index, meta=meta.drop(columns="__range_pid"))
    return df._new(out)


def repartition_by_id(df: "DataFrame", n: Any, col: Any) -> "DataFrame":
    """Rows into ``n`` partitions, each row to the partition its int column names (modulo
    ``n``, non-negative; a null goes to partition 0), as Spark's ``repartitionById``: a shuffle
    on that number, in the action's graph."""
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise ValueError(f"repartitionById(): numPartitions must be a positive int, got {n!r}")
    if not isinstance(col, (str, Column)):
        raise TypeError(f"repartitionById(): partitionIdCol must be a Column or a str, got "
                        f"{type(col).__name__}")
    target = df[col] if isinstance(col, str) else col
    key = "__by_id_pid"
    keyed = df.select("*", target.alias(key))
    dtype = keyed.schema[key].dataType
    if not isinstance(dtype, T.IntegerType):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve '
            f'"direct_shuffle_partition_id({target._expr.sql()})" due to data type mismatch: The '
            f'first parameter requires the "INT" type, however "{target._expr.sql()}" has the type '
            f'"{dtype.simpleString().upper()}". SQLSTATE: 42K09',
            "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")

    def build(d: "DataFrame") -> "DataFrame":
        frame = d._frame
        number = frame[key].fillna(0).astype("int64") % n  # numpy's % is non-negative for n > 0
        meta = frame._meta.drop(columns=key)
        spread = frame.assign(**{key: number}).set_index(key, divisions=list(range(n)) + [n],
                                                           sorted=False)
        return d._new(spread.map_partitions(_drop_index, meta=meta), keep_alias=True)
    return keyed._derive(f"RepartitionById {n}", build, keep_alias=True)


def _drop_index(pdf: Any) -> Any:
    return pdf.reset_index(drop=True)


def _plain(values: tuple) -> tuple:
    """pandas' missing markers as None (Spark's null), other values as they are."""
    import pandas as pd
    return tuple(None if (v is pd.NA or v is pd.NaT or v is None) else v for v in values)


# ---------------------------------------------------------------- freqItems
class _FreqCounter:
    """The counter of Spark's frequent-items sketch (Karp, Schenker and Papadimitriou): at most
    ``size`` candidates; a new item when full lowers every count instead, dropping those that
    reach zero. Items above ``1/size`` of the rows are always kept; others may be too."""

    def __init__(self, size: int):
        self.size = size
        self.counts: dict[Any, int] = {}

    def add(self, key: Any, count: int) -> None:
        counts = self.counts
        if key in counts:
            counts[key] += count
        elif len(counts) < self.size:
            counts[key] = count
        else:
            least = min(counts.values())
            if count >= least:
                counts[key] = count
                for k in list(counts):
                    counts[k] -= least
                    if counts[k] <= 0:
                        del counts[k]
            else:
                for k in list(counts):
                    counts[k] -= count
                    if counts[k] <= 0:
                        del counts[k]


def freq_items(df: "DataFrame", cols: Any, support: float | None) -> "DataFrame":
    if isinstance(cols, str):
        cols = [cols]
    if not isinstance(cols, (list, tuple)) or not all(isinstance(c, str) for c in cols):
        raise TypeError(f"freqItems(): cols must be a list of column names, got {cols!r}")
    support = 0.01 if support is None else support
    if not 1e-4 <= support <= 1.0:
        raise ValueError(f"freqItems(): support must be in [1e-4, 1], got {support}")
    ctx = df._ctx()
    names = [ctx.resolve(c) for c in cols]
    size = int(1 / support)
    frame = df._frame[names]

    def count(pdf: Any) -> Any:
        import pandas as pd
        counters = [_FreqCounter(size) for _ in names]
        for row in pdf.astype(object).itertuples(index=False):
            for counter, v in zip(counters, row):
                counter.add(None if v is pd.NA else v, 1)
        return pd.DataFrame({"counts": [[list(c.counts.items()) for c in counters]]})

    import pandas as pd
    parts = df._session._run(frame.map_partitions(
        count, meta=pd.DataFrame({"counts": pd.Series([], dtype=object)})))
    merged = [_FreqCounter(size) for _ in names]
    for per_column in parts["counts"]:
        for counter, items in zip(merged, per_column):
            for k, v in items:
                counter.add(k, v)
    schema = T.StructType([T.StructField(f"{c}_freqItems", T.ArrayType(df._schema[n].dataType, True),
                                         False) for c, n in zip(cols, names)])
    return df._session.createDataFrame([tuple(list(c.counts) for c in merged)], schema)


# ---------------------------------------------------------------- plan facts
def semantic_text(plan: Any) -> str:
    """A plan's canonical text: what it computes, without output names or ids, so two plans
    that differ only in column names (or were built separately over equal data) agree."""
    from .plan import Project, Source
    if isinstance(plan, Source):
        name = getattr(plan.frame, "_name", None)
        own = f"Source {name or id(plan.frame)}"
    elif isinstance(plan, Project):
        own = "Project " + ", ".join(e.sql() for _, e in plan.columns)
    else:
        own = plan.label()
    return own + "(" + ";".join(semantic_text(c) for c in plan.children) + ")"


def semantic_hash(plan: Any) -> int:
    digest = hashlib.sha256(semantic_text(plan).encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class ExtraMethods:
    """The methods above, as DataFrame's."""

    def repartitionByRange(self, numPartitions: Any = None, *cols: Any) -> "DataFrame":
        return repartition_by_range(self, numPartitions, cols)  # type: ignore[arg-type]

    def repartitionById(self, numPartitions: Any, partitionIdCol: Any) -> "DataFrame":
        return repartition_by_id(self, numPartitions, partitionIdCol)  # type: ignore[arg-type]

    def freqItems(self, cols: Any, support: float | None = None) -> "DataFrame":
        return freq_items(self, cols, support)  # type: ignore[arg-type]

    def inputFiles(self) -> list[str]:
        """The data files this frame reads, as URIs (listed now)."""
        from .io.files import list_data_files
        out: list[str] = []
        for root in self._sources:  # type: ignore[attr-defined]
            fs, files = list_data_files(root, recursive=True)
            proto = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
            for f in files:
                uri = f if "://" in f else (f"file://{f}" if proto in ("file", "local")
                                            else f"{proto}://{f}")
                if uri not in out:
                    out.append(uri)
        return out

    def sameSemantics(self, other: "DataFrame") -> bool:
        if not isinstance(other, type(self)):
            raise TypeError(f"sameSemantics(): other must be a DataFrame, got "
                            f"{type(other).__name__}")
        return semantic_text(self._plan) == semantic_text(other._plan)  # type: ignore[attr-defined]

    def semanticHash(self) -> int:
        return semantic_hash(self._plan)  # type: ignore[attr-defined]
