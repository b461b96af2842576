"""``dfml submit --master k8s://... --deploy-mode cluster``: the driver in a pod, as a ``DaskJob``.

Spark's cluster mode on Kubernetes runs the driver in a pod and the application file is
``local://`` (already inside the image). The dask-kubernetes operator does the same with a
``DaskJob``: it creates the ``DaskCluster`` (named after the job) and a job-runner pod whose
containers get ``DASK_SCHEDULER_ADDRESS``; when that pod ends, the cluster is deleted. The
runner here is ``dfml run --master $(DASK_SCHEDULER_ADDRESS) SCRIPT ARGS`` (Kubernetes expands
``$(VAR)`` in container arguments), with the application's own settings as ``--conf`` and
without the ones that shaped the cluster (on a ``tcp://`` master they would only be warned
about).

The runner pod takes Spark's driver settings: ``spark.kubernetes.driver.container.image``
(else the common image), ``spark.driver.memory``/``spark.driver.cores`` (+ overhead, as for
executors) and the scheduler-side pod settings of ``kube_pods`` (service account, node
selector, tolerations, labels, annotations, pull secrets).

``build_job_spec`` is pure (tests validate it against the operator's ``DaskJob`` CRD);
``submit_job`` creates it through kr8s, which dask-kubernetes uses. No Kubernetes runs on dfml's
development machine, so ``submit_job`` has only been run against none (a clear error).
"""

from __future__ import annotations

import secrets
from typing import Any, Mapping

from .errors import ConfigError
from .kube_pods import SCHEDULER, apply_role
from .config import parse_size
from .kubernetes import DEFAULT_IMAGE, autoscaler_bounds, build_cluster_spec, memory_quantity

LOCAL = "local://"
# What shaped the cluster: not passed on to the runner's session.
_CLUSTER_PREFIXES = ("spark.master", "spark.submit.deployMode", "spark.executor.",
                     "spark.executorEnv.", "spark.dynamicAllocation.", "spark.kubernetes.",
                     "spark.dfml.kubernetes.", "spark.dfml.scheduler.", "spark.driver.")


def script_in_image(script: str) -> str:
    """``local:///opt/app/job.py`` -> ``/opt/app/job.py``; anything else is refused."""
    if not script.startswith(LOCAL) or not script[len(LOCAL):].startswith("/"):
        raise ConfigError(
            f"--deploy-mode cluster on Kubernetes runs the script inside the image: name it "
            f"local:///path/in/image.py (as Spark does), not {script!r}")
    return script[len(LOCAL):]


def _runner_conf(conf: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for key in sorted(conf):
        if not key.startswith(_CLUSTER_PREFIXES):
            args += ["--conf", f"{key}={conf[key]}"]
    return args


def _driver_resources(conf: Mapping[str, str]) -> dict[str, dict[str, str]]:
    memory = parse_size("spark.driver.memory", conf.get("spark.driver.memory", "1g"))
    if conf.get("spark.driver.memoryOverhead"):
        memory += parse_size("spark.driver.memoryOverhead", conf["spark.driver.memoryOverhead"])
    quantity = memory_quantity(memory)
    cores = str(conf.get("spark.driver.cores", "1")).strip()
    return {"requests": {"cpu": cores, "memory": quantity}, "limits": {"memory": quantity}}


def build_job_spec(master: str, conf: Mapping[str, str], script: str, args: list[str],
                   suffix: str = "") -> dict[str, Any]:
    """The ``DaskJob`` that runs ``script`` (``local://`` in the image) on its own cluster."""
    path = script_in_image(script)
    cluster = build_cluster_spec(master, conf, suffix=suffix)
    image = str(conf.get("spark.kubernetes.driver.container.image")
                or conf.get("spark.kubernetes.container.image", DEFAULT_IMAGE)).strip()
    if not image:
        raise ConfigError("spark.kubernetes.driver.container.image: an image name is needed")
    container: dict[str, Any] = {
        "name": "job", "image": image,
        "args": ["dfml", "run", "--master", "$(DASK_SCHEDULER_ADDRESS)", *_runner_conf(conf),
                 path, *args],
        "resources": _driver_resources(conf)}
    policy = conf.get("spark.kubernetes.container.image.pullPolicy")
    if policy:
        container["imagePullPolicy"] = policy
    # The runner is the driver: it takes the driver-side pod settings, as the scheduler does.
    job = apply_role({"spec": {"containers": [container], "restartPolicy": "Never"}}, conf,
                     SCHEDULER)
    meta = cluster["metadata"]
    return {"apiVersion": "kubernetes.dask.org/v1", "kind": "DaskJob",
            "metadata": dict(meta),
            "spec": {"job": job, "cluster": {"spec": cluster["spec"]}}}


def job_manifests(master: str, conf: Mapping[str, str], script: str, args: list[str],
                  suffix: str = "") -> list[dict[str, Any]]:
    """The ``DaskJob``, then (dynamic allocation) a ``DaskAutoscaler`` for the job's cluster,
    which the operator names after the job."""
    job = build_job_spec(master, conf, script, args, suffix=suffix)
    out = [job]
    bounds = autoscaler_bounds(conf)
    if bounds is not None:
        name = job["metadata"]["name"]
        out.append({"apiVersion": "kubernetes.dask.org/v1", "kind": "DaskAutoscaler",
                    "metadata": {"name": name, "namespace": job["metadata"]["namespace"]},
                    "spec": {"cluster": name, "minimum": bounds[0], "maximum": bounds[1]}})
    return out


def submit_job(master: str, conf: Mapping[str, str], script: str, args: list[str],
               out: Any = None) -> int:
    """Create the job's resources (random name suffix); print their names; exit code 0.

    Like ``spark-submit`` with ``spark.kubernetes.submission.waitAppCompletion=false``: the job
    runs on in the cluster; ``kubectl logs`` of its runner pod shows the driver's output.
    """
    import sys

    import kr8s

    out = out or sys.stderr
    docs = job_manifests(master, conf, script, args, suffix=secrets.token_hex(3))
    name, ns = docs[0]["metadata"]["name"], docs[0]["metadata"]["namespace"]
    try:
        api = kr8s.api(namespace=ns)
        for doc in docs:
            kind = kr8s.objects.new_class(doc["kind"], "kubernetes.dask.org/v1", namespaced=True)
            kind(doc, api=api).create()
    except Exception as e:
        raise ConnectionError(
            f"{master}: could not create DaskJob {name!r} in namespace {ns!r}: {e} (dfml uses the "
            "current kubeconfig context; the dask-kubernetes operator must be installed)") from e
    print(f"dfml submit: DaskJob {name} created in namespace {ns}; its driver's output: "
          f"kubectl logs -n {ns} {name}-runner", file=out, flush=True)
    return 0


__all__ = ["build_job_spec", "job_manifests", "script_in_image", "submit_job"]
