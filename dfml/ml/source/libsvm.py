"""The libsvm text format: ``spark.read.format("libsvm")`` and ``df.write.format("libsvm")``.

A line is ``label index:value index:value ...`` with 1-based, strictly increasing indices;
blank lines and lines starting with ``#`` are skipped. Reading gives Spark's two columns,
``label`` (double) and ``features`` (a vector, sparse by default, ``vectorType=dense`` for
dense; sparse rows keep only nonzero values, as Spark's reader does). Files are split into
blocks on line boundaries (``spark.sql.files.maxPartitionBytes``, 128 MB by default), one
partition per block; compressed files are one partition each. Without the ``numFeatures``
option the size of the vectors is the largest index in the data, found by a scan when the
DataFrame is created (one extra pass, as in Spark).

Numbers are parsed as the JVM parses them (``NaN``, ``Infinity``, a ``d``/``f`` suffix are
accepted; Python-only spellings such as ``inf`` or ``1_000`` are not), so a file Spark rejects
is rejected here too.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ...sql import _engine
from ...sql import types as T
from ...sql.formatting import format_double
from ...sql.errors import AnalysisException, IllegalArgumentException, SparkException
from ...sql.io import sources
from ...sql.io.files import list_data_files
from ..linalg import VECTOR_ARROW_TYPE, VectorUDT, csr_to_arrow, dense_to_arrow

__all__ = ["parse_libsvm", "LibSVMSource"]

_JAVA_WS = "".join(chr(i) for i in range(33))  # what Java's String.trim removes
_DOUBLE = re.compile(r"[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)")
_INT = re.compile(r"[+-]?\d+")
_SCHEMA = pa.schema([pa.field("label", pa.float64()), pa.field("features", VECTOR_ARROW_TYPE)])
_COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd", ".lz4": "lz4",
               ".snappy": "snappy"}


def _double(s: str, line: str) -> float:
    t = s.strip(_JAVA_WS)
    if not _DOUBLE.fullmatch(t):
        raise SparkException(f'NumberFormatException: For input string: "{s}" (libsvm line: '
                             f'"{line}")')
    if t[-1] in "fFdD" and not t.endswith("Infinity"):
        t = t[:-1]
    return float(t)


def _index(s: str, line: str) -> int:
    if not _INT.fullmatch(s) or not -2**31 <= int(s) < 2**31:
        raise SparkException(f'NumberFormatException: For input string: "{s}" (libsvm line: '
                             f'"{line}")')
    return int(s)


# A line in the common form (plain decimal numbers, single spaces, at most 9-digit indices):
# Python's own int/float read exactly these tokens as the JVM does, so such lines skip the
# per-token checks; any other line takes the exact path below.
_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_SIMPLE_LINE = re.compile(rf"{_NUM}(?: [+]?\d{{1,9}}:(?:{_NUM}|[+-]?NaN|[+-]?Infinity))*")


def _parse_line(line: str, indices: list[int], values: list[float]) -> float:
    """The label of one (trimmed, non-comment) line; its entries go to ``indices``/``values``."""
    items = line.split(" ")
    label = _double(items[0], line)
    previous = -1
    for item in items[1:]:
        if not item:
            continue
        parts = item.split(":")
        while parts and parts[-1] == "":  # Java's split drops trailing empty strings
            parts.pop()
        if len(parts) < 2:
            raise SparkException(f'libsvm: "{item}" is not index:value (line: "{line}")')
        current = _index(parts[0], line) - 1
        if current <= previous:
            raise SparkException(
                f"requirement failed: indices should be one-based and in ascending order; "
                f'found current={current}, previous={previous}; line="{line}"')
        indices.append(current)
        values.append(_double(parts[1], line))
        previous = current
    return label


def parse_libsvm(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(labels, row offsets, 0-based indices, values) of the records in ``text``."""
    lines = [line for line in (raw.strip(_JAVA_WS) for raw in text.split("\n"))
             if line and line[0] != "#"]
    simple = _SIMPLE_LINE.fullmatch
    if all(simple(line) for line in lines):
        # numpy converts every number of the block in one call
        heads = [line.partition(" ") for line in lines]
        labels = np.array([h[0] for h in heads], dtype=np.float64)
        counts = [h[2].count(":") for h in heads]
        flat = np.array(" ".join(h[2] for h in heads).replace(":", " ").split(),
                        dtype=np.float64)
        idx, values = flat[0::2].astype(np.int64) - 1, flat[1::2]
    else:
        label_list: list[float] = []
        counts, index_list, value_list = [], [], []
        for line in lines:
            before = len(index_list)
            label_list.append(_parse_line(line, index_list, value_list))
            counts.append(len(index_list) - before)
        labels = np.asarray(label_list, dtype=np.float64)
        idx = np.asarray(index_list, dtype=np.int64)
        values = np.asarray(value_list, dtype=np.float64)
    indptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    # indices must start at 0 (1-based 1) and increase within each row
    first = np.zeros(len(idx), dtype=bool)
    first[indptr[:-1][np.diff(indptr) > 0]] = True
    ok = np.where(first, idx >= 0, np.r_[True, idx[1:] > idx[:-1]])
    if not ok.all():
        row = int(np.searchsorted(indptr, int(np.flatnonzero(~ok)[0]), side="right")) - 1
        _parse_line(lines[row], [], [])  # raises Spark's message for that line
    return labels, indptr, idx.astype(np.int32), values


