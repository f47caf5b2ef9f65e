"""Verdicts: objectives met or missed, error budgets, and recovery, on hand-computed cases."""
from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from engine import simulate
from engine.model import (
    AvailabilityObjective,
    Client,
    Constant,
    CrashFault,
    Design,
    Experiment,
    LatencyObjective,
    Link,
    OpenLoop,
    RecoverySettings,
    RunOptions,
    Service,
)
from engine.objectives import (
    NOT_RECOVERED,
    BucketCounts,
    ObjectiveVerdict,
    RunVerdicts,
    across_replications,
    burn_rate,
    evaluate,
    recovery_through,
)
from engine.results import RunResult
from engine.stats import wilson_interval

WIDTH, DURATION = 1.0, 20.0
TIMES = np.arange(20, dtype=np.float64)


def _verdict(target: float) -> ObjectiveVerdict:
    return ObjectiveVerdict("users", 0, "id", "availability", "availability", target, 0, 0, math.nan, False,
                            math.nan, None, np.zeros(0), np.zeros(0))


def _counts(good_per_bucket, arrivals=10.0) -> BucketCounts:
    good = np.asarray(good_per_bucket, dtype=np.float64)
    arrivals = np.full(len(good), arrivals)
    return BucketCounts.of(good, arrivals, arrivals)


def _recover(good, target=0.9, start=5.0, end=8.0, tolerance=0.01, hold=3.0, warmup=0.0):
    return recovery_through(_verdict(target), _counts(good), TIMES, WIDTH, DURATION, warmup, "f", "crash on api",
                            start, end, RecoverySettings(tolerance=tolerance, hold=hold))


def test_burn_rate_is_the_bad_share_over_the_budget():
    # SRE workbook: 99.9 % target, 1 % bad -> the budget burns ten times too fast
    assert burn_rate(0.99, 0.999) == pytest.approx(10.0)
    assert burn_rate(0.999, 0.999) == pytest.approx(1.0)
    assert burn_rate(1.0, 0.999) == 0.0
    assert list(burn_rate(np.array([1.0, 0.95, 0.9]), 0.9)) == pytest.approx([0.0, 0.5, 1.0])


def test_bucket_attainment_stalled_and_empty_buckets():
    counts = BucketCounts.of(good=[9, 0, 0, 0], judged=[10, 0, 0, 4], arrivals=[10, 10, 0, 4])
    att = counts.attainment()
    assert att[0] == pytest.approx(0.9)
    assert att[1] == 0.0            # requests sent, nothing came back: stalled
    assert math.isnan(att[2])      # nothing sent: no evidence either way
    assert att[3] == 0.0


def test_a_refused_bucket_is_neutral_for_a_latency_objective():
    # 10 arrivals, all refused: completed, but none answered, so nothing is judged
    counts = BucketCounts.of(good=[0], judged=[0], arrivals=[10], completed=[10])
    assert math.isnan(counts.attainment()[0])


def test_recovery_after_a_dip_hand_computed():
    good = [10] * 5 + [0, 0, 0] + [5, 5] + [10] * 10
    r = _recover(good)
    assert r.pre_fault_attainment == 1.0
    assert r.breached and r.time_to_impact == 0.0
    assert r.recovered and r.time_to_recover == 2.0       # buckets 10, 11, 12 are back: 10 - 8
    assert r.worst_attainment == 0.0
    assert r.peak_burn_rate == pytest.approx(10.0)        # (1 - 0) / (1 - 0.9)
    assert r.requests_lost == pytest.approx(3 * 10 + 2 * 5)
    assert r.verdict == "recovered in 2 s"


def test_tolerance_decides_what_counts_as_back():
    good = [10] * 5 + [0, 0, 0] + [9.5] * 12
    assert _recover(good, tolerance=0.01).recovered is False
    r = _recover(good, tolerance=0.05)
    assert r.recovered and r.time_to_recover == 0.0


