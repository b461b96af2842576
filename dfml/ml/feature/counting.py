"""Counting stages: CountVectorizer (a vocabulary of terms) and IDF (inverse document
frequencies), with their models.

Both fits are one pass of ``Aggregation``s, so ``Pipeline.fit`` runs them in the same pass as
other ready stages' fits: CountVectorizer's partial is a small Arrow table of (term, total
count, document count) per partition, merged by a group-by; IDF's is the document count and a
per-feature count of documents with a positive value. The models' transforms are vectorized
per partition (a dictionary lookup with ``pyarrow.compute.index_in``, a CSR matrix) and write
sparse vectors as Spark does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from ...sql.kernels import arrow_of
from .. import attributes
from ..base import (Aggregation, Estimator, Model, model_string, partition_column,
                    require_absent, require_column)
from ..linalg import DenseVector, VectorUDT, as_struct_array, csr_to_arrow, to_matrix
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasOutputCol
from .scalers import first_vector

__all__ = ["CountVectorizer", "CountVectorizerModel", "IDF", "IDFModel"]

_LONG_MAX = float(2 ** 63 - 1)


def _name(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def _list_array(a: Any, column: str, stage: str) -> pa.Array:
    """One Arrow list array of a chunk; a null row is an error, as in Spark (which fails on it)."""
    if not isinstance(a, (pa.Array, pa.ChunkedArray)):
        a = arrow_of(a)
    arr = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    if arr.null_count:
        raise SparkException(f"{stage}: column `{column}` holds a null array; fill or filter "
                             f"nulls first")
    return arr


def _string_array_type(schema: T.StructType, stage: Any) -> None:
    dt = require_column(schema, stage.getInputCol(), (T.ArrayType,), stage, "array<string>")
    if not isinstance(dt.elementType, T.StringType):
        raise IllegalArgumentException(
            f"{_name(stage)}: column `{stage.getInputCol()}` must be array<string>, but it is "
            f"{dt.simpleString()}")


def _vector_out(stage: Any, schema: T.StructType) -> T.StructType:
    require_absent(schema, stage.getOutputCol(), stage)
    return T.StructType(schema.fields + [T.StructField(stage.getOutputCol(), VectorUDT(), True)])


# -- CountVectorizer ---------------------------------------------------------------------------

_EMPTY_COUNTS = pa.table({"term": pa.array([], pa.large_string()),
                          "tf": pa.array([], pa.int64()), "df": pa.array([], pa.int64())})


class _TermCounts:
    """Partial of a vocabulary fit: (number of documents, table of term/tf/df)."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, part: Any) -> tuple[int, pa.Table]:
        arr = _list_array(part[self.column], self.column, "CountVectorizer")
        terms = pc.list_flatten(arr).cast(pa.large_string())
        if terms.null_count:
            raise SparkException(f"CountVectorizer: column `{self.column}` holds a null term")
        rows = pc.list_parent_indices(arr)
        pairs = pa.table({"row": rows, "term": terms}).group_by(["row", "term"]).aggregate(
            [("row", "count")])
        counts = pairs.group_by("term").aggregate([("row_count", "sum"), ("row_count", "count")])
        return len(arr), counts.rename_columns(["term", "tf", "df"])


def _merge_counts(parts: list[Any]) -> tuple[int, pa.Table]:
    parts = [p for p in parts if p is not None]
    if not parts:
        return 0, _EMPTY_COUNTS
    table = pa.concat_tables([p[1].cast(_EMPTY_COUNTS.schema) for p in parts])
    merged = table.group_by("term").aggregate([("tf", "sum"), ("df", "sum")])
    return sum(p[0] for p in parts), merged.rename_columns(["term", "tf", "df"])


def _utf16_order(terms: pa.Array) -> pa.Array:
    """A key that sorts strings as Java compares them (by UTF-16 code units), which differs
    from code point order only between supplementary characters and U+E000..U+FFFF."""
    if pc.all(pc.string_is_ascii(terms)).as_py() is not False:
        return terms
    return pa.array([t.encode("utf-16-be") for t in terms.to_pylist()], pa.binary())


