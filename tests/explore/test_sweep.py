"""Sweeps: specs, grids and Latin hypercubes, common random numbers, resumable results, summaries."""
import csv
import os
from pathlib import Path

import pytest
from stations import station

import engine.model as m
from engine.compare import mean_ci
from engine.explore import ParameterSpace
from engine.explore.executors import InProcessExecutor, LocalExecutor
from engine.explore.runner import run_sweep
from engine.explore.sweep import parse_axis, plan_sweep
from engine.explore.table import ResultsFile, summarise, summary_path, write_summary
from engine.model import DesignError, RunOptions, parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
SHORT = RunOptions(duration=10.0)


@pytest.fixture(scope="module")
def shop():
    return parse_design((EXAMPLES / "three_tier.json").read_text())


# -- specs --------------------------------------------------------------------------------------
def test_range_list_and_interval_specs(shop):
    space = ParameterSpace(shop)
    assert parse_axis(space, "api.workers", "4:16:4").values == (4, 8, 12, 16)
    assert parse_axis(space, "api->db.probability", "0.1:0.3:0.1").values == (0.1, 0.2, 0.3)
    assert parse_axis(space, "lb.strategy", "random,round_robin").values == ("random", "round_robin")
    assert parse_axis(space, "api.queue_capacity", "none,50").values == (None, 50)
    interval = parse_axis(space, "browsers.rate", "100:300")
    assert interval.continuous and (interval.low, interval.high) == (100, 300)


@pytest.mark.parametrize("path, spec, message", [
    ("api.workers", "0:8:2", 'api.workers: "0:8:2": the range must be at least 1 (got 0)'),
    ("api.workers", "4:16:0", "the step must be greater than 0"),
    ("api.workers", "4:16:2.5", "must be a whole number"),
    ("api.workers", "16:4:4", "the range ends below where it starts"),
    ("api.workers", "a:b:c", "the ends and the step of a range must be numbers"),
    ("lb.strategy", "1:3:1", "a range needs a number parameter"),
    ("lb.strategy", "random,fastest", "must be one of"),
    ("api.wrokers", "1,2", "api.wrokers: is not a parameter"),
])
def test_bad_specs_are_named(shop, path, spec, message):
    with pytest.raises(DesignError) as caught:
        parse_axis(ParameterSpace(shop), path, spec)
    assert message in str(caught.value)


def test_a_grid_crosses_every_value_and_checks_each_point(shop):
    sweep = plan_sweep(shop, [("api.workers", "4:8:4"), ("lb.strategy", "random,round_robin")],
                       RunOptions(duration=100), experiments=[None, "database outage"], replications=2)
    assert sweep.points == [{"api.workers": 4, "lb.strategy": "random"},
                            {"api.workers": 4, "lb.strategy": "round_robin"},
                            {"api.workers": 8, "lb.strategy": "random"},
                            {"api.workers": 8, "lb.strategy": "round_robin"}]
    assert len(sweep) == 4 * 2 * 2
    with pytest.raises(DesignError, match=r"point 1 \(database outage.start=5\): experiment \"database outage\""):
        plan_sweep(shop, [("database outage.start", "5,50")], SHORT, experiments=["database outage"])
    with pytest.raises(DesignError, match='no experiment named "nope"'):
        plan_sweep(shop, [], SHORT, experiments=["nope"])
    with pytest.raises(DesignError, match="needs a step"):
        plan_sweep(shop, [("browsers.rate", "1:2")], SHORT)
    with pytest.raises(DesignError, match="api.workers: is swept twice"):
        plan_sweep(shop, [("api.workers", "1,2"), ("api.workers", "3")], SHORT)


