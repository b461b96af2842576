"""XGBoost plumbing for the tree estimators (dfml.ml.trees): training blocks to xgboost.dask,
boosters to per-partition prediction kernels, and the facts Spark's tree models report
(feature importances, node counts, a debug string) read from the booster itself.

Training reads its input once, as the linear models do: every partition becomes a numpy
``Block`` kept on the worker that built it (``optim.TrainingBlocks``). The blocks are then
handed to xgboost.dask as dask arrays whose chunks *are* those futures, so features, label
and weight stay partition-aligned by construction (see DESIGN's traps: separately optimized X
and y collections can come out with different partitionings) and no row reaches the client.

A booster is carried as its UBJSON bytes (XGBoost's own format): that is what a model saves
under data/ and what a prediction kernel ships to the workers, where it is loaded once per
process and reused for every partition.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["train_on_blocks", "GradientStep", "BaggedRound", "prune_binary", "BoosterKernel", "booster_bytes",
           "load_booster", "feature_importances", "tree_frame", "debug_lines", "block_facts"]


# ---------------------------------------------------------------- training
def _facts(block: Any) -> tuple[int, int, float, float, bool]:
    """(rows, features, min label, max label, labels all integers) of one block."""
    n = block.n
    d = block.X.shape[1] if block.X.ndim == 2 else 0
    if n == 0:
        return 0, d, math.inf, -math.inf, True
    y = block.y
    return n, d, float(y.min()), float(y.max()), bool(np.all(y == np.floor(y)))


def block_facts(blocks: Any) -> tuple[list[int], int, float, float, bool]:
    """Rows per block, feature count, label range and whether labels are whole numbers: one
    small task per block, nothing but these numbers comes back."""
    facts = blocks.map(_facts)
    sizes = [f[0] for f in facts]
    d = max((f[1] for f in facts if f[0]), default=0)
    lo = min((f[2] for f in facts), default=math.inf)
    hi = max((f[3] for f in facts), default=-math.inf)
    return sizes, d, lo, hi, all(f[4] for f in facts)


def _dense_x(block: Any, d: int, rows: Any = None) -> np.ndarray:
    """The block's features dense, ``d`` wide: an absent entry of a sparse vector is 0 in
    Spark, while XGBoost would read it as missing, so sparse rows are densified first."""
    X = block.X.toarray() if hasattr(block.X, "toarray") else np.asarray(block.X)
    if X.shape[1] < d:
        X = np.hstack([X, np.zeros((X.shape[0], d - X.shape[1]))])
    X = X.astype(np.float32)
    return X if rows is None else X[rows]


def _label(block: Any, rows: Any = None) -> np.ndarray:
    return block.y if rows is None else block.y[rows]


def _weight(block: Any, rows: Any = None) -> np.ndarray:
    w = block.weights()
    return w if rows is None else w[rows]


def _dask_arrays(client: Any, futures: list, sizes: list[int], d: int,
                 weighted: bool, select: Any = None) -> tuple[Any, Any, Any]:
    """Dask arrays over the block futures (empty blocks left out); ``select(block)`` picks the
    rows to use (a validation split), else every row."""
    import dask.array as da
    from dask import delayed
    xs, ys, ws = [], [], []
    for fut, n in zip(futures, sizes):
        if n == 0:
            continue
        rows = delayed(select)(fut) if select is not None else None
        xs.append(da.from_delayed(delayed(_dense_x)(fut, d, rows), (np.nan, d), np.float32))
        ys.append(da.from_delayed(delayed(_label)(fut, rows), (np.nan,), np.float64))
        if weighted:
            ws.append(da.from_delayed(delayed(_weight)(fut, rows), (np.nan,), np.float64))
    if not xs:
        return None, None, None
    X = da.concatenate(xs, allow_unknown_chunksizes=True)
    y = da.concatenate(ys, allow_unknown_chunksizes=True)
    w = da.concatenate(ws, allow_unknown_chunksizes=True) if weighted else None
    return X, y, w


class _Side:
    """Row selector of a validation split: the rows whose indicator is (not) set."""

    def __init__(self, want: bool):
        self.want = want

    def __call__(self, block: Any) -> np.ndarray:
        return np.asarray(block.valid) == self.want


class _Rates:
    """Learning rate per boosting round: the first tree at full weight, the rest at ``rest``.

    Spark's GBT fits its first tree to the label itself (tree weight 1.0) and only shrinks the
    later ones by stepSize; with every tree shrunk, 20 rounds at 0.1 would leave a good part of
    the signal unfitted (and a shallow ensemble that never reaches interactions)."""

    def __init__(self, rest: float):
        self.rest = rest

    def __call__(self, epoch: int) -> float:
        # XGBoost asks after round ``epoch`` for the rate of the next one; the first round
        # runs at the rate in the params (1.0, see train_on_blocks)
        return self.rest


class GradientStep:
    """Spark's GBT classification step as an XGBoost objective: the log loss's gradient with a
    constant hessian (1/4, its value at p = 1/2), so each tree fits the residuals ``y - p``
    with variance splits and moves the margin by ``learning_rate * 4 * mean residual`` -- a
    gradient step, as Spark's trees take, instead of XGBoost's Newton step (which grows
    bolder as the probabilities approach 0 or 1). The model's objective stays
    binary:logistic, so its predictions are probabilities as usual."""

    __name__ = "gradient_step"

    def __call__(self, margin: np.ndarray, dtrain: Any) -> tuple[np.ndarray, np.ndarray]:
        y = dtrain.get_label()
        grad = 1.0 / (1.0 + np.exp(-margin)) - y
        hess = np.full_like(grad, 0.25)
        w = dtrain.get_weight()
        if len(w):
            grad, hess = grad * w, hess * w
        return grad, hess


class BaggedRound:
    """A random forest grown as boosting rounds: the objective of each round ignores the
    ensemble so far and fits the label itself (from a zero margin: gradient ``-w y``, hessian
    ``w``, so a leaf is the weighted mean label of its rows), with ``w`` a fresh bootstrap
    draw per round, the way Spark weighs each tree's rows: Poisson(``rate``) counts, or with
    ``bootstrap=False`` a 0/1 draw keeping a ``rate`` share. XGBoost's own forest mode cannot
    do this: its parallel trees share one row sample, and without resampling the forest scores
    clearly worse than Spark's (RMSE ~3% higher on the parity data).

    Each worker draws for its own rows, seeded by the seed, the round and a digest of its
    labels, so a fit is repeatable for the same data and partitioning."""

    __name__ = "bagged_round"

    def __init__(self, seed: int, rate: float, bootstrap: bool = True):
        self.seed, self.rate, self.bootstrap = int(seed) & 0x7FFFFFFF, float(rate), bool(bootstrap)
        # rounds so far per worker's training matrix: one call per round on each worker, and
        # workers that are threads of one process share this object (no copy is made for
        # in-process workers), so a single counter would count every worker's calls
        self.rounds: dict[int, int] = {}

    def __call__(self, margin: np.ndarray, dtrain: Any) -> tuple[np.ndarray, np.ndarray]:
        import zlib
        y = dtrain.get_label().astype(np.float64)
        done = self.rounds.get(id(dtrain), 0)
        self.rounds[id(dtrain)] = done + 1
        key = [self.seed, done, len(y), zlib.crc32(y[:1024].tobytes())]
        rng = np.random.default_rng(key)
        w = rng.poisson(self.rate, len(y)) if self.bootstrap else rng.random(len(y)) < self.rate
        w = w.astype(np.float64)
        given = dtrain.get_weight()
        if len(given):
            w = w * given
        return -w * y, w


def train_on_blocks(blocks: Any, sizes: list[int], d: int, weighted: bool, params: dict,
                    rounds: int, max_bin: int, validation: bool = False,
                    boosting: bool = False, obj: Any = None,
                    feature_types: list[str] | None = None) -> tuple[bytes, int]:
    """Train with xgboost.dask on the session's client from persisted blocks; the booster's
    UBJSON bytes and the number of boosting rounds kept (fewer than ``rounds`` when a
    validation set stopped it early: the best round, as Spark keeps the best model).
    ``boosting``: grow the first tree at learning rate 1, the rest at ``learning_rate``.
    ``feature_types``: XGBoost's per-feature "q" / "c" when some features are categorical."""
    from xgboost import dask as dxgb
    from xgboost.callback import LearningRateScheduler
    client = blocks._client
    evals, stop = None, None
    callbacks = None
    if boosting:
        callbacks = [LearningRateScheduler(_Rates(params["learning_rate"]))]
        params = dict(params, learning_rate=1.0)
    if validation:
        X, y, w = _dask_arrays(client, blocks.futures, sizes, d, weighted, _Side(False))
        Xv, yv, wv = _dask_arrays(client, blocks.futures, sizes, d, weighted, _Side(True))
    else:
        X, y, w = _dask_arrays(client, blocks.futures, sizes, d, weighted)
    cats = dict(feature_types=feature_types, enable_categorical=feature_types is not None)
    dtrain = dxgb.DaskQuantileDMatrix(client, X, y, weight=w, max_bin=max_bin, **cats)
    if validation:
        dvalid = dxgb.DaskQuantileDMatrix(client, Xv, yv, weight=wv, max_bin=max_bin, ref=dtrain,
                                          **cats)
        evals, stop = [(dvalid, "validation")], 1
    out = dxgb.train(client, dict(params, max_bin=max_bin), dtrain, num_boost_round=rounds,
                     evals=evals, early_stopping_rounds=stop, verbose_eval=False,
                     callbacks=callbacks, obj=obj)
    booster = out["booster"]
    kept = rounds
    if validation and booster.num_boosted_rounds() > 0:
        try:
            kept = int(booster.best_iteration) + 1
        except AttributeError:
            kept = booster.num_boosted_rounds()
        booster = booster[:kept]
    return booster_bytes(booster), kept


