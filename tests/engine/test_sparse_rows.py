"""A bucket keeps records only of the components and links active in it; the dense rows the
results read are rebuilt from them (engine/_metrics.pxd, "Rows"). These runs have hundreds
of components of which most are idle in any bucket, so the rebuilt rows, the caught-up
areas and the incremental rebuild while a run streams are all exercised."""
from __future__ import annotations

import numpy as np
import pytest

import engine.model as m
from benchmarks.bench_peers import shape_design
from engine import RunOptions, Simulation

GROUPS = ("series", "link_series")
AT = 3   # where a design's links go among idle ones (_with_idle_links)


def _balancer(n: int, rate: float) -> m.Design:
    design, _ = shape_design("lb", n)
    client = design.components[0].model_copy(update={"workload": m.OpenLoop(rate=rate)})
    return design.model_copy(update={"components": [client, *design.components[1:]]})


@pytest.mark.parametrize("options", [
    dict(duration=40.0, bucket=1.0, warmup=3.0, seed=2),
    dict(duration=33.3, bucket=0.7, warmup=2.45, seed=5),   # a short last bucket, a warm-up inside one
])
def test_snapshots_while_streaming_agree_with_the_finished_run(options):
    """Each snapshot's finished buckets are the final run's, bit for bit, whenever it is taken."""
    design = _balancer(300, 40.0)
    whole = Simulation(design, RunOptions(**options)).result()
    sim = Simulation(design, RunOptions(**options))
    seen = 0
    for until in (0.3, 4.1, 4.2, 11.0, 17.75, 30.0):
        sim.advance(until)
        part = sim.snapshot()
        done = len(part.series["arrivals"])
        assert done == sim._core.current_bucket
        for group in GROUPS:
            for name, rows in getattr(part, group).items():
                assert np.array_equal(rows, getattr(whole, group)[name][:done], equal_nan=True), (until, group, name)
        seen = max(seen, done)
    assert seen > 20


def test_an_idle_component_keeps_its_levels():
    """A service with nothing to do in a bucket shows its instances up and nothing busy or
    queued; its time averages over the run are those of its rows."""
    design = _balancer(400, 30.0)
    sim = Simulation(design, RunOptions(duration=60.0, bucket=1.0, seed=3))
    r = sim.result()
    s = r.series
    idle = (s["arrivals"] == 0) & (s["ok"] == 0) & (s["started"] == 0)
    services = np.zeros_like(idle)
    services[:, 2:] = True
    quiet = idle & services
    # every service is idle in most buckets: over 30 requests a second among 398
    assert quiet.sum() > 0.8 * services.sum()
    assert np.all(s["instances_up"][quiet] == 1.0)
    for name in ("busy", "queue_length", "in_flight", "utilisation", "latency_p50", "latency_max"):
        assert np.all(s[name][quiet] == 0.0), name
    names = [c.name for c in design.components]
    for c in (2, 150, 399):
        summary = r.summary["components"][names[c]]
        assert summary["utilisation"] == pytest.approx(s["utilisation"][:, c].mean(), rel=1e-9, abs=1e-15)


def test_idle_components_do_not_change_the_others():
    """Components only ever idle (unreached, with their own random streams) leave every other
    component's rows and the event log exactly as without them."""
    plain = _balancer(20, 50.0)
    extra = [m.Service(name=f"idle{i}", workers=2, service_time=m.Constant(value=0.001)) for i in range(300)]
    wide = plain.model_copy(update={"components": [*plain.components, *extra]})
    options = RunOptions(duration=25.0, bucket=0.5, warmup=1.2, seed=9)
    a = Simulation(plain, options).result()
    b = Simulation(wide, options).result()
    n = len(plain.components)
    for name, rows in a.series.items():
        assert np.array_equal(rows, b.series[name][:, :n], equal_nan=True), name
    assert np.all(b.series["instances_up"][:, n:] == 1.0)
    assert a.events == b.events



def _with_idle_links(design: m.Design, n: int = 24) -> m.Design:
    """``design`` with ``n`` links never called, its own placed after the first ``AT`` of
    them: the flush meets the design's links in a group of eight with idle ones."""
    extra = [m.Service(name=f"idle{i}", workers=1, service_time=m.Constant(value=0.001)) for i in range(n + 1)]
    idle = [m.Link(source=f"idle{i}", target=f"idle{i + 1}") for i in range(n)]
    return design.model_copy(update={"components": [*design.components, *extra],
                                     "links": [*idle[:AT], *design.links, *idle[AT:]]})


def _same_links(plain: m.Design, options: RunOptions, experiment: str | None = None) -> None:
    a = Simulation(plain, options, experiment).result()
    b = Simulation(_with_idle_links(plain), options, experiment).result()
    n = len(plain.links)
    for name, rows in a.link_series.items():
        assert np.array_equal(rows, b.link_series[name][:, AT:AT + n], equal_nan=True), name
        assert not np.any(b.link_series[name][:, :AT]) and not np.any(b.link_series[name][:, AT + n:]), name
    assert a.events == b.events


