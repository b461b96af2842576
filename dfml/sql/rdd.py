"""``RDD``: a small facade over a dask Bag, for the few RDD calls DataFrame scripts make.

Scripts touch RDDs once or twice: ``sc.parallelize(data)``, ``df.rdd.map(...)``, a word count
with ``reduceByKey``, ``toDF``. Each transformation here is a Bag operation (lazy); each action
is one graph run through the session, like a DataFrame action. Partitions follow Spark's where
a script can see them (``parallelize`` slices as Spark does, ``glom``, ``getNumPartitions``).
Sorting moves the data to one partition: this is a convenience, not a distributed engine.
"""

from __future__ import annotations

import collections
import functools
from typing import Any, Callable, Iterable

import dask
import dask.bag as db

__all__ = ["RDD", "parallelize", "rdd_of_frame"]


def _slices(data: list, n: int) -> list[list]:
    """Spark's split of a local collection: slice i holds positions [i*len/n, (i+1)*len/n)."""
    size = len(data)
    return [data[i * size // n:(i + 1) * size // n] for i in range(n)]


def parallelize(session: Any, data: Iterable[Any], num_slices: int) -> "RDD":
    if num_slices < 1:
        raise ValueError(f"parallelize: numSlices must be positive, got {num_slices}")
    data = list(data)
    parts = [dask.delayed(chunk, traverse=False) for chunk in _slices(data, num_slices)]
    return RDD(session, db.from_delayed(parts))


def _partition_rows(pdf: Any, schema: Any) -> list:
    from .conversion import rows_of, to_arrow_table
    return rows_of(to_arrow_table(pdf, schema), schema.names)


def rdd_of_frame(df: Any) -> "RDD":
    """``df.rdd``: the DataFrame's partitions as Rows (the plan runs when an action does)."""
    rows = dask.delayed(_partition_rows, pure=True)
    parts = [rows(p, df.schema) for p in df._frame.to_delayed()]
    return RDD(df._session, db.from_delayed(parts))


# Per-partition helpers (module level: dask names tasks after them and ships them by reference);
# Bag.map_partitions calls them with the partition first.
def _flat_map(part: Iterable, f: Callable) -> list:
    return [y for x in part for y in f(x)]


def _map_partition(part: Iterable, f: Callable) -> list:
    return list(f(iter(part)))


def _map_partition_index(f: Callable, index: int, part: Iterable) -> list:
    return list(f(index, iter(part)))


def _glom(part: Iterable) -> list:
    return [list(part)]


def _head(part: Iterable, n: int) -> list:
    out = []
    for x in part:
        if len(out) >= n:
            break
        out.append(x)
    return out


def _reduce_part(f: Callable, part: Iterable) -> tuple:
    items = list(part)
    return (True, functools.reduce(f, items)) if items else (False, None)


def _reduce_all(f: Callable, partials: Iterable[tuple]) -> tuple:
    values = [v for has, v in partials if has]
    return (True, functools.reduce(f, values)) if values else (False, None)


def _fold_value(f: Callable, acc: tuple, kv: tuple) -> tuple:
    return (True, f(acc[1], kv[1])) if acc[0] else (True, kv[1])


def _combine_folds(f: Callable, a: tuple, b: tuple) -> tuple:
    if not a[0]:
        return b
    if not b[0]:
        return a
    return (True, f(a[1], b[1]))


def _key(kv: tuple) -> Any:
    return kv[0]


def _sorted_part(part: Iterable, keyfunc: Callable, ascending: bool) -> list:
    return sorted(part, key=keyfunc, reverse=not ascending)


def _identity(x: Any) -> Any:
    return x


class RDD:
    """A lazy distributed collection of Python objects (see the module docstring)."""

    def __init__(self, session: Any, bag: db.Bag):
        self._session, self._bag = session, bag

    def _new(self, bag: db.Bag) -> "RDD":
        return RDD(self._session, bag)

    @property
    def context(self) -> Any:
        return self._session.sparkContext

    def __repr__(self) -> str:
        return f"RDD[{self._bag.name}] with {self._bag.npartitions} partitions"

    # ------------------------------------------------------------ transformations
    def map(self, f: Callable, preservesPartitioning: bool = False) -> "RDD":
        return self._new(self._bag.map(f))

    def flatMap(self, f: Callable, preservesPartitioning: bool = False) -> "RDD":
        return self._new(self._bag.map_partitions(_flat_map, f))

    def filter(self, f: Callable) -> "RDD":
        return self._new(self._bag.filter(f))

    def mapPartitions(self, f: Callable, preservesPartitioning: bool = False) -> "RDD":
        return self._new(self._bag.map_partitions(_map_partition, f))

    def mapPartitionsWithIndex(self, f: Callable, preservesPartitioning: bool = False) -> "RDD":
        parts = self._bag.to_delayed(optimize_graph=False)
        step = dask.delayed(_map_partition_index, pure=True)
        return self._new(db.from_delayed([step(f, i, p) for i, p in enumerate(parts)]))

    def glom(self) -> "RDD":
        return self._new(self._bag.map_partitions(_glom))

    def distinct(self, numPartitions: int | None = None) -> "RDD":
        return self._new(self._bag.distinct())

    def union(self, other: "RDD") -> "RDD":
        return self._new(db.concat([self._bag, other._bag]))

    def repartition(self, numPartitions: int) -> "RDD":
        return self._new(self._bag.repartition(numPartitions))

    coalesce = repartition

    def keys(self) -> "RDD":
        return self.map(_key)

    def values(self) -> "RDD":
        return self.map(lambda kv: kv[1])

    def mapValues(self, f: Callable) -> "RDD":
        return self.map(lambda kv: (kv[0], f(kv[1])))

    def flatMapValues(self, f: Callable) -> "RDD":
        return self.flatMap(lambda kv: ((kv[0], v) for v in f(kv[1])))

    def reduceByKey(self, func: Callable, numPartitions: int | None = None,
                    partitionFunc: Any = None) -> "RDD":
        folded = self._bag.foldby(_key, functools.partial(_fold_value, func), (False, None),
                                  functools.partial(_combine_folds, func), (False, None))
        return self._new(folded).map(lambda kv: (kv[0], kv[1][1]))

    def groupByKey(self, numPartitions: int | None = None, partitionFunc: Any = None) -> "RDD":
        return self._new(self._bag.groupby(_key)).map(lambda kv: (kv[0], [v for _, v in kv[1]]))

    def sortBy(self, keyfunc: Callable, ascending: bool = True,
               numPartitions: int | None = None) -> "RDD":
        return self._new(self._bag.repartition(1).map_partitions(_sorted_part, keyfunc, ascending))

    def sortByKey(self, ascending: bool = True, numPartitions: int | None = None,
                  keyfunc: Callable = _identity) -> "RDD":
        return self.sortBy(lambda kv: keyfunc(kv[0]), ascending)

    def cache(self) -> "RDD":
        self._bag = self._session._persist(self._bag)
        return self

    def persist(self, storageLevel: Any = None) -> "RDD":
        return self.cache()

    def unpersist(self, blocking: bool = False) -> "RDD":
        return self

    # ------------------------------------------------------------ actions: one graph each
    def _run(self, collection: Any) -> Any:
        return self._session._run(collection)

    def collect(self) -> list:
        return list(self._run(self._bag))

    def count(self) -> int:
        return int(self._run(self._bag.count()))

    def take(self, num: int) -> list:
        if num <= 0:
            return []
        return list(self._run(self._bag.map_partitions(_head, num)))[:num]

    def first(self) -> Any:
        got = self.take(1)
        if not got:
            raise ValueError("RDD is empty")
        return got[0]

    def isEmpty(self) -> bool:
        return not self.take(1)

    def reduce(self, f: Callable) -> Any:
        has, value = self._run(self._bag.reduction(functools.partial(_reduce_part, f),
                                                   functools.partial(_reduce_all, f)))
        if not has:
            raise ValueError("Can not reduce() empty RDD")
        return value

    def fold(self, zeroValue: Any, op: Callable) -> Any:
        return functools.reduce(op, self.mapPartitions(
            lambda it: [functools.reduce(op, it, zeroValue)]).collect(), zeroValue)

    def sum(self) -> Any:
        return self.fold(0, lambda a, b: a + b)

    def max(self, key: Callable | None = None) -> Any:
        return self.reduce(lambda a, b: b if (key or _identity)(b) > (key or _identity)(a) else a)

    def min(self, key: Callable | None = None) -> Any:
        return self.reduce(lambda a, b: b if (key or _identity)(b) < (key or _identity)(a) else a)

    def mean(self) -> float:
        n, total = self.map(lambda x: (1, x)).fold((0, 0), lambda a, b: (a[0] + b[0], a[1] + b[1]))
        return total / n if n else float("nan")

    def countByValue(self) -> dict:
        counts: dict = collections.defaultdict(int)
        for k, c in self._run(self._bag.frequencies()):
            counts[k] = c
        return counts

    def countByKey(self) -> dict:
        return self.keys().countByValue()

    def collectAsMap(self) -> dict:
        return dict(self.collect())

    def foreach(self, f: Callable) -> None:
        self._run(self._bag.map(f).count())

    def foreachPartition(self, f: Callable) -> None:
        self._run(self._bag.map_partitions(lambda part: [f(iter(part))]).count())

    def toLocalIterator(self, prefetchPartitions: bool = False) -> Iterable:
        return iter(self.collect())

    def getNumPartitions(self) -> int:
        return self._bag.npartitions

    def toDF(self, schema: Any = None, sampleRatio: float | None = None) -> Any:
        """The rows as a DataFrame (collected through the driver, then distributed again)."""
        return self._session.createDataFrame(self.collect(), schema)
