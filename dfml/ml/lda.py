"""LDA and its fitted model (``pyspark.ml.clustering``), with Spark's online variational Bayes
optimizer only: ``optimizer='em'`` raises NotImplementedError (Spark's EM optimizer builds a
distributed graph of documents and terms, which dfml does not have).

The fit reads its term-count vectors once into blocks kept on the workers; each iteration is
one tree-merged pass over a sample of them (see ``_lda``). ``LDAModel`` here is Spark's
``LocalLDAModel``: topics as a (k x vocabulary) matrix of variational parameters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._kmeans import block_sizes, features_matrix, point_blocks, tree_sum
from ._lda import (GAMMA_SHAPE, bound, doc_terms, dirichlet_expectation, doc_bounds, infer_doc,
                   minibatch_stats, update_alpha)
from ._linear import check_ranges
from .base import Estimator, Model, model_string, partition_column, require_absent, \
    require_column
from .linalg import DenseMatrix, DenseVector, VectorUDT, dense_to_arrow
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import HasFeaturesCol, HasMaxIter, HasSeed

__all__ = ["LDA", "LDAModel", "LocalLDAModel"]


class _LDAParams(HasMaxIter, HasFeaturesCol, HasSeed):
    k = Param(Params._dummy(), "k", "The number of topics (clusters) to infer. Must be > 1.",
              TC.toInt)
    optimizer = Param(Params._dummy(), "optimizer", "Optimizer or inference algorithm used to "
                      "estimate the LDA model. Supported: online, em", TC.toString)
    learningOffset = Param(Params._dummy(), "learningOffset", "A (positive) learning parameter "
                           "that downweights early iterations.", TC.toFloat)
    learningDecay = Param(Params._dummy(), "learningDecay", "Learning rate, set as an "
                          "exponential decay rate, in (0.5, 1.0].", TC.toFloat)
    subsamplingRate = Param(Params._dummy(), "subsamplingRate", "Fraction of the corpus to be "
                            "sampled and used in each iteration, in (0, 1].", TC.toFloat)
    optimizeDocConcentration = Param(Params._dummy(), "optimizeDocConcentration",
                                     "Whether docConcentration is optimized during training.",
                                     TC.toBoolean)
    docConcentration = Param(Params._dummy(), "docConcentration", "Concentration parameter "
                             "(alpha) for the prior placed on documents' distributions over "
                             "topics.", TC.toListFloat)
    topicConcentration = Param(Params._dummy(), "topicConcentration", "Concentration parameter "
                               "(beta) for the prior placed on topics' distributions over "
                               "terms.", TC.toFloat)
    topicDistributionCol = Param(Params._dummy(), "topicDistributionCol", "Output column with "
                                 "estimates of the topic mixture distribution for each "
                                 "document.", TC.toString)
    keepLastCheckpoint = Param(Params._dummy(), "keepLastCheckpoint", "(For EM optimizer) keep "
                               "the last checkpoint.", TC.toBoolean)
    checkpointInterval = Param(Params._dummy(), "checkpointInterval", "checkpoint interval "
                               "(>= 1) or -1 to disable (kept for Spark compatibility).",
                               TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxIter=20, checkpointInterval=10, k=10, optimizer="online",
                         learningOffset=1024.0, learningDecay=0.51, subsamplingRate=0.05,
                         optimizeDocConcentration=True, topicDistributionCol="topicDistribution",
                         keepLastCheckpoint=True)

    _RANGES = [("k", lambda v: v > 1, "> 1"), ("maxIter", lambda v: v >= 0, ">= 0"),
               ("optimizer", lambda v: v.lower() in ("online", "em"), "'online' or 'em'"),
               ("learningOffset", lambda v: v > 0, "> 0"),
               ("learningDecay", lambda v: v > 0, "> 0"),
               ("subsamplingRate", lambda v: 0 < v <= 1, "in (0, 1]"),
               ("topicConcentration", lambda v: v >= 0, ">= 0")]

    def getK(self) -> int:
        return self.getOrDefault("k")

    def getOptimizer(self) -> str:
        return self.getOrDefault("optimizer")

    def getLearningOffset(self) -> float:
        return self.getOrDefault("learningOffset")

    def getLearningDecay(self) -> float:
        return self.getOrDefault("learningDecay")

    def getSubsamplingRate(self) -> float:
        return self.getOrDefault("subsamplingRate")

    def getOptimizeDocConcentration(self) -> bool:
        return self.getOrDefault("optimizeDocConcentration")

    def getDocConcentration(self) -> list[float]:
        return self.getOrDefault("docConcentration")

    def getTopicConcentration(self) -> float:
        return self.getOrDefault("topicConcentration")

    def getTopicDistributionCol(self) -> str:
        return self.getOrDefault("topicDistributionCol")

    def _output_schema(self, schema: T.StructType) -> T.StructType:
        require_column(schema, self.getFeaturesCol(), (VectorUDT,), self,
                       "a vector of term counts")
        col = self.getTopicDistributionCol()
        require_absent(schema, col, self)
        return T.StructType(schema.fields + [T.StructField(col, VectorUDT(), True)])


class LDA(Estimator, _LDAParams):
    """Latent Dirichlet allocation by online variational Bayes on term-count vectors."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", maxIter: int = 20,
                 seed: int | None = None, checkpointInterval: int = 10, k: int = 10,
                 optimizer: str = "online", learningOffset: float = 1024.0,
                 learningDecay: float = 0.51, subsamplingRate: float = 0.05,
                 optimizeDocConcentration: bool = True, docConcentration: Any = None,
                 topicConcentration: float | None = None,
                 topicDistributionCol: str = "topicDistribution",
                 keepLastCheckpoint: bool = True):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", maxIter: int = 20,
                  seed: int | None = None, checkpointInterval: int = 10, k: int = 10,
                  optimizer: str = "online", learningOffset: float = 1024.0,
                  learningDecay: float = 0.51, subsamplingRate: float = 0.05,
                  optimizeDocConcentration: bool = True, docConcentration: Any = None,
                  topicConcentration: float | None = None,
                  topicDistributionCol: str = "topicDistribution",
                  keepLastCheckpoint: bool = True) -> "LDA":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        check_ranges(self, self._RANGES)
        if self.getOptimizer().lower() == "em":
            raise NotImplementedError(
                f"LDA ({self.uid}): optimizer='em' is not implemented in dfml (Spark's EM "
                f"optimizer trains on a distributed document-term graph); use "
                f"optimizer='online'")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema)

    def _alpha(self, k: int) -> np.ndarray:
        if not self.isDefined("docConcentration") or self.getDocConcentration() is None:
            return np.full(k, 1.0 / k)
        a = np.asarray(self.getDocConcentration(), dtype=np.float64)
        if len(a) == 1:
            a = np.full(k, a[0])
        if len(a) != k or (a < 0).any():
            raise IllegalArgumentException(
                f"LDA ({self.uid}): docConcentration must hold 1 or k={k} values >= 0, got "
                f"{self.getDocConcentration()}")
        return np.where(a == 0, 1.0 / k, a)  # Spark reads an unset (0) value as "auto"

    def _fit(self, dataset: Any) -> "LocalLDAModel":
        stage = f"LDA ({self.uid})"
        k = self.getK()
        eta = self.getTopicConcentration() if self.isDefined("topicConcentration") and \
            self.getTopicConcentration() is not None and self.getTopicConcentration() > 0 \
            else 1.0 / k
        alpha, seed = self._alpha(k), int(self.getSeed())
        with point_blocks(dataset, self.getFeaturesCol(), None, False, stage) as blocks:
            n_docs = sum(block_sizes(blocks))
            if n_docs == 0:
                raise SparkException(f"{stage}: the input has no rows to fit on")
            V = blocks._client.submit(lambda b: b.X.shape[1], blocks.futures[0]).result()
            rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
            lam = rng.gamma(GAMMA_SHAPE, 1.0 / GAMMA_SHAPE, size=(k, V))
            for it in range(1, self.getMaxIter() + 1):
                exp_elog_beta = np.exp(dirichlet_expectation(lam))
                res = _per_block(blocks, minibatch_stats, exp_elog_beta, alpha,
                                 self.getSubsamplingRate(), seed + it)
                if res is None or res[2] == 0:
                    continue
                sstats, logphat, used = res
                rho = (self.getLearningOffset() + it) ** (-self.getLearningDecay())
                batch = sstats * exp_elog_beta
                lam = (1 - rho) * lam + rho * (eta + batch * (n_docs / used))
                if self.getOptimizeDocConcentration():
                    alpha = update_alpha(alpha, logphat / used, used, rho)
        return self._copyValues(LocalLDAModel(lam, alpha, eta, seed))


