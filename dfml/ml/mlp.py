"""MultilayerPerceptronClassifier and its model: Spark's feed-forward network classifier.

The estimator reads its input once into blocks kept on the workers (as the linear models do)
and trains there with Spark's solvers: L-BFGS (the default) or gradient descent, each step a
sum of per-block losses and gradients (see ``_mlp`` for the network, the weight layout and
why the data's cut into ``blockSize`` stacks matters). A seeded fit starts from Spark's own
random weights, so the same seed, data and partitioning give Spark's model.

The model's rawPrediction is the top layer's input to the softmax, probability its softmax,
and prediction the class with the largest rawPrediction (the largest probability divided by
its threshold when ``thresholds`` is set), as Spark's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import softmax

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._mlp import (check_block, forward_raw, num_weights, random_weights, train_gd,
                   train_lbfgs, unpack)
from ._linear import (HoldsSummary, TrainsOnBlocks, check_ranges, classifier_columns,
                      valid_rows, with_null_rows)
from .attributes import slot_attributes
from .base import Estimator, Model, model_string, require_absent, require_column
from .linalg import DenseVector, Vector, VectorUDT, dense_to_arrow, to_matrix, vectors_to_arrow
from .optim import TrainingBlocks
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasLabelCol, HasMaxIter, HasPredictionCol,
                           HasProbabilityCol, HasRawPredictionCol, HasSeed, HasSolver,
                           HasThresholds, HasTol)

__all__ = ["MultilayerPerceptronClassifier", "MultilayerPerceptronClassificationModel"]

_SOLVERS = ("l-bfgs", "gd")


class _MultilayerPerceptronParams(HasFeaturesCol, HasLabelCol, HasPredictionCol,
                                  HasProbabilityCol, HasRawPredictionCol, HasThresholds, HasSeed,
                                  HasMaxIter, HasTol, HasSolver):
    layers = Param(Params._dummy(), "layers", "sizes of the layers, input first and output "
                   "last: [780, 100, 10] is 780 inputs, one hidden layer of 100 and 10 classes",
                   TC.toListInt)
    blockSize = Param(Params._dummy(), "blockSize", "rows stacked into one matrix for "
                      "training; each stack's loss is a mean over its rows (> 0)", TC.toInt)
    stepSize = Param(Params._dummy(), "stepSize", "step size of the gd solver (> 0)",
                     TC.toFloat)
    initialWeights = Param(Params._dummy(), "initialWeights", "weights to start training "
                           "from, in the model's layout (default: seeded random weights)",
                           TC.toVector)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxIter=100, tol=1e-6, blockSize=128, stepSize=0.03, solver="l-bfgs")

    def _name(self) -> str:
        return f"{type(self).__name__} ({self.uid})"

    def _check(self) -> None:
        if not self.isDefined("layers"):
            raise IllegalArgumentException(f"{self._name()}: set layers (the sizes of the "
                                           f"layers, input first, output last)")
        layers = self.getOrDefault("layers")
        if len(layers) < 2 or any(n <= 0 for n in layers):
            raise IllegalArgumentException(
                f"{self._name()}: parameter layers given invalid value {list(layers)}: it needs "
                f"an input and an output layer, every size > 0")
        check_ranges(self, [("blockSize", lambda v: v > 0, "> 0"),
                            ("stepSize", lambda v: v > 0, "> 0"),
                            ("maxIter", lambda v: v >= 0, ">= 0"),
                            ("tol", lambda v: v >= 0, ">= 0")])
        if self.getOrDefault("solver") not in _SOLVERS:
            raise IllegalArgumentException(f"{self._name()}: solver must be l-bfgs or gd, got "
                                           f"{self.getOrDefault('solver')!r}")
        if self.isDefined("initialWeights") and self.getOrDefault("initialWeights") is not None:
            n, want = self.getOrDefault("initialWeights").size, num_weights(layers)
            if n != want:
                raise IllegalArgumentException(
                    f"{self._name()}: initialWeights has {n} values but layers {list(layers)} "
                    f"need {want}")

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        feats = self.getFeaturesCol()
        require_column(schema, feats, (VectorUDT,), self, "a vector")
        if fitting:
            require_column(schema, self.getLabelCol(), (T.NumericType,), self, "numeric")
        slots = slot_attributes(schema[feats])
        if self.isDefined("layers") and slots is not None \
                and len(slots) != self.getOrDefault("layers")[0]:
            raise IllegalArgumentException(
                f"{self._name()}: the first layer has {self.getOrDefault('layers')[0]} inputs but "
                f"column `{feats}` holds vectors of size {len(slots)}")
        fields = list(schema.fields)
        for p, dt in (("rawPredictionCol", VectorUDT()), ("probabilityCol", VectorUDT()),
                      ("predictionCol", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, dt, True))
        return T.StructType(fields)


class MultilayerPerceptronClassifier(TrainsOnBlocks, Estimator, _MultilayerPerceptronParams):
    """Feed-forward neural network classifier: sigmoid hidden layers, a softmax output layer
    with one output per class, trained on the cross entropy."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", maxIter: int = 100, tol: float = 1e-6,
                 seed: int | None = None, layers: list | None = None, blockSize: int = 128,
                 stepSize: float = 0.03, solver: str = "l-bfgs", initialWeights: Any = None,
                 probabilityCol: str = "probability",
                 rawPredictionCol: str = "rawPrediction", thresholds: list | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", maxIter: int = 100, tol: float = 1e-6,
                  seed: int | None = None, layers: list | None = None, blockSize: int = 128,
                  stepSize: float = 0.03, solver: str = "l-bfgs", initialWeights: Any = None,
                  probabilityCol: str = "probability", rawPredictionCol: str = "rawPrediction",
                  thresholds: list | None = None) -> "MultilayerPerceptronClassifier":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _block_inputs(self) -> tuple[str, str, str | None]:
        return self.getFeaturesCol(), self.getLabelCol(), None  # no weightCol, as Spark's

    def _fit_blocks(self, blocks: TrainingBlocks,
                    dataset: Any) -> "MultilayerPerceptronClassificationModel":
        layers = list(self.getOrDefault("layers"))
        stage = self._name()
        with blocks:
            problems = blocks.map(check_block(layers, self.getFeaturesCol(),
                                                   self.getLabelCol()))
            if problems:
                raise IllegalArgumentException(f"{stage}: {problems[0]}")
            if self.isDefined("initialWeights") and self.getOrDefault("initialWeights") is not None:
                w0 = np.asarray(self.getOrDefault("initialWeights").toArray(), dtype=np.float64)
            else:
                w0 = random_weights(layers, self.getOrDefault("seed"))
            stack, tol = self.getOrDefault("blockSize"), self.getOrDefault("tol")
            if self.getOrDefault("solver") == "gd":
                w, history = train_gd(blocks, layers, stack, w0, self.getMaxIter(), tol,
                                           self.getOrDefault("stepSize"), stage)
            else:
                w, history = train_lbfgs(blocks, layers, stack, w0, self.getMaxIter(), tol,
                                              stage)
        model = self._copyValues(MultilayerPerceptronClassificationModel(DenseVector(w)))
        from ._mlp_summary import MultilayerPerceptronClassificationTrainingSummary as S
        model._summary = S(model, dataset, history)
        return model