# ---------------------------------------------------------------- pruning
_NODE_ARRAYS = ("base_weights", "default_left", "loss_changes", "split_conditions",
                "split_indices", "split_type", "sum_hessian")


def _prune_tree(tree: dict) -> None:
    """Merge, bottom up, sibling leaves that predict the same class (a leaf's value > 0 is
    class 1: the trees start from margin 0), then renumber the nodes left."""
    left, right = tree["left_children"], tree["right_children"]
    value, base, hess = tree["split_conditions"], tree["base_weights"], tree["sum_hessian"]

    def visit(i: int) -> None:
        if left[i] == -1:
            return
        visit(left[i])
        visit(right[i])
        a, b = left[i], right[i]
        if left[a] == -1 and left[b] == -1 and (value[a] > 0) == (value[b] > 0):
            left[i] = right[i] = -1
            # the node's value as a leaf: its rows' mean, i.e. the children's values weighted
            # by their hessian sums (leaves are fitted without L2; an inner node's base weight
            # would miss the 1 / numTrees scaling a forest's leaves get)
            value[i] = base[i] = (hess[a] * value[a] + hess[b] * value[b]) / (hess[a] + hess[b])
            tree["split_indices"][i] = 0
            tree["loss_changes"][i] = 0.0
            tree["default_left"][i] = 0
            tree["split_type"][i] = 0
    visit(0)
    order, at = [0], 0
    while at < len(order):
        i = order[at]
        if left[i] != -1:
            order += [left[i], right[i]]
        at += 1
    new = {old: n for n, old in enumerate(order)}
    _renumber_categories(tree, new)
    for key in _NODE_ARRAYS:
        tree[key] = [tree[key][i] for i in order]
    tree["left_children"] = [new[left[i]] if left[i] != -1 else -1 for i in order]
    tree["right_children"] = [new[right[i]] if right[i] != -1 else -1 for i in order]
    parents = [2147483647] * len(order)
    for n, i in enumerate(order):
        if left[i] != -1:
            parents[new[left[i]]] = parents[new[right[i]]] = n
    tree["parents"] = parents
    tree["tree_param"]["num_nodes"] = str(len(order))
    tree["tree_param"]["num_deleted"] = "0"


