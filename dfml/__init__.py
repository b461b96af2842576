"""dfml: Spark's DataFrame and ML pipeline API, running on Dask."""

__version__ = "0.1.0"

import os as _os

# Arrow's scan warns about buffer alignment it handles anyway; keep user output clean (workers
# inherit the setting when the local cluster starts).
_os.environ.setdefault("ACERO_ALIGNMENT_HANDLING", "ignore")
