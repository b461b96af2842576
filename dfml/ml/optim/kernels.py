"""Per-block kernels the iterative fits send to the workers.

Each takes a ``Block`` and small parameters and returns small sums (a loss, a gradient, a
histogram), so a step moves parameters, not rows. Losses are weighted sums; the caller divides
by the total weight. All work in the features' original units: the caller maps its scaled
parameters to original-space coefficients before the call and maps the gradient back after
(``ScaledSpace`` in ``linear.py``), which keeps sparse blocks sparse."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from .blocks import Block

__all__ = ["feature_moments", "label_moments", "label_histogram", "gram", "binomial_loss",
           "multinomial_loss", "squared_loss", "huber_loss", "regression_residuals"]


def _xt(X: Any, r: np.ndarray) -> np.ndarray:
    """X^T r for a dense or CSR block (r may be a vector or an n x k matrix)."""
    out = X.T @ r
    return np.asarray(out)


# A CSR block whose columns are partly dense (a scaled numeric column beside one-hot ones: every
# row stores it) is cheaper to multiply as two parts: the dense columns as a column-major array
# (BLAS), the rest as CSR. Measured on a 338k x 137 block with 14 dense columns: X beta and
# X^T r together 17 ms as one CSR, 4.7 ms split. Kept for blocks large enough to repay the copy.
_SPLIT_MIN_ROWS = 20_000
_DENSE_SHARE = 0.5  # a column stored in at least this share of the rows counts as dense
# The split costs about as much as 20 evaluations save (a column-major copy of the block), and
# many fits converge in fewer (bench events at 1M: 12 evaluations), so a block is split only
# once it has been evaluated this many times unsplit: a long fit loses little, a short one
# pays nothing.
_SPLIT_AFTER = 8


def _split(b: Block) -> Any:
    """(dense column indices, their n x k Fortran array, other column indices, their CSR and
    its transpose as CSR) of the block's CSR ``X``, computed once per block after its first
    ``_SPLIT_AFTER`` evaluations; None before, and when the block is dense, small, or has no
    dense column."""
    cached = b.__dict__.get("_split_parts", False)
    if cached is not False:
        return cached
    seen = b.__dict__.get("_evaluations", 0)
    if seen < _SPLIT_AFTER:
        b.__dict__["_evaluations"] = seen + 1
        return None
    parts = None
    X = b.X
    if sp.issparse(X) and b.n >= _SPLIT_MIN_ROWS:
        stored = np.bincount(X.indices, minlength=X.shape[1])
        dense = np.flatnonzero(stored >= _DENSE_SHARE * b.n)
        if len(dense):
            rest = np.flatnonzero(stored < _DENSE_SHARE * b.n)
            csc = X.tocsc()
            D = np.asfortranarray(csc[:, dense].toarray())
            S = csc[:, rest].tocsr()
            parts = (dense, D, rest, S, S.T.tocsr())
    b.__dict__["_split_parts"] = parts
    return parts


def _margins(b: Block, beta: np.ndarray, parts: Any) -> np.ndarray:
    """X beta for a one-column ``beta``, through the split ``parts`` when there are some."""
    if parts is None:
        return np.asarray(b.X @ beta).reshape(-1)
    dense, D, rest, S, _ = parts
    return D @ beta[dense] + S @ beta[rest]


def _xt_vector(b: Block, r: np.ndarray, parts: Any) -> np.ndarray:
    """X^T r for a vector ``r``, through the split ``parts`` when there are some."""
    if parts is None:
        return _xt(b.X, r)
    dense, D, rest, _, ST = parts
    out = np.empty(b.X.shape[1])
    out[dense] = r @ D
    out[rest] = ST @ r
    return out


def _moments(X: Any, b: Block) -> Any:
    """(weight sum, sum of squared weights, rows, weighted mean, weighted M2) per column of
    ``X`` (dense or CSR, the block's rows); None for a block without weight."""
    if b.n == 0:
        return None
    w = b.weights()
    W = float(w.sum())
    if W == 0:
        return None
    if sp.issparse(X):
        mean = _xt(X, w) / W
        csc = X.tocsc()
        nnz = np.diff(csc.indptr)
        feat = np.repeat(np.arange(X.shape[1]), nnz)
        wrow = w[csc.indices]
        m2 = np.bincount(feat, wrow * (csc.data - mean[feat]) ** 2, minlength=X.shape[1])
        stored_w = np.bincount(feat, wrow, minlength=X.shape[1])
        m2 = m2 + (W - stored_w) * mean ** 2
    else:
        mean = w @ X / W
        m2 = w @ ((X - mean) ** 2)
    return W, float((w * w).sum()), b.n, mean, m2


def feature_moments(b: Block) -> Any:
    """Weighted moments of every feature (see ``_moments``)."""
    return _moments(b.X, b)


def label_moments(b: Block) -> Any:
    """Weighted moments of the label, as a one-column matrix (see ``_moments``)."""
    return _moments(b.y.reshape(-1, 1), b)


def label_histogram(b: Block) -> Any:
    """Weight per class label (labels must be integers >= 0), and the row count."""
    if b.n == 0:
        return None
    y = b.y
    bad = (y < 0) | (y != np.floor(y)) | ~np.isfinite(y)
    if bad.any():
        from ...sql.errors import SparkException
        raise SparkException(f"Classifier found an invalid label {float(y[bad][0])!r}: labels must be "
                             f"integers >= 0 (0, 1, ..., numClasses - 1)")
    return np.bincount(y.astype(np.int64), weights=b.weights()), b.n


def gram(b: Block) -> Any:
    """Weighted Gram matrix of [X, y, 1]: everything a least-squares fit by the normal
    equations needs, and its size does not grow with the rows."""
    if b.n == 0:
        return None
    w = b.weights()
    X = b.X
    if sp.issparse(X):
        Z = sp.hstack([X, sp.csr_matrix(b.y.reshape(-1, 1)),
                       sp.csr_matrix(np.ones((b.n, 1)))], format="csr")
        G = (Z.T @ Z.multiply(w.reshape(-1, 1))).toarray()
    else:
        Z = np.hstack([X, b.y.reshape(-1, 1), np.ones((b.n, 1))])
        G = Z.T @ (Z * w.reshape(-1, 1))
    return G, b.n


def binomial_loss(b: Block, beta: np.ndarray, b0: float) -> Any:
    """Weighted log loss of a binary logistic model; (loss, d/d beta, d/d intercept)."""
    if b.n == 0:
        return None
    parts = _split(b)  # once per evaluation: it counts them
    m = _margins(b, beta, parts) + b0
    y = b.y
    # log(1 + e^m) - y m and the sigmoid both from one e = exp(-|m|), stable for large |m|:
    # log(1 + e^m) = max(m, 0) + log1p(e), sigmoid(m) = 1/(1 + e) or e/(1 + e) by the sign of m.
    # scipy's log_expit plus expit took a third more CPU per block (the fit's hot loop).
    e = np.exp(-np.abs(m))
    softplus = np.log1p(e)
    softplus += np.maximum(m, 0.0)
    p = np.where(m >= 0, 1.0, e)
    p /= 1.0 + e
    if b.w is None:
        loss = float(softplus.sum() - y @ m)
        r = p - y
    else:
        loss = float(b.w @ (softplus - y * m))
        r = b.w * (p - y)
    return loss, _xt_vector(b, r, parts), float(r.sum())


def multinomial_loss(b: Block, B: np.ndarray, b0: np.ndarray) -> Any:
    """Weighted softmax log loss; (loss, d/d B (k x d), d/d intercepts (k))."""
    if b.n == 0:
        return None
    M = np.asarray(b.X @ B.T) + b0
    lse = logsumexp(M, axis=1)
    y = b.y.astype(np.int64)
    w = b.weights()
    loss = float(w @ (lse - M[np.arange(b.n), y]))
    R = np.exp(M - lse[:, None])
    R[np.arange(b.n), y] -= 1.0
    R *= w[:, None]
    return loss, _xt(b.X, R).T, R.sum(axis=0)


def squared_loss(b: Block, beta: np.ndarray, b0: float, scale: float) -> Any:
    """Weighted half squared error of (X beta + b0 - y) / scale; (loss, d/d beta, d/d b0)."""
    if b.n == 0:
        return None
    e = (np.asarray(b.X @ beta).reshape(-1) + b0 - b.y) / scale
    w = b.weights()
    r = w * e
    return 0.5 * float(r @ e), _xt(b.X, r) / scale, float(r.sum()) / scale


def huber_loss(b: Block, beta: np.ndarray, b0: float, sigma: float, epsilon: float) -> Any:
    """Weighted Huber loss with a concomitant scale ``sigma`` (Spark's huber objective):
    ``1/2 (sigma + sigma H(r / sigma))`` per row, ``H`` quadratic within ``epsilon`` and linear
    beyond; returns (loss, d/d beta, d/d b0, d/d sigma)."""
    if b.n == 0:
        return None
    r = b.y - (np.asarray(b.X @ beta).reshape(-1) + b0)
    w = b.weights()
    inner = np.abs(r) <= sigma * epsilon
    loss = np.where(inner, 0.5 * (sigma + r * r / sigma),
                    0.5 * (sigma + 2.0 * epsilon * np.abs(r) - sigma * epsilon * epsilon))
    d_margin = w * np.where(inner, -r / sigma, -epsilon * np.sign(r))
    d_sigma = np.where(inner, 0.5 * (1.0 - (r / sigma) ** 2), 0.5 * (1.0 - epsilon * epsilon))
    return (float(w @ loss), _xt(b.X, d_margin), float(d_margin.sum()), float(w @ d_sigma))


def regression_residuals(b: Block, beta: np.ndarray, b0: float, y_mean: float) -> Any:
    """Sums a regression summary needs: weight, rows, squared / absolute error, squared
    deviation of the label from its mean, of the prediction from the label mean, sum of w y^2,
    sum of w^2."""
    if b.n == 0:
        return None
    pred = np.asarray(b.X @ beta).reshape(-1) + b0
    w = b.weights()
    e = b.y - pred
    return (float(w.sum()), b.n, float(w @ (e * e)), float(w @ np.abs(e)),
            float(w @ (b.y - y_mean) ** 2), float(w @ (pred - y_mean) ** 2), float(w @ (b.y ** 2)),
            float(w @ w))
