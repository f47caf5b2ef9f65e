"""The Qt-free parts: sessions from results, health at a time, fault windows, saved-run groups, figures."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from run_builders import EXPERIMENT, make_three_tier

from app.run.buckets import bucket_for
from app.run.formatting import comparison_cells, format_ci, format_value, trivial_row, unit_for, verdict
from app.run.saved import group_runs, saved_runs_of
from app.run.session import RunSession, VariantData, fault_windows_from_events
from app.run.worker import VariantFrame
from engine import RunOptions, simulate


@pytest.fixture(scope="module")
def results():
    design = make_three_tier()
    options = RunOptions(duration=30, seed=4)
    return design, {
        "protected": simulate(design, options, EXPERIMENT),
        "unprotected": simulate(design, options.model_copy(update={"resilience": False}), EXPERIMENT),
    }


def test_a_session_from_results_knows_its_runs_faults_and_breakers(results):
    _design, runs = results
    session = RunSession.from_results(runs)
    assert session.variant_names == ["protected", "unprotected"] and session.is_comparison
    assert session.n_buckets == 30 and session.done
    assert [(w.start, w.end, w.target) for w in session.fault_windows] == [(10.0, 20.0, "db")]
    assert session.breakers == ["api -> db"]
    assert session.client_names() == ["users"]
    assert session.most_loaded(exclude=["users"]) in ("api", "db")
    assert {r["metric"] for r in session.table} >= {"throughput", "error_rate"}


def test_health_at_a_bucket_shows_the_crash_and_the_breaker(results):
    _design, runs = results
    session = RunSession.from_results(runs)
    session.instances.update({"db": 1, "api": 3})
    before, during = session.health(bucket=5), session.health(bucket=15)
    assert before["db"]["crashed"] == 0 and during["db"]["crashed"] == 1
    assert during["api"]["breaker"] in ("open", "half_open")
    assert before["api"]["breaker"] == "closed"
    assert "breaker" not in session.health("unprotected", 15)["api"]


def test_open_fault_windows_run_to_the_end():
    events = [{"time": 5.0, "kind": "fault_started", "fault_id": "a", "component": "db", "details": "crash on db"}]
    [window] = fault_windows_from_events(events, 60.0, [{"id": "a", "title": "crash"}])
    assert (window.start, window.end, window.title) == (5.0, 60.0, "crash")


def test_kept_comparisons_group_back_together(results):
    design, runs = results
    session = RunSession.from_results(runs)
    records = saved_runs_of(session, design.id)
    single = saved_runs_of(RunSession.from_results({"protected": runs["protected"]}), design.id)
    groups = group_runs(records + single)
    assert sorted(len(g.runs) for g in groups) == [1, 2]
    pair = next(g for g in groups if len(g.runs) == 2)
    assert pair.variants == ["protected", "unprotected"]
    reopened = pair.session()
    assert json.dumps(reopened.table) == json.dumps(session.table)  # NaN intervals compare as text
    assert reopened.saved


def test_figures_read_with_three_significant_figures_and_their_units():
    assert format_value("latency_p99", 0.0873) == "87.3 ms"
    assert format_value("latency_p99", 1.2345) == "1.23 s"
    assert format_value("latency_p99", 0.9996) == "1.00 s"  # not "1000 ms"
    assert format_value("error_rate", 0.026) == "2.60 %"
    assert format_value("throughput", 199.0) == "199 /s"
    assert format_value("throughput", 15342.0) == "15.3 k/s"
    assert format_value("mean_queue_length", 0.04567) == "0.0457"
    assert format_value("mean_queue_length", 4731.6) == "4,730"  # set apart as the peak beside it: 10,929
    assert format_ci("goodput", 10.0, 1.5, signed=True) == "+10.0 ± 1.5 /s"
    assert format_value("throughput", math.nan) == "–"


def test_an_interval_never_reads_zero_for_a_quantity_that_varies():
    assert format_ci("throughput", 150.0, 0.004) == "150 ± 0.0040 /s"
    assert format_ci("latency_p99", 0.2, 0.00002) == "200 ± 0.020 ms"
    assert format_ci("throughput", 150.0, 0.0) == "150 /s"  # the same on every seed: no interval to show


def test_a_comparison_row_reads_in_one_unit_with_the_difference_first():
    row = {"component": "api", "metric": "latency_p99", "protected": 0.95, "unprotected": 1.6,
           "difference": -0.65, "difference_ci": 0.05}
    assert unit_for("latency_p99", [0.95, 1.6]) == ("s", 1.0)
    assert comparison_cells(row, baseline=False) == ["Latency p99", "-0.650 ± 0.050 s", "0.950 s", "1.60 s"]
    fast = {"component": "api", "metric": "throughput", "protected": 990.0, "unprotected": 1010.0,
            "difference": -20.0}
    assert comparison_cells(fast, baseline=False)[1:] == ["-0.0200 k/s", "0.990 k/s", "1.01 k/s"]


def test_only_a_difference_whose_interval_excludes_zero_is_judged():
    assert verdict("goodput", 5.0, 1.0) == 1
    assert verdict("goodput", 5.0, math.nan) == 0  # one replication: no interval, no call
    assert verdict("goodput", 5.0, None) == 0
    assert verdict("latency_p99", 0.1, 0.01) == -1
    assert verdict("latency_p99", 0.1, 0.2) == 0  # within its interval: no call
    assert verdict("utilisation", 0.5, 0.01) == 0  # neither better nor worse
    assert trivial_row({"metric": "utilisation", "protected": 0.0, "unprotected": 0.0})
    assert not trivial_row({"metric": "throughput", "protected": 0.0, "unprotected": 0.0})


def test_long_runs_get_coarser_buckets():
    assert bucket_for(300) == 1.0
    assert bucket_for(3600) == 2.0
    assert bucket_for(1_000_000) == 500.0
    assert 1_000_000 / bucket_for(1_000_000) <= 2000


def test_a_run_kept_in_wider_buckets_reopens_on_its_own_grid_with_its_peaks(results):
    from app.run.report import build_report

    design, _runs = results
    result = simulate(design, RunOptions(duration=30, seed=4, max_buckets=8), EXPERIMENT)
    reopened = group_runs(saved_runs_of(RunSession.from_results({"protected": result}), design.id))[0].session()
    for session in (RunSession.from_results({"protected": result}), reopened):
        assert (session.bucket, session.n_buckets) == (4.0, 8)
        assert session.times().tolist() == [2.0 + 4.0 * b for b in range(8)]   # plotted at bucket middles
        assert session.bucket_at(13.0) == 3 and session.bucket_at(30.0) == 7
        html = build_report(session, design)
        assert "4 s buckets (30 of 1 s asked, merged 4 to 1)" in html
        assert "Peak queue" in html and "<th>Memory</th>" in html
    assert {r["metric"] for r in RunSession.from_results(_runs).table} >= {"queue_peak"}


def test_a_run_saved_before_buckets_were_bounded_reopens_as_it_was():
    from pathlib import Path

    from app.store.project_file import open_project

    opened = open_project(Path(__file__).resolve().parents[1] / "fixtures" / "project_v2.faultline")
    session = group_runs(opened.runs)[0].session()
    data = next(iter(session.variants.values()))
    assert "max_buckets" not in session.options and session.bucket == float(session.options["bucket"])
    assert session.n_buckets == data.n == math.ceil(session.duration / session.bucket - 1e-9)


def test_live_frames_are_read_as_the_worker_gathered_them():
    # Each frame brings every row yet, as views of the worker's arrays (app/run/worker.py): what
    # is read is the rows written, NaN gaps included, nothing past them, and nothing is copied.
    data = VariantData(["a", "b"], ["a -> b"])
    whole = np.arange(16, dtype=float).reshape(8, 2)
    whole[3, 0] = np.nan
    for end in range(2, 9, 2):
        data.append(VariantFrame(start=end - 2, series={"throughput": whole[:end]},
                                 link_series={"calls": whole[:end, :1]}, events=[], breaker_states={},
                                 instances_down={}, now=float(end)))
        assert data.n == end
        np.testing.assert_array_equal(data.column("throughput", "a"), whole[:end, 0])
        np.testing.assert_array_equal(data.column("throughput", "b"), whole[:end, 1])
        np.testing.assert_array_equal(data.link_column("calls", "a -> b"), whole[:end, 0])
        assert np.shares_memory(data.series["throughput"], whole)