def test_a_latin_hypercube_is_stratified_reproducible_and_in_range(shop):
    params = [("browsers.rate", "100:300"), ("api.workers", "4:20"), ("lb.strategy", "random,round_robin")]
    sweep = plan_sweep(shop, params, SHORT, lhs=10, lhs_seed=3)
    assert sweep.points == plan_sweep(shop, params, SHORT, lhs=10, lhs_seed=3).points
    assert sweep.points != plan_sweep(shop, params, SHORT, lhs=10, lhs_seed=4).points
    rates = sorted(p["browsers.rate"] for p in sweep.points)
    # one point in each tenth of the interval: that is what makes it a Latin hypercube
    assert [int((r - 100) // 20) for r in rates] == list(range(10))
    assert all(isinstance(p["api.workers"], int) and 4 <= p["api.workers"] <= 20 for p in sweep.points)
    assert sorted(p["lb.strategy"] for p in sweep.points) == ["random"] * 5 + ["round_robin"] * 5


def test_replications_share_seeds_across_points(shop):
    sweep = plan_sweep(shop, [("api.workers", "4,8")], RunOptions(duration=10, seed=7), replications=3)
    seeds = {}
    for task in sweep.tasks():
        seeds.setdefault(task.point, []).append(task.seed)
    assert seeds == {0: [7, 8, 9], 1: [7, 8, 9]}


# -- running ------------------------------------------------------------------------------------
def test_common_random_numbers_leave_untouched_parts_identical():
    # The breaker never sees a failure without faults: whatever its threshold, every figure is the
    # same at every point of a replication, and differs between replications.
    design = station(with_outage=True)
    design.components[0].policies = [m.CircuitBreakerPolicy(minimum_number_of_calls=5)]
    sweep = plan_sweep(design, [("users.circuit_breaker.failure_rate_threshold", "20,50,80")], SHORT, replications=2)
    rows = run_sweep(sweep)
    by_replication = {}
    for row in rows:
        by_replication.setdefault(row["replication"], set()).add(row["users.p99"] + row["users.throughput"])
    assert [len(v) for v in by_replication.values()] == [1, 1]
    assert by_replication["0"] != by_replication["1"]


def test_a_parameter_changes_what_it_should(shop):
    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1,4")], SHORT)
    rows = {r["server.workers"]: r for r in run_sweep(sweep)}
    assert float(rows["1"]["users.p99"]) > 2 * float(rows["4"]["users.p99"])
    assert float(rows["1"]["users.throughput"]) == pytest.approx(50, rel=0.15)


def test_local_processes_give_the_numbers_of_one_process():
    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1:3:1")], SHORT, experiments=[None, "outage"],
                       replications=2)
    here = run_sweep(sweep, InProcessExecutor())
    with LocalExecutor(2) as pool:
        there = run_sweep(sweep, pool)
    def key(r):
        return r["point"], r["experiment"], r["replication"]

    assert sorted(here, key=key) == sorted(there, key=key)
    assert len(here) == 12 and {r["experiment"] for r in here} == {"", "outage"}


def test_local_sweeps_and_comparisons_share_one_pool_of_processes():
    import multiprocessing

    from engine import workers
    from engine.compare import run_comparison

    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1,2")], SHORT)
    with LocalExecutor(2) as first:
        run_sweep(sweep, first)
    pool = workers.pool()
    started = {p.pid for p in multiprocessing.active_children()}
    run_comparison(station(with_outage=True), SHORT, None, replications=2, compare=True)
    with LocalExecutor(2) as second:
        assert len(run_sweep(sweep, second)) == 2
    assert workers.pool() is pool
    assert {p.pid for p in multiprocessing.active_children()} == started  # nothing new was started


def test_a_sweep_asking_for_fewer_processes_keeps_that_many_runs_in_the_pool():
    from engine import workers

    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1:4:1")], SHORT)
    with LocalExecutor(1) as one:
        seen = []
        real = workers.pool().submit

        def submit(*args, **kwargs):
            seen.append(len(one._in_flight))
            return real(*args, **kwargs)

        workers.pool().submit = submit
        try:
            assert len(run_sweep(sweep, one)) == 4
        finally:
            del workers.pool().submit
    assert one.workers == 1 and max(seen) == 0  # each run is sent only when the one before is back


def _read(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_rows_stream_to_the_file_and_a_rerun_resumes(tmp_path):
    out = tmp_path / "r.csv"
    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1,2,3")], SHORT, replications=2)
    full = run_sweep(sweep, out=out)
    assert _read(out) == full and len(full) == 6
    # A sweep stopped after three rows, the last one half written:
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:4]) + lines[4][:15])
    ran = []
    rows = run_sweep(sweep, out=out, on_row=lambda row, done, total: ran.append((done, total)))
    assert [d for d, _ in ran] == [4, 5, 6] and {t for _, t in ran} == {6}
    assert sorted(_read(out), key=lambda r: (r["point"], r["replication"])) == \
        sorted(full, key=lambda r: (r["point"], r["replication"]))
    assert len(rows) == 6
    # Nothing left to do: a third run runs nothing.
    ran.clear()
    run_sweep(sweep, out=out, on_row=lambda *a: ran.append(a))
    assert ran == []


