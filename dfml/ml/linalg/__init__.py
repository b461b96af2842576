"""Vectors: ``DenseVector``/``SparseVector`` for the rows a user sees, Arrow for the data.

A vector column is stored in Spark's own vector layout, as an Arrow struct
``{type: int8, size: int32, indices: list<int32>, values: list<double>}`` (type 1 dense,
0 sparse; dense rows leave size and indices null). DESIGN.md proposed a
``fixed_size_list`` for dense columns; the struct is used instead because one column can hold
dense and sparse rows (as Spark's ``VectorAssembler`` output does), it survives parquet with
no extra metadata, and a partition still converts to a numpy matrix or a scipy CSR matrix
without touching rows in Python: the values of a dense partition are one contiguous buffer.
"""

from __future__ import annotations

import math
import struct
from typing import Any, Iterable

import numpy as np
import pyarrow as pa

from ...sql import types as T
from ...sql.formatting import format_double
from .formatting import short_float

__all__ = ["Vector", "DenseVector", "SparseVector", "Vectors", "VectorUDT", "Matrix",
           "DenseMatrix", "SparseMatrix", "Matrices", "MatrixUDT", "compressed", "compressed_vector", "compressed_matrix", "VECTOR_ARROW_TYPE", "vectors_to_arrow", "arrow_to_vectors",
           "to_matrix", "dense_to_arrow", "csr_to_arrow", "vector_size", "as_struct_array"]

VECTOR_ARROW_TYPE = pa.struct([
    pa.field("type", pa.int8(), False),
    pa.field("size", pa.int32()),
    pa.field("indices", pa.large_list(pa.field("element", pa.int32(), False))),
    pa.field("values", pa.large_list(pa.field("element", pa.float64(), False))),
])


_num = short_float


def _long_bits(v: float) -> int:
    """The unsigned 64-bit pattern of a double (NaN canonical), as Java's ``doubleToLongBits``."""
    return struct.unpack("<Q", struct.pack("<d", float("nan") if v != v else float(v)))[0]


def _vector_hash(size: int, indices: Iterable[int], values: Iterable[float]) -> int:
    """Spark's vector hash: the size and the first 128 non-zero (index, value) pairs, so a dense
    and a sparse vector that compare equal also hash equal."""
    h, seen = 31 + size, 0
    for i, v in zip(indices, values):
        if seen >= 128:
            break
        if v != 0:
            bits = _long_bits(v)
            h = 31 * (31 * h + int(i)) + (bits ^ (bits >> 32))
            seen += 1
    return h


def _same_nonzeros(ia: Any, va: Any, ib: Any, vb: Any) -> bool:
    """Whether two (index, value) lists hold the same non-zero entries (explicit zeros ignored)."""
    ia, va, ib, vb = (np.asarray(x) for x in (ia, va, ib, vb))
    ka, kb = va != 0, vb != 0
    return bool(np.array_equal(ia[ka], ib[kb]) and np.array_equal(va[ka], vb[kb]))


def _size_of(other: Any) -> int:
    if isinstance(other, Vector):
        return other.size
    a = np.asarray(other)
    if a.ndim == 2 and a.shape[1] == 1:
        return a.shape[0]
    if a.ndim != 1:
        raise ValueError(f"Cannot treat an ndarray of shape {a.shape} as a vector")
    return a.shape[0]


def _check_size(v: "Vector", other: Any) -> None:
    """Spark refuses dot products and distances between vectors of different sizes."""
    if v.size != _size_of(other):
        raise AssertionError("dimension mismatch")


def _dense_of(other: Any) -> np.ndarray:
    return other.toArray() if isinstance(other, Vector) else np.asarray(other, dtype=float).reshape(-1)