class _Kernel:
    """Per-partition kernel of one output column of a fitted network."""

    def __init__(self, weights: np.ndarray, layers: list[int], what: str,
                 thresholds: np.ndarray | None, column: str):
        self.weights, self.layers, self.what = weights, list(layers), what
        self.thresholds, self.column = thresholds, column

    def __call__(self, features: Any) -> pa.Array:
        arr, mask = valid_rows(features)  # null vectors give null outputs
        try:
            X = to_matrix(arr, size=self.layers[0])
        except ValueError as e:
            raise SparkException(f"MultilayerPerceptronClassificationModel: column "
                                 f"`{self.column}` must hold vectors of size {self.layers[0]} "
                                 f"(the first layer): {e}") from None
        out = with_null_rows(outputs(X, self.weights, self.layers, self.what, self.thresholds),
                             mask)
        if self.what == "prediction":
            return pa.array(out, type=pa.float64(), mask=mask)
        return dense_to_arrow(out, mask)


def outputs(X: Any, weights: np.ndarray, layers: list[int], what: str,
            thresholds: np.ndarray | None) -> np.ndarray:
    """rawPrediction, probability or prediction rows for the rows of ``X``, as Spark's."""
    raw = forward_raw(X, unpack(weights, layers))
    if what == "raw":
        return raw
    if what == "probability":
        return softmax(raw, axis=1)
    if thresholds is None:
        return np.argmax(raw, axis=1).astype(np.float64)
    prob = softmax(raw, axis=1)
    with np.errstate(divide="ignore"):
        scaled = np.where(thresholds > 0, prob / np.where(thresholds > 0, thresholds, 1.0),
                          np.inf)
    return np.argmax(scaled, axis=1).astype(np.float64)


