"""Spark's ``pyspark.ml.fpm``: FPGrowth (frequent itemsets, association rules) and PrefixSpan.

Both fits are two passes on the cluster and a search on the driver. Pass one counts, per item,
the rows (baskets or sequences) that hold it, and the rows themselves; pass two reduces the
rows to the multiset of distinct rows restricted to frequent items, mapped to item ranks. The
search (``_fpm_mining``) then runs over that multiset, which repeats far less than the input.
Spark partitions the search by item group across executors instead (``numPartitions``); the
results are the same sets, and dfml accepts the param for compatibility.

Item order inside an itemset follows Spark: least frequent item first, then the items of its
conditional base. Items of equal frequency are ordered by value here; Spark orders them by
hash, so among ties the printed order of an itemset may differ (the sets are equal).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pyarrow as pa

from ..sql import _engine
from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._fpm_mining import frequent_itemsets, frequent_sequences, rank_items
from .base import (Aggregation, Estimator, Model, model_string, partition_column, require_absent,
                   require_column, run_aggregations)
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import HasPredictionCol

__all__ = ["FPGrowth", "FPGrowthModel", "PrefixSpan"]

_D = Params._dummy()


def _rows_of(part: Any, column: str) -> list:
    return _engine.arrow_array(part[column]).to_pylist()


def _session_of(dataset: Any) -> Any:
    return _engine.session_of(dataset)


# ------------------------------------------------------------------ FPGrowth

class _FPGrowthParams(HasPredictionCol):
    itemsCol = Param(_D, "itemsCol", "name of the column of baskets (arrays of distinct items)",
                     TC.toString)
    minSupport = Param(_D, "minSupport", "minimal fraction of baskets an itemset must appear in "
                       "to be frequent, in [0, 1]", TC.toFloat)
    numPartitions = Param(_D, "numPartitions", "number of partitions of the search (Spark's; "
                          "dfml searches on the driver and only checks it is >= 1)", TC.toInt)
    minConfidence = Param(_D, "minConfidence", "minimal confidence of an association rule, in "
                          "[0, 1]; does not change the itemsets", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(itemsCol="items", minSupport=0.3, minConfidence=0.8)

    def _check_items_schema(self, schema: T.StructType) -> T.ArrayType:
        dt = require_column(schema, self.getOrDefault("itemsCol"), (T.ArrayType,), self,
                            "an array")
        return dt

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        dt = self._check_items_schema(schema)
        require_absent(schema, self.getOrDefault("predictionCol"), self)
        return T.StructType(schema.fields + [
            T.StructField(self.getOrDefault("predictionCol"), dt, False)])


def _fraction(stage: Any, name: str) -> None:
    v = stage.getOrDefault(name)
    if not 0.0 <= v <= 1.0:
        raise IllegalArgumentException(f"{type(stage).__name__} ({stage.uid}): {name} must be "
                                       f"in [0, 1], got {v}")


class _ItemCounts:
    """Pass one: the number of non-null baskets and, per item, how many hold it. A basket with
    a repeated item is refused, as Spark refuses it."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, part: Any) -> Any:
        counts: Counter = Counter()
        n = 0
        for basket in _rows_of(part, self.column):
            if basket is None:
                continue
            n += 1
            uniq = set(basket)
            if len(uniq) != len(basket):
                raise SparkException(f"FPGrowth: items in a transaction must be unique but got "
                                     f"{basket} in column `{self.column}`")
            counts.update(uniq)
        return n, counts


def _merge_counts(parts: list) -> Any:
    n, total = 0, Counter()
    for p in parts:
        if p is not None:
            n += p[0]
            total.update(p[1])
    return n, total


class _RankedBaskets:
    """Pass two: distinct baskets of frequent items, as sorted rank tuples, with their counts."""

    def __init__(self, column: str, ranks: dict):
        self.column, self.ranks = column, ranks

    def __call__(self, part: Any) -> Any:
        out: Counter = Counter()
        for basket in _rows_of(part, self.column):
            if basket is None:
                continue
            t = tuple(sorted(self.ranks[x] for x in basket if x in self.ranks))
            if t:
                out[t] += 1
        return out


