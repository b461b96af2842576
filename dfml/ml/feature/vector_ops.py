"""Row-wise vector transformers: Normalizer, ElementwiseProduct, PolynomialExpansion,
VectorSlicer, Interaction.

Each transform is a per-partition kernel over the Arrow vector column: Normalizer and
ElementwiseProduct rescale the stored values of every row in place (a dense row stays dense, a
sparse row keeps its indices); PolynomialExpansion and VectorSlicer work on the partition's
dense rows as one numpy matrix and on its sparse rows as one scipy matrix; Interaction builds
row-wise Kronecker products of CSR matrices. A null vector stays null, except in Interaction,
which fails on nulls as Spark does.
"""

from __future__ import annotations

from math import comb
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from ..base import Transformer, partition_column, require_absent, require_column
from ..linalg import (VECTOR_ARROW_TYPE, VectorUDT, as_struct_array, csr_to_arrow,
                      dense_to_arrow, to_matrix)
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasInputCols, HasOutputCol
from .. import attributes
from .assembler import assemble_rows
from ...sql._engine import arrow_array

__all__ = ["Normalizer", "ElementwiseProduct", "PolynomialExpansion", "VectorSlicer",
           "Interaction"]


def _name(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def _vector_in_out(stage: Any, schema: T.StructType) -> T.StructType:
    require_column(schema, stage.getInputCol(), (VectorUDT,), stage, "a vector")
    require_absent(schema, stage.getOutputCol(), stage)
    return T.StructType(list(schema.fields) + [T.StructField(stage.getOutputCol(), VectorUDT(),
                                                             True)])


def _empty() -> pa.Array:
    return pa.array([], type=VECTOR_ARROW_TYPE)


# -- kernels that rewrite the stored values of each row ---------------------------------------

class _Rows:
    """The stored values of a vector chunk: per row its kind (1 dense, 0 sparse), offsets into
    one flat value array, and each value's position in its vector."""

    def __init__(self, a: Any):
        arr = as_struct_array(a)
        self.arr = arr
        self.n = len(arr)
        self.null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False)) if self.n \
            else np.zeros(0, bool)
        self.kinds = arr.field("type").fill_null(1).to_numpy(zero_copy_only=False)
        values = arr.field("values")
        off = values.offsets.to_numpy()
        self.flat = values.values.to_numpy(zero_copy_only=False)[off[0]:off[-1]]
        self.offsets = off - off[0]
        self.lens = np.diff(self.offsets)
        self.row_of = np.repeat(np.arange(self.n), self.lens)

    def positions(self) -> np.ndarray:
        """Index of each stored value in its vector (dense: its place; sparse: its index)."""
        pos = np.arange(len(self.flat), dtype=np.int64) - np.repeat(self.offsets[:-1], self.lens)
        sparse = self.kinds == 0
        if sparse.any():
            ind = self.arr.field("indices")
            ioff = ind.offsets.to_numpy()
            iflat = ind.values.to_numpy(zero_copy_only=False)[ioff[0]:ioff[-1]]
            sel = np.repeat(sparse, self.lens)
            pos[sel] = iflat[np.repeat(sparse, np.diff(ioff))]
        return pos

    def sizes(self) -> np.ndarray:
        return np.where(self.kinds == 1, self.lens,
                        self.arr.field("size").fill_null(0).to_numpy(zero_copy_only=False))

    def with_values(self, flat: np.ndarray) -> pa.StructArray:
        fields = list(VECTOR_ARROW_TYPE)
        values = pa.LargeListArray.from_arrays(pa.array(self.offsets.astype(np.int64)),
                                               pa.array(flat, pa.float64())).cast(fields[3].type)
        arr = self.arr
        children = [arr.field("type"), arr.field("size"), arr.field("indices").cast(fields[2].type),
                    values]
        mask = pa.array(self.null) if self.null.any() else None
        return pa.StructArray.from_arrays(children, fields=fields, mask=mask)