def _per_block(blocks: Any, kernel: Any, *args: Any) -> Any:
    """``kernel(block, *args, seed ^ block number)`` merged over blocks (a distinct random
    stream per block)."""
    *fixed, seed = args
    client = blocks._client
    n = len(blocks.futures)
    futs = client.map(kernel, blocks.futures, *[[a] * n for a in fixed],
                      [int(seed) * 1000003 + i for i in range(n)], pure=False)
    parts = [p for p in client.gather(futs) if p is not None]
    if not parts:
        return None
    return tuple(sum(xs) for xs in zip(*parts))


class _Topics:
    """Per-partition kernel: each document's topic distribution (zeros for an empty one)."""

    def __init__(self, model: "LocalLDAModel"):
        self.beta = np.exp(dirichlet_expectation(model._lambda))
        self.alpha, self.seed = model._alpha, model._seed
        self.col = model.getFeaturesCol()
        self.stage = f"LocalLDAModel ({model.uid})"

    def __call__(self, features: Any) -> pa.Array:
        X = features_matrix(features, self.col, self.stage)
        k, V = self.beta.shape
        if X.shape[0] and X.shape[1] != V:
            raise SparkException(f"{self.stage}: column `{self.col}` holds vectors of size "
                                 f"{X.shape[1]}, but the vocabulary has {V} terms")
        rng = np.random.default_rng(self.seed & 0xFFFFFFFFFFFFFFFF)
        out = np.zeros((X.shape[0], k))
        for i in range(X.shape[0]):
            ids, cts = doc_terms(X, i)
            if len(ids):
                gamma, _, _ = infer_doc(ids, cts, self.beta, self.alpha, rng)
                out[i] = gamma / gamma.sum()
        return dense_to_arrow(out)