class MultilayerPerceptronClassificationModel(HoldsSummary, Model, _MultilayerPerceptronParams):
    """A fitted network: ``weights`` in Spark's layout, ``layers`` as trained."""

    def __init__(self, weights: DenseVector | None = None):
        super().__init__()
        self.weights = weights
        self._summary = None

    def _init_loaded(self) -> None:
        self.weights, self._summary = None, None

    @property
    def numFeatures(self) -> int:
        return int(self.getOrDefault("layers")[0])

    @property
    def numClasses(self) -> int:
        return int(self.getOrDefault("layers")[-1])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _thresholds(self) -> np.ndarray | None:
        return np.asarray(self.getOrDefault("thresholds"), float) \
            if self.isSet("thresholds") else None

    def _kernel(self, what: str) -> _Kernel:
        return _Kernel(self.weights.toArray(), self.getOrDefault("layers"), what,
                       self._thresholds(), self.getFeaturesCol())

    def _transform(self, dataset: Any) -> Any:
        return classifier_columns(self, dataset, self._kernel)

    # single rows, as Spark's model offers them
    def _one(self, value: Vector, what: str) -> np.ndarray:
        x = np.asarray(value.toArray(), float).reshape(1, -1)
        if x.shape[1] != self.numFeatures:
            raise IllegalArgumentException(f"{self._name()}: a vector of size {x.shape[1]} for "
                                           f"a first layer of {self.numFeatures} inputs")
        return outputs(x, self.weights.toArray(), self.getOrDefault("layers"), what, None)[0]

    def predictRaw(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "raw"))

    def predictProbability(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "probability"))

    def predict(self, value: Vector) -> float:
        """The most probable class (Spark's single-row predict ignores ``thresholds``)."""
        return float(np.argmax(self._one(value, "probability")))

    def summary(self) -> Any:  # a method in PySpark's MLP model, not a property
        """The training summary: metrics on the training data and the objective history."""
        return HoldsSummary.summary.fget(self)

    def evaluate(self, dataset: Any) -> Any:
        """Metrics of the model on ``dataset`` (computed from its predictions when asked)."""
        self.transformSchema(dataset.schema)
        from ._mlp_summary import MultilayerPerceptronClassificationSummary
        return MultilayerPerceptronClassificationSummary(self, dataset)

    def __repr__(self) -> str:
        return model_string(self, [("numLayers", len(self.getOrDefault("layers"))),
                                   ("numClasses", self.numClasses),
                                   ("numFeatures", self.numFeatures)])

    # persistence: Spark's data file holds the weights only (layers is a param)
    def _save_data(self) -> pa.Table:
        return pa.table({"weights": vectors_to_arrow([self.weights])})

    def _load_data(self, table: pa.Table) -> None:
        w = VectorUDT().deserialize(table.column("weights")[0].as_py())
        want = num_weights(list(self.getOrDefault("layers")))
        if w.size != want:
            raise ValueError(f"{type(self).__name__} data: {w.size} weights for layers "
                             f"{list(self.getOrDefault('layers'))} (which need {want})")
        self.weights = DenseVector(w.toArray())
