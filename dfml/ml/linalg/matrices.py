"""Matrices as Spark's Python API has them: ``DenseMatrix`` (column-major values, or row-major
when ``isTransposed``) and ``SparseMatrix`` (CSC, or CSR when ``isTransposed``), with the reprs
and printed forms PySpark gives, so a program printing ``model.coefficientMatrix`` or ``pca.pc``
shows the same text under dfml.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...sql import types as T
from .formatting import short_float as _num

__all__ = ["Matrix", "DenseMatrix", "SparseMatrix", "Matrices", "MatrixUDT", "compressed_matrix"]


def _shortened(items: list[str], limit: int) -> list[str]:
    """Long lists print their first and last eight items around ``...``, as Spark's reprs do."""
    return items if len(items) <= limit else items[:8] + ["..."] + items[-8:]


def _as_array(values: Any, dtype: Any) -> np.ndarray:
    if isinstance(values, (bytes, bytearray)):
        return np.frombuffer(values, dtype=dtype)
    return np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=dtype)


class Matrix:
    """Base of the two matrix kinds: a shape, a layout flag and ``toArray()``."""

    def __init__(self, numRows: int, numCols: int, isTransposed: bool = False):
        self.numRows, self.numCols = int(numRows), int(numCols)
        # kept as given: models built on the JVM side print it as 0/1, user-built ones as bools
        self.isTransposed = isTransposed

    def toArray(self) -> np.ndarray:
        raise NotImplementedError

    def _check_index(self, ij: tuple[int, int]) -> tuple[int, int]:
        i, j = ij
        if not 0 <= i < self.numRows:
            raise IndexError(f"Row index {i} is out of range [0, {self.numRows})")
        if not 0 <= j < self.numCols:
            raise IndexError(f"Column index {j} is out of range [0, {self.numCols})")
        return i, j

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Matrix) or (self.numRows, self.numCols) != \
                (other.numRows, other.numCols):
            return False
        return bool(np.array_equal(self.toArray(), other.toArray()))

    __hash__ = None  # type: ignore[assignment]  # mutable numpy content, as in Spark