def test_a_journey_that_stays_down_did_not_recover():
    good = [10] * 5 + [0] * 15
    r = _recover(good)
    assert r.recovered is False and r.time_to_recover is None
    assert r.verdict == NOT_RECOVERED
    assert r.requests_lost == pytest.approx(150.0)


def test_recovery_must_be_sustained_inside_the_run():
    good = [10] * 5 + [0] * 13 + [10, 10]   # two good buckets at the end, three needed
    assert _recover(good, hold=3.0).recovered is False
    assert _recover(good, hold=2.0).time_to_recover == 10.0
    # a good bucket that does not last restarts the count
    good = [10] * 5 + [0] * 3 + [10, 0] + [10] * 10
    assert _recover(good, hold=3.0).time_to_recover == 2.0


def test_impact_waits_for_a_breach_and_is_measured_from_the_fault_start():
    good = [10] * 6 + [8, 0] + [10] * 12
    r = _recover(good, start=5.5, end=8.0)
    assert r.time_to_impact == pytest.approx(0.5)   # bucket 6 starts 0.5 s after the start
    r = _recover([10] * 20)
    assert not r.breached and r.time_to_impact is None and r.verdict == "not impacted"


def test_the_pre_fault_level_is_the_reference_not_the_target():
    # already below the 0.9 target before the fault: back at 0.8 counts as recovered
    good = [8] * 5 + [0, 0, 0] + [8] * 12
    r = _recover(good)
    assert r.pre_fault_attainment == pytest.approx(0.8)
    assert r.recovered and r.time_to_recover == 0.0
    assert r.missed_before and r.verdict == "recovered in 0 s; missed before the fault too"


def test_a_fault_that_changes_nothing_does_not_impact_an_objective_missed_before_it():
    """Measured against the target, an objective at 80 % of a 90 % target was 'impacted' at the
    fault's first instant and then 'recovered in 0 s', as if the fault had done something."""
    r = _recover([8] * 20)
    assert r.missed_before and not r.breached and r.time_to_impact is None
    assert r.verdict == "not impacted; missed before the fault too"
    # a dip below the level it had, less the tolerance, is an impact
    r = _recover([8] * 6 + [7, 7] + [8] * 12, tolerance=0.05)
    assert r.breached and r.time_to_impact == 1.0 and r.recovered
    assert not _recover([10] * 20).missed_before


def test_buckets_in_the_warmup_do_not_set_the_pre_fault_level():
    good = [0, 0] + [10] * 3 + [0, 0, 0] + [10] * 12
    assert _recover(good, warmup=2.0).pre_fault_attainment == 1.0
    assert _recover(good, warmup=0.0).pre_fault_attainment == pytest.approx(0.6)


def test_a_fault_that_never_ends_has_no_recovery():
    r = _recover([10] * 5 + [0] * 15, end=None)
    assert r.recovered is None and r.verdict == "fault lasts until the end of the run"
    assert r.breached


