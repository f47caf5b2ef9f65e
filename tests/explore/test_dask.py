"""Sweeps on Dask: a LocalCluster and a real scheduler and worker give the numbers of a local run."""
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from stations import station

from app.cli import main
from engine.explore.executors import DaskExecutor, InProcessExecutor, make_executor
from engine.explore.runner import run_sweep
from engine.explore.sweep import plan_sweep
from engine.model import DesignError, RunOptions

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
THREE_TIER = str(ROOT / "resources" / "examples" / "three_tier.json")


def _key(row):
    return row["point"], row["experiment"], row["replication"]


def test_a_local_dask_cluster_gives_the_numbers_of_one_process():
    sweep = plan_sweep(station(), [("server.workers", "1:3:1"), ("users.rate", "30,60")],
                       RunOptions(duration=10), replications=2)
    reference = run_sweep(sweep, InProcessExecutor())
    with DaskExecutor(local_workers=2, processes=False) as cluster:
        assert cluster.workers == 2
        rows = run_sweep(sweep, cluster)
    assert sorted(rows, key=_key) == sorted(reference, key=_key)


def test_an_unreachable_scheduler_is_a_message_not_a_traceback():
    with pytest.raises(DesignError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskExecutor(scheduler="tcp://127.0.0.1:9", connect_timeout=1)
    with pytest.raises(DesignError, match="should be an address like tcp://HOST:PORT"):
        make_executor(scheduler="localhost:8786")


def _wait_for(path: Path, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size:
            try:
                return json.loads(path.read_text())
            except json.JSONDecodeError:
                pass
        time.sleep(0.1)
    raise TimeoutError(f"{path} did not appear within {seconds} s")


def _read(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_sweep_through_a_dask_scheduler_and_worker_matches_the_local_backend(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    scheduler_file = tmp_path / "scheduler.json"
    common = {"env": env, "cwd": tmp_path, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)], **common)]
    try:
        address = _wait_for(scheduler_file, 60)["address"]
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard", "--no-nanny", "--host", "127.0.0.1"], **common))
        import distributed

        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        # The three-tier outage swept over breaker threshold x retry attempts, 5 replications.
        args = ["sweep", THREE_TIER, "--param", "api->db.circuit_breaker.failure_rate_threshold=30,60",
                "--param", "api->cache.retry.max_attempts=1,3", "--experiment", "database outage",
                "--replications", "5", "--duration", "100", "--quiet"]
        assert main([*args, "--scheduler", address, "--out", str(tmp_path / "dask.csv")]) == 0
        assert main([*args, "--workers", "2", "--out", str(tmp_path / "local.csv")]) == 0
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    on_dask, here = _read(tmp_path / "dask.csv"), _read(tmp_path / "local.csv")
    assert len(here) == 20 and {r["experiment"] for r in here} == {"database outage"}
    assert sorted(on_dask, key=_key) == sorted(here, key=_key)
    # common random numbers: one seed gives each point other figures only through its parameters
    assert len({r["browsers.p99"] for r in here if r["replication"] == "0"}) > 1


def test_workers_running_another_engine_version_are_refused(monkeypatch):
    from engine.explore import executors
    from engine.version import __version__

    monkeypatch.setattr(executors, "__version__", "0.0.1")  # this side "upgraded"; the workers did not
    with pytest.raises(DesignError, match=rf"Dask workers run Faultline {__version__}, this is 0.0.1; install"):
        DaskExecutor(local_workers=1, processes=False)


def test_a_scheduler_without_the_engine_or_with_another_version_is_refused(monkeypatch):
    import distributed

    def without_engine(self, function, *args, **kwargs):
        raise ModuleNotFoundError("No module named 'engine'")

    monkeypatch.setattr(distributed.Client, "run_on_scheduler", without_engine)
    with pytest.raises(DesignError, match=r"the Dask scheduler cannot load Faultline's engine \(ModuleNotFoundError: "
                                          r"No module named 'engine'\); install Faultline beside it"):
        DaskExecutor(local_workers=1, processes=False)
    monkeypatch.setattr(distributed.Client, "run_on_scheduler", lambda self, function: "0.0.2")
    with pytest.raises(DesignError, match=r"the Dask scheduler runs Faultline 0.0.2, this is "):
        DaskExecutor(local_workers=1, processes=False)


def test_without_dask_a_cluster_is_a_message(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # as in the desktop bundle, which leaves Dask out
    with pytest.raises(DesignError, match="sweeps on a Dask cluster need Dask's distributed scheduler"):
        make_executor(dask_local=1)