def _row_norms(rows: _Rows, p: float) -> np.ndarray:
    x = np.abs(rows.flat)
    if p == 1.0:
        return np.bincount(rows.row_of, x, minlength=rows.n)
    if p == 2.0:
        return np.sqrt(np.bincount(rows.row_of, x * x, minlength=rows.n))
    if np.isinf(p):
        out = np.zeros(rows.n)
        np.maximum.at(out, rows.row_of, x)
        return out
    return np.bincount(rows.row_of, x ** p, minlength=rows.n) ** (1.0 / p)


class _NormalizeKernel:
    def __init__(self, p: float):
        self.p = p

    def __call__(self, a: Any) -> pa.Array:
        rows = _Rows(a)
        if rows.n == 0:
            return _empty()
        norm = _row_norms(rows, self.p)[rows.row_of]
        safe = np.where(norm != 0, norm, 1.0)
        return rows.with_values(np.where(norm != 0, rows.flat / safe, rows.flat))


class Normalizer(Transformer, HasInputCol, HasOutputCol):
    """Scales each vector to unit p-norm (``p`` >= 1, default 2; ``inf`` for the max norm).
    A zero vector is left as it is; dense rows stay dense and sparse rows keep their indices."""

    p = Param(Params._dummy(), "p", "the norm to scale to (at least 1; inf for the max norm)",
              TC.toFloat)

    @keyword_only
    def __init__(self, *, p: float = 2.0, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._setDefault(p=2.0)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, p: float = 2.0, inputCol: str | None = None,
                  outputCol: str | None = None) -> "Normalizer":
        return self._set(**self._input_kwargs)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        if not self.getP() >= 1.0:
            raise IllegalArgumentException(f"{_name(self)}: p must be at least 1, got "
                                           f"{self.getP()}")
        return _vector_in_out(self, schema)

    def _transform(self, dataset: Any) -> Any:
        column = partition_column("Normalizer", [self.getInputCol()],
                                  _NormalizeKernel(self.getP()), VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column)


class _ProductKernel:
    def __init__(self, scale: np.ndarray, column: str):
        self.scale, self.column = scale, column

    def __call__(self, a: Any) -> pa.Array:
        rows = _Rows(a)
        if rows.n == 0:
            return _empty()
        sizes = rows.sizes()
        bad = (sizes != len(self.scale)) & ~rows.null
        if bad.any():
            raise SparkException(
                f"ElementwiseProduct: a vector of size {int(sizes[bad][0])} in column "
                f"`{self.column}`, but scalingVec has size {len(self.scale)}")
        pos = rows.positions()
        ok = ~np.repeat(rows.null, rows.lens)      # null rows may hold arbitrary positions
        factor = np.ones(len(pos))
        factor[ok] = self.scale[pos[ok]]
        return rows.with_values(rows.flat * factor)


class ElementwiseProduct(Transformer, HasInputCol, HasOutputCol):
    """Multiplies each vector entry by the matching entry of ``scalingVec`` (Hadamard product);
    dense rows stay dense, sparse rows keep their indices."""

    scalingVec = Param(Params._dummy(), "scalingVec", "vector to multiply each row by, entry "
                       "by entry", TC.toVector)

    @keyword_only
    def __init__(self, *, scalingVec: Any = None, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, scalingVec: Any = None, inputCol: str | None = None,
                  outputCol: str | None = None) -> "ElementwiseProduct":
        return self._set(**self._input_kwargs)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        if not self.isDefined("scalingVec"):
            raise IllegalArgumentException(f"{_name(self)}: set scalingVec")
        return _vector_in_out(self, schema)

    def _transform(self, dataset: Any) -> Any:
        kernel = _ProductKernel(np.asarray(self.getScalingVec().toArray(), dtype=np.float64),
                                self.getInputCol())
        column = partition_column("ElementwiseProduct", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column)


# -- kernels over the dense rows and the sparse rows of a chunk -------------------------------

