"""dfml: Spark's DataFrame and ML pipeline API, running on Dask."""

__version__ = "0.1.0"

import os as _os
import sys as _sys

# Arrow's scan warns about buffer alignment it handles anyway; keep user output clean (workers
# inherit the setting when the local cluster starts).
_os.environ.setdefault("ACERO_ALIGNMENT_HANDLING", "ignore")

# dfml keeps every column Arrow-typed (large_string for strings); dask would otherwise turn
# Arrow strings of local data into pandas' StringDtype on the way in. Importing dask costs a
# tenth of a second that `import dfml` need not pay: when dask is not imported yet, dask reads
# the setting from its environment variable when it is (worker processes inherit it too).
if "dask" in _sys.modules:
    _sys.modules["dask"].config.set({"dataframe.convert-string": False})
else:
    _os.environ["DASK_DATAFRAME__CONVERT_STRING"] = "False"


def __getattr__(name: str):
    # ``from dfml import SparkContext, SparkConf`` as from pyspark, without importing dfml.sql
    # (and dask's dataframe machinery) for every ``import dfml``.
    if name in ("SparkContext", "SparkConf"):
        from .sql import context
        return getattr(context, name)
    if name == "StorageLevel":
        from .storagelevel import StorageLevel
        return StorageLevel
    if name == "RDD":
        from .sql.rdd import RDD
        return RDD
    raise AttributeError(f"module 'dfml' has no attribute {name!r}")
