"""The fitted tree models (GBT, random forest, decision tree; classification and regression).

A model is an XGBoost booster (kept as its UBJSON bytes) plus what Spark's model reports:
numFeatures, numClasses, the number of trees. Its transform predicts per partition (the
booster travels to the workers as bytes and is loaded once per worker process); it saves in
Spark's layout (params in metadata/, the booster's UBJSON in data/, never a pickle) and hands
itself to scikit-learn code as xgboost's own estimator (``to_sklearn``).

Output columns, as Spark's:
- regression: ``prediction`` (double).
- classification: ``rawPrediction`` and ``probability`` (vectors) and ``prediction``
  (double; the class of highest probability, or of highest probability/threshold with
  ``thresholds``). ``probability`` is the booster's. ``rawPrediction`` keeps Spark's relation to
  it: for GBT ``[-F, F]`` with ``probability = 1 / (1 + exp(-2F))``; for a forest the class
  probabilities times the number of trees (Spark sums the trees' votes); for a single tree the
  probabilities (Spark gives the leaf's class counts, which a booster does not keep).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import expit, softmax

from ..sql import types as T
from ..sql.errors import IllegalArgumentException
from ._xgb import (BoosterKernel, debug_lines, feature_importances, load_booster,
                   tree_count, tree_frame)
from ._tree_params import (ClassifierParams, ForestParams, GBTParams, PruneParams,
                           TreeParams, output_schema)
from .base import Model, partition_column
from .linalg import DenseVector, SparseVector, Vector
from .param import Param, Params, TypeConverters as TC

__all__ = ["GBTClassificationModel", "GBTRegressionModel", "RandomForestClassificationModel",
           "RandomForestRegressionModel", "DecisionTreeClassificationModel",
           "DecisionTreeRegressionModel"]


class _Convert:
    """Booster margins -> one output column of a model (picklable: it goes to the workers)."""

    def __init__(self, what: str, kind: str, num_classes: int, num_trees: int,
                 thresholds: np.ndarray | None):
        self.what, self.kind, self.k, self.trees = what, kind, num_classes, num_trees
        self.thresholds = thresholds

    def __call__(self, m: np.ndarray) -> np.ndarray:
        if self.what == "leaf":  # already each tree's leaf id per row
            return m
        if self.k == 0:  # regression: the margin is the prediction
            return m.reshape(-1)
        if self.k <= 2:
            m = m.reshape(-1)
            p1 = expit(m)
            prob = np.column_stack([1.0 - p1, p1])
        else:
            prob = softmax(m.reshape(len(m), self.k), axis=1)
        if self.what == "raw":
            if self.kind == "gbt":
                return np.column_stack([-m / 2.0, m / 2.0])
            return prob * (self.trees if self.kind == "rf" else 1.0)
        if self.what == "probability":
            return prob
        if self.thresholds is not None:
            t = self.thresholds
            with np.errstate(divide="ignore"):
                scaled = np.where(t > 0, prob / np.where(t > 0, t, 1.0), np.inf)
            return np.argmax(scaled, axis=1).astype(np.float64)
        return np.argmax(prob, axis=1).astype(np.float64)


class _TreeModel:
    """What every tree model shares (a mixin before ``Model``: only the concrete models are
    registered stage classes); ``_kind`` is gbt, rf or dt."""

    _kind = "dt"
    _classifier = False
    _title = ""
    _defaults: dict = {}

    def __init__(self, booster: bytes | None = None, numFeatures: int = 0, numClasses: int = 0,
                 numTrees: int = 1):
        super().__init__()
        self._raw = booster
        self._num_features = int(numFeatures)
        self._num_classes = int(numClasses)
        self._num_trees = int(numTrees)
        self._node_table: Any = None

    def _init_loaded(self) -> None:
        self._raw, self._num_features, self._num_classes, self._num_trees = None, 0, 0, 1
        self._node_table = None

    # ------------------------------------------------------------ Spark's facts
    @property
    def numFeatures(self) -> int:
        return self._num_features

    def _nodes(self) -> Any:
        if self._node_table is None:
            self._node_table = tree_frame(self._raw)
        return self._node_table

    @property
    def featureImportances(self) -> SparseVector:
        """Each feature's share of the split gain, summing to 1 (a forest's or a single tree's
        normalized per tree first, as Spark's)."""
        imp = feature_importances(self._raw, self._num_features, self._kind != "gbt")
        idx = np.flatnonzero(imp)
        return SparseVector(self._num_features, idx.tolist(), imp[idx].tolist())

    @property
    def totalNumNodes(self) -> int:
        return int(len(self._nodes()))

    def _facts(self) -> list[tuple[str, Any]]:
        out = [("numTrees", self._num_trees)] if self._kind != "dt" else \
            [("depth", self.depth), ("numNodes", self.numNodes)]
        if self._classifier:
            out.append(("numClasses", self._num_classes))
        return out + [("numFeatures", self._num_features)]

    def __repr__(self) -> str:
        sep = " = " if self._kind == "gbt" and self._classifier else "="  # as Spark prints it
        body = "".join(f", {k}={v}" for k, v in self._facts())
        return f"{type(self).__name__}: uid{sep}{self.uid}{body}"

    __str__ = __repr__

    @property
    def toDebugString(self) -> str:
        """Spark's header line, then every XGBoost tree as nested If/Else lines."""
        lines = [repr(self)]
        count = tree_count(self._raw)
        if self._kind == "dt" and count == 1:
            lines += debug_lines(self._raw, 0, "  ")
        else:
            weights = self.treeWeights if self._kind != "dt" else [1.0] * count
            for t in range(count):
                w = weights[t] if t < len(weights) else 1.0
                lines.append(f"  Tree {t} (weight {w}):")
                lines += debug_lines(self._raw, t, "    ")
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------ predictions
    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return output_schema(self, schema, fitting=False)

    def _kernel(self, what: str) -> BoosterKernel:
        ts = None
        if self._classifier and self.isSet("thresholds"):
            ts = np.asarray(self.getOrDefault("thresholds"), float)
        conv = _Convert(what, self._kind, self._num_classes, self._num_trees, ts)
        return BoosterKernel(self._raw, self._num_features, conv, what != "prediction",
                             leaves=what == "leaf")

    def _transform(self, dataset: Any) -> Any:
        if self._classifier and self.isSet("thresholds") and \
                len(self.getOrDefault("thresholds")) != self._num_classes:
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): thresholds has "
                f"{len(self.getOrDefault('thresholds'))} values for {self._num_classes} classes")
        feats = self.getFeaturesCol()
        cols = [("rawPredictionCol", "raw"), ("probabilityCol", "probability")] \
            if self._classifier else []
        from .linalg import VectorUDT
        outs = {}
        for p, what in cols + [("predictionCol", "prediction"), ("leafCol", "leaf")]:
            name = self.getOrDefault(p)
            if name:
                dt = T.DoubleType() if what == "prediction" else VectorUDT()
                outs[name] = partition_column(f"{type(self).__name__}.{what}", [feats],
                                              self._kernel(what), dt)
        return dataset.withColumns(outs) if outs else dataset

    def _one(self, vector: Vector, what: str) -> np.ndarray:
        x = np.zeros((1, self._num_features))
        arr = np.asarray(vector.toArray(), float)
        x[0, :len(arr)] = arr[:self._num_features]
        k = self._kernel(what)
        return k.convert(k.margins(x))

    def predict(self, value: Vector) -> float:
        return float(self._one(value, "prediction")[0])

    def predictLeaf(self, value: Vector) -> Any:
        """The row's leaf position in each tree: a number for a single tree, else a vector."""
        leaves = np.asarray(self._one(value, "leaf")).reshape(-1)
        return float(leaves[0]) if self._kind == "dt" and len(leaves) == 1 else DenseVector(leaves)

    # ------------------------------------------------------------ persistence
    def _save_data(self) -> pa.Table:
        return pa.table({"numFeatures": [self._num_features], "numClasses": [self._num_classes],
                         "numTrees": [self._num_trees],
                         "booster": pa.array([self._raw], type=pa.binary()),
                         "boosterFormat": ["ubj"]})

    def _load_data(self, table: pa.Table) -> None:
        row = table.slice(0, 1).to_pylist()[0]
        if row.get("boosterFormat") != "ubj" or not row.get("booster"):
            raise ValueError(f"{type(self).__name__} data: no XGBoost UBJSON booster")
        self._raw = bytes(row["booster"])
        self._num_features = int(row["numFeatures"])
        self._num_classes = int(row["numClasses"])
        self._num_trees = int(row["numTrees"])
        self._node_table = None

    def to_sklearn(self) -> Any:
        """This model as xgboost's scikit-learn estimator (XGBClassifier, XGBRegressor or
        their forest forms), loaded from the same booster, so it predicts what this model
        predicts (its class predictions ignore ``thresholds``)."""
        import xgboost as xgb
        forest = self._kind == "rf"
        if self._classifier:
            est = xgb.XGBRFClassifier() if forest else xgb.XGBClassifier()
        else:
            est = xgb.XGBRFRegressor() if forest else xgb.XGBRegressor()
        est.load_model(bytearray(self._raw))
        return est


