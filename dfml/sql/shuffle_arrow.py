"""Arrow <-> pandas converters for dask's P2P shuffle, installed when this module is imported.

The session's worker plugin imports it on every worker; when the workers are threads of the
driver's process, the driver imports it before its first graph instead (it imports
dask.dataframe, the largest part of a session's start-up).
"""

import functools

import pandas as pd


# Dask's P2P shuffle sends partitions as Arrow tables and turns them back into pandas with
# pandas' own metadata, which brings Arrow-backed decimals, lists, structs and maps back as
# columns of Python objects (a decimal column after a shuffle: Decimal objects, ~50x slower in
# every kernel that follows, and a window over TPC-H orders spent most of its time converting
# them back). The converter below keeps every Arrow type the frame's meta declares Arrow-backed.
def _from_arrow_keeping_arrow_dtypes(meta: pd.DataFrame, table, **kwargs):  # noqa: ANN001
    arrow_backed = {d.pyarrow_dtype: d for d in meta.dtypes.values if isinstance(d, pd.ArrowDtype)}
    pyarrow_strings = pd.StringDtype("pyarrow") in meta.dtypes.values

    def mapper(arrow_type):  # noqa: ANN001, ANN202
        if arrow_type in arrow_backed:
            return arrow_backed[arrow_type]
        if pyarrow_strings and str(arrow_type) in ("string", "large_string"):
            return pd.StringDtype("pyarrow")  # what dask's own converter does
        return None

    return table.to_pandas(types_mapper=kwargs.pop("types_mapper", mapper), **kwargs)


# The other direction: the table's pandas metadata names each column's dtype as a string, and
# pandas cannot read back the names of nested Arrow types ("large_list<item: int32>[pyarrow]"),
# so the shuffle's first conversion failed on any frame with an array, map or struct column
# (a window or repartition by key over it raised "P2P ... failed during barrier phase"). Such
# columns are described as objects there; the converter above restores them from the meta.
def _to_arrow_with_readable_metadata(frame: pd.DataFrame, **kwargs):  # noqa: ANN202
    import json

    import pyarrow as pa
    table = pa.Table.from_pandas(frame, **kwargs)
    raw = (table.schema.metadata or {}).get(b"pandas")
    if raw is None:
        return table
    meta = json.loads(raw)
    changed = False
    for column in meta.get("columns", []):
        name = column.get("numpy_type") or ""
        if name.endswith("[pyarrow]") and not _readable_dtype(name):
            column["numpy_type"], changed = "object", True
    if not changed:
        return table
    return table.replace_schema_metadata({**table.schema.metadata,
                                          b"pandas": json.dumps(meta).encode()})


@functools.lru_cache(maxsize=None)
def _readable_dtype(name: str) -> bool:
    """Whether pandas reads the dtype ``name`` back (asked once per name: every shard of every
    shuffle passes here)."""
    try:
        pd.api.types.pandas_dtype(name)
    except TypeError:
        return False
    return True


def _install_shuffle_converter() -> None:
    from dask.dataframe.dispatch import from_pyarrow_table_dispatch, to_pyarrow_table_dispatch
    from_pyarrow_table_dispatch.register(pd.DataFrame)(_from_arrow_keeping_arrow_dtypes)
    to_pyarrow_table_dispatch.register(pd.DataFrame)(_to_arrow_with_readable_metadata)


_install_shuffle_converter()
