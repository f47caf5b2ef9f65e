"""Integration: patterns measurably help where they should, and naive retries make things worse."""
import numpy as np
import pytest
from engine_support import load_example, run

from engine import RunOptions
from engine.compare import mean_ci, run_comparison, t95


def test_timeouts_breaker_and_bulkhead_protect_users_from_a_slow_database():
    design = load_example("three_tier")
    comparison = run_comparison(design, RunOptions(duration=150, bucket=1), "database outage",
                                replications=3, processes=1)
    errors = comparison.row("browsers", "error_rate")
    p99 = comparison.row("browsers", "latency_p99")
    # with protection far fewer users see failures, and the difference is well outside the noise
    assert errors["difference"] + errors["difference_ci"] < -0.3
    assert errors["protected"] < 0.1
    # the API keeps workers free for requests that never touch the database
    util = comparison.row("api", "utilisation")
    assert util["protected"] < 0.5 * util["unprotected"]
    assert np.isfinite(p99["difference_ci"])
    protected = comparison.runs["protected"][0]
    opened = [e["time"] for e in protected.events if e["kind"] == "breaker_opened" and e["link"] == "api -> db"]
    closed = [e["time"] for e in protected.events if e["kind"] == "breaker_closed" and e["link"] == "api -> db"]
    assert opened and 60 <= opened[0] <= 62          # opens during the outage
    assert closed and closed[-1] > 90               # and closes after it


def test_naive_retries_turn_a_brief_slowdown_into_a_metastable_failure():
    design = load_example("retry_storm")
    with_retries = run(design, duration=240, warmup=0, bucket=10, experiment="brief slowdown")
    without = run(design, duration=240, warmup=0, bucket=10, experiment="brief slowdown", resilience=False)
    after = slice(15, 24)   # 150-240 s: the trigger ended at 75 s
    # the trigger is long gone, but retries keep the server overloaded: almost nothing succeeds
    assert with_retries.column("goodput", "clients")[after].mean() < 5
    assert with_retries.column("arrivals", "server")[after].mean() / 10 > 200    # ~4 x 70 attempts/s
    # the same system without retries recovers from the same trigger
    assert without.column("goodput", "clients")[after].mean() > 60
    assert with_retries.column("utilisation", "server")[after].mean() > 0.99


def test_a_retry_budget_and_load_shedding_let_the_system_recover():
    guarded = load_example("retry_storm_guarded")
    r = run(guarded, duration=240, warmup=0, bucket=10, experiment="brief slowdown")
    after = slice(15, 24)
    assert r.column("goodput", "clients")[after].mean() > 60
    assert r.column("arrivals", "server")[after].mean() / 10 < 80
    kinds = {e["kind"] for e in r.events}
    assert "retry_budget_exhausted" in kinds and "retry_budget_restored" in kinds


def test_comparison_rows_carry_confidence_intervals():
    m, ci = mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and ci == pytest.approx(t95(2) * (1.0 / 3 ** 0.5))
    design = load_example("mmc")
    comparison = run_comparison(design, RunOptions(duration=150, bucket=1), "lose a worker",
                                replications=2, baseline=True, processes=2)
    assert set(comparison.runs) == {"protected", "unprotected", "baseline"}
    row = comparison.row("server", "latency_mean")
    assert row["baseline"] < row["protected"]
    # no policies in this design: with and without resilience are the same run, on common random numbers
    assert row["difference"] == 0.0
