"""Params many stages share, as mixins (names and defaults are Spark's; the words are ours)."""

from __future__ import annotations

from . import Param, Params, TypeConverters as TC

_D = Params._dummy()


class HasInputCol(Params):
    inputCol = Param(_D, "inputCol", "name of the column the stage reads", TC.toString)


class HasInputCols(Params):
    inputCols = Param(_D, "inputCols", "names of the columns the stage reads", TC.toListString)


class HasOutputCol(Params):
    outputCol = Param(_D, "outputCol", "name of the column the stage writes", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(outputCol=self.uid + "__output")


class HasOutputCols(Params):
    outputCols = Param(_D, "outputCols", "names of the columns the stage writes", TC.toListString)


class HasLabelCol(Params):
    labelCol = Param(_D, "labelCol", "name of the label column", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(labelCol="label")


class HasFeaturesCol(Params):
    featuresCol = Param(_D, "featuresCol", "name of the features (vector) column", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(featuresCol="features")


class HasPredictionCol(Params):
    predictionCol = Param(_D, "predictionCol", "name of the prediction column", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(predictionCol="prediction")


class HasProbabilityCol(Params):
    probabilityCol = Param(_D, "probabilityCol",
                           "name of the column of class probabilities (a vector)", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(probabilityCol="probability")


class HasRawPredictionCol(Params):
    rawPredictionCol = Param(_D, "rawPredictionCol",
                             "name of the column of raw scores per class (a vector)", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(rawPredictionCol="rawPrediction")


class HasWeightCol(Params):
    weightCol = Param(_D, "weightCol", "name of the row weight column; unset means weight 1",
                      TC.toString)


class HasHandleInvalid(Params):
    handleInvalid = Param(_D, "handleInvalid", "what to do with invalid input rows", TC.toString)


class HasRegParam(Params):
    regParam = Param(_D, "regParam", "regularization strength (>= 0)", TC.toFloat)


class HasElasticNetParam(Params):
    elasticNetParam = Param(_D, "elasticNetParam",
                            "mix of L1 (1.0) and L2 (0.0) penalties, in [0, 1]", TC.toFloat)


class HasMaxIter(Params):
    maxIter = Param(_D, "maxIter", "maximum number of iterations (>= 0)", TC.toInt)


class HasTol(Params):
    tol = Param(_D, "tol", "convergence tolerance of the iterations (>= 0)", TC.toFloat)


class HasFitIntercept(Params):
    fitIntercept = Param(_D, "fitIntercept", "whether to fit an intercept term", TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(fitIntercept=True)


class HasStandardization(Params):
    standardization = Param(_D, "standardization",
                            "whether to scale features to unit variance before fitting",
                            TC.toBoolean)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(standardization=True)


class HasThreshold(Params):
    threshold = Param(_D, "threshold", "probability above which binary prediction is 1",
                      TC.toFloat)


class HasThresholds(Params):
    thresholds = Param(_D, "thresholds", "per-class thresholds for multiclass prediction",
                       TC.toListFloat)


class HasSeed(Params):
    seed = Param(_D, "seed", "random seed", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(seed=_java_string_hash(type(self).__name__))


class HasAggregationDepth(Params):
    aggregationDepth = Param(_D, "aggregationDepth", "depth of tree aggregation (>= 2)", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(aggregationDepth=2)


class HasRelativeError(Params):
    relativeError = Param(_D, "relativeError",
                          "target relative error of approximate quantiles, in [0, 1]", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(relativeError=0.001)


class HasSolver(Params):
    solver = Param(_D, "solver", "the optimization algorithm", TC.toString)


class HasMaxBlockSizeInMB(Params):
    maxBlockSizeInMB = Param(_D, "maxBlockSizeInMB", "size of stacked input blocks (0: auto)",
                             TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxBlockSizeInMB=0.0)


class HasNumFeatures(Params):
    numFeatures = Param(_D, "numFeatures", "number of features (> 0)", TC.toInt)


def _java_string_hash(s: str) -> int:
    """Java's String.hashCode, which Spark uses for default seeds."""
    h = 0
    for ch in s:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= (1 << 31) else h