def test_a_file_from_another_sweep_is_refused(tmp_path):
    out = tmp_path / "r.csv"
    run_sweep(plan_sweep(station(with_outage=True), [("server.workers", "1,2")], SHORT), out=out)
    before = out.read_text()
    with pytest.raises(DesignError,
                       match=r"other parameters or metrics \(it holds server.workers and lacks users.rate"):
        ResultsFile(out, plan_sweep(station(with_outage=True), [("users.rate", "10,20")], SHORT))
    with pytest.raises(DesignError, match="another design or other run options"):
        ResultsFile(out, plan_sweep(station(with_outage=True), [("server.workers", "1,2")], RunOptions(duration=12)))
    assert out.read_text() == before


def test_the_summary_has_t_intervals_per_point(tmp_path):
    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1,2")], SHORT, replications=3)
    rows = run_sweep(sweep)
    summary = summarise(sweep, rows)
    assert [(s["point"], s["server.workers"], s["replications"]) for s in summary] == [(1, "1", 3), (2, "2", 3)]
    values = [float(r["users.p99"]) for r in rows if r["server.workers"] == "1"]
    assert (summary[0]["users.p99"], summary[0]["users.p99.ci95"]) == mean_ci(values)
    path = write_summary(summary_path(tmp_path / "r.csv"), sweep, summary)
    assert path.name == "r.summary.csv"
    written = _read(path)
    assert float(written[0]["users.p99"]) == summary[0]["users.p99"]
    assert float(written[1]["users.p99.ci95"]) == summary[1]["users.p99.ci95"]


def test_points_that_round_to_the_same_values_are_summarised_apart():
    # four samples of a whole number from 3 to 5: two of them round to the same workers
    sweep = plan_sweep(station(with_outage=True), [("server.workers", "3:5")], SHORT, lhs=4, lhs_seed=1)
    values = [p["server.workers"] for p in sweep.points]
    assert len(set(values)) < len(values)
    summary = summarise(sweep, run_sweep(sweep))
    assert [s["point"] for s in summary] == [1, 2, 3, 4]
    assert [s["replications"] for s in summary] == [1, 1, 1, 1]


def test_cluster_batches_grow_for_short_runs_and_shrink_at_the_tail():
    from engine.explore.executors import IN_FLIGHT_PER_WORKER, _BatchSizer

    sizer = _BatchSizer(workers=2)
    assert sizer.next_size(remaining=1000) == 1  # nothing measured yet
    sizer.observe(runs=10, seconds=0.2)  # 20 ms a run: about a second's worth in one task
    assert sizer.next_size(remaining=1000) == 50
    assert sizer.next_size(remaining=2 * IN_FLIGHT_PER_WORKER * 3) == 3  # the last runs spread over the workers
    assert sizer.next_size(remaining=1) == 1
    slow = _BatchSizer(workers=2)
    slow.observe(runs=2, seconds=4.0)  # two-second runs go one at a time
    assert slow.next_size(remaining=1000) == 1


def test_rows_carry_the_verdict_of_every_objective_and_the_summary_its_share():
    design = station(with_outage=True)
    design.components[0].objectives = [m.AvailabilityObjective(target=0.99), m.LatencyObjective(threshold=0.2)]
    design.components[0].recovery = m.RecoverySettings(hold=1.0)
    sweep = plan_sweep(design, [("server.workers", "2,3")], SHORT, experiments=[None, "outage"], replications=2)
    assert sweep.metric_columns[5:9] == ["users.objectives.1.met", "users.objectives.1.attainment",
                                         "users.objectives.1.recovered", "users.objectives.1.time_to_recover"]
    rows = run_sweep(sweep)
    calm = [r for r in rows if r["experiment"] == ""]
    outage = [r for r in rows if r["experiment"] == "outage"]
    assert {r["users.objectives.1.met"] for r in calm} == {"1.0"}
    assert {r["users.objectives.1.recovered"] for r in calm} == {""}  # no fault, nothing to recover from
    # three seconds of a crashed server out of ten miss 99 % availability, and the journey comes back
    assert {r["users.objectives.1.met"] for r in outage} == {"0.0"}
    assert all(float(r["users.objectives.1.attainment"]) < 0.8 for r in outage)
    assert {r["users.objectives.1.recovered"] for r in outage} == {"1.0"}
    assert all(0 <= float(r["users.objectives.1.time_to_recover"]) < 5 for r in outage)
    summary = {(s["experiment"], s["server.workers"]): s for s in summarise(sweep, rows)}
    calm_point, outage_point = summary[("", "2")], summary[("outage", "2")]
    assert calm_point["users.objectives.1.met"] == 1.0 and outage_point["users.objectives.1.met"] == 0.0
    low, high = outage_point["users.objectives.1.met.low"], outage_point["users.objectives.1.met.high"]
    assert low == 0.0 and 0.5 < high < 1  # Wilson: zero of two still leaves room