class _CountVectorizerParams(HasInputCol, HasOutputCol):
    vocabSize = Param(Params._dummy(), "vocabSize", "largest vocabulary kept", TC.toInt)
    minDF = Param(Params._dummy(), "minDF", "fewest documents a term must appear in (a count "
                  "if >= 1, else a fraction of the documents)", TC.toFloat)
    maxDF = Param(Params._dummy(), "maxDF", "most documents a term may appear in (a count if "
                  ">= 1, else a fraction of the documents)", TC.toFloat)
    minTF = Param(Params._dummy(), "minTF", "in each document, ignore terms counted fewer times "
                  "than this (a count if >= 1, else a fraction of the document's terms)",
                  TC.toFloat)
    binary = Param(Params._dummy(), "binary", "write 1.0 for each present term instead of its "
                   "count", TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(minTF=1.0, binary=False, vocabSize=1 << 18, minDF=1.0, maxDF=_LONG_MAX)

    def _check_min_tf(self) -> None:
        if self.getOrDefault("minTF") < 0:
            raise IllegalArgumentException(f"{_name(self)}: minTF must be >= 0, got "
                                           f"{self.getOrDefault('minTF')}")


class CountVectorizer(Estimator, _CountVectorizerParams):
    """Learns a vocabulary from a column of term lists: the ``vocabSize`` terms with the
    highest total counts (ties: Java's string order), among those in at least ``minDF`` and at
    most ``maxDF`` documents (counts if >= 1, else fractions of the documents)."""

    @keyword_only
    def __init__(self, *, minTF: float = 1.0, minDF: float = 1.0, maxDF: float = _LONG_MAX,
                 vocabSize: int = 1 << 18, binary: bool = False, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, minTF: float = 1.0, minDF: float = 1.0, maxDF: float = _LONG_MAX,
                  vocabSize: int = 1 << 18, binary: bool = False, inputCol: str | None = None,
                  outputCol: str | None = None) -> "CountVectorizer":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_min_tf()
        vs, lo, hi = self.getVocabSize(), self.getMinDF(), self.getMaxDF()
        if vs <= 0:
            raise IllegalArgumentException(f"{_name(self)}: vocabSize must be > 0, got {vs}")
        for p, v in (("minDF", lo), ("maxDF", hi)):
            if v < 0:
                raise IllegalArgumentException(f"{_name(self)}: {p} must be >= 0, got {v}")
        if (lo >= 1.0) == (hi >= 1.0) and hi < lo:
            raise IllegalArgumentException(f"{_name(self)}: maxDF ({hi}) must be >= minDF ({lo})")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        _string_array_type(schema, self)
        return _vector_out(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        col = self.getInputCol()
        return [Aggregation([col], _TermCounts(col), _merge_counts, label=f"term_counts({col})")]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "CountVectorizerModel":
        docs, counts = results[0]
        lo, hi = self.getMinDF(), self.getMaxDF()
        lo = lo if lo >= 1.0 else lo * docs
        hi = hi if hi >= 1.0 else hi * docs
        if hi < lo:
            raise IllegalArgumentException(f"{_name(self)}: maxDF ({hi}) must be >= minDF ({lo})")
        if self.isSet("minDF") or self.isSet("maxDF"):
            df = counts.column("df")
            counts = counts.filter(pc.and_(pc.greater_equal(df, lo), pc.less_equal(df, hi)))
        keyed = counts.append_column("key", _utf16_order(counts.column("term").combine_chunks()))
        order = pc.sort_indices(keyed, sort_keys=[("tf", "descending"), ("key", "ascending")])
        top = order[: min(len(order), self.getVocabSize())]
        vocab = counts.column("term").take(top).to_pylist()
        if not vocab:
            raise IllegalArgumentException(f"{_name(self)}: the vocabulary is empty (no term of "
                                           f"column `{self.getInputCol()}` passes minDF/maxDF); "
                                           f"lower minDF as necessary")
        return self._copyValues(CountVectorizerModel(vocab))


class _CountKernel:
    """Term lists -> sparse count vectors over a fixed vocabulary."""

    __name__ = "count_vectorizer"

    def __init__(self, column: str, vocabulary: list[str], min_tf: float, binary: bool):
        self.column, self.vocabulary = column, vocabulary
        self.min_tf, self.binary = min_tf, binary

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-countvectorizer", self.column, tuple(self.vocabulary), self.min_tf,
                self.binary)

    def __call__(self, a: Any) -> pa.Array:
        arr = _list_array(a, self.column, "CountVectorizerModel")
        n, size = len(arr), len(self.vocabulary)
        terms = pc.list_flatten(arr).cast(pa.large_string())
        idx = pc.index_in(terms, value_set=pa.array(self.vocabulary, pa.large_string()))
        known = np.asarray(idx.is_valid().to_numpy(zero_copy_only=False))
        rows = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))[known]
        cols = np.asarray(idx.filter(pa.array(known)).to_numpy(zero_copy_only=False))
        m = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, size))
        m.sum_duplicates()
        tokens = np.asarray(pc.list_value_length(arr).to_numpy(zero_copy_only=False), float)
        threshold = self.min_tf if self.min_tf >= 1.0 else tokens * self.min_tf
        row_of = np.repeat(np.arange(n), np.diff(m.indptr))
        keep = m.data >= (np.asarray(threshold)[row_of] if np.ndim(threshold) else threshold)
        m.data[~keep] = 0.0
        m.eliminate_zeros()
        if self.binary:
            m.data[:] = 1.0
        return csr_to_arrow(m)


