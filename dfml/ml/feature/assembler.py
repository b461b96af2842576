"""VectorAssembler: many numeric, boolean or vector columns into one vector column."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql import types as T
from ...sql.errors import SparkException
from .. import attributes
from ..base import Transformer, partition_column, require_absent, require_column
from ..linalg import VectorUDT, csr_to_arrow, dense_to_arrow, to_matrix
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasHandleInvalid, HasInputCols, HasOutputCol

__all__ = ["VectorAssembler", "assemble_rows", "DenseInputs"]

_INPUT_KINDS = (T.NumericType, T.BooleanType, VectorUDT)


def _column_block(a: pa.ChunkedArray, is_vector: bool, keep: bool) -> tuple[Any, np.ndarray]:
    """(matrix block of one input, null mask)."""
    arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False)) if len(arr) else np.zeros(0, bool)
    if is_vector:
        if null.any():
            good = arr.filter(pa.array(~null))
            block = to_matrix(good) if len(good) else np.zeros((0, 0))
            d = block.shape[1]
            full = sp.lil_matrix((len(arr), d)) if sp.issparse(block) else np.full((len(arr), d), np.nan)
            full[np.flatnonzero(~null)] = block
            if sp.issparse(full):
                full = full.tocsr()
                if keep:  # Spark's 'keep' turns a null vector into NaNs of its size
                    full = full.toarray()
                    full[null] = np.nan
            return full, null
        return to_matrix(arr), null
    arr = arr.cast(pa.float64())
    vals = (arr.fill_null(np.nan) if arr.null_count else arr).to_numpy(zero_copy_only=False)
    return vals.reshape(-1, 1), null


def assemble_rows(blocks: list[Any], n: int) -> pa.StructArray:
    """Rows of the horizontally joined blocks, each row dense or sparse as Spark 4.3's
    VectorAssembler picks: sparse when its bytes (12 * nnz + 20) are at most the dense form's
    (8 * size); measured against PySpark 4.3, where a 5-slot row with 2 nonzeros is dense."""
    if any(sp.issparse(b) for b in blocks):
        m: Any = hstack_csr(blocks, n)
        nnz = np.diff(m.indptr)
    else:
        m = hstack_dense(blocks, n)
        nnz = np.count_nonzero(m != 0, axis=1)  # on a bool mask: faster than on doubles
    d = m.shape[1]
    sparse_rows = 12 * nnz + 20 <= 8 * d
    if not sparse_rows.any():
        return dense_to_arrow(m.toarray() if sp.issparse(m) else m)
    if sp.issparse(m):
        if sparse_rows.all():
            return csr_to_arrow(m)
        m = m.toarray()  # mixed rows are only possible when rows are short
    return mixed_rows_to_arrow(m, sparse_rows)


def hstack_dense(blocks: list[np.ndarray], n: int, rows: int = 8192) -> np.ndarray:
    """``np.hstack`` of dense blocks (``n`` rows each) into a C-ordered float64 matrix, copied
    a band of ``rows`` rows at a time: a one-column block written down the whole matrix
    touches every cache line of it once per block (3x slower for 20 columns at 1M rows)."""
    mats = [np.asarray(b, dtype=np.float64) for b in blocks]
    mats = [b if b.ndim == 2 else b.reshape(n, -1) for b in mats]
    d = sum(b.shape[1] for b in mats)
    out = np.empty((n, d))
    for start in range(0, n, rows):
        band, pos = out[start:start + rows], 0
        for b in mats:
            w = b.shape[1]
            band[:, pos:pos + w] = b[start:start + rows]
            pos += w
    return out


def hstack_csr(blocks: list[Any], n: int) -> Any:
    """Blocks (dense arrays or sparse matrices, ``n`` rows each) side by side as one CSR matrix
    without explicit zeros, with sorted indices.

    The usual assembler input (numeric columns and one-hot vectors: a few stored values per row
    and block) is laid out as a padded ``n x W`` grid of values and column indices, ``W`` the
    sum of each block's widest row; dropping the zeros then gives the CSR matrix. That is
    slice copies instead of scipy's per-block hstack (2-3x faster on such rows). Blocks with
    a few very long rows would make the grid large; they take scipy's hstack instead."""
    mats: list[Any] = []
    widths: list[int] = []
    nnz = 0
    for b in blocks:
        if sp.issparse(b):
            c = b.tocsr()
            c.sort_indices()
            widths.append(int(np.diff(c.indptr).max()) if n and c.nnz else 0)
            nnz += c.nnz
        else:
            c = np.asarray(b, dtype=np.float64)
            c = c if c.ndim == 2 else c.reshape(n, -1)
            widths.append(c.shape[1])
            nnz += c.size
        mats.append(c)
    W = sum(widths)
    if n * W > 2 * nnz + n:
        out = sp.hstack([sp.csr_matrix(m) for m in mats], format="csr")
        out.eliminate_zeros()
        out.sort_indices()
        return out
    vals = np.zeros((n, W))
    idx = np.zeros((n, W), dtype=np.int32)
    pos = off = 0
    for c, w in zip(mats, widths):
        if not sp.issparse(c):
            vals[:, pos:pos + w] = c
            idx[:, pos:pos + w] = np.arange(off, off + w, dtype=np.int32)
        elif c.nnz:
            cnt = np.diff(c.indptr)
            rows = np.repeat(np.arange(n), cnt)
            slot = pos + np.arange(c.nnz) - np.repeat(c.indptr[:-1], cnt)
            vals[rows, slot] = c.data
            idx[rows, slot] = c.indices + off
        pos += w
        off += c.shape[1]
    out = sp.csr_matrix((vals.reshape(-1), idx.reshape(-1), np.arange(0, n * W + 1, max(W, 1))
                         if W else np.zeros(n + 1, dtype=np.int64)), shape=(n, off))
    out.eliminate_zeros()  # the padding, and zeros the inputs held
    out.has_sorted_indices = True
    return out