def _by_kind(a: Any, dense_fn: Any, sparse_fn: Any) -> pa.Array:
    """``dense_fn(ndarray)`` over the dense rows and ``sparse_fn(csr)`` over the sparse rows of
    a vector chunk (each returns Arrow vectors); rows come back in their order, nulls null."""
    arr = as_struct_array(a)
    n = len(arr)
    if n == 0:
        return _empty()
    null = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
    kinds = arr.field("type").fill_null(1).to_numpy(zero_copy_only=False)
    parts, where = [], []
    for kind, fn in ((1, dense_fn), (0, sparse_fn)):
        sel = (kinds == kind) & ~null
        if sel.any():
            sub = arr.filter(pa.array(sel))
            m = to_matrix(sub)
            parts.append(fn(m if kind == 0 or not sp.issparse(m) else m.toarray()))
            where.append(np.flatnonzero(sel))
    if not parts:
        return pa.array([None] * n, type=VECTOR_ARROW_TYPE)
    done = pa.concat_arrays([p.cast(VECTOR_ARROW_TYPE) for p in parts])
    order = np.full(n, -1, dtype=np.int64)
    order[np.concatenate(where)] = np.arange(len(done))
    return done.take(pa.array(order, mask=null if null.any() else None))


def poly_terms(num_features: int, degree: int) -> list[tuple[int, ...]]:
    """The monomials of PolynomialExpansion's output in Spark's order, each as the sorted tuple
    of its variables (x0^2 x2 is (0, 0, 2)): terms without the last variable first, then those
    with it once, twice, ...; recursively the same for the variables before it."""
    # table[k]: monomials of degree <= k in the variables seen so far, in order
    table: list[list[tuple[int, ...]]] = [[()] for _ in range(degree + 1)]
    for var in range(num_features):
        new = []
        for k in range(degree + 1):
            terms = [] if k else [()]
            if k:
                for i in range(k + 1):
                    terms.extend(t + (var,) * i for t in table[k - i])
            new.append(terms)
        table = new
    return table[degree][1:]


class _PolyKernel:
    """Each output term is its parent term (the same monomial without one factor of its lowest
    variable) times that variable, and stays 0 when the parent is 0: Spark's expansion skips
    the subtree under a zero factor, so 0 * NaN is 0 there, which this reproduces."""

    def __init__(self, degree: int):
        self.degree = degree
        self._terms: dict[int, list[tuple[int, ...]]] = {}

    def terms(self, d: int) -> list[tuple[int, ...]]:
        if d not in self._terms:
            self._terms[d] = poly_terms(d, self.degree)
        return self._terms[d]

    def __call__(self, a: Any) -> pa.Array:
        return _by_kind(a, self._dense, self._sparse)

    def _dense(self, m: np.ndarray) -> pa.Array:
        terms = self.terms(m.shape[1])
        cols: dict[tuple[int, ...], np.ndarray] = {(): np.ones(m.shape[0])}
        out = np.empty((m.shape[0], len(terms)))
        with np.errstate(invalid="ignore", over="ignore"):
            for t in sorted(terms, key=len):
                parent = cols[t[1:]]
                cols[t] = np.where(parent == 0, 0.0, parent * m[:, t[0]])
        for k, t in enumerate(terms):
            out[:, k] = cols[t]
        return dense_to_arrow(out)

    def _sparse(self, m: Any) -> pa.Array:
        n, d = m.shape
        terms = self.terms(d)
        csc = sp.csc_matrix(m)
        csc.sort_indices()
        cols: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {
            (): (np.arange(n), np.ones(n))}
        with np.errstate(invalid="ignore", over="ignore"):
            for t in sorted(terms, key=len):
                prow, pval = cols[t[1:]]
                j = t[0]
                lo, hi = csc.indptr[j], csc.indptr[j + 1]
                _, ia, ib = np.intersect1d(prow, csc.indices[lo:hi], assume_unique=True,
                                           return_indices=True)
                val = pval[ia] * csc.data[lo:hi][ib]
                keep = val != 0                       # zeros are neither stored nor expanded
                cols[t] = (prow[ia][keep], val[keep])
        rows, pos, vals = [], [], []
        for k, t in enumerate(terms):
            r, v = cols[t]
            rows.append(r)
            pos.append(np.full(len(r), k, dtype=np.int64))
            vals.append(v)
        out = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(pos))),
                            shape=(n, len(terms)))
        return csr_to_arrow(out)


