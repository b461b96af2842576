"""ALS / ALSModel: the blocked solver against a dense reference, id checks with Spark's
messages, cold-start handling, recommendations, persistence in Spark's layout, bad params."""

import os

import numpy as np
import pytest

from dfml.ml.recommendation import ALS, ALSModel
from dfml.ml._als_blocks import encode_block, group_block, solve_block
from dfml.ml._als_random import factor_seeds, initial_factors, initial_factors_reference
from dfml.ml.java_random import (XORShiftRandom, strict_log, strict_log_array,
                                 xorshift_gaussians)
from dfml.sql import types as T
from dfml.sql.errors import IllegalArgumentException, SparkException

NAN = float("nan")


def _ratings(n_users=30, n_items=20, density=0.4, seed=3, rank=3, dup=False):
    rng = np.random.default_rng(seed)
    U, V = rng.normal(size=(n_users, rank)), rng.normal(size=(n_items, rank))
    rows = []
    for u in range(n_users):
        for i in range(n_items):
            if rng.random() < density:
                rows.append((u, i, float(np.round(U[u] @ V[i] + rng.normal(0, 0.1), 3))))
    if dup:
        rows.append(rows[0])
    return rows


def _per_rating_equations(pairs, Y, YtY, implicit, alpha):
    """(A, b, n) of one id summed one rating at a time from its (other-side row, rating)
    pairs: A without the regularization, n the ratings that count toward it."""
    k = Y.shape[1]
    A, b, n = np.zeros((k, k)) + YtY, np.zeros(k), 0
    for a, r in pairs:
        y = Y[a]
        if implicit:
            c1 = alpha * abs(r)
            A += c1 * np.outer(y, y)
            b += (1 + c1) * y if r > 0 else 0
            n += r > 0
        else:
            A += np.outer(y, y)
            b += np.float32(r) * y
            n += 1
    return A, b, n


def _reference(rows, rank, iters, reg, nub, nib, seed, implicit=False, alpha=1.0):
    """Dense ALS from the same starting point: the normal equations per user/item in numpy."""
    users = sorted({r[0] for r in rows})
    items = sorted({r[1] for r in rows})
    useed, _ = factor_seeds(seed)
    U = np.zeros((max(users) + 1, rank), np.float32)
    for b in range(nub):
        ids = [u for u in users if u % nub == b]
        U[ids] = initial_factors(useed, b, len(ids), rank)
    V = np.zeros((max(items) + 1, rank), np.float32)

    def solve(src, own, by):
        out = np.zeros((len(own) and max(own) + 1, rank), np.float32)
        Y = src.astype(np.float64)
        YtY = Y.T @ Y if implicit else 0
        for x in own:
            A, b, n = _per_rating_equations(by[x], Y, YtY, implicit, alpha)
            out[x] = np.linalg.solve(A + reg * n * np.eye(rank), b)
        return out
    by_item = {i: [(u, r) for u, ii, r in rows if ii == i] for i in items}
    by_user = {u: [(i, r) for uu, i, r in rows if uu == u] for u in users}
    for _ in range(iters):
        # only the rows of ids that exist matter: the others stay zero and are never read
        V = solve(U, items, by_item)
        U = solve(V, users, by_user)
    return U, V


@pytest.mark.parametrize("seed", [0, 1, -7, 42, 2 ** 40 + 3])
def test_gaussian_array_is_the_per_call_stream(seed):
    # every bit of the array form equals Spark's generator called once per number, including
    # odd counts (a cached second Gaussian) and counts that need a second round of states
    for n in [0, 1, 2, 3, 17, 1000, 20001]:
        rnd = XORShiftRandom(seed)
        ref = np.array([rnd.nextGaussian() for _ in range(n)])
        got = xorshift_gaussians(seed, n)
        assert got.shape == ref.shape
        assert np.array_equal(got.view(np.int64), ref.view(np.int64))


def test_strict_log_array_is_the_scalar():
    rng = np.random.default_rng(0)
    xs = np.concatenate([rng.random(20000), rng.random(1000) ** 8,
                         1 + rng.normal(0, 1e-7, 1000), 1 - rng.random(1000) * 1e-6,
                         np.exp(rng.normal(0, 30, 2000)),
                         [1.0, 0.5, 2.0, 5e-324, 1e-310, np.inf, 0.0, 1 - 2 ** -53, 1 + 2 ** -52]])
    ref = np.array([strict_log(float(x)) for x in xs])
    assert np.array_equal(strict_log_array(xs).view(np.int64), ref.view(np.int64))


@pytest.mark.parametrize("seed", [1, 7, -3, 2 ** 33])
def test_initial_factors_are_the_per_call_draws(seed):
    useed, iseed = factor_seeds(seed)
    for s in (useed, iseed):
        for block in [0, 1, 5]:
            for count, rank in [(0, 3), (1, 1), (3, 3), (50, 10), (777, 7)]:
                a = initial_factors(s, block, count, rank)
                b = initial_factors_reference(s, block, count, rank)
                assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
                assert np.array_equal(a.view(np.int32), b.view(np.int32))