def _merge_counters(parts: list) -> Counter:
    total: Counter = Counter()
    for p in parts:
        if p is not None:
            total.update(p)
    return total


class FPGrowth(Estimator, _FPGrowthParams):
    """Frequent itemsets of baskets (arrays of distinct items) and the association rules
    between them, by FP-growth."""

    @keyword_only
    def __init__(self, *, minSupport: float = 0.3, minConfidence: float = 0.8,
                 itemsCol: str = "items", predictionCol: str = "prediction",
                 numPartitions: int | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, minSupport: float = 0.3, minConfidence: float = 0.8,
                  itemsCol: str = "items", predictionCol: str = "prediction",
                  numPartitions: int | None = None) -> "FPGrowth":
        return self._set(**self._input_kwargs)

    transformSchema = _FPGrowthParams.transformSchema

    def _validate_params(self) -> None:
        _fraction(self, "minSupport")
        _fraction(self, "minConfidence")
        if self.isSet("numPartitions") and self.getOrDefault("numPartitions") < 1:
            raise IllegalArgumentException(f"FPGrowth ({self.uid}): numPartitions must be >= 1, "
                                           f"got {self.getOrDefault('numPartitions')}")

    def _fit(self, dataset: Any) -> "FPGrowthModel":
        col = self.getOrDefault("itemsCol")
        dt = dataset.schema[col].dataType
        n, counts = run_aggregations(dataset, [Aggregation(
            [col], _ItemCounts(col), _merge_counts, label=f"item counts({col})")])[0]
        min_count = math.ceil(self.getOrDefault("minSupport") * n)
        order = rank_items(counts, min_count)
        ranks = {item: r for r, item in enumerate(order)}
        db = run_aggregations(dataset, [Aggregation(
            [col], _RankedBaskets(col, ranks), _merge_counters, label=f"baskets({col})")])[0] \
            if ranks else Counter()
        itemsets = [([order[r] for r in rs], c) for rs, c in frequent_itemsets(dict(db), max(min_count, 1))]
        model = FPGrowthModel(itemsets, dt, n, _session_of(dataset))
        return self._copyValues(model)


class _Predict:
    """Per basket: the consequents of every rule whose antecedent the basket holds, without
    the basket's own items, each once, in rule order (Spark's rule)."""

    def __init__(self, rules: list, out_type: pa.DataType):
        self.rules, self.out_type = rules, out_type

    def __call__(self, a: Any) -> pa.Array:
        out = []
        for basket in _engine.arrow_array(a).to_pylist():
            if basket is None:
                out.append([])
                continue
            have = set(basket)
            pred: dict = {}
            for ante, cons in self.rules:
                if ante <= have:
                    for x in cons:
                        if x not in have:
                            pred.setdefault(x, None)
            out.append(list(pred))
        return pa.array(out, type=self.out_type)


