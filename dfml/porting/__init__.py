"""Porting PySpark code to dfml: ``dfml check`` reports what a code base uses of PySpark's API and
whether dfml has it; ``dfml port`` rewrites the imports.

Scripts are read with ``ast`` and never executed (a checker that ran a team's ETL jobs would be
unusable on the code it is meant for). What counts as supported is asked of dfml's own modules
at run time, and known differences come from ``differences.toml`` beside this file, so the
report follows the code instead of a hand-kept coverage list.
"""

from .check import check_paths
from .rewriter import port_source

__all__ = ["check_paths", "port_source"]