def _block_text(fs: Any, block: tuple) -> str:
    from fsspec.utils import read_block
    path, offset, length, compression = block
    with fs.open(path, "rb", compression=compression) as f:
        data = f.read() if length is None else read_block(f, offset, length, delimiter=b"\n")
    return data.decode("utf-8")


class _MaxIndex:
    """Per block: the largest 0-based index (0 for rows without features, as Spark counts) and
    the number of records."""
    __name__ = "libsvm_max_index"  # dask names its tasks after this (a repr would hold an address)


    def __init__(self, fs: Any):
        self.fs = fs

    def __call__(self, block: tuple) -> pd.DataFrame:
        labels, indptr, indices, _ = parse_libsvm(_block_text(self.fs, block))
        last = np.zeros(len(labels), dtype=np.int64)
        has = np.diff(indptr) > 0
        last[has] = indices[indptr[1:][has] - 1]
        return pd.DataFrame({"m": [int(last.max()) if len(last) else -1],
                             "n": [len(labels)]})


class _BlockReader:
    """Parses one block into a partition of (label, features); ``columns`` (given by dask-expr
    when a query reads fewer columns) skips building what is not read."""
    __name__ = "read_libsvm"  # dask names its tasks after this (a repr would hold an address)


    def __init__(self, fs: Any, num_features: int, dense: bool):
        self.fs, self.num_features, self.dense = fs, num_features, dense

    def __call__(self, block: tuple, columns: list[str] | None = None) -> pd.DataFrame:
        import scipy.sparse as sp
        labels, indptr, indices, values = parse_libsvm(_block_text(self.fs, block))
        n, d = len(labels), self.num_features
        if len(indices) and indices.max() >= d:
            bad = int(indices.max())
            raise SparkException(f"libsvm: feature index {bad + 1} (1-based) is beyond "
                                 f"numFeatures={d} in {block[0]}")
        names = list(columns) if columns is not None else _SCHEMA.names
        arrays = []
        for name in names:
            if name == "label":
                arrays.append(pa.array(labels))
                continue
            keep = values != 0  # Spark's reader stores nonzeros only (NaN is kept)
            ip, ix, vs = indptr, indices, values
            if not keep.all():
                rows = np.repeat(np.arange(n), np.diff(indptr))
                ip = np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=n))]
                ix, vs = indices[keep], values[keep]
            m = sp.csr_matrix((vs, ix, ip), shape=(n, d))
            arrays.append(dense_to_arrow(m.toarray()) if self.dense else csr_to_arrow(m))
        table = pa.Table.from_arrays(arrays, schema=pa.schema([_SCHEMA.field(c) for c in names]))
        return table.to_pandas(types_mapper=pd.ArrowDtype, ignore_metadata=True)