class LocalLDAModel(Model, _LDAParams):
    """A fitted LDA (Spark's LocalLDAModel): topics' variational parameters (k x vocabulary),
    the document concentration the fit ended with, and the topic concentration."""

    def __init__(self, lam: Any = None, alpha: Any = None, eta: float = 0.0, seed: int = 0):
        super().__init__()
        self._lambda = np.asarray(lam if lam is not None else np.zeros((0, 0)), np.float64)
        self._alpha = np.asarray(alpha if alpha is not None else [], np.float64)
        self._eta, self._seed = float(eta), int(seed)

    def _init_loaded(self) -> None:
        self._lambda, self._alpha, self._eta, self._seed = np.zeros((0, 0)), np.zeros(0), 0.0, 0

    def setFeaturesCol(self, value: str) -> "LocalLDAModel":
        return self._set(featuresCol=value)

    def setSeed(self, value: int) -> "LocalLDAModel":
        return self._set(seed=value)

    def setTopicDistributionCol(self, value: str) -> "LocalLDAModel":
        return self._set(topicDistributionCol=value)

    def isDistributed(self) -> bool:
        return False

    def vocabSize(self) -> int:
        return int(self._lambda.shape[1])

    def topicsMatrix(self) -> DenseMatrix:
        """vocabulary x k: column j holds topic j's variational parameters per term."""
        V, k = self._lambda.shape[1], self._lambda.shape[0]
        return DenseMatrix(V, k, self._lambda.T.reshape(-1, order="F"), False)

    def estimatedDocConcentration(self) -> DenseVector:
        return DenseVector(self._alpha)

    def describeTopics(self, maxTermsPerTopic: int = 10) -> Any:
        """Per topic: its most weighted terms (index, weight in the topic's normalized
        distribution), heaviest first."""
        from ..sql import SparkSession
        session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        topics = self._lambda / self._lambda.sum(axis=1, keepdims=True)
        rows = []
        for j, t in enumerate(topics):
            top = np.argsort(-t, kind="stable")[:maxTermsPerTopic]
            rows.append((j, [int(i) for i in top], [float(t[i]) for i in top]))
        schema = T.StructType([T.StructField("topic", T.IntegerType(), False),
                               T.StructField("termIndices", T.ArrayType(T.IntegerType()), True),
                               T.StructField("termWeights", T.ArrayType(T.DoubleType()), True)])
        return session.createDataFrame(rows, schema)

    def _bound(self, dataset: Any) -> tuple[float, float]:
        stage = f"LocalLDAModel ({self.uid})"
        require_column(dataset.schema, self.getFeaturesCol(), (VectorUDT,), self, "a vector")
        with point_blocks(dataset, self.getFeaturesCol(), None, False, stage) as blocks:
            parts = tree_sum(blocks, doc_bounds, self._lambda, self._alpha, self._seed)
        return bound(parts, self._lambda, self._eta)

    def logLikelihood(self, dataset: Any) -> float:
        """The variational lower bound on the log-likelihood of the documents (including the
        prior on the topics, as Spark)."""
        return self._bound(dataset)[0]

    def logPerplexity(self, dataset: Any) -> float:
        """The negated bound per token: lower is better."""
        ll, tokens = self._bound(dataset)
        return -ll / tokens

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema)

    def _transform(self, dataset: Any) -> Any:
        col = partition_column("LDAModel.topicDistribution", [self.getFeaturesCol()],
                               _Topics(self), VectorUDT())
        return dataset.withColumn(self.getTopicDistributionCol(), col)

    def __repr__(self) -> str:
        return model_string(self, [("k", self._lambda.shape[0]),
                                   ("numFeatures", self.vocabSize())])

    __str__ = __repr__

    # persistence: one row (vocabSize, topicsMatrix, docConcentration, topicConcentration,
    # gammaShape), the columns of Spark's LocalLDAModel data
    def _save_data(self) -> pa.Table:
        from .linalg import MatrixUDT, vectors_to_arrow
        udt = MatrixUDT()
        return pa.table({
            "vocabSize": pa.array([self.vocabSize()], pa.int32()),
            "topicsMatrix": pa.array([udt.serialize(self.topicsMatrix())],
                                     type=T.to_arrow(udt.sqlType())),
            "docConcentration": vectors_to_arrow([DenseVector(self._alpha)]),
            "topicConcentration": pa.array([self._eta], pa.float64()),
            "gammaShape": pa.array([GAMMA_SHAPE], pa.float64())})

    def _load_data(self, table: pa.Table) -> None:
        from .linalg import MatrixUDT
        row = table.to_pylist()[0]
        self._lambda = np.asarray(MatrixUDT().deserialize(row["topicsMatrix"]).toArray()).T
        self._alpha = np.asarray(VectorUDT().deserialize(row["docConcentration"]).toArray())
        self._eta = float(row["topicConcentration"])
        self._seed = int(self.getSeed())


# Spark's base class of the two LDA models; dfml has the local one only
LDAModel = LocalLDAModel
