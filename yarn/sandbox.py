#!/usr/bin/env python
"""A one-machine YARN + HDFS on loopback, for trying dfml on YARN and for its tests.

    python yarn/sandbox.py fetch                # Hadoop jars into yarn/lib/ (Maven), once
    python yarn/sandbox.py start --dir DIR      # NameNode, DataNode, ResourceManager, NodeManager
    eval "$(python yarn/sandbox.py env --dir DIR)"   # HADOOP_CONF_DIR, PATH (yarn shim), JAVA_HOME
    python yarn/sandbox.py status --dir DIR
    python yarn/sandbox.py stop --dir DIR

Everything runs in one JVM (``yarn/sandbox/Sandbox.java``: Hadoop's MiniDFSCluster and
MiniYARNCluster from ``hadoop-client-minicluster``), containers run as plain local processes of
the current user (DefaultContainerExecutor), so a container can run this machine's Python.
``DIR`` holds the configuration (``DIR/conf``), HDFS' and YARN's data, the JVM's log
(``DIR/sandbox.log``) and skein's credentials (``DIR/skein``); delete it after ``stop``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(HERE, "lib")
BUILD = os.path.join(LIB, "sandbox")          # compiled sandbox classes (gitignored with lib/)
SHIM = os.path.join(HERE, "bin")

# Java 17 closes JDK internals that Hadoop's RPC, HDFS and metrics code still reflect into.
JAVA_OPENS = [f"--add-opens=java.base/{p}=ALL-UNNAMED" for p in (
    "java.lang", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
    "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.net.util",
    "sun.security.x509", "jdk.internal.misc")]
# Jars the client side (skein's driver and application master) does not need.
TEST_ONLY = ("hadoop-client-minicluster-", "junit-", "hamcrest-", "opentest4j-", "apiguardian-")

LOG4J = """\
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=%d{HH:mm:ss} %p %c{1}: %m%n
"""


class SandboxError(RuntimeError):
    """The sandbox could not be fetched, started or stopped (the message says why)."""


# ------------------------------------------------------------------ jars
def java_home() -> str:
    """``JAVA_HOME``, or the JDK the ``java`` on PATH belongs to."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    if java is None:
        raise SandboxError("no java on PATH and no JAVA_HOME: install a JDK (17 or later)")
    return os.path.dirname(os.path.dirname(os.path.realpath(java)))


def _jars() -> list[str]:
    return sorted(glob.glob(os.path.join(LIB, "*.jar")))


def client_jars() -> list[str]:
    """The Hadoop client classpath: what ``yarn/bin/yarn classpath`` prints after the conf dir."""
    return [j for j in _jars() if not os.path.basename(j).startswith(TEST_ONLY)]


def fetched() -> bool:
    names = [os.path.basename(j) for j in _jars()]
    return (any(n.startswith("hadoop-client-minicluster-") for n in names)
            and os.path.isfile(os.path.join(BUILD, "Sandbox.class"))
            and os.path.isfile(os.path.join(BUILD, "amfilter.jar")))


