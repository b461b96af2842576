"""``k8s://[namespace]``: a ``DaskCluster`` for the dask-kubernetes operator, from Spark's keys.

The spec is built by ``dask_kubernetes.operator.make_cluster_spec`` and then given what the
Spark keys ask (worker count, cores, memory, environment, image), so ``build_cluster_spec`` is a
pure function that tests check offline. ``start_kube_cluster`` hands the spec to ``KubeCluster``,
which needs a Kubernetes API server with the dask operator installed: it has not been run on the
machine dfml is developed on (no API server or container runtime can run there).

Spark's meanings kept: pods request ``spark.executor.cores`` CPUs (or
``spark.kubernetes.executor.request.cores``) with no CPU limit unless
``spark.kubernetes.executor.limit.cores`` is set; memory request and limit are both the
executor memory plus ``spark.executor.memoryOverhead``. The overhead defaults to 0, unlike
Spark's JVM-sized 10%: a Dask worker's ``--memory-limit`` already covers the whole process, and
its nanny restarts it at 95% of that, before the kernel's OOM killer would.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Mapping

from .config import (EXECUTOR_ENV_PREFIX, Master, check_kube_conf, parse_conf, parse_master,
                     parse_size)
from .kube_pods import apply_pod_settings

DEFAULT_IMAGE = "ghcr.io/dask/dask:latest"
DEFAULT_EXECUTORS = 2          # Spark's default spark.executor.instances on Kubernetes
DEFAULT_EXECUTOR_MEMORY = "1g"  # Spark's default spark.executor.memory
_MAX_NAME = 53  # the operator names the scheduler service "<name>-scheduler" (a 63-char label)


def dns_name(text: str) -> str:
    """An app name as a DNS-1035 label: lower case, ``[a-z0-9-]``, starting with a letter."""
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower())
    name = re.sub(r"-{2,}", "-", name).strip("-")
    if not name:
        return "dfml"
    if not name[0].isalpha():
        name = "dfml-" + name
    return name


def cluster_name(conf: Mapping[str, str], suffix: str = "") -> str:
    """``spark.app.name`` made DNS-safe, short enough for the names the operator derives."""
    base = dns_name(conf.get("spark.app.name", "dfml"))
    room = _MAX_NAME - (len(suffix) + 1 if suffix else 0)
    base = base[:room].rstrip("-")
    return f"{base}-{suffix}" if suffix else base


def memory_quantity(n: int) -> str:
    mib = 1024 ** 2
    return f"{n // mib}Mi" if n % mib == 0 else str(n)


def _worker_resources(conf: Mapping[str, str], memory: int) -> dict[str, dict[str, str]]:
    cores = conf.get("spark.kubernetes.executor.request.cores") or conf.get("spark.executor.cores", "1")
    overhead = parse_size("spark.executor.memoryOverhead", conf["spark.executor.memoryOverhead"]) \
        if conf.get("spark.executor.memoryOverhead") else 0
    pod_memory = memory_quantity(memory + overhead)
    resources = {"requests": {"cpu": str(cores).strip(), "memory": pod_memory},
                 "limits": {"memory": pod_memory}}
    if conf.get("spark.kubernetes.executor.limit.cores"):
        resources["limits"]["cpu"] = str(conf["spark.kubernetes.executor.limit.cores"]).strip()
    return resources


def _scheduler_resources(conf: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The scheduler pod has no Spark counterpart: ``spark.dfml.scheduler.*`` sizes it."""
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if conf.get("spark.dfml.scheduler.cores"):
        requests["cpu"] = str(conf["spark.dfml.scheduler.cores"]).strip()
    if conf.get("spark.dfml.scheduler.memory"):
        q = memory_quantity(parse_size("spark.dfml.scheduler.memory",
                                        conf["spark.dfml.scheduler.memory"]))
        requests["memory"] = limits["memory"] = q
    return {k: v for k, v in (("requests", requests), ("limits", limits)) if v}


