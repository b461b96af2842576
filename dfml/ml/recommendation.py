"""Spark's ``pyspark.ml.recommendation``: ALS (alternating least squares) and ALSModel.

ALS factors a sparse user x item rating matrix into user and item factor matrices of ``rank``
columns. The fit runs on the cluster (``_als_train``): ratings are grouped by user block and by
item block once and stay on the workers, and each iteration solves every user's and every
item's regularized least-squares problem where the blocks live (``_als_blocks``). Starting
factors come from Spark's random stream (``_als_random``), so with the same seed and block
counts a fit starts where Spark's starts.

The model predicts ``user factor . item factor`` (a float, as Spark computes it); an id it has
not seen gives NaN, or drops the row under ``coldStartStrategy="drop"`` (what cross-validation
needs, since NaN would poison the metric). Recommendations are the top-n scores per user or
item, computed per partition of the factor DataFrame against the other side's factors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..sql import _engine
from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._als_blocks import id_array
from .base import Estimator, Model, model_string, partition_column, require_absent
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import HasMaxIter, HasPredictionCol, HasRegParam, HasSeed

__all__ = ["ALS", "ALSModel"]

_D = Params._dummy()
_STORAGE_LEVELS = ("NONE", "DISK_ONLY", "DISK_ONLY_2", "DISK_ONLY_3", "MEMORY_ONLY",
                   "MEMORY_ONLY_2", "MEMORY_ONLY_SER", "MEMORY_ONLY_SER_2", "MEMORY_AND_DISK",
                   "MEMORY_AND_DISK_2", "MEMORY_AND_DISK_SER", "MEMORY_AND_DISK_SER_2",
                   "OFF_HEAP")
_FACTORS = T.StructType([T.StructField("id", T.IntegerType(), False),
                         T.StructField("features", T.ArrayType(T.FloatType(), False), True)])


class _ALSModelParams(HasPredictionCol):
    userCol = Param(_D, "userCol", "column of user ids (whole numbers in int range)",
                    TC.toString)
    itemCol = Param(_D, "itemCol", "column of item ids (whole numbers in int range)",
                    TC.toString)
    coldStartStrategy = Param(_D, "coldStartStrategy", "what a prediction for an id the model "
                              "has not seen is: 'nan' (NaN) or 'drop' (the row is dropped)",
                              TC.toString)
    blockSize = Param(_D, "blockSize", "rows stacked per block when scoring (Spark's; dfml "
                      "accepts it)", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(userCol="user", itemCol="item", coldStartStrategy="nan",
                         blockSize=4096)

    def _invalid(self, name: str) -> IllegalArgumentException:
        return IllegalArgumentException(
            f"{self.uid} parameter {name} given invalid value {self.getOrDefault(name)}.")

    def _check_model_params(self) -> None:
        if str(self.getOrDefault("coldStartStrategy")).lower() not in ("nan", "drop"):
            raise self._invalid("coldStartStrategy")
        if self.getOrDefault("blockSize") <= 0:
            raise self._invalid("blockSize")

    def _numeric(self, schema: T.StructType, name: str) -> None:
        if name not in schema.names:
            from .base import require_column
            require_column(schema, name, (), self, "numeric")
        dt = schema[name].dataType
        if not isinstance(dt, T.NumericType):
            raise IllegalArgumentException(
                f"requirement failed: Column {name} must be of type numeric but was actually "
                f"of type {dt.simpleString()}.")

    def _prediction_schema(self, schema: T.StructType) -> T.StructType:
        self._numeric(schema, self.getOrDefault("userCol"))
        self._numeric(schema, self.getOrDefault("itemCol"))
        require_absent(schema, self.getOrDefault("predictionCol"), self)
        return T.StructType(schema.fields + [
            T.StructField(self.getOrDefault("predictionCol"), T.FloatType(), False)])


class _ALSParams(_ALSModelParams, HasMaxIter, HasRegParam, HasSeed):
    rank = Param(_D, "rank", "number of latent factors (>= 1)", TC.toInt)
    numUserBlocks = Param(_D, "numUserBlocks", "number of user blocks (>= 1)", TC.toInt)
    numItemBlocks = Param(_D, "numItemBlocks", "number of item blocks (>= 1)", TC.toInt)
    implicitPrefs = Param(_D, "implicitPrefs", "whether ratings are implicit feedback "
                          "(confidence weights) rather than explicit ratings", TC.toBoolean)
    alpha = Param(_D, "alpha", "confidence scale of implicit feedback (>= 0)", TC.toFloat)
    ratingCol = Param(_D, "ratingCol", "column of ratings ('' means every rating is 1)",
                      TC.toString)
    nonnegative = Param(_D, "nonnegative", "whether factors are constrained to be >= 0",
                        TC.toBoolean)
    checkpointInterval = Param(_D, "checkpointInterval", "Spark's RDD checkpoint period (>= 1, "
                               "or -1); dfml keeps no lineage to cut and accepts it", TC.toInt)
    intermediateStorageLevel = Param(_D, "intermediateStorageLevel", "Spark's storage level of "
                                     "intermediate data; accepted", TC.toString)
    finalStorageLevel = Param(_D, "finalStorageLevel", "Spark's storage level of the factors; "
                              "accepted", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(rank=10, maxIter=10, regParam=0.1, numUserBlocks=10, numItemBlocks=10,
                         implicitPrefs=False, alpha=1.0, ratingCol="rating", nonnegative=False,
                         checkpointInterval=10, intermediateStorageLevel="MEMORY_AND_DISK",
                         finalStorageLevel="MEMORY_AND_DISK")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        rating = self.getOrDefault("ratingCol")
        if rating:
            self._numeric(schema, rating)
        return self._prediction_schema(schema)


class ALS(Estimator, _ALSParams):
    """Alternating least squares matrix factorization of (user, item, rating) rows."""

    @keyword_only
    def __init__(self, *, rank: int = 10, maxIter: int = 10, regParam: float = 0.1,
                 numUserBlocks: int = 10, numItemBlocks: int = 10, implicitPrefs: bool = False,
                 alpha: float = 1.0, userCol: str = "user", itemCol: str = "item",
                 seed: int | None = None, ratingCol: str = "rating", nonnegative: bool = False,
                 checkpointInterval: int = 10,
                 intermediateStorageLevel: str = "MEMORY_AND_DISK",
                 finalStorageLevel: str = "MEMORY_AND_DISK", coldStartStrategy: str = "nan",
                 blockSize: int = 4096):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, rank: int = 10, maxIter: int = 10, regParam: float = 0.1,
                  numUserBlocks: int = 10, numItemBlocks: int = 10, implicitPrefs: bool = False,
                  alpha: float = 1.0, userCol: str = "user", itemCol: str = "item",
                  seed: int | None = None, ratingCol: str = "rating", nonnegative: bool = False,
                  checkpointInterval: int = 10,
                  intermediateStorageLevel: str = "MEMORY_AND_DISK",
                  finalStorageLevel: str = "MEMORY_AND_DISK", coldStartStrategy: str = "nan",
                  blockSize: int = 4096) -> "ALS":
        return self._set(**self._input_kwargs)

    transformSchema = _ALSParams.transformSchema

    def setNumBlocks(self, value: int) -> "ALS":
        """Set both numUserBlocks and numItemBlocks."""
        return self._set(numUserBlocks=value, numItemBlocks=value)

    def _validate_params(self) -> None:
        g = self.getOrDefault
        checks = {"rank": g("rank") >= 1, "numUserBlocks": g("numUserBlocks") >= 1,
                  "numItemBlocks": g("numItemBlocks") >= 1, "alpha": g("alpha") >= 0,
                  "regParam": g("regParam") >= 0, "maxIter": g("maxIter") >= 0,
                  "checkpointInterval": g("checkpointInterval") == -1
                  or g("checkpointInterval") >= 1,
                  "intermediateStorageLevel": g("intermediateStorageLevel") in _STORAGE_LEVELS[1:],
                  "finalStorageLevel": g("finalStorageLevel") in _STORAGE_LEVELS}
        for name, ok in checks.items():
            if not ok:
                raise self._invalid(name)
        self._check_model_params()

    def _fit(self, dataset: Any) -> "ALSModel":
        from ._als_train import train_als
        g = self.getOrDefault
        uids, U, iids, I = train_als(
            dataset, (g("userCol"), g("itemCol"), g("ratingCol") or None), g("rank"),
            g("maxIter"), g("regParam"), g("implicitPrefs"), g("alpha"), g("nonnegative"),
            g("numUserBlocks"), g("numItemBlocks"), g("seed"))
        model = ALSModel(uids, U, iids, I, _engine.session_of(dataset))
        for name in ("userCol", "itemCol", "predictionCol", "coldStartStrategy", "blockSize"):
            if self.isSet(name):
                model._set(**{name: g(name)})
        return model


def _rows(F: np.ndarray, at: np.ndarray) -> np.ndarray:
    return F[at] if len(F) else np.zeros((len(at), F.shape[1]), np.float32)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise float32 dot products accumulated left to right, as Spark's predict does."""
    out = np.zeros(len(a), dtype=np.float32)
    for t in range(a.shape[1]):
        out += a[:, t] * b[:, t]
    return out


