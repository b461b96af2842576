"""Locality-sensitive hashing: BucketedRandomProjectionLSH (Euclidean) and MinHashLSH
(Jaccard), with their models.

A fit only draws the hash functions (from the seed and the input's vector size, read from the
first row as Spark reads it). A model's transform adds the hashes column: per row a list of
``numHashTables`` one-element dense vectors, as Spark writes it.

``approxSimilarityJoin`` never compares every pair: each side becomes (row as a struct, hash
table index, bucket) rows, one per table, the two sides are joined on (table, bucket) by a
distributed hash join, the pairs found by several tables are deduplicated (by a digest of both
rows' contents, so identical rows collapse as in Spark's ``distinct``), and only then are the
distances computed and filtered (``distance < threshold``). ``approxNearestNeighbors`` keeps
the rows that share a bucket with the key in some table, then sorts those by distance (Spark's
single-probe search).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pyarrow as pa

from ...sql import functions as F
from ...sql import types as T
from ...sql.errors import IllegalArgumentException
from ..base import Estimator, Model, model_string, partition_column, require_absent, \
    require_column
from ..linalg import DenseVector, MatrixUDT, DenseMatrix, Vector, VectorUDT, vectors_to_arrow
from ..param import Param, Params, TypeConverters as TC, keyword_only
from ..param.shared import HasInputCol, HasOutputCol, HasSeed
from . import lsh_hashes as H

__all__ = ["BucketedRandomProjectionLSH", "BucketedRandomProjectionLSHModel", "MinHashLSH",
           "MinHashLSHModel"]

_HASHES = T.ArrayType(VectorUDT(), True)


def _name(stage: Any) -> str:
    return f"{type(stage).__name__} ({stage.uid})"


class _LSHParams(HasInputCol, HasOutputCol):
    numHashTables = Param(Params._dummy(), "numHashTables", "number of hash tables; more "
                          "find more neighbours but cost more (>= 1)", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(numHashTables=1)

    def getNumHashTables(self) -> int:
        return self.getOrDefault("numHashTables")

    def setNumHashTables(self, value: int) -> Any:
        return self._set(numHashTables=value)

    def setInputCol(self, value: str) -> Any:
        return self._set(inputCol=value)

    def setOutputCol(self, value: str) -> Any:
        return self._set(outputCol=value)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        require_column(schema, self.getInputCol(), (VectorUDT,), self, "a vector")
        require_absent(schema, self.getOutputCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getOutputCol(), _HASHES, True)])


class _LSH(_LSHParams, HasSeed):
    """Shared fit (a mixin placed before Estimator): the input's vector size from its first row, then the model's hash draws."""

    def _validate_params(self) -> None:
        if self.getNumHashTables() < 1:
            raise IllegalArgumentException(f"{_name(self)}: numHashTables must be >= 1, got "
                                           f"{self.getNumHashTables()}")

    def _fit(self, dataset: Any) -> Any:
        row = dataset.select(self.getInputCol()).first()
        if row is None or row[0] is None:
            raise IllegalArgumentException(f"{_name(self)}: column `{self.getInputCol()}` "
                                           f"has no vector in its first row to size the model")
        return self._copyValues(self._model_for(len(row[0])))

    def _model_for(self, dim: int) -> Any:
        raise NotImplementedError


class _Kernel:
    """A per-partition numpy function of vector columns, as an Arrow kernel."""

    def __init__(self, name: str, fn: Any, token: tuple, out: str):
        self.__name__, self.fn, self.token, self.out = name, fn, token, out

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-lsh", self.__name__, self.token)

    def __call__(self, *arrays: Any) -> pa.Array:
        values = self.fn(*arrays)
        if self.out == "hashes":
            return H.hashes_to_arrow(values)
        if self.out == "keys":
            n, t = values.shape
            return pa.LargeListArray.from_arrays(pa.array(np.arange(n + 1) * t),
                                                 pa.array(values.reshape(-1)))
        return pa.array(values)


def _digest(a: Any) -> pa.Array:
    """64-bit digests of struct rows' contents: the dedupe key of a similarity join."""
    rows = a.to_pylist() if hasattr(a, "to_pylist") else list(a)
    return pa.array([int.from_bytes(hashlib.blake2b(repr(r).encode(), digest_size=8).digest(),
                                    "little", signed=True) for r in rows], pa.int64())


