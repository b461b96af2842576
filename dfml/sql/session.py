"""``SparkSession``: the entry point; owns the Dask cluster and runs every action.

Each action calls ``SparkSession._run`` exactly once, which submits one dask graph to the
session's cluster. ``_run`` counts those submissions (``session.graphs_run``) so tests can
prove that transformations compute nothing and that an action is one graph.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

import pandas as pd
import pyarrow as pa

from . import types as T
from .context import SparkContext, conf_str
from .dataframe import DataFrame


# Imported on every worker when it starts: the worker settings (Spark's NaN rules, quiet task
# logs) at once; the shuffle's Arrow converters (left to the driver's first graph where workers
# are threads of this process); and, in worker processes, the parquet reader's task functions,
# so the first read task of an action does not pay the import (threads share the driver's).
_WORKER_MODULES = ("dfml.sql.worker_setup",)
_WORKER_DEFERRED = ("dfml.sql.shuffle_arrow",)
_WORKER_WARM = ("dfml.sql.io.parquet",)

# The Spark release whose semantics dfml follows (``spark.version``); parity tests run it.
SPARK_VERSION = "4.3.0"

# Spark's defaults of the settings dfml reads, answered by ``spark.conf.get`` when unset
SQL_DEFAULTS = {"spark.sql.mapKeyDedupPolicy": "EXCEPTION"}


class RuntimeConfig:
    """``spark.conf``: string settings, with Spark's ``get``/``set``/``unset``."""

    def __init__(self, values: dict[str, str]):
        self._values = values

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._values and default is None:
            return SQL_DEFAULTS.get(key)  # Spark answers its own default for a setting it knows
        return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self._values[key] = conf_str(value)

    def unset(self, key: str) -> None:
        self._values.pop(key, None)

    def getAll(self) -> dict[str, str]:
        return dict(self._values)

    def isModifiable(self, key: str) -> bool:
        return True


def _submitted_conf() -> dict[str, str]:
    """Settings ``dfml submit`` hands the script (``DFML_CONF``, a JSON object).

    They are defaults: as with spark-submit, what the script sets on the builder wins.
    """
    raw = os.environ.get("DFML_CONF")
    if not raw:
        return {}
    try:
        values = json.loads(raw)
    except ValueError as e:
        raise ValueError(f"DFML_CONF is not a JSON object of settings: {e}") from None
    if not isinstance(values, dict):
        raise ValueError("DFML_CONF is not a JSON object of settings")
    return {str(k): conf_str(v) for k, v in values.items()}


class Builder:
    """``SparkSession.builder``: collect master, app name and config, then ``getOrCreate``."""

    def __init__(self) -> None:
        self._conf: dict[str, str] = {}

    def master(self, master: str) -> "Builder":
        self._conf["spark.master"] = master
        return self

    def appName(self, name: str) -> "Builder":
        self._conf["spark.app.name"] = name
        return self

    def config(self, key: str | None = None, value: Any = None, conf: Any = None,
               map: dict | None = None) -> "Builder":
        if key is not None:
            self._conf[key] = conf_str(value)
        for k, v in (map or {}).items():
            self._conf[k] = conf_str(v)
        if conf is not None:
            pairs = conf.getAll() if hasattr(conf, "getAll") else dict(conf)
            for k, v in (pairs.items() if isinstance(pairs, dict) else pairs):
                self._conf[k] = conf_str(v)
        return self

    def enableHiveSupport(self) -> "Builder":
        return self

    def getOrCreate(self) -> "SparkSession":
        with SparkSession._lock:
            active = SparkSession._active
            if active is not None and not active._stopped:
                for k, v in self._conf.items():
                    if k != "spark.master":
                        active.conf.set(k, v)
                return active
            session = SparkSession(dict(self._conf))
            SparkSession._active = session
            return session

    create = getOrCreate


Builder.__qualname__ = "SparkSession.Builder"


class classproperty(property):
    """A property of the class itself: ``SparkSession.builder`` makes a new Builder at each
    access, on the class, as PySpark's does."""

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return self.fget(owner if owner is not None else type(instance))