class _Predict:
    """Per partition: ``user factor . item factor``, NaN where either id is unknown."""

    __name__ = "als_predict"

    def __init__(self, model: "ALSModel", user: str, item: str):
        self.users, self.U = model._user_ids, model._U
        self.items, self.I = model._item_ids, model._I
        self.user, self.item = user, item
        self._tables: dict[str, np.ndarray | None] = {}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_tables": {}}  # rebuilt where the partitions are scored

    def _table(self, ids: np.ndarray, column: str) -> np.ndarray | None:
        """Row of each id, indexed by ``id - ids[0]`` (-1: no such id), when the model's ids
        span a range not much wider than their number (ids numbered from 0, the common case):
        one gather per partition instead of a binary search per row. Built once per scoring
        graph, on the worker."""
        if column not in self._tables:
            table = None
            if len(ids) and int(ids[-1]) - int(ids[0]) < 4 * len(ids) + 1024:
                table = np.full(int(ids[-1]) - int(ids[0]) + 1, -1, dtype=np.int64)
                table[ids.astype(np.int64) - int(ids[0])] = np.arange(len(ids))
            self._tables[column] = table
        return self._tables[column]

    def _lookup(self, arr: pa.Array, ids: np.ndarray, column: str) -> tuple[np.ndarray, np.ndarray]:
        v, nulls = id_array(arr, column)
        table = self._table(ids, column)
        if table is not None:
            off = v.astype(np.int64) - int(ids[0])
            inside = (off >= 0) & (off < len(table))
            at = table[np.where(inside, off, 0)]
            found = ~nulls & inside & (at >= 0)
            return np.where(found, at, 0), found
        at = np.clip(np.searchsorted(ids, v), 0, max(len(ids) - 1, 0))
        found = ~nulls & (len(ids) > 0)
        if len(ids):
            found &= ids[at] == v
        return at, found

    def __call__(self, users: Any, items: Any) -> pa.Array:
        ua, uf = self._lookup(_engine.arrow_array(users), self.users, self.user)
        ia, jf = self._lookup(_engine.arrow_array(items), self.items, self.item)
        out = _dot(_rows(self.U, ua), _rows(self.I, ia))
        out[~(uf & jf)] = np.nan
        return pa.array(out, type=pa.float32())