class _ClassificationModel(_TreeModel):  # a mixin, as _TreeModel
    _classifier = True

    @property
    def numClasses(self) -> int:
        return self._num_classes

    def predictRaw(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "raw")[0])

    def predictProbability(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "probability")[0])


class _Ensemble:
    """Spark's ensemble accessors: the trees and their weights."""

    @property
    def getNumTrees(self) -> int:
        return self._num_trees

    @property
    def treeWeights(self) -> list[float]:
        """Spark's weights: 1.0 for a forest's trees; for GBT 1.0 for the first tree and
        stepSize for the others. They are the rates each tree was grown with, already applied
        to its leaves (XGBoost's trees carry their learning rate; a tree's printed leaf values
        are its contribution, not to be multiplied again)."""
        if self._kind != "gbt":
            return [1.0] * self._num_trees
        step = float(self.getOrDefault("stepSize"))
        return [1.0] + [step] * (self._num_trees - 1) if self._num_trees else []

    @property
    def trees(self) -> list["TreeView"]:
        if self._raw is None:  # an unfitted instance (e.g. listing its params)
            return []
        title = "DecisionTreeClassificationModel" if self._kind == "rf" and self._classifier \
            else "DecisionTreeRegressionModel"  # Spark's GBT trees are regression trees
        return [TreeView(self._raw, t, title, f"{self.uid}_tree{t}", self._num_features)
                for t in range(tree_count(self._raw))]


