"""GRAPH_LOCK: held while a tuning thread builds graphs, given up (at any depth) while it waits."""

from __future__ import annotations

import threading

from dfml.sql.graph_lock import GraphLock


def test_released_lets_another_thread_build_meanwhile():
    lock = GraphLock()
    entered = threading.Event()

    def other():
        with lock:
            entered.set()

    with lock:
        with lock:  # nested, as a task that lowers inside an action
            t = threading.Thread(target=other)
            t.start()
            assert not entered.wait(0.2)  # blocked while this thread builds
            with lock.released():
                assert entered.wait(5)  # runs while this thread waits
            t.join(5)
    assert not t.is_alive()


def test_released_without_holding_is_a_no_op():
    lock = GraphLock()
    with lock.released():
        pass
    with lock:
        pass