class FPGrowthModel(Model, _FPGrowthParams):
    """Fitted FPGrowth: ``freqItemsets`` (items, freq), ``associationRules`` (antecedent,
    consequent, confidence, lift, support) and a transform that predicts, per basket, the
    consequents of the rules it triggers."""

    def __init__(self, itemsets: list | None = None, items_type: T.DataType | None = None,
                 num_records: int = 0, spark: Any = None):
        super().__init__()
        self._itemsets, self._items_type = itemsets or [], items_type
        self.numTrainingRecords, self._spark = num_records, spark

    transformSchema = _FPGrowthParams.transformSchema

    def _init_loaded(self) -> None:
        self._itemsets, self._items_type, self.numTrainingRecords = [], None, 0
        self._spark = None

    def __repr__(self) -> str:
        return model_string(self, [("numTrainingRecords", self.numTrainingRecords)])

    def _active_spark(self) -> Any:
        from ..sql import SparkSession
        spark = self._spark or SparkSession.getActiveSession()
        if spark is None:
            raise SparkException("FPGrowthModel: no active SparkSession to build a DataFrame in")
        return spark

    def _array_type(self) -> T.ArrayType:
        return self._items_type if self._items_type is not None else T.ArrayType(T.StringType())

    @property
    def freqItemsets(self) -> Any:
        """Frequent itemsets: ``items`` (same array type as the input) and ``freq``."""
        schema = T.StructType([T.StructField("items", self._array_type(), False),
                               T.StructField("freq", T.LongType(), False)])
        return self._active_spark().createDataFrame([(list(i), int(c)) for i, c in self._itemsets],
                                               schema)

    def _rules(self) -> list[tuple[list, list, float, float, float]]:
        """Rules X => {y} for every frequent itemset X+{y} whose confidence
        freq(X+{y}) / freq(X) reaches minConfidence; lift divides it by y's support."""
        min_conf = self.getOrDefault("minConfidence")
        freq = {frozenset(i): c for i, c in self._itemsets}
        single = {i[0]: c for i, c in self._itemsets if len(i) == 1}
        n = self.numTrainingRecords
        out = []
        for items, c in self._itemsets:
            if len(items) < 2:
                continue
            for k, y in enumerate(items):
                ante = items[:k] + items[k + 1:]
                conf = c / freq[frozenset(ante)]
                if conf >= min_conf:
                    lift = conf / (single[y] / n) if n else None
                    out.append((ante, [y], conf, lift, c / n))
        return out

    @property
    def associationRules(self) -> Any:
        """Association rules with one consequent: antecedent, consequent, confidence, lift and
        support (the fraction of training baskets holding antecedent and consequent)."""
        dt = self._array_type()
        schema = T.StructType([T.StructField("antecedent", dt, False),
                               T.StructField("consequent", dt, False),
                               T.StructField("confidence", T.DoubleType(), False),
                               T.StructField("lift", T.DoubleType(), True),
                               T.StructField("support", T.DoubleType(), False)])
        return self._active_spark().createDataFrame(self._rules(), schema)

    def _transform(self, dataset: Any) -> Any:
        dt = dataset.schema[self.getOrDefault("itemsCol")].dataType
        rules = [(frozenset(a), c) for a, c, *_ in self._rules()]
        col = partition_column("FPGrowthModel", [self.getOrDefault("itemsCol")],
                               _Predict(rules, T.to_arrow(dt)), dt, nullable=False)
        return dataset.withColumn(self.getOrDefault("predictionCol"), col)

    # persistence: Spark keeps freqItemsets as data/ and numTrainingRecords in the metadata
    # Spark's FPGrowthModel saves the same (items, freq) table, so a PySpark-saved model loads
    _reads_spark_layout = True

    def _save_data(self) -> pa.Table:
        dt = T.to_arrow(self._array_type())
        return pa.table({"items": pa.array([list(i) for i, _ in self._itemsets], type=dt),
                         "freq": pa.array([int(c) for _, c in self._itemsets], type=pa.int64())})

    def _load_data(self, table: pa.Table) -> None:
        elem = T.from_arrow(table.schema.field("items").type.value_type)
        self._items_type = T.ArrayType(elem, True)
        self._itemsets = list(zip(table.column("items").to_pylist(),
                                  table.column("freq").to_pylist()))

    def _save_extra_metadata(self) -> dict:
        return {"numTrainingRecords": self.numTrainingRecords}

    def _load_extra_metadata(self, meta: dict) -> None:
        self.numTrainingRecords = int(meta.get("numTrainingRecords", 0))


# ------------------------------------------------------------------ PrefixSpan