class _SingleTree:
    @property
    def numNodes(self) -> int:
        return self.totalNumNodes

    @property
    def depth(self) -> int:
        return max(TreeView(self._raw, t).depth for t in range(tree_count(self._raw)))


class TreeView:
    """One tree of an ensemble, read from the booster: its node count, depth and text."""

    def __init__(self, raw: bytes, index: int, title: str = "Tree", uid: str = "",
                 num_features: int = 0):
        self._raw, self.index = raw, index
        self._title, self.uid, self.numFeatures = title, uid, num_features

    @property
    def numNodes(self) -> int:
        nodes = tree_frame(self._raw)
        return int((nodes["Tree"] == self.index).sum())

    @property
    def depth(self) -> int:
        import json
        tree = json.loads(load_booster(self._raw).get_dump(dump_format="json")[self.index])

        def down(n: dict) -> int:
            return 0 if "leaf" in n else 1 + max(down(c) for c in n["children"])
        return down(tree)

    @property
    def toDebugString(self) -> str:
        return "\n".join(debug_lines(self._raw, self.index, "  ")) + "\n"

    def __repr__(self) -> str:
        return (f"{self._title}: uid={self.uid}, depth={self.depth}, numNodes={self.numNodes}, "
                f"numFeatures={self.numFeatures}")


class GBTClassificationModel(_Ensemble, _ClassificationModel, Model, ClassifierParams,
                             GBTParams, TreeParams):
    _kind = "gbt"
    _losses = ("logistic",)
    _defaults = {"lossType": "logistic", "validationTol": 0.01, "impurity": "variance"}


class GBTRegressionModel(_Ensemble, _TreeModel, Model, GBTParams, TreeParams):
    _kind = "gbt"
    _losses = ("squared", "absolute")
    # PySpark's signature shows validationTol=0.1, but the param's default is 0.01
    _defaults = {"lossType": "squared", "validationTol": 0.01, "impurity": "variance"}


class RandomForestClassificationModel(_Ensemble, _ClassificationModel, Model,
                                      ClassifierParams, PruneParams, ForestParams, TreeParams):
    _kind = "rf"
    _defaults = {"impurity": "gini"}


class RandomForestRegressionModel(_Ensemble, _TreeModel, Model, ForestParams, TreeParams):
    _kind = "rf"
    _defaults = {"impurity": "variance"}


class DecisionTreeClassificationModel(_SingleTree, _ClassificationModel, Model,
                                      ClassifierParams, PruneParams, TreeParams):
    _kind = "dt"
    _defaults = {"impurity": "gini"}


class DecisionTreeRegressionModel(_SingleTree, _TreeModel, Model, TreeParams):
    _kind = "dt"
    _defaults = {"impurity": "variance"}
    varianceCol = Param(Params._dummy(), "varianceCol", "column of the leaf's label variance "
                        "(not supported: leave unset)", TC.toString)
