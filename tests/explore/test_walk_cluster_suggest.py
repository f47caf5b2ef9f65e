"""suggest on a Dask cluster: the ranking of a local run, and a lost cluster is a sentence."""
from pathlib import Path

import pytest

from app.cli import main

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

ROOT = Path(__file__).resolve().parents[2]
RETRY_STORM = str(ROOT / "resources" / "examples" / "retry_storm.json")
ARGS = ["suggest", RETRY_STORM, "--experiment", "brief slowdown", "--replications", "2", "--top", "50"]


def _ranking(text: str) -> list[str]:
    # everything but the line that says how long it took
    return [line for line in text.splitlines() if " candidates x " not in line]


def test_suggest_on_a_cluster_ranks_as_a_local_run_does(capsys):
    assert main(ARGS) == 0
    here = capsys.readouterr().out
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                     dashboard_address=None) as cluster:
        assert main([*ARGS, "--scheduler", cluster.scheduler_address]) == 0
    on_cluster = capsys.readouterr().out
    assert _ranking(on_cluster) == _ranking(here)


def test_a_cluster_lost_during_suggest_is_a_message_not_a_traceback(monkeypatch, capsys):
    from engine.explore import executors

    def lost(self, design_json, options_json, tasks):
        raise executors.SweepError("the Dask cluster at tcp://example:8786 has no workers left")
        yield

    monkeypatch.setattr(executors.InProcessExecutor, "run", lost)
    assert main(ARGS) == 2
    err = capsys.readouterr().err
    assert "error: the Dask cluster at tcp://example:8786 has no workers left" in err
    assert "Traceback" not in err