def _renumber_categories(tree: dict, new: dict[int, int]) -> None:
    """A tree's categorical split sets after pruning: the sets of the splits kept, under their
    nodes' new numbers (the sets are stored flat, one segment per categorical node)."""
    nodes = tree.get("categories_nodes") or []
    if not nodes:
        return
    cats, starts, sizes = tree["categories"], tree["categories_segments"], tree["categories_sizes"]
    kept = sorted((new[n], cats[s:s + k]) for n, s, k in zip(nodes, starts, sizes)
                  if n in new and tree["left_children"][n] != -1)
    flat: list = []
    tree["categories_nodes"], tree["categories_segments"], tree["categories_sizes"] = [], [], []
    for n, c in kept:
        tree["categories_nodes"].append(n)
        tree["categories_segments"].append(len(flat))
        tree["categories_sizes"].append(len(c))
        flat += c
    tree["categories"] = flat


def prune_binary(raw: bytes) -> bytes:
    """Spark's ``pruneTree`` for a two-class tree or forest: a split whose two leaves vote for
    the same class is replaced by one leaf (the node's own value). Class predictions do not
    change; the model gets smaller and its probabilities coarser, as Spark's."""
    booster = load_booster(raw)
    model = json.loads(bytes(booster.save_raw(raw_format="json")))
    for tree in model["learner"]["gradient_booster"]["model"]["trees"]:
        _prune_tree(tree)
    import xgboost as xgb
    pruned = xgb.Booster()
    pruned.load_model(bytearray(json.dumps(model).encode()))
    return booster_bytes(pruned)


