"""Replications keep the run's own switches: resilience off stays off in every seed."""
import pytest
from engine_support import load_example

from engine.compare import run_comparison
from engine.model import RunOptions


def test_replications_honour_resilience_off():
    design = load_example("retry_storm")
    comparison = run_comparison(design, RunOptions(duration=80, resilience=False), "brief slowdown",
                                replications=2, compare=False, processes=1)
    # alone, a run without its patterns is the unprotected variant, named so in the results
    assert list(comparison.runs) == ["unprotected"]
    runs = comparison.main
    assert [r.meta["options"]["resilience"] for r in runs] == [False, False]
    assert [row["unprotected"] for row in comparison.table] and "difference" not in comparison.table[0]
    # without retries, every request is one attempt
    assert all(r.component_summary("clients")["retries"] == 0 for r in runs)


def test_replications_honour_faults_off():
    design = load_example("retry_storm")
    comparison = run_comparison(design, RunOptions(duration=80, faults=False), "brief slowdown",
                                replications=1, compare=False, processes=1)
    assert comparison.runs["protected"][0].meta["options"]["faults"] is False


def test_the_comparison_table_skips_figures_older_results_lack():
    from engine.compare import build_table

    design = load_example("mmc")
    comparison = run_comparison(design, RunOptions(duration=30), None, replications=1, processes=1)
    for runs in comparison.runs.values():
        for r in runs:
            for summary in r.summary["components"].values():
                del summary["queue_wait_mean"], summary["wait_probability"]
    table = build_table(comparison.runs)
    metrics = {row["metric"] for row in table}
    assert "latency_p99" in metrics and "queue_wait_mean" not in metrics


def test_a_difference_in_the_last_bits_is_none():
    """The same time average summed over events met in another order differs in its last bits;
    the table showed it as "+0.0000000000000111 %"."""
    from engine.compare import without_rounding

    row = {"protected": 37.6 + 1.1e-14, "unprotected": 37.6, "difference": 1.1e-14, "difference_ci": 3e-14,
           "protected_ci": 2.9e-16, "unprotected_ci": 0.4}
    assert without_rounding(row) == {**row, "difference": 0.0, "difference_ci": 0.0, "protected_ci": 0.0}
    assert without_rounding({"protected": 303.005, "unprotected": 303.0, "difference": 0.005})["difference"] == \
        pytest.approx(0.005)
    # a small figure's own difference stays
    assert without_rounding({"protected": 1e-12, "unprotected": 0.0, "difference": 1e-12})["difference"] == 1e-12
    design = load_example("async_pipeline")
    comparison = run_comparison(design, RunOptions(duration=200), "pricing slowdown", replications=1, processes=1)
    for row in comparison.table:
        scale = max(abs(row["protected"]), abs(row["unprotected"]))
        assert row["difference"] == 0 or abs(row["difference"]) > 1e-9 * scale, row
