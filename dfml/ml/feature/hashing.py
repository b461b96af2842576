"""The hashing trick: HashingTF (term frequencies of a list column) and FeatureHasher (many
columns into one vector), both with Spark's indices.

A term's index is Spark's: standard MurmurHash3 x86_32 (seed 42) of the term (a string's UTF-8
bytes; numbers and booleans as Spark's ``hashInt``/``hashLong`` see them), taken
``nonNegativeMod numFeatures``. So a vector made here and one made by Spark for the same input
are equal, and a model trained on one scores the other. Neither stage needs a fit; each
transform is one vectorized kernel per partition that builds a scipy CSR matrix of
(row, index, value) triples (summing collisions) and writes sparse vectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ...sql import murmur3
from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from ...sql.formatting import format_double
from .. import attributes
from ..base import Transformer, partition_column, require_absent, require_column
from ..linalg import VectorUDT, csr_to_arrow
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasInputCols, HasNumFeatures, HasOutputCol

__all__ = ["HashingTF", "FeatureHasher", "hash_terms"]

SEED = 42
_INTS = (T.ByteType, T.ShortType, T.IntegerType)
_TERM_TYPES = (T.StringType, T.BooleanType, T.LongType, T.FloatType, T.DoubleType) + _INTS


def _name(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def hash_terms(values: pa.Array, dtype: T.DataType) -> np.ndarray:
    """Spark's ML Murmur3 hash (uint32) of each value; a null hashes to the seed itself."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    n = len(values)
    if isinstance(dtype, T.StringType):
        h = murmur3.hash_binary_array(values, SEED, standard=True)
    elif isinstance(dtype, (T.BooleanType,) + _INTS):
        ints = np.asarray(values.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False))
        h = murmur3.hash_int(ints, SEED)
    elif isinstance(dtype, T.LongType):
        h = murmur3.hash_long(np.asarray(values.fill_null(0).to_numpy(zero_copy_only=False)), SEED)
    elif isinstance(dtype, T.DoubleType):  # Java's doubleToLongBits: one NaN, -0.0 kept
        d = np.asarray(values.fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
        bits = d.view(np.int64).copy()
        bits[np.isnan(d)] = 0x7FF8000000000000
        h = murmur3.hash_long(bits, SEED)
    elif isinstance(dtype, T.FloatType):  # floatToIntBits
        f = np.asarray(values.fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float32)
        bits = f.view(np.int32).astype(np.int64)
        bits[np.isnan(f)] = 0x7FC00000
        h = murmur3.hash_int(bits, SEED)
    else:
        raise TypeError(f"hashing {dtype.simpleString()} values is not supported")
    if values.null_count:
        h = np.where(np.asarray(values.is_valid().to_numpy(zero_copy_only=False)), h,
                     np.uint32(SEED))
    return np.asarray(h, dtype=np.uint32).reshape(n)


def _hash_tokens(tokens: pa.Array, dtype: T.DataType) -> np.ndarray:
    """``hash_terms`` of a chunk's tokens, hashing each distinct string once.

    Text repeats its words (a chunk of documents holds far fewer distinct terms than tokens),
    and murmur3 over the bytes is the costly part, so strings are dictionary-encoded first and
    only the dictionary is hashed. Other types hash per value (cheap fixed-width arithmetic, and
    a dictionary of doubles would not keep -0.0 and 0.0 apart as Java's bits do)."""
    if isinstance(tokens, pa.ChunkedArray):
        tokens = tokens.combine_chunks()
    if not isinstance(dtype, T.StringType) or len(tokens) < 64:
        return hash_terms(tokens, dtype)
    enc = pc.dictionary_encode(tokens)
    codes = enc.indices
    hashed = hash_terms(enc.dictionary, dtype)
    if codes.null_count:  # a null token hashes to the seed (as hash_terms has it)
        hashed = np.append(hashed, np.uint32(SEED))
        codes = codes.fill_null(len(hashed) - 1)
    return hashed[np.asarray(codes.to_numpy(zero_copy_only=False))]


def _check_num_features(stage: Any) -> int:
    n = stage.getOrDefault("numFeatures")
    if n <= 0:
        raise IllegalArgumentException(f"{_name(stage)}: numFeatures must be > 0, got {n}")
    return int(n)


# -- HashingTF ---------------------------------------------------------------------------------

class _TermFrequencyKernel:
    """list column -> sparse term-frequency vectors (binary: 1.0 per present term)."""

    __name__ = "hashing_tf"

    def __init__(self, column: str, element: T.DataType, n: int, binary: bool):
        self.column, self.element, self.n, self.binary = column, element, n, binary

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-hashingtf", self.column, self.element.simpleString(), self.n, self.binary)

    def __call__(self, a: Any) -> pa.Array:
        arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        if arr.null_count:
            raise SparkException(f"HashingTF: column `{self.column}` holds a null array; "
                                 f"fill or filter nulls first")
        rows = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))
        idx = murmur3.non_negative_mod(_hash_tokens(pc.list_flatten(arr), self.element), self.n)
        m = sp.csr_matrix((np.ones(len(idx)), (rows, idx)), shape=(len(arr), self.n))
        m.sum_duplicates()
        if self.binary:
            m.data[:] = 1.0
        return csr_to_arrow(m)