def mixed_rows_to_arrow(m: np.ndarray, sparse_rows: np.ndarray) -> pa.StructArray:
    """Dense rows whole and sparse rows as (indices, values), straight from one matrix: the
    entries kept (a sparse row's nonzeros, all of a dense row's) found in one pass over a mask
    of the matrix, in row-major order."""
    m = np.ascontiguousarray(m, dtype=np.float64)
    n, d = m.shape
    keep = m != 0
    keep[~sparse_rows] = True
    pos = np.flatnonzero(keep)
    row = pos // d if d else pos
    lens = np.bincount(row, minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    values = m.reshape(-1)[pos]
    cols = (pos - row * d).astype(np.int32)
    if sparse_rows.all():
        ind_offsets, ind_flat = offsets, cols
    else:
        ind_lens = np.where(sparse_rows, lens, 0)
        ind_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(ind_lens, out=ind_offsets[1:])
        ind_flat = cols[np.repeat(sparse_rows, lens)]
    fields = list(VectorUDT.arrowType())
    indices = pa.LargeListArray.from_arrays(pa.array(ind_offsets), pa.array(ind_flat),
                                            type=fields[2].type, mask=pa.array(~sparse_rows))
    vals = pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(values), type=fields[3].type)
    sizes = pa.array(np.full(n, d, dtype=np.int32), mask=~sparse_rows)
    return pa.StructArray.from_arrays(
        [pa.array(np.where(sparse_rows, 0, 1).astype(np.int8)), sizes, indices, vals],
        fields=fields)


def _output_slots(schema: T.StructType, cols: list[str],
                  sizes: dict[str, int]) -> list[tuple[str, dict]]:
    """The output's slot attributes as Spark names them: a scalar column is one slot named
    after it (keeping a nominal or binary attribute), a vector's slots are named
    ``<column>_<slot name>`` (``<column>_<i>`` when unnamed). A vector whose metadata does
    not give its size has ``sizes[c]`` numeric slots (its length in the first row)."""
    slots: list[tuple[str, dict]] = []
    for c in cols:
        field = schema[c]
        if not isinstance(field.dataType, VectorUDT):
            slots.append(attributes.scalar_slot(field))
            continue
        inner = attributes.slot_attributes(field)
        if inner is None:
            inner = [("numeric", {}) for _ in range(sizes[c])]
        for i, (kind, attr) in enumerate(inner):
            slots.append((kind, {**attr, "name": f"{c}_{attr.get('name', i)}"}))
    return slots