class _TopN:
    """Per partition of a factor DataFrame: the top ``n`` (id, score) of the other side, by
    score descending (ties: larger id first, as Spark's top-k of (rating, id) structs)."""

    __name__ = "als_recommend"

    def __init__(self, ids: np.ndarray, F: np.ndarray, n: int, out_type: pa.DataType):
        self.ids, self.F, self.n, self.out_type = ids, F, n, out_type

    def __call__(self, features: Any) -> pa.Array:
        arr = _engine.arrow_array(features)
        k = self.F.shape[1]
        Q = np.asarray(arr.flatten().to_numpy(zero_copy_only=False), np.float32).reshape(-1, k)
        n = min(self.n, len(self.ids))
        rec_ids, rec_scores = [], []
        for s in range(0, len(Q), 1024):
            scores = np.zeros((min(s + 1024, len(Q)) - s, len(self.ids)), np.float32)
            for t in range(k):
                scores += Q[s:s + 1024, t][:, None] * self.F[:, t][None, :]
            order = np.lexsort((-self.ids[None, :].astype(np.int64).repeat(len(scores), 0),
                                -scores), axis=1)[:, :n] if n else np.empty((len(scores), 0), int)
            rec_ids.append(self.ids[order])
            rec_scores.append(np.take_along_axis(scores, order, axis=1))
        ids = np.concatenate(rec_ids).ravel() if rec_ids else np.empty(0, np.int32)
        sc = np.concatenate(rec_scores).ravel() if rec_scores else np.empty(0, np.float32)
        large = pa.types.is_large_list(self.out_type)
        offsets = pa.array(np.arange(len(Q) + 1, dtype=np.int64 if large else np.int32) * n)
        struct = pa.StructArray.from_arrays([pa.array(ids, pa.int32()), pa.array(sc, pa.float32())],
                                            fields=list(self.out_type.value_type))
        cls = pa.LargeListArray if large else pa.ListArray
        return cls.from_arrays(offsets, struct, type=self.out_type)


