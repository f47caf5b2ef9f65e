"""A worker that stops answering mid-sweep without leaving the cluster (its host asleep, its
process stopped): the sweep waited on its runs until Dask's scheduler gave up on it, five
minutes later. Its runs now go to a worker that answers, with the numbers of a local run."""
import os
import signal
import threading

import pytest
from stations import station

from engine.explore import executors
from engine.explore.executors import DaskExecutor, InProcessExecutor
from engine.explore.runner import run_sweep
from engine.explore.sweep import plan_sweep
from engine.model import RunOptions

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="stops a worker process with SIGSTOP")

# Far below Dask's five minutes, far above this sweep on its own.
ENOUGH_SECONDS = 120


def _sweep():
    return plan_sweep(station(), [("users.rate", "10:400:10")], RunOptions(duration=60), replications=2)


def _metrics(rows):
    return {(r["point"], r["replication"]): {k: v for k, v in r.items() if "." in k} for r in rows}


def test_runs_held_by_a_worker_that_stops_answering_run_on_another(tmp_path, monkeypatch):
    monkeypatch.setattr(executors._Stragglers, "SILENT_SECONDS", 2.0)
    sweep = _sweep()
    local = run_sweep(sweep, InProcessExecutor(), tmp_path / "local.csv")
    stopped: list[int] = []
    outcome: dict = {}
    with DaskExecutor(local_workers=2) as executor:   # worker processes: one of them can be stopped
        client = executor._client
        pids = client.run(os.getpid)

        def stop_a_busy_worker(row, done, total):
            if stopped:
                return
            busy = [worker for worker, keys in client.processing().items() if keys]
            if busy:
                stopped.append(pids[busy[0]])
                os.kill(stopped[0], signal.SIGSTOP)

        def sweep_it():
            outcome["rows"] = run_sweep(sweep, executor, tmp_path / "dask.csv", on_row=stop_a_busy_worker)

        thread = threading.Thread(target=sweep_it, daemon=True)
        thread.start()
        try:
            thread.join(ENOUGH_SECONDS)
            waited_on_it = thread.is_alive()
        finally:
            for pid in stopped:
                os.kill(pid, signal.SIGCONT)
        thread.join()
        assert stopped, "no worker was running anything to stop"
        assert not waited_on_it, "the sweep waited on the stopped worker"
        assert executor.resent >= 1
    assert _metrics(outcome["rows"]) == _metrics(local)


def test_the_command_line_says_how_many_runs_ran_again(capsys):
    import sys

    from app.cli_sweep import print_resent

    class Executor:
        resent = 3

    print_resent(Executor(), sys.stdout)
    print_resent(InProcessExecutor(), sys.stdout)   # nothing ran again: nothing said
    assert capsys.readouterr().out == "3 runs held by a worker that stopped answering ran again on another\n"