def test_idle_links_do_not_change_a_breaker_left_without_calls():
    """A breaker that opened, then saw no more calls: its state and time open still change
    with time alone, and a flush that passed over it with the idle links beside it (nothing
    counted on any of them) would carry its last gauges forward instead."""
    breaker = m.CircuitBreakerPolicy(sliding_window_size=10, minimum_number_of_calls=10,
                                     wait_duration_in_open_state=4.5,
                                     automatic_transition_from_open_to_half_open_enabled=True)
    plain = m.Design(name="quiet breaker", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=50, schedule=[m.RateStep(at=6.0, rate=0.0)]),
                 policies=[breaker]),
        m.Service(name="backend", workers=4, service_time=m.Constant(value=0.01), error_probability=1.0),
    ], links=[m.Link(source="users", target="backend")])
    options = RunOptions(duration=30.0, bucket=1.0, warmup=1.5, seed=4)
    states = Simulation(plain, options).result().link_series
    assert any(np.any(rows[7:] != rows[6]) for rows in states.values())   # gauges move after the calls stop
    _same_links(plain, options)


def test_idle_links_do_not_change_the_guarded_ones():
    """The every-pattern three-tier design (breakers, bulkheads, retries) through an outage,
    with idle links placed before its own: the same rows and event log."""
    from benchmarks.bench_engine import _example, with_every_pattern

    _same_links(with_every_pattern(_example("three_tier")),
                RunOptions(duration=150.0, bucket=1.0, warmup=2.5, seed=4), "database outage")


@pytest.mark.parametrize("bucket", [
    0.3,    # inexact bucket ends: caught up bucket by bucket
    0.25,   # exact ones: a stretch whose sums would not round is one step (_sum_of_equal_steps)
])
def test_catching_up_many_idle_buckets_at_once_equals_one_at_a_time(bucket):
    """A component idle through many buckets is caught up in one go when next touched
    (engine/_metrics.pxd ``_catch_up``); reading the state at every bucket's end catches each
    one up bucket by bucket instead. Both give the same rows and summary, bit for bit, for
    idle components whose levels are zero (crashed, nothing queued), and whose levels are not
    (instances up, a queue and busy workers held through the idle stretch, across the warm-up's
    end, which the queue's peak counts from)."""
    users = m.Client(name="users", workload=m.OpenLoop(rate=6.0, schedule=[m.RateStep(at=2.0, rate=0.0),
                                                                           m.RateStep(at=23.0, rate=6.0)]))
    lb = m.LoadBalancer(name="lb", strategy="round_robin")
    services = [m.Service(name=f"s{i}", workers=1, service_time=m.Constant(value=0.001)) for i in range(6)]
    stuck = m.Service(name="stuck", workers=1, service_time=m.Constant(value=40.0))
    design = m.Design(name="idle stretches", components=[users, lb, *services, stuck], links=[
        m.Link(source="users", target="lb"), m.Link(source="users", target="stuck"),
        *(m.Link(source="lb", target=s.name) for s in services)],
        experiments=[m.Experiment(name="crash", faults=[m.CrashFault(target="s2", start=1.0, duration=15.0)])])
    options = RunOptions(duration=30.0, bucket=bucket, warmup=7.3, seed=6)
    whole = Simulation(design, options, "crash").result()
    stepped = Simulation(design, options, "crash")
    k = 0
    while not stepped.finished:
        k += 1
        stepped.advance(k * bucket)
        stepped._core.state_arrays()
    step = stepped.result()
    s = whole.series

    def between(start: float, end: float) -> slice:
        return slice(round(start / bucket), round(end / bucket))

    held = between(3.0, 12.0)
    assert s["queue_length"][held, 8].min() > 0 and s["busy"][held, 8].min() > 0   # stuck's held levels
    assert np.all(s["instances_up"][between(1.2, 9.0), 4] == 0.0)   # s2 down, so idle with every level zero
    for group in (*GROUPS, "summary"):
        assert repr(getattr(step, group)) == repr(getattr(whole, group)), group
    for name, rows in whole.series.items():
        assert np.array_equal(rows, step.series[name], equal_nan=True), name


def test_a_long_idle_stretch_caught_up_in_one_step_equals_one_bucket_at_a_time():
    """Where every instant of a run is a whole number of 1/512 s (evenly spaced arrivals,
    constant times), an idle service's areas never round, so a stretch of idle buckets is
    caught up in one step (engine/_metrics.pxd ``_sum_of_equal_steps``): the same rows and
    summary, bit for bit, as reading the state at every bucket's end."""
    users = m.Client(name="users", workload=m.OpenLoop(arrivals="constant", rate=8.0, schedule=[
        m.RateStep(at=3.0, rate=0.0), m.RateStep(at=40.0, rate=8.0)]))
    lb = m.LoadBalancer(name="lb", strategy="round_robin")
    services = [m.Service(name=f"s{i}", instances=2, workers=1, service_time=m.Constant(value=0.125))
                for i in range(3)]
    design = m.Design(name="exact idle stretches", components=[users, lb, *services], links=[
        m.Link(source="users", target="lb"), *(m.Link(source="lb", target=s.name) for s in services)])
    options = RunOptions(duration=60.0, bucket=0.5, warmup=10.25, seed=1)
    whole = Simulation(design, options).result()
    stepped = Simulation(design, options)
    k = 0
    while not stepped.finished:
        k += 1
        stepped.advance(k * 0.5)
        stepped._core.state_arrays()
    step = stepped.result()
    assert np.all(whole.series["arrivals"][8:78, 2:] == 0)   # idle from 4 s to 39 s
    assert np.all(whole.series["instances_up"][8:78, 2:] == 2.0)
    for group in (*GROUPS, "summary"):
        assert repr(getattr(step, group)) == repr(getattr(whole, group)), group