class Vector:
    """Base of the two vector kinds; ``toArray()`` gives a numpy array."""

    __UDT__: "VectorUDT"

    def toArray(self) -> np.ndarray:
        raise NotImplementedError

    def __len__(self) -> int:
        return self.size

    def numNonzeros(self) -> int:
        return int(np.count_nonzero(self.toArray()))

    def norm(self, p: float) -> float:
        return float(np.linalg.norm(self.toArray(), p))

    def dot(self, other: Any) -> Any:
        """The dot product with a vector, a list or a 1-d array (a float), or with each column
        of a 2-d array (an array), as Spark's Python API allows."""
        if isinstance(other, np.ndarray) and other.ndim == 2 and other.shape[1] != 1:
            if other.shape[0] != self.size:
                raise AssertionError("dimension mismatch")
            return np.dot(self.toArray(), other)
        _check_size(self, other)
        return float(np.dot(self.toArray(), _dense_of(other)))

    def squared_distance(self, other: Any) -> float:
        _check_size(self, other)
        d = self.toArray() - _dense_of(other)
        return float(np.dot(d, d))

    def asML(self) -> "Vector":
        return self

    def _pairs(self) -> tuple[Any, Any]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vector) or other.size != self.size:
            return False
        if isinstance(self, SparseVector) and isinstance(other, SparseVector):
            # two sparse vectors are equal only with the same stored entries, as in Spark
            return bool(np.array_equal(self.indices, other.indices)
                        and np.array_equal(self.values, other.values))
        if isinstance(self, DenseVector) and isinstance(other, DenseVector):
            return bool(np.array_equal(self.array, other.array))
        return _same_nonzeros(*self._pairs(), *other._pairs())

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return _vector_hash(self.size, *self._pairs())


class DenseVector(Vector):
    """A vector holding every value: ``DenseVector([1.0, 0.0, 3.0])``. Arithmetic with a number
    or a dense vector works element-wise (``v + u``, ``2 * v``, ``-v``), as in Spark's Python."""

    def __init__(self, ar: Any):
        if isinstance(ar, (bytes, bytearray)):
            ar = np.frombuffer(ar, dtype=np.float64)
        self.array = np.asarray(ar, dtype=np.float64).reshape(-1)

    @property
    def size(self) -> int:
        return int(self.array.shape[0])

    @property
    def values(self) -> np.ndarray:
        return self.array

    def toArray(self) -> np.ndarray:
        return self.array

    def _pairs(self) -> tuple[Any, Any]:
        return range(self.size), self.array

    def __getitem__(self, i: Any) -> Any:
        return self.array[i]

    def __iter__(self):
        # Python floats (dfml code and tests compare lists of them); PySpark yields numpy scalars
        return iter(float(x) for x in self.array)

    def __getattr__(self, name: str) -> Any:
        # numpy's reductions (mean, sum, max...) on the values, as Spark's DenseVector allows
        if name == "array":
            raise AttributeError(name)
        return getattr(self.array, name)

    def __str__(self) -> str:
        return "[" + ",".join(str(v) for v in self.array) + "]"

    def __repr__(self) -> str:
        return "DenseVector([" + ", ".join(_num(v) for v in self.array) + "])"

    def _spark_string(self) -> str:
        return "[" + ",".join(format_double(float(v)) for v in self.array) + "]"

    def __neg__(self) -> "DenseVector":
        return DenseVector(-self.array)

    def __reduce__(self) -> Any:
        return DenseVector, (self.array.tobytes(),)


def _elementwise(op: str) -> Any:
    def apply(self: DenseVector, other: Any) -> Any:
        if isinstance(other, DenseVector):
            other = other.array
        return DenseVector(getattr(self.array, op)(other))
    apply.__name__ = op
    return apply


for _op in ("add", "sub", "mul", "truediv", "mod", "radd", "rsub", "rmul", "rtruediv", "rmod"):
    setattr(DenseVector, f"__{_op}__", _elementwise(f"__{_op}__"))


