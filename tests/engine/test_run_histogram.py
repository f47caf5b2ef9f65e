"""The run's latency histogram is folded from each bucket's at its flush, and a bucket's latencies
wait in a small buffer before they are counted: a summary taken mid-run must still count every
latency measured since the warm-up, as a run that ends at that moment does."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import engine.model as m
from engine import RunOptions, Simulation

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
PERCENTILES = ("latency_p50", "latency_p90", "latency_p99", "latency_p999", "latency_max", "latency_mean")


def _percentiles(summary: dict) -> dict:
    return {name: {k: c[k] for k in PERCENTILES} for name, c in summary["components"].items()}


def _three_tier() -> m.Design:
    return m.parse_design((EXAMPLES / "three_tier.json").read_text())


@pytest.mark.parametrize("until", [7.31, 20.0, 40.5])
def test_a_summary_mid_run_counts_what_a_run_ending_then_counts(until):
    options = dict(warmup=7.3, bucket=1.0, seed=5)
    ended = Simulation(_three_tier(), RunOptions(duration=until, **options)).result()
    paused = Simulation(_three_tier(), RunOptions(duration=100.0, **options))
    paused.advance(until=until)
    assert _percentiles(paused.snapshot().summary) == _percentiles(ended.summary)
    a = paused._core.state_arrays()
    assert int(paused._core.run_histograms().sum()) == int(a["tot_lat"][:, 1].sum()) > 0


@pytest.mark.parametrize("until", [3.25, 7.3])
def test_before_the_warm_up_the_run_histogram_is_empty(until):
    paused = Simulation(_three_tier(), RunOptions(duration=100.0, warmup=7.3, bucket=1.0, seed=5))
    paused.advance(until=until)
    assert not paused._core.run_histograms().any()
    assert paused._core.state_arrays()["b_lat"][:, 1].sum() > 0     # the bucket's own did count


def test_the_run_histogram_counts_each_latency_after_the_warm_up_once():
    sim = Simulation(_three_tier(), RunOptions(duration=30.0, warmup=4.5, bucket=2.0, seed=9))
    sim.result()
    a = sim._core.state_arrays()
    assert np.array_equal(sim._core.run_histograms().sum(axis=1), a["tot_lat"][:, 1].astype(np.int64))
    assert not sim._core.bucket_histograms().any()


def _breaker_open_on_an_erring_server() -> m.Design:
    return m.Design(name="breaker", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=50), policies=[m.CircuitBreakerPolicy(
            sliding_window_size=10, minimum_number_of_calls=10, wait_duration_in_open_state=60)]),
        m.Service(name="server", workers=50, service_time=m.Constant(value=0.001), error_probability=1.0),
    ], links=[m.Link(source="users", target="server")])


def _overload_control() -> m.Design:
    return m.parse_design((EXAMPLES / "overload_control.json").read_text())


@pytest.mark.parametrize("design,experiment,refusal", [
    (_breaker_open_on_an_erring_server, None, "short_circuited"),
    (_overload_control, None, "rejected"),
    (_three_tier, "database outage", "unavailable"),
], ids=["short-circuited", "rejected", "unavailable"])
def test_served_latencies_are_the_answers_less_the_refusals(design, experiment, refusal):
    """The served count is not kept but derived: every answer since the warm-up, less the
    refusals, which stay out of the latency histogram. Each kind of refusal must be taken out."""
    sim = Simulation(design(), RunOptions(duration=200.0, warmup=3.5, bucket=1.0, seed=2), experiment)
    sim.advance(until=150.25)   # mid-bucket, as a live read sees it
    a = sim._core.state_arrays()
    assert sum(c["outcomes"][refusal] for c in sim.snapshot().summary["components"].values()) > 0
    assert np.array_equal(sim._core.run_histograms().sum(axis=1), a["tot_lat"][:, 1].astype(np.int64))
