"""Dynamic allocation's policy on YARN (``dfml.cluster.yarn_adapt.decide``), without YARN:
Spark's bounds and timeouts applied to the scheduler's wish for workers. The e2e test in
test_yarn_e2e.py shows the same policy scaling real containers."""

from __future__ import annotations

import pytest

from dfml.cluster.config import ConfigError, parse_conf
from dfml.cluster.yarn_adapt import AdaptPolicy, _Pressure, decide, policy_from_conf


def run(policy, steps):
    """``steps``: (time, wanted, have) -> the change decided at each step."""
    pressure = _Pressure()
    return [decide(policy, wanted, have, now, pressure) for now, wanted, have in steps]


def test_up_after_the_backlog_timeout_and_bounded_by_max():
    p = AdaptPolicy(minimum=0, maximum=3, idle_timeout=60, backlog_timeout=1)
    assert run(p, [(0, 10, 1), (0.5, 10, 1), (1.0, 10, 1)]) == [0, 0, 2]


def test_below_the_minimum_grows_at_once():
    p = AdaptPolicy(minimum=2, maximum=None, backlog_timeout=5)
    assert run(p, [(0, 0, 0)]) == [2]


def test_down_only_after_the_idle_timeout_and_never_below_min():
    p = AdaptPolicy(minimum=1, maximum=4, idle_timeout=5)
    assert run(p, [(0, 0, 4), (4.9, 0, 4), (5.0, 0, 4)]) == [0, 0, -3]


def test_a_burst_of_work_resets_the_idle_clock():
    p = AdaptPolicy(minimum=0, maximum=4, idle_timeout=5, backlog_timeout=1)
    # idle for 4 s, then wanted again, then idle: the 5 s count from the new idle start
    assert run(p, [(0, 0, 2), (4, 2, 2), (5, 0, 2), (9, 0, 2), (10, 0, 2)]) == [0, 0, 0, 0, -2]


def test_no_upper_bound_follows_the_scheduler():
    p = AdaptPolicy(minimum=0, maximum=None, backlog_timeout=1)
    assert run(p, [(0, 7, 0), (1, 7, 0)]) == [0, 7]


def test_timeouts_come_from_spark_keys_and_bad_ones_are_refused():
    p = policy_from_conf({"spark.dynamicAllocation.executorIdleTimeout": "2min",
                          "spark.dynamicAllocation.schedulerBacklogTimeout": "500ms"}, 1, 5)
    assert (p.minimum, p.maximum, p.idle_timeout, p.backlog_timeout) == (1, 5, 120.0, 0.5)
    assert policy_from_conf({}, 0, None).idle_timeout == 60.0     # Spark's default
    with pytest.raises(ConfigError, match="executorIdleTimeout='soon'"):
        parse_conf({"spark.dynamicAllocation.executorIdleTimeout": "soon"})