class SparseVector(Vector):
    """A vector of ``size`` values of which only ``indices`` are stored (strictly increasing).
    Built from a dict, (index, value) pairs (sorted here), or indices and values lists (which
    must already be strictly increasing, as Spark requires)."""

    def __init__(self, size: int, *args: Any):
        self.size = int(size)
        if len(args) == 1:
            pairs = args[0]
            items = sorted(pairs.items()) if isinstance(pairs, dict) else sorted(pairs)
            idx = [int(i) for i, _ in items]
            vals = [float(v) for _, v in items]
        elif len(args) == 2:
            if isinstance(args[0], (bytes, bytearray)):
                idx = np.frombuffer(args[0], dtype=np.int32) if args[0] else []
                vals = np.frombuffer(args[1], dtype=np.float64) if args[1] else []
            else:
                idx, vals = list(args[0]), list(args[1])
            if len(idx) != len(vals):
                raise AssertionError("index and value arrays not same length")
        else:
            raise AssertionError("must pass either 2 or 3 arguments")
        self.indices = np.asarray(idx, dtype=np.int32)
        self.values = np.asarray(vals, dtype=np.float64)
        steps = np.diff(self.indices)
        if len(steps) and np.any(steps <= 0):
            k = int(np.argmax(steps <= 0))
            raise TypeError(f"Indices {self.indices[k]} and {self.indices[k + 1]} are not "
                            "strictly increasing")
        if len(self.indices):
            if self.indices.max() >= self.size:
                raise AssertionError(f"Index {self.indices.max()} is out of the size of vector "
                                     f"with size={self.size}")
            if self.indices.min() < 0:
                raise AssertionError(f"Contains negative index {self.indices.min()}")

    def toArray(self) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float64)
        out[self.indices] = self.values
        return out

    def _pairs(self) -> tuple[Any, Any]:
        return self.indices, self.values

    def numNonzeros(self) -> int:
        return int(np.count_nonzero(self.values))

    def norm(self, p: float) -> float:
        return float(np.linalg.norm(self.values, p))

    def __getitem__(self, i: int) -> float:
        if not isinstance(i, (int, np.integer)):
            raise TypeError(f"Indices must be of type integer, got type {type(i)}")
        if not -self.size <= i < self.size:
            raise IndexError(f"Index {i} out of bounds.")
        if i < 0:
            i += self.size
        pos = np.searchsorted(self.indices, i)
        return self.values[pos] if pos < len(self.indices) and self.indices[pos] == i \
            else np.float64(0.0)

    def __str__(self) -> str:
        return (f"({self.size},[" + ",".join(str(int(i)) for i in self.indices) + "],["
                + ",".join(str(v) for v in self.values) + "])")

    def __repr__(self) -> str:
        body = ", ".join(f"{int(i)}: {_num(v)}" for i, v in zip(self.indices, self.values))
        return f"SparseVector({self.size}, {{{body}}})"

    def _spark_string(self) -> str:
        return (f"({self.size},[" + ",".join(str(int(i)) for i in self.indices) + "],["
                + ",".join(format_double(float(v)) for v in self.values) + "])")

    def __reduce__(self) -> Any:
        return SparseVector, (self.size, self.indices.tobytes(), self.values.tobytes())


def compressed(v: Vector) -> Vector:
    """The smaller of a vector's two forms, by Spark's rule (``Vector.compressed``): sparse when
    1.5 * (nnz + 1) < size, dense otherwise. Spark applies it to transformer outputs and to
    model coefficients; the stored bytes decide, not the values."""
    arr = v.toArray()
    nz = np.flatnonzero(arr)
    if 1.5 * (len(nz) + 1.0) < len(arr):
        return v if isinstance(v, SparseVector) else SparseVector(len(arr), nz, arr[nz])
    return v if isinstance(v, DenseVector) else DenseVector(arr)


class Vectors:
    """Factory methods, as in Spark: ``Vectors.dense(1, 2)``, ``Vectors.sparse(3, [0], [1.0])``."""

    @staticmethod
    def dense(*elements: Any) -> DenseVector:
        if len(elements) == 1 and not isinstance(elements[0], (int, float)):
            return DenseVector(elements[0])
        return DenseVector(list(elements))

    @staticmethod
    def sparse(size: int, *args: Any) -> SparseVector:
        return SparseVector(size, *args)

    @staticmethod
    def zeros(size: int) -> DenseVector:
        return DenseVector(np.zeros(size))

    @staticmethod
    def norm(vector: Vector, p: float) -> float:
        return vector.norm(p)

    @staticmethod
    def squared_distance(v1: Vector, v2: Vector) -> float:
        return v1.squared_distance(v2)


