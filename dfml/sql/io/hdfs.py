"""``hdfs://`` paths through fsspec and hdfs-native (a Rust HDFS client: no JVM, no libhdfs).

hdfs-native retries a NameNode it cannot reach without end, so a wrong address or a stopped
cluster would hang the first read. Before the first use of a NameNode address (and again after
``_OK_FOR`` seconds) dfml makes one NameNode call with a deadline and fails with an error
naming the address. Block reads and writes get a socket timeout too.

``hdfs:///path`` (no host) uses ``fs.defaultFS`` from ``$HADOOP_CONF_DIR/core-site.xml``, and
an HA name service resolves through ``hdfs-site.xml``, as hdfs-native itself reads them.

Timeouts: ``DFML_HDFS_CONNECT_TIMEOUT`` (seconds, default 10) for the NameNode probe and
``dfs.client.socket-timeout`` (milliseconds, default 60000) for data transfers.
"""

from __future__ import annotations

import os
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlparse

import fsspec

_OK_FOR = 30.0
_checked: dict[tuple[str, int], float] = {}
DEFAULT_PORT = 8020


def _site(name: str) -> dict[str, str]:
    conf_dir = os.environ.get("HADOOP_CONF_DIR")
    if not conf_dir:
        return {}
    try:
        root = ET.parse(os.path.join(conf_dir, name)).getroot()
    except (OSError, ET.ParseError):
        return {}
    out = {}
    for prop in root.iter("property"):
        k, v = prop.findtext("name"), prop.findtext("value")
        if k is not None and v is not None:
            out[k.strip()] = v.strip()
    return out


def namenode_addresses(path: str) -> list[tuple[str, int]]:
    """The NameNode RPC addresses ``path`` talks to (several for an HA name service)."""
    url = urlparse(path)
    authority = url.netloc
    if not authority:
        default = _site("core-site.xml").get("fs.defaultFS", "")
        if not default.startswith("hdfs://"):
            raise ValueError(f"{path}: no NameNode in the path and no hdfs:// fs.defaultFS in "
                             "$HADOOP_CONF_DIR/core-site.xml")
        authority = urlparse(default).netloc
    host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if port:
        return [(host, int(port))]
    hdfs_site = _site("hdfs-site.xml")
    names = hdfs_site.get(f"dfs.ha.namenodes.{host}")
    if names:
        out = []
        for nn in names.split(","):
            addr = hdfs_site.get(f"dfs.namenode.rpc-address.{host}.{nn.strip()}", "")
            h, _, p = addr.rpartition(":")
            if h and p.isdigit():
                out.append((h, int(p)))
        if out:
            return out
    return [(host, DEFAULT_PORT)]


def check_reachable(path: str, fs: Any, timeout: float | None = None) -> None:
    """Fail within ``timeout`` seconds, naming the address, unless a NameNode of ``path`` answers.

    The probe is one real NameNode call (the status of ``/``) in a daemon thread: a TCP connect
    alone proves nothing where a firewall or proxy accepts every connection and never answers.
    """
    import threading

    if timeout is None:
        timeout = float(os.environ.get("DFML_HDFS_CONNECT_TIMEOUT", "10"))
    addresses = namenode_addresses(path)
    now = time.monotonic()
    if any(now - _checked.get(a, -1e9) < _OK_FOR for a in addresses):
        return
    outcome: dict[str, Any] = {}

    def probe() -> None:
        try:
            fs.info("/")
            outcome["ok"] = True
        except FileNotFoundError:
            outcome["ok"] = True
        except BaseException as e:  # noqa: BLE001 - reported below
            outcome["error"] = e

    thread = threading.Thread(target=probe, name="dfml-hdfs-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    named = ", ".join(f"{h}:{p}" for h, p in addresses)
    if outcome.get("ok"):
        for a in addresses:
            _checked[a] = time.monotonic()
        return
    if "error" in outcome:
        e = outcome["error"]
        raise ConnectionError(f"HDFS NameNode {named} for {path} failed: "
                              f"{type(e).__name__}: {e}") from None
    raise ConnectionError(f"HDFS NameNode {named} did not answer within {timeout:g} s for {path} "
                          "(DFML_HDFS_CONNECT_TIMEOUT)")


def url_to_fs(path: str) -> tuple[Any, str]:
    """fsspec's hdfs-native filesystem for ``path`` and the path inside it."""
    try:
        import hdfs_native.fsspec  # noqa: F401 - registers hdfs:// and viewfs://
    except ImportError:
        raise ImportError("hdfs:// paths need hdfs-native: pip install 'dfml[yarn]'") from None
    options = {"dfs.client.socket-timeout":
               os.environ.get("DFML_HDFS_SOCKET_TIMEOUT_MS", "60000")}
    cls = fsspec.get_filesystem_class(fsspec.core.split_protocol(path)[0] or "hdfs")
    key = (cls.__name__, _authority(path), tuple(sorted(options.items())))
    fs = _CLIENTS.get(key)
    if fs is None:
        # kept out of fsspec's instance cache: fsspec clears that cache in every forked child
        # (os.register_at_fork), and dropping hdfs-native's Rust client there waits forever on
        # runtime threads the child does not have; a fork with Python handlers (PySpark's
        # gateway launch, any Popen with preexec_fn) then hangs in the child
        fs = cls(**cls._get_kwargs_from_urls(path), **options, skip_instance_cache=True)
        _CLIENTS[key] = fs
    root = cls._strip_protocol(path)
    check_reachable(path, fs)
    return fs, root


_CLIENTS: dict[tuple, Any] = {}


def _authority(path: str) -> str:
    rest = path.split("://", 1)[1] if "://" in path else ""
    return rest.split("/", 1)[0]