class DenseMatrix(Matrix):
    """All values of a matrix, column by column (row by row when ``isTransposed``)."""

    def __init__(self, numRows: int, numCols: int, values: Any, isTransposed: bool = False):
        super().__init__(numRows, numCols, isTransposed)
        self.values = _as_array(values, np.float64).reshape(-1)
        if len(self.values) != self.numRows * self.numCols:
            raise AssertionError(f"DenseMatrix: {len(self.values)} values for a "
                             f"{self.numRows}x{self.numCols} matrix")

    def toArray(self) -> np.ndarray:
        order = "C" if self.isTransposed else "F"
        return np.asfortranarray(self.values.reshape((self.numRows, self.numCols), order=order))

    def toSparse(self) -> "SparseMatrix":
        """The CSC form of the non-zero values (never transposed, as in Spark)."""
        col_major = self.toArray().reshape(-1, order="F")
        nz = np.flatnonzero(col_major)
        counts = np.bincount(nz // max(self.numRows, 1), minlength=self.numCols)
        ptrs = np.concatenate([[0], np.cumsum(counts)])
        return SparseMatrix(self.numRows, self.numCols, ptrs, nz % max(self.numRows, 1),
                            col_major[nz])

    def __getitem__(self, ij: tuple[int, int]) -> Any:
        i, j = self._check_index(ij)
        return self.values[i * self.numCols + j] if self.isTransposed \
            else self.values[i + j * self.numRows]

    def __repr__(self) -> str:
        vals = ", ".join(_shortened([_num(v) for v in self.values], 16))
        return f"DenseMatrix({self.numRows}, {self.numCols}, [{vals}], {self.isTransposed})"

    def __str__(self) -> str:
        # numpy's array repr, renamed: the text PySpark prints for a DenseMatrix
        lines = repr(self.toArray()).splitlines()
        head = lines[0].replace("array", "DenseMatrix", 1)
        return head + "\n" + "\n".join(" " * 6 + line for line in lines[1:])

    def __reduce__(self) -> Any:
        return DenseMatrix, (self.numRows, self.numCols, self.values.tobytes(),
                             int(self.isTransposed))


class SparseMatrix(Matrix):
    """Compressed sparse columns (``colPtrs``, ``rowIndices``, ``values``); with
    ``isTransposed`` the same arrays are read as compressed sparse rows."""

    def __init__(self, numRows: int, numCols: int, colPtrs: Any, rowIndices: Any, values: Any,
                 isTransposed: bool = False):
        super().__init__(numRows, numCols, isTransposed)
        self.colPtrs = _as_array(colPtrs, np.int32)
        self.rowIndices = _as_array(rowIndices, np.int32)
        self.values = _as_array(values, np.float64)
        outer = self.numRows if self.isTransposed else self.numCols
        if self.colPtrs.size != outer + 1:
            raise ValueError(f"Expected colPtrs of size {outer + 1}, got {self.colPtrs.size}.")
        if self.rowIndices.size != self.values.size:
            raise ValueError(f"Expected rowIndices of length {self.rowIndices.size}, "
                             f"got {self.values.size}.")

    def toArray(self) -> np.ndarray:
        out = np.zeros((self.numRows, self.numCols), dtype=np.float64, order="F")
        outer = np.repeat(np.arange(len(self.colPtrs) - 1), np.diff(self.colPtrs))
        inner = self.rowIndices[:len(outer)]
        if self.isTransposed:
            out[outer, inner] = self.values[:len(outer)]
        else:
            out[inner, outer] = self.values[:len(outer)]
        return out

    def toDense(self) -> DenseMatrix:
        return DenseMatrix(self.numRows, self.numCols, self.toArray().reshape(-1, order="F"))

    def __getitem__(self, ij: tuple[int, int]) -> Any:
        i, j = self._check_index(ij)
        outer, inner = (i, j) if self.isTransposed else (j, i)
        lo, hi = self.colPtrs[outer], self.colPtrs[outer + 1]
        pos = lo + np.searchsorted(self.rowIndices[lo:hi], inner)
        return self.values[pos] if pos < hi and self.rowIndices[pos] == inner else np.float64(0.0)

    def __str__(self) -> str:
        """A header and one ``(row,col) value`` line per stored entry, the first 16 only.

        The outer index printed advances by at most one per entry, as PySpark's printer does:
        after an empty column (row, for CSR) the printed positions are PySpark's, not the
        stored ones. The text is kept identical on purpose (programs compare it); use
        ``toArray()`` for positions."""
        kind = "CSRMatrix" if self.isTransposed else "CSCMatrix"
        lines = [f"{self.numRows} X {self.numCols} {kind}"]
        outer = 0
        for k, (inner, v) in enumerate(zip(self.rowIndices[:16], self.values[:16])):
            if self.colPtrs[outer + 1] <= k:
                outer += 1
            r, c = (outer, inner) if self.isTransposed else (inner, outer)
            lines.append(f"({r},{c}) {_num(v)}")
        text = lines[0] + "\n" + "\n".join(lines[1:])
        return text + "\n.." * 2 if len(self.values) > 16 else text

    def __repr__(self) -> str:
        vals = [_num(v) for v in self.values]
        rows = [str(int(i)) for i in self.rowIndices]
        if len(vals) > 16:
            vals, rows = _shortened(vals, 16), _shortened(rows, 16)
        ptrs = _shortened([str(int(p)) for p in self.colPtrs], 16)
        return (f"SparseMatrix({self.numRows}, {self.numCols}, [{', '.join(ptrs)}], "
                f"[{', '.join(rows)}], [{', '.join(vals)}], {self.isTransposed})")

    def __reduce__(self) -> Any:
        return SparseMatrix, (self.numRows, self.numCols, self.colPtrs.tobytes(),
                              self.rowIndices.tobytes(), self.values.tobytes(),
                              int(self.isTransposed))


class Matrices:
    """Factory methods, as in Spark: ``Matrices.dense(2, 2, [...])``, ``Matrices.sparse(...)``."""

    @staticmethod
    def dense(numRows: int, numCols: int, values: Any) -> DenseMatrix:
        return DenseMatrix(numRows, numCols, values)

    @staticmethod
    def sparse(numRows: int, numCols: int, colPtrs: Any, rowIndices: Any,
               values: Any) -> SparseMatrix:
        return SparseMatrix(numRows, numCols, colPtrs, rowIndices, values)

    @staticmethod
    def fromArray(a: np.ndarray) -> DenseMatrix:
        """A numpy 2-d array as a DenseMatrix (a dfml convenience; Spark has no such method)."""
        a = np.asarray(a, dtype=np.float64)
        return DenseMatrix(a.shape[0], a.shape[1], a.reshape(-1, order="F"))


def compressed_matrix(a: np.ndarray, row_major: bool = False) -> Matrix:
    """A matrix in the smallest of Spark's four layouts (``Matrix.compressed``): dense column- or
    row-major, or CSC/CSR sparse. Sizes counted as Spark counts them: a dense matrix takes
    8 bytes a value, a sparse one 12 a stored value and 4 an outer pointer, plus headers; dense only when strictly
    smaller, CSR only when strictly smaller than CSC. A dense result keeps the layout the
    matrix was built in (``row_major``), as Spark keeps it. The flag is an int (0/1): PySpark
    prints model matrices, which reach it from the JVM, with ``isTransposed`` as 0 or 1."""
    a = np.asarray(a, dtype=np.float64)
    m, n = a.shape
    nnz = int(np.count_nonzero(a))
    # JVM object sizes: a 12-byte header per array, two ints and a boolean per matrix
    dense_bytes = 8 * m * n + 12 + 9
    csc_bytes, csr_bytes = (12 * nnz + 4 * (k + 1) + 3 * 12 + 9 for k in (n, m))
    if dense_bytes < min(csc_bytes, csr_bytes):
        return DenseMatrix(m, n, a.reshape(-1, order="C" if row_major else "F"), int(row_major))
    if csr_bytes < csc_bytes:
        rows, cols = np.nonzero(a)  # row-major order
        ptrs = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=m))])
        return SparseMatrix(m, n, ptrs, cols, a[rows, cols], 1)
    cols, rows = np.nonzero(a.T)  # column-major order
    ptrs = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n))])
    return SparseMatrix(m, n, ptrs, rows, a[rows, cols], 0)