class CountVectorizerModel(Model, _CountVectorizerParams):
    """A fitted CountVectorizer: ``vocabulary`` (index i is the i-th term). Maps a term list to
    the sparse vector of its vocabulary terms' counts; other terms are ignored."""

    def __init__(self, vocabulary: list[str] | None = None):
        super().__init__()
        self.vocabulary = list(vocabulary) if vocabulary is not None else None

    def _init_loaded(self) -> None:
        self.vocabulary = None

    @classmethod
    def from_vocabulary(cls, vocabulary: list[str], inputCol: str, outputCol: str | None = None,
                        minTF: float | None = None, binary: bool | None = None
                        ) -> "CountVectorizerModel":
        """A model from a known vocabulary, without fitting."""
        model = cls(vocabulary)
        model._set(inputCol=inputCol)
        for name, value in (("outputCol", outputCol), ("minTF", minTF), ("binary", binary)):
            if value is not None:
                model._set(**{name: value})
        return model

    def __repr__(self) -> str:
        return model_string(self, [("vocabularySize", len(self.vocabulary))])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        self._check_min_tf()
        _string_array_type(schema, self)
        return _vector_out(self, schema)

    def _transform(self, dataset: Any) -> Any:
        kernel = _CountKernel(self.getInputCol(), self.vocabulary, self.getMinTF(),
                              self.getBinary())
        column = partition_column("CountVectorizerModel", [self.getInputCol()], kernel,
                                  VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=_group_without_names(len(self.vocabulary))))

    def _save_data(self) -> pa.Table:
        return pa.table({"vocabulary": pa.array([self.vocabulary], pa.list_(pa.string()))})

    def _load_data(self, table: pa.Table) -> None:
        self.vocabulary = [str(t) for t in table.column("vocabulary")[0].as_py()]


def _group_without_names(size: int) -> dict:
    """The metadata Spark gives a CountVectorizerModel output: its size, and an (empty) map of
    slot attributes."""
    return {"ml_attr": {"num_attrs": int(size), "attrs": {}}}


# -- IDF ---------------------------------------------------------------------------------------

class _DocFreq:
    """Partial of an IDF fit: (documents, per-feature count of documents with a value > 0)."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, part: Any) -> Any:
        arr = as_struct_array(part[self.column])
        if arr.null_count:
            raise SparkException(f"IDF: column `{self.column}` holds a null vector; fill or "
                                 f"filter nulls first")
        if len(arr) == 0:
            return None
        m = to_matrix(arr)
        positive = (m > 0)
        df = np.asarray(positive.sum(axis=0)).reshape(-1).astype(np.int64)
        return len(arr), df


def _merge_doc_freq(column: str) -> Any:
    def combine(parts: list[Any]) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        sizes = {len(p[1]) for p in parts}
        if len(sizes) > 1:
            raise SparkException(f"IDF: vectors of different sizes {sorted(sizes)} in column "
                                 f"`{column}`")
        return sum(p[0] for p in parts), np.sum([p[1] for p in parts], axis=0)
    return combine


class _IDFParams(HasInputCol, HasOutputCol):
    minDocFreq = Param(Params._dummy(), "minDocFreq", "features in fewer documents than this "
                       "get weight 0", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(minDocFreq=0)


class IDF(Estimator, _IDFParams):
    """Inverse document frequency: learns ``log((m + 1) / (df + 1))`` per feature, ``m`` the
    number of documents and ``df`` those where the feature is positive; the model multiplies
    each vector by it (so term frequencies become TF-IDF)."""

    @keyword_only
    def __init__(self, *, minDocFreq: int = 0, inputCol: str | None = None,
                 outputCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, minDocFreq: int = 0, inputCol: str | None = None,
                  outputCol: str | None = None) -> "IDF":
        return self._set(**self._input_kwargs)

    # the model's scaling can be applied to a LogisticRegression's training blocks in memory,
    # so a pipeline builds those blocks in IDF's own pass (one read for both fits)
    _model_transforms_blocks = True

    def _validate_params(self) -> None:
        if self.getMinDocFreq() < 0:
            raise IllegalArgumentException(f"{_name(self)}: minDocFreq must be >= 0, got "
                                           f"{self.getMinDocFreq()}")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        require_column(schema, self.getInputCol(), (VectorUDT,), self, "a vector")
        return _vector_out(self, schema)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        col = self.getInputCol()
        return [Aggregation([col], _DocFreq(col), _merge_doc_freq(col), label=f"docfreq({col})")]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "IDFModel":
        if results[0] is None:
            raise IllegalArgumentException(f"{_name(self)}: the input has no rows to fit on")
        m, df = results[0]
        kept = df >= self.getMinDocFreq()
        idf = np.where(kept, np.log((m + 1.0) / (df + 1.0)), 0.0)
        doc_freq = [int(d) for d in np.where(kept, df, 0)]  # Spark zeroes the dropped counts too
        return self._copyValues(IDFModel(DenseVector(idf), doc_freq, int(m)))


class _IDFKernel:
    """Vectors times the idf weights; a sparse vector keeps its stored indices."""

    __name__ = "idf_scale"

    def __init__(self, column: str, idf: np.ndarray):
        self.column, self.idf = column, idf

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-idf", self.column, self.idf.tobytes())

    def __call__(self, a: Any) -> pa.Array:
        """Scales the stored values in place of the Arrow struct: each row keeps its form and
        a sparse row its stored indices (explicit zeros included), as Spark's transform does."""
        arr = as_struct_array(a)
        if arr.null_count:
            raise SparkException(f"IDFModel: column `{self.column}` holds a null vector; fill "
                                 f"or filter nulls first")
        values = arr.field("values")
        flat = np.asarray(pc.list_flatten(values).to_numpy(zero_copy_only=False), dtype=float)
        lens = np.asarray(pc.list_value_length(values).fill_null(0).to_numpy(
            zero_copy_only=False), dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lens)])
        kinds = np.asarray(arr.field("type").to_numpy(zero_copy_only=False))
        sizes = np.where(kinds == 1, lens, np.asarray(
            arr.field("size").fill_null(-1).to_numpy(zero_copy_only=False)))
        if len(sizes) and (sizes != len(self.idf)).any():
            raise SparkException(f"IDFModel: vectors of column `{self.column}` have size "
                                 f"{int(sizes[sizes != len(self.idf)][0])}, the model has "
                                 f"{len(self.idf)} features")
        row = np.repeat(np.arange(len(arr)), lens)
        col = np.arange(len(flat), dtype=np.int64) - offsets[:-1][row]  # dense: the position
        sparse_vals = kinds[row] == 0
        col[sparse_vals] = np.asarray(pc.list_flatten(arr.field("indices")).to_numpy(
            zero_copy_only=False))
        scaled = pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(flat * self.idf[col]))
        fields = list(arr.type)
        return pa.StructArray.from_arrays(
            [arr.field("type"), arr.field("size"), arr.field("indices"),
             scaled.cast(fields[3].type)], fields=fields)


