"""Word2Vec: word vectors learned by skip-gram with hierarchical softmax, and its model.

The fit reads its input twice. The first pass is an aggregation (word counts per partition,
merged by a group-by): the vocabulary is the words seen at least ``minCount`` times, most
frequent first (ties by word, so the order is reproducible), and their counts shape the
Huffman tree. The second pass encodes each partition's sentences as word indices on the worker
that holds it; training then runs ``numPartitions`` tasks on the cluster, each on its share of
the sentences (numpy, see ``w2v_train``). With several partitions, the tasks start each
iteration from the same vectors and their results are averaged afterwards, row by row over the
tasks that touched the row, as Spark does.

The model maps a document (array of strings) to the average of its words' vectors, divided by
the document's length including words outside the vocabulary; an empty document maps to a
zero vector with no entries (sparse, as Spark gives it). ``findSynonyms`` ranks words by
cosine similarity in single precision, as Spark does. The model is saved as Spark saves it:
``data/`` holds one row per word, (word, vector as array<float>).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ...sql import _engine
from ...sql import types as T
from ...sql.errors import IllegalArgumentException, SparkException
from ..base import (Aggregation, Estimator, Model, model_string, partition_column,
                    require_absent, require_column, run_aggregations)
from ..linalg import DenseVector, Vector, VectorUDT, assemble_vectors, dense_to_arrow
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasMaxIter, HasOutputCol, HasSeed
from . import w2v_train as W

__all__ = ["Word2Vec", "Word2VecModel"]


def _name(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


def _sentences(part: Any, column: str, stage: str) -> pa.Array:
    """The column's documents as one Arrow list array (``part``: a partition frame or the
    column itself); a null document is an error naming the column."""
    import pandas as pd
    arr = _engine.arrow_array(part[column] if isinstance(part, pd.DataFrame) else part)
    if arr.null_count:
        raise SparkException(f"{stage}: column `{column}` holds a null array; fill or filter "
                             f"nulls first")
    return arr


class _WordCounts:
    """Partial of the vocabulary pass: a table of (word, count) for one partition."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, part: Any) -> pa.Table:
        words = pc.list_flatten(_sentences(part, self.column, "Word2Vec")).cast(pa.large_string())
        words = words.filter(words.is_valid())
        return pa.table({"word": words}).group_by("word").aggregate([("word", "count")])


def _merge_word_counts(parts: list[Any]) -> pa.Table:
    parts = [p for p in parts if p is not None and p.num_rows]
    if not parts:
        return pa.table({"word": pa.array([], pa.large_string()),
                         "word_count": pa.array([], pa.int64())})
    merged = pa.concat_tables(parts).group_by("word").aggregate([("word_count", "sum")])
    return merged.rename_columns(["word", "word_count"])


def _encode(part: Any, column: str, vocab: list[str], max_len: int) -> tuple:
    """A partition's sentences as (flat word indices, sentence lengths): runs on the worker."""
    arr = _sentences(part, column, "Word2Vec")
    index = {w: i for i, w in enumerate(vocab)}
    return W.encode_sentences(arr.to_pylist(), index, max_len)