def fetch(quiet: bool = False) -> None:
    """Download the jars with Maven (``yarn/pom.xml``) and compile the sandbox's two classes."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SandboxError("Maven (mvn) is not on PATH; it fetches the Hadoop jars")
    cmd = [mvn, "-B", "-Dstyle.color=never", "--no-transfer-progress",
           "-f", os.path.join(HERE, "pom.xml"), "dependency:copy-dependencies"]
    if quiet:
        cmd.insert(1, "-q")
    if subprocess.run(cmd).returncode != 0:
        raise SandboxError("mvn could not fetch the Hadoop jars (see its output above)")
    compile_sandbox()
    javac = _javac()
    # The stand-in web filter for skein's application master (see AmIpFilter.java's comment),
    # compiled against the servlet API skein.jar carries.
    import skein
    skein_jar = os.path.join(os.path.dirname(skein.__file__), "java", "skein.jar")
    classes = os.path.join(BUILD, "amfilter")
    src = glob.glob(os.path.join(HERE, "sandbox", "amfilter", "**", "*.java"), recursive=True)
    _run([javac, "--release", "8", "-d", classes, "-cp", skein_jar, *src])
    jar = os.path.join(java_home(), "bin", "jar")
    _run([jar if os.path.exists(jar) else "jar", "cf", os.path.join(BUILD, "amfilter.jar"),
          "-C", classes, "."])


def _javac() -> str:
    javac = os.path.join(java_home(), "bin", "javac")
    return javac if os.path.exists(javac) else (shutil.which("javac") or "javac")


SOURCE = os.path.join(HERE, "sandbox", "Sandbox.java")


def compile_sandbox() -> None:
    """Compile ``Sandbox.java`` (again, when the source is newer than its class)."""
    os.makedirs(BUILD, exist_ok=True)
    _run([_javac(), "-d", BUILD, "-cp", ":".join(_jars()), SOURCE])


def _stale() -> bool:
    built = os.path.join(BUILD, "Sandbox.class")
    return not os.path.exists(built) or os.path.getmtime(SOURCE) > os.path.getmtime(built)


# The CapacityScheduler layout of ``start(..., capacity=True)``: two queues sharing the node, an
# exclusive node label ``fast`` on the NodeManager (every queue's default, so requests without a
# label still run) and a label ``gpu`` that no node has (a request for it stays pending, and the
# ResourceManager shows it). AM share and user limit are opened up: a sandbox has one user.
CAPACITY = "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler"
QUEUES = ("default", "etl")
NODE_LABELS = ("fast", "gpu")


def capacity_settings(d: str) -> dict[str, str]:
    root = "yarn.scheduler.capacity.root"
    out = {
        "yarn.resourcemanager.scheduler.class": CAPACITY,
        "yarn.node-labels.enabled": "true",
        "yarn.node-labels.fs-store.root-dir": "file://" + os.path.join(d, "node-labels"),
        "yarn.scheduler.capacity.maximum-am-resource-percent": "1.0",
        f"{root}.queues": ",".join(QUEUES),
        f"{root}.accessible-node-labels": ",".join(NODE_LABELS),
        "dfml.sandbox.node-labels": ",".join(NODE_LABELS) + ":fast",
    }
    for label in NODE_LABELS:
        out[f"{root}.accessible-node-labels.{label}.capacity"] = "100"
    share = str(100 // len(QUEUES))
    for q in QUEUES:
        out.update({f"{root}.{q}.capacity": share, f"{root}.{q}.maximum-capacity": "100",
                    f"{root}.{q}.user-limit-factor": "100",
                    f"{root}.{q}.accessible-node-labels": ",".join(NODE_LABELS),
                    f"{root}.{q}.default-node-label-expression": "fast"})
        for label in NODE_LABELS:
            out[f"{root}.{q}.accessible-node-labels.{label}.capacity"] = share
            out[f"{root}.{q}.accessible-node-labels.{label}.maximum-capacity"] = "100"
    return out


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SandboxError(f"{' '.join(cmd[:2])} failed:\n{done.stdout}{done.stderr}")


# ------------------------------------------------------------------ start / stop
def _state_path(d: str) -> str:
    return os.path.join(d, "sandbox.json")


def read_state(d: str) -> dict | None:
    try:
        with open(_state_path(d)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def environment(d: str) -> dict[str, str]:
    """What a client needs to use the sandbox: its config dir, the ``yarn`` shim, Java, skein."""
    d = os.path.abspath(d)
    return {
        "HADOOP_CONF_DIR": os.path.join(d, "conf"),
        "PATH": SHIM + os.pathsep + os.environ.get("PATH", ""),
        "JAVA_HOME": java_home(),
        "SKEIN_CONFIG": os.path.join(d, "skein"),
    }


def start(d: str, timeout: float = 180.0, memory_mb: int = 8192, vcores: int = 8,
          capacity: bool = False) -> dict:
    """Start the sandbox in ``d`` and return its state once the RM has a live NodeManager.

    ``capacity``: the CapacityScheduler with queues ``default`` and ``etl`` and node labels
    ``fast`` (the node's) and ``gpu`` (no node's) instead of the FIFO scheduler.
    """
    d = os.path.abspath(d)
    state = read_state(d)
    if state and _alive(state["pid"]):
        return state
    if not fetched():
        fetch(quiet=True)
    elif _stale():
        compile_sandbox()
    os.makedirs(d, exist_ok=True)
    conf_dir = os.path.join(d, "conf")
    shutil.rmtree(conf_dir, ignore_errors=True)
    for sub in ("hdfs", "yarn"):
        shutil.rmtree(os.path.join(d, sub), ignore_errors=True)
    with open(os.path.join(d, "log4j.properties"), "w") as f:
        f.write(LOG4J)
    am_classpath = ",".join([conf_dir, os.path.join(BUILD, "amfilter.jar"), *client_jars()])
    settings = {
        "yarn.application.classpath": am_classpath,
        "yarn.nodemanager.resource.memory-mb": str(memory_mb),
        "yarn.nodemanager.resource.cpu-vcores": str(vcores),
    }
    if capacity:
        settings.update(capacity_settings(d))
    env = dict(os.environ)
    env["JAVA_HOME"] = java_home()
    # The NodeManager passes this on to containers (it is in the env whitelist), so code in a
    # container finds fs.defaultFS as on a real cluster's nodes. The JVM itself ignores it.
    env["HADOOP_CONF_DIR"] = conf_dir
    cmd = [os.path.join(env["JAVA_HOME"], "bin", "java"), "-Xmx1g", *JAVA_OPENS,
           f"-Dlog4j.configuration=file:{os.path.join(d, 'log4j.properties')}",
           f"-Dtest.build.data={os.path.join(d, 'yarn')}",
           "-Djava.net.preferIPv4Stack=true",
           "-cp", ":".join([BUILD, *_jars()]), "Sandbox", os.path.join(d, "hdfs"), conf_dir,
           *(f"{k}={v}" for k, v in settings.items())]
    out_path, log_path = os.path.join(d, "sandbox.out"), os.path.join(d, "sandbox.log")
    with open(out_path, "w") as out, open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=d, stdout=out, stderr=log, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)
    started = time.monotonic()
    ready = None
    while time.monotonic() - started < timeout:
        with open(out_path) as f:
            for line in f:
                if line.startswith("READY "):
                    ready = line.split()
        if ready:
            break
        if proc.poll() is not None:
            raise SandboxError(f"the sandbox JVM exited with {proc.returncode} before it was "
                               f"ready; its log:\n{_tail(log_path)}")
        time.sleep(0.5)
    if not ready:
        _terminate(proc.pid, d)
        raise SandboxError(f"the sandbox was not ready within {timeout:g} s; its log:\n"
                           f"{_tail(log_path)}")
    fs_uri, rm = ready[1], ready[2]
    state = {"pid": proc.pid, "fs": fs_uri, "rm": rm, "conf_dir": conf_dir, "dir": d,
             "scheduler": "capacity" if capacity else "fifo",
             "seconds_to_ready": round(time.monotonic() - started, 1)}
    _wait_port(rm, 30)
    with open(_state_path(d), "w") as f:
        json.dump(state, f, indent=1)
    return state


def _wait_port(address: str, timeout: float) -> None:
    host, _, port = address.rpartition(":")
    end = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise SandboxError(f"the ResourceManager at {address} does not answer") from None
            time.sleep(0.5)


def _tail(path: str, n: int = 40) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return "(no log)"


def _container_pids(d: str) -> list[int]:
    """Processes whose working directory is inside ``d``: YARN containers left behind."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if cwd.startswith(os.path.join(d, "yarn") + os.sep):
            pids.append(int(entry))
    return pids


