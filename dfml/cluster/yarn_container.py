"""What runs inside the YARN containers of a dfml application (``dfml.cluster.yarn``).

    python -m dfml.cluster.yarn_container scheduler [--driver-lost-timeout S]
    python -m dfml.cluster.yarn_container worker --nthreads N --memory-limit M
    python -m dfml.cluster.yarn_container driver app.py [args]

The scheduler publishes its address in skein's key-value store (this module is also its
preload); workers read it from there; the driver runs the application script and ends the
application with the script's outcome.
"""

from __future__ import annotations

import os
import sys
import time
import traceback

import click

SCHEDULER_KEY = "dask.scheduler"
DASHBOARD_KEY = "dask.dashboard"


def _app() -> object:
    import skein
    return skein.ApplicationClient.from_current()


# ------------------------------------------------------------------ scheduler
def _run_scheduler(argv: list[str]) -> int:
    timeout = "60"
    if argv[:1] == ["--driver-lost-timeout"]:
        timeout = argv[1]
    from distributed.cli.dask_scheduler import main
    sys.argv = ["dask-scheduler", "--port", "0", "--dashboard-address", ":0",
                "--preload", "dfml.cluster.yarn_container",
                f"--driver-lost-timeout={timeout}"]
    return _click(main)


def _click(main: object) -> int:
    try:
        main()
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0


# The preload: dask hands the scheduler command's unknown options to a preload whose
# ``dask_setup`` is a click command.
@click.command()
@click.option("--driver-lost-timeout", type=float, default=60.0)
def dask_setup(scheduler: object, driver_lost_timeout: float) -> None:
    """Publish the scheduler's address; end the application once its driver has gone.

    "Gone" means: a client was connected once, and for ``driver_lost_timeout`` seconds none
    has been (a crashed or killed driver never says goodbye, and its workers would otherwise
    hold YARN containers forever).
    """
    from tornado.ioloop import PeriodicCallback

    app = _app()
    app.kv[SCHEDULER_KEY] = scheduler.address.encode()
    try:
        port = scheduler.http_server.port
        host = scheduler.address.split("://")[1].rsplit(":", 1)[0]
        app.kv[DASHBOARD_KEY] = f"http://{host}:{port}/status".encode()
    except Exception:
        pass
    state = {"seen": False, "lost_since": None}

    def check() -> None:
        if scheduler.clients.keys() - {"fire-and-forget"}:
            state["seen"], state["lost_since"] = True, None
            return
        if not state["seen"]:
            return
        now = time.monotonic()
        if state["lost_since"] is None:
            state["lost_since"] = now
        elif now - state["lost_since"] > driver_lost_timeout:
            print(f"dfml: no driver connected for {driver_lost_timeout:g} s; ending the "
                  "application", file=sys.stderr, flush=True)
            try:
                app.shutdown("FAILED", diagnostics="dfml: the driver disconnected and did not "
                             f"come back within {driver_lost_timeout:g} s")
            except Exception:
                traceback.print_exc()

    callback = PeriodicCallback(check, 1000)
    callback.start()
    scheduler._dfml_driver_watch = callback


# ------------------------------------------------------------------ worker
def _run_worker(argv: list[str]) -> int:
    address = _app().kv.wait(SCHEDULER_KEY)
    address = address.decode() if isinstance(address, bytes) else address
    name = os.environ.get("CONTAINER_ID") or os.environ.get("SKEIN_CONTAINER_ID") or "worker"
    from distributed.cli.dask_worker import main
    sys.argv = ["dask-worker", address, *argv, "--name", name, "--no-dashboard",
                "--local-directory", os.getcwd(), "--death-timeout", "120"]
    return _click(main)


# ------------------------------------------------------------------ driver
def _run_driver(argv: list[str]) -> int:
    """Run the script as ``dfml submit`` does in client mode, then end the application."""
    import base64
    import json

    script, args = argv[0], argv[1:]
    error = ""
    try:
        from dfml.cluster.driver import run_script
        conf = json.loads(base64.b64decode(os.environ.get("DFML_CONF_B64", "")) or b"{}")
        code = run_script(script, args, conf)
    except BaseException:
        traceback.print_exc()
        code = 1
        # The end of the traceback goes into YARN's diagnostics, so `dfml submit` (and the
        # ResourceManager's UI) say why the application failed without fetching its logs.
        error = "\n" + traceback.format_exc()[-_DIAGNOSTICS_CHARS:]
    sys.stdout.flush()
    sys.stderr.flush()
    status = "SUCCEEDED" if code == 0 else "FAILED"
    _app().shutdown(status, diagnostics=f"dfml driver exit code {code}{error}")
    return code


_DIAGNOSTICS_CHARS = 4000


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    role, rest = argv[0], argv[1:]
    runner = {"scheduler": _run_scheduler, "worker": _run_worker, "driver": _run_driver}.get(role)
    if runner is None:
        print(f"unknown role {role!r}", file=sys.stderr)
        return 2
    return runner(rest)


if __name__ == "__main__":
    sys.exit(main())