def build_cluster_spec(master: str, conf: Mapping[str, str], suffix: str = "") -> dict[str, Any]:
    """The ``DaskCluster`` resource ``k8s://[namespace]`` and ``conf`` ask for (pure)."""
    from dask_kubernetes.operator import make_cluster_spec

    parsed = parse_master(master)
    if parsed.kind != "k8s":
        raise ValueError(f"build_cluster_spec needs a k8s:// master URL, got {master!r}")
    settings = parse_conf(conf)
    check_kube_conf(parsed, conf)
    cores = settings.cores or 1
    memory = settings.memory or parse_size("spark.executor.memory", DEFAULT_EXECUTOR_MEMORY)
    image = conf.get("spark.kubernetes.container.image", DEFAULT_IMAGE).strip()
    env = {k[len(EXECUTOR_ENV_PREFIX):]: str(v) for k, v in conf.items() if k.startswith(EXECUTOR_ENV_PREFIX)}
    spec = make_cluster_spec(
        name=cluster_name(conf, suffix),
        image=image,
        n_workers=settings.start_workers(default=DEFAULT_EXECUTORS),
        resources=_worker_resources(conf, memory),
        env=env,
        worker_command=f"dask worker --nthreads {cores} --memory-limit {memory}",
    )
    spec["metadata"]["namespace"] = namespace(parsed, conf)
    worker = spec["spec"]["worker"]["spec"]["containers"][0]
    scheduler = spec["spec"]["scheduler"]["spec"]["containers"][0]
    worker["image"] = conf.get("spark.kubernetes.executor.container.image", image).strip()
    # spark.executorEnv is the executors' environment: the scheduler keeps its own.
    scheduler["env"] = []
    scheduler["resources"] = _scheduler_resources(conf)
    policy = conf.get("spark.kubernetes.container.image.pullPolicy")
    if policy:
        worker["imagePullPolicy"] = scheduler["imagePullPolicy"] = policy
    return apply_pod_settings(spec, conf)  # service accounts, node selectors, tolerations...


def namespace(master: Master, conf: Mapping[str, str]) -> str:
    """The URL's namespace, else ``spark.kubernetes.namespace``, else ``default`` (Spark's)."""
    return master.namespace or conf.get("spark.kubernetes.namespace") or "default"


def autoscaler_bounds(conf: Mapping[str, str]) -> tuple[int, int] | None:
    """``(minimum, maximum)`` for ``KubeCluster.adapt``, or None without dynamic allocation."""
    settings = parse_conf(conf)
    if not settings.dynamic:
        return None
    lo, hi = settings.adapt_bounds(default_max=None)
    assert hi is not None  # check_kube_conf requires maxExecutors
    return lo, hi


def manifests(master: str, conf: Mapping[str, str], suffix: str = "") -> list[dict[str, Any]]:
    """The resources ``k8s://`` would create, in order: the ``DaskCluster``, then (with dynamic
    allocation) the ``DaskAutoscaler`` that ``KubeCluster.adapt`` makes. ``dfml submit
    --dry-run`` prints them; a real run names them with a random suffix."""
    spec = build_cluster_spec(master, conf, suffix=suffix)
    out = [spec]
    bounds = autoscaler_bounds(conf)
    if bounds is not None:
        name = spec["metadata"]["name"]
        out.append({"apiVersion": "kubernetes.dask.org/v1", "kind": "DaskAutoscaler",
                    "metadata": {"name": name, "namespace": spec["metadata"]["namespace"]},
                    "spec": {"cluster": name, "minimum": bounds[0], "maximum": bounds[1]}})
    return out


def start_kube_cluster(master: str, conf: Mapping[str, str]) -> Any:
    """Create the ``DaskCluster`` and return a ``ClusterHandle`` that deletes it on close.

    Not run on dfml's development machine (no Kubernetes there); the spec it submits is the
    tested output of ``build_cluster_spec``. The name gets a random suffix and the cluster is
    created, never joined, so two runs of one app do not share workers.
    """
    from dask_kubernetes.operator import KubeCluster
    from dask_kubernetes.operator.kubecluster.kubecluster import CreateMode
    from distributed import Client

    from .handle import ClusterHandle

    parsed = parse_master(master)
    spec = build_cluster_spec(master, conf, suffix=secrets.token_hex(3))
    bounds = autoscaler_bounds(conf)
    name, ns = spec["metadata"]["name"], spec["metadata"]["namespace"]
    try:
        cluster = KubeCluster(custom_cluster_spec=spec, namespace=ns,
                              create_mode=CreateMode.CREATE_ONLY, shutdown_on_close=True,
                              quiet=True)
    except Exception as e:
        # The half-made cluster stays in dask-kubernetes' registry and its exit hook would try
        # (and fail, noisily) to delete it: nothing was created, so drop it from there.
        for c in list(getattr(KubeCluster, "_instances", ())):
            if getattr(c, "name", None) == name:
                KubeCluster._instances.discard(c)
        raise ConnectionError(
            f"{master}: could not create DaskCluster {name!r} in namespace {ns!r}: {e} "
            "(dfml uses the current kubeconfig context, and the dask-kubernetes operator must "
            "be installed in the cluster)") from e
    try:
        if bounds is not None:
            cluster.adapt(minimum=bounds[0], maximum=bounds[1])
        client = Client(cluster, set_as_default=True)
    except BaseException:
        cluster.close()
        raise
    return ClusterHandle(client, cluster, parsed.url)