class _IDFBlock:
    """IDFModel on a training Block: each column of the matrix times its weight (the same
    products the column transform computes); labels and weights pass through."""

    def __init__(self, idf: np.ndarray):
        self.idf = idf

    def __call__(self, block: Any) -> Any:
        from ..optim.blocks import Block
        X = block.X
        if X.shape[1] != len(self.idf):
            raise SparkException(f"IDFModel: vectors have size {X.shape[1]}, the model has "
                                 f"{len(self.idf)} features")
        if sp.issparse(X):
            X = sp.csr_matrix(X, copy=True)
            X.data *= self.idf[X.indices]
        else:
            X = X * self.idf
        return Block(X, block.y, block.w)


class IDFModel(Model, _IDFParams):
    """A fitted IDF: ``idf`` weights, ``docFreq`` (documents per feature, 0 for features below
    ``minDocFreq``) and ``numDocs``."""

    def __init__(self, idf: DenseVector | None = None, docFreq: list[int] | None = None,
                 numDocs: int | None = None):
        super().__init__()
        self.idf, self.docFreq, self.numDocs = idf, docFreq, numDocs

    def _init_loaded(self) -> None:
        self.idf = self.docFreq = self.numDocs = None

    def __repr__(self) -> str:
        return model_string(self, [("numDocs", self.numDocs), ("numFeatures", len(self.idf))])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        require_column(schema, self.getInputCol(), (VectorUDT,), self, "a vector")
        return _vector_out(self, schema)

    def _transform(self, dataset: Any) -> Any:
        kernel = _IDFKernel(self.getInputCol(), self.idf.toArray())
        column = partition_column("IDFModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column.alias(
            self.getOutputCol(), metadata=attributes.sized_group(len(self.idf))))

    def _block_kernel(self) -> _IDFBlock:
        return _IDFBlock(self.idf.toArray())

    def _block_moments(self, fit_results: list) -> Any:
        """None: the fit counted documents, not the moments of the weighted vectors, so the
        estimator trained on the blocks computes those from the blocks in memory."""
        return None

    def _save_data(self) -> pa.Table:
        from ..linalg import vectors_to_arrow
        return pa.table({"idf": vectors_to_arrow([self.idf]),
                         "docFreq": pa.array([self.docFreq], pa.list_(pa.int64())),
                         "numDocs": pa.array([self.numDocs], pa.int64())})

    def _load_data(self, table: pa.Table) -> None:
        self.idf = first_vector(table, "idf")
        self.docFreq = [int(d) for d in table.column("docFreq")[0].as_py()]
        self.numDocs = int(table.column("numDocs")[0].as_py())

