"""Spark's variant paths (``$``, ``.name``, ``['name']``, ``["name"]``, ``[123]``) and the
edits made at them: get, delete, insert, set, array append and strip nulls, on decoded values.

Edits work on copies; a path that runs into a value of the wrong kind raises
``VARIANT_PATH_TYPE_MISMATCH`` naming the path up to that value, as Spark does.
"""

from __future__ import annotations

import re
from typing import Any

from .variant_codec import VariantError

_SEG = re.compile(r"\.([^.\[]+)|\['([^']*)'\]|\[\"([^\"]*)\"\]|\[(\d+)\]")
_MISSING = object()


def parse_path(path: str) -> list[tuple[Any, int]] | None:
    """The segments of a path, each with where it ends in the text (None if not a path)."""
    if not path.startswith("$"):
        return None
    out, i = [], 1
    while i < len(path):
        m = _SEG.match(path, i)
        if m is None:
            return None
        key = m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None \
            else m.group(3) if m.group(3) is not None else int(m.group(4))
        out.append((key, m.end()))
        i = m.end()
    return out


def get_path_error(path: str, fn: str) -> VariantError:
    return VariantError("INVALID_VARIANT_GET_PATH",
                        f"The path `{path}` is not a valid variant extraction path in ``{fn}``.")


def edit_path_error(path: str, fn: str) -> VariantError:
    return VariantError("INVALID_VARIANT_PATH", f"The path '{path}' is not a valid `{fn}` target.")


def segments(path: str, fn: str, root_ok: bool, get: bool = False) -> list[tuple[Any, int]]:
    segs = parse_path(path)
    if segs is None or (not segs and not root_ok):
        raise get_path_error(path, fn) if get else edit_path_error(path, fn)
    return segs


def get(v: Any, segs: list) -> Any:
    """The value at the path, or ``_MISSING``."""
    for key, _ in segs:
        if isinstance(key, int):
            if not isinstance(v, list) or key >= len(v):
                return _MISSING
        elif not isinstance(v, dict) or key not in v:
            return _MISSING
        v = v[key]
    return v


def missing(v: Any) -> bool:
    return v is _MISSING


def _mismatch(path: str, segs: list, depth: int, fn: str) -> VariantError:
    at = path[:segs[depth - 1][1]] if depth else "$"
    return VariantError("VARIANT_PATH_TYPE_MISMATCH",
                        f"The path '{path}' is incompatible with the variant value at '{at}' in `{fn}`.")


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


def delete(v: Any, segs: list) -> Any:
    """``v`` without the value at the path (unchanged when the path is not there)."""
    *head, (last, _) = segs
    root = _copy(v)
    parent = get(root, head)
    if isinstance(last, int) and isinstance(parent, list) and last < len(parent):
        del parent[last]
    elif isinstance(last, str) and isinstance(parent, dict) and last in parent:
        del parent[last]
    return root


def _fits(container: Any, key: Any) -> bool:
    return isinstance(container, list) if isinstance(key, int) else isinstance(container, dict)


def put(v: Any, segs: list, value: Any, path: str, fn: str, mode: str, create: bool = True) -> Any:
    """``v`` with ``value`` put at the path: ``mode`` "insert" (a new key, or shifting an array),
    or "set" (replace or add). Missing levels are created when ``create``."""
    root = _copy(v)
    cur = root
    for depth, (key, _) in enumerate(segs):
        last = depth == len(segs) - 1
        if not _fits(cur, key):
            raise _mismatch(path, segs, depth, fn)
        present = key < len(cur) if isinstance(key, int) else key in cur
        if last:
            if isinstance(key, int):
                if present:
                    if mode == "insert":
                        cur.insert(key, value)
                    else:
                        cur[key] = value
                elif create:
                    cur.extend([None] * (key - len(cur)))
                    cur.append(value)
            elif present and mode == "insert":
                raise VariantError("VARIANT_DUPLICATE_KEY",
                                   f"Failed to build variant because of a duplicate object key `{key}`.")
            elif present or create:
                cur[key] = value
            return root
        if not present:
            if not create:
                return root
            fresh: Any = [] if isinstance(segs[depth + 1][0], int) else {}
            if isinstance(key, int):
                cur.extend([None] * (key - len(cur)))
                cur.append(fresh)
            else:
                cur[key] = fresh
        cur = cur[key]
    return root


def append(v: Any, segs: list, value: Any, path: str, fn: str) -> Any:
    """``v`` with ``value`` appended to the array at the path (unchanged if the path is absent)."""
    root = _copy(v)
    cur = root
    for depth, (key, _) in enumerate(segs):
        if not _fits(cur, key):
            raise _mismatch(path, segs, depth, fn)
        if (key >= len(cur)) if isinstance(key, int) else (key not in cur):
            return root
        cur = cur[key]
    if not isinstance(cur, list):
        raise _mismatch(path, segs, len(segs), fn)
    cur.append(value)
    return root


def strip_nulls(v: Any, arrays: bool) -> Any:
    """``v`` without null object fields (and null array elements when ``arrays``), recursively."""
    if isinstance(v, dict):
        return {k: strip_nulls(x, arrays) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [strip_nulls(x, arrays) for x in v if x is not None or not arrays]
    return v