class PolynomialExpansion(Transformer, HasInputCol, HasOutputCol):
    """Expands a vector into all monomials of its entries up to ``degree`` (default 2), in
    Spark's order: for (x, y) and degree 2, (x, x^2, y, x*y, y^2). Output size is
    C(n + degree, degree) - 1; dense rows give dense rows, sparse rows sparse ones."""

    degree = Param(Params._dummy(), "degree", "highest total degree of the terms (at least 1)",
                   TC.toInt)

    @keyword_only
    def __init__(self, *, degree: int = 2, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._setDefault(degree=2)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, degree: int = 2, inputCol: str | None = None,
                  outputCol: str | None = None) -> "PolynomialExpansion":
        return self._set(**self._input_kwargs)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        if self.getDegree() < 1:
            raise IllegalArgumentException(f"{_name(self)}: degree must be at least 1, got "
                                           f"{self.getDegree()}")
        return _vector_in_out(self, schema)

    def _transform(self, dataset: Any) -> Any:
        column = partition_column("PolynomialExpansion", [self.getInputCol()],
                                  _PolyKernel(self.getDegree()), VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column)


def output_size(num_features: int, degree: int) -> int:
    """Length of PolynomialExpansion's output for ``num_features`` inputs."""
    return comb(num_features + degree, degree) - 1


# -- VectorSlicer -----------------------------------------------------------------------------

def attribute_names(field: T.StructField) -> dict[str, int] | None:
    """Feature name -> index from a vector column's ML attribute metadata (Spark's ``ml_attr``
    layout), or None when the column has none."""
    attrs = (field.metadata or {}).get("ml_attr", {}).get("attrs")
    if not attrs:
        return None
    out = {}
    for group in attrs.values():
        for a in group:
            if "name" in a and "idx" in a:
                out[a["name"]] = int(a["idx"])
    return out


def _attribute_count(field: T.StructField) -> int | None:
    n = (field.metadata or {}).get("ml_attr", {}).get("num_attrs")
    return None if n is None else int(n)


class _SliceKernel:
    def __init__(self, indices: list[int], column: str):
        self.indices, self.column = np.asarray(indices, dtype=np.int64), column

    def _check(self, d: int) -> None:
        bad = self.indices >= d
        if bad.any():
            raise SparkException(f"VectorSlicer: index {int(self.indices[bad][0])} is out of "
                                 f"range for the vectors of size {d} in column `{self.column}`")

    def __call__(self, a: Any) -> pa.Array:
        return _by_kind(a, self._dense, self._sparse)

    def _dense(self, m: np.ndarray) -> pa.Array:
        self._check(m.shape[1])
        return dense_to_arrow(m[:, self.indices])

    def _sparse(self, m: Any) -> pa.Array:
        self._check(m.shape[1])
        out = sp.csr_matrix(m[:, self.indices])
        out.eliminate_zeros()              # Spark's sparse slice keeps only nonzero entries
        return csr_to_arrow(out)