class LibSVMSource:
    """The ``libsvm`` data source."""

    extension = "libsvm"

    def read(self, dfr: Any, path: str | list[str]) -> Any:
        import dask.dataframe as dd
        opts = dfr._options
        vector_type = str(opts.get("vectortype", "sparse"))
        if vector_type not in ("sparse", "dense"):
            raise IllegalArgumentException(f"Invalid value `{vector_type}` for parameter "
                                           f"`vectorType`. Expected types are `sparse` and "
                                           f"`dense`.")
        num_features = opts.get("numfeatures")
        try:
            num_features = int(num_features) if num_features is not None else 0
        except ValueError:
            raise IllegalArgumentException(f"numFeatures must be an integer, got "
                                           f"{opts.get('numfeatures')!r}") from None
        fs, files = list_data_files(path)
        session = _engine.session_of(dfr)
        blocks = _blocks(fs, files, _max_partition_bytes(session))
        if num_features <= 0:  # Spark scans the data for the largest index
            scan = dd.from_map(_MaxIndex(fs), blocks, enforce_metadata=False,
                               meta=pd.DataFrame({"m": pd.Series([], dtype="int64"),
                                                  "n": pd.Series([], dtype="int64")}),
                               label="dfml-libsvm-scan")
            found = _engine.run(session, scan)
            if int(found["n"].sum()) == 0:
                raise SparkException(f"empty collection: no libsvm records under {path}, so the "
                                     f"number of features is unknown; set the numFeatures option")
            num_features = int(found["m"].max()) + 1
        reader = _BlockReader(fs, num_features, vector_type == "dense")
        meta = _SCHEMA.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
        frame = dd.from_map(reader, blocks, meta=meta, enforce_metadata=False,
                            label="dfml-read-libsvm")
        return _engine.from_source(session, frame, [path] if isinstance(path, str) else path)

    def check_write(self, schema: T.StructType) -> None:
        fields = schema.fields
        if len(fields) != 2 or not isinstance(fields[0].dataType, T.DoubleType) \
                or not isinstance(fields[1].dataType, VectorUDT):
            raise AnalysisException(
                f"Illegal schema for libsvm data, schema={schema.simpleString()}: the libsvm "
                f"source writes exactly two columns, a double label and a vector of features")

    def encode(self, table: pa.Table, schema: T.StructType, options: dict) -> bytes:
        lines = []
        labels = table.column(0).to_pylist()
        vectors = table.column(1).to_pylist()
        for label, v in zip(labels, vectors):
            if label is None or v is None:
                raise SparkException("libsvm: cannot write a row with a null label or vector")
            parts = [format_double(label)]
            if v["type"] == 1:
                parts += [f"{i + 1}:{format_double(x)}" for i, x in enumerate(v["values"])]
            else:
                parts += [f"{i + 1}:{format_double(x)}" for i, x in zip(v["indices"], v["values"])]
            lines.append(" ".join(parts))
        return "".join(line + "\n" for line in lines).encode()


def _max_partition_bytes(session: Any) -> int:
    raw = session.conf.get("spark.sql.files.maxPartitionBytes")
    if raw is None:
        return 128 * 1024 * 1024
    s = str(raw).strip().lower().rstrip("b")
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    if s and s[-1] in scale:
        return max(int(float(s[:-1]) * scale[s[-1]]), 1)
    return max(int(s), 1)


def _blocks(fs: Any, files: list[str], size: int) -> list[tuple]:
    """(path, offset, length, compression) per partition; whole files when compressed."""
    out = []
    for f in files:
        ext = "." + f.rsplit(".", 1)[-1].lower() if "." in f.rsplit("/", 1)[-1] else ""
        if ext in _COMPRESSED:
            out.append((f, 0, None, _COMPRESSED[ext]))
            continue
        total = fs.size(f)
        if total == 0:
            continue
        for off in range(0, total, size):
            out.append((f, off, min(size, total - off), None))
    return out or [(files[0], 0, None, None)]


sources.register(LibSVMSource(), "libsvm", "org.apache.spark.ml.source.libsvm",
                 "org.apache.spark.ml.source.libsvm.libsvmfileformat")
