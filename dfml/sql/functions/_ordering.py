"""Sort-order functions: ``F.asc("a")``, ``F.desc_nulls_last("b")`` and the rest."""

from __future__ import annotations

from typing import Any

from ..column import Column
from ._common import col_expr

__all__ = ["asc", "desc", "asc_nulls_first", "asc_nulls_last", "desc_nulls_first", "desc_nulls_last"]


def asc(col: Any) -> Column:
    return Column(col_expr(col)).asc()


def desc(col: Any) -> Column:
    return Column(col_expr(col)).desc()


def asc_nulls_first(col: Any) -> Column:
    return Column(col_expr(col)).asc_nulls_first()


def asc_nulls_last(col: Any) -> Column:
    return Column(col_expr(col)).asc_nulls_last()


def desc_nulls_first(col: Any) -> Column:
    return Column(col_expr(col)).desc_nulls_first()


def desc_nulls_last(col: Any) -> Column:
    return Column(col_expr(col)).desc_nulls_last()
