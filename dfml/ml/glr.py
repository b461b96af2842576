"""GeneralizedLinearRegression: gaussian, binomial, poisson, gamma and tweedie models by IRLS.

The fit reads its input once into blocks on the workers and then runs Spark's IRLS there (see
``_glr_irls``): one aggregation pass per iteration, a small ridge solve on the client. A
gaussian model with the identity link is one weighted least-squares solve, as in Spark. The
training summary's figures (deviance, null deviance, Pearson dispersion, AIC) are summed in one
more pass over the same blocks before they are released, so asking for them costs nothing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._glr_family import Family, Link, UnsupportedOperation, family_and_link
from ._glr_irls import build_blocks, gaussian_gram, irls, summary_sums, wls
from ._linear import HoldsSummary, check_ranges, require_training_columns, valid_rows
from .base import Estimator, Model, model_string, partition_column, require_absent, require_column
from .linalg import DenseVector, Vector, VectorUDT, compressed_vector, to_matrix, vectors_to_arrow
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasAggregationDepth, HasFeaturesCol, HasFitIntercept, HasLabelCol,
                           HasMaxIter, HasPredictionCol, HasRegParam, HasSolver, HasTol,
                           HasWeightCol)

__all__ = ["GeneralizedLinearRegression", "GeneralizedLinearRegressionModel",
           "GeneralizedLinearRegressionSummary", "GeneralizedLinearRegressionTrainingSummary"]

MAX_FEATURES = 4096  # Spark's weighted least squares limit


class _GLRParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasFitIntercept, HasMaxIter,
                 HasTol, HasRegParam, HasWeightCol, HasSolver, HasAggregationDepth):
    family = Param(Params._dummy(), "family", "the error distribution: gaussian (default), "
                   "binomial, poisson, gamma or tweedie", TC.toString)
    link = Param(Params._dummy(), "link", "the link function: identity, log, inverse, logit, "
                 "probit, cloglog or sqrt (tweedie uses linkPower)", TC.toString)
    linkPredictionCol = Param(Params._dummy(), "linkPredictionCol", "link prediction (linear "
                              "predictor) column name", TC.toString)
    variancePower = Param(Params._dummy(), "variancePower", "the tweedie variance power: 0 or "
                          ">= 1", TC.toFloat)
    linkPower = Param(Params._dummy(), "linkPower", "the tweedie power link's index (default "
                      "1 - variancePower)", TC.toFloat)
    offsetCol = Param(Params._dummy(), "offsetCol", "the offset column; unset or empty means "
                      "offsets of 0", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(family="gaussian", maxIter=25, tol=1e-6, regParam=0.0, solver="irls",
                         variancePower=0.0, aggregationDepth=2)

    def _check_params(self) -> tuple[Family, Link]:
        name = f"{type(self).__name__} ({self.uid})"
        check_ranges(self, [("maxIter", lambda v: v >= 0, ">= 0"),
                            ("regParam", lambda v: v >= 0, ">= 0"),
                            ("tol", lambda v: v >= 0, ">= 0"),
                            ("aggregationDepth", lambda v: v >= 2, ">= 2")])
        if self.getOrDefault("solver").lower() != "irls":
            raise IllegalArgumentException(f"{name}: solver must be irls, got "
                                           f"{self.getOrDefault('solver')!r}")
        return family_and_link(self)

    def _opt_col(self, param: str) -> str | None:
        return (self.getOrDefault(param) or None) if self.isDefined(param) else None

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_training_columns(self, schema, fitting)
        offset = self._opt_col("offsetCol")
        if offset and (fitting or offset in schema.names):
            require_column(schema, offset, (T.NumericType,), self, "numeric")
        fields = list(schema.fields)
        for col in (self.getPredictionCol(), self._opt_col("linkPredictionCol")):
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, T.DoubleType(), True))
        return T.StructType(fields)


class GeneralizedLinearRegression(Estimator, _GLRParams):
    """A generalized linear model fitted by iteratively reweighted least squares, as Spark's."""

    @keyword_only
    def __init__(self, *, labelCol: str = "label", featuresCol: str = "features",
                 predictionCol: str = "prediction", family: str = "gaussian",
                 link: str | None = None, fitIntercept: bool = True, maxIter: int = 25,
                 tol: float = 1e-6, regParam: float = 0.0, weightCol: str | None = None,
                 solver: str = "irls", linkPredictionCol: str | None = None,
                 variancePower: float = 0.0, linkPower: float | None = None,
                 offsetCol: str | None = None, aggregationDepth: int = 2):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, labelCol: str = "label", featuresCol: str = "features",
                  predictionCol: str = "prediction", family: str = "gaussian",
                  link: str | None = None, fitIntercept: bool = True, maxIter: int = 25,
                  tol: float = 1e-6, regParam: float = 0.0, weightCol: str | None = None,
                  solver: str = "irls", linkPredictionCol: str | None = None,
                  variancePower: float = 0.0, linkPower: float | None = None,
                  offsetCol: str | None = None,
                  aggregationDepth: int = 2) -> "GeneralizedLinearRegression":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit(self, dataset: Any) -> "GeneralizedLinearRegressionModel":
        family, link = self._check_params()
        stage = f"GeneralizedLinearRegression ({self.uid})"
        weight, offset = self._opt_col("weightCol"), self._opt_col("offsetCol")
        fit_intercept, reg = self.getFitIntercept(), float(self.getRegParam())
        with build_blocks(dataset, self.getFeaturesCol(), self.getLabelCol(), weight, offset,
                          stage) as blocks:
            first = blocks.map(_num_features)
            if not first:
                raise SparkException(f"{stage}: the input has no rows to fit on")
            d = first[0]
            if d > MAX_FEATURES:
                raise IllegalArgumentException(
                    f"{stage}: column `{self.getFeaturesCol()}` has {d} features; "
                    f"GeneralizedLinearRegression (IRLS) supports at most {MAX_FEATURES}")
            if family.name == "gaussian" and link.name == "identity":
                G, wy = blocks.map_sum(gaussian_gram)
                beta, b0, diag = wls(G, d, fit_intercept, reg, standardize=True)
                fit = {"beta": beta, "b0": b0, "diag": diag, "iterations": 1, "wy": wy,
                       "W": float(G[-1, -1])}
            else:
                fit = irls(blocks, family, link, d, fit_intercept, reg, self.getMaxIter(),
                           self.getTol())
            null_b0 = 0.0
            if fit_intercept:
                if offset is None or (family.name == "gaussian" and link.name == "identity"):
                    null_b0 = float(link.link(np.array(fit["wy"] / fit["W"])))
                else:  # Spark fits an intercept-only model with the same params
                    null_b0 = irls(blocks, family, link, d, True, reg, self.getMaxIter(),
                                   self.getTol(), use_features=False)["b0"]
            sums = blocks.map_sum(summary_sums, family, link, fit["beta"], fit["b0"], null_b0)
        model = self._copyValues(GeneralizedLinearRegressionModel(
            compressed_vector(fit["beta"]), float(fit["b0"])))
        model._summary = GeneralizedLinearRegressionTrainingSummary(
            model, dataset, summary_figures(sums, family, d, fit_intercept), fit["diag"],
            fit["iterations"])
        return model


