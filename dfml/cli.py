"""The ``dfml`` command: ``run``, ``submit`` (spark-submit's flags), ``pack``, ``version``, and
``check``/``port`` for PySpark code (parsed here, run by ``dfml.porting.commands``).

``dfml submit`` reads its flags as spark-submit does: each flag is a Spark key
(``--num-executors`` is ``spark.executor.instances``...), an explicit flag wins over ``--conf``
for the same key, and ``--conf`` wins over ``--properties-file``. In client mode the script runs
in this process; the settings reach its ``SparkSession.builder`` as defaults through
``DFML_MASTER`` and ``DFML_CONF`` (JSON), so, as with spark-submit, what the script sets itself
wins. In cluster mode (YARN only) the script is handed to ``dfml.cluster.yarn``. The exit code is
the application's.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Callable

# Flags holding one value: the flag replaces what --conf gave for its key.
SCALAR_FLAGS = {
    "master": "spark.master",
    "deploy_mode": "spark.submit.deployMode",
    "name": "spark.app.name",
    "num_executors": "spark.executor.instances",
    "executor_cores": "spark.executor.cores",
    "executor_memory": "spark.executor.memory",
    "driver_memory": "spark.driver.memory",
    "driver_cores": "spark.driver.cores",
    "queue": "spark.yarn.queue",
}
# Flags holding comma-separated lists: the flag's entries are added to the --conf value.
LIST_FLAGS = {
    "py_files": "spark.submit.pyFiles",
    "files": "spark.files",
    "archives": "spark.archives",
}
# On YARN, Spark also passes --files and --archives as the YARN distributed-cache keys.
YARN_LIST_FLAGS = {
    "files": "spark.yarn.dist.files",
    "archives": "spark.yarn.dist.archives",
}


class UsageError(ValueError):
    """A command line dfml cannot run (printed as ``dfml <command>: error: ...``, exit 2)."""


# ------------------------------------------------------------------ settings from the command line
def parse_conf_pairs(items: list[str]) -> dict[str, str]:
    """``--conf key=value`` items; the value may itself contain ``=``."""
    conf: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--conf takes key=value, got {item!r}")
        conf[key.strip()] = value
    return conf


def read_properties_file(path: str) -> dict[str, str]:
    """A spark-defaults.conf style file: ``key value`` or ``key=value`` lines, ``#`` comments."""
    conf: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise UsageError(f"--properties-file {path}: {e.strerror}") from None
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        parts = re.split(r"\s*=\s*|\s+", line, maxsplit=1)
        if len(parts) != 2:
            raise UsageError(f"--properties-file {path}: no value in line {line!r}")
        conf[parts[0]] = parts[1].strip()
    return conf


def _append(conf: dict[str, str], key: str, value: str) -> None:
    entries = [e for e in conf.get(key, "").split(",") + value.split(",") if e.strip()]
    conf[key] = ",".join(entries)


def build_submit_conf(ns: argparse.Namespace) -> dict[str, str]:
    """The settings a ``dfml submit`` command line asks for (pure: reads no cluster)."""
    conf = read_properties_file(ns.properties_file) if ns.properties_file else {}
    conf.update(parse_conf_pairs(ns.conf))
    for dest, key in SCALAR_FLAGS.items():
        if getattr(ns, dest) is not None:
            conf[key] = str(getattr(ns, dest))
    for dest, key in LIST_FLAGS.items():
        if getattr(ns, dest):
            _append(conf, key, getattr(ns, dest))
    conf.setdefault("spark.master", os.environ.get("DFML_MASTER") or "local[*]")
    conf.setdefault("spark.submit.deployMode", "client")
    conf.setdefault("spark.app.name", os.path.basename(ns.script))  # as spark-submit names apps
    if conf["spark.master"].strip() == "yarn":
        for dest, key in YARN_LIST_FLAGS.items():
            if getattr(ns, dest):
                _append(conf, key, getattr(ns, dest))
    return conf


def _check_local_files(script: str, conf: dict[str, str]) -> None:
    if not os.path.isfile(script):
        raise UsageError(f"no such script: {script}")
    for path in conf.get("spark.submit.pyFiles", "").split(","):
        if path.strip() and "://" not in path and not os.path.exists(path.strip()):
            raise UsageError(f"--py-files: no such file {path.strip()!r}")