class VectorSlicer(Transformer, HasInputCol, HasOutputCol):
    """Selects entries of a vector column: ``indices`` first, then the features named in
    ``names`` (names need ML attribute metadata on the column, which dfml's own stages do not
    write). A dense row gives a dense row, a sparse row a sparse one."""

    indices = Param(Params._dummy(), "indices", "indices of the features to keep",
                    TC.toListInt)
    names = Param(Params._dummy(), "names", "names of the features to keep (from the column's "
                  "attribute metadata)", TC.toListString)

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None,
                 indices: list[int] | None = None, names: list[str] | None = None):
        super().__init__()
        self._setDefault(indices=[], names=[])
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, outputCol: str | None = None,
                  indices: list[int] | None = None, names: list[str] | None = None
                  ) -> "VectorSlicer":
        return self._set(**self._input_kwargs)

    def _selected(self, schema: T.StructType) -> list[int]:
        name = _name(self)
        idx, names = list(self.getIndices()), list(self.getNames())
        if any(i < 0 for i in idx) or len(set(idx)) != len(idx):
            raise IllegalArgumentException(f"{name}: indices must be distinct and non-negative, "
                                           f"got {idx}")
        if any(not s for s in names) or len(set(names)) != len(names):
            raise IllegalArgumentException(f"{name}: names must be distinct and non-empty, got "
                                           f"{names}")
        if not idx and not names:
            raise IllegalArgumentException(f"{name}: select at least one feature (set indices "
                                           f"or names)")
        field = schema[self.getInputCol()]
        from_names = []
        if names:
            known = attribute_names(field)
            if known is None:
                raise IllegalArgumentException(
                    f"{name}: names need ML attribute metadata on column "
                    f"`{self.getInputCol()}`, and it has none (dfml's stages do not write it); "
                    f"select by indices instead")
            missing = [s for s in names if s not in known]
            if missing:
                raise IllegalArgumentException(f"{name}: no feature named {missing[0]!r} in "
                                               f"column `{self.getInputCol()}`")
            from_names = [known[s] for s in names]
            both = sorted(set(idx) & set(from_names))
            if both:
                raise IllegalArgumentException(f"{name}: indices and names select the same "
                                               f"features {both}")
        size = _attribute_count(field)
        if size is not None and any(i >= size for i in idx):
            raise IllegalArgumentException(f"{name}: index {max(idx)} is out of range for the "
                                           f"{size} features of `{self.getInputCol()}`")
        return idx + from_names

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        out = _vector_in_out(self, schema)
        self._selected(schema)
        return out

    def _transform(self, dataset: Any) -> Any:
        selected = self._selected(dataset.schema)
        column = partition_column("VectorSlicer", [self.getInputCol()],
                                  _SliceKernel(selected, self.getInputCol()), VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column)


# -- Interaction ------------------------------------------------------------------------------

def _full_csr(m: np.ndarray) -> Any:
    """A dense matrix as CSR with every entry stored, zeros included (Spark visits every entry
    of a dense vector, so 0 * NaN is NaN there)."""
    n, d = m.shape
    return sp.csr_matrix((m.reshape(-1), np.tile(np.arange(d, dtype=np.int64), n),
                          np.arange(0, n * d + 1, d, dtype=np.int64)), shape=(n, d))


def row_kron(a: Any, b: Any) -> Any:
    """Row-wise Kronecker product of two CSR matrices with the same rows: row r of the result
    is kron(a[r], b[r]) (entry i*size(b) + j is a[r, i] * b[r, j]), over stored entries only."""
    n = a.shape[0]
    ca, cb = np.diff(a.indptr), np.diff(b.indptr)
    row_a = np.repeat(np.arange(n), ca)
    reps = cb[row_a]
    a_at = np.repeat(np.arange(len(a.data)), reps)
    starts = np.cumsum(reps) - reps
    b_at = np.repeat(b.indptr[:-1][row_a], reps) + (np.arange(int(reps.sum())) -
                                                    np.repeat(starts, reps))
    cols = a.indices[a_at].astype(np.int64) * b.shape[1] + b.indices[b_at]
    vals = b.data[b_at] * a.data[a_at]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(ca * cb, out=indptr[1:])
    return sp.csr_matrix((vals, cols, indptr), shape=(n, a.shape[1] * b.shape[1]))


