"""The shared worker pool: made once, reused by every comparison, replaced after an abandon;
and Ctrl+C during a comparison keeps the replications that had finished."""
import multiprocessing
import os
import signal
import struct
import sys
import threading
import time
from concurrent.futures import Future

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


def _interrupted_right_after_taking_its_lock(future: Future) -> None:
    # Ctrl+C landing just after concurrent.futures took a future's lock, before it could let go
    take = future._condition.acquire

    def take_then_interrupt(*args):
        taken = take(*args)
        signal.raise_signal(signal.SIGINT)
        return taken

    future._condition.acquire = take_then_interrupt


def _free_for_another_thread(future: Future) -> bool:
    # the pool's manager thread cancels pending futures at shutdown, taking each one's lock
    free = []
    thread = threading.Thread(target=lambda: free.append(future._condition._lock.acquire(timeout=2)))
    thread.start()
    thread.join()
    return free == [True]


def test_ctrl_c_while_awaiting_runs_leaves_no_future_locked():
    # An interrupt inside concurrent.futures.wait can leave the main thread holding a future's
    # lock; the manager thread then waits for it at exit and the program never ends.
    future: Future = Future()
    _interrupted_right_after_taking_its_lock(future)
    with pytest.raises(KeyboardInterrupt):
        workers.finished([future])
    assert _free_for_another_thread(future)


def test_finished_waits_for_one_and_returns_all_that_are_done():
    done, other, pending = Future(), Future(), Future()
    done.set_result(1)
    other.set_result(2)
    threading.Timer(0.05, lambda: pending.set_result(3)).start()
    assert workers.finished([done, other, pending]) >= {done, other}
    assert workers.finished([pending]) == {pending}


def _write_half_a_result_and_hang(written: str) -> None:
    # as a worker terminated while sending its result would leave the pipe: a header announcing
    # a megabyte, a few bytes of it, and then nothing more from this worker
    frame = sys._getframe()
    while "result_queue" not in frame.f_locals:
        frame = frame.f_back
    frame.f_locals["result_queue"]._writer._send(struct.pack("!i", 1_000_000) + b"partial")
    open(written, "w").close()
    time.sleep(600)


def test_abandoning_a_worker_halfway_through_its_result_lets_the_program_exit(tmp_path):
    # The pool's manager thread, reading that result, is joined at exit without a time limit.
    executor, written = workers.pool(), tmp_path / "written"
    workers.submit(_write_half_a_result_and_hang, [str(written)])
    manager, results = executor._executor_manager_thread, executor._result_queue
    deadline = time.monotonic() + 60
    while not written.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert written.exists()
    try:
        workers.abandon()
        manager.join(timeout=20)
        assert not manager.is_alive()
    finally:
        results._writer.close()
