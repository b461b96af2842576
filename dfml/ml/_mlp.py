"""The multilayer perceptron's numerics: Spark's network, weight layout, loss and solvers.

The network is Spark's: affine layers, a sigmoid after each hidden one, a softmax on top, the
loss the cross entropy of the softmax against the one-hot label. The weights are one flat
vector in Spark's layout, layer after layer: the layer's (out x in) matrix stored column by
column, then its ``out`` biases. Stored that way, the matrix read row by row as ``(in, out)``
is its transpose, so a batch of rows (n x in) maps forward as ``X @ A + b`` with no copy.

Spark trains on stacks: each partition's rows cut, in order, into groups of ``blockSize``.
A stack's loss and gradient are means over its rows, and the objective is the mean of the
stacks' losses (its gradient the mean of theirs). A row therefore weighs ``1 / its stack's
size``, which lets a block compute every stack at once: one pass of matrix products over the
whole block with per-row weights, summed on the workers; the client divides by the number of
stacks. The same data cut the same way (one partition, say) gives Spark's objective exactly,
so a fit from the same starting weights follows Spark's iterations.

Starting weights, unless given, are Spark's: uniform in ``[-2.4, 2.4] / sqrt(in)`` for every
weight and bias of a layer, drawn from Spark's XORShiftRandom with the estimator's seed.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from scipy.special import expit, log_softmax, softmax

from ..sql.errors import SparkException
from .java_random import XORShiftRandom
from .optim import Block, TrainingBlocks
from .optim.quasi_newton import quasi_newton

__all__ = ["num_weights", "random_weights", "unpack", "forward_raw", "stack_weights", "StackLoss",
           "check_block", "train_lbfgs", "train_gd"]


def num_weights(layers: list[int]) -> int:
    """Length of the flat weight vector of a network with these layer sizes."""
    return sum(i * o + o for i, o in zip(layers[:-1], layers[1:]))


def random_weights(layers: list[int], seed: int) -> np.ndarray:
    """Spark's seeded starting weights (see the module docstring)."""
    rng = XORShiftRandom(seed)
    parts = [(rng.doubles(i * o + o) * 4.8 - 2.4) / np.sqrt(i)
             for i, o in zip(layers[:-1], layers[1:])]
    return np.concatenate(parts) if parts else np.zeros(0)


def unpack(weights: np.ndarray, layers: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(A, b) per layer: ``A`` the (in, out) transpose of Spark's matrix (a view), ``b`` the
    biases."""
    out, at = [], 0
    for i, o in zip(layers[:-1], layers[1:]):
        A = weights[at:at + i * o].reshape(i, o)
        out.append((A, weights[at + i * o:at + i * o + o]))
        at += i * o + o
    return out


def _affine(H: Any, A: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(H @ A) + b


def forward_raw(X: Any, params: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The top layer's input to the softmax (Spark's rawPrediction) for each row of ``X``."""
    H = X
    for A, b in params[:-1]:
        H = expit(_affine(H, A, b))
    A, b = params[-1]
    return _affine(H, A, b)


def stack_weights(n: int, stack: int) -> tuple[np.ndarray, int]:
    """Each row's weight ``1 / size of its stack`` for ``n`` rows cut into stacks of
    ``stack``, and the number of stacks."""
    full, rest = divmod(n, stack)
    c = np.full(n, 1.0 / stack)
    if rest:
        c[full * stack:] = 1.0 / rest
    return c, full + (1 if rest else 0)


class StackLoss:
    """Per-block kernel: (sum over stacks of the mean loss, of the mean gradient, stacks)."""

    def __init__(self, layers: list[int], stack: int):
        self.layers, self.stack = list(layers), int(stack)

    def __call__(self, blk: Block, weights: np.ndarray) -> Any:
        if blk.n == 0:
            return None
        params = unpack(weights, self.layers)
        c, stacks = stack_weights(blk.n, self.stack)
        # forward, keeping every layer's output
        outs = [blk.X]
        for A, b in params[:-1]:
            outs.append(expit(_affine(outs[-1], A, b)))
        A, b = params[-1]
        logits = _affine(outs[-1], A, b)
        labels = blk.y.astype(np.int64)
        rows = np.arange(blk.n)
        loss = -float(c @ log_softmax(logits, axis=1)[rows, labels])
        delta = softmax(logits, axis=1)
        delta[rows, labels] -= 1.0
        delta *= c[:, None]
        grads: list[np.ndarray] = []
        for k in range(len(params) - 1, -1, -1):
            H = outs[k]
            gA = np.asarray(H.T @ delta)
            grads.append(delta.sum(axis=0))
            grads.append(gA.reshape(-1))
            if k:
                delta = (delta @ params[k][0].T) * H * (1.0 - H)
        return np.concatenate(grads[::-1]), loss, stacks


def check_block(layers: list[int], features: str, label: str) -> Callable[[Block], Any]:
    """A per-block check of the training rows against the layers: the vector size against
    the first layer, the labels against the last (Spark's message), before any training."""
    def check(blk: Block) -> str | None:
        if blk.n == 0:
            return None
        if blk.X.shape[1] != layers[0]:
            return (f"the first layer has {layers[0]} inputs but column `{features}` holds "
                    f"vectors of size {blk.X.shape[1]}")
        bad = (blk.y < 0) | (blk.y.astype(np.int64) >= layers[-1])
        if bad.any():
            return (f"Labels MUST be in [0, {layers[-1]}), but got {float(blk.y[bad][0])} in "
                    f"column `{label}` (the last layer has {layers[-1]} outputs, one per class)")
        return None
    return check


def _objective(blocks: TrainingBlocks, kernel: StackLoss,
               stage: str) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    def fun(w: np.ndarray) -> tuple[float, np.ndarray]:
        total = blocks.map_sum(kernel, w)
        if total is None:
            raise SparkException(f"{stage}: the input has no rows to fit on")
        g, loss, stacks = total
        return loss / stacks, g / stacks
    return fun


def train_lbfgs(blocks: TrainingBlocks, layers: list[int], stack: int, w0: np.ndarray,
                max_iter: int, tol: float, stage: str) -> tuple[np.ndarray, list[float]]:
    """L-BFGS as Spark's (Breeze's, history 10), from ``w0``; (weights, objective history)."""
    res = quasi_newton(_objective(blocks, StackLoss(layers, stack), stage), w0, None,
                       int(max_iter), float(tol), owlqn=False)
    return res.x, list(res.objective_history)


def train_gd(blocks: TrainingBlocks, layers: list[int], stack: int, w0: np.ndarray,
             max_iter: int, tol: float, step: float, stage: str) -> tuple[np.ndarray, list[float]]:
    """Spark's gradient descent for the network: every stack each iteration, a constant step
    of ``step`` along the mean gradient; it stops after ``max_iter`` steps or when a step (from
    the second on) moves the weights by less than ``tol`` times their norm (at least 1). The
    history is the objective before each step and, as Spark records it, at the end."""
    fun = _objective(blocks, StackLoss(layers, stack), stage)
    w, history = np.array(w0, dtype=np.float64), []
    for it in range(1, int(max_iter) + 1):
        loss, g = fun(w)
        history.append(loss)
        new = w - step * g
        moved = float(np.linalg.norm(new - w))
        w = new
        if it > 1 and moved < tol * max(float(np.linalg.norm(w)), 1.0):
            break
    history.append(fun(w)[0])
    return w, history
