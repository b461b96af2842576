"""NaiveBayes (multinomial, complement, bernoulli, gaussian) and its model.

The fit is one aggregation pass: per distinct label, the weight sum, the row count, the weighted
feature sums and (gaussian only) the weighted sums of squares. Everything else (log priors,
smoothed log likelihoods, means and variances) follows from those few numbers on the driver,
so a Pipeline fuses this fit with its other aggregation fits (``FitSpec`` kind aggregation).
Classes are the distinct labels in ascending order: the model predicts the class index, as
Spark's does.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from scipy.special import logsumexp

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._linear import classifier_columns, require_training_columns, valid_rows, with_null_rows
from .base import Aggregation, Estimator, Model, model_string, require_absent
from .linalg import (DenseMatrix, DenseVector, Matrix, MatrixUDT, Vector, VectorUDT,
                     as_struct_array, compressed_matrix, compressed_vector, dense_to_arrow,
                     to_matrix, vectors_to_arrow)
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasLabelCol, HasPredictionCol, HasProbabilityCol,
                           HasRawPredictionCol, HasThresholds, HasWeightCol)

__all__ = ["NaiveBayes", "NaiveBayesModel"]

MODEL_TYPES = ("multinomial", "complement", "bernoulli", "gaussian")


class _NaiveBayesParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasProbabilityCol,
                        HasRawPredictionCol, HasThresholds, HasWeightCol):
    smoothing = Param(Params._dummy(), "smoothing", "additive smoothing of counts (>= 0)",
                      TC.toFloat)
    modelType = Param(Params._dummy(), "modelType", "multinomial, complement, bernoulli or "
                      "gaussian", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(smoothing=1.0, modelType="multinomial", labelCol="label",
                         probabilityCol="probability", rawPredictionCol="rawPrediction")

    def _check_params(self) -> None:
        name = f"{type(self).__name__} ({self.uid})"
        if not self.getOrDefault("smoothing") >= 0:
            raise IllegalArgumentException(f"{name}: smoothing must be >= 0, got "
                                           f"{self.getOrDefault('smoothing')!r}")
        if self.getOrDefault("modelType") not in MODEL_TYPES:
            raise IllegalArgumentException(f"{name}: modelType must be one of "
                                           f"{', '.join(MODEL_TYPES)}, got "
                                           f"{self.getOrDefault('modelType')!r}")
        if self.isSet("thresholds"):
            ts = self.getOrDefault("thresholds")
            if any(t < 0 for t in ts) or sum(1 for t in ts if t == 0) > 1:
                raise IllegalArgumentException(f"{name}: thresholds must be >= 0 with at most one "
                                               f"0, got {ts}")

    def _weight_col(self) -> str | None:
        return (self.getOrDefault("weightCol") or None) if self.isDefined("weightCol") else None

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_training_columns(self, schema, fitting)
        fields = list(schema.fields)
        for p, dt in (("rawPredictionCol", VectorUDT()), ("probabilityCol", VectorUDT()),
                      ("predictionCol", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, dt, True))
        return T.StructType(fields)


# ------------------------------------------------------------------ input checks (Spark's)

def _row_text(arr: pa.StructArray, i: int) -> str:
    return str(VectorUDT().deserialize(arr[i].as_py()))


def _bad_row(model_type: str, X: Any) -> tuple[int | None, str]:
    """(first row whose values break Spark's rule for the model type, the rule's text): counts
    (multinomial, complement) must be finite and non-negative, bernoulli values 0 or 1;
    gaussian takes any value."""
    vals = X.data if sp.issparse(X) else X
    if model_type in ("multinomial", "complement"):
        # all finite and >= 0 when the minimum is >= 0 (NaN fails it) and the sum is finite
        # (an infinity makes it infinite): two reductions, no masks; else find the row
        if vals.size == 0 or (vals.min() >= 0 and np.isfinite(vals.sum())):
            return None, ""
        bad = ~(np.isfinite(vals) & (vals >= 0))
        what = "MUST NOT be Negative, NaN or Infinity"
    elif model_type == "bernoulli":
        bad = ~((vals == 0) | (vals == 1))
        what = "MUST be in {0, 1}"
    else:
        return None, ""
    if not bad.any():
        return None, what
    if sp.issparse(X):
        return int(np.searchsorted(X.indptr, int(np.flatnonzero(bad)[0]), side="right") - 1), what
    return int(np.flatnonzero(bad.any(axis=1))[0]), what


def check_features(model_type: str, X: Any, who: str, col: str,
                   row_text: Callable[[int], str]) -> None:
    """Spark's checks of feature values (see ``_bad_row``); the error shows the row as
    ``row_text(i)`` renders it (from the vectors, or from an assembler's inputs)."""
    row, what = _bad_row(model_type, X)
    if row is not None:
        raise SparkException(f"{who}: column `{col}`: Vector values {what}, but got "
                             f"{row_text(row)}")


def _check_labels(y: np.ndarray, num_classes: int | None, who: str, col: str) -> None:
    bad = np.isnan(y)
    if bad.any():
        raise SparkException(f"{who}: column `{col}`: Labels MUST NOT be Null or NaN")
    top = num_classes if num_classes is not None else 2147483647
    out = (y < 0) | (y >= top)
    if out.any():
        where = "{0, 1}" if top == 2 else f"[0, {top})"
        raise SparkException(f"{who}: column `{col}`: Labels MUST be in {where}, but got "
                             f"{float(y[out][0])!r}")
    frac = y != np.floor(y)
    if frac.any():
        raise SparkException(f"{who}: column `{col}`: Labels MUST be Integers, but got "
                             f"{float(y[frac][0])!r}")


def _check_weights(w: np.ndarray, who: str, col: str) -> None:
    if np.isnan(w).any():
        raise SparkException(f"{who}: column `{col}`: Weights MUST NOT be Null or NaN")
    bad = (w < 0) | np.isinf(w)
    if bad.any():
        raise SparkException(f"{who}: column `{col}`: Weights MUST NOT be Negative or Infinity, "
                             f"but got {float(w[bad][0])!r}")


# ------------------------------------------------------------------ the fit's aggregation

def _numbers(series: Any) -> np.ndarray:
    return np.asarray(series.to_numpy(dtype=float, na_value=np.nan), dtype=float)


class _ClassSums:
    """Per-partition partial: {label: [weight sum, count, sum of w*x, sum of w*x^2 or None]}."""

    def __init__(self, stage: "NaiveBayes"):
        self.who = f"NaiveBayes ({stage.uid})"
        self.model_type = stage.getOrDefault("modelType")
        self.features, self.label = stage.getFeaturesCol(), stage.getLabelCol()
        self.weight = stage._weight_col()
        self.num_classes = len(stage.getOrDefault("thresholds")) if stage.isSet("thresholds") \
            else None

    def _labels_weights(self, part: Any) -> tuple[np.ndarray, np.ndarray | None]:
        y = _numbers(part[self.label])
        _check_labels(y, self.num_classes, self.who, self.label)
        w = None
        if self.weight:
            w = _numbers(part[self.weight])
            _check_weights(w, self.who, self.weight)
        return y, w

    def __call__(self, part: Any) -> dict | None:
        if len(part) == 0:
            return None
        arr = as_struct_array(part[self.features])
        if arr.null_count:
            raise SparkException(f"{self.who}: column `{self.features}`: Vectors MUST NOT be "
                                 f"Null")
        y, w = self._labels_weights(part)
        X = to_matrix(arr)
        check_features(self.model_type, X, self.who, self.features,
                       lambda i: _row_text(arr, i))
        idx, labels = _label_index(y)
        k = len(labels)
        w1 = np.ones(len(y)) if w is None else w
        ind = sp.csr_matrix((w1, (idx, np.arange(len(y)))), shape=(k, len(y)))
        sums = np.asarray((ind @ X).todense() if sp.issparse(X) else ind @ X)
        squares = None
        if self.model_type == "gaussian":
            Xsq = X.multiply(X) if sp.issparse(X) else X * X
            squares = np.asarray((ind @ Xsq).todense() if sp.issparse(Xsq) else ind @ Xsq)
        return self._partial(labels, idx, w1, sums, squares)

    def dense(self, part: Any, X: np.ndarray, row_text: Any) -> dict | None:
        """The same partial from a dense matrix of the features (``Aggregation.dense_chunk``):
        per class and feature one ``bincount`` over contiguous memory when ``X`` is
        column-major, no per-row vectors."""
        if len(part) == 0:
            return None
        y, w = self._labels_weights(part)
        check_features(self.model_type, X, self.who, self.features, row_text)
        idx, labels = _label_index(y)
        k, d = len(labels), X.shape[1]

        def per_class(v: np.ndarray) -> np.ndarray:
            return np.bincount(idx, weights=v if w is None else w * v, minlength=k)
        sums = np.empty((k, d))
        squares = np.empty((k, d)) if self.model_type == "gaussian" else None
        for j in range(d):
            col = X[:, j]
            sums[:, j] = per_class(col)
            if squares is not None:
                squares[:, j] = per_class(col * col)
        return self._partial(labels, idx, np.ones(len(y)) if w is None else w, sums, squares)

    @staticmethod
    def _partial(labels: np.ndarray, idx: np.ndarray, w: np.ndarray, sums: np.ndarray,
                 squares: np.ndarray | None) -> dict:
        k = len(labels)
        wsum = np.bincount(idx, weights=w, minlength=k)
        count = np.bincount(idx, minlength=k)
        return {float(lab): [wsum[i], int(count[i]), sums[i],
                             None if squares is None else squares[i]]
                for i, lab in enumerate(labels)}


def _label_index(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(class position of each row, the distinct labels ascending) of checked labels (whole
    numbers >= 0): a count per value when the largest is small (linear), else a sort."""
    top = float(y.max())
    if top < 4 * len(y) + 1024:
        yi = y.astype(np.intp)
        present = np.bincount(yi) > 0
        labels = np.flatnonzero(present)
        pos = np.cumsum(present) - 1
        return pos[yi], labels.astype(np.float64)
    labels, idx = np.unique(y, return_inverse=True)
    return idx, labels


def merge_class_sums(parts: list[Any]) -> dict | None:
    """The partials of several partitions added label by label."""
    out: dict | None = None
    for p in parts:
        if p is None:
            continue
        if out is None:
            out = {k: list(v) for k, v in p.items()}
            continue
        for lab, (w, c, s, q) in p.items():
            if lab not in out:
                out[lab] = [w, c, s, q]
                continue
            acc = out[lab]
            if len(acc[2]) != len(s):
                raise SparkException(f"NaiveBayes: feature vectors of different sizes "
                                     f"({len(acc[2])} and {len(s)})")
            out[lab] = [acc[0] + w, acc[1] + c, acc[2] + s, None if q is None else acc[3] + q]
    return out


def discrete_parameters(wsum: np.ndarray, sums: np.ndarray, lam: float,
                        model_type: str) -> tuple[np.ndarray, np.ndarray]:
    """(pi, theta) of a multinomial, complement or bernoulli model from the per-class weight
    sums and weighted feature sums: smoothed log priors and log likelihoods (complement: the
    negated log likelihoods of every other class's counts)."""
    k, d = sums.shape
    pi = np.log(wsum + lam) - np.log(wsum.sum() + k * lam)
    if model_type == "complement":
        sums = sums.sum(axis=0, keepdims=True) - sums
    if model_type == "bernoulli":
        denom = np.log(wsum + 2.0 * lam)
    else:
        denom = np.log(sums.sum(axis=1) + d * lam)
    theta = np.log(sums + lam) - denom[:, None]
    return pi, (-theta if model_type == "complement" else theta)


def gaussian_parameters(wsum: np.ndarray, sums: np.ndarray,
                        squares: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pi, theta = means, sigma = variances) of a gaussian model. Each variance is the
    weighted population variance plus epsilon, 1e-9 of the largest variance of any feature over
    all rows, which keeps a feature constant within a class from dividing by zero."""
    n = wsum.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums / wsum[:, None]
        total, total_sq = sums.sum(axis=0), squares.sum(axis=0)
        epsilon = float(np.max(total_sq / n - total * total / n / n)) * 1e-9
        sigma = epsilon + squares / wsum[:, None] - mean * mean
        pi = np.log(wsum) - np.log(n)
    return pi, mean, sigma


class NaiveBayes(Estimator, _NaiveBayesParams):
    """Naive Bayes classifiers: multinomial and complement (counts), bernoulli (0/1 values) and
    gaussian (any values), with additive smoothing and optional row weights."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", probabilityCol: str = "probability",
                 rawPredictionCol: str = "rawPrediction", smoothing: float = 1.0,
                 modelType: str = "multinomial", thresholds: list | None = None,
                 weightCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", probabilityCol: str = "probability",
                  rawPredictionCol: str = "rawPrediction", smoothing: float = 1.0,
                  modelType: str = "multinomial", thresholds: list | None = None,
                  weightCol: str | None = None) -> "NaiveBayes":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        cols = [self.getLabelCol(), self.getFeaturesCol()] + \
            ([self._weight_col()] if self._weight_col() else [])
        sums = _ClassSums(self)
        return [Aggregation(list(dict.fromkeys(cols)), sums, merge_class_sums,
                            label=f"class sums({self.getFeaturesCol()} by {self.getLabelCol()})",
                            dense_input=self.getFeaturesCol(), dense_chunk=sums.dense)]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "NaiveBayesModel":
        self._check_params()  # a pipeline may reach here without fit()
        acc = results[0]
        if not acc:
            raise SparkException(f"NaiveBayes ({self.uid}): the input has no rows to fit on")
        labels = sorted(acc)
        if self.isSet("thresholds") and len(self.getOrDefault("thresholds")) != int(labels[-1]) + 1:
            raise IllegalArgumentException(
                f"NaiveBayes ({self.uid}): thresholds has {len(self.getOrDefault('thresholds'))} "
                f"values but the label has {int(labels[-1]) + 1} classes")
        wsum = np.array([acc[lab][0] for lab in labels], dtype=float)
        sums = np.vstack([acc[lab][2] for lab in labels]).astype(float)
        model_type = self.getOrDefault("modelType")
        if model_type == "gaussian":
            squares = np.vstack([acc[lab][3] for lab in labels]).astype(float)
            pi, theta, sigma = gaussian_parameters(wsum, sums, squares)
            sigma_m: Matrix = compressed_matrix(sigma, row_major=True)
        else:
            pi, theta = discrete_parameters(wsum, sums, self.getOrDefault("smoothing"),
                                            model_type)
            sigma_m = DenseMatrix(0, 0, [], 0)
        model = NaiveBayesModel(compressed_vector(pi), compressed_matrix(theta, row_major=True),
                                sigma_m)
        return self._copyValues(model)


# ------------------------------------------------------------------ the model

def _row_order_product(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    """``X @ M.T`` summed feature by feature in index order, as the product of a CSR matrix
    does (a zero feature adds an exact zero): the scores of rows taken from an assembler's
    inputs are then the very ones the assembled (sparse) vectors give."""
    n, k = X.shape[0], M.shape[0]
    out = np.zeros((k, n))             # class-major: the loops run along the rows
    band = 8192                        # rows at a time, so the sums stay in cache
    term = np.empty((k, band))
    for start in range(0, n, band):
        acc = out[:, start:start + band]
        t = term[:, :acc.shape[1]]
        for j in range(X.shape[1]):
            np.multiply(M[:, j, None], X[start:start + band, j], out=t)
            acc += t
    return out.T


def raw_scores(model_type: str, X: Any, pi: np.ndarray, theta: np.ndarray,
               sigma: np.ndarray, in_row_order: bool = False) -> np.ndarray:
    """Spark's rawPrediction per model type: joint log likelihoods (complement: normalized by
    their log-sum-exp; gaussian: without the constant 2*pi term, which cancels).
    ``in_row_order``: a dense ``X`` multiplied as a sparse one would be."""
    def product(M: np.ndarray) -> np.ndarray:
        return _row_order_product(X, M) if in_row_order else np.asarray(X @ M.T)
    if model_type == "multinomial":
        return product(theta) + pi
    if model_type == "complement":
        jll = product(theta)
        return jll - logsumexp(jll, axis=1, keepdims=True)
    if model_type == "bernoulli":
        neg = np.log1p(-np.exp(theta))
        return product(theta - neg) + (pi + neg.sum(axis=1))
    D = X.toarray() if sp.issparse(X) else X
    out = np.empty((D.shape[0], len(pi)))
    logvar = np.log(sigma).sum(axis=1)
    for i in range(len(pi)):
        out[:, i] = pi[i] - (((D - theta[i]) ** 2 / sigma[i]).sum(axis=1) + logvar[i]) / 2
    return out


def probabilities(raw: np.ndarray) -> np.ndarray:
    """exp(raw - max) normalized to sum to 1 per row, as Spark turns log scores into them."""
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predictions(prob: np.ndarray, thresholds: np.ndarray | None) -> np.ndarray:
    """argmax of probability / threshold (a 0 threshold wins outright), else of probability."""
    if thresholds is None:
        return np.argmax(prob, axis=1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(thresholds > 0, prob / np.where(thresholds > 0, thresholds, 1.0), np.inf)
    return np.argmax(scaled, axis=1).astype(np.float64)


class _NBKernel:
    """Per-partition kernel: one output column (raw, probability or prediction) of the model."""

    def __init__(self, model: "NaiveBayesModel", what: str):
        self.model_type = model.getOrDefault("modelType")
        self.pi = model.pi.toArray()
        self.theta = model.theta.toArray()
        self.sigma = model.sigma.toArray() if self.model_type == "gaussian" else None
        self.thresholds = np.asarray(model.getOrDefault("thresholds"), float) \
            if model.isSet("thresholds") else None
        self.what, self.who = what, f"NaiveBayesModel ({model.uid})"
        self.col = model.getFeaturesCol()

    def compute(self, arr: pa.StructArray) -> np.ndarray:
        X = to_matrix(arr, size=self.theta.shape[1])
        check_features(self.model_type, X, self.who, self.col, lambda i: _row_text(arr, i))
        return self.outputs(raw_scores(self.model_type, X, self.pi, self.theta, self.sigma))

    def outputs(self, raw: np.ndarray) -> np.ndarray:
        if self.what == "raw":
            return raw
        prob = probabilities(raw)
        return prob if self.what == "probability" else predictions(prob, self.thresholds)

    def __call__(self, features: Any) -> pa.Array:
        arr, mask = valid_rows(features)  # null vectors give null outputs
        out = with_null_rows(self.compute(arr), mask)
        if self.what == "prediction":
            return pa.array(out, type=pa.float64(), mask=mask)
        return dense_to_arrow(out, mask)


class _NBDenseKernel(_NBKernel):
    """The same output column computed from a VectorAssembler's numeric inputs (a
    ``DenseInputs``), without the assembled vectors: what ``PipelineModel.transform`` uses when
    the assembler sits before this model (the assembled rows are never null)."""

    def __init__(self, model: "NaiveBayesModel", what: str, dense: Any):
        super().__init__(model, what)
        self.dense = dense

    def __call__(self, *cols: Any) -> pa.Array:
        X = self.dense.matrix(list(cols))
        check_features(self.model_type, X, self.who, self.col,
                       lambda i: self.dense.row_text(X, i))
        out = self.outputs(raw_scores(self.model_type, X, self.pi, self.theta, self.sigma,
                                      in_row_order=True))
        if self.what == "prediction":
            return pa.array(out, type=pa.float64())
        return dense_to_arrow(out)


class NaiveBayesModel(Model, _NaiveBayesParams):
    """A fitted NaiveBayes: log priors ``pi``, ``theta`` (log likelihoods, or means for
    gaussian) and ``sigma`` (variances for gaussian, else an empty matrix)."""

    def __init__(self, pi: DenseVector | None = None, theta: Matrix | None = None,
                 sigma: Matrix | None = None):
        super().__init__()
        self.pi, self.theta, self.sigma = pi, theta, sigma

    def _init_loaded(self) -> None:
        self.pi = self.theta = self.sigma = None

    @property
    def numClasses(self) -> int:
        return len(self.pi)

    @property
    def numFeatures(self) -> int:
        return self.theta.numCols

    def __repr__(self) -> str:
        return model_string(self, [("modelType", self.getOrDefault("modelType")),
                                   ("numClasses", self.numClasses),
                                   ("numFeatures", self.numFeatures)])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        return classifier_columns(self, dataset, lambda what: _NBKernel(self, what))

    def _transform_dense(self, dataset: Any, dense: Any) -> Any:
        """``transform`` with the features read as a dense matrix from the inputs of the
        VectorAssembler that wrote them (``PipelineModel`` calls it; see ``DenseInputs``);
        None when their number is not the model's (``transform`` then raises as it should)."""
        if len(dense.inputs) != self.numFeatures:
            return None
        self.transformSchema(dataset.schema)
        return classifier_columns(self, dataset, lambda what: _NBDenseKernel(self, what, dense),
                                  inputs=dense.inputs)

    # single rows, as Spark's model offers them
    def _one(self, vector: Vector, what: str) -> np.ndarray:
        arr = as_struct_array(vectors_to_arrow([vector]))
        return _NBKernel(self, what).compute(arr)[0]

    def predictRaw(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "raw"))

    def predictProbability(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "probability"))

    def predict(self, value: Vector) -> float:
        return float(self._one(value, "prediction"))

    def to_sklearn(self) -> Any:
        """The fitted model as the scikit-learn estimator of its type (MultinomialNB,
        ComplementNB, BernoulliNB or GaussianNB) over a dense feature matrix, with the same
        predictions and probabilities (classes are the class indices)."""
        from ._naive_bayes_sklearn import to_sklearn
        return to_sklearn(self)

    # persistence: Spark's data columns pi, theta, sigma
    def _save_data(self) -> pa.Table:
        udt = MatrixUDT()
        mtype = T.to_arrow(udt.sqlType())
        rows = {k: [udt.serialize(m)] for k, m in (("theta", self.theta), ("sigma", self.sigma))}
        return pa.table({"pi": vectors_to_arrow([self.pi]),
                         **{k: pa.array(v, type=mtype) for k, v in rows.items()}})

    def _load_data(self, table: pa.Table) -> None:
        udt = MatrixUDT()
        self.pi = VectorUDT().deserialize(table.column("pi")[0].as_py())
        # the flag prints as 0/1 in PySpark's matrices of a model (see compressed_matrix)
        self.theta, self.sigma = (
            udt.deserialize(dict(d, isTransposed=int(d["isTransposed"])))
            for d in (table.column(c)[0].as_py() for c in ("theta", "sigma")))