class HashingTF(Transformer, HasInputCol, HasOutputCol, HasNumFeatures):
    """Maps a list of terms to a sparse vector of term frequencies, each term landing at its
    hashed index (Spark's, so vectors match Spark's); ``binary`` counts a term once."""

    binary = Param(Params._dummy(), "binary", "count a term at most once per row (1.0), for "
                   "models that want presence rather than frequency", TC.toBoolean)

    @keyword_only
    def __init__(self, *, numFeatures: int = 1 << 18, binary: bool = False,
                 inputCol: str | None = None, outputCol: str | None = None):
        super().__init__()
        self._setDefault(numFeatures=1 << 18, binary=False)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, numFeatures: int = 1 << 18, binary: bool = False,
                  inputCol: str | None = None, outputCol: str | None = None) -> "HashingTF":
        return self._set(**self._input_kwargs)

    def indexOf(self, term: Any) -> int:
        """The vector index ``term`` hashes to."""
        n = _check_num_features(self)
        dtype = _python_type(term)
        return int(murmur3.non_negative_mod(hash_terms(pa.array([term]), dtype), n)[0])

    def _element_type(self, schema: T.StructType) -> T.DataType:
        dt = require_column(schema, self.getInputCol(), (T.ArrayType,), self, "an array")
        if not isinstance(dt.elementType, _TERM_TYPES):
            raise IllegalArgumentException(
                f"{_name(self)}: column `{self.getInputCol()}` holds "
                f"{dt.elementType.simpleString()} terms; HashingTF hashes strings, numbers "
                f"and booleans")
        return dt.elementType

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        _check_num_features(self)
        self._element_type(schema)
        require_absent(schema, self.getOutputCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getOutputCol(), VectorUDT(), True)])

    def _transform(self, dataset: Any) -> Any:
        n = _check_num_features(self)
        kernel = _TermFrequencyKernel(self.getInputCol(), self._element_type(dataset.schema), n,
                                      self.getOrDefault("binary"))
        column = partition_column("HashingTF", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(n)))


def _python_type(term: Any) -> T.DataType:
    if term is None or isinstance(term, str):
        return T.StringType()
    if isinstance(term, bool):
        return T.BooleanType()
    if isinstance(term, (int, np.integer)):
        return T.IntegerType() if -(1 << 31) <= int(term) < (1 << 31) else T.LongType()
    if isinstance(term, (float, np.floating)):
        return T.DoubleType()
    raise TypeError(f"HashingTF.indexOf: cannot hash a {type(term).__name__}")


# -- FeatureHasher -----------------------------------------------------------------------------

def _category_strings(values: pa.Array, dtype: T.DataType) -> pa.Array:
    """Each value as Java's ``toString`` spells it (what Spark hashes in ``col=value``)."""
    if isinstance(dtype, T.StringType):
        return values
    if isinstance(dtype, T.BooleanType):
        return pc.if_else(values, "true", "false")
    if isinstance(dtype, (T.DoubleType, T.FloatType)):
        py = values.to_pylist()
        fmt = (lambda v: format_double(v)) if isinstance(dtype, T.DoubleType) \
            else (lambda v: format_double(float(str(np.float32(v)))))
        return pa.array([None if v is None else fmt(v) for v in py], pa.string())
    return values.cast(pa.string())