class _InteractKernel:
    """``categories[i]``: how many values a nominal scalar input has (it enters one-hot
    encoded, as in Spark), None for a numeric one."""

    def __init__(self, names: list[str], vector_flags: list[bool],
                 categories: list[int | None] | None = None):
        self.names, self.vector_flags = names, vector_flags
        self.categories = categories or [None] * len(names)

    def _block(self, a: Any, is_vec: bool, name: str, k: int | None = None) -> Any:
        arr = as_struct_array(a) if is_vec else arrow_array(a)
        if arr.null_count:
            raise SparkException(f"Interaction: column `{name}` holds a null; values to "
                                 f"interact cannot be null")
        if k is not None:
            idx = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
            bad = (idx < 0) | (idx >= k) | (idx != np.floor(idx))
            if bad.any():
                raise SparkException(f"Interaction: column `{name}` holds {idx[bad][0]}, not an "
                                     f"index of its {k} nominal values")
            rows = np.arange(len(idx))
            return sp.csr_matrix((np.ones(len(idx)), (rows, idx.astype(np.int64))), shape=(len(idx), k))
        if not is_vec:
            return _full_csr(arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
                             .reshape(-1, 1))
        m = to_matrix(arr)
        if sp.issparse(m):
            m = sp.csr_matrix(m)
            m.sort_indices()
            return m
        return _full_csr(m)

    def __call__(self, *cols: Any) -> pa.Array:
        n = len(cols[0])
        if n == 0:
            return _empty()
        blocks = [self._block(c, v, nm, k) for c, v, nm, k in
                  zip(cols, self.vector_flags, self.names, self.categories)]
        acc = blocks[-1]
        for blk in reversed(blocks[:-1]):   # the first column varies slowest
            acc = row_kron(blk, acc)
        return assemble_rows([acc], n)


class Interaction(Transformer, HasInputCols, HasOutputCol):
    """One vector of the products of one entry from each input (numeric or vector columns):
    for inputs a, b it is kron(a, b), entry i * size(b) + j = a[i] * b[j]. Each row is stored
    dense or sparse, whichever is smaller. A scalar input with nominal attribute metadata (a
    StringIndexer's output) enters one-hot encoded, one slot per value, as in Spark; the output
    names its slots as Spark does (``cat_a:x``)."""

    @keyword_only
    def __init__(self, *, inputCols: list[str] | None = None, outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, inputCols: list[str] | None = None,
                  outputCol: str | None = None) -> "Interaction":
        return self._set(**self._input_kwargs)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        name = _name(self)
        if not self.isDefined("inputCols") or not self.getInputCols():
            raise IllegalArgumentException(f"{name}: inputCols must name at least one column")
        cols = list(self.getInputCols())
        if len(set(cols)) != len(cols):
            raise IllegalArgumentException(f"{name}: inputCols must be distinct, got {cols}")
        for c in cols:
            require_column(schema, c, (T.NumericType, VectorUDT), self, "numeric or a vector")
        require_absent(schema, self.getOutputCol(), self)
        return T.StructType(list(schema.fields) + [T.StructField(self.getOutputCol(), VectorUDT(),
                                                                 False)])

    def _transform(self, dataset: Any) -> Any:
        cols = list(self.getInputCols())
        fields = [dataset.schema[c] for c in cols]
        flags = [isinstance(f.dataType, VectorUDT) for f in fields]
        values = [None if v else attributes.nominal_values(f) for f, v in zip(fields, flags)]
        categories = [None if v is None else len(v) for v in values]
        column = partition_column("Interaction", cols, _InteractKernel(cols, flags, categories),
                                  VectorUDT(), False)
        names = _interaction_names(fields, flags, values)
        if names is not None:
            column = column.alias(self.getOutputCol(),
                                  metadata=attributes.vector_group([("numeric", {"name": n}) for n in names]))
        return dataset.withColumn(self.getOutputCol(), column)


def _interaction_names(fields: list[T.StructField], flags: list[bool],
                       values: list[list[str] | None]) -> list[str] | None:
    """Spark's names of the output slots: each input's slot names (``col`` for a number,
    ``col_value`` per nominal value, ``col_slotname`` (or ``col_i``) per vector slot) joined by ``:``
    over the product, the first input varying slowest; None when a vector's size is unknown."""
    per_input: list[list[str]] = []
    for f, is_vec, vals in zip(fields, flags, values):
        if vals is not None:
            per_input.append([f"{f.name}_{v}" for v in vals])
        elif not is_vec:
            per_input.append([f.name])
        else:
            slots = attributes.slot_attributes(f)
            if slots is None:
                return None
            per_input.append([f"{f.name}_{a.get('name') or i}" for i, (_, a) in enumerate(slots)])
    names = [""]
    for part in per_input:
        names = [f"{a}:{b}" if a else b for a in names for b in part]
    return names
