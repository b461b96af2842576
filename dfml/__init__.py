"""dfml: Spark's DataFrame and ML pipeline API, running on Dask."""

__version__ = "0.1.0"
