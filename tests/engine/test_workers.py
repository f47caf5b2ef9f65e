"""The shared worker pool: made once, reused by every comparison, replaced after an abandon;
and Ctrl+C during a comparison keeps the replications that had finished."""
import multiprocessing
import os

import pytest
from engine_support import load_example

from engine import workers
from engine.compare import ComparisonInterrupted, run_comparison
from engine.model import RunOptions


def _worker_pids(count: int) -> set[int]:
    return {f.result() for f in [workers.pool().submit(os.getpid) for _ in range(count)]}


def _children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children()}


def test_comparisons_reuse_one_pool_of_processes():
    design = load_example("mmc")
    first = workers.pool()
    run_comparison(design, RunOptions(duration=5), None, replications=3, compare=True)
    started = _children()
    assert _worker_pids(8) <= started and os.getpid() not in started
    run_comparison(design, RunOptions(duration=5), None, replications=2, compare=True)
    assert workers.pool() is first
    assert _children() == started  # no process was started for the second comparison


def test_an_abandoned_pool_is_replaced_by_a_fresh_one():
    first = workers.pool()
    pids = _worker_pids(2)
    workers.abandon()
    second = workers.pool()
    assert second is not first
    assert not pids & _worker_pids(2)


def test_ctrl_c_keeps_the_replications_that_finished(monkeypatch):
    import engine.compare

    design = load_example("mmc")
    real, calls = engine.compare.simulate, []

    def simulate(*args, **kwargs):
        calls.append(args[1].seed)
        if len(calls) == 5:  # the first run of the third replication
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.compare, "simulate", simulate)
    with pytest.raises(ComparisonInterrupted) as stop:
        run_comparison(design, RunOptions(duration=5, seed=10), None, replications=4, processes=1)
    assert (stop.value.finished, stop.value.planned) == (2, 4)
    partial = stop.value.partial
    assert partial.replications == 2
    assert [r.meta["seed"] for r in partial.runs["protected"]] == [10, 11]
    assert [r.meta["seed"] for r in partial.runs["unprotected"]] == [10, 11]
    assert partial.table and partial.row("server", "throughput")["protected"] > 0


def test_ctrl_c_before_any_replication_finished_has_nothing_to_keep(monkeypatch):
    import engine.compare

    def simulate(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.compare, "simulate", simulate)
    with pytest.raises(ComparisonInterrupted) as stop:
        run_comparison(load_example("mmc"), RunOptions(duration=5), None, replications=3, processes=1)
    assert stop.value.partial is None and (stop.value.finished, stop.value.planned) == (0, 3)
    assert isinstance(stop.value, KeyboardInterrupt)  # callers that only know Ctrl+C still stop


def test_progress_counts_every_run():
    seen = []
    run_comparison(load_example("mmc"), RunOptions(duration=5), None, replications=2,
                   progress=lambda done, planned: seen.append((done, planned)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
