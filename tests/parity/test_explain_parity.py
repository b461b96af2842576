"""``DataFrame.explain``'s arguments, checked as Spark checks them. The printed plans differ by
nature (Spark's physical plan, dfml's logical and Dask plans), so what is compared is how the
arguments choose a mode and which calls are refused with which message."""

from __future__ import annotations

import contextlib
import io

import pytest


def _explain(df, *args, **kwargs) -> tuple[str, str]:
    """("ok", printed text) or ("error", message) of ``df.explain(*args, **kwargs)``."""
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            df.explain(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the parity is in the message
        return "error", str(e).split("\n")[0].split(" (and dfml's")[0].removesuffix(".")
    return "ok", buf.getvalue()


def _sections(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("== "))


CALLS = [
    (("simple",), {}), (("SIMPLE",), {}), ((), {"mode": "simple"}), ((False,), {}),
    ((True,), {}), (("extended",), {}), ((), {"mode": "cost"}), ((), {"mode": "formatted"}),
    ((), {"mode": "foo"}), (("foo",), {}), ((True,), {"mode": "simple"}),
    (("simple",), {"mode": "simple"}), ((1,), {}),
]


@pytest.mark.parametrize("args,kwargs", CALLS, ids=lambda v: repr(v))
def test_explain_arguments_choose_the_mode_as_in_spark(both, args, kwargs):
    ours_df, theirs_df = both([(1, "a", None), (2, None, float("nan"))],
                              "x int, y string, z double")
    ours_df, theirs_df = ours_df.filter("x > 0"), theirs_df.filter("x > 0")
    ours, theirs = _explain(ours_df, *args, **kwargs), _explain(theirs_df, *args, **kwargs)
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "error":
        # PySpark words its own errors "[CLASS] ..." and the JVM's without a class
        assert ours[1].endswith(theirs[1].split("] ", 1)[-1]) or ours[1] == theirs[1], \
            (ours, theirs)
        return
    if kwargs.get("mode") in ("cost", "formatted"):
        return   # accepted by both; dfml has no statistics or node details to print
    simple = (args and args[0] in ("simple", "SIMPLE", False)) or kwargs.get("mode") == "simple"
    # one plan section in simple mode, several otherwise, in both engines
    assert (_sections(ours[1]) == 1) == (_sections(theirs[1]) == 1) == bool(simple)


def test_graph_is_dfml_s_own_mode(both):
    ours_df, theirs_df = both([(1,)], "x int")
    assert _explain(ours_df, mode="graph")[1].startswith("digraph plan {")
    kind, message = _explain(theirs_df, mode="graph")
    assert kind == "error" and message.startswith("Unknown explain mode: graph")
