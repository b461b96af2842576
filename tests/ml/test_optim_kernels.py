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


def test_binomial_loss_on_a_block_split_into_dense_and_sparse_columns():
    """A large CSR block with dense columns (scaled numerics beside one-hot ones) is multiplied
    as a dense part and a sparse part: same loss and gradient as one CSR product."""
    from dfml.ml.optim import kernels
    rng = np.random.default_rng(11)
    n = kernels._SPLIT_MIN_ROWS + 500
    numeric = rng.normal(size=(n, 4))
    numeric[rng.random((n, 4)) < 0.2] = 0.0                 # dense columns with some zeros
    hot = rng.integers(4, 30, n)
    X = (sp.csr_matrix(np.hstack([numeric, np.zeros((n, 26))]))
         + sp.csr_matrix((np.ones(n), (np.arange(n), hot)), shape=(n, 30))).tocsr()
    y = (rng.random(n) < 0.4).astype(float)
    beta = rng.normal(size=30)
    for w in (None, rng.random(n)):
        block = Block(X, y, w)
        for _ in range(kernels._SPLIT_AFTER):  # a short fit never pays for the split
            binomial_loss(block, beta, 0.2)
            assert "_split_parts" not in block.__dict__
        got = binomial_loss(block, beta, 0.2)
        dense, *_ = block.__dict__["_split_parts"]
        assert list(dense) == [0, 1, 2, 3]                  # the split was taken
        want = _reference(X, y, w, beta, 0.2)
        assert np.allclose(got[0], want[0], rtol=1e-12)
        assert np.allclose(got[1], want[1], rtol=1e-11, atol=1e-11)
        assert np.isclose(got[2], want[2], rtol=1e-12)