class _LSHModel(_LSHParams):
    """Shared model behaviour (a mixin placed before Model): hashing, nearest neighbours, similarity join."""

    def _hash(self, a: Any) -> np.ndarray:
        raise NotImplementedError

    def _distance(self, a: Any, b: Any) -> np.ndarray:
        raise NotImplementedError

    def _token(self) -> tuple:
        raise NotImplementedError

    def _column(self, kind: str, inputs: list[Any], fn: Any, out_type: T.DataType) -> Any:
        kernel = _Kernel(f"lsh_{kind}", fn, self._token(), kind)
        return partition_column(type(self).__name__, inputs, kernel, out_type)

    def _transform(self, dataset: Any) -> Any:
        col = self._column("hashes", [self.getInputCol()], self._hash, _HASHES)
        return dataset.withColumn(self.getOutputCol(), col)

    def _hashed(self, dataset: Any) -> Any:
        """The dataset with its hashes column (as Spark: kept if already there)."""
        return dataset if self.getOutputCol() in dataset.columns else self.transform(dataset)

    def approxNearestNeighbors(self, dataset: Any, key: Vector, numNearestNeighbors: int,
                               distCol: str = "distCol") -> Any:
        """Up to ``numNearestNeighbors`` rows nearest to ``key`` among those sharing a bucket
        with it in at least one table, nearest first, with their distance in ``distCol``."""
        if not isinstance(numNearestNeighbors, int) or numNearestNeighbors < 1:
            raise IllegalArgumentException(f"{_name(self)}: numNearestNeighbors must be >= 1, "
                                           f"got {numNearestNeighbors!r}")
        key = key if isinstance(key, Vector) else DenseVector(key)
        key_hash = self._hash(vectors_to_arrow([key]))[0]
        key_arr = vectors_to_arrow([key])
        hashed = self._hashed(dataset)

        def same_bucket(a: Any) -> np.ndarray:
            return (self._hash(a) == key_hash[None, :]).any(axis=1)

        def distance(a: Any) -> np.ndarray:
            arr = vectors_to_arrow([key] * len(a)) if len(a) else key_arr[:0]
            return self._distance(a, arr)
        near = hashed.filter(self._column("probe", [self.getInputCol()], same_bucket,
                                          T.BooleanType()))
        dist = self._column("distance", [self.getInputCol()], distance, T.DoubleType())
        return near.withColumn(distCol, dist).orderBy(distCol).limit(numNearestNeighbors)

    def approxSimilarityJoin(self, datasetA: Any, datasetB: Any, threshold: float,
                             distCol: str = "distCol") -> Any:
        """Pairs (datasetA row, datasetB row) at distance below ``threshold`` that share a
        bucket in at least one table: a join on (table, bucket), never a cross join."""
        threshold = float(threshold)
        a = self._exploded(datasetA, "datasetA")
        b = self._exploded(datasetB, "datasetB")
        pairs = a.join(b, ["entry", "hashValue"]).dropDuplicates(["__lsh_id_datasetA",
                                                                  "__lsh_id_datasetB"])
        dist = self._column("distance", ["__lsh_vec_datasetA", "__lsh_vec_datasetB"],
                            self._distance, T.DoubleType())
        out = pairs.withColumn(distCol, dist)
        return out.filter(F.col(distCol) < threshold).select("datasetA", "datasetB", distCol)

    def _exploded(self, dataset: Any, name: str) -> Any:
        hashed = self._hashed(dataset)
        keys = self._column("keys", [self.getInputCol()], self._hash,
                            T.ArrayType(T.DoubleType(), False))
        packed = hashed.select(F.struct(*hashed.columns).alias(name),
                               F.col(self.getInputCol()).alias(f"__lsh_vec_{name}"),
                               keys.alias("__lsh_keys"))
        ident = partition_column("lsh_digest", [name], _digest, T.LongType())
        return packed.select(name, f"__lsh_vec_{name}", ident.alias(f"__lsh_id_{name}"),
                             F.posexplode("__lsh_keys")) \
            .withColumnRenamed("pos", "entry").withColumnRenamed("col", "hashValue")

    def __repr__(self) -> str:
        return model_string(self, [("numHashTables", self.getNumHashTables())])


# -- MinHash ----------------------------------------------------------------------------------

class MinHashLSH(_LSH, Estimator):
    """LSH for Jaccard distance between sets, a set being the non-zero indices of a vector
    (values are ignored; a vector with no non-zero entry is refused)."""

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None,
                 seed: int | None = None, numHashTables: int = 1):
        super().__init__()
        self._set(**{k: v for k, v in self._input_kwargs.items() if v is not None or k != "seed"})

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, outputCol: str | None = None,
                  seed: int | None = None, numHashTables: int = 1) -> "MinHashLSH":
        return self._set(**{k: v for k, v in self._input_kwargs.items()
                            if v is not None or k != "seed"})

    def setSeed(self, value: int) -> "MinHashLSH":
        return self._set(seed=value)

    def _model_for(self, dim: int) -> "MinHashLSHModel":
        if dim > H.HASH_PRIME:
            raise IllegalArgumentException(f"{_name(self)}: vectors of size {dim} exceed "
                                           f"MinHash's limit {H.HASH_PRIME}")
        return MinHashLSHModel(H.minhash_coefficients(self.getOrDefault("seed"),
                                                      self.getNumHashTables()))


