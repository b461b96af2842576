"""Master URLs and Spark-style settings, read and checked before any cluster starts.

A wrong value found after a cluster is up costs a start-up (minutes on YARN or Kubernetes) and
can leave resources behind, so every key dfml gives a meaning to is parsed here first, and every
error names the key and the value it could not use.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping

from .errors import ConfigError, MasterURLError
from .kube_pods import check_pod_conf


# ------------------------------------------------------------------ master URLs
@dataclass(frozen=True)
class Master:
    """A parsed master URL: which kind of cluster, and the part of the URL that kind needs."""

    kind: str                     # "local", "tcp", "yarn" or "k8s"
    url: str
    cores: int | None = None      # local[N]: N
    namespace: str | None = None  # k8s://NAMESPACE


_LOCAL = re.compile(r"^local(?:\[(\*|\d+)(?:,\s*\d+)?\])?$")
_TCP = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?/?$")
# A Kubernetes namespace is a DNS-1123 label.
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")

MASTER_FORMS = "local, local[N], local[*], tcp://host:port, yarn or k8s://[namespace]"


def parse_local(master: str) -> int:
    """Workers for a ``local`` master URL (one single-threaded worker process per core asked)."""
    m = _LOCAL.match(master.strip())
    if not m:
        raise MasterURLError(f"master URL {master!r} is not local, local[N] or local[*]")
    n = m.group(1)
    if n is None:
        return 1
    if n == "*":
        return os.cpu_count() or 1
    if int(n) <= 0:
        raise MasterURLError(f"master URL {master!r}: the number of cores must be positive")
    return int(n)


def parse_master(url: str | None) -> Master:
    """Read a master URL; anything not in ``MASTER_FORMS`` is an error naming the URL."""
    url = (url or "local[*]").strip()
    if url.startswith("local"):
        return Master("local", url, cores=parse_local(url))
    if url.startswith(("tcp:", "tls:")):
        if not _TCP.match(url):
            raise MasterURLError(f"master URL {url!r} is not a scheduler address such as "
                                 "tcp://host:8786")
        return Master("tcp", url.rstrip("/"))
    if url == "yarn":
        return Master("yarn", url)
    if url.startswith("k8s://"):
        return Master("k8s", url, namespace=_k8s_namespace(url))
    raise MasterURLError(f"unknown master URL {url!r}: use {MASTER_FORMS}")


def _k8s_namespace(url: str) -> str | None:
    """``k8s://`` uses kubeconfig's namespace; ``k8s://NAME`` names one.

    Spark's ``k8s://https://host:6443`` names the API server instead. dfml reaches Kubernetes
    through the kubeconfig context (as kubectl does), so such a URL is refused rather than
    silently talking to whichever cluster the context points at.
    """
    rest = url[len("k8s://"):].strip("/")
    if not rest:
        return None
    if ":" in rest or "." in rest or "/" in rest:
        raise MasterURLError(
            f"master URL {url!r}: dfml reaches Kubernetes through the current kubeconfig context, "
            "not an API server address; use k8s:// or k8s://NAMESPACE and pick the cluster "
            "with `kubectl config use-context`")
    if not _DNS_LABEL.match(rest):
        raise MasterURLError(f"master URL {url!r}: {rest!r} is not a Kubernetes namespace "
                             "(lower-case letters, digits and '-', at most 63)")
    return rest


# ------------------------------------------------------------------ values
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgtp]?)(b?)$")


def parse_size(key: str, value: str, default_unit: str = "m") -> int:
    """Bytes for a Spark size string: ``512m``, ``2g``, ``1.5g``, ``2048`` (MiB, as in Spark).

    Units are binary (``1g`` is 1024 MiB), as in Spark's JVM memory strings. Spark rejects
    fractions; dfml accepts them (``1.5g``) since nothing is lost by doing so.
    """
    text = str(value).strip().lower()
    m = _SIZE.match(text)
    if not m:
        raise ConfigError(f"{key}={value!r}: not a size such as 512m, 2g or 1.5g")
    unit = m.group(2) or ("" if m.group(3) else default_unit)
    size = float(m.group(1)) * 1024 ** " kmgtp".index(unit or " ")
    if size < 1:
        raise ConfigError(f"{key}={value!r}: must be a positive size such as 512m or 2g")
    return int(size)


def parse_int(key: str, value: str, minimum: int = 1) -> int:
    """A whole number of at least ``minimum``, or an error naming key and value."""
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{key}={value!r}: not a whole number") from None
    if n < minimum:
        raise ConfigError(f"{key}={value!r}: must be at least {minimum}")
    return n


def parse_bool(key: str, value: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise ConfigError(f"{key}={value!r}: must be true or false")


def parse_seconds(key: str, value: str) -> float:
    """Seconds, as a plain number or with Spark's ``s``/``ms``/``min`` suffix (``10``, ``10s``)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)?", str(value).strip().lower())
    if not m:
        raise ConfigError(f"{key}={value!r}: not a duration such as 10 or 10s")
    scale = {"ms": 0.001, None: 1, "s": 1, "m": 60, "min": 60, "h": 3600}[m.group(2)]
    seconds = float(m.group(1)) * scale
    if seconds <= 0:
        raise ConfigError(f"{key}={value!r}: must be positive")
    return seconds


