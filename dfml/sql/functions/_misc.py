"""Functions that fit no other domain: random numbers, ids, hashing."""

from __future__ import annotations

__all__: list[str] = []
