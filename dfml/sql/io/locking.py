"""A commit lock per output path, so that concurrent writers of one path take turns.

Writers prepare their files apart (each in its own temporary directory) and only the final
rename into place happens under the lock: a file ``.<name>._dfml_lock`` beside the target,
created exclusively (``O_EXCL`` locally; an HDFS create without overwrite is exclusive too).
A writer that finds the lock held waits; a lock older than ``STALE_AFTER`` seconds (its
writer died mid-commit) is broken. Commits are renames and small moves, so waits are short.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import socket
import time
from typing import Any, Iterator

__all__ = ["commit_lock", "is_local", "rename_new", "replace_dir", "STALE_AFTER"]

STALE_AFTER = 600.0
_WAIT_FOR = 900.0


def is_local(fs: Any) -> bool:
    protocol = fs.protocol
    return bool({"file", "local"} & ({protocol} if isinstance(protocol, str) else set(protocol)))


def _create_exclusive(fs: Any, path: str, payload: bytes) -> bool:
    """Create ``path`` holding ``payload`` unless it exists; True when this call created it."""
    if is_local(fs):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        return True
    try:
        with fs.open(path, "xb") as f:
            f.write(payload)
        return True
    except FileExistsError:
        return False
    except (ValueError, NotImplementedError):  # no exclusive mode: best effort
        if fs.exists(path):
            return False
        with fs.open(path, "wb") as f:
            f.write(payload)
        return True


def _age(fs: Any, path: str) -> float:
    try:
        with fs.open(path, "rb") as f:
            return time.time() - float(json.loads(f.read().decode())["time"])
    except (OSError, ValueError, KeyError):
        return 0.0


@contextlib.contextmanager
def commit_lock(fs: Any, root: str) -> Iterator[None]:
    parent, name = posixpath.split(root.rstrip("/"))
    lock = posixpath.join(parent, f".{name}._dfml_lock")
    payload = json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                          "time": time.time()}).encode()
    fs.makedirs(parent, exist_ok=True)
    deadline = time.monotonic() + _WAIT_FOR
    delay = 0.01
    while not _create_exclusive(fs, lock, payload):
        if _age(fs, lock) > STALE_AFTER:
            with contextlib.suppress(FileNotFoundError):
                fs.rm(lock)
            continue
        if time.monotonic() > deadline:
            raise TimeoutError(f"the commit lock {lock} of {root} was held for more than "
                               f"{_WAIT_FOR:.0f} s; if no writer is running, remove it")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            fs.rm(lock)


def rename_new(fs: Any, src: str, dest: str) -> None:
    """Rename ``src`` to the path ``dest``, which must not exist."""
    if is_local(fs):
        os.rename(src, dest)  # atomic; refuses a non-empty destination
    else:
        if fs.exists(dest):
            raise FileExistsError(dest)
        fs.mv(src, dest, recursive=True)


def replace_dir(fs: Any, new: str, root: str, job: str) -> None:
    """``new`` in place of ``root``: the old copy is moved aside first and back on failure."""
    parent, name = posixpath.split(root)
    old = posixpath.join(parent, f".{name}._dfml_old_{job}")
    rename_new(fs, root, old)
    try:
        rename_new(fs, new, root)
    except BaseException:
        rename_new(fs, old, root)
        raise
    fs.rm(old, recursive=True)