# ------------------------------------------------------------------ commands
def submit(ns: argparse.Namespace) -> Callable[[], int]:
    """``dfml submit``: check everything, then run the script here or hand it to YARN."""
    from .cluster.config import check
    from .cluster.driver import run_script

    conf = build_submit_conf(ns)
    master, settings = check(conf["spark.master"], conf)
    in_pod = master.kind == "k8s" and settings.deploy_mode == "cluster"
    if not in_pod:  # on Kubernetes' cluster mode the script is local:// (in the image)
        _check_local_files(ns.script, conf)
    if ns.verbose:
        for key in sorted(conf):
            print(f"{key}={conf[key]}", file=sys.stderr)
    if in_pod:
        from .cluster import kube_job
        if ns.dry_run:
            return _print_manifests(kube_job.job_manifests(conf["spark.master"], conf,
                                                           ns.script, list(ns.args)))
        kube_job.build_job_spec(conf["spark.master"], conf, ns.script, list(ns.args))  # checks
        return lambda: _submit_to_kubernetes(conf, ns.script, list(ns.args))
    if ns.dry_run:
        return _dry_run(master, conf)
    if settings.deploy_mode == "cluster":
        if master.kind != "yarn":
            raise UsageError(
                f"--deploy-mode cluster does not apply to master {master.url!r}: only YARN and "
                "Kubernetes can place the driver in the cluster in dfml; use --deploy-mode "
                "client (the default), which runs the script here against that master")
        return lambda: _submit_to_yarn(ns.script, list(ns.args), conf)
    return lambda: run_script(ns.script, list(ns.args), conf)


def _dry_run(master, conf: dict[str, str]) -> Callable[[], int]:
    """``--dry-run``: print the Kubernetes resources a k8s:// run would create, run nothing."""
    if master.kind != "k8s":
        raise UsageError(f"--dry-run prints Kubernetes manifests: it needs a k8s:// master, "
                         f"not {master.url!r}")
    from .cluster.kubernetes import manifests
    return _print_manifests(manifests(conf["spark.master"], conf))


def _print_manifests(docs: list) -> Callable[[], int]:
    import yaml
    return lambda: print(yaml.safe_dump_all(docs, sort_keys=False), end="") or 0


def _submit_to_kubernetes(conf: dict[str, str], script: str, args: list[str]) -> int:
    from .cluster.kube_job import submit_job
    try:
        return submit_job(conf["spark.master"], conf, script, args)
    except ConnectionError as e:
        print(f"dfml submit: {e}", file=sys.stderr)
        return 1


def _submit_to_yarn(script: str, args: list[str], conf: dict[str, str]) -> int:
    from .cluster.yarn import submit_cluster_mode
    return submit_cluster_mode(script, args, conf)


def run(ns: argparse.Namespace) -> Callable[[], int]:
    """``dfml run``: ``python app.py``, optionally with a master and settings."""
    from .cluster.config import check
    from .cluster.driver import run_script

    conf = parse_conf_pairs(ns.conf)
    if ns.master:
        conf["spark.master"] = ns.master
    check(conf.get("spark.master", os.environ.get("DFML_MASTER")), conf)
    _check_local_files(ns.script, conf)
    return lambda: run_script(ns.script, list(ns.args), conf)