# ------------------------------------------------------------------ executors
@dataclass(frozen=True)
class ExecutorConfig:
    """What the Spark keys ask of the workers, already checked.

    ``None`` means "not set": each cluster kind chooses its own default then.
    """

    instances: int | None = None
    cores: int | None = None
    memory: int | None = None            # bytes
    dynamic: bool = False
    min_executors: int = 0
    max_executors: int | None = None     # None: no upper bound was asked
    initial_executors: int | None = None
    deploy_mode: str = "client"
    connect_timeout: float = 10.0
    local_processes: bool | None = None  # spark.dfml.local.processes; None: the default kind

    def adapt_bounds(self, default_max: int | None) -> tuple[int, int | None]:
        """``(minimum, maximum)`` for ``cluster.adapt`` under dynamic allocation."""
        maximum = self.max_executors if self.max_executors is not None else default_max
        if maximum is not None:
            maximum = max(maximum, self.min_executors)
        return self.min_executors, maximum

    def start_workers(self, default: int) -> int:
        """Workers to start with: Spark's rule for the initial executor count."""
        if not self.dynamic:
            return self.instances if self.instances is not None else default
        return max(self.min_executors, self.initial_executors or 0, self.instances or 0)


DEPLOY_MODES = ("client", "cluster")


def parse_conf(conf: Mapping[str, str] | None) -> ExecutorConfig:
    """Check every key dfml gives a meaning to; unknown keys pass untouched (as in Spark)."""
    conf = conf or {}
    get = conf.get
    instances = cores = memory = None
    dynamic = parse_bool("spark.dynamicAllocation.enabled",
                         get("spark.dynamicAllocation.enabled", "false"))
    if get("spark.executor.instances") is not None:
        # As in Spark, zero executors is a start only dynamic allocation can grow from.
        instances = parse_int("spark.executor.instances", get("spark.executor.instances"),
                              0 if dynamic else 1)
    if get("spark.executor.cores") is not None:
        cores = parse_int("spark.executor.cores", get("spark.executor.cores"), 1)
    if get("spark.executor.memory") is not None:
        memory = parse_size("spark.executor.memory", get("spark.executor.memory"))
    for key in ("spark.executor.memoryOverhead", "spark.driver.memory"):
        if get(key) is not None:
            parse_size(key, get(key))
    if get("spark.driver.cores") is not None:
        parse_int("spark.driver.cores", get("spark.driver.cores"), 1)

    lo = parse_int("spark.dynamicAllocation.minExecutors",
                   get("spark.dynamicAllocation.minExecutors", "0"), 0)
    hi = initial = None
    if get("spark.dynamicAllocation.maxExecutors") is not None:
        hi = parse_int("spark.dynamicAllocation.maxExecutors",
                       get("spark.dynamicAllocation.maxExecutors"), 1)
        if lo > hi:
            raise ConfigError(f"spark.dynamicAllocation.minExecutors={lo} is greater than "
                              f"spark.dynamicAllocation.maxExecutors={hi}")
    if get("spark.dynamicAllocation.initialExecutors") is not None:
        initial = parse_int("spark.dynamicAllocation.initialExecutors",
                            get("spark.dynamicAllocation.initialExecutors"), 0)
        if initial < lo or (hi is not None and initial > hi):
            raise ConfigError(f"spark.dynamicAllocation.initialExecutors={initial} is outside "
                              f"[minExecutors={lo}, maxExecutors={hi if hi is not None else 'inf'}]")

    for key in ("spark.dynamicAllocation.executorIdleTimeout",
                "spark.dynamicAllocation.schedulerBacklogTimeout"):
        if get(key) is not None:
            parse_seconds(key, get(key))

    mode = str(get("spark.submit.deployMode", "client")).strip().lower()
    if mode not in DEPLOY_MODES:
        raise ConfigError(f"spark.submit.deployMode={get('spark.submit.deployMode')!r}: "
                          "must be client or cluster")
    timeout = parse_seconds("spark.dfml.connectTimeout", get("spark.dfml.connectTimeout", "10"))
    if get("spark.dfml.progress") is not None:
        parse_bool("spark.dfml.progress", get("spark.dfml.progress"))
    processes = None
    if get("spark.dfml.local.processes") is not None:
        processes = parse_bool("spark.dfml.local.processes", get("spark.dfml.local.processes"))
    return ExecutorConfig(instances=instances, cores=cores, memory=memory, dynamic=dynamic,
                          min_executors=lo, max_executors=hi, initial_executors=initial,
                          deploy_mode=mode, connect_timeout=timeout, local_processes=processes)