class MinHashLSHModel(_LSHModel, Model):
    """A fitted MinHashLSH: ``numHashTables`` pairs (a, b) of ``(1 + i) * a + b mod prime``."""

    def __init__(self, coefficients: np.ndarray | None = None):
        super().__init__()
        self._coef = coefficients

    def _init_loaded(self) -> None:
        self._coef = None

    def _token(self) -> tuple:
        return ("minhash", self.getInputCol(), self._coef.tobytes())

    def _hash(self, a: Any) -> np.ndarray:
        return H.minhash_values(a, self._coef, self.getInputCol(), type(self).__name__)

    def _distance(self, a: Any, b: Any) -> np.ndarray:
        return H.jaccard(a, b, self.getInputCol(), type(self).__name__)

    def _save_data(self) -> pa.Table:
        return pa.table({"randCoefficients": pa.array([self._coef.reshape(-1).tolist()],
                                                      pa.list_(pa.int32()))})

    def _load_data(self, table: pa.Table) -> None:
        flat = table.column("randCoefficients")[0].as_py()
        self._coef = np.asarray(flat, np.int64).reshape(-1, 2)


# -- Bucketed random projection ----------------------------------------------------------------

class _BRPParams(Params):
    bucketLength = Param(Params._dummy(), "bucketLength", "width of a hash bucket along each "
                         "random direction (> 0); larger buckets find more pairs", TC.toFloat)

    def getBucketLength(self) -> float:
        return self.getOrDefault("bucketLength")

    def setBucketLength(self, value: float) -> Any:
        return self._set(bucketLength=value)


class BucketedRandomProjectionLSH(_LSH, _BRPParams, Estimator):
    """LSH for Euclidean distance: each table projects a vector on a random unit direction
    and cuts the line into buckets of ``bucketLength``."""

    @keyword_only
    def __init__(self, *, inputCol: str | None = None, outputCol: str | None = None,
                 seed: int | None = None, numHashTables: int = 1,
                 bucketLength: float | None = None):
        super().__init__()
        self._set(**{k: v for k, v in self._input_kwargs.items() if v is not None})

    @keyword_only
    def setParams(self, *, inputCol: str | None = None, outputCol: str | None = None,
                  seed: int | None = None, numHashTables: int = 1,
                  bucketLength: float | None = None) -> "BucketedRandomProjectionLSH":
        return self._set(**{k: v for k, v in self._input_kwargs.items() if v is not None})

    def setSeed(self, value: int) -> "BucketedRandomProjectionLSH":
        return self._set(seed=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        if not self.isDefined("bucketLength"):
            raise IllegalArgumentException(f"{_name(self)}: bucketLength must be set")
        if not self.getBucketLength() > 0:
            raise IllegalArgumentException(f"{_name(self)}: bucketLength must be > 0, got "
                                           f"{self.getBucketLength()}")

    def _model_for(self, dim: int) -> "BucketedRandomProjectionLSHModel":
        return BucketedRandomProjectionLSHModel(H.projection_vectors(
            self.getOrDefault("seed"), self.getNumHashTables(), dim))


class BucketedRandomProjectionLSHModel(_LSHModel, _BRPParams, Model):
    """A fitted BucketedRandomProjectionLSH: ``numHashTables`` random unit vectors."""

    def __init__(self, vectors: np.ndarray | None = None):
        super().__init__()
        self._units = vectors

    def _init_loaded(self) -> None:
        self._units = None

    def _token(self) -> tuple:
        return ("brp", self.getInputCol(), self.getBucketLength(), self._units.tobytes())

    def _hash(self, a: Any) -> np.ndarray:
        return H.projection_values(a, self._units, self.getBucketLength(), self.getInputCol(),
                                   type(self).__name__)

    def _distance(self, a: Any, b: Any) -> np.ndarray:
        return H.euclidean(a, b, self.getInputCol(), type(self).__name__)

    def _save_data(self) -> pa.Table:
        t, d = self._units.shape
        m = DenseMatrix(t, d, self._units.reshape(-1), True)  # row-major, as Spark stores it
        return pa.table({"randMatrix": pa.array([MatrixUDT().serialize(m)],
                                                T.to_arrow(MatrixUDT()))})

    def _load_data(self, table: pa.Table) -> None:
        m = MatrixUDT().deserialize(table.column("randMatrix")[0].as_py())
        self._units = np.asarray(m.toArray(), np.float64)
