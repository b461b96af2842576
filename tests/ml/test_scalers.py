"""StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler: fitted values, output forms (dense
or sparse), the quantile sketch's bounds, fused fits, persistence and early errors."""

import math

import numpy as np
import pytest

from dfml.ml import Pipeline
from dfml.ml.feature import (MaxAbsScaler, MaxAbsScalerModel, MinMaxScaler, MinMaxScalerModel,
                             RobustScaler, RobustScalerModel, StandardScaler, StandardScalerModel,
                             VectorAssembler)
from dfml.ml.stats import sketch_capacity, sketch_merge, sketch_of, sketch_query
from dfml.ml.linalg import DenseVector, SparseVector, Vectors, VectorUDT
from dfml.sql import types as T
from dfml.sql.errors import AnalysisException

NAN = float("nan")


@pytest.fixture
def vecs(spark):
    """Dense and sparse rows mixed; feature 1 constant, feature 2 holds a NaN."""
    rows = [(0, Vectors.dense([1.0, 3.0, 5.0])), (1, Vectors.sparse(3, [0, 1], [3.0, 3.0])),
            (2, Vectors.dense([2.0, 3.0, NAN])), (3, Vectors.dense([4.0, 3.0, 7.0]))]
    return spark.createDataFrame(rows, ["id", "v"])


@pytest.fixture
def sparse(spark):
    rows = [(i, Vectors.sparse(4, [i % 4], [float(i + 1)])) for i in range(8)]
    return spark.createDataFrame(rows, ["id", "v"])


def _out(model, df):
    return [r.o for r in model.transform(df).orderBy("id").collect()]


def _same(a, b):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12, equal_nan=True)


# -- the quantile sketch ----------------------------------------------------------------------

def test_sketch_is_exact_while_small():
    """Below its capacity the sketch answers with the value of rank ceil(q * n), like Spark's
    summaries do on small data; q within relativeError of 0 or 1 is the min or max."""
    v = np.array([7.0, 1.0, 4.0, 2.0, 9.0, 3.0])
    sk = sketch_of(np.sort(v), sketch_capacity(0.001))
    s = np.sort(v)
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        assert sketch_query(sk, q, 0.001) == s[max(math.ceil(q * len(v)), 1) - 1]
    assert sketch_query(sk, 0.0, 0.001) == 1.0 and sketch_query(sk, 1.0, 0.001) == 9.0
    assert math.isnan(sketch_query(None, 0.5, 0.001))


def test_sketch_rank_error_within_relative_error():
    """Compressed and merged over many partials, the answer's rank stays within eps * n."""
    rng = np.random.default_rng(1)
    eps = 0.01
    cap = sketch_capacity(eps)
    data = rng.lognormal(size=60_000)
    parts = [sketch_of(np.sort(p), cap) for p in np.array_split(data, 40)]
    level = [sketch_merge(parts[i:i + 8], cap) for i in range(0, 40, 8)]
    sk = sketch_merge(level, cap)
    assert len(sk[0]) <= cap
    s = np.sort(data)
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        got = sketch_query(sk, q, eps)
        lo, hi = np.searchsorted(s, got, "left"), np.searchsorted(s, got, "right")
        target = math.ceil(q * len(s))
        assert lo - eps * len(s) <= target <= hi + eps * len(s)


