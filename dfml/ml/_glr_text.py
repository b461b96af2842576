"""The printed form of a GeneralizedLinearRegression training summary."""

from __future__ import annotations

from typing import Any


def summary_text(summary: Any) -> str:
    return object.__repr__(summary)
