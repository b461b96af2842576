"""What dfml's workers set before their first task (imported there by the session's plugin).

Spark keeps NaN and null apart everywhere (NaN * 2 is NaN, a sum over a NaN is NaN); pandas by
default turns a NaN computed in an Arrow float column into a missing value. The option below
makes pandas keep them apart. It is set in the worker processes, where dfml computes, and not
in the user's own process, where it would change what the user's pandas code does (casting a
float column holding NaN to ``Int64`` fails under it).
"""

import pandas as pd

pd.set_option("future.distinguish_nan_and_na", True)

# a failed task's error reaches the user once, from the action (see task_logs)
from .task_logs import install_log_filter  # noqa: E402 - after the option, as the module's job

install_log_filter()