class ALSModel(Model, _ALSModelParams):
    """Fitted ALS: user and item factors, predictions and recommendations."""

    _table_dirs = ("userFactors", "itemFactors")

    def __init__(self, user_ids: np.ndarray | None = None, U: np.ndarray | None = None,
                 item_ids: np.ndarray | None = None, I: np.ndarray | None = None,
                 spark: Any = None):
        super().__init__()
        self._set_factors(user_ids, U, item_ids, I)
        self._spark = spark

    def _set_factors(self, user_ids: Any, U: Any, item_ids: Any, I: Any) -> None:
        self._user_ids = np.empty(0, np.int32) if user_ids is None else user_ids
        self._item_ids = np.empty(0, np.int32) if item_ids is None else item_ids
        self._U = np.empty((0, 0), np.float32) if U is None else U
        self._I = np.empty((0, 0), np.float32) if I is None else I

    def _init_loaded(self) -> None:
        self._set_factors(None, None, None, None)
        self._spark = None
        self._rank = 0

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        self._check_model_params()
        return self._prediction_schema(schema)

    @property
    def rank(self) -> int:
        """Number of latent factors."""
        return int(self._U.shape[1]) if self._U.size or self._I.size else getattr(self, "_rank", 0)

    def __repr__(self) -> str:
        return model_string(self, [("rank", self.rank)])

    def _active_spark(self) -> Any:
        from ..sql import SparkSession
        spark = self._spark or SparkSession.getActiveSession()
        if spark is None:
            raise SparkException("ALSModel: no active SparkSession to build a DataFrame in")
        return spark

    def _factors_frame(self, ids: np.ndarray, F: np.ndarray) -> Any:
        return self._active_spark().createDataFrame(_factors_table(ids, F).to_pandas(
            types_mapper=pd.ArrowDtype), _FACTORS)

    @property
    def userFactors(self) -> Any:
        """DataFrame of user factors: ``id`` (int) and ``features`` (array<float>)."""
        return self._factors_frame(self._user_ids, self._U)

    @property
    def itemFactors(self) -> Any:
        """DataFrame of item factors: ``id`` (int) and ``features`` (array<float>)."""
        return self._factors_frame(self._item_ids, self._I)

    def _transform(self, dataset: Any) -> Any:
        from ..sql import functions as F
        user, item = self.getOrDefault("userCol"), self.getOrDefault("itemCol")
        pred = self.getOrDefault("predictionCol")
        col = partition_column("ALSModel", [user, item], _Predict(self, user, item),
                               T.FloatType(), nullable=False)
        out = dataset.withColumn(pred, col)
        if self.getOrDefault("coldStartStrategy").lower() == "drop":
            out = out.filter(~F.isnan(F.col(pred)))
        return out

    # ---------------------------------------------------------------- recommendations
    def _recommend(self, factors: Any, src_col: str, dst_col: str, dst_ids: np.ndarray,
                   dst_F: np.ndarray, n: int) -> Any:
        from ..sql import functions as F
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise IllegalArgumentException(f"ALSModel: the number of recommendations must be an "
                                           f"int >= 0, got {n!r}")
        elem = T.StructType([T.StructField(dst_col, T.IntegerType(), True),
                             T.StructField("rating", T.FloatType(), True)])
        out_type = T.ArrayType(elem, True)
        rec = partition_column("recommendations", ["features"],
                               _TopN(dst_ids, dst_F, n, T.to_arrow(out_type)), out_type)
        return factors.select(F.col("id").alias(src_col), rec.alias("recommendations"))

    def _subset(self, factors: Any, dataset: Any, column: str) -> Any:
        """The rows of ``factors`` whose id appears in ``dataset[column]`` (a semi join)."""
        from ..sql import functions as F
        self._numeric(dataset.schema, column)
        keys = dataset.select(F.col(column).alias("__als_key")).distinct()
        return factors.join(keys, factors["id"] == keys["__als_key"], "left_semi")

    def recommendForAllUsers(self, numItems: int) -> Any:
        """Top ``numItems`` items per user: (userCol, recommendations array<struct<itemCol,
        rating>>), best first."""
        return self._recommend(self.userFactors, self.getOrDefault("userCol"),
                               self.getOrDefault("itemCol"), self._item_ids, self._I, numItems)

    def recommendForAllItems(self, numUsers: int) -> Any:
        """Top ``numUsers`` users per item: (itemCol, recommendations array<struct<userCol,
        rating>>), best first."""
        return self._recommend(self.itemFactors, self.getOrDefault("itemCol"),
                               self.getOrDefault("userCol"), self._user_ids, self._U, numUsers)

    def recommendForUserSubset(self, dataset: Any, numItems: int) -> Any:
        """As recommendForAllUsers, for the known users among ``dataset[userCol]``."""
        user = self.getOrDefault("userCol")
        return self._recommend(self._subset(self.userFactors, dataset, user), user,
                               self.getOrDefault("itemCol"), self._item_ids, self._I, numItems)

    def recommendForItemSubset(self, dataset: Any, numUsers: int) -> Any:
        """As recommendForAllItems, for the known items among ``dataset[itemCol]``."""
        item = self.getOrDefault("itemCol")
        return self._recommend(self._subset(self.itemFactors, dataset, item), item,
                               self.getOrDefault("userCol"), self._user_ids, self._U, numUsers)

    # ---------------------------------------------------------------- persistence
    # Spark's layout: metadata/ (with "rank"), userFactors/ and itemFactors/ as parquet
    def _save_tables(self) -> dict[str, pa.Table]:
        return {"userFactors": _factors_table(self._user_ids, self._U),
                "itemFactors": _factors_table(self._item_ids, self._I)}

    def _load_tables(self, tables: dict[str, pa.Table]) -> None:
        uids, U = _factors_from(tables["userFactors"], "userFactors")
        iids, I = _factors_from(tables["itemFactors"], "itemFactors")
        self._set_factors(uids, U, iids, I)

    def _save_extra_metadata(self) -> dict:
        return {"rank": self.rank}

    def _load_extra_metadata(self, meta: dict) -> None:
        self._rank = int(meta.get("rank", 0))


