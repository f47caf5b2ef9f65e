"""A cluster that goes away mid-sweep: the sweep stops saying why, keeps its rows, and resumes."""
import logging

import pytest
from stations import station

from engine.explore.executors import DaskExecutor, SweepError
from engine.explore.runner import run_sweep
from engine.explore.sweep import plan_sweep
from engine.explore.table import ResultsFile
from engine.model import RunOptions

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")


def _sweep():
    return plan_sweep(station(), [("users.rate", "10:200:10")], RunOptions(duration=10), replications=2)


def _cluster(workers: int = 1):
    # A closed scheduler would keep the cluster's own close retrying for Dask's 30 s default.
    return dask.config.set({"distributed.comm.timeouts.connect": "2s"}), distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=False, protocol="tcp://", dashboard_address=None)


def _close_workers(cluster) -> None:
    for worker in list(cluster.workers.values()):
        cluster.sync(worker.close)


def test_losing_every_worker_says_so_keeps_the_rows_and_resumes(tmp_path):
    out = tmp_path / "sweep.csv"
    sweep = _sweep()
    settings, cluster = _cluster()
    with settings, cluster:
        def lose_the_workers(row, done, total):
            if done == 1:
                _close_workers(cluster)

        with DaskExecutor(scheduler=cluster.scheduler_address, connect_timeout=5) as executor:
            with pytest.raises(SweepError, match="has no workers left"):
                run_sweep(sweep, executor, out, on_row=lose_the_workers)
        with ResultsFile(out, sweep) as kept:
            assert 1 <= len(kept.rows) < len(sweep)
        cluster.scale(2)  # the closed worker still counts in the spec: one more starts
        with DaskExecutor(scheduler=cluster.scheduler_address, connect_timeout=30) as executor:
            rows = run_sweep(sweep, executor, out)
    assert len(rows) == len(sweep)
    assert len({(r["point"], r["replication"]) for r in rows}) == len(sweep)


def test_losing_the_worker_that_holds_the_design_while_another_joins_finishes_the_sweep(tmp_path):
    # Dask keeps one copy of what it was given (its memory manager drops the others), so on a
    # cluster whose workers come and go the worker holding the design is sooner or later lost.
    sweep = _sweep()
    settings, cluster = _cluster()
    with settings, cluster:
        def replace_the_worker(row, done, total):
            if done == 1:
                _close_workers(cluster)
                cluster.scale(2)  # the closed worker still counts in the spec: one more starts

        with DaskExecutor(scheduler=cluster.scheduler_address, connect_timeout=30) as executor:
            rows = run_sweep(sweep, executor, tmp_path / "sweep.csv", on_row=replace_the_worker)
    assert len({(r["point"], r["replication"]) for r in rows}) == len(rows) == len(sweep)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.seen: list[logging.LogRecord] = []

    def emit(self, record):
        self.seen.append(record)


def test_losing_the_scheduler_says_so_without_dasks_traceback(tmp_path):
    out = tmp_path / "sweep.csv"
    sweep = _sweep()
    errors = _Records()
    logging.getLogger("distributed.client").addHandler(errors)
    settings, cluster = _cluster()
    try:
        with settings, cluster:
            def lose_the_scheduler(row, done, total):
                if done == 1:
                    cluster.sync(cluster.scheduler.close)

            with DaskExecutor(scheduler=cluster.scheduler_address, connect_timeout=5) as executor:
                with pytest.raises(SweepError, match="lost the connection to the Dask scheduler at tcp://"):
                    run_sweep(sweep, executor, out, on_row=lose_the_scheduler)
            # the sweep has said what happened; the client's reconnection cut short by the close
            # must not add a traceback after it
            assert not errors.seen, [r.getMessage() for r in errors.seen]
            _close_workers(cluster)
    finally:
        logging.getLogger("distributed.client").removeHandler(errors)
    with ResultsFile(out, sweep) as kept:
        assert kept.rows