class VectorUDT(T.UserDefinedType):
    """The Spark SQL type of a vector column (``vector`` in ``printSchema``)."""

    @classmethod
    def sqlType(cls) -> T.StructType:
        return T.StructType([
            T.StructField("type", T.ByteType(), False),
            T.StructField("size", T.IntegerType(), True),
            T.StructField("indices", T.ArrayType(T.IntegerType(), False), True),
            T.StructField("values", T.ArrayType(T.DoubleType(), False), True),
        ])

    @classmethod
    def arrowType(cls) -> pa.DataType:
        return VECTOR_ARROW_TYPE

    @classmethod
    def matches(cls, t: pa.DataType) -> bool:
        if not pa.types.is_struct(t) or [t.field(i).name for i in range(t.num_fields)] != \
                ["type", "size", "indices", "values"]:
            return False
        return pa.types.is_integer(t.field(0).type) and pa.types.is_integer(t.field(1).type)

    def simpleString(self) -> str:
        return "vector"

    def serialize(self, v: Vector) -> dict:
        if isinstance(v, SparseVector):
            return {"type": 0, "size": v.size, "indices": v.indices.tolist(),
                    "values": v.values.tolist()}
        if isinstance(v, DenseVector):
            return {"type": 1, "size": None, "indices": None, "values": v.array.tolist()}
        raise TypeError(f"cannot store {type(v).__name__} in a vector column")

    def deserialize(self, d: Any) -> Vector | None:
        if d is None:
            return None
        if isinstance(d, Vector):
            return d
        if d["type"] == 1:
            return DenseVector(d["values"])
        return SparseVector(d["size"], d["indices"], d["values"])

    def display(self, v: Vector) -> str:
        return v._spark_string()


Vector.__UDT__ = VectorUDT()
T.register_udt(VectorUDT())


# ---------------------------------------------------------------- Arrow <-> matrices

def vectors_to_arrow(vectors: Iterable[Vector | None]) -> pa.StructArray:
    """Python vectors (for small local data) as a vector column."""
    udt = VectorUDT()
    rows = [None if v is None else udt.serialize(v) for v in vectors]
    return pa.array(rows, type=VECTOR_ARROW_TYPE)