# ---------------------------------------------------------------- boosters
def booster_bytes(booster: Any) -> bytes:
    return bytes(booster.save_raw(raw_format="ubj"))


_LOADED: dict[int, tuple[bytes, Any]] = {}


def load_booster(raw: bytes) -> Any:
    """A Booster from UBJSON bytes, cached per process by the bytes' hash (each worker loads a
    model once however many partitions it predicts)."""
    import xgboost as xgb
    key = hash(raw)
    hit = _LOADED.get(key)
    if hit is not None and hit[0] == raw:
        return hit[1]
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    booster.set_param({"nthread": 1})
    if len(_LOADED) > 16:
        _LOADED.clear()
    _LOADED[key] = (raw, booster)
    return booster


class BoosterKernel:
    """Per-partition kernel: one output column of a tree model from its features column.

    ``convert(margins) -> (n,) or (n, k) array`` turns the booster's raw margins into the
    column (Spark's rawPrediction, probability or prediction); null vectors give nulls."""

    __name__ = "xgboost_predict"  # dask names tasks after this

    def __init__(self, raw: bytes, num_features: int, convert: Any, vector: bool,
                 leaves: bool = False):
        self.raw, self.d, self.convert, self.vector = raw, num_features, convert, vector
        self.leaves = leaves

    def margins(self, X: np.ndarray) -> np.ndarray:
        """The booster's margins of the rows (each tree's leaf id with ``leaves``)."""
        if len(X) == 0:
            return np.zeros((0,))
        if self.leaves:
            import xgboost as xgb
            ids = load_booster(self.raw).predict(xgb.DMatrix(X.astype(np.float32)),
                                                 pred_leaf=True)
            ids = np.asarray(ids, dtype=np.int64).reshape(len(X), -1)
            maps = leaf_ordinals(self.raw)
            return np.column_stack([m[c] for m, c in zip(maps, ids.T)]).astype(np.float64)
        out = load_booster(self.raw).inplace_predict(X.astype(np.float32),
                                                     predict_type="margin")
        return np.asarray(out, dtype=np.float64)

    def __call__(self, features: Any) -> pa.Array:
        from .linalg import dense_to_arrow, to_matrix
        from ._linear import valid_rows, with_null_rows
        arr, mask = valid_rows(features)
        X = to_matrix(arr, size=self.d)
        X = X.toarray() if hasattr(X, "toarray") else X
        out = self.convert(self.margins(X))
        if self.vector:
            out = out.reshape(len(X), -1)
            return dense_to_arrow(with_null_rows(out, mask), mask)
        return pa.array(with_null_rows(np.asarray(out, float).reshape(-1), mask),
                        type=pa.float64(), mask=mask)