class MatrixUDT(T.UserDefinedType):
    """The Spark SQL type of a matrix column (``matrix`` in ``printSchema``)."""

    @classmethod
    def sqlType(cls) -> T.StructType:
        return T.StructType([
            T.StructField("type", T.ByteType(), False),
            T.StructField("numRows", T.IntegerType(), False),
            T.StructField("numCols", T.IntegerType(), False),
            T.StructField("colPtrs", T.ArrayType(T.IntegerType(), False), True),
            T.StructField("rowIndices", T.ArrayType(T.IntegerType(), False), True),
            T.StructField("values", T.ArrayType(T.DoubleType(), False), True),
            T.StructField("isTransposed", T.BooleanType(), False),
        ])

    def simpleString(self) -> str:
        return "matrix"

    def serialize(self, m: Matrix) -> dict:
        if isinstance(m, SparseMatrix):
            return {"type": 0, "numRows": m.numRows, "numCols": m.numCols,
                    "colPtrs": m.colPtrs.tolist(), "rowIndices": m.rowIndices.tolist(),
                    "values": m.values.tolist(), "isTransposed": bool(m.isTransposed)}
        if isinstance(m, DenseMatrix):
            return {"type": 1, "numRows": m.numRows, "numCols": m.numCols, "colPtrs": None,
                    "rowIndices": None, "values": m.values.tolist(),
                    "isTransposed": bool(m.isTransposed)}
        raise TypeError(f"cannot store {type(m).__name__} in a matrix column")

    def deserialize(self, d: Any) -> Matrix | None:
        if d is None or isinstance(d, Matrix):
            return d
        if isinstance(d, (tuple, list)):
            d = dict(zip(["type", "numRows", "numCols", "colPtrs", "rowIndices", "values",
                          "isTransposed"], d))
        if d["type"] == 1:
            return DenseMatrix(d["numRows"], d["numCols"], d["values"], d["isTransposed"])
        return SparseMatrix(d["numRows"], d["numCols"], d["colPtrs"], d["rowIndices"],
                            d["values"], d["isTransposed"])


Matrix.__UDT__ = MatrixUDT()  # type: ignore[attr-defined]
T.register_udt(MatrixUDT())  # matrix columns (Correlation's result) read back as matrices