def _factors_table(ids: np.ndarray, F: np.ndarray) -> pa.Table:
    k = F.shape[1] if F.ndim == 2 else 0
    offsets = pa.array(np.arange(len(ids) + 1, dtype=np.int32) * k)
    feats = pa.ListArray.from_arrays(offsets, pa.array(F.ravel(), pa.float32()),
                                     type=pa.list_(pa.field("element", pa.float32(), False)))
    return pa.table({"id": pa.array(ids, pa.int32()), "features": feats},
                    schema=pa.schema([pa.field("id", pa.int32(), False),
                                      pa.field("features", feats.type, True)]))


def _factors_from(table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    from .util import ModelLoadError
    if set(table.column_names) < {"id", "features"}:
        raise ModelLoadError(f"ALSModel: {name} has columns {table.column_names}, expected "
                             f"id and features")
    ids = np.asarray(table.column("id").to_numpy(), dtype=np.int32)
    feats = table.column("features").combine_chunks()
    lens = np.diff(np.asarray(feats.offsets))
    k = int(lens[0]) if len(lens) else 0
    if len(lens) and (lens != k).any():
        raise ModelLoadError(f"ALSModel: {name} holds feature arrays of different lengths")
    F = np.asarray(feats.flatten().to_numpy(zero_copy_only=False), np.float32).reshape(-1, k)
    order = np.argsort(ids, kind="stable")
    return ids[order], np.ascontiguousarray(F[order])