def _first_row_sizes(dataset: Any, cols: list[str], handle: str) -> dict[str, int]:
    """Lengths of the vector inputs whose metadata lacks a size, as Spark learns them: from
    the first row where none of them is null (one small job); an error with
    ``handleInvalid="keep"`` (a null there would leave the length unknown) or without such a
    row. VectorSizeHint records sizes and avoids the job."""
    from ...sql import functions as F
    schema = dataset.schema
    missing = [c for c in cols if isinstance(schema[c].dataType, VectorUDT)
               and attributes.slot_attributes(schema[c]) is None]
    if not missing:
        return {}
    names = ", ".join(missing)
    if handle == "keep":
        raise SparkException(
            f'VectorAssembler: can not infer column lengths with handleInvalid = "keep". '
            f"Consider using VectorSizeHint to add metadata for columns: {names}.")
    rows = dataset.select(*missing)
    for c in missing:
        rows = rows.filter(F.col(c).isNotNull())
    first = rows.first()
    if first is None:
        raise SparkException(
            f"VectorAssembler: encountered an empty dataframe while trying to determine the "
            f"length of vector columns {names}. Consider using VectorSizeHint to add metadata "
            f"for these columns.")
    return {c: len(first[c]) for c in missing}


class _AssembleKernel:
    def __init__(self, names: list[str], vector_flags: list[bool], handle: str):
        self.names, self.vector_flags, self.handle = names, vector_flags, handle

    def checked_block(self, name: str, a: Any, is_vec: bool) -> tuple[Any, np.ndarray]:
        """One input's block and null mask, after Spark's handleInvalid='error' checks."""
        block, null = _column_block(a, is_vec, self.handle == "keep")
        if self.handle == "error" and null.any():
            raise ValueError(
                f"VectorAssembler: encountered null in column {name!r} with handleInvalid="
                f"'error'; use handleInvalid='skip' to drop such rows or 'keep' to output NaN")
        if self.handle == "error" and not is_vec and np.isnan(block).any():
            # Spark counts a NaN in a numeric input as invalid too (not inside vectors)
            raise ValueError(
                f'Encountered NaN while assembling a row with handleInvalid = "error" '
                f"(column {name!r}). Consider removing NaNs from dataset or using "
                f'handleInvalid = "keep" or "skip".')
        return block, null

    def __call__(self, *cols: pa.ChunkedArray) -> pa.Array:
        n = len(cols[0])
        blocks = [self.checked_block(name, a, is_vec)[0]
                  for name, a, is_vec in zip(self.names, cols, self.vector_flags)]
        return assemble_rows(blocks, n)