def _num_features(b: Any) -> Any:
    return int(b.X.shape[1]) if b.n else None


def summary_figures(sums: tuple, family: Family, d: int, fit_intercept: bool) -> dict:
    """The summary's numbers from ``summary_sums`` totals."""
    n, W, dev, null_dev, pearson, a1, a2, a3 = sums
    rank = d + (1 if fit_intercept else 0)
    dof = n - rank
    fig = {"numInstances": int(n), "weightSum": W, "deviance": dev, "nullDeviance": null_dev,
           "pearson": pearson, "rank": rank, "degreesOfFreedom": int(dof),
           "residualDegreeOfFreedomNull": int(n - 1 if fit_intercept else n)}
    if family.name == "gaussian":
        aic = family.aic(a1, dev, n)
    elif family.name in ("binomial", "poisson"):
        aic = a1
    elif family.name == "gamma":
        disp = dev / W
        shape = 1.0 / disp
        # sum_i w_i log Gamma(y_i; shape, mu_i * disp), expanded into the sums of the pass
        from scipy.special import gammaln
        lp = ((shape - 1.0) * a1 - a2 / disp - W * float(gammaln(shape))
              - shape * (a3 + W * math.log(disp)))
        aic = -2.0 * lp + 2.0
    else:
        aic = None
    fig["aic"] = None if aic is None else aic + 2 * rank
    return fig


