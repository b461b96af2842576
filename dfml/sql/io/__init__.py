"""Data sources: parquet (through dask-expr's own reader, so pushdown works), csv, json."""
