"""The logistic loss kernel against a plain reference: the same loss and gradients for dense and
sparse blocks, with and without weights, and finite at margins where exp overflows."""

import numpy as np
import scipy.sparse as sp

from dfml.ml.optim.blocks import Block
from dfml.ml.optim.kernels import binomial_loss


def _reference(X, y, w, beta, b0):
    m = np.asarray(X @ beta).reshape(-1) + b0
    w = np.ones(len(y)) if w is None else w
    loss = float(w @ (np.logaddexp(0.0, m) - y * m))
    r = w * (0.5 * (1.0 + np.tanh(0.5 * m)) - y)   # the sigmoid, written another way
    return loss, np.asarray(X.T @ r).reshape(-1), float(r.sum())


def test_binomial_loss_matches_reference():
    rng = np.random.default_rng(5)
    dense = rng.normal(size=(300, 6))
    dense[:, 3] *= 400.0                      # margins far beyond exp's range in both signs
    y = (rng.random(300) < 0.3).astype(float)
    beta = rng.normal(size=6)
    for X in (dense, sp.csr_matrix(np.where(rng.random((300, 6)) < 0.4, dense, 0.0))):
        for w in (None, rng.random(300) * 2):
            got = binomial_loss(Block(X, y, w), beta, -0.7)
            want = _reference(X, y, w, beta, -0.7)
            assert np.isfinite(got[0]) and np.allclose(got[0], want[0], rtol=1e-12)
            assert np.allclose(np.asarray(got[1]).reshape(-1), want[1], rtol=1e-10, atol=1e-9)
            assert np.isclose(got[2], want[2], rtol=1e-10, atol=1e-9)


def test_binomial_loss_empty_block_is_none():
    assert binomial_loss(Block(np.zeros((0, 2)), np.zeros(0), None), np.zeros(2), 0.0) is None