def _dense_solve(rows, Y, reg, implicit, alpha):
    """Per id, the normal equations summed one rating at a time and solved densely: what
    solve_block's grouped products and batched Cholesky must reproduce."""
    k = Y.shape[1]
    Y = Y.astype(np.float64)
    YtY = Y.T @ Y if implicit else 0
    out = {}
    for own in sorted({u for u, _, _ in rows}):
        pairs = [(i, float(np.float32(r))) for u, i, r in rows if u == own]
        A, b, n = _per_rating_equations(pairs, Y, YtY, implicit, alpha)
        A += reg * n * np.eye(k)
        # regParam 0 leaves the ids with fewer ratings than the rank singular (LU may not
        # notice, by rounding): least squares, which is the solution where A is regular
        out[own] = np.linalg.lstsq(A, b, rcond=None)[0] if reg == 0 else np.linalg.solve(A, b)
    return out


@pytest.mark.parametrize("implicit,reg,spread", [(False, 0.1, 1), (True, 0.1, 1), (False, 0.0, 1),
                                                (False, 0.1, 40_000_001)])
def test_block_solve_matches_per_rating_sums(implicit, reg, spread):
    # ids with 1 to 300 ratings (groups by count, a large head), mixed-sign ratings; with
    # regParam 0 the ids with fewer ratings than the rank are singular (least squares); item
    # ids spread far apart are encoded by binary search instead of an id-indexed table
    rng = np.random.default_rng(5)
    k, n_items = 4, 40
    counts = np.r_[rng.integers(1, 6, 50), [300, 120, 120]]
    rows = [(u, int(i), float(np.round(rng.normal(0, 2), 1)))
            for u, c in enumerate(counts) for i in rng.integers(0, n_items, c)]
    u, i, r = (np.array(x) for x in zip(*rows))
    Y = rng.normal(size=(n_items, k)).astype(np.float32)
    item_ids = (np.arange(n_items, dtype=np.int64) * spread - 2 ** 31 + 5).astype(np.int32)
    block = group_block(0, (u.astype(np.int32), item_ids[i], r.astype(np.float32)))
    # two item blocks (id mod 2), each ascending: factor rows in that order
    perm = np.concatenate([np.flatnonzero(np.mod(item_ids, 2) == b) for b in (0, 1)])
    block = encode_block(block, item_ids[perm[:n_items // 2]], item_ids[perm[n_items // 2:]])
    Y = Y[perm]
    row_of = np.argsort(perm)
    rows = [(a, int(row_of[c]), v) for a, c, v in rows]
    YtY = Y.T.astype(np.float64) @ Y if implicit else None
    got = solve_block(block, (reg, implicit, 1.5, False), YtY, Y)
    ref = _dense_solve(rows, Y, reg, implicit, 1.5)
    assert list(block.ids) == sorted(ref)
    for row, own in zip(got, block.ids):
        np.testing.assert_allclose(row, ref[own].astype(np.float32), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("implicit", [False, True])
def test_solve_in_small_slices_is_bit_for_bit_the_same(monkeypatch, implicit):
    # slices of 7 ids and 50 ratings: groups cut across slices, ids alone in a slice with
    # more ratings than a gather holds (a Zipf head); the factors must not change by a bit
    from dfml.ml import _als_blocks
    rng = np.random.default_rng(11)
    k, n_items = 5, 60
    counts = np.r_[rng.integers(1, 9, 200), [300, 120, 120, 51, 50, 49]]
    u = np.repeat(np.arange(len(counts)), counts).astype(np.int32)
    i = rng.integers(0, n_items, len(u)).astype(np.int32)
    r = np.round(rng.normal(0, 2, len(u)), 1).astype(np.float32)
    block = encode_block(group_block(0, (u, i, r)), np.arange(n_items, dtype=np.int32))
    Y = rng.normal(size=(n_items, k)).astype(np.float32)
    YtY = Y.T.astype(np.float64) @ Y if implicit else None
    whole = solve_block(block, (0.1, implicit, 1.5, False), YtY, Y)
    monkeypatch.setattr(_als_blocks, "_SLICE", 7)
    monkeypatch.setattr(_als_blocks, "_GATHER", 50)
    assert len(_als_blocks._slices(block.ptr)) > 30
    sliced = solve_block(block, (0.1, implicit, 1.5, False), YtY, Y)
    assert np.array_equal(whole, sliced)


@pytest.mark.parametrize("implicit", [False, True])
def test_stacked_pinned_solves_give_the_same_fit(spark, monkeypatch, implicit):
    # the per-worker factor stacks and pinned solves of large sides, forced on a small fit
    from dfml.ml import _als_train
    df = spark.createDataFrame(_ratings(), ["user", "item", "rating"]).repartition(3)
    als = ALS(rank=3, maxIter=3, regParam=0.05, numUserBlocks=3, numItemBlocks=2, seed=7,
              implicitPrefs=implicit, alpha=2.0)
    plain = als.fit(df)
    monkeypatch.setattr(_als_train, "_STACK_BYTES", 0)
    stacked = als.fit(df)
    assert np.array_equal(plain._U, stacked._U) and np.array_equal(plain._I, stacked._I)
    assert np.array_equal(plain._user_ids, stacked._user_ids)


@pytest.mark.parametrize("implicit", [False, True])
def test_blocked_fit_matches_dense_reference(spark, implicit):
    rows = _ratings(dup=True)
    df = spark.createDataFrame(rows, ["user", "item", "rating"]).repartition(3)
    als = ALS(rank=3, maxIter=4, regParam=0.05, numUserBlocks=3, numItemBlocks=2, seed=7,
              implicitPrefs=implicit, alpha=2.0)
    model = als.fit(df)
    U, V = _reference(rows, 3, 4, 0.05, 3, 2, 7, implicit, 2.0)
    uf = {r.id: r.features for r in model.userFactors.collect()}
    vf = {r.id: r.features for r in model.itemFactors.collect()}
    assert sorted(uf) == sorted({r[0] for r in rows})
    for u, f in uf.items():
        np.testing.assert_allclose(f, U[u], rtol=1e-4, atol=1e-5)
    for i, f in vf.items():
        np.testing.assert_allclose(f, V[i], rtol=1e-4, atol=1e-5)
    assert model.rank == 3


def test_fit_is_one_graph_and_schema(spark, graphs):
    df = spark.createDataFrame(_ratings(), ["user", "item", "rating"])
    n = graphs()
    model = ALS(rank=3, maxIter=5, regParam=0.01, seed=1).fit(df)
    assert n.count == 1  # the block build; iterations run on the blocks' futures
    assert model.userFactors.schema == T.StructType([
        T.StructField("id", T.IntegerType(), False),
        T.StructField("features", T.ArrayType(T.FloatType(), False), True)])
    out = model.transform(df)
    assert out.schema["prediction"] == T.StructField("prediction", T.FloatType(), False)
    rmse = np.sqrt(np.mean([(r.rating - r.prediction) ** 2 for r in out.collect()]))
    # PySpark's ALS with the same params and seed measured 0.26547320830217824 on these rows
    assert abs(rmse - 0.26547320830217824) < 1e-6


def test_cold_start_nan_and_drop(spark):
    df = spark.createDataFrame([(0, 0, 4.0), (0, 1, 2.0), (1, 1, 3.0), (1, 2, 4.0)],
                               ["user", "item", "rating"])
    model = ALS(rank=2, maxIter=2, seed=0).fit(df)
    test = spark.createDataFrame([(0, 2), (5, 0), (1, 9), (1, 0)], "user long, item double")
    got = {(r.user, r.item): r.prediction for r in model.transform(test).collect()}
    assert np.isnan(got[(5, 0.0)]) and np.isnan(got[(1, 9.0)])
    assert not np.isnan(got[(0, 2.0)]) and not np.isnan(got[(1, 0.0)])
    model.setColdStartStrategy("drop")
    kept = sorted((r.user, r.item) for r in model.transform(test).collect())
    assert kept == [(0, 2.0), (1, 0.0)]
    with pytest.raises(IllegalArgumentException, match="coldStartStrategy given invalid value"):
        model.setColdStartStrategy("skip").transform(test)


@pytest.mark.parametrize("rows,schema,msg", [
    ([(0.5, 1, 1.0)], "user double, item int, rating double",
     "ALS only supports non-Null values in Integer range and without fractional part for "
     "column user, but got 0.5"),
    ([(3000000000, 1, 1.0)], "user long, item int, rating double", "but got 3000000000"),
    ([(None, 1, 1.0)], "user int, item int, rating double", "user Ids MUST NOT be Null"),
    ([(1, 1, None)], "user int, item int, rating double", "Ratings MUST NOT be Null or NaN"),
    ([(1, 1, NAN)], "user int, item int, rating double", "Ratings MUST NOT be Null or NaN"),
])
def test_bad_ids_and_ratings(spark, rows, schema, msg):
    with pytest.raises(SparkException, match=msg):
        ALS(maxIter=1).fit(spark.createDataFrame(rows, schema))


def test_non_numeric_column_and_bad_params(spark):
    df = spark.createDataFrame([("a", 1, 1.0)], "user string, item int, rating double")
    with pytest.raises(IllegalArgumentException,
                       match="Column user must be of type numeric but was actually of type string"):
        ALS().fit(df)
    ok = spark.createDataFrame([(1, 1, 1.0)], "user int, item int, rating double")
    for kw in [dict(rank=0), dict(coldStartStrategy="x"), dict(regParam=-1.0),
               dict(alpha=-1.0), dict(maxIter=-1), dict(numUserBlocks=0),
               dict(checkpointInterval=0), dict(intermediateStorageLevel="NONE")]:
        name = next(iter(kw))
        with pytest.raises(IllegalArgumentException, match=f"parameter {name} given invalid"):
            ALS(**kw).fit(ok)


def test_empty_rating_column_means_ones_and_nonnegative(spark):
    df = spark.createDataFrame(_ratings(), ["user", "item", "rating"])
    model = ALS(rank=3, maxIter=3, ratingCol="", implicitPrefs=True, seed=2).fit(
        df.select("user", "item"))
    assert len(model.userFactors.collect()) == 30
    nn = ALS(rank=3, maxIter=3, nonnegative=True, seed=2).fit(df)
    for r in nn.userFactors.collect() + nn.itemFactors.collect():
        assert min(r.features) >= 0


def test_recommendations(spark):
    df = spark.createDataFrame(_ratings(), ["user", "item", "rating"])
    model = ALS(rank=3, maxIter=3, seed=4).fit(df)
    recs = model.recommendForAllUsers(25)  # more than there are items: all 20
    elem = T.StructType([T.StructField("item", T.IntegerType(), True),
                         T.StructField("rating", T.FloatType(), True)])
    assert recs.schema == T.StructType([
        T.StructField("user", T.IntegerType(), False),
        T.StructField("recommendations", T.ArrayType(elem, True), True)])
    uf = {r.id: np.asarray(r.features, np.float32) for r in model.userFactors.collect()}
    vf = {r.id: np.asarray(r.features, np.float32) for r in model.itemFactors.collect()}
    rows = recs.collect()
    assert sorted(r.user for r in rows) == sorted(uf)
    for r in rows:
        assert len(r.recommendations) == 20
        scores = [x.rating for x in r.recommendations]
        assert scores == sorted(scores, reverse=True)
        best = max(vf, key=lambda i: float(uf[r.user] @ vf[i]))
        assert r.recommendations[0].item == best
    items = model.recommendForAllItems(2).collect()
    assert len(items) == 20 and all(len(r.recommendations) == 2 for r in items)
    assert items[0].recommendations[0].asDict().keys() == {"user", "rating"}
    sub = model.recommendForUserSubset(spark.createDataFrame([(3,), (3,), (99,)], ["user"]), 1)
    assert [(r.user, len(r.recommendations)) for r in sub.collect()] == [(3, 1)]
    isub = model.recommendForItemSubset(df.where(df.item == 4), 3).collect()
    assert [r.item for r in isub] == [4]


def test_save_load_spark_layout(spark, tmp_path):
    df = spark.createDataFrame(_ratings(), ["user", "item", "rating"])
    als = ALS(rank=3, maxIter=2, seed=5).setPredictionCol("p")
    model = als.fit(df)
    path = str(tmp_path / "als_model")
    model.save(path)
    assert {"metadata", "userFactors", "itemFactors"} <= set(os.listdir(path))
    loaded = ALSModel.load(path)
    assert loaded.rank == 3 and loaded.getPredictionCol() == "p" and loaded.uid == model.uid
    a = [r.p for r in model.transform(df).collect()]
    b = [r.p for r in loaded.transform(df).collect()]
    assert a == b
    assert sorted(model.userFactors.collect()) == sorted(loaded.userFactors.collect())
    als.save(str(tmp_path / "als"))
    again = ALS.load(str(tmp_path / "als"))
    assert again.getRank() == 3 and again.getSeed() == 5
    assert again.getColdStartStrategy() == "nan"
    assert repr(loaded) == f"ALSModel: uid={model.uid}, rank=3"


def test_cholesky_solve_with_a_chunk_not_a_multiple_of_its_transpose_pieces():
    """The batched Cholesky transposes each chunk in pieces of 512 systems; a chunk that is not
    a multiple of that (1000 here) must still take only its own systems."""
    from dfml.ml._als_blocks import _cholesky_solve
    rng = np.random.default_rng(4)
    m, k = 2300, 5
    G = rng.normal(size=(m, k, k))
    A = G @ G.transpose(0, 2, 1)
    b = rng.normal(size=(m, k))
    diag = np.full(m, 0.5)
    x, ok = _cholesky_solve(A, b, None, diag, chunk=1000)
    want = np.linalg.solve(A + 0.5 * np.eye(k), b[:, :, None])[:, :, 0]
    assert ok.all()
    np.testing.assert_allclose(x, want, rtol=1e-9, atol=1e-9)