class _FeatureHashKernel:
    """Input columns -> one sparse vector per row: a numeric column adds its value at the
    index of its name, any other (or categorical) column adds 1.0 at the index of
    ``name=value``; nulls add nothing; collisions sum."""

    __name__ = "feature_hasher"

    def __init__(self, columns: list[tuple[str, T.DataType, bool]], n: int):
        self.columns, self.n = columns, n

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-featurehasher", tuple((c, t.simpleString(), r) for c, t, r in self.columns),
                self.n)

    def __call__(self, *parts: Any) -> pa.Array:
        rows, idx, vals = [], [], []
        length = 0
        for (name, dtype, real), a in zip(self.columns, parts):
            a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
            length = len(a)
            valid = np.flatnonzero(np.asarray(a.is_valid().to_numpy(zero_copy_only=False)))
            a = a.take(pa.array(valid))
            if real:
                v = np.asarray(a.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
                col_idx = murmur3.non_negative_mod(
                    hash_terms(pa.array([name]), T.StringType()), self.n)
                i = np.repeat(col_idx, len(v))
            else:
                text = pc.binary_join_element_wise(
                    pa.scalar(name + "=", pa.large_string()),
                    _category_strings(a, dtype).cast(pa.large_string()),
                    pa.scalar("", pa.large_string()))
                i = murmur3.non_negative_mod(hash_terms(text, T.StringType()), self.n)
                v = np.ones(len(i))
            rows.append(valid)
            idx.append(i)
            vals.append(v)
        m = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(idx))),
                          shape=(length, self.n))
        m.sum_duplicates()  # explicit zeros stay, as Spark keeps a 0.0 value it was given
        return csr_to_arrow(m)


class FeatureHasher(Transformer, HasInputCols, HasOutputCol, HasNumFeatures):
    """Hashes several columns into one sparse vector without a vocabulary: numeric columns
    keep their value (at the index of the column name), string and boolean columns, and the
    numeric ones listed in ``categoricalCols``, become 1.0 at the index of ``name=value``."""

    categoricalCols = Param(Params._dummy(), "categoricalCols", "numeric input columns to "
                            "treat as categories (string and boolean columns always are)",
                            TC.toListString)

    @keyword_only
    def __init__(self, *, numFeatures: int = 1 << 18, inputCols: list[str] | None = None,
                 outputCol: str | None = None, categoricalCols: list[str] | None = None):
        super().__init__()
        self._setDefault(numFeatures=1 << 18)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, numFeatures: int = 1 << 18, inputCols: list[str] | None = None,
                  outputCol: str | None = None,
                  categoricalCols: list[str] | None = None) -> "FeatureHasher":
        return self._set(**self._input_kwargs)

    def _columns(self, schema: T.StructType) -> list[tuple[str, T.DataType, bool]]:
        if not self.isSet("inputCols"):
            raise IllegalArgumentException(f"{_name(self)}: set inputCols")
        cats = set(self.getOrDefault("categoricalCols")) if self.isSet("categoricalCols") \
            else set()
        out = []
        for c in self.getInputCols():
            dt = require_column(schema, c, (), self, "")
            numeric = isinstance(dt, T.NumericType)
            if not (numeric or isinstance(dt, (T.StringType, T.BooleanType))):
                raise IllegalArgumentException(
                    f"{_name(self)}: column `{c}` is {dt.simpleString()}; FeatureHasher takes "
                    f"numeric, string and boolean columns")
            out.append((c, dt, numeric and c not in cats))
        return out

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        _check_num_features(self)
        self._columns(schema)
        require_absent(schema, self.getOutputCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getOutputCol(), VectorUDT(), True)])

    def _transform(self, dataset: Any) -> Any:
        n = _check_num_features(self)
        cols = self._columns(dataset.schema)
        kernel = _FeatureHashKernel(cols, n)
        column = partition_column("FeatureHasher", [c for c, _, _ in cols], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(n)))
