"""Local matrices as Spark's Python API has them: ``DenseMatrix``, ``SparseMatrix`` (CSC, or
CSR when ``isTransposed``), ``Matrices``, printed as PySpark prints them, and Spark's rule for
which form a model's matrix takes (``compressed``: the smaller of dense, CSC and CSR storage).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...sql import types as T

__all__ = ["Matrix", "DenseMatrix", "SparseMatrix", "Matrices", "MatrixUDT", "format4",
           "compressed_matrix"]


def format4(v: float) -> str:
    """A value as PySpark's reprs show it: rounded to 4 decimals, then cut to 4 decimals."""
    s = str(round(float(v), 4))
    return s[:s.index(".") + 5] if "." in s else s


def _listing(values: Any, limit: int = 16) -> str:
    vals = [format4(v) for v in values]
    if len(vals) > limit:
        vals = vals[:8] + ["..."] + vals[-8:]
    return ", ".join(vals)


class Matrix:
    """Base of the two matrix kinds."""

    numRows: int
    numCols: int
    isTransposed: bool

    def toArray(self) -> np.ndarray:
        raise NotImplementedError

    def __getitem__(self, ij: tuple[int, int]) -> float:
        i, j = ij
        if not (0 <= i < self.numRows and 0 <= j < self.numCols):
            raise IndexError(f"index ({i}, {j}) out of range for a {self.numRows} x "
                             f"{self.numCols} matrix")
        return float(self.toArray()[i, j])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matrix) and (self.numRows, self.numCols) == \
            (other.numRows, other.numCols) and np.array_equal(self.toArray(), other.toArray())

    def __hash__(self) -> int:
        return hash((self.numRows, self.numCols, self.toArray().tobytes()))