def test_an_unusable_out_file_is_named_and_left_alone(tmp_path):
    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1,2")], SHORT)
    notes = tmp_path / "notes.txt"
    notes.write_text("point,experiment\nmy own notes without a final line break")
    with pytest.raises(DesignError, match="notes.txt: it was written by a sweep of other parameters"):
        ResultsFile(notes, sweep)
    assert notes.read_text().endswith("final line break")  # not truncated: it is not ours
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not text\n")
    with pytest.raises(DesignError, match="image.csv: it is not a sweep's results file"):
        ResultsFile(binary, sweep)
    with pytest.raises(DesignError, match="cannot be written: No such file or directory"):
        ResultsFile(tmp_path / "missing" / "r.csv", sweep)
    out = tmp_path / "r.csv"
    run_sweep(sweep, out=out)
    lines = out.read_text().splitlines(keepends=True)
    out.write_text(lines[0] + lines[1].replace(",0,", ",x,", 1) + lines[2])
    with pytest.raises(DesignError, match="r.csv: line 2 is damaged"):
        ResultsFile(out, sweep)


def test_without_scipy_a_latin_hypercube_is_a_message(shop, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "scipy.stats", None)  # as in the desktop bundle, which leaves SciPy out
    with pytest.raises(DesignError, match="--lhs: a Latin hypercube needs SciPy"):
        plan_sweep(shop, [("browsers.rate", "100:300")], SHORT, lhs=4)
    assert len(plan_sweep(shop, [("browsers.rate", "100:300:100")], SHORT).points) == 3


def test_a_stop_from_another_thread_ends_the_sweep_after_the_next_run(tmp_path):
    import threading

    stop = threading.Event()
    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1:6:1")], SHORT)
    seen = []

    def on_row(row, done, total):
        seen.append(done)
        if done == 2:
            stop.set()

    rows = run_sweep(sweep, out=tmp_path / "r.csv", on_row=on_row, stop=stop)
    assert seen == [1, 2] and len(rows) == 2 and len(_read(tmp_path / "r.csv")) == 2



def test_sweeps_and_replications_share_one_pool_of_workers_started_once():
    from engine import workers
    from engine.compare import run_comparison

    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1,2")], SHORT)
    with LocalExecutor(os.cpu_count()) as executor:
        run_sweep(sweep, executor)
    started = set(workers.pool()._processes)
    assert len(started) == (os.cpu_count() or 1)
    with LocalExecutor() as executor:
        assert len(run_sweep(sweep, executor)) == 2
    run_comparison(station(with_outage=True), m.RunOptions(duration=2), None, replications=2, compare=False)
    # the workers that ran the first sweep ran the second and the replications: none was started anew
    assert set(workers.pool()._processes) == started


def test_a_results_file_from_before_the_bucket_limit_still_resumes():
    import hashlib
    import json

    sweep = plan_sweep(station(with_outage=True), [("server.workers", "1,2")], SHORT)
    # what the fingerprint was when run options had no max_buckets
    before = hashlib.sha256()
    before.update(json.dumps(sweep.design.to_dict(), sort_keys=True).encode())
    before.update(SHORT.model_dump_json(exclude={"seed", "max_buckets"}).encode())
    assert sweep.fingerprint() == before.hexdigest()[:12]
    coarse = plan_sweep(station(with_outage=True), [("server.workers", "1,2")],
                        RunOptions(duration=10.0, max_buckets=5))
    assert coarse.fingerprint() != sweep.fingerprint()   # its rows' recovery times are on wider buckets


def test_a_wide_interval_reads_in_plain_numbers():
    """A sweep cell read "596 ± 9.8e+02" where the interval was wider than the mean."""
    from engine.explore.table import _cell

    assert _cell(596.0, 980.4, 1.0) == "596 ± 980"
    assert _cell(596.0, 123.4, 1.0) == "596 ± 123"
    assert _cell(0.5, 0.0123, 100.0) == "50 ± 1.2"
    assert _cell(12_345.0, 2_345.6, 1.0) == "12,345 ± 2,346"