class SparkSession:
    """A connection to one Dask cluster, started from (or reaching) the master URL."""

    Builder = Builder  # PySpark's name for it (its repr reads SparkSession.Builder)
    _active: "SparkSession | None" = None
    _lock = threading.RLock()

    @classproperty
    def builder(cls) -> Builder:
        return Builder()

    def __init__(self, conf: dict[str, str] | None = None):
        from ..cluster import connect
        conf = {**_submitted_conf(), **(conf or {})}
        conf.setdefault("spark.master", os.environ.get("DFML_MASTER", "local[*]"))
        conf.setdefault("spark.app.name", "dfml")
        self.conf = RuntimeConfig(conf)
        self._handle = connect(conf["spark.master"], conf)
        from ..cluster.worker import DfmlWorkerSetup
        self._handle.client.register_plugin(
            DfmlWorkerSetup(_WORKER_MODULES, _WORKER_DEFERRED, _WORKER_WARM),
            name="dfml-worker-setup")
        # graphs_run counts graph submissions; parquet_reads has one path per parquet read
        # node of each graph run; _cached maps a cached plan id -> (plan, persisted frame), as
        # Spark's cache manager keeps them, and the generation invalidates lowerings memoized
        # before a plan was cached; _storage_levels is persist()'s level per plan
        self.__dict__.update(self._fresh_state(conf))

    # ------------------------------------------------------------ lifecycle
    @classmethod
    def getActiveSession(cls) -> "SparkSession | None":
        return cls._active if cls._active is not None and not cls._active._stopped else None

    active = getActiveSession

    def newSession(self) -> "SparkSession":
        """A session on the same cluster with its own settings, temp views and cache, as
        Spark's new session shares the SparkContext and nothing else of the session's state;
        the warehouse (tables, views, databases) is the same."""
        child = object.__new__(type(self))
        child.__dict__.update(self._fresh_state(dict(self.conf.getAll())))
        child._handle = self._handle
        return child

    def _fresh_state(self, conf: dict[str, str]) -> dict[str, Any]:
        return {"conf": RuntimeConfig(conf), "_stopped": False, "graphs_run": 0,
                "_parallelism": None, "parquet_reads": [], "_cached": {},
                "_storage_levels": {}, "_cache_generation": 0, "_context": None}

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._handle.close()
        with SparkSession._lock:
            if SparkSession._active is self:
                SparkSession._active = None

    close = stop

    def __enter__(self) -> "SparkSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` this session runs its graphs on."""
        return self._handle.client

    @property
    def dashboardLink(self) -> str | None:
        try:
            return self._handle.client.dashboard_link
        except Exception:  # no dashboard (bokeh not installed)
            return None

    @property
    def version(self) -> str:
        """The Spark version whose behaviour dfml matches (scripts branch on it)."""
        return SPARK_VERSION

    @property
    def sparkContext(self) -> Any:
        if self._context is None:
            self._context = SparkContext(self)
        return self._context

    @property
    def defaultParallelism(self) -> int:
        """Threads across the cluster's workers (Spark's ``defaultParallelism``: total cores)."""
        if self._parallelism is None:
            self._parallelism = max(sum(self._handle.client.nthreads().values()), 1)
        return self._parallelism

    @property
    def master(self) -> str:
        return self.conf.get("spark.master")

    @property
    def appName(self) -> str:
        return self.conf.get("spark.app.name")

    def __repr__(self) -> str:
        return (f"<dfml.sql.session.SparkSession object master={self.master!r} "
                f"app={self.appName!r} dashboard={self.dashboardLink!r}>")

    # ------------------------------------------------------------ execution
    def _progress_enabled(self) -> bool:
        flag = str(self.conf.get("spark.dfml.progress", "true")).lower() != "false"
        return flag and sys.stdout.isatty()

    def _run(self, collection: Any) -> Any:
        """Run one dask graph on the cluster and return its result (the only place actions compute)."""
        if self._stopped:
            raise RuntimeError("this SparkSession has been stopped")
        self.graphs_run += 1
        from ..cluster.worker import import_deferred
        import_deferred()
        collection = self._record_reads(collection)
        future = self._handle.client.compute(collection)
        if self._progress_enabled():
            from distributed.diagnostics.progressbar import progress
            progress(future, notebook=False)
            print(file=sys.stdout)
        from .graph_lock import GRAPH_LOCK
        with GRAPH_LOCK.released():  # other threads may build their graphs meanwhile
            return future.result()

    def _record_reads(self, collection: Any) -> Any:
        """Optimize a frame once and note the parquet paths its plan reads (one entry per read
        node), so that tests and ``explain`` can count scans of a source. Returns the
        optimized frame: computing it costs dask only the fusion step, not a second
        optimization."""
        if not (hasattr(collection, "expr") and hasattr(collection, "optimize")):
            return collection
        from .explain import reads_in
        optimized = collection.optimize(fuse=False)
        for node in reads_in(optimized):
            path = node.operand("path")
            self.parquet_reads.append(path if isinstance(path, str) else str(path))
        return optimized

    def _cache_plan(self, plan: Any, frame: Any) -> None:
        """Persist ``frame`` (the lowering of ``plan``) and lower ``plan`` to it from now on."""
        if plan.plan_id in self._cached:
            return
        self._cached[plan.plan_id] = (plan, self._persist(frame))
        self._cache_generation += 1

    def _uncache_plan(self, plan_id: int) -> None:
        """Drop the persisted partitions of a cached plan (its futures are released with the
        last reference), so later actions recompute it, as after Spark's unpersist."""
        if self._cached.pop(plan_id, None) is not None:
            self._cache_generation += 1

    def _persist(self, collection: Any) -> Any:
        self.graphs_run += 1
        from ..cluster.worker import import_deferred
        import_deferred()
        collection = self._record_reads(collection)
        return self._handle.client.persist(collection)

    # ------------------------------------------------------------ data in
    @property
    def read(self) -> Any:
        from .readwriter import DataFrameReader
        return DataFrameReader(self)

    def createDataFrame(self, data: Any, schema: Any = None, samplingRatio: Any = None,
                        verifySchema: bool = True) -> DataFrame:
        from .local_data import create_frame
        return create_frame(self, data, schema)

    def emptyDataFrame(self, schema: Any) -> DataFrame:
        """No rows, of ``schema`` (a StructType or a DDL string)."""
        if not isinstance(schema, (str, T.StructType)):
            raise TypeError(f"emptyDataFrame: schema must be a StructType or a DDL string, got "
                            f"{type(schema).__name__}")
        return self.createDataFrame([], schema)

    @property
    def tvf(self) -> Any:
        """``spark.tvf``: Spark's table-valued functions as DataFrames (dfml.sql.tvf)."""
        from .tvf import TableValuedFunction
        return TableValuedFunction(self)

    def range(self, start: int, end: int | None = None, step: int = 1,
              numPartitions: int | None = None) -> DataFrame:
        if end is None:
            start, end = 0, start
        if step == 0:
            raise ValueError("range(): step must not be 0")
        from .local_data import range_frame
        count = len(range(start, end, step))
        slices = numPartitions or max(1, min(self._worker_count(), max(1, count // 1000)))
        return DataFrame(range_frame(start, step, count, slices), self, {"id": False})

    def _worker_count(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"]) or 1

    def _from_pandas(self, pdf: pd.DataFrame, nullable: dict[str, bool] | None = None,
                     npartitions: int | None = None, schema: T.StructType | None = None) -> DataFrame:
        """Local data as a DataFrame; ``schema`` (a declared one) keeps what pandas' dtypes
        cannot say (TimestampNTZ, metadata)."""
        import dask.dataframe as dd
        n = npartitions or max(1, min(self._worker_count(), max(1, len(pdf) // 1000)))
        return DataFrame(dd.from_pandas(pdf, npartitions=n, sort=False), self, nullable,
                         schema=schema)

    def _source(self, frame: Any, paths: tuple[str, ...],
                metadata: dict[str, dict] | None = None) -> DataFrame:
        """A DataFrame read from ``paths`` (readers and data sources make them here), with the
        column ``metadata`` the files carry."""
        schema = None
        if metadata:
            meta_schema = T.schema_of_meta(frame._meta, None)
            schema = T.StructType([T.StructField(f.name, f.dataType, f.nullable,
                                                 metadata.get(f.name, f.metadata))
                                   for f in meta_schema.fields])
        return DataFrame(frame, self, None, None, paths, schema)

    def table(self, tableName: str) -> DataFrame:
        """A temp view, else a warehouse table (dfml.sql.tables), by name."""
        from .sqlparse import session_views
        return session_views(self).get(tableName)

    @property
    def udf(self) -> Any:
        """``spark.udf.register(name, f, returnType)``: Python functions SQL text can call."""
        from .udf import UDFRegistration
        return UDFRegistration(self)

    @property
    def catalog(self) -> Any:
        from .sqlparse import session_catalog
        return session_catalog(self)

    def sql(self, sqlQuery: str, args: Any = None, **kwargs: Any) -> DataFrame:
        from . import functions
        from .sqlparse import run_sql
        return run_sql(self, sqlQuery, args, kwargs, functions)


SparkContext._session_class = SparkSession