def check(master: str | None, conf: Mapping[str, str] | None) -> tuple[Master, ExecutorConfig]:
    """Parse both the master URL and the settings; raises before anything is started."""
    parsed = parse_master(master)
    settings = parse_conf(conf)
    if parsed.kind == "k8s":
        check_kube_conf(parsed, conf or {})
    return parsed, settings


# ------------------------------------------------------------------ Kubernetes-only settings
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
EXECUTOR_ENV_PREFIX = "spark.executorEnv."


def check_kube_conf(master: Master, conf: Mapping[str, str]) -> None:
    """Refuse the Kubernetes-specific values a spec could not carry (before anything starts)."""
    ns = conf.get("spark.kubernetes.namespace")
    if ns is not None and master.namespace is not None and ns != master.namespace:
        raise ConfigError(f"spark.kubernetes.namespace={ns!r} contradicts the master URL "
                          f"{master.url!r}; give the namespace once")
    if ns is not None and not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", ns):
        raise ConfigError(f"spark.kubernetes.namespace={ns!r}: not a Kubernetes namespace")
    for key in ("spark.kubernetes.executor.request.cores", "spark.kubernetes.executor.limit.cores",
                "spark.dfml.scheduler.cores"):
        if conf.get(key) is not None and not _CPU.match(str(conf[key]).strip()):
            raise ConfigError(f"{key}={conf[key]!r}: not a CPU quantity such as 1, 0.5 or 500m")
    policy = conf.get("spark.kubernetes.container.image.pullPolicy")
    if policy is not None and policy not in PULL_POLICIES:
        raise ConfigError(f"spark.kubernetes.container.image.pullPolicy={policy!r}: "
                          f"must be one of {', '.join(PULL_POLICIES)}")
    for key in ("spark.kubernetes.container.image", "spark.kubernetes.executor.container.image"):
        if key in conf and not str(conf[key]).strip():
            raise ConfigError(f"{key}={conf[key]!r}: an image name is needed")
    check_pod_conf(conf)
    settings = parse_conf(conf)
    if settings.dynamic and settings.max_executors is None:
        raise ConfigError("spark.dynamicAllocation.enabled=true on k8s:// needs "
                          "spark.dynamicAllocation.maxExecutors: the operator's autoscaler "
                          "requires a maximum")
    if conf.get("spark.dfml.scheduler.memory") is not None:
        parse_size("spark.dfml.scheduler.memory", conf["spark.dfml.scheduler.memory"])
    for key in conf:
        if key.startswith(EXECUTOR_ENV_PREFIX) and not _ENV_NAME.match(key[len(EXECUTOR_ENV_PREFIX):]):
            raise ConfigError(f"{key}: {key[len(EXECUTOR_ENV_PREFIX):]!r} is not an environment "
                              "variable name")

