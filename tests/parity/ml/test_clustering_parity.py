"""KMeans and ClusteringEvaluator through dfml and real PySpark on the same rows.

PySpark 4.3's KMeans has no initialModel param, and the two seed different random generators,
so the initial centers differ; the inputs are therefore groups far apart (with repeated rows),
where both must end at the same centers (the group means) with the same trainingCost, sizes and
grouping of the rows. Cluster numbering depends on the initial centers, so the rows are
compared by the center they were assigned, and the shown output after numbering the clusters
in the order of their centers. Spark's own rules on small inputs (fewer distinct points than k,
maxIter 0) and its error messages are compared as they are. ClusteringEvaluator gets the same
predictions in both and must agree to 1e-6 (weighted or not, both distances, a cluster of one).
"""

from __future__ import annotations

import numpy as np
import pytest

import dfml.ml.clustering as DC
import dfml.ml.evaluation as DE
from dfml.ml.linalg import Vectors as DV
from dfml.sql import functions as DF

from tests.parity.ml.test_show_text_parity import same_text


GROUPS = np.array([[20.0, 1.0, 0.5], [-1.0, 25.0, 2.0], [3.0, -2.0, 30.0], [-20.0, -18.0, 1.0]])


def _rows(seed: int, weighted: bool, groups: int = 4) -> list[tuple]:
    """(id, x, y, z, w): groups far apart in position and in direction, small spread, a few
    repeated rows."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(12 * groups):
        p = GROUPS[i % groups] + np.round(rng.normal(scale=0.7, size=3), 4)
        out.append((i, *[float(v) for v in p], float(1 + i % 3) if weighted else 1.0))
    out += [(100 + j, *out[j][1:]) for j in range(3)]  # repeats
    return out


def _frames(spark, pyspark, rows, sparse=False):
    from pyspark.ml.linalg import Vectors as PV

    def make(V):
        def vec(p):
            if sparse:
                return V.sparse(3, {j: v for j, v in enumerate(p) if v != 0.0})
            return V.dense(list(p))
        return [(r[0], vec(r[1:4]), r[4]) for r in rows]
    return (spark.createDataFrame(make(DV), ["id", "features", "w"]),
            pyspark.createDataFrame(make(PV), ["id", "features", "w"]))


def _centers_by_row(model, df):
    """id -> the center the row was assigned (numbering-free view of the predictions)."""
    centers = model.clusterCenters()
    return {r.id: tuple(np.asarray(centers[r.prediction], float))
            for r in model.transform(df).select("id", "prediction").collect()}


def _sorted_centers(model):
    return np.array(sorted(tuple(c) for c in model.clusterCenters()))


def _separates(model, groups: int) -> bool:
    """Every group got its own center (by direction, which serves both distances here)."""
    G = GROUPS[:groups] / np.linalg.norm(GROUPS[:groups], axis=1, keepdims=True)
    C = np.array(model.clusterCenters())
    C = C / np.linalg.norm(C, axis=1, keepdims=True)
    return len(set(np.argmax(C @ G.T, axis=1).tolist())) == groups


def _fit_both(spark, pyspark, rows, sparse=False, **params):
    from pyspark.ml.clustering import KMeans as PK
    ours_df, theirs_df = _frames(spark, pyspark, rows, sparse)
    params = {k: v for k, v in params.items() if v is not None}  # PySpark refuses a None param
    return (DC.KMeans(**params).fit(ours_df), ours_df,
            PK(**params).fit(theirs_df), theirs_df)


@pytest.mark.parametrize("init", ["k-means||", "random"])
@pytest.mark.parametrize("measure", ["euclidean", "cosine"])
@pytest.mark.parametrize("weighted", [False, True])
def test_kmeans_finds_the_same_clusters_and_cost(spark, pyspark, init, measure, weighted):
    # a random start finds all groups only when its rows fall in different groups, which
    # both engines do for two groups on some seed
    groups = 2 if init == "random" else 4
    rows = _rows(7, weighted, groups)
    params = dict(k=groups, seed=11, initMode=init, distanceMeasure=measure, maxIter=50,
                  weightCol="w" if weighted else None)
    if measure == "cosine":  # cosine distance moves tiny under tol; run both to a fixed point
        params["tol"] = 0.0
    if init == "random":
        for seed in range(11, 40):
            params["seed"] = seed
            ours, ours_df, theirs, theirs_df = _fit_both(spark, pyspark, rows, **params)
            if _separates(ours, groups) and _separates(theirs, groups):
                break
    else:
        ours, ours_df, theirs, theirs_df = _fit_both(spark, pyspark, rows, **params)
    assert np.allclose(_sorted_centers(ours), _sorted_centers(theirs), rtol=1e-6, atol=1e-9)
    assert ours.summary.trainingCost == pytest.approx(theirs.summary.trainingCost, rel=1e-6)
    assert sorted(ours.summary.clusterSizes) == sorted(theirs.summary.clusterSizes)
    assert ours.summary.k == theirs.summary.k == groups
    a, b = _centers_by_row(ours, ours_df), _centers_by_row(theirs, theirs_df)
    assert a.keys() == b.keys()
    assert all(np.allclose(a[i], b[i], rtol=1e-6, atol=1e-9) for i in a)
    assert repr(ours).split(", ", 1)[1] == repr(theirs).split(", ", 1)[1]
    assert ours.numFeatures == theirs.numFeatures == 3


def test_sparse_input_finds_the_same_clusters(spark, pyspark):
    def sparsify(p):  # the smallest coordinate of each row dropped: still four groups
        drop = int(np.argmin(np.abs(p)))
        return tuple(0.0 if j == drop else v for j, v in enumerate(p))
    rows = [(r[0], *sparsify(r[1:4]), r[4]) for r in _rows(3, False)]
    ours, ours_df, theirs, theirs_df = _fit_both(spark, pyspark, rows, sparse=True, k=4, seed=2)
    assert np.allclose(_sorted_centers(ours), _sorted_centers(theirs), rtol=1e-6, atol=1e-9)
    assert ours.summary.trainingCost == pytest.approx(theirs.summary.trainingCost, rel=1e-6)


@pytest.mark.parametrize("init", ["k-means||", "random"])
def test_fewer_distinct_points_than_k(spark, pyspark, init):
    from pyspark.ml.clustering import KMeans as PK
    from pyspark.ml.linalg import Vectors as PV
    pts = [[1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0]]  # any 3 rows hold both points
    ours = DC.KMeans(k=3, seed=1, initMode=init).fit(
        spark.createDataFrame([(DV.dense(p),) for p in pts], ["features"]))
    theirs = PK(k=3, seed=1, initMode=init).fit(
        pyspark.createDataFrame([(PV.dense(p),) for p in pts], ["features"]))
    assert np.array_equal(_sorted_centers(ours), _sorted_centers(theirs))
    so, st = ours.summary, theirs.summary
    assert (so.k, so.numIter, so.trainingCost) == (st.k, st.numIter, st.trainingCost)
    assert sorted(so.clusterSizes) == sorted(st.clusterSizes)
    assert so.clusterSizes[-1] == st.clusterSizes[-1] == 0
    assert repr(ours).split(", ", 1)[1] == repr(theirs).split(", ", 1)[1]


def test_max_iter_zero(spark, pyspark):
    ours, _, theirs, _ = _fit_both(spark, pyspark, _rows(5, False), k=4, seed=3, maxIter=0)
    assert (ours.summary.numIter, ours.summary.trainingCost) == \
        (theirs.summary.numIter, theirs.summary.trainingCost) == (0, 0.0)


def _numbered(df, model, F):
    """The transform with clusters numbered in the order of their centers (both sides)."""
    order = np.lexsort(np.array(model.clusterCenters()).T[::-1])
    rank = {int(c): r for r, c in enumerate(order)}
    expr = None
    for c, r in rank.items():
        expr = F.when(F.col("prediction") == c, F.lit(r)) if expr is None else \
            expr.when(F.col("prediction") == c, F.lit(r))
    return model.transform(df).withColumn("prediction", expr).orderBy("id")


def test_transform_shows_and_types_as_spark(spark, pyspark, capsys):
    from pyspark.sql import functions as PF
    ours, ours_df, theirs, theirs_df = _fit_both(spark, pyspark, _rows(9, True), k=4, seed=5,
                                                 weightCol="w")
    a = _numbered(ours_df, ours, DF)._show_string(30, truncate=False)
    b = _numbered(theirs_df, theirs, PF)._jdf.showString(30, 0, False)
    assert same_text(a, b), f"\n{a}\n{b}"
    ours.transform(ours_df).printSchema()
    mine = capsys.readouterr().out
    theirs.transform(theirs_df).printSchema()
    assert mine == capsys.readouterr().out
    assert isinstance(ours.predict(DV.dense([40.0, 1.0, -3.0])), int)


@pytest.mark.parametrize("bad", [dict(k=1), dict(initMode="foo"), dict(distanceMeasure="manhattan"),
                                 dict(initSteps=0), dict(solver="x"), dict(maxIter=-1),
                                 dict(tol=-1.0)])
def test_bad_params_fail_with_sparks_message(spark, pyspark, bad):
    from pyspark.ml.clustering import KMeans as PK
    ours_df, theirs_df = _frames(spark, pyspark, _rows(1, False))
    messages = []
    for est, df in ((DC.KMeans(**bad), ours_df), (PK(**bad), theirs_df)):
        with pytest.raises(Exception) as err:
            est.fit(df)
        messages.append(str(err.value).replace(est.uid, "UID").splitlines()[0])
    assert messages[0] in messages[1]


def test_negative_weight_fails_with_sparks_message(spark, pyspark):
    from pyspark.ml.clustering import KMeans as PK
    rows = _rows(1, False)
    rows[5] = (*rows[5][:4], -2.0)
    ours_df, theirs_df = _frames(spark, pyspark, rows)
    with pytest.raises(Exception) as ours:
        DC.KMeans(k=2, weightCol="w").fit(ours_df)
    with pytest.raises(Exception) as theirs:
        PK(k=2, weightCol="w").fit(theirs_df)
    want = "Weights MUST NOT be Negative or Infinity, but got -2.0"
    assert want in str(ours.value) and want in str(theirs.value)


def test_null_vector_fails_as_in_spark(spark, pyspark):
    from dfml.sql import types as T
    from pyspark.ml.clustering import KMeans as PK
    from pyspark.ml.linalg import Vectors as PV
    from pyspark.sql import types as PT
    ours_df = spark.createDataFrame([(DV.dense([1.0, 2.0]),), (None,)], T.StructType(
        [T.StructField("features", DV.dense([0.0]).__UDT__)]))
    theirs_df = pyspark.createDataFrame([(PV.dense([1.0, 2.0]),), (None,)], PT.StructType(
        [PT.StructField("features", PV.dense([0.0]).__UDT__)]))
    with pytest.raises(Exception) as ours:
        DC.KMeans(k=2).fit(ours_df)
    with pytest.raises(Exception) as theirs:
        PK(k=2).fit(theirs_df)
    assert "Vectors MUST NOT be Null" in str(ours.value)
    assert "Vectors MUST NOT be Null" in str(theirs.value)


def test_nan_feature_fails_as_in_spark(spark, pyspark):
    from pyspark.ml.clustering import KMeans as PK
    rows = _rows(1, False)
    rows[4] = (rows[4][0], float("nan"), *rows[4][2:])
    ours_df, theirs_df = _frames(spark, pyspark, rows)
    with pytest.raises(Exception) as ours:
        DC.KMeans(k=2).fit(ours_df)
    with pytest.raises(Exception) as theirs:
        PK(k=2).fit(theirs_df)
    shown = "[NaN," + ",".join(repr(v) for v in rows[4][2:4]) + "]"
    want = f"Vector values MUST NOT be NaN or Infinity, but got {shown}"
    assert want in str(ours.value) and want in str(theirs.value)


# -- ClusteringEvaluator ---------------------------------------------------------------------

def _labelled(spark, pyspark, pred_type):
    from pyspark.ml.linalg import Vectors as PV
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 3)) + np.repeat([[0, 0, 3], [3, 0, 0], [0, 3, 0], [2, 2, 2]], 10, 0)
    labels = [i // 10 if i % 6 else (i // 10 + 1) % 4 for i in range(40)]
    labels[39] = 4  # a cluster of one row
    w = np.round(rng.uniform(0.2, 3.0, 40), 3)
    schema = f"features vector, prediction {pred_type}, w double"

    def make(V):
        return [(V.dense(X[i].tolist()), labels[i] if pred_type == "int" else float(labels[i]),
                 float(w[i])) for i in range(40)]
    from dfml.sql import types as T
    from pyspark.sql import types as PT
    ours_schema = T.StructType([T.StructField("features", DV.dense([0.0]).__UDT__),
                                T.StructField("prediction", T.IntegerType() if pred_type == "int"
                                              else T.DoubleType()),
                                T.StructField("w", T.DoubleType())])
    theirs_schema = PT.StructType([PT.StructField("features", PV.dense([0.0]).__UDT__),
                                   PT.StructField("prediction", PT.IntegerType()
                                                  if pred_type == "int" else PT.DoubleType()),
                                   PT.StructField("w", PT.DoubleType())])
    assert schema
    return (spark.createDataFrame(make(DV), ours_schema).repartition(3),
            pyspark.createDataFrame(make(PV), theirs_schema))


@pytest.mark.parametrize("measure", ["squaredEuclidean", "cosine"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pred_type", ["int", "double"])
def test_silhouette_matches_spark(spark, pyspark, measure, weighted, pred_type):
    from pyspark.ml.evaluation import ClusteringEvaluator as PE
    ours_df, theirs_df = _labelled(spark, pyspark, pred_type)
    params = dict(distanceMeasure=measure, **({"weightCol": "w"} if weighted else {}))
    ours = DE.ClusteringEvaluator(**params).evaluate(ours_df)
    theirs = PE(**params).evaluate(theirs_df)
    assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-12)


def test_silhouette_of_a_kmeans_fit_matches_spark(spark, pyspark):
    from pyspark.ml.evaluation import ClusteringEvaluator as PE
    ours, ours_df, theirs, theirs_df = _fit_both(spark, pyspark, _rows(2, False), k=4, seed=1)
    a = DE.ClusteringEvaluator().evaluate(ours.transform(ours_df))
    b = PE().evaluate(theirs.transform(theirs_df))
    assert a == pytest.approx(b, rel=1e-6)


def test_one_cluster_fails_as_in_spark(spark, pyspark):
    from pyspark.ml.evaluation import ClusteringEvaluator as PE
    ours_df, theirs_df = _labelled(spark, pyspark, "int")
    with pytest.raises(Exception) as ours:
        DE.ClusteringEvaluator().evaluate(ours_df.withColumn("prediction", DF.lit(0)))
    from pyspark.sql import functions as PF
    with pytest.raises(Exception) as theirs:
        PE().evaluate(theirs_df.withColumn("prediction", PF.lit(0)))
    want = "Number of clusters must be greater than one"
    assert want in str(ours.value) and want in str(theirs.value)