# ---------------------------------------------------------------- model facts
def tree_frame(raw: bytes) -> Any:
    """The booster's nodes as a pandas frame (Tree, Node, Feature, Gain, Cover...)."""
    return load_booster(raw).trees_to_dataframe()


def feature_importances(raw: bytes, d: int, per_tree: bool) -> np.ndarray:
    """Each feature's share of the total split gain, summing to 1 as Spark's do. XGBoost's
    gain already weighs a split by the rows (hessians) reaching it, as Spark's gain times node
    count does. ``per_tree``: each tree's gains are normalized first (Spark does that for
    forests and single trees, not for boosted ensembles)."""
    nodes = tree_frame(raw)
    imp = np.zeros(d)
    splits = nodes[nodes["Feature"] != "Leaf"]
    for _, tree in splits.groupby("Tree"):
        idx = tree["Feature"].str.slice(1).astype(int).to_numpy()
        gain = tree["Gain"].to_numpy(dtype=float)
        t = np.bincount(idx, weights=gain, minlength=d)[:d]
        if per_tree and t.sum() > 0:
            t = t / t.sum()
        imp += t
    total = imp.sum()
    return imp / total if total > 0 else imp


def debug_lines(raw: bytes, tree: int, indent: str) -> list[str]:
    """One tree as nested If/Else lines, in the shape of Spark's debug string (XGBoost splits
    are ``x < t``; a missing value follows the default branch)."""
    dump = json.loads(load_booster(raw).get_dump(dump_format="json")[tree])
    lines: list[str] = []

    def walk(node: dict, pad: str) -> None:
        if "leaf" in node:
            lines.append(f"{pad}Predict: {node['leaf']}")
            return
        f = int(str(node["split"]).lstrip("f"))
        t = node["split_condition"]
        kids = {c["nodeid"]: c for c in node["children"]}
        if isinstance(t, list):  # a categorical split: the listed categories go "yes"
            cats = ",".join(str(float(c)) for c in sorted(t))
            test, other = f"in {{{cats}}}", f"not in {{{cats}}}"
        else:
            test, other = f"< {t}", f">= {t}"
        lines.append(f"{pad}If (feature {f} {test})")
        walk(kids[node["yes"]], pad + " ")
        lines.append(f"{pad}Else (feature {f} {other})")
        walk(kids[node["no"]], pad + " ")
    walk(dump, indent)
    return lines


def leaf_ordinals(raw: bytes) -> list[np.ndarray]:
    """Per tree, node id -> the leaf's position counted left to right (Spark's leaf index)."""
    out = []
    for text in load_booster(raw).get_dump(dump_format="json"):
        order: list[int] = []

        def walk(node: dict) -> None:
            if "leaf" in node:
                order.append(int(node["nodeid"]))
                return
            kids = {c["nodeid"]: c for c in node["children"]}
            walk(kids[node["yes"]])
            walk(kids[node["no"]])
        walk(json.loads(text))
        m = np.zeros(max(order) + 1, dtype=np.int64)
        m[order] = np.arange(len(order))
        out.append(m)
    return out


def tree_count(raw: bytes) -> int:
    return len(load_booster(raw).get_dump())