class _SequenceCounts:
    """Pass one of PrefixSpan: non-null sequences, and per item the sequences holding it."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, part: Any) -> Any:
        counts: Counter = Counter()
        n = 0
        for seq in _rows_of(part, self.column):
            if seq is None:
                continue
            n += 1
            counts.update({x for itemset in seq if itemset for x in itemset})
        return n, counts


class _RankedSequences:
    """Pass two: distinct sequences of frequent items (each itemset sorted and deduplicated,
    empty itemsets dropped), as rank tuples, with their counts."""

    def __init__(self, column: str, ranks: dict):
        self.column, self.ranks = column, ranks

    def __call__(self, part: Any) -> Any:
        out: Counter = Counter()
        for seq in _rows_of(part, self.column):
            if seq is None:
                continue
            s = []
            for itemset in seq:
                t = tuple(sorted({self.ranks[x] for x in (itemset or ()) if x in self.ranks}))
                if t:
                    s.append(t)
            if s:
                out[tuple(s)] += 1
        return out


class PrefixSpan(Params):
    """Frequent sequential patterns (sequences of itemsets) by PrefixSpan. Not an estimator:
    ``findFrequentSequentialPatterns(df)`` returns the patterns as a DataFrame."""

    minSupport = Param(_D, "minSupport", "minimal fraction of sequences a pattern must appear "
                       "in, in [0, 1]", TC.toFloat)
    maxPatternLength = Param(_D, "maxPatternLength", "maximal number of items in a pattern "
                             "(> 0)", TC.toInt)
    maxLocalProjDBSize = Param(_D, "maxLocalProjDBSize", "Spark's switch to local search of a "
                               "projected database (> 0); dfml always searches on the driver",
                               TC.toInt)
    sequenceCol = Param(_D, "sequenceCol", "name of the column of sequences (arrays of arrays "
                        "of items); null rows are ignored", TC.toString)

    @keyword_only
    def __init__(self, *, minSupport: float = 0.1, maxPatternLength: int = 10,
                 maxLocalProjDBSize: int = 32000000, sequenceCol: str = "sequence"):
        super().__init__()
        self._setDefault(minSupport=0.1, maxPatternLength=10, maxLocalProjDBSize=32000000,
                         sequenceCol="sequence")
        self._set(**self._input_kwargs)

    def __repr__(self) -> str:  # as every PySpark Params: its uid, which setters' results show
        return self.uid

    @keyword_only
    def setParams(self, *, minSupport: float = 0.1, maxPatternLength: int = 10,
                  maxLocalProjDBSize: int = 32000000, sequenceCol: str = "sequence"
                  ) -> "PrefixSpan":
        return self._set(**self._input_kwargs)

    def _check(self, schema: T.StructType) -> T.ArrayType:
        _fraction(self, "minSupport")
        for name in ("maxPatternLength", "maxLocalProjDBSize"):
            if self.getOrDefault(name) < 1:
                raise IllegalArgumentException(f"PrefixSpan ({self.uid}): {name} must be > 0, "
                                               f"got {self.getOrDefault(name)}")
        col = self.getOrDefault("sequenceCol")
        dt = require_column(schema, col, (T.ArrayType,), self, "an array of arrays")
        if not isinstance(dt.elementType, T.ArrayType):
            raise TypeError(f"PrefixSpan ({self.uid}): column `{col}` must be an array of "
                            f"arrays, but it is {dt.simpleString()}")
        return dt

    def findFrequentSequentialPatterns(self, dataset: Any) -> Any:
        """A DataFrame (sequence, freq) of every pattern in at least ``ceil(minSupport * n)``
        of the n non-null sequences."""
        dt = self._check(dataset.schema)
        col = self.getOrDefault("sequenceCol")
        n, counts = run_aggregations(dataset, [Aggregation(
            [col], _SequenceCounts(col), _merge_counts, label=f"item counts({col})")])[0]
        min_count = math.ceil(self.getOrDefault("minSupport") * n)
        order = rank_items(counts, min_count)
        ranks = {item: r for r, item in enumerate(order)}
        db = run_aggregations(dataset, [Aggregation(
            [col], _RankedSequences(col, ranks), _merge_counters, label=f"sequences({col})")])[0] \
            if ranks else Counter()
        rows = [([[order[r] for r in itemset] for itemset in pattern], int(c))
                for pattern, c in frequent_sequences(dict(db), max(min_count, 1),
                                                     self.getOrDefault("maxPatternLength"))]
        schema = T.StructType([T.StructField("sequence", dt, True),
                               T.StructField("freq", T.LongType(), False)])
        return _session_of(dataset).createDataFrame(rows, schema)
