"""The bucket grid: one definition of a run's buckets, and long runs kept in wider buckets whose
series, percentiles and verdicts agree with the narrow ones."""
from __future__ import annotations

import json

import numpy as np
import pytest
from test_objectives import _crash_design

from engine import simulate
from engine.grid import BucketGrid, bucket_count
from engine.model import Client, Design, Exponential, Link, OpenLoop, RunOptions, Service
from engine.objectives import evaluate
from engine.results import RunResult


def test_the_grid_cuts_a_run_into_buckets_the_last_one_partial():
    grid = BucketGrid.for_run(10.5, 1.0)
    assert (grid.count, grid.width, grid.merged, grid.coarsened) == (11, 1.0, 1, False)
    assert grid.starts().tolist() == [float(b) for b in range(11)]
    assert grid.middles(3).tolist() == [0.5, 1.5, 2.5]
    assert grid.widths(first=9).tolist() == [1.0, 0.5]
    assert [grid.index(t) for t in (0.0, 0.999, 1.0, 10.4, 10.5, 99.0, -3.0)] == [0, 0, 1, 10, 10, 10, 0]
    assert grid.end(10) == 10.5 and grid.start(10) == 10.0
    # a whole number of buckets despite rounding: 3.0 / 0.1 is 30.000000000000004
    assert bucket_count(3.0, 0.1) == 30


def test_too_many_buckets_widen_by_doubling_until_they_fit():
    grid = BucketGrid.for_run(36_000.0, 1.0, 10_000)
    assert (grid.width, grid.count, grid.merged, grid.requested) == (4.0, 9000, 4, 1.0)
    assert grid.coarsened and grid.describe() == "4 s buckets (36,000 of 1 s asked, merged 4 to 1)"
    assert BucketGrid.for_run(10_000.0, 1.0, 10_000).width == 1.0  # exactly at the limit: kept as asked
    assert BucketGrid.for_run(10_000.5, 1.0, 10_000).width == 2.0
    with pytest.raises(ValueError, match="max_buckets must be at least 1"):
        BucketGrid.for_run(10.0, 1.0, 0)


def test_options_saved_before_the_limit_existed_were_never_coarsened():
    old = {"duration": 36_000.0, "bucket": 1.0}
    assert BucketGrid.of_options(old).width == 1.0
    assert BucketGrid.of_meta({"options": old}).count == 36_000
    assert BucketGrid.of_options(RunOptions(duration=36_000.0)).width == 4.0
    assert BucketGrid.of_options(RunOptions(duration=36_000.0).model_dump(mode="json")).width == 4.0


def _poisson() -> Design:
    return Design(name="mm2", components=[
        Client(name="users", workload=OpenLoop(rate=40)),
        Service(name="api", instances=1, workers=2, service_time=Exponential(mean=0.04)),
    ], links=[Link(source="users", target="api")])


def _pairs(values: np.ndarray, k: int) -> np.ndarray:
    """(buckets x columns) -> groups of ``k`` consecutive buckets, (groups x k x columns)."""
    n = values.shape[0] // k
    return values[: n * k].reshape(n, k, *values.shape[1:])


def test_wider_buckets_hold_what_the_narrow_ones_held():
    design = _poisson()
    fine = simulate(design, RunOptions(duration=64, bucket=0.5, seed=7))
    coarse = simulate(design, RunOptions(duration=64, bucket=0.5, seed=7, max_buckets=32))
    assert fine.meta["bucket_grid"]["width"] == 0.5
    assert coarse.meta["bucket_grid"] == {"width": 2.0, "requested": 0.5, "count": 32, "merged": 4, "x": "start"}
    assert coarse.bucket_times.tolist() == [2.0 * b for b in range(32)]
    # the same run: only how it is kept differs (time averages add their areas bucket by bucket)
    areas = {"utilisation", "mean_busy", "mean_queue_length", "mean_in_flight", "mean_instances_up"}
    for name, row in fine.summary["components"].items():
        other = coarse.summary["components"][name]
        assert {k: v for k, v in row.items() if k not in areas} == {k: v for k, v in other.items() if k not in areas}
        assert [row[k] for k in sorted(areas)] == pytest.approx([other[k] for k in sorted(areas)], rel=1e-12)
    assert coarse.summary["links"] == fine.summary["links"]
    for metric in ("arrivals", "ok", "started", "calls"):
        np.testing.assert_array_equal(coarse.series[metric], _pairs(fine.series[metric], 4).sum(axis=1))
    # Merged sums of seconds are added in another order than the fine buckets' were.
    np.testing.assert_allclose(coarse.series["queue_wait_sum"], _pairs(fine.series["queue_wait_sum"], 4).sum(axis=1),
                               rtol=1e-12)
    np.testing.assert_array_equal(coarse.link_series["calls"], _pairs(fine.link_series["calls"], 4).sum(axis=1))
    for gauge in ("queue_length", "busy", "utilisation"):  # time averages: the mean of equal widths
        np.testing.assert_allclose(coarse.series[gauge], _pairs(fine.series[gauge], 4).mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(coarse.series["throughput"], _pairs(fine.series["throughput"], 4).mean(axis=1))
    np.testing.assert_array_equal(coarse.series["latency_max"], _pairs(fine.series["latency_max"], 4).max(axis=1))
    # a percentile of merged buckets lies between the merged buckets' own (to the histogram's 0.5 %)
    for p in ("latency_p50", "latency_p99"):
        parts = _pairs(fine.series[p], 4)
        lo, hi = parts.min(axis=1), parts.max(axis=1)
        assert np.all(coarse.series[p] >= lo * 0.995) and np.all(coarse.series[p] <= hi * 1.005)
        assert not np.array_equal(coarse.series[p], parts[:, 0])   # computed over the wide bucket, not picked


def test_objectives_and_recovery_stay_right_in_wider_buckets():
    design = _crash_design(5.0)
    fine = evaluate(simulate(design, RunOptions(duration=60), "crash"))
    result = simulate(design, RunOptions(duration=60, max_buckets=15), "crash")
    assert BucketGrid.of_meta(result.meta).width == 4.0
    coarse = evaluate(result)
    for a, b in zip(fine.objectives, coarse.objectives):
        assert (a.good, a.judged, a.attainment, a.met) == (b.good, b.judged, b.attainment, b.met)
        assert len(b.attainment_series) == 15
    r_fine, r_coarse = fine.recovery[0], coarse.recovery[0]
    assert r_fine.time_to_recover == 5.0 and r_coarse.recovered
    # one clean outage: recovery is told to the resolution of the buckets kept, at most a bucket later
    assert r_fine.time_to_recover <= r_coarse.time_to_recover <= r_fine.time_to_recover + 4.0
    assert r_coarse.requests_lost == r_fine.requests_lost == 150.0


def test_the_results_json_says_which_grid_its_series_are_on(tmp_path):
    result = simulate(_crash_design(5.0), RunOptions(duration=60, max_buckets=15), "crash")
    path = tmp_path / "r.json"
    result.write_json(path)
    data = json.loads(path.read_text())
    assert data["meta"]["bucket_grid"]["width"] == 4.0 and len(data["bucket_times"]) == 15
    assert data["meta"]["options"]["bucket"] == 1.0   # what was asked stays on record
    again = RunResult.from_json_dict(data)
    assert evaluate(again).recovery[0].time_to_recover == evaluate(result).recovery[0].time_to_recover