class DenseInputs:
    """The assembled rows of numeric (or boolean) inputs as a dense ``(rows, inputs)`` float64
    matrix, read straight from a partition's input columns, with the checks and null handling
    of the assembler's own kernel.

    Why: an aggregation that only sums over the assembled vectors (NaiveBayes in a Pipeline)
    would otherwise have each row packed into an Arrow vector and unpacked again, which cost
    most of such a pass. The matrix is column-major (one contiguous copy per input), so a
    per-input reduction reads contiguous memory. ``row_text`` renders one row as the vector
    the assembler would have produced, for error messages that show it."""

    def __init__(self, names: list[str], handle: str):
        self.inputs = list(names)
        self.kernel = _AssembleKernel(self.inputs, [False] * len(self.inputs), handle)

    def __call__(self, part: Any) -> np.ndarray:
        from ...sql.kernels import arrow_of
        return self.matrix([arrow_of(part[name]) for name in self.inputs])

    def matrix(self, arrays: list[Any]) -> np.ndarray:
        """The matrix from the inputs' Arrow arrays (of one partition, in ``inputs`` order)."""
        n = len(arrays[0]) if arrays else 0
        out = np.empty((len(self.inputs), n))
        for j, (name, a) in enumerate(zip(self.inputs, arrays)):
            if a.null_count == 0 and a.type == pa.float64():
                pos = 0  # chunk by chunk into the row: no combined copy first
                for c in (a.chunks if isinstance(a, pa.ChunkedArray) else [a]):
                    out[j, pos:pos + len(c)] = c.to_numpy(zero_copy_only=False)
                    pos += len(c)
                # a NaN makes the sum NaN (one pass, no mask); the exact check only then
                if self.kernel.handle == "error" and np.isnan(out[j].sum()):
                    self.kernel.checked_block(name, a, False)  # raises if a value is NaN
                continue
            out[j] = self.kernel.checked_block(name, a, False)[0][:, 0]
        return out.T

    @staticmethod
    def row_text(X: np.ndarray, i: int) -> str:
        row = assemble_rows([np.ascontiguousarray(X[i:i + 1])], 1)
        return str(VectorUDT().deserialize(row[0].as_py()))


class VectorAssembler(Transformer, HasInputCols, HasOutputCol, HasHandleInvalid):
    """Joins numeric, boolean and vector columns into one vector column, in ``inputCols`` order.

    handleInvalid: 'error' (default) fails on a null input or a NaN in a numeric input (as
    Spark; NaN inside an input vector passes), 'skip' drops rows with a null or NaN input,
    'keep' assembles nulls as NaN.
    """

    @keyword_only
    def __init__(self, *, inputCols: list[str] | None = None, outputCol: str | None = None,
                 handleInvalid: str = "error"):
        super().__init__()
        self._setDefault(handleInvalid="error")
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCols: list[str] | None = None, outputCol: str | None = None,
                  handleInvalid: str = "error") -> "VectorAssembler":
        return self._set(**self._input_kwargs)

    def _check(self) -> None:
        if self.getHandleInvalid() not in ("error", "skip", "keep"):
            raise ValueError(f"VectorAssembler.handleInvalid must be 'error', 'skip' or 'keep', "
                             f"got {self.getHandleInvalid()!r}")
        if not self.isDefined("inputCols") or not self.getInputCols():
            raise ValueError("VectorAssembler: inputCols must be set to a non-empty list")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        self._check()
        for c in self.getInputCols():
            require_column(schema, c, _INPUT_KINDS, self, "numeric, boolean or a vector")
        require_absent(schema, self.getOutputCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getOutputCol(), VectorUDT(),
                                                         True)])

    def _dense_inputs(self, schema: T.StructType) -> DenseInputs | None:
        """What reads this stage's output as a dense matrix straight from its inputs (see
        ``DenseInputs``), or None when an input is a vector column (rows may then be sparse
        and of any width)."""
        cols = self.getInputCols()
        if any(c not in schema.names or isinstance(schema[c].dataType, VectorUDT) for c in cols):
            return None
        return DenseInputs(cols, self.getHandleInvalid())

    def _transform(self, dataset: Any) -> Any:
        from ...sql import functions as F
        cols = self.getInputCols()
        schema = dataset.schema
        if self.getHandleInvalid() == "skip":
            dataset = dataset.na.drop(subset=[c for c in cols if not isinstance(
                schema[c].dataType, VectorUDT)])
            vec = [c for c in cols if isinstance(schema[c].dataType, VectorUDT)]
            for c in vec:
                dataset = dataset.filter(F.col(c).isNotNull())
        flags = [isinstance(schema[c].dataType, VectorUDT) for c in cols]
        kernel = _AssembleKernel(cols, flags, self.getHandleInvalid())
        column = partition_column("VectorAssembler", cols, kernel, VectorUDT(), True)
        slots = _output_slots(schema, cols, _first_row_sizes(dataset, cols, self.getHandleInvalid()))
        column = column.alias(self.getOutputCol(), metadata=attributes.vector_group(slots))
        return dataset.withColumn(self.getOutputCol(), column)