def _share(parts: tuple, group: int, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The sentences of training task ``group``: every ``groups``-th sentence of the input."""
    flats, lens, seen = [], [], 0
    for flat, lengths in parts:
        starts = np.cumsum(lengths) - lengths
        pick = (np.arange(len(lengths)) + seen) % groups == group
        seen += len(lengths)
        lens.append(lengths[pick])
        flats.append(np.concatenate([flat[s:s + n] for s, n in zip(starts[pick], lengths[pick])])
                     if pick.any() else np.zeros(0, np.int32))
    if not flats:
        return np.zeros(0, np.int32), np.zeros(0, np.int64)
    return np.concatenate(flats).astype(np.int32), np.concatenate(lens)


def _train_task(group: int, groups: int, syn0: np.ndarray, syn1: np.ndarray, tree: tuple,
                settings: dict, passes: int, done: int, *parts: tuple) -> tuple:
    """One training task: its share of the sentences, ``passes`` passes from (syn0, syn1);
    returns the new vectors and which rows it changed."""
    flat, lengths = _share(parts, group, groups)
    new0, new1, _ = W.train_partition(flat, lengths, syn0, syn1, tree, passes=passes,
                                      done_words=done, **settings)
    touched0 = np.zeros(len(syn0), bool)
    touched0[np.unique(flat)] = True
    return new0, new1, touched0, (new1 != syn1).any(axis=1)


def _average(results: list[tuple], syn0: np.ndarray, syn1: np.ndarray) -> tuple:
    """Spark's merge of the tasks' vectors: each row the mean over the tasks that touched it."""
    out = []
    for k, base in ((0, syn0), (1, syn1)):
        total = np.zeros_like(base, dtype=np.float64)
        hits = np.zeros(len(base))
        for r in results:
            mask = r[2 + k]
            total[mask] += r[k][mask]
            hits += mask
        merged = base.copy()
        seen = hits > 0
        merged[seen] = (total[seen] / hits[seen, None]).astype(base.dtype)
        out.append(merged)
    return out[0], out[1]


def _w2v_schema(stage: Any, schema: T.StructType) -> T.StructType:
    """The input must be array<string>; the output (a vector column) must not exist yet."""
    dt = require_column(schema, stage.getInputCol(), (T.ArrayType,), stage, "array<string>")
    if not isinstance(dt.elementType, T.StringType):
        raise IllegalArgumentException(f"{_name(stage)}: column `{stage.getInputCol()}` must "
                                       f"be array<string>, but it is {dt.simpleString()}")
    require_absent(schema, stage.getOutputCol(), stage)
    return T.StructType(schema.fields + [T.StructField(stage.getOutputCol(), VectorUDT(), True)])


class _Word2VecParams(HasInputCol, HasOutputCol, HasMaxIter, HasSeed):
    vectorSize = Param(Params._dummy(), "vectorSize", "dimension of the word vectors (> 0)",
                       TC.toInt)
    numPartitions = Param(Params._dummy(), "numPartitions", "number of training tasks (> 0); "
                          "more is faster but less accurate", TC.toInt)
    minCount = Param(Params._dummy(), "minCount", "fewest occurrences a word needs to enter "
                     "the vocabulary (>= 0)", TC.toInt)
    windowSize = Param(Params._dummy(), "windowSize", "largest distance between a word and a "
                       "context word (> 0)", TC.toInt)
    maxSentenceLength = Param(Params._dummy(), "maxSentenceLength", "longer sentences are cut "
                              "into pieces of this many words (> 0)", TC.toInt)
    stepSize = Param(Params._dummy(), "stepSize", "initial learning rate (> 0)", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(vectorSize=100, minCount=5, numPartitions=1, stepSize=0.025, maxIter=1,
                         windowSize=5, maxSentenceLength=1000)

    def getVectorSize(self) -> int:
        return self.getOrDefault("vectorSize")

    def getNumPartitions(self) -> int:
        return self.getOrDefault("numPartitions")

    def getMinCount(self) -> int:
        return self.getOrDefault("minCount")

    def getWindowSize(self) -> int:
        return self.getOrDefault("windowSize")

    def getMaxSentenceLength(self) -> int:
        return self.getOrDefault("maxSentenceLength")

    def getStepSize(self) -> float:
        return self.getOrDefault("stepSize")

class Word2Vec(Estimator, _Word2VecParams):
    """Learns a vector per word from a column of documents (arrays of words) so that words used
    in similar contexts get similar vectors; the model turns a document into the average of
    its words' vectors."""

    @keyword_only
    def __init__(self, *, vectorSize: int = 100, minCount: int = 5, numPartitions: int = 1,
                 stepSize: float = 0.025, maxIter: int = 1, seed: int | None = None,
                 inputCol: str | None = None, outputCol: str | None = None,
                 windowSize: int = 5, maxSentenceLength: int = 1000):
        super().__init__()
        kwargs = {k: v for k, v in self._input_kwargs.items() if v is not None or k != "seed"}
        self._set(**kwargs)

    @keyword_only
    def setParams(self, *, vectorSize: int = 100, minCount: int = 5, numPartitions: int = 1,
                  stepSize: float = 0.025, maxIter: int = 1, seed: int | None = None,
                  inputCol: str | None = None, outputCol: str | None = None,
                  windowSize: int = 5, maxSentenceLength: int = 1000) -> "Word2Vec":
        kwargs = {k: v for k, v in self._input_kwargs.items() if v is not None or k != "seed"}
        return self._set(**kwargs)

    def setVectorSize(self, value: int) -> "Word2Vec":
        return self._set(vectorSize=value)

    def setNumPartitions(self, value: int) -> "Word2Vec":
        return self._set(numPartitions=value)

    def setMinCount(self, value: int) -> "Word2Vec":
        return self._set(minCount=value)

    def setWindowSize(self, value: int) -> "Word2Vec":
        return self._set(windowSize=value)

    def setMaxSentenceLength(self, value: int) -> "Word2Vec":
        return self._set(maxSentenceLength=value)

    def setStepSize(self, value: float) -> "Word2Vec":
        return self._set(stepSize=value)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return _w2v_schema(self, schema)

    def _validate_params(self) -> None:
        for p in ("vectorSize", "numPartitions", "windowSize", "maxSentenceLength"):
            if self.getOrDefault(p) <= 0:
                raise IllegalArgumentException(f"{_name(self)}: {p} must be > 0, got "
                                               f"{self.getOrDefault(p)}")
        for p in ("minCount", "maxIter"):
            if self.getOrDefault(p) < 0:
                raise IllegalArgumentException(f"{_name(self)}: {p} must be >= 0, got "
                                               f"{self.getOrDefault(p)}")
        if not self.getStepSize() > 0:
            raise IllegalArgumentException(f"{_name(self)}: stepSize must be > 0, got "
                                           f"{self.getStepSize()}")

    def _fit(self, dataset: Any) -> "Word2VecModel":
        col = self.getInputCol()
        counts = run_aggregations(dataset, [Aggregation([col], _WordCounts(col),
                                                        _merge_word_counts,
                                                        label=f"word_counts({col})")])[0]
        counts = counts.filter(pc.greater_equal(counts.column("word_count"), self.getMinCount()))
        counts = counts.sort_by([("word_count", "descending"), ("word", "ascending")])
        vocab = [str(w) for w in counts.column("word").to_pylist()]
        if not vocab:
            raise IllegalArgumentException(
                f"{_name(self)}: the vocabulary is empty: no word of column `{col}` occurs "
                f"minCount={self.getMinCount()} times or more; lower minCount")
        freq = np.asarray(counts.column("word_count").to_numpy(), np.int64)
        syn0, syn1 = self._train(dataset, vocab, freq)
        return self._copyValues(Word2VecModel(vocab, syn0))

    def _train(self, dataset: Any, vocab: list[str], freq: np.ndarray) -> tuple:
        from dask import delayed
        dim, groups, iters = self.getVectorSize(), self.getNumPartitions(), self.getMaxIter()
        seed = self.getOrDefault("seed")
        rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
        syn0 = ((rng.random((len(vocab), dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
        syn1 = np.zeros((max(1, len(vocab) - 1), dim), np.float32)
        session = _engine.session_of(dataset)
        col = self.getInputCol()
        encode = delayed(_encode, pure=True)
        parts = _engine.submit(session, [encode(p, col, vocab, self.getMaxSentenceLength())
                                         for p in _engine.partitions(dataset, [col])])
        client = _engine.client_of(session)
        tree = W.huffman_paths(freq)
        settings = {"window": self.getWindowSize(), "step": self.getStepSize(),
                    "iterations": max(1, iters), "total_words": int(freq.sum()),
                    "partitions": groups}
        # one task with all passes, or, with several tasks, one round per pass (merged after)
        rounds = [(0, iters)] if groups == 1 else [(k, 1) for k in range(iters)]
        done = 0
        for k, passes in rounds:
            futs = [client.submit(_train_task, g, groups, syn0, syn1, tree,
                                  {**settings, "seed": _task_seed(seed, g, k)}, passes, done,
                                  *parts, pure=False) for g in range(groups)]
            results = client.gather(futs)
            done += int(freq.sum()) // groups * passes
            syn0, syn1 = results[0][:2] if groups == 1 else _average(results, syn0, syn1)
        return syn0, syn1


def _task_seed(seed: int, group: int, round_: int) -> list[int]:
    """A distinct random stream per (seed, task, round)."""
    return [seed & 0xFFFFFFFF, group, round_]


class _DocumentMean:
    """Documents -> the mean of their words' vectors (divided by the full document length)."""

    __name__ = "word2vec_mean"

    def __init__(self, column: str, vocab: list[str], vectors: np.ndarray):
        self.column, self.vocab, self.vectors = column, vocab, vectors

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-word2vec", self.column, tuple(self.vocab), self.vectors.tobytes())

    def __call__(self, a: Any) -> pa.Array:
        arr = _sentences(a, self.column, "Word2VecModel")
        n = len(arr)
        words = pc.list_flatten(arr).cast(pa.large_string())
        idx = pc.index_in(words, value_set=pa.array(self.vocab, pa.large_string()))
        known = np.asarray(idx.is_valid().to_numpy(zero_copy_only=False))
        rows = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False))[known]
        cols = np.asarray(idx.filter(pa.array(known)).to_numpy(zero_copy_only=False))
        counts = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, len(self.vocab)))
        sums = np.asarray(counts @ self.vectors.astype(np.float64))
        lengths = np.asarray(pc.list_value_length(arr).to_numpy(zero_copy_only=False), float)
        return _dense_or_empty(sums / np.maximum(lengths, 1.0)[:, None], lengths == 0)


def _dense_or_empty(m: np.ndarray, empty: np.ndarray) -> pa.StructArray:
    """Rows of ``m`` as dense vectors, except the ``empty`` ones: sparse vectors with no
    entries, which is what Spark gives a document with no words."""
    if not empty.any():
        return dense_to_arrow(m)
    n, d = m.shape
    keep = ~empty
    counts = np.where(keep, d, 0)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
    values = pa.LargeListArray.from_arrays(offsets, pa.array(m[keep].reshape(-1)))
    no_indices = pa.LargeListArray.from_arrays(pa.array(np.zeros(n + 1, np.int64)),
                                               pa.array([], pa.int32()))
    indices = pc.if_else(pa.array(empty), no_indices,
                         pa.nulls(n, no_indices.type))
    sizes = pa.array(np.where(empty, d, 0).astype(np.int32), mask=keep)
    return assemble_vectors(keep.astype(np.int8), sizes, indices, values, None)


class Word2VecModel(Model, _Word2VecParams):
    """A fitted Word2Vec: a vector per vocabulary word (``getVectors``), nearest words by
    cosine similarity (``findSynonyms``), and documents mapped to their mean word vector."""

    def __init__(self, vocab: list[str] | None = None, vectors: np.ndarray | None = None):
        super().__init__()
        self._vocab = list(vocab) if vocab is not None else []
        self._vectors = np.asarray(vectors, np.float32) if vectors is not None else None

    def _init_loaded(self) -> None:
        self._vocab, self._vectors = [], None

    def __repr__(self) -> str:
        return model_string(self, [("numWords", len(self._vocab)),
                                   ("vectorSize", self.getVectorSize())])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return _w2v_schema(self, schema)

    def _active(self) -> Any:
        from ...sql import SparkSession
        return SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()

    def getVectors(self) -> Any:
        """A DataFrame of (word, vector), one row per vocabulary word."""
        schema = T.StructType([T.StructField("word", T.StringType(), True),
                               T.StructField("vector", VectorUDT(), True)])
        rows = [(w, DenseVector(v.astype(np.float64))) for w, v in zip(self._vocab, self._vectors)]
        return self._active().createDataFrame(rows, schema)

    def findSynonymsArray(self, word: Any, num: int) -> list[tuple[str, float]]:
        """The ``num`` words closest to ``word`` (a word, itself left out, or a vector) by
        cosine similarity, most similar first, as (word, similarity) pairs."""
        if not isinstance(num, int) or num <= 0:
            raise IllegalArgumentException(f"{_name(self)}: num must be a positive integer, "
                                           f"got {num!r}")
        exclude = None
        if isinstance(word, str):
            if word not in self._index:
                raise IllegalArgumentException(f"{_name(self)}: word `{word}` is not in the "
                                               f"vocabulary")
            exclude = self._index[word]
            query = self._vectors[exclude]
        else:
            query = np.asarray(word.toArray() if isinstance(word, Vector) else word, np.float32)
            if query.shape != (self._vectors.shape[1],):
                raise IllegalArgumentException(
                    f"{_name(self)}: the query vector has size {query.size}, the model's "
                    f"vectors have size {self._vectors.shape[1]}")
        norm = np.float32(np.linalg.norm(query))
        unit = query / norm if norm != 0 else query
        norms = np.linalg.norm(self._vectors, axis=1).astype(np.float32)
        sims = (self._vectors @ unit.astype(np.float32)).astype(np.float32)
        sims = np.where(norms == 0, np.float32(0), sims / np.where(norms == 0, 1, norms))
        order = np.lexsort((np.arange(len(sims)), -sims))
        if exclude is not None:
            order = order[order != exclude]
        return [(self._vocab[i], float(sims[i])) for i in order[:num]]

    def findSynonyms(self, word: Any, num: int) -> Any:
        """``findSynonymsArray`` as a DataFrame of (word, similarity)."""
        schema = T.StructType([T.StructField("word", T.StringType(), True),
                               T.StructField("similarity", T.DoubleType(), True)])
        return self._active().createDataFrame(self.findSynonymsArray(word, num), schema)

    @property
    def _index(self) -> dict[str, int]:
        if getattr(self, "_index_cache", None) is None or len(self._index_cache) != len(self._vocab):
            self._index_cache = {w: i for i, w in enumerate(self._vocab)}
        return self._index_cache

    def _transform(self, dataset: Any) -> Any:
        kernel = _DocumentMean(self.getInputCol(), self._vocab, self._vectors)
        column = partition_column("Word2VecModel", [self.getInputCol()], kernel, VectorUDT())
        return dataset.withColumn(self.getOutputCol(), column)

    def _save_data(self) -> pa.Table:
        dim = self._vectors.shape[1] if self._vectors is not None else 0
        flat = pa.array(self._vectors.reshape(-1), pa.float32())
        offsets = pa.array(np.arange(len(self._vocab) + 1, dtype=np.int32) * dim)
        return pa.table({"word": pa.array(self._vocab, pa.string()),
                         "vector": pa.ListArray.from_arrays(offsets, flat)})

    def _load_data(self, table: pa.Table) -> None:
        self._vocab = [str(w) for w in table.column("word").to_pylist()]
        vectors = table.column("vector").combine_chunks()
        flat = np.asarray(pc.list_flatten(vectors).to_numpy(zero_copy_only=False), np.float32)
        self._vectors = flat.reshape(len(self._vocab), -1) if self._vocab else \
            np.zeros((0, self.getVectorSize()), np.float32)