def _terminate(pid: int, d: str, timeout: float = 60.0) -> None:
    """SIGTERM the JVM (its shutdown hook stops YARN, then HDFS), SIGKILL what is left."""
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < end:
            time.sleep(0.3)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it when this process started it
    except ChildProcessError:
        pass
    for leftover in _container_pids(d):
        try:
            os.kill(leftover, signal.SIGKILL)
        except ProcessLookupError:
            pass


def stop(d: str) -> bool:
    """Stop the sandbox in ``d``; False if none was running."""
    d = os.path.abspath(d)
    state = read_state(d)
    if not state:
        return False
    was_running = _alive(state["pid"])
    _terminate(state["pid"], d)
    os.unlink(_state_path(d))
    return was_running


def status(d: str) -> dict | None:
    state = read_state(os.path.abspath(d))
    if state is None or not _alive(state["pid"]):
        return None
    return state


# ------------------------------------------------------------------ command line
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sandbox.py", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fetch", help="download the Hadoop jars and compile the sandbox")
    f.add_argument("--quiet", action="store_true", help="only Maven's errors")
    for name in ("start", "stop", "status", "env"):
        p = sub.add_parser(name)
        p.add_argument("--dir", required=True, help="the sandbox's directory")
        if name == "start":
            p.add_argument("--timeout", type=float, default=180.0)
            p.add_argument("--memory-mb", type=int, default=8192, help="NodeManager memory")
            p.add_argument("--vcores", type=int, default=8, help="NodeManager vcores")
            p.add_argument("--capacity", action="store_true",
                           help="CapacityScheduler: queues default and etl, node labels fast "
                                "(on the node) and gpu (on none)")
    ns = ap.parse_args(argv)
    try:
        if ns.command == "fetch":
            fetch(quiet=ns.quiet)
            if not ns.quiet:
                print(f"jars in {LIB}")
        elif ns.command == "start":
            state = start(ns.dir, ns.timeout, ns.memory_mb, ns.vcores, ns.capacity)
            print(f"YARN ResourceManager {state['rm']}, HDFS {state['fs']}, "
                  f"config {state['conf_dir']} (pid {state['pid']})")
            print(f'use it with: eval "$(python {sys.argv[0]} env --dir {ns.dir})"')
        elif ns.command == "stop":
            print("stopped" if stop(ns.dir) else "not running")
        elif ns.command == "status":
            state = status(ns.dir)
            if state is None:
                print("not running")
                return 1
            print(json.dumps(state, indent=1))
        else:
            for k, v in environment(ns.dir).items():
                print(f"export {k}={json.dumps(v)}")
    except SandboxError as e:
        print(f"sandbox.py {ns.command}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
