"""Replications keep the run's own switches: resilience off stays off in every seed."""
from engine.compare import run_comparison
from engine.model import RunOptions
from engine_support import load_example


def test_replications_honour_resilience_off():
    design = load_example("retry_storm")
    comparison = run_comparison(design, RunOptions(duration=80, resilience=False), "brief slowdown",
                                replications=2, compare=False, processes=1)
    runs = comparison.runs["protected"]
    assert [r.meta["options"]["resilience"] for r in runs] == [False, False]
    # without retries, every request is one attempt
    assert all(r.component_summary("clients")["retries"] == 0 for r in runs)


def test_replications_honour_faults_off():
    design = load_example("retry_storm")
    comparison = run_comparison(design, RunOptions(duration=80, faults=False), "brief slowdown",
                                replications=1, compare=False, processes=1)
    assert comparison.runs["protected"][0].meta["options"]["faults"] is False
