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
