"""``DataFrame``: a logical plan (``dfml.sql.plan``) with PySpark's methods.

Transformations add a plan node and resolve it at call time from the input's schema alone
(unknown names and type errors raise here, before any data is read or any cluster is asked);
nothing runs until an action, which lowers the plan to dask-expr (``dfml.sql.lowering``) and
runs one graph through ``SparkSession._run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

import pandas as pd
import pyarrow as pa

from ..storagelevel import StorageLevel
from . import types as T
from .analysis import plan_aggregate, plan_projection, plan_with_columns
from .column import Column, ColumnRef, Ctx, Expr, Star, to_expr
from .dedup import drop_duplicate_rows
from .positions import unique_labels
from .star_args import expand_star_calls, struct_star_fields
from .conversion import rows_of, to_arrow_table, to_numpy_frame
from .errors import AnalysisException
from .group import GroupedData, group_keys
from .join_names import any_internal, display, display_schema, renamed, side_columns
from .lowering import lower, meta_frame, stand_in_source
from .plan import Derived, Filter, Limit, Plan, Sort, Source, join_aliases, tree_string
from .row import Row
from .batch_methods import BatchMethods
from .extra_methods import ExtraMethods
from .stat_methods import StatMethods
from .unions import union, union_by_name
# names PySpark's dataframe module has (its examples use them as the module's globals)
from .na import DataFrameNaFunctions  # noqa: F401
from .stats import DataFrameStatFunctions  # noqa: F401
from .types import StructField, StructType  # noqa: F401

if TYPE_CHECKING:
    from .readwriter import DataFrameWriter
    from .session import SparkSession



class DataFrame(StatMethods, ExtraMethods, BatchMethods):
    """A lazy, distributed table with Spark's API (see ``dfml.sql``)."""

    def __init__(self, frame: Any, session: "SparkSession", nullable: dict[str, bool] | None = None,
                 alias: str | None = None, sources: tuple[str, ...] = (),
                 schema: T.StructType | None = None):
        """A DataFrame over a dask frame (a source: a read, local data or an eager result);
        ``schema`` is the declared Spark schema where the caller has one."""
        schema = T.inherit_fields(T.schema_of_meta(frame._meta, nullable), [schema] if schema else [])
        self._init(Source(schema=schema, frame=frame, paths=tuple(sources)), session, alias)

    def _init(self, plan: Plan, session: "SparkSession", alias: str | None) -> None:
        self._plan = plan
        self._session = session
        self._alias = alias

    @classmethod
    def _from_plan(cls, plan: Plan, session: "SparkSession", alias: str | None = None) -> "DataFrame":
        out = cls.__new__(cls)
        out._init(plan, session, alias)
        return out

    # ------------------------------------------------------------ plan facts
    @property
    def _frame(self) -> Any:
        """The dask frame of this plan (lowered on first use after each change of the cache)."""
        return lower(self._plan, self._session)

    @property
    def _plan_id(self) -> int:
        return self._plan.plan_id

    @property
    def _sources(self) -> tuple[str, ...]:
        return self._plan.sources()

    @property
    def _nullable(self) -> dict[str, bool]:
        return {f.name: f.nullable for f in self._schema.fields}

    @property
    def _broadcast(self) -> bool:
        return isinstance(self._plan, Derived) and self._plan.hint == "broadcast"

    # ------------------------------------------------------------ schema
    @property
    def schema(self) -> T.StructType:
        return display_schema(self._plan.schema)

    @property
    def _schema(self) -> T.StructType:
        """The schema under the frame's own column names (a join's internal names included:
        ``dfml.sql.join_names``); what dfml's own code resolves and indexes with."""
        return self._plan.schema

    @property
    def columns(self) -> list[str]:
        return self.schema.names

    @property
    def _names(self) -> list[str]:
        return self._plan.schema.names

    @property
    def dtypes(self) -> list[tuple[str, str]]:
        return [(f.name, f.dataType.simpleString()) for f in self.schema.fields]

    def printSchema(self, level: int | None = None) -> None:
        print(self.schema.treeString(level))

    def _resolve_field(self, name: str) -> T.StructField:
        return self._schema[self._ctx().resolve(name)]

    def _aliases(self) -> tuple[str, ...]:
        below = join_aliases(self._plan)
        return ((self._alias,) if self._alias else ()) + below

    def _ctx(self) -> Ctx:
        """What expressions resolve against at a transformation: the plan's schema over an empty
        frame of its columns (a source's own frame), plus this frame's alias and lineage."""
        plan = self._plan
        return Ctx(lambda: meta_frame(plan), plan.schema, self._aliases(), plan.lineage())

    def _ctx_for(self, exprs: list[Any]) -> Ctx:
        """A context for compiling ``exprs``: over an empty frame of only the columns they
        read when those can be named (a wide frame's full meta costs a tenth of a second)."""
        from .analysis import narrow_ctx
        return narrow_ctx(self, exprs)

    def _with_plan(self, plan: Plan, keep_alias: bool = False) -> "DataFrame":
        return DataFrame._from_plan(plan, self._session, self._alias if keep_alias else None)

    def _new(self, frame: Any, nullable: dict[str, bool] | None = None, keep_alias: bool = True) -> "DataFrame":
        """An eager result: ``frame`` (built from this frame's) as a source that stands for this
        plan, keeping the schema (types, metadata) of columns it passes through."""
        if nullable is None:
            nullable = {c: self._nullable.get(c, True) for c in frame.columns}
        schema = T.inherit_fields(T.schema_of_meta(frame._meta, nullable), [self._schema])
        plan = Source(schema=schema, frame=frame, paths=self._sources,
                      lineage_ids=self._plan.lineage())
        return self._with_plan(plan, keep_alias)

    def _derive(self, name: str, build: Callable[..., "DataFrame"], *others: "DataFrame",
                hint: str | None = None, keep_alias: bool = False) -> "DataFrame":
        """A ``Derived`` node: ``build(self, *others)`` over empty stand-ins resolves it now (its
        errors raise here) and gives its schema; an action runs it over the lowered inputs."""
        inputs = (self,) + others
        stand_in = self._stand_in_maker()
        probe = build(*[stand_in(d._plan, meta_frame(d._plan), d._alias) for d in inputs])
        schema = T.inherit_fields(probe._schema, [d._schema for d in inputs])
        plan = Derived(schema=schema, inputs=tuple(d._plan for d in inputs), build=build,
                       stand_in=stand_in, name=name, aliases=tuple(d._alias for d in inputs),
                       hint=hint)
        return self._with_plan(plan, keep_alias)

    def _stand_in_maker(self) -> Callable[[Plan, Any, str | None], "DataFrame"]:
        """How a Derived node of this session makes its input DataFrames from frames."""
        session = self._session

        def stand_in(plan: Plan, frame: Any, alias: str | None) -> "DataFrame":
            return DataFrame._from_plan(stand_in_source(plan, frame), session, alias)
        return stand_in

    # ------------------------------------------------------------ column access
    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, str) and item == "*":
            return Column(Star(plan_id=self._plan_id))
        if isinstance(item, str):
            ColumnRef(item).compile(self._ctx())  # unknown names fail here, as in Spark
            return Column(ColumnRef(item, self._plan_id))
        if isinstance(item, Column):
            return self.filter(item)
        if isinstance(item, (list, tuple)):
            return self.select(*item)
        if isinstance(item, int):
            return Column(ColumnRef.of(self._names[item], self._plan_id))
        raise TypeError(f"unexpected item type: {type(item).__name__}")

    def __getattr__(self, name: str) -> Column:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self.columns:
            raise AttributeError(f"'DataFrame' object has no attribute '{name}'")
        return Column(ColumnRef.of(name, self._plan_id))

    # ------------------------------------------------------------ projections
    def _expand(self, cols: tuple[Any, ...]) -> list[Expr]:
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        exprs: list[Expr] = []
        for c in cols:
            e = to_expr(c)
            if isinstance(e, Star):
                fields = struct_star_fields(e, self._schema, self._alias,
                                            lambda n: side_columns(self._plan, self._names, None, n))
                exprs.extend(fields if fields is not None else
                             [ColumnRef.of(n) for n in self._star(e)])
            else:
                exprs.append(expand_star_calls(e, self._star))
        return exprs

    def _star(self, e: Star) -> list[str]:
        """The columns ``*`` stands for: all, or one join input's (``x.*``, ``a["*"]``)."""
        if hasattr(e, "names"):  # colRegex
            return e.names(self._names)
        if e.plan_id in (None, self._plan_id) and e.qualifier in (None, self._alias):
            return self._names
        found = side_columns(self._plan, self._names, e.plan_id, e.qualifier)
        if found is None:
            what = f"'{e.qualifier}.*'" if e.qualifier else "df[\"*\"]"
            raise AnalysisException(f"cannot resolve {what}: no such alias or DataFrame in this "
                                    f"DataFrame's inputs (its alias is {self._alias!r})")
        return found

    def select(self, *cols: Any) -> "DataFrame":
        from .subqueries import select_with_subqueries
        from .subquery_nodes import has_subquery
        exprs = self._expand(cols)
        if has_subquery(exprs):
            return select_with_subqueries(self, exprs)
        return plan_projection(self, exprs)

    def selectExpr(self, *expr: str) -> "DataFrame":
        from . import functions
        from .sqlparse import select_expr
        return select_expr(self, expr, functions)

    def withColumns(self, *colsMap: dict[str, Column]) -> "DataFrame":
        if len(colsMap) != 1 or not isinstance(colsMap[0], dict):
            raise TypeError("withColumns() takes one dict of name -> Column")
        for name, c in colsMap[0].items():
            if not isinstance(c, Column):
                raise TypeError(f"withColumns(): the value for {name!r} must be a Column, got "
                                f"{type(c).__name__}")
        return plan_with_columns(self, {k: expand_star_calls(c._expr, self._star)
                                        for k, c in colsMap[0].items()})

    def withColumn(self, colName: str, col: Column) -> "DataFrame":
        if not isinstance(col, Column):
            raise TypeError(f"withColumn(): col must be a Column, got {type(col).__name__}")
        return self.withColumns({colName: col})

    def withColumnRenamed(self, existing: str, new: str) -> "DataFrame":
        names = self._names
        hits = [c for c in names if display(c).lower() == existing.lower()]  # Spark's resolver
        if not hits:
            return self  # Spark ignores a rename of a missing column
        if any(display(c).lower() == new.lower() for c in names if c not in hits):
            raise AnalysisException(f"[COLUMN_ALREADY_EXISTS] The column `{new}` already exists.",
                                    "COLUMN_ALREADY_EXISTS")
        return self._keep([(renamed(c, new) if c in hits else c, c) for c in names])

    def _keep(self, pairs: list[tuple[str, str]]) -> "DataFrame":
        """A projection of input columns, renamed: (output name, input name) pairs; the frame's
        alias stays (as it did when drop and renames were eager)."""
        from .column import Alias
        exprs = [ColumnRef.of(src) if out == src else Alias(ColumnRef.of(src), out) for out, src in pairs]
        out = plan_projection(self, exprs)
        out._alias = self._alias
        return out

    def withColumnsRenamed(self, colsMap: dict[str, str]) -> "DataFrame":
        out = self
        for k, v in colsMap.items():
            out = out.withColumnRenamed(k, v)
        return out

    def toDF(self, *cols: str) -> "DataFrame":
        if len(cols) != len(self._names):
            raise ValueError(f"toDF() got {len(cols)} names for {len(self._names)} columns")
        return self.select(*[Column(ColumnRef.of(o)).alias(n) for o, n in zip(self._names, cols)])

    def drop(self, *cols: Any) -> "DataFrame":
        names = set()
        for c in cols:
            if isinstance(c, Column):
                if isinstance(c._expr, ColumnRef):
                    try:
                        names.add(self._ctx().resolve(c._expr.name, c._expr.plan_id))
                    except AnalysisException:
                        pass
                continue
            for n in self._names:
                if display(n).lower() == str(c).lower():
                    names.add(n)
        keep = [c for c in self._names if c not in names]
        if len(keep) == len(self._names):
            return self
        return self._keep([(c, c) for c in keep])

    def alias(self, alias: str) -> "DataFrame":
        return DataFrame._from_plan(self._plan, self._session, alias)

    def createOrReplaceTempView(self, name: str) -> None:
        from .sqlparse import session_views
        session_views(self._session).create(name, self, replace=True)

    def createTempView(self, name: str) -> None:
        from .sqlparse import session_views
        session_views(self._session).create(name, self, replace=False)

    def createGlobalTempView(self, name: str) -> None:
        from .sqlparse import session_views
        session_views(self._session).create(name, self, replace=False, global_=True)

    def createOrReplaceGlobalTempView(self, name: str) -> None:
        from .sqlparse import session_views
        session_views(self._session).create(name, self, replace=True, global_=True)

    def transform(self, func: Callable[..., "DataFrame"], *args: Any, **kwargs: Any) -> "DataFrame":
        out = func(self, *args, **kwargs)
        if not isinstance(out, DataFrame):
            raise TypeError(f"transform(): the function returned {type(out).__name__}, not a DataFrame")
        return out

    # ------------------------------------------------------------ filters
    def unpivot(self, ids: Any, values: Any, variableColumnName: str,
                valueColumnName: str) -> "DataFrame":
        from .reshape import unpivot
        return unpivot(self, ids, values, variableColumnName, valueColumnName)

    melt = unpivot

    def withMetadata(self, columnName: str, metadata: dict[str, Any]) -> "DataFrame":
        return self.withColumn(columnName, self[columnName].alias(columnName, metadata=metadata))

    @property
    def isStreaming(self) -> bool:
        return False

    def toArrow(self) -> pa.Table:
        """The rows as an Arrow table with Spark's Arrow types (32-bit string offsets)."""
        from .conversion import spark_arrow_table
        return spark_arrow_table(self._collect_table())

    def mapInPandas(self, func: Callable[..., Any], schema: Any, barrier: bool = False) -> "DataFrame":
        from .pandas_api import map_in_pandas
        return map_in_pandas(self, func, schema)

    def mapInArrow(self, func: Callable[..., Any], schema: Any, barrier: bool = False) -> "DataFrame":
        from .pandas_api import map_in_pandas
        return map_in_pandas(self, func, schema, arrow=True)

    def filter(self, condition: Column | str) -> "DataFrame":
        if isinstance(condition, str):
            from . import functions
            from .sqlparse import expr_column
            condition = expr_column(condition, functions)
        from .subqueries import filter_with_subqueries
        from .subquery_nodes import has_outer, has_subquery
        if has_subquery([condition._expr]):
            return filter_with_subqueries(self, condition._expr)
        if has_outer(condition._expr):  # a correlated subquery's body: resolved when decorrelated
            return self._with_plan(Filter(schema=self._schema, child=self._plan,
                                          condition=condition._expr, aliases=self._aliases()),
                                   keep_alias=True)
        t = condition._expr.compile(self._ctx_for([condition._expr]))
        if not isinstance(t.dtype, (T.BooleanType, T.NullType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN] Cannot resolve "{condition._expr.sql()}": '
                f'filter expression of type "{t.dtype.simpleString().upper()}" is not a boolean.',
                "DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN")
        if t.is_scalar:
            return self if t.value else self.limit(0)
        return self._with_plan(Filter(schema=self._schema, child=self._plan,
                                      condition=condition._expr, aliases=self._aliases()),
                               keep_alias=True)

    where = filter

    # ------------------------------------------------------------ grouping
    def groupBy(self, *cols: Any) -> GroupedData:
        keys = group_keys(cols, self._names)
        ctx = self._ctx_for(keys)
        for k in keys:
            k.compile(ctx)
        return GroupedData(self, keys)

    def _aggregate(self, keys: list[Expr], outputs: list[Expr]) -> "DataFrame":
        return plan_aggregate(self, keys, outputs)  # GroupedData.agg's plan (windows included)

    groupby = groupBy

    def rollup(self, *cols: Any) -> GroupedData:
        from .grouping_sets import grouped
        return grouped(self, "rollup", cols)

    def cube(self, *cols: Any) -> GroupedData:
        from .grouping_sets import grouped
        return grouped(self, "cube", cols)

    def groupingSets(self, groupingSets: Any, *cols: Any) -> GroupedData:
        from .grouping_sets import grouped
        return grouped(self, "sets", cols, groupingSets)

    def agg(self, *exprs: Any) -> "DataFrame":
        return GroupedData(self, []).agg(*exprs)

    # ------------------------------------------------------------ joins & set ops
    def join(self, other: "DataFrame", on: Any = None, how: str | None = None) -> "DataFrame":
        from .joins import join, sides
        tags = sides(self, other)
        return self._derive("Join", lambda l, r: join(l, r, on, how, tags), other)

    def crossJoin(self, other: "DataFrame") -> "DataFrame":
        from .joins import join, sides
        tags = sides(self, other)
        return self._derive("Join cross", lambda l, r: join(l, r, None, "cross", tags), other)

    def union(self, other: "DataFrame") -> "DataFrame":
        if len(other.columns) != len(self.columns):
            raise AnalysisException(
                f"[NUM_COLUMNS_MISMATCH] UNION can only be performed on inputs with the same number "
                f"of columns, but the first input has {len(self.columns)} columns and the second "
                f"input has {len(other.columns)} columns.", "NUM_COLUMNS_MISMATCH")
        return self._derive("Union", union, other)

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
        return self._derive("Union byName", union_by_name, other)

    def intersect(self, other: "DataFrame") -> "DataFrame":
        from .joins import set_operation
        return self._derive("Intersect", lambda l, r: set_operation(l, r, "intersect"), other)

    def subtract(self, other: "DataFrame") -> "DataFrame":
        from .joins import set_operation
        return self._derive("Except", lambda l, r: set_operation(l, r, "subtract"), other)

    def exceptAll(self, other: "DataFrame") -> "DataFrame":
        from .joins import set_operation
        return self._derive("ExceptAll", lambda l, r: set_operation(l, r, "except_all"), other)

    def intersectAll(self, other: "DataFrame") -> "DataFrame":
        from .joins import set_operation
        return self._derive("IntersectAll", lambda l, r: set_operation(l, r, "intersect_all"), other)

    def distinct(self) -> "DataFrame":
        return self._derive("Distinct", lambda d: d._new(drop_duplicate_rows(d._frame, d._names)),
            keep_alias=True)

    def dropDuplicates(self, subset: list[str] | None = None) -> "DataFrame":
        if subset is None:
            return self.distinct()
        if isinstance(subset, str):
            subset = [subset]
        ctx = self._ctx()
        names = [ctx.resolve(c) for c in subset]
        return self._derive("Deduplicate", lambda d: d._new(drop_duplicate_rows(d._frame, names)),
            keep_alias=True)

    drop_duplicates = dropDuplicates

    # ------------------------------------------------------------ ordering & limits
    def orderBy(self, *cols: Any, ascending: bool | list[bool] | None = None) -> "DataFrame":
        return self._sort(cols, ascending, False)

    sort = orderBy

    def sortWithinPartitions(self, *cols: Any, ascending: Any = None) -> "DataFrame":
        return self._sort(cols, ascending, True)

    def _sort(self, cols: tuple[Any, ...], ascending: Any, within: bool) -> "DataFrame":
        from .ordering import sort_keys
        keys = sort_keys(cols, ascending, self._names)
        ctx = self._ctx()
        for k in keys:
            k.children[0].compile(ctx)  # resolves names and types now
        return self._with_plan(Sort(schema=self._schema, child=self._plan, keys=tuple(keys),
                                    within_partitions=within, aliases=self._aliases()),
                               keep_alias=True)

    def limit(self, num: int) -> "DataFrame":
        if not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise ValueError(f"limit(): the number of rows must be a non-negative int, got {num!r}")
        return self._with_plan(Limit(schema=self._schema, child=self._plan, n=num), keep_alias=True)

    def offset(self, num: int) -> "DataFrame":
        from .positions import offset
        return offset(self, num)

    # ------------------------------------------------------------ sampling
    def sample(self, withReplacement: Any = None, fraction: Any = None, seed: int | None = None) -> "DataFrame":
        from .sampling import sample
        return sample(self, withReplacement, fraction, seed)

    def randomSplit(self, weights: list[float], seed: int | None = None) -> list["DataFrame"]:
        from .sampling import random_split
        return random_split(self, weights, seed)

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
        n = numPartitions
        if cols:
            ctx = self._ctx()
            names = [ctx.resolve(c if isinstance(c, str) else c._expr.sql()) for c in cols]
            return self._derive("Repartition", lambda d: d._new(
                unique_labels(d._frame).shuffle(on=names, npartitions=n)), keep_alias=True)
        return self._derive("Repartition", lambda d: d._new(d._frame.repartition(npartitions=n)),
                            keep_alias=True)

    def coalesce(self, numPartitions: int) -> "DataFrame":
        if not isinstance(numPartitions, int) or numPartitions <= 0:
            raise ValueError(f"coalesce(): numPartitions must be a positive int, got {numPartitions!r}")
        n = numPartitions
        return self._derive("Coalesce", lambda d: d if n >= d._frame.npartitions
                            else d._new(d._frame.repartition(npartitions=n)), keep_alias=True)

    def cache(self) -> "DataFrame":
        """Keep this frame's partitions in cluster memory (runs its graph once, now, in the
        background; later actions on it and on frames derived from it reuse the partitions).
        The session keeps the partitions under this plan, as Spark's cache manager does; the
        DataFrame itself is unchanged."""
        self._session._cache_plan(self._plan, self._frame)
        return self

    def persist(self, storageLevel: Any = None) -> "DataFrame":
        self._session._storage_levels[self._plan.plan_id] = storageLevel  # reported back as set
        return self.cache()

    def unpersist(self, blocking: bool = False) -> "DataFrame":
        self._session._storage_levels[self._plan.plan_id] = False
        self._session._uncache_plan(self._plan.plan_id)
        return self

    @property
    def storageLevel(self) -> Any:
        level = self._session._storage_levels.get(self._plan.plan_id)
        cached = self._plan.plan_id in self._session._cached and level is not False
        return (level or StorageLevel.MEMORY_AND_DISK_DESER) if cached else StorageLevel.NONE

    def checkpoint(self, eager: bool = True) -> "DataFrame":
        return self.cache()

    localCheckpoint = checkpoint

    def hint(self, name: str, *parameters: Any) -> "DataFrame":
        kind = "broadcast" if name.lower() in ("broadcast", "broadcastjoin", "mapjoin") else name
        return self._derive(f"ResolvedHint {name}", lambda d: d, hint=kind, keep_alias=True)

    @property
    def rdd(self) -> Any:
        """The rows as an RDD of Rows (a small facade: see ``dfml.sql.rdd``)."""
        from .rdd import rdd_of_frame
        return rdd_of_frame(self)

    def getNumPartitions(self) -> int:
        return self._frame.npartitions

    # ------------------------------------------------------------ actions
    def toPandas(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame with numpy-backed dtypes, as PySpark returns them."""
        out = to_numpy_frame(self._session._run(self._frame))
        if any_internal(out.columns):
            out.columns = [display(c) for c in out.columns]
        return out

    def _collect_table(self, frame: Any = None) -> pa.Table:
        pdf = self._session._run(self._frame if frame is None else frame)
        table = to_arrow_table(pdf, self._schema)
        return table.rename_columns(self.columns) if any_internal(table.column_names) else table

    def collect(self) -> list[Row]:
        table = self._collect_table()
        return rows_of(table, self.columns)

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
        rows = rows_of(table, self.columns)
        return show_string(self.schema, rows, n, truncate, vertical)

    def describe(self, *cols: Any) -> "DataFrame":
        from .stats import describe
        return describe(self, list(cols[0]) if len(cols) == 1 and isinstance(cols[0], list) else list(cols))

    def summary(self, *statistics: str) -> "DataFrame":
        from .stats import summary
        return summary(self, list(statistics))

    def explain(self, extended: Any = None, mode: str | None = None) -> None:
        """Print the logical plan, then the optimized dask plan and what each parquet read gets;
        ``mode="simple"`` (or ``extended=False``) prints the logical plan only, ``mode="graph"``
        the plan as Graphviz DOT text (``dfml.sql.plan_graph``); arguments checked as Spark's."""
        print(self._explain_string(extended, mode))

    def _explain_string(self, extended: Any = None, mode: str | None = None) -> str:
        from .explain import explain_mode, explain_string
        from .plan_graph import dataframe_graph
        mode = explain_mode(extended, mode)
        if mode == "graph":
            return dataframe_graph(self._plan).dot
        text = "== Logical Plan ==\n" + tree_string(self._plan)
        if mode == "simple":
            return text
        return text + "\n\n" + explain_string(self._frame)

    def foreach(self, f: Callable[[Row], None]) -> None:
        """``f`` on every row, on the workers (as Spark runs it on the executors)."""
        self.rdd.foreach(f)

    def foreachPartition(self, f: Callable[[Iterable[Row]], None]) -> None:
        self.rdd.foreachPartition(f)

    @property
    def write(self) -> "DataFrameWriter":
        from .readwriter import DataFrameWriter
        return DataFrameWriter(self)

    @property
    def sparkSession(self) -> "SparkSession":
        return self._session

    def __repr__(self) -> str:
        return "DataFrame[" + ", ".join(f"{n}: {t}" for n, t in self.dtypes) + "]"
