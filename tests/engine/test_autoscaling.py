"""The Kubernetes horizontal autoscaler's rule, step by step (kubernetes.io "Horizontal Pod
Autoscaling": desired = ceil(current x metric / target), the tolerance, the scale-down
stabilisation window, min and max, the sync period, the default scaling policy).

Arrivals are evenly spaced and service times constant, so the utilisation each sync measures
is exact and every decision can be worked out by hand.
"""
from __future__ import annotations

import pytest
from pydantic import ValidationError

import engine.model as m
from engine import RunOptions, simulate

ZERO = m.Constant(value=0.0)


def scaled(rate: float, instances: int = 2, schedule=(), **autoscaler) -> m.Design:
    """Evenly spaced requests -> lb -> api (4 workers an instance, 100 ms each), autoscaled."""
    settings = dict(enabled=True, min_replicas=1, max_replicas=20)
    settings.update(autoscaler)
    return m.Design(
        name="autoscaled",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=rate, arrivals="constant",
                                                              schedule=list(schedule))),
                    m.LoadBalancer(name="lb"),
                    m.Service(name="api", instances=instances, workers=4, service_time=m.Constant(value=0.1),
                              autoscaling=m.Autoscaler(**settings))],
        links=[m.Link(source="users", target="lb", latency=ZERO), m.Link(source="lb", target="api", latency=ZERO)],
    )


def decisions(design, duration=400.0):
    result = simulate(design, RunOptions(duration=duration, warmup=0.0, bucket=5.0))
    return [(e["time"], e["from_replicas"], e["to_replicas"]) for e in result.events_of("scaled")], result


def test_scale_up_is_the_ceiling_of_current_times_utilisation_over_target():
    # 145/s x 0.1 s over 4 x 4 workers: 90.6 % busy against 80 %: ratio 1.133, beyond the 0.1
    # tolerance; ceil(4 x 1.133) = 5 at the first sync (15 s)
    found, _ = decisions(scaled(145.0, instances=4), duration=20.0)
    assert found == [(15.0, 4, 5)]


def test_no_change_within_the_tolerance():
    assert decisions(scaled(145.0, instances=4, tolerance=0.2), duration=100.0)[0] == []


def test_scale_down_waits_for_the_highest_recommendation_of_the_window_to_age_out():
    # 50/s on 4 instances: 31 % busy, ratio 0.39, so ceil(4 x 0.39) = 2 from the first sync on;
    # the window opens with the current 4 at 15 s, which counts until 300 s have passed
    found, _ = decisions(scaled(50.0, instances=4), duration=400.0)
    assert found == [(315.0, 4, 2)]
    found, _ = decisions(scaled(50.0, instances=4, scale_down_stabilization=0.0), duration=40.0)
    assert found == [(15.0, 4, 2)]


def test_the_rule_step_by_step_through_a_surge_with_instances_still_starting():
    # 40/s until 100 s, then 160/s: two instances saturate (100 % busy, ratio 1.25)
    found, result = decisions(scaled(40.0, schedule=[m.RateStep(at=100.0, rate=160.0)], min_replicas=2),
                              duration=200.0)
    # 105 s: [90, 105] was 10 s half busy and 5 s saturated, 66.7 %: ceil(2 x 0.83) = 2, no change
    # 120 s: saturated, ceil(2 x 1.25) = 3; the third starts, ready at 150 s
    # 135 s: the starting instance counts idle: 1.25 x 2/3 = 0.83 is no scale-up, so 3 stays
    # 150 s: three ready, saturated: ceil(3 x 1.25) = 4; and so on every 30 s
    assert found[:3] == [(120.0, 2, 3), (150.0, 3, 4), (180.0, 4, 5)]
    up = result.column("instances_up", "api")
    t = result.bucket_times
    assert set(up[(t >= 120) & (t < 145)]) == {2.0}     # 30 s of start-up time
    assert set(up[(t >= 150) & (t < 175)]) == {3.0}


def test_bounds_and_the_default_policy_limit_each_step():
    # 20 % target, saturated: ratio 5, ceil(2 x 5) = 10, but the default policy adds at most
    # max(100 %, 4 instances) a period: 6; then max_replicas 8
    found, _ = decisions(scaled(160.0, target_utilization=20.0, max_replicas=8), duration=50.0)
    assert found[:2] == [(15.0, 2, 6), (30.0, 6, 8)]


def test_a_removed_instance_takes_no_new_requests_and_finishes_what_it_holds():
    _, result = decisions(scaled(50.0, instances=4, scale_down_stabilization=0.0), duration=60.0)
    assert result.component_summary("api")["outcomes"]["unavailable"] == 0
    up = result.column("instances_up", "api")
    assert up[-1] == 2.0


def test_the_settings_are_checked():
    with pytest.raises(ValidationError, match="min_replicas 5 is above max_replicas 3"):
        m.Autoscaler(min_replicas=5, max_replicas=3)
    with pytest.raises(ValidationError, match="instances 12 must lie between"):
        m.Service(name="api", instances=12, autoscaling=m.Autoscaler(enabled=True, max_replicas=10))
    a = m.Autoscaler()
    assert (a.enabled, a.min_replicas, a.tolerance, a.sync_period, a.scale_down_stabilization) == (
        False, 1, 0.1, 15.0, 300.0)
    # off by default: an existing service keeps its instances
    assert m.Service(name="api", instances=3).autoscaling.enabled is False
