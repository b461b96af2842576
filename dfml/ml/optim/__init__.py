"""Numerics of the iterative estimators: training blocks held on the cluster, per-block loss
and gradient kernels, and the penalized minimizer that drives them."""

from .blocks import Block, TrainingBlocks
from .minimize import MinimizeResult, minimize_bounded, minimize_penalized

__all__ = ["Block", "TrainingBlocks", "MinimizeResult", "minimize_penalized", "minimize_bounded"]
