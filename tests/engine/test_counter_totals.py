"""A run's counter totals, which the loop keeps only per bucket and the core folds together.

The totals count from the instant the warm-up ends. With the warm-up inside a bucket, the part
of that bucket before it is left out; with it on a bucket's edge, the totals are the sum of the
buckets from there on. Bucket width does not change what happens in a run, so both must give
the same totals, at the end and whenever a run is read part-way.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import engine.model as m
from engine import RunOptions, Simulation

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
STOPS = (3.0, 7.4999, 7.5, 7.6, 12.25, 55.0, 81.3)


COUNTS = ("arrivals", "completed", "outcomes", "attempts", "calls", "retries", "lost", "shed", "rate_limited",
          "refused", "refused_time_total", "queue_wait_mean", "latency_mean", "bulkhead_rejected",
          "breaker_rejected", "retries_exhausted", "retries_throttled", "bulkhead_waited", "bulkhead_wait_mean")


def _counters(summary: dict) -> dict:
    """The figures a run's counters give (time averages are left out: they are not counts)."""
    return {kind: {name: {k: row[k] for k in COUNTS if k in row} for name, row in summary[kind].items()}
            for kind in ("components", "links")}


def _summaries(design: m.Design, experiment: str | None, bucket: float) -> list[dict]:
    sim = Simulation(design, RunOptions(duration=130.0, warmup=7.5, bucket=bucket, seed=5), experiment)
    out = []
    for until in STOPS:
        sim.advance(until)
        out.append(_counters(sim._build(final=False).summary))
    out.append(_counters(sim.result().summary))
    return out


@pytest.mark.parametrize("example, experiment", [
    ("three_tier", "bad day"), ("retry_storm_guarded", None), ("overload_control", None)])
def test_a_warm_up_inside_a_bucket_counts_as_one_on_its_edge(example, experiment):
    design = m.parse_design((EXAMPLES / f"{example}.json").read_text())
    inside = _summaries(design, experiment, bucket=2.0)    # the warm-up ends half-way through a bucket
    on_edge = _summaries(design, experiment, bucket=0.5)   # ... or where one begins
    assert inside == on_edge
    assert inside[-1]["components"] != inside[2]["components"]   # the counts moved on


def test_totals_are_the_buckets_after_the_warm_up():
    design = m.parse_design((EXAMPLES / "three_tier.json").read_text())
    result = Simulation(design, RunOptions(duration=130.0, warmup=5.0, bucket=1.0, seed=2), "bad day").result()
    for i, name in enumerate(result.meta["components"]):
        totals = result.summary["components"][name]
        for counter in ("arrivals", "retries", "attempts", "calls", "lost"):
            assert totals[counter] == np.sum(result.series[counter][5:, i]), (name, counter)
        for outcome in ("ok", "error", "timeout", "unavailable"):
            assert totals["outcomes"][outcome] == np.sum(result.series[outcome][5:, i]), (name, outcome)
    assert sum(result.summary["components"][n]["arrivals"] for n in result.meta["components"]) > 1000