# ----------------------------------------------------------------------- model

class _Predict:
    """Per-partition kernel: the fitted mean (or, with ``link=True``, the linear predictor)."""

    def __init__(self, family: Family, link: Link, beta: np.ndarray, b0: float, as_link: bool):
        self.family, self.link, self.beta, self.b0, self.as_link = family, link, beta, b0, as_link

    def __call__(self, features: Any, offset: Any) -> pa.Array:
        arr, mask = valid_rows(features)
        o = as_floats(offset, len(features))
        eta = np.asarray(to_matrix(arr, size=len(self.beta)) @ self.beta).reshape(-1) + self.b0
        full = np.zeros(len(o))
        valid = np.ones(len(o), dtype=bool) if mask is None else ~mask
        full[valid] = eta
        full = full + np.nan_to_num(o)
        out = full if self.as_link else self.family.project(self.link.unlink(full))
        null = ~valid | np.isnan(o)
        return pa.array(out, type=pa.float64(), mask=null if null.any() else None)


def as_floats(a: Any, n: int | None = None) -> np.ndarray:
    """A kernel input as float64 numbers; a literal (a scalar) repeated ``n`` times."""
    from ..sql._engine import arrow_array
    if not isinstance(a, (pa.Array, pa.ChunkedArray)) and np.ndim(a) == 0 and n is not None:
        return np.full(n, np.nan if a is None else float(a))
    return np.asarray(arrow_array(a).cast(pa.float64()).to_numpy(zero_copy_only=False),
                      dtype=float)


class GeneralizedLinearRegressionModel(HoldsSummary, Model, _GLRParams):
    """A fitted generalized linear model: ``coefficients`` and ``intercept``; it predicts the
    mean (``predictionCol``) and, if ``linkPredictionCol`` is set, the linear predictor."""

    def __init__(self, coefficients: DenseVector | None = None, intercept: float = 0.0):
        super().__init__()
        self.coefficients = coefficients
        self.intercept = intercept
        self._summary = None

    def _init_loaded(self) -> None:
        self.coefficients, self.intercept, self._summary = None, 0.0, None

    @property
    def numFeatures(self) -> int:
        return len(self.coefficients)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _offset_column(self, dataset: Any) -> Any:
        from ..sql import functions as F
        offset = self._opt_col("offsetCol")
        if offset and offset in dataset.columns:
            return F.col(offset).cast("double")
        return F.lit(0.0)

    def _transform(self, dataset: Any) -> Any:
        family, link = family_and_link(self)
        beta = self.coefficients.toArray()
        ins = [self.getFeaturesCol(), self._offset_column(dataset)]
        outs = {}
        lp = self._opt_col("linkPredictionCol")
        for col, as_link in ((self.getPredictionCol(), False), (lp, True)):
            if col:
                outs[col] = partition_column(
                    "GeneralizedLinearRegressionModel." + ("link" if as_link else "prediction"),
                    ins, _Predict(family, link, beta, float(self.intercept), as_link),
                    T.DoubleType())
        return dataset.withColumns(outs) if outs else dataset

    def predict(self, value: Vector) -> float:
        family, link = family_and_link(self)
        eta = float(np.asarray(value.toArray()) @ self.coefficients.toArray() + self.intercept)
        return float(family.project(link.unlink(np.array(eta))))

    def evaluate(self, dataset: Any) -> "GeneralizedLinearRegressionSummary":
        self.transformSchema(dataset.schema)
        return GeneralizedLinearRegressionSummary(self, dataset)

    def __repr__(self) -> str:
        family, link = family_and_link(self)
        return model_string(self, [("family", self.getOrDefault("family")),
                                   ("link", link.name if link.name != "power"
                                    else f"power({link.power})"),
                                   ("numFeatures", self.numFeatures)])

    def _save_data(self) -> pa.Table:
        return pa.table({"intercept": [float(self.intercept)],
                         "coefficients": vectors_to_arrow([self.coefficients])})

    def _load_data(self, table: pa.Table) -> None:
        self.intercept = float(table.column("intercept")[0].as_py())
        self.coefficients = compressed_vector(
            VectorUDT().deserialize(table.column("coefficients")[0].as_py()).toArray())


from ._glr_summary import (GeneralizedLinearRegressionSummary,  # noqa: E402
                           GeneralizedLinearRegressionTrainingSummary)
