"""``dfml.sql``: PySpark's DataFrame API on Dask (``SparkSession``, ``DataFrame``, ``Column``, ...)."""

from . import functions, types
from .column import Column
from .dataframe import DataFrame
from .errors import AnalysisException, IllegalArgumentException
from .group import GroupedData
from .row import Row
from .session import SparkSession
from .window import Window, WindowSpec

__all__ = ["SparkSession", "DataFrame", "Column", "Row", "GroupedData", "AnalysisException",
           "IllegalArgumentException", "functions", "types", "Window", "WindowSpec"]
