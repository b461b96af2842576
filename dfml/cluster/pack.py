"""``dfml pack``: the running Python environment as an archive that YARN containers unpack.

YARN nodes need the driver's Python, dask and dfml at the same versions; shipping the whole
environment (``--archives env.tar.gz#environment``) is the one way that does not depend on what
the nodes have installed. venv-pack packs virtualenvs, conda-pack packs conda environments; a
system or pyenv interpreter cannot be relocated, so it is refused with what to do instead.
"""

from __future__ import annotations

import os
import sys


class PackError(RuntimeError):
    """The environment cannot be packed (the message says why and what to do)."""


def current_environment() -> tuple[str, str]:
    """``(kind, prefix)`` of the running interpreter's environment: ``venv`` or ``conda``."""
    if sys.prefix != sys.base_prefix:
        return "venv", sys.prefix
    if os.path.isdir(os.path.join(sys.prefix, "conda-meta")):
        return "conda", sys.prefix
    raise PackError(
        f"dfml pack: {sys.executable} does not run in a virtualenv or a conda environment, so "
        "there is nothing relocatable to pack. Create one and install your dependencies in it:\n"
        "  python -m venv env && . env/bin/activate && pip install 'dfml[yarn]' ...\n"
        "then run `dfml pack` from it, or use a Python environment that already exists at the "
        "same path on every node.")


def kind_of(prefix: str) -> str:
    """Whether the environment at ``prefix`` is a venv or a conda environment."""
    if os.path.isfile(os.path.join(prefix, "pyvenv.cfg")):
        return "venv"
    if os.path.isdir(os.path.join(prefix, "conda-meta")):
        return "conda"
    raise PackError(f"dfml pack: {prefix} is neither a virtualenv nor a conda environment")


def pack_environment(output: str = "env.tar.gz", prefix: str | None = None,
                     force: bool = False) -> str:
    """Write the environment at ``prefix`` (default: the running one) to ``output``."""
    if prefix is None:
        kind, prefix = current_environment()
    else:
        kind = kind_of(prefix)
    if os.path.exists(output) and not force:
        raise PackError(f"dfml pack: {output} exists (use --force to overwrite it)")
    if kind == "venv":
        try:
            import venv_pack
        except ImportError:
            raise PackError("dfml pack: venv-pack is not installed: pip install 'dfml[yarn]'") from None
        try:
            return venv_pack.pack(prefix=prefix, output=output, force=force)
        except venv_pack.VenvPackException as e:
            raise PackError(f"dfml pack: venv-pack refused {prefix}: {e}") from None
    try:
        import conda_pack
    except ImportError:
        raise PackError("dfml pack: conda-pack is not installed: pip install conda-pack") from None
    try:
        return conda_pack.pack(prefix=prefix, output=output, force=force)
    except conda_pack.CondaPackException as e:
        raise PackError(f"dfml pack: conda-pack refused {prefix}: {e}") from None
