"""Failure domains: instances placed in zones, and a zone outage taking a zone's instances down
across every component at once."""
from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import engine.model as m
from engine import RunOptions, simulate
from engine.model.validation import zone_instances

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
ZERO = m.Constant(value=0.0)


def zoned(*faults: m.ZoneOutageFault, api_zones=None) -> m.Design:
    api = (m.Service(name="api", instances=6, workers=4, service_time=m.Exponential(mean=0.02),
                     instance_zones=api_zones) if api_zones
           else m.Service(name="api", instances=6, zones=3, workers=4, service_time=m.Exponential(mean=0.02)))
    return m.Design(
        name="zoned",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=200.0)), m.LoadBalancer(name="lb"), api,
                    m.Database(name="db", instances=2, zones=2, connections=10, query_time=m.Exponential(mean=0.002)),
                    m.Cache(name="cache", hit_ratio=1.0, hit_time=ZERO)],
        links=[m.Link(source="users", target="lb", latency=ZERO), m.Link(source="lb", target="api", latency=ZERO),
               m.Link(source="api", target="db"), m.Link(source="api", target="cache")],
        experiments=[m.Experiment(name="outage", faults=list(faults))],
    )


def test_instances_spread_over_zones_or_sit_where_they_are_told():
    assert [m.Service(name="a", instances=5, zones=2).zone_of(k) for k in range(5)] == [1, 2, 1, 2, 1]
    assert [m.Service(name="a", instances=3).zone_of(k) for k in range(3)] == [1, 1, 1]
    pinned = m.Service(name="a", instances=3, instance_zones=[3, 3, 1])
    assert [pinned.zone_of(k) for k in range(3)] == [3, 3, 1]
    with pytest.raises(ValidationError, match="instance_zones names 2 zones for 3 instances"):
        m.Service(name="a", instances=3, instance_zones=[1, 2])


def test_a_zone_outage_takes_down_the_zone_in_every_component():
    fault = m.ZoneOutageFault(target="api", zone=1, start=10, duration=20)
    design = zoned(fault)
    # api 6 over 3 zones: instances 0 and 3; db 2 over 2 zones: instance 0; the cache is in zone 1
    assert zone_instances(design, fault) == [("api", 0), ("api", 3), ("db", 0), ("cache", 0)]
    result = simulate(design, RunOptions(duration=60, warmup=0, bucket=1.0), "outage")
    crashed = [(e["component"], e["instance"]) for e in result.events_of("instance_crashed")]
    assert crashed == [("api", 0), ("api", 3), ("db", 0), ("cache", 0)]
    assert all(e["time"] == 10.0 for e in result.events_of("instance_crashed"))
    assert [e["time"] for e in result.events_of("instance_restarted")] == [30.0] * 4
    started = result.events_of("fault_started")[0]
    assert started["details"] == "zone 1 outage: 2 x api, 1 x db, 1 x cache"
    up = result.column("instances_up", "api")
    t = result.bucket_times
    assert set(up[(t >= 11) & (t < 29)]) == {4.0} and set(up[t >= 31]) == {6.0}


def test_only_the_target_when_not_the_whole_zone():
    fault = m.ZoneOutageFault(target="api", zone=2, whole_zone=False, start=10, duration=20)
    assert zone_instances(zoned(fault), fault) == [("api", 1), ("api", 4)]
    pinned = zoned(fault, api_zones=[1, 1, 1, 1, 2, 2])
    assert zone_instances(pinned, fault) == [("api", 4), ("api", 5)]


def test_a_zone_the_target_is_not_in_is_refused_with_where_it_is():
    design = zoned(m.ZoneOutageFault(target="api", zone=5, start=10, duration=20))
    problems = m.experiment_problems(design, design.experiment("outage"), 60.0)
    assert [p.message for p in problems] == ["zone: api has no instance in zone 5 (its instances are in zone 1, 2, 3)"]


def test_the_example_shows_the_survivors_overload_that_one_lost_instance_does_not():
    design = m.parse_design((EXAMPLES / "zone_outage.json").read_text())
    options = RunOptions(duration=240, warmup=10, bucket=10.0, seed=1)
    zone = simulate(design, options, "zone 1 outage")
    one = simulate(design, options, "one api instance lost")
    t = zone.bucket_times
    during = (t >= 70) & (t < 120)
    # Over seeds 1-12 the zone's outage queues 4,200-5,200 and its worst p99 is 10-12 s,
    # while one lost instance queues at most 140 and its worst p99 is 0.37-0.68 s: the bars
    # sit between the two, clear of either's spread.
    assert zone.column("queue_length", "api")[during].max() > 1000      # 400/s of capacity left for 480/s
    assert one.column("queue_length", "api")[during].max() < 300
    assert zone.column("latency_p99", "users")[during].max() > 5.0
    assert one.column("latency_p99", "users")[during].max() < 1.5


def thin_zone(zone_aware: bool) -> m.Design:
    """lb -> web (zones 1 and 2) -> api with one instance in zone 1 and three in zone 2."""
    return m.Design(
        name="thin zone",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=60.0)), m.LoadBalancer(name="lb"),
                    m.Service(name="web", instances=2, zones=2, workers=1000, service_time=ZERO, zone_aware=zone_aware),
                    m.Service(name="api", instances=4, instance_zones=[1, 2, 2, 2], workers=2,
                              service_time=m.Exponential(mean=0.1))],
        links=[m.Link(source="users", target="lb", latency=ZERO), m.Link(source="lb", target="web", latency=ZERO),
               m.Link(source="web", target="api", latency=ZERO)],
        experiments=[m.Experiment(name="zone 1 down", faults=[
            m.ZoneOutageFault(target="api", zone=1, start=100, duration=100)])],
    )


def test_zone_aware_calls_stay_in_their_zone_and_fail_over_when_it_is_empty():
    options = RunOptions(duration=300, warmup=0, bucket=10.0)
    spread = simulate(thin_zone(False), options, "zone 1 down")
    local = simulate(thin_zone(True), options, "zone 1 down")
    t = local.bucket_times
    before, during = t < 100, (t >= 110) & (t < 200)
    # before the outage: web's zone-1 instance sends its half (30/s) to api's one zone-1
    # instance (20/s of capacity), so api's queue grows; spread evenly, 15/s each is fine
    assert local.column("queue_length", "api")[before].max() > 200
    assert spread.column("queue_length", "api")[before].max() < 50
    # with zone 1 down its callers fail over to zone 2: once the work lost in the crash is
    # answered, nothing is refused
    assert local.column("unavailable", "web")[during].sum() == 0
    assert local.column("ok", "users")[during].sum() > 0.9 * 60 * 90