class DenseMatrix(Matrix):
    """All values, column by column (row by row when ``isTransposed``)."""

    def __init__(self, numRows: int, numCols: int, values: Any, isTransposed: bool = False):
        self.numRows, self.numCols = int(numRows), int(numCols)
        self.values = np.asarray(values, dtype=np.float64).reshape(-1)
        # kept as given: PySpark shows matrices that come from the JVM with 0/1 here
        self.isTransposed = isTransposed
        if len(self.values) != self.numRows * self.numCols:
            raise ValueError(f"DenseMatrix: {len(self.values)} values for a "
                             f"{self.numRows}x{self.numCols} matrix")

    def toArray(self) -> np.ndarray:
        order = "C" if self.isTransposed else "F"
        return self.values.reshape((self.numRows, self.numCols), order=order)

    def toSparse(self) -> "SparseMatrix":
        """Column-major sparse form of the non-zero values."""
        a = self.toArray()
        flat = a.reshape(-1, order="F")
        nz = np.flatnonzero(flat)
        counts = np.bincount(nz // self.numRows, minlength=self.numCols) if self.numRows else \
            np.zeros(self.numCols, dtype=np.int64)
        ptrs = np.concatenate([[0], np.cumsum(counts)])
        return SparseMatrix(self.numRows, self.numCols, ptrs, nz % max(self.numRows, 1), flat[nz])

    def __repr__(self) -> str:
        return (f"DenseMatrix({self.numRows}, {self.numCols}, [{_listing(self.values)}], "
                f"{self.isTransposed})")

    def __str__(self) -> str:
        lines = repr(self.toArray()).splitlines()
        head = lines[0].replace("array", "DenseMatrix", 1)
        return "\n".join([head] + [" " * 6 + line for line in lines[1:]])


class SparseMatrix(Matrix):
    """Compressed sparse columns (``colPtrs``, ``rowIndices``, ``values``), or compressed
    rows when ``isTransposed`` (then ``colPtrs`` point into rows, ``rowIndices`` are columns)."""

    def __init__(self, numRows: int, numCols: int, colPtrs: Any, rowIndices: Any, values: Any,
                 isTransposed: bool = False):
        self.numRows, self.numCols = int(numRows), int(numCols)
        self.colPtrs = np.asarray(colPtrs, dtype=np.int32).reshape(-1)
        self.rowIndices = np.asarray(rowIndices, dtype=np.int32).reshape(-1)
        self.values = np.asarray(values, dtype=np.float64).reshape(-1)
        self.isTransposed = isTransposed
        major = self.numRows if self.isTransposed else self.numCols
        if len(self.colPtrs) != major + 1:
            raise ValueError(f"SparseMatrix: expected {major + 1} pointers, got "
                             f"{len(self.colPtrs)}")
        if len(self.rowIndices) != len(self.values):
            raise ValueError(f"SparseMatrix: {len(self.rowIndices)} indices but "
                             f"{len(self.values)} values")

    def toArray(self) -> np.ndarray:
        out = np.zeros((self.numRows, self.numCols))
        for major in range(len(self.colPtrs) - 1):
            lo, hi = self.colPtrs[major], self.colPtrs[major + 1]
            for minor, v in zip(self.rowIndices[lo:hi], self.values[lo:hi]):
                if self.isTransposed:
                    out[major, minor] = v
                else:
                    out[minor, major] = v
        return out

    def toDense(self) -> DenseMatrix:
        return DenseMatrix(self.numRows, self.numCols, self.toArray().reshape(-1, order="F"))

    def __repr__(self) -> str:
        idx = [str(int(i)) for i in self.rowIndices]
        if len(self.values) > 16:
            idx = idx[:8] + ["..."] + idx[-8:]
        ptrs = [str(int(p)) for p in self.colPtrs]
        if len(ptrs) > 16:
            ptrs = ptrs[:8] + ["..."] + ptrs[-8:]
        return (f"SparseMatrix({self.numRows}, {self.numCols}, [{', '.join(ptrs)}], "
                f"[{', '.join(idx)}], [{_listing(self.values)}], {self.isTransposed})")

    def __str__(self) -> str:
        kind = "CSRMatrix" if self.isTransposed else "CSCMatrix"
        lines = []
        major = 0
        for k in range(min(len(self.values), 16)):
            # one step per value at most, as PySpark prints (an empty row or column in
            # between is not skipped: the printed position follows PySpark, not the matrix)
            if self.colPtrs[major + 1] <= k:
                major += 1
            minor = int(self.rowIndices[k])
            i, j = (major, minor) if self.isTransposed else (minor, major)
            lines.append(f"({i},{j}) {format4(self.values[k])}")
        text = f"{self.numRows} X {self.numCols} {kind}\n" + "\n".join(lines)
        return text + ("\n.." * 2 if len(self.values) > 16 else "")


class Matrices:
    """Factory methods, as in Spark."""

    @staticmethod
    def dense(numRows: int, numCols: int, values: Any) -> DenseMatrix:
        return DenseMatrix(numRows, numCols, values)

    @staticmethod
    def sparse(numRows: int, numCols: int, colPtrs: Any, rowIndices: Any,
               values: Any) -> SparseMatrix:
        return SparseMatrix(numRows, numCols, colPtrs, rowIndices, values)

    @staticmethod
    def fromArray(a: np.ndarray) -> DenseMatrix:
        a = np.asarray(a, dtype=np.float64)
        return DenseMatrix(a.shape[0], a.shape[1], a.reshape(-1, order="F"))


class MatrixUDT(T.UserDefinedType):
    """The Spark SQL type of a matrix column (``matrix`` in ``printSchema``)."""

    def simpleString(self) -> str:
        return "matrix"


def _sparse_bytes(nnz: int, pointers: int) -> int:
    return 8 * nnz + 4 * nnz + 4 * pointers + 12 * 3


def compressed_matrix(a: np.ndarray) -> Matrix:
    """Spark's ``Matrix.compressed`` of a row-major matrix (a model's coefficients): the
    dense, CSC or CSR form, whichever stores smallest (dense on a tie, then CSC). The
    orientation flag is 0/1, as PySpark shows matrices that come from the JVM."""
    a = np.asarray(a, dtype=np.float64)
    rows, cols = a.shape
    nnz = int(np.count_nonzero(a))
    dense = 8 * rows * cols + 12
    csc, csr = _sparse_bytes(nnz, cols + 1), _sparse_bytes(nnz, rows + 1)
    if dense <= min(csc, csr):
        return DenseMatrix(rows, cols, a.reshape(-1), 1)
    if csc <= csr:
        m = DenseMatrix(rows, cols, a.reshape(-1, order="F")).toSparse()
        return SparseMatrix(rows, cols, m.colPtrs, m.rowIndices, m.values, 0)
    t = DenseMatrix(cols, rows, a.T.reshape(-1, order="F")).toSparse()
    return SparseMatrix(rows, cols, t.colPtrs, t.rowIndices, t.values, 1)