def test_robust_scaler_quantiles_over_partitions(spark):
    """A multi-partition fit: median and range within the rank tolerance of the exact ones."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=4000)
    df = spark.createDataFrame([(i, Vectors.dense([float(v)])) for i, v in enumerate(x)],
                               ["id", "v"]).repartition(5)
    eps = 0.01
    m = RobustScaler(inputCol="v", outputCol="o", relativeError=eps).fit(df)
    s = np.sort(x)

    def rank_ok(value, q):
        lo, hi = np.searchsorted(s, value, "left"), np.searchsorted(s, value, "right")
        return lo - eps * len(s) <= math.ceil(q * len(s)) <= hi + eps * len(s)
    assert rank_ok(m.median[0], 0.5)
    assert abs(m.range[0] - (np.quantile(x, 0.75) - np.quantile(x, 0.25))) < 0.05


# -- fitted values and output forms -----------------------------------------------------------

def test_standard_scaler_modes(spark, vecs):
    """Sample std; a zero-variance feature scales to 0; NaN carries through; withMean gives
    dense rows, without it sparse rows stay sparse."""
    m = StandardScaler(inputCol="v", outputCol="o").fit(vecs)
    col0 = np.array([1.0, 3.0, 2.0, 4.0])
    assert _same(m.std.toArray()[:2], [col0.std(ddof=1), 0.0])
    assert math.isnan(m.std[2]) and _same(m.mean.toArray()[:2], [2.5, 3.0])
    out = _out(m, vecs)
    assert isinstance(out[1], SparseVector) and isinstance(out[0], DenseVector)
    assert _same([o[0] for o in out], col0 / col0.std(ddof=1))
    assert all(o[1] == 0.0 for o in out)
    both = _out(StandardScaler(inputCol="v", outputCol="o", withMean=True).fit(vecs), vecs)
    assert all(isinstance(o, DenseVector) for o in both)
    assert _same([o[0] for o in both], (col0 - 2.5) / col0.std(ddof=1))
    none = _out(StandardScaler(inputCol="v", outputCol="o", withStd=False).fit(vecs), vecs)
    assert _same(none[3].toArray(), [4.0, 3.0, 7.0])


def test_min_max_scaler(spark, vecs):
    """[min, max] onto [-1, 3]: a constant feature lands on the middle (1.0); NaN stays."""
    m = MinMaxScaler(inputCol="v", outputCol="o", min=-1.0, max=3.0).fit(vecs)
    assert _same(m.originalMin.toArray(), [1.0, 3.0, 0.0])  # the sparse row's implicit zero
    assert _same(m.originalMax.toArray(), [4.0, 3.0, 7.0])
    out = _out(m, vecs)
    assert all(isinstance(o, DenseVector) for o in out)
    assert _same(out[0].toArray(), [-1.0, 1.0, 5 / 7 * 4 - 1])
    assert _same(out[1].toArray(), [2 / 3 * 4 - 1, 1.0, -1.0])
    assert math.isnan(out[2][2])


def test_max_abs_scaler_keeps_each_row_form(spark, vecs, sparse):
    m = MaxAbsScaler(inputCol="v", outputCol="o").fit(vecs)
    assert _same(m.maxAbs.toArray(), [4.0, 3.0, 7.0])
    out = _out(m, vecs)
    assert isinstance(out[1], SparseVector) and isinstance(out[0], DenseVector)
    assert _same(out[1].toArray(), [0.75, 1.0, 0.0])
    s = MaxAbsScaler(inputCol="v", outputCol="o").fit(sparse)
    assert _same(s.maxAbs.toArray(), [5.0, 6.0, 7.0, 8.0])
    assert all(isinstance(o, SparseVector) for o in _out(s, sparse))


def test_robust_scaler(spark, sparse):
    """Medians and ranges of 8 rows, implicit zeros included; a zero range scales to 0."""
    m = RobustScaler(inputCol="v", outputCol="o").fit(sparse)
    # each feature: six zeros and two values -> median 0, q0.25 0, q0.75 0 -> range 0
    assert _same(m.median.toArray(), [0, 0, 0, 0]) and _same(m.range.toArray(), [0, 0, 0, 0])
    assert all(o.numNonzeros() == 0 or np.all(o.toArray() == 0) for o in _out(m, sparse))


def test_robust_scaler_centering(spark):
    rows = [(i, Vectors.dense([float(v), 2.0])) for i, v in enumerate([0, 1, 2, 4, 9, 10])]
    df = spark.createDataFrame(rows, ["id", "v"])
    m = RobustScaler(inputCol="v", outputCol="o", withCentering=True, lower=0.2, upper=0.8).fit(df)
    assert _same(m.median.toArray(), [2.0, 2.0])          # rank ceil(3) of 6
    assert _same(m.range.toArray(), [9.0 - 1.0, 0.0])     # ranks 5 and 2
    out = _out(m, df)
    assert _same(out[5].toArray(), [(10 - 2) / 8, 0.0])
    unscaled = RobustScaler(inputCol="v", outputCol="o", withScaling=False).fit(df)
    assert _same(_out(unscaled, df)[5].toArray(), [10.0, 2.0])


def test_null_vectors_pass_through(spark):
    schema = T.StructType([T.StructField("id", T.LongType()), T.StructField("v", VectorUDT())])
    df = spark.createDataFrame([(0, Vectors.dense([1.0])), (1, None), (2, Vectors.dense([3.0]))],
                               schema)
    for est in (MinMaxScaler, MaxAbsScaler, RobustScaler, StandardScaler):
        out = _out(est(inputCol="v", outputCol="o").fit(df), df)
        assert out[1] is None and out[0] is not None


# -- fused fit and persistence ----------------------------------------------------------------

def test_four_scalers_fit_in_one_pass(spark):
    df = spark.createDataFrame([(float(i), float(i * i % 5)) for i in range(30)], ["a", "b"])
    stages = [VectorAssembler(inputCols=["a", "b"], outputCol="raw")] + [
        cls(inputCol="raw", outputCol=f"o{k}")
        for k, cls in enumerate((StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler))]
    model = Pipeline(stages=stages).fit(df)
    assert model.fitPasses == 1
    alone = RobustScaler(inputCol="raw", outputCol="o").fit(stages[0].transform(df))
    assert _same(model.stages[4].median.toArray(), alone.median.toArray())


@pytest.mark.parametrize("est,cls", [
    (StandardScaler(withMean=True), StandardScalerModel), (MinMaxScaler(min=2.0, max=5.0),
                                                           MinMaxScalerModel),
    (MaxAbsScaler(), MaxAbsScalerModel),
    (RobustScaler(withCentering=True, lower=0.1, upper=0.9), RobustScalerModel)])
def test_round_trip(spark, vecs, tmp_path, est, cls):
    model = est.setInputCol("v").setOutputCol("o").fit(vecs)
    path = str(tmp_path / "m")
    model.write().overwrite().save(path)
    loaded = cls.load(path)
    assert loaded.uid == model.uid and loaded.extractParamMap() == model.extractParamMap()
    for a, b in zip(_out(loaded, vecs), _out(model, vecs)):
        assert type(a) is type(b) and _same(a.toArray(), b.toArray())


# -- errors before any work -------------------------------------------------------------------

@pytest.mark.parametrize("est", [StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler])
def test_unknown_and_mistyped_columns(spark, graphs, vecs, est):
    n = graphs()
    with pytest.raises(AnalysisException, match="Did you mean `v`"):
        est(inputCol="vv", outputCol="o").fit(vecs)
    with pytest.raises(TypeError, match="must be a vector"):
        est(inputCol="id", outputCol="o").fit(vecs)
    with pytest.raises(ValueError, match="already exists"):
        est(inputCol="v", outputCol="id").fit(vecs)
    assert n.count == 0


@pytest.mark.parametrize("est,match", [
    (MinMaxScaler(min=1.0, max=1.0), "min"), (MinMaxScaler(min=2.0, max=1.0), "min"),
    (RobustScaler(lower=0.8, upper=0.2), "lower"), (RobustScaler(lower=0.5, upper=0.5), "lower"),
    (RobustScaler(upper=1.5), r"\[0, 1\]"), (RobustScaler(relativeError=-0.1), "relativeError")])
def test_bad_params(spark, graphs, vecs, est, match):
    n = graphs()
    with pytest.raises(ValueError, match=match):
        est.setInputCol("v").setOutputCol("o").fit(vecs)
    assert n.count == 0


def test_defaults_match_spark():
    r = RobustScaler()
    assert (r.getLower(), r.getUpper(), r.getWithCentering(), r.getWithScaling(),
            r.getRelativeError()) == (0.25, 0.75, False, True, 0.001)
    m = MinMaxScaler()
    assert (m.getMin(), m.getMax()) == (0.0, 1.0)
    s = StandardScaler()
    assert (s.getWithMean(), s.getWithStd()) == (False, True)


def test_sparse_variance_is_accurate_far_from_zero(spark):
    """Sparse rows (every entry stored) whose values sit near 1e6 with spread 1: the sample
    std matches numpy's to 1e-9 (a sum-of-squares formula loses most digits here)."""
    rng = np.random.default_rng(4)
    d = np.round(rng.normal(size=(60, 3)), 4) + 1e6
    rows = [(i, Vectors.sparse(3, [int(j) for j in np.flatnonzero(r)], r[r != 0].tolist()))
            for i, r in enumerate(d)]
    df = spark.createDataFrame(rows, ["id", "v"]).repartition(3)
    m = StandardScaler(inputCol="v", outputCol="o").fit(df)
    assert np.allclose(m.std.toArray(), d.std(axis=0, ddof=1), rtol=1e-9, atol=0)
    assert np.allclose(m.mean.toArray(), d.mean(axis=0), rtol=1e-12, atol=0)
