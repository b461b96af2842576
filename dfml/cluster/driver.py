"""Run an application script as a Spark driver does: as ``__main__``, in this process, with its
sessions defaulting to the submitted settings, and stop the session it leaves open.

Used by ``dfml run``/``dfml submit`` (client mode) and by the driver container of a YARN
application (cluster mode), so both run a script the same way. dfml.cluster sits below
dfml.sql, so the script's session is found through ``sys.modules`` (if the script made one),
never imported.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from typing import Any

def _exit_code(code: Any) -> int:
    """What ``python app.py`` would exit with after ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _active_session() -> Any:
    session_module = sys.modules.get("dfml.sql.session")
    return session_module.SparkSession.getActiveSession() if session_module else None


def run_script(script: str, args: list[str], conf: dict[str, str]) -> int:
    """Run ``script`` as ``__main__`` in this process, its sessions defaulting to ``conf``."""
    saved_env = {k: os.environ.get(k) for k in ("DFML_MASTER", "DFML_CONF")}
    saved_argv, saved_path = sys.argv, list(sys.path)
    if "spark.master" in conf:
        os.environ["DFML_MASTER"] = conf["spark.master"]
    os.environ["DFML_CONF"] = json.dumps(conf)
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    before = _active_session()
    try:
        runpy.run_path(script, run_name="__main__")
        return 0
    except SystemExit as e:
        return _exit_code(e.code)
    finally:
        try:
            # Stop the session the script left open, as the end of a Spark driver does
            # (and only that one: the caller's own session is not the script's to stop).
            left_open = _active_session()
            if left_open is not None and left_open is not before:
                left_open.stop()
        finally:
            sys.argv, sys.path[:] = saved_argv, saved_path
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