def pack(ns: argparse.Namespace) -> Callable[[], int]:
    """``dfml pack``: write the current environment to an archive for ``--archives``."""
    from .cluster.pack import PackError, pack_environment

    def write() -> int:
        try:
            out = pack_environment(ns.output, prefix=ns.prefix, force=ns.force)
        except PackError as e:
            print(e, file=sys.stderr)
            return 1
        print(f"wrote {out}; ship it with: dfml submit --master yarn "
              f"--archives {out}#environment app.py")
        return 0
    return write


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="dfml", description="Run Spark-style dfml applications on Dask.")
    sub = ap.add_subparsers(dest="command", required=True)

    s = sub.add_parser("submit", allow_abbrev=False,
                       help="run an application on a cluster (spark-submit's flags)",
                       usage="dfml submit [options] app.py [app arguments]")
    s.add_argument("--master", metavar="URL", help="local, local[N], local[*], tcp://host:port, yarn or k8s://[namespace]")
    s.add_argument("--deploy-mode", dest="deploy_mode", choices=["client", "cluster"],
                   help="client (default): the script runs here; cluster: in a YARN container, or "
                        "a DaskJob's pod on Kubernetes (script local:///path/in/image.py)")
    s.add_argument("--name", metavar="NAME", help="application name (spark.app.name; default: the script's file name)")
    s.add_argument("--num-executors", dest="num_executors", metavar="N", help="workers (spark.executor.instances)")
    s.add_argument("--executor-cores", dest="executor_cores", metavar="N", help="threads per worker (spark.executor.cores)")
    s.add_argument("--executor-memory", dest="executor_memory", metavar="MEM", help="memory per worker, e.g. 2g (spark.executor.memory)")
    s.add_argument("--driver-memory", dest="driver_memory", metavar="MEM", help="driver memory in cluster mode (spark.driver.memory)")
    s.add_argument("--driver-cores", dest="driver_cores", metavar="N", help="driver cores in cluster mode (spark.driver.cores)")
    s.add_argument("--queue", help="YARN queue (spark.yarn.queue)")
    s.add_argument("--archives", metavar="LIST", help="YARN: archives to unpack in the containers, e.g. env.tar.gz#environment")
    s.add_argument("--py-files", dest="py_files", metavar="LIST", help=".py, .zip or .egg files to put on the Python path")
    s.add_argument("--files", metavar="LIST", help="YARN: files to place in each container's working directory")
    s.add_argument("--conf", "-c", action="append", default=[], metavar="KEY=VALUE", help="any setting (repeatable)")
    s.add_argument("--properties-file", dest="properties_file", metavar="FILE", help="a file of settings (key value per line)")
    s.add_argument("--verbose", "-v", action="store_true", help="print the settings used")
    s.add_argument("--dry-run", dest="dry_run", action="store_true",
                   help="k8s://: print the DaskCluster or, in cluster mode, DaskJob manifests "
                        "(and DaskAutoscaler), run nothing")
    s.add_argument("script", metavar="app.py", help="the application script")
    s.add_argument("args", nargs=argparse.REMAINDER, metavar="...", help="the application's arguments")

    r = sub.add_parser("run", allow_abbrev=False, help="run an application script (local by default)")
    r.add_argument("--master", default=None, metavar="URL", help="master URL for sessions the script builds")
    r.add_argument("--conf", "-c", action="append", default=[], metavar="KEY=VALUE", help="any setting (repeatable)")
    r.add_argument("script", metavar="app.py", help="the application script")
    r.add_argument("args", nargs=argparse.REMAINDER, metavar="...", help="the application's arguments")

    p = sub.add_parser("pack", help="pack the current virtualenv or conda env for --archives")
    p.add_argument("-o", "--output", default="env.tar.gz", help="archive to write (default env.tar.gz)")
    p.add_argument("--prefix", default=None, help="environment to pack (default: the running one)")
    p.add_argument("--force", action="store_true", help="overwrite the archive if it exists")

    from .porting.commands import add_parsers
    add_parsers(sub)  # check, port

    sub.add_parser("version", help="print dfml's version")
    return ap


def submit_flags() -> dict[str, bool]:
    """``dfml submit``'s option strings, each with whether it takes a value (``dfml check``
    compares spark-submit command lines with them)."""
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {o: a.nargs != 0 for a in sub.choices["submit"]._actions for o in a.option_strings}


def main(argv: list[str] | None = None) -> int:
    ns = _parser().parse_args(argv)
    if ns.command == "version":
        from . import __version__
        print(__version__)
        return 0
    from .cluster.config import ConfigError, MasterURLError
    from .porting import commands as porting
    prepare = {"submit": submit, "run": run, "pack": pack,
               "check": porting.check, "port": porting.port}[ns.command]
    try:
        app = prepare(ns)  # every check happens here, before the application starts
    except (UsageError, ConfigError, MasterURLError, porting.UsageFailure) as e:
        print(f"dfml {ns.command}: error: {e}", file=sys.stderr)
        return 2
    return app()

if __name__ == "__main__":
    sys.exit(main())