@pytest.mark.parametrize("k, n, low, high", [
    (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (5, 10, 0.2366, 0.7634), (1, 20, 0.0089, 0.2361),
])
def test_wilson_interval_matches_published_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_replications_give_the_share_met_and_mean_recovery():
    runs = []
    for met, ttr in [(True, 2.0), (True, 4.0), (False, None), (True, 3.0)]:
        v = ObjectiveVerdict("users", 0, "id", "availability", "avail", 0.9, 9, 10, 0.9 if met else 0.5, met,
                             1.0, None, np.zeros(0), np.zeros(0))
        r = _recover([10] * 5 + [0] * 3 + [10] * 12)
        r = replace(r, recovered=ttr is not None, time_to_recover=ttr)
        runs.append(RunVerdicts([v], [r]))
    objectives, recoveries = across_replications(runs)
    (o,) = objectives
    assert (o.replications, o.met) == (4, 3) and o.share_met == 0.75
    assert (o.share_met_low, o.share_met_high) == pytest.approx(wilson_interval(3, 4))
    assert o.attainment == pytest.approx((0.9 * 3 + 0.5) / 4)
    (r,) = recoveries
    assert r.recovered == 3 and r.time_to_recover == pytest.approx(3.0)
    assert r.time_to_recover_ci == pytest.approx(4.303 * 1.0 / math.sqrt(3), rel=1e-3)


# -- a deterministic design whose time to recover is known exactly ---------------------
def _crash_design(restart_delay: float = 5.0) -> Design:
    """Evenly spaced requests, 10/s, to a service that refuses everything from 10 s to 20 s
    and then needs ``restart_delay`` seconds to come back: exactly 150 requests fail."""
    return Design(
        name="crash",
        components=[
            Client(name="users", workload=OpenLoop(rate=10, arrivals="constant"),
                   objectives=[AvailabilityObjective(target=0.99), LatencyObjective(percentile=99, threshold=0.05),
                               AvailabilityObjective(target=0.5)],
                   recovery=RecoverySettings(tolerance=0.01, hold=10)),
            Service(name="api", instances=1, workers=4, service_time=Constant(value=0.01)),
        ],
        links=[Link(source="users", target="api", latency=Constant(value=0.0))],
        experiments=[Experiment(name="crash", faults=[
            CrashFault(target="api", start=10, duration=10, restart_delay=restart_delay)])],
    )


def test_a_crash_with_a_known_restart_recovers_exactly_when_the_instance_is_back():
    result = simulate(_crash_design(5.0), RunOptions(duration=60), "crash")
    verdicts = evaluate(result)
    availability, latency, lenient = verdicts.objectives
    assert (availability.good, availability.judged) == (450, 600)
    assert availability.attainment == 0.75 and not availability.met
    assert availability.budget_consumed == pytest.approx(25.0)
    assert latency.met and latency.attainment == 1.0          # refusals are not judged by latency
    # every answered request took 10 ms: the p99 lies in the histogram bin of 10 ms
    assert latency.measured == pytest.approx(0.01, rel=0.005)
    assert availability.measured is None
    assert lenient.met
    r = verdicts.recovery[0]
    assert (r.fault_start, r.fault_end) == (10.0, 20.0)
    assert r.time_to_impact == 0.0 and r.time_to_recover == 5.0 and r.recovered
    assert r.requests_lost == 150.0 and r.worst_attainment == 0.0
    assert verdicts.recovery[1].verdict == "not impacted"
    assert not verdicts.all_met


def test_the_restart_delay_moves_the_recovery_one_for_one():
    for delay in (3.0, 12.0):
        r = evaluate(simulate(_crash_design(delay), RunOptions(duration=60), "crash")).recovery[0]
        assert r.time_to_recover == delay


def test_recovery_settings_can_be_overridden_per_run():
    result = simulate(_crash_design(5.0), RunOptions(duration=40), "crash")
    assert evaluate(result).recovery[0].recovered                               # 25..35 holds 10 s
    assert not evaluate(result, RecoverySettings(hold=20)).recovery[0].recovered  # 20 s do not fit


def test_burn_rate_series_per_bucket():
    result = simulate(_crash_design(5.0), RunOptions(duration=60), "crash")
    availability = evaluate(result).objectives[0]
    assert len(availability.burn_rate) == 60
    assert availability.burn_rate[:10] == pytest.approx(0.0)
    assert availability.burn_rate[10:25] == pytest.approx(100.0)
    assert availability.burn_rate[25:] == pytest.approx(0.0)


def test_results_json_carries_slo_and_recovery_and_reads_back():
    result = simulate(_crash_design(5.0), RunOptions(duration=60), "crash")
    data = json.loads(json.dumps(result.to_json_dict(), allow_nan=False))
    assert data["version"] == 2
    assert [s["met"] for s in data["slo"]] == [False, True, True]
    assert data["slo"][0]["label"] == "availability 99 % (ok)"
    assert data["recovery"][0]["time_to_recover"] == 5.0
    again = RunResult.from_json_dict(data)
    assert again.verdicts().to_json_dict() == result.verdicts().to_json_dict()
    copy = RunResult.from_dict(result.to_dict())
    assert copy.verdicts().to_json_dict() == result.verdicts().to_json_dict()


def test_results_without_objectives_have_no_verdicts():
    design = _crash_design()
    design.component("users").objectives = []
    verdicts = evaluate(simulate(design, RunOptions(duration=30), "crash"))
    assert verdicts.objectives == [] and verdicts.recovery == [] and verdicts.all_met


def test_verdicts_read_back_from_json_are_the_verdicts_written():
    verdicts = evaluate(simulate(_crash_design(5.0), RunOptions(duration=60), "crash"))
    data = json.loads(json.dumps(verdicts.to_json_dict()))
    assert RunVerdicts.from_json_dict(data).to_json_dict() == verdicts.to_json_dict()
    # without the series, every verdict and figure the rows read is still there
    bare = RunVerdicts.from_json_dict(json.loads(json.dumps(verdicts.to_json_dict(series=False))))
    assert bare.to_json_dict(series=False) == verdicts.to_json_dict(series=False)
    assert across_replications([bare, bare]) == across_replications([verdicts, verdicts])
    with pytest.raises((KeyError, TypeError, ValueError)):
        RunVerdicts.from_json_dict({"slo": [{"client": "users"}], "recovery": []})


def test_recovery_is_judged_over_the_held_seconds_together():
    """One slow request more in a bucket of 150 (99.3 % against a 99.9 % pre-fault level) reset
    the count of buckets in a row, so a journey as steady as before its fault rarely counted as
    recovered: the storefront example read "did not recover" with its breaker long closed."""
    steady = [150.0] * 20
    good = [150.0] * 5 + [0.0] * 3 + [149.0, 150.0, 150.0, 148.0, 150.0, 149.0] + [150.0] * 6
    r = recovery_through(_verdict(0.9), BucketCounts.of(good, steady, steady), TIMES, WIDTH, DURATION, 0.0, "f",
                         "crash on api", 5.0, 8.0, RecoverySettings(tolerance=0.01, hold=10.0))
    assert r.recovered and r.time_to_recover == 0.0
    # a bucket well below, or a stalled one, inside the held seconds still holds recovery back
    for bad, arrived in ((100.0, 150.0), (0.0, 150.0)):
        dip = [*good[:12], bad, *good[13:]]
        judged = [*steady[:12], arrived if bad else 0.0, *steady[13:]]
        r = recovery_through(_verdict(0.9), BucketCounts.of(dip, judged, steady), TIMES, WIDTH, DURATION, 0.0,
                             "f", "crash on api", 5.0, 8.0, RecoverySettings(tolerance=0.01, hold=5.0))
        assert r.recovered and r.time_to_recover == 5.0, (bad, r)


def test_a_later_faults_pre_fault_level_leaves_out_what_earlier_faults_disturbed():
    """In the bad day, four faults start while the first still weighs on p99: their pre-fault
    level took in its damage, so "missed before the fault too" followed the first fault and
    recovery to that lowered level came early."""
    from engine_support import load_example

    design = load_example("three_tier")
    result = simulate(design, RunOptions(duration=180, seed=1), "bad day")
    verdicts = evaluate(result)
    p99 = next(v for v in verdicts.objectives if v.kind == "latency")
    recoveries = [r for r in verdicts.recovery if r.index == p99.index and r.client == p99.client]
    assert len(recoveries) == 5
    first = recoveries[0]
    undisturbed = first.pre_fault_attainment   # the buckets before 40 s, when no fault had begun
    assert undisturbed >= p99.target and not first.missed_before
    for r in recoveries[1:]:
        assert r.pre_fault_attainment == pytest.approx(undisturbed), r.fault_title
        assert not r.missed_before, r.fault_title
    # back to the journey's own level only once the last overlapping fault has gone (120 s)
    crash = next(r for r in recoveries if r.fault_title.startswith("crash"))
    assert crash.recovered and crash.fault_end + crash.time_to_recover >= 120.0
