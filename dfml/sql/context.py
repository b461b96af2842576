"""``SparkContext`` and ``SparkConf``: what a PySpark script touches before its first DataFrame.

Most scripts start with ``spark.sparkContext.setLogLevel("ERROR")``, read the app id or the
parallelism, ship a helper file with ``addPyFile``, or ``parallelize`` a small list. dfml has
no JVM context: this is a thin view of the session (its conf and its Dask client) that answers
those calls as Spark does, with Spark's names and errors.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Iterable

from .errors import IllegalArgumentException

__all__ = ["SparkConf", "SparkContext"]

# Spark's log levels and the Python logging level each one means here.
_LEVELS = {"ALL": logging.NOTSET + 1, "TRACE": logging.DEBUG, "DEBUG": logging.DEBUG,
           "INFO": logging.INFO, "WARN": logging.WARNING, "ERROR": logging.ERROR,
           "FATAL": logging.CRITICAL, "OFF": logging.CRITICAL + 10}
# Loggers of the engine: the client's, and (set remotely) the scheduler's and workers'.
_LOGGERS = ("distributed", "dask", "dfml", "bokeh", "tornado")


def conf_str(v: Any) -> str:
    """A setting's value as Spark stores it: strings, with booleans as ``true``/``false``."""
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _set_levels(level: int) -> None:
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(level)


class SparkConf:
    """Key/value settings, built before a session (``SparkSession.builder.config(conf=...)``)
    or read from one (``sc.getConf()``: a copy, as Spark's)."""

    def __init__(self, loadDefaults: bool = True, _values: dict[str, str] | None = None):
        self._values: dict[str, str] = dict(_values or {})

    def set(self, key: str, value: Any) -> "SparkConf":
        self._values[str(key)] = conf_str(value)
        return self

    def setIfMissing(self, key: str, value: Any) -> "SparkConf":
        if key not in self._values:
            self.set(key, value)
        return self

    def setAll(self, pairs: Iterable[tuple[str, Any]]) -> "SparkConf":
        for k, v in pairs:
            self.set(k, v)
        return self

    def setMaster(self, value: str) -> "SparkConf":
        return self.set("spark.master", value)

    def setAppName(self, value: str) -> "SparkConf":
        return self.set("spark.app.name", value)

    def get(self, key: str, defaultValue: str | None = None) -> str | None:
        return self._values.get(key, defaultValue)

    def getAll(self) -> list[tuple[str, str]]:
        return list(self._values.items())

    def contains(self, key: str) -> bool:
        return key in self._values

    def toDebugString(self) -> str:
        return "\n".join(f"{k}={v}" for k, v in self._values.items())


class SparkContext:
    """The session's context (``spark.sparkContext``); ``SparkContext.getOrCreate()`` gives the
    active session's, starting a default session when there is none."""

    # The session class, set by dfml.sql.session (which imports this module, never the reverse).
    _session_class: Any = None

    def __init__(self, session: Any):
        self._session = session
        self._started_ms = int(time.time() * 1000)

    @classmethod
    def getOrCreate(cls, conf: SparkConf | None = None) -> "SparkContext":
        builder = cls._session_class.builder
        if conf is not None:
            builder = builder.config(conf=conf)
        return builder.getOrCreate().sparkContext

    # ------------------------------------------------------------ facts about the cluster
    @property
    def version(self) -> str:
        return self._session.version

    @property
    def master(self) -> str:
        return self._session.master

    @property
    def appName(self) -> str:
        return self._session.appName

    @property
    def applicationId(self) -> str:
        """Spark's id form: ``local-<start ms>`` on a local master, the YARN application id on
        YARN, else ``dask-<start ms>``."""
        app = getattr(getattr(self._session._handle, "cluster", None), "app_id", None)
        if app:
            return str(app)
        prefix = "local" if str(self.master).startswith("local") else "dask"
        return f"{prefix}-{self._started_ms}"

    @property
    def startTime(self) -> int:
        return self._started_ms

    @property
    def defaultParallelism(self) -> int:
        return self._session.defaultParallelism

    @property
    def defaultMinPartitions(self) -> int:
        return min(self.defaultParallelism, 2)

    @property
    def uiWebUrl(self) -> str | None:
        """The Dask dashboard: what Spark's UI is to a Spark job."""
        return self._session.dashboardLink

    def getConf(self) -> SparkConf:
        return SparkConf(_values=self._session.conf.getAll())

    # ------------------------------------------------------------ actions on the cluster
    def setLogLevel(self, logLevel: str) -> None:
        """Set the engine's log level here, on the scheduler and on every worker."""
        level = _LEVELS.get(str(logLevel).upper())
        if level is None:
            raise IllegalArgumentException(
                f"requirement failed: Supplied level {logLevel} did not match one of: "
                f"ALL,DEBUG,ERROR,WARN,INFO,OFF,FATAL,TRACE")
        _set_levels(level)
        client = self._session.client
        client.run(_set_levels, level)
        client.run_on_scheduler(_set_levels, level)

    def addPyFile(self, path: str) -> None:
        """Ship a .py, .zip or .egg to every worker (and later ones) and make it importable."""
        self._session.client.upload_file(path)

    def parallelize(self, c: Iterable[Any], numSlices: int | None = None) -> Any:
        from .rdd import parallelize
        return parallelize(self._session, c, numSlices or self.defaultParallelism)

    def range(self, start: int, end: int | None = None, step: int = 1,
              numSlices: int | None = None) -> Any:
        if end is None:
            start, end = 0, start
        return self.parallelize(range(start, end, step), numSlices)

    def emptyRDD(self) -> Any:
        return self.parallelize([], 1)

    def stop(self) -> None:
        self._session.stop()

    def __repr__(self) -> str:
        return f"<SparkContext master={self.master} appName={self.appName}>"
