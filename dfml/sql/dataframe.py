"""``DataFrame``: a dask-expr frame plus its Spark schema, with PySpark's methods.

Transformations compile their Columns against the frame at call time (so unknown names and
type errors raise here, before any data is read) and return a new DataFrame; nothing runs
until an action. Every action is one call to ``SparkSession._run``: one dask graph.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Callable, Iterable

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa

from . import types as T
from .column import (AggFunc, Alias, Column, ColumnRef, Ctx, Expr, SortOrder, Star, Typed,
                     common_type, cast_to, fix_dtype, to_expr)
from .errors import AnalysisException
from .group import GroupedData, aggregate, group_keys
from .row import Row

if TYPE_CHECKING:
    from .readwriter import DataFrameWriter
    from .session import SparkSession

_plan_ids = itertools.count(1)

_JOIN_TYPES = {
    "inner": "inner", "cross": "cross", "outer": "outer", "full": "outer", "fullouter": "outer",
    "full_outer": "outer", "left": "left", "leftouter": "left", "left_outer": "left",
    "right": "right", "rightouter": "right", "right_outer": "right", "semi": "left_semi",
    "leftsemi": "left_semi", "left_semi": "left_semi", "anti": "left_anti",
    "leftanti": "left_anti", "left_anti": "left_anti",
}


class DataFrame:
    """A lazy, distributed table with Spark's API (see ``dfml.sql``)."""

    def __init__(self, frame: Any, session: "SparkSession", nullable: dict[str, bool] | None = None,
                 alias: str | None = None, sources: tuple[str, ...] = ()):
        self._frame = frame
        self._session = session
        self._nullable = {c: nullable.get(c, True) for c in frame.columns} if nullable else {}
        self._alias = alias
        self._plan_id = next(_plan_ids)
        self._sources = sources  # paths this plan reads, to refuse overwriting them
        self._sorted: Any = None  # set by orderBy, so that a following limit is a top-n
        self._broadcast = False  # set by the broadcast hint: joins send this side whole

    # ------------------------------------------------------------ schema
    @property
    def schema(self) -> T.StructType:
        return T.schema_of_meta(self._frame._meta, self._nullable)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self._frame.columns]

    @property
    def dtypes(self) -> list[tuple[str, str]]:
        return [(f.name, f.dataType.simpleString()) for f in self.schema.fields]

    def printSchema(self, level: int | None = None) -> None:
        print(self.schema.treeString())

    def _resolve_field(self, name: str) -> T.StructField:
        return self.schema[self._ctx().resolve(name)]

    def _ctx(self) -> Ctx:
        return Ctx(self._frame, self.schema, [self._alias] if self._alias else [], [self._plan_id])

    def _new(self, frame: Any, nullable: dict[str, bool] | None = None, keep_alias: bool = True) -> "DataFrame":
        if nullable is None:
            nullable = {c: self._nullable.get(c, True) for c in frame.columns}
        return DataFrame(frame, self._session, nullable, self._alias if keep_alias else None,
                         self._sources)

    def _from_typed_columns(self, frame: Any, ctx: Ctx, columns: list[tuple[str, Typed]]) -> "DataFrame":
        """A frame whose columns are ``columns`` (name, compiled value), in order."""
        names = [n for n, _ in columns]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise AnalysisException(
                f"[COLUMN_ALREADY_EXISTS] The column `{sorted(dup)[0]}` appears more than once in "
                f"the result; give the columns distinct names with alias().", "COLUMN_ALREADY_EXISTS")
        assigns: dict[str, Any] = {}
        renames: dict[str, str] = {}
        existing = set(frame.columns)
        picked: list[str] = []
        for i, (name, t) in enumerate(columns):
            value = ctx.broadcast(t) if not (t.is_scalar and isinstance(t.dtype, T.NullType)) \
                else ctx.broadcast(t)
            source = _source_column(value, frame)
            if source is not None and source == name and source not in picked:
                picked.append(name)
                continue
            if source is not None and source not in picked and name not in existing:
                renames[source] = name
                picked.append(source)
                continue
            tmp = f"__c{i}"
            assigns[tmp] = value
            picked.append(tmp)
            renames[tmp] = name
        out = frame.assign(**assigns) if assigns else frame
        out = out[picked]
        if renames:
            out = out.rename(columns=renames)
        nullable = {n: t.nullable for n, t in columns}
        return DataFrame(out, self._session, nullable, None, self._sources)

    # ------------------------------------------------------------ column access
    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, str):
            self._ctx().resolve(item)
            return Column(ColumnRef(item, self._plan_id))
        if isinstance(item, Column):
            return self.filter(item)
        if isinstance(item, (list, tuple)):
            return self.select(*item)
        if isinstance(item, int):
            return Column(ColumnRef(self.columns[item], self._plan_id))
        raise TypeError(f"unexpected item type: {type(item).__name__}")

    def __getattr__(self, name: str) -> Column:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self.columns:
            raise AttributeError(f"'DataFrame' object has no attribute '{name}'")
        return Column(ColumnRef(name, self._plan_id))

    def col(self, name: str) -> Column:
        return self[name]

    # ------------------------------------------------------------ projections
    def _expand(self, cols: tuple[Any, ...]) -> list[Expr]:
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        exprs: list[Expr] = []
        for c in cols:
            e = to_expr(c)
            if isinstance(e, Star):
                if e.qualifier and e.qualifier != self._alias:
                    raise AnalysisException(f"cannot resolve '{e.qualifier}.*': no such alias "
                                            f"(this DataFrame's alias is {self._alias!r})")
                exprs.extend(ColumnRef(n) for n in self.columns)
            else:
                exprs.append(e)
        return exprs

    def select(self, *cols: Any) -> "DataFrame":
        exprs = self._expand(cols)
        from .functions._arrays import Generator, explode_select
        if any(isinstance(x, Generator) for e in exprs for x in e.walk()):
            return explode_select(self, exprs)
        if any(e.contains_aggregate() for e in exprs):
            return aggregate(self, [], exprs, keep_keys=False)
        ctx = self._ctx()
        columns = [(_name_of(e), e.compile(ctx)) for e in exprs]
        return self._from_typed_columns(self._frame, ctx, columns)

    def withColumns(self, *colsMap: dict[str, Column]) -> "DataFrame":
        if len(colsMap) != 1 or not isinstance(colsMap[0], dict):
            raise TypeError("withColumns() takes one dict of name -> Column")
        mapping = colsMap[0]
        ctx = self._ctx()
        new: dict[str, Typed] = {}
        for name, c in mapping.items():
            if not isinstance(c, Column):
                raise TypeError(f"withColumns(): the value for {name!r} must be a Column, got "
                                f"{type(c).__name__}")
            if c._expr.contains_aggregate():
                raise AnalysisException(f"aggregate {c._expr.sql()} is not allowed in withColumn; "
                                        f"use groupBy().agg() or a window")
            new[name] = c._expr.compile(ctx)
        columns: list[tuple[str, Typed]] = []
        lower_new = {k.lower(): k for k in new}
        for f in self.schema.fields:
            if f.name.lower() in lower_new:
                k = lower_new.pop(f.name.lower())
                columns.append((f.name if f.name == k else k, new[k]))
            else:
                columns.append((f.name, Typed(self._frame[f.name], f.dataType, f.nullable)))
        for k in lower_new.values():
            columns.append((k, new[k]))
        return self._from_typed_columns(self._frame, ctx, columns)

    def withColumn(self, colName: str, col: Column) -> "DataFrame":
        if not isinstance(col, Column):
            raise TypeError(f"withColumn(): col must be a Column, got {type(col).__name__}")
        return self.withColumns({colName: col})

    def withColumnRenamed(self, existing: str, new: str) -> "DataFrame":
        if existing not in self.columns:
            return self  # Spark ignores a rename of a missing column
        if new in self.columns and new != existing:
            raise AnalysisException(f"[COLUMN_ALREADY_EXISTS] The column `{new}` already exists.",
                                    "COLUMN_ALREADY_EXISTS")
        nullable = {(new if c == existing else c): v for c, v in self._nullable.items()}
        return self._new(self._frame.rename(columns={existing: new}), nullable)

    def withColumnsRenamed(self, colsMap: dict[str, str]) -> "DataFrame":
        out = self
        for k, v in colsMap.items():
            out = out.withColumnRenamed(k, v)
        return out

    def toDF(self, *cols: str) -> "DataFrame":
        if len(cols) != len(self.columns):
            raise ValueError(f"toDF() got {len(cols)} names for {len(self.columns)} columns")
        return self.select(*[Column(ColumnRef(o)).alias(n) for o, n in zip(self.columns, cols)])

    def drop(self, *cols: Any) -> "DataFrame":
        names = set()
        for c in cols:
            if isinstance(c, Column):
                if isinstance(c._expr, ColumnRef):
                    try:
                        names.add(self._ctx().resolve(c._expr.name))
                    except AnalysisException:
                        pass
                continue
            for n in self.columns:
                if n == c or n.lower() == str(c).lower():
                    names.add(n)
        keep = [c for c in self.columns if c not in names]
        return self._new(self._frame[keep])

    def alias(self, alias: str) -> "DataFrame":
        return DataFrame(self._frame, self._session, self._nullable, alias, self._sources)

    def transform(self, func: Callable[..., "DataFrame"], *args: Any, **kwargs: Any) -> "DataFrame":
        out = func(self, *args, **kwargs)
        if not isinstance(out, DataFrame):
            raise TypeError(f"transform(): the function returned {type(out).__name__}, not a DataFrame")
        return out

    # ------------------------------------------------------------ filters
    def filter(self, condition: Column | str) -> "DataFrame":
        if isinstance(condition, str):
            raise NotImplementedError("SQL-string conditions arrive with SQL support; use a Column")
        t = condition._expr.compile(self._ctx())
        if not isinstance(t.dtype, (T.BooleanType, T.NullType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN] Cannot resolve "{condition._expr.sql()}": '
                f'filter expression of type "{t.dtype.simpleString().upper()}" is not a boolean.',
                "DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN")
        if t.is_scalar:
            return self if t.value else self.limit(0)
        return self._new(self._frame[_bare_predicate(t.value)])

    where = filter

    # ------------------------------------------------------------ grouping
    def groupBy(self, *cols: Any) -> GroupedData:
        keys = group_keys(cols)
        ctx = self._ctx()
        for k in keys:
            k.compile(ctx)
        return GroupedData(self, keys)

    groupby = groupBy

    def agg(self, *exprs: Any) -> "DataFrame":
        return GroupedData(self, []).agg(*exprs)

    # ------------------------------------------------------------ joins & set ops
    def join(self, other: "DataFrame", on: Any = None, how: str | None = None) -> "DataFrame":
        from .joins import join
        return join(self, other, on, how)

    def crossJoin(self, other: "DataFrame") -> "DataFrame":
        from .joins import join
        return join(self, other, None, "cross")

    def union(self, other: "DataFrame") -> "DataFrame":
        if len(other.columns) != len(self.columns):
            raise AnalysisException(
                f"[NUM_COLUMNS_MISMATCH] UNION can only be performed on inputs with the same number "
                f"of columns, but the first input has {len(self.columns)} columns and the second "
                f"input has {len(other.columns)} columns.", "NUM_COLUMNS_MISMATCH")
        renamed = other._frame.rename(columns=dict(zip(other.columns, self.columns)))
        return self._union_frames(renamed, other)

    unionAll = union

    def unionByName(self, other: "DataFrame", allowMissingColumns: bool = False) -> "DataFrame":
        mine, theirs = self.columns, other.columns
        missing = [c for c in mine if c not in theirs]
        extra = [c for c in theirs if c not in mine]
        if (missing or extra) and not allowMissingColumns:
            bad = (missing or extra)[0]
            raise AnalysisException(
                f"[NUM_COLUMNS_MISMATCH] unionByName: column `{bad}` is in one input but not the "
                f"other; pass allowMissingColumns=True to fill it with nulls.", "NUM_COLUMNS_MISMATCH")
        left, right = self._frame, other._frame
        for c in missing:
            right = right.assign(**{c: pd.Series([], dtype=left._meta[c].dtype)
                                    .reindex([0]).iloc[0] if False else None})
            right[c] = right[c].astype(left._meta[c].dtype)
        for c in extra:
            left = left.assign(**{c: None})
            left[c] = left[c].astype(other._frame._meta[c].dtype)
        order = mine + extra
        left = left[order]
        right = right[order]
        base = self._new(left)
        return base._union_frames(right, other)

    def _union_frames(self, right: Any, other: "DataFrame") -> "DataFrame":
        left = self._frame
        casts_l, casts_r = {}, {}
        for c in left.columns:
            lt, rt = T.from_dtype(left._meta[c].dtype), T.from_dtype(right._meta[c].dtype)
            if lt != rt:
                ct = common_type([lt, rt], f"UNION column `{c}`")
                if ct != lt:
                    casts_l[c] = T.to_dtype(ct)
                if ct != rt:
                    casts_r[c] = T.to_dtype(ct)
        if casts_l:
            left = left.astype(casts_l)
        if casts_r:
            right = right.astype(casts_r)
        nullable = {c: self._nullable.get(c, True) or other._nullable.get(c, True) for c in left.columns}
        return DataFrame(dd.concat([left, right]), self._session, nullable, None,
                         self._sources + other._sources)

    def intersect(self, other: "DataFrame") -> "DataFrame":
        from .joins import set_operation
        return set_operation(self, other, "intersect")

    def subtract(self, other: "DataFrame") -> "DataFrame":
        from .joins import set_operation
        return set_operation(self, other, "subtract")

    exceptAll = subtract

    def distinct(self) -> "DataFrame":
        return self._new(self._frame.drop_duplicates(subset=self.columns,
                                                     split_out=self._frame.npartitions))

    def dropDuplicates(self, subset: list[str] | None = None) -> "DataFrame":
        if subset is None:
            return self.distinct()
        if isinstance(subset, str):
            subset = [subset]
        ctx = self._ctx()
        names = [ctx.resolve(c) for c in subset]
        return self._new(self._frame.drop_duplicates(subset=names, split_out=self._frame.npartitions))

    drop_duplicates = dropDuplicates

    # ------------------------------------------------------------ ordering & limits
    def orderBy(self, *cols: Any, ascending: bool | list[bool] | None = None) -> "DataFrame":
        from .ordering import sort_frame
        return sort_frame(self, cols, ascending)

    sort = orderBy

    def sortWithinPartitions(self, *cols: Any, ascending: Any = None) -> "DataFrame":
        from .ordering import sort_frame
        return sort_frame(self, cols, ascending, within_partitions=True)

    def limit(self, num: int) -> "DataFrame":
        if not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise ValueError(f"limit(): the number of rows must be a non-negative int, got {num!r}")
        if getattr(self, "_sorted", None) is not None and num > 0:
            from .ordering import top_rows
            return top_rows(self, num)
        if num == 0:
            return self._new(self._frame.map_partitions(_no_rows, meta=self._frame._meta))
        return self._new(self._frame.head(num, npartitions=-1, compute=False))

    def offset(self, num: int) -> "DataFrame":
        raise NotImplementedError("offset() is not supported yet")

    # ------------------------------------------------------------ sampling
    def sample(self, withReplacement: Any = None, fraction: Any = None, seed: int | None = None) -> "DataFrame":
        if isinstance(withReplacement, float) and fraction is None:
            withReplacement, fraction = False, withReplacement
        elif isinstance(withReplacement, float) and isinstance(fraction, int):
            withReplacement, fraction, seed = False, withReplacement, fraction
        if fraction is None or not (fraction >= 0) or (not withReplacement and fraction > 1):
            raise ValueError(f"sample(): fraction must be in [0, 1] without replacement "
                             f"(>= 0 with), got {fraction!r}")
        return self._new(self._frame.sample(frac=fraction, replace=bool(withReplacement),
                                            random_state=seed))

    def randomSplit(self, weights: list[float], seed: int | None = None) -> list["DataFrame"]:
        if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"randomSplit(): weights must be non-negative and sum to a positive "
                             f"value, got {weights!r}")
        total = float(sum(weights))
        fracs = [w / total for w in weights]
        seed = 0 if seed is None else seed
        parts = self._frame.random_split(fracs, random_state=seed, shuffle=False)
        return [self._new(p) for p in parts]

    # ------------------------------------------------------------ missing values
    @property
    def na(self) -> "DataFrameNaFunctions":
        from .na import DataFrameNaFunctions
        return DataFrameNaFunctions(self)

    def fillna(self, value: Any, subset: Any = None) -> "DataFrame":
        return self.na.fill(value, subset)

    def dropna(self, how: str = "any", thresh: int | None = None, subset: Any = None) -> "DataFrame":
        return self.na.drop(how, thresh, subset)

    def replace(self, to_replace: Any, value: Any = None, subset: Any = None) -> "DataFrame":
        return self.na.replace(to_replace, value, subset)

    # ------------------------------------------------------------ partitioning & caching
    def repartition(self, numPartitions: Any = None, *cols: Any) -> "DataFrame":
        if isinstance(numPartitions, (str, Column)):
            cols = (numPartitions,) + cols
            numPartitions = None
        if numPartitions is not None and (not isinstance(numPartitions, int) or numPartitions <= 0):
            raise ValueError(f"repartition(): numPartitions must be a positive int, got {numPartitions!r}")
        if cols:
            ctx = self._ctx()
            names = [ctx.resolve(c if isinstance(c, str) else c._expr.sql()) for c in cols]
            return self._new(self._frame.shuffle(on=names, npartitions=numPartitions))
        return self._new(self._frame.repartition(npartitions=numPartitions))

    def coalesce(self, numPartitions: int) -> "DataFrame":
        if not isinstance(numPartitions, int) or numPartitions <= 0:
            raise ValueError(f"coalesce(): numPartitions must be a positive int, got {numPartitions!r}")
        if numPartitions >= self._frame.npartitions:
            return self
        return self._new(self._frame.repartition(npartitions=numPartitions))

    def cache(self) -> "DataFrame":
        """Keep this frame's partitions in cluster memory (runs its graph once, now, in the
        background; later actions on it and on frames derived from it reuse the partitions)."""
        persisted = self._session._persist(self._frame)
        out = DataFrame(persisted, self._session, self._nullable, self._alias, self._sources)
        out._plan_id = self._plan_id
        self._frame = persisted
        return out

    def persist(self, storageLevel: Any = None) -> "DataFrame":
        return self.cache()

    def unpersist(self, blocking: bool = False) -> "DataFrame":
        return self

    def checkpoint(self, eager: bool = True) -> "DataFrame":
        return self.cache()

    localCheckpoint = checkpoint

    def hint(self, name: str, *parameters: Any) -> "DataFrame":
        out = DataFrame(self._frame, self._session, self._nullable, self._alias, self._sources)
        out._broadcast = name.lower() in ("broadcast", "broadcastjoin", "mapjoin")
        return out

    @property
    def rdd(self) -> Any:
        raise NotImplementedError("dfml has no RDD API: use the DataFrame, or toPandas()")

    def getNumPartitions(self) -> int:
        return self._frame.npartitions

    # ------------------------------------------------------------ actions
    def toPandas(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame with numpy-backed dtypes, as PySpark returns them."""
        return _to_numpy_frame(self._session._run(self._frame))

    def _collect_table(self, frame: Any = None) -> pa.Table:
        pdf = self._session._run(self._frame if frame is None else frame)
        return _to_arrow_table(pdf, self.schema)

    def collect(self) -> list[Row]:
        table = self._collect_table()
        return _rows(table, self.columns)

    def toLocalIterator(self, prefetchPartitions: bool = False) -> Iterable[Row]:
        return iter(self.collect())

    def take(self, num: int) -> list[Row]:
        return self.limit(num).collect()

    def head(self, n: int | None = None) -> Any:
        if n is None:
            rows = self.take(1)
            return rows[0] if rows else None
        return self.take(n)

    def first(self) -> Row | None:
        return self.head()

    def tail(self, num: int) -> list[Row]:
        rows = self.collect()
        return rows[-num:] if num else []

    def isEmpty(self) -> bool:
        return len(self.take(1)) == 0

    def count(self) -> int:
        return int(self._session._run(self._frame.shape[0]))

    def show(self, n: int = 20, truncate: bool | int = True, vertical: bool = False) -> None:
        print(self._show_string(n, truncate, vertical))

    def _show_string(self, n: int = 20, truncate: bool | int = True, vertical: bool = False) -> str:
        from .show import show_string
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"show(): n must be an int, got {n!r}")
        n = max(n, 0)
        table = self._collect_table(self.limit(n + 1)._frame if n + 1 > 0 else None)
        rows = _rows(table, self.columns)
        return show_string(self.schema, rows, n, truncate, vertical)

    def describe(self, *cols: Any) -> "DataFrame":
        from .stats import describe
        return describe(self, list(cols[0]) if len(cols) == 1 and isinstance(cols[0], list) else list(cols))

    def summary(self, *statistics: str) -> "DataFrame":
        from .stats import summary
        return summary(self, list(statistics))

    def explain(self, extended: Any = None, mode: str | None = None) -> None:
        print(self._explain_string())

    def _explain_string(self) -> str:
        from .explain import explain_string
        return explain_string(self._frame)

    def foreach(self, f: Callable[[Row], None]) -> None:
        for r in self.collect():
            f(r)

    @property
    def write(self) -> "DataFrameWriter":
        from .readwriter import DataFrameWriter
        return DataFrameWriter(self)

    @property
    def sparkSession(self) -> "SparkSession":
        return self._session

    @property
    def stat(self) -> Any:
        from .stats import DataFrameStatFunctions
        return DataFrameStatFunctions(self)

    def corr(self, col1: str, col2: str, method: str | None = None) -> float:
        from . import functions as F
        return self.agg(F.corr(col1, col2)).collect()[0][0]

    def cov(self, col1: str, col2: str) -> float:
        from . import functions as F
        return self.agg(F.covar_samp(col1, col2)).collect()[0][0]

    def __repr__(self) -> str:
        return "DataFrame[" + ", ".join(f"{n}: {t}" for n, t in self.dtypes) + "]"


def _no_rows(part: pd.DataFrame) -> pd.DataFrame:
    return part.iloc[:0]


def _bare_predicate(mask: Any) -> Any:
    """The mask without a trailing cast to Arrow bool: a boolean mask needs no cast, and dask's
    optimizer mishandles ``Filter(frame, AsType(pred))`` (it returns the predicate, not the rows)."""
    from dask.dataframe.dask_expr._collection import new_collection
    from dask.dataframe.dask_expr._expr import AsType
    expr = mask.expr
    while isinstance(expr, AsType):
        expr = expr.frame
    return new_collection(expr) if expr is not mask.expr else mask


def _name_of(e: Expr) -> str:
    return e.name if isinstance(e, Alias) else e.output_name()


def _source_column(value: Any, frame: Any) -> str | None:
    """The name of the frame column ``value`` is, unchanged (so a select can just project it)."""
    name = getattr(value, "name", None)
    if not isinstance(name, str) or name not in frame.columns:
        return None
    try:
        return name if value._name == frame[name]._name else None
    except Exception:  # pragma: no cover - non-dask values
        return None


def _to_arrow_table(pdf: pd.DataFrame, schema: T.StructType) -> pa.Table:
    arrays = []
    for f in schema.fields:
        s = pdf[f.name]
        if isinstance(s.dtype, pd.ArrowDtype):
            arr = pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype)
        else:
            arr = pa.chunked_array([pa.array(s.to_numpy(dtype=object), from_pandas=True)])
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=[f.name for f in schema.fields]) if arrays \
        else pa.table({})


def _python_value(v: Any, dt: T.DataType) -> Any:
    """An Arrow ``to_pylist`` value as PySpark returns it: structs as Rows, maps as dicts."""
    if v is None:
        return None
    if isinstance(dt, T.UserDefinedType):
        return dt.deserialize(v)
    if isinstance(dt, T.StructType):
        return Row._make(dt.names, [_python_value(v.get(f.name), f.dataType) for f in dt.fields])
    if isinstance(dt, T.MapType):
        items = v.items() if isinstance(v, dict) else v
        return {_python_value(k, dt.keyType): _python_value(x, dt.valueType) for k, x in items}
    if isinstance(dt, T.ArrayType) and isinstance(dt.elementType, (T.StructType, T.MapType, T.ArrayType)):
        return [_python_value(x, dt.elementType) for x in v]
    return v


def _rows(table: pa.Table, names: list[str]) -> list[Row]:
    cols = []
    for i in range(table.num_columns):
        values = table.column(i).to_pylist()
        dt = T.from_arrow(table.column(i).type)
        if isinstance(dt, (T.StructType, T.MapType, T.ArrayType, T.UserDefinedType)):
            values = [_python_value(v, dt) for v in values]
        cols.append(values)
    fields = tuple(names)
    return [Row._make(fields, vals) for vals in zip(*cols)] if cols else []


def _to_numpy_frame(pdf: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in pdf.columns:
        s = pdf[c]
        if isinstance(s.dtype, pd.ArrowDtype):
            arr = pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype)
            udt = T.from_arrow(arr.type) if pa.types.is_struct(arr.type) else None
            if isinstance(udt, T.UserDefinedType):  # vectors come back as vector objects
                out[c] = pd.Series([udt.deserialize(v) for v in arr.to_pylist()], dtype=object,
                                   index=s.index)
            elif pa.types.is_date32(arr.type):
                out[c] = pd.Series(arr.to_pylist(), dtype=object, index=s.index)
            else:
                out[c] = arr.to_pandas(types_mapper=None)
                out[c].index = s.index
        else:
            out[c] = s
    res = pd.DataFrame(out, columns=list(pdf.columns))
    return res.reset_index(drop=True)