def as_struct_array(arr: Any) -> pa.StructArray:
    """One Arrow struct array of a vector column chunk (a chunked array or an ArrowDtype Series)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
        if not isinstance(arr, pa.StructArray):  # an empty chunked array combines to a struct too
            arr = pa.array([], type=VECTOR_ARROW_TYPE) if len(arr) == 0 else arr
    if hasattr(arr, "array") and hasattr(arr, "dtype"):  # a pandas Series of ArrowDtype
        from ...sql._engine import arrow_of
        return as_struct_array(arrow_of(arr))
    return arr


def arrow_to_vectors(arr: Any) -> list[Vector | None]:
    udt = VectorUDT()
    return [udt.deserialize(d) for d in as_struct_array(arr).to_pylist()]


def _parts(arr: pa.StructArray) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any, np.ndarray]:
    """(kind per row, row offsets into values, flat values, indices list array, size per row)."""
    kinds = arr.field("type").to_numpy(zero_copy_only=False)
    values = arr.field("values")
    offsets = values.offsets.to_numpy()
    flat = values.values.to_numpy(zero_copy_only=False)
    sizes = arr.field("size").fill_null(-1).to_numpy(zero_copy_only=False)
    return kinds, offsets, flat, arr.field("indices"), sizes


def vector_size(arr: Any) -> int | None:
    """The common size of the (non-null) vectors of a column chunk, or None if it has no rows."""
    arr = as_struct_array(arr)
    if len(arr) == arr.null_count:
        return None
    kinds, offsets, _, _, sizes = _parts(arr)
    lens = np.diff(offsets)
    valid = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
    n = np.where(kinds == 1, lens, sizes)[valid]
    if n.min() != n.max():
        raise ValueError(f"vectors of different sizes ({n.min()} and {n.max()}) in one column")
    return int(n[0])


def to_matrix(arr: Any, size: int | None = None, sparse: bool | None = None) -> Any:
    """A vector column chunk as an (n, size) numpy array, or a scipy CSR matrix if any row is
    sparse (``sparse=True`` forces CSR, ``False`` forces dense). Null rows raise."""
    import scipy.sparse as sp
    arr = as_struct_array(arr)
    if arr.null_count:
        raise ValueError("a vector column holds nulls where a vector is needed")
    n = len(arr)
    if n == 0:
        d = size or 0
        return sp.csr_matrix((0, d)) if sparse else np.zeros((0, d))
    kinds, offsets, flat, ind_arr, sizes = _parts(arr)
    start = offsets[0]
    offsets = offsets - start
    flat = flat[start:start + offsets[-1]]
    lens = np.diff(offsets)
    if size is None:
        size = int(lens[0]) if kinds[0] == 1 else int(sizes[0])
    all_dense = bool(np.all(kinds == 1))
    if all_dense and not sparse:
        if not np.all(lens == size):
            raise ValueError(f"dense vectors of different sizes in one column (expected {size})")
        return flat.reshape(n, size) if n else np.zeros((0, size))
    col_idx = np.arange(len(flat), dtype=np.int64) - np.repeat(offsets[:-1], lens)
    is_sparse = kinds == 0
    if is_sparse.any():
        ind_offsets = ind_arr.offsets.to_numpy()
        ind_flat = ind_arr.values.to_numpy(zero_copy_only=False)[ind_offsets[0]:ind_offsets[-1]]
        col_idx[np.repeat(is_sparse, lens)] = ind_flat
        bad = sizes[is_sparse] != size
        if bad.any():
            raise ValueError(f"vectors of different sizes in one column (expected {size})")
    m = sp.csr_matrix((flat, col_idx.astype(np.int32, copy=False), offsets.astype(np.int64, copy=False)),
                      shape=(n, size))
    return m.toarray() if sparse is False else m


def dense_to_arrow(m: np.ndarray, mask: np.ndarray | None = None) -> pa.StructArray:
    """Rows of a 2-d array as dense vectors (``mask`` marks null rows)."""
    m = np.ascontiguousarray(m, dtype=np.float64)
    n, d = m.shape
    offsets = pa.array(np.arange(0, (n + 1) * d, d, dtype=np.int64)) if n else pa.array([0], pa.int64())
    values = pa.LargeListArray.from_arrays(offsets, pa.array(m.reshape(-1)))
    return assemble_vectors(np.ones(n, dtype=np.int8), pa.nulls(n, pa.int32()),
                     pa.nulls(n, VECTOR_ARROW_TYPE.field("indices").type), values, mask)


def csr_to_arrow(m: Any, mask: np.ndarray | None = None) -> pa.StructArray:
    """Rows of a scipy sparse matrix as sparse vectors."""
    m = m.tocsr()
    m.sort_indices()
    n, d = m.shape
    offsets = pa.array(m.indptr.astype(np.int64, copy=False))  # no copies when types match
    indices = pa.LargeListArray.from_arrays(offsets, pa.array(m.indices.astype(np.int32, copy=False)))
    values = pa.LargeListArray.from_arrays(offsets, pa.array(m.data.astype(np.float64, copy=False)))
    return assemble_vectors(np.zeros(n, dtype=np.int8), pa.array(np.full(n, d, dtype=np.int32)),
                     indices, values, mask)


def assemble_vectors(kinds: np.ndarray, sizes: pa.Array, indices: pa.Array, values: pa.Array,
              mask: np.ndarray | None) -> pa.StructArray:
    fields = list(VECTOR_ARROW_TYPE)
    indices = indices.cast(fields[2].type)
    values = values.cast(fields[3].type)
    arrays = [pa.array(kinds, pa.int8()), sizes, indices, values]
    if mask is not None and mask.any():
        return pa.StructArray.from_arrays(arrays, fields=fields, mask=pa.array(mask))
    return pa.StructArray.from_arrays(arrays, fields=fields)


# ---------------------------------------------------------------- matrices (model coefficients)

from .matrices import (DenseMatrix, Matrices, Matrix, MatrixUDT, SparseMatrix,  # noqa: E402
                       compressed_matrix)


def _isnan(v: float) -> bool:
    return isinstance(v, float) and math.isnan(v)


def compressed_vector(values: Any) -> Vector:
    """``compressed`` of a model's coefficient array (Spark compresses them as it builds them)."""
    return compressed(DenseVector(values))
