"""Same seed, same run; streams independent per component; every request accounted for."""
import numpy as np
import pytest
from engine_support import load_example, run

import engine.model as m
from engine import RunOptions, Simulation, simulate

EXAMPLES = ["mmc", "three_tier", "microservices", "retry_storm", "retry_storm_guarded", "overload_control",
            "async_pipeline"]


def _same(a, b):
    assert a.summary == b.summary
    for key in a.series:
        np.testing.assert_array_equal(a.series[key], b.series[key])
    assert a.events == b.events


def test_same_seed_gives_identical_results():
    design = load_example("three_tier")
    a = run(design, duration=120, warmup=0, bucket=1, seed=7, experiment="bad day")
    b = run(design, duration=120, warmup=0, bucket=1, seed=7, experiment="bad day")
    _same(a, b)


def test_another_seed_gives_different_results():
    design = load_example("three_tier")
    a = run(design, duration=60, warmup=0, bucket=1, seed=7)
    b = run(design, duration=60, warmup=0, bucket=1, seed=8)
    assert a.component_summary("browsers")["arrivals"] != b.component_summary("browsers")["arrivals"]


def test_changing_one_service_leaves_other_streams_unchanged():
    original = m.Design(components=[
        m.Client(name="a", workload=m.OpenLoop(rate=50)),
        m.Client(name="b", workload=m.OpenLoop(rate=30)),
        m.Service(name="api", service_time=m.Exponential(mean=0.01)),
        m.Service(name="other", service_time=m.Exponential(mean=0.02)),
    ], links=[m.Link(source="a", target="api"), m.Link(source="b", target="other")])
    edited = original.model_copy(deep=True)
    edited.components[2].service_time = m.Exponential(mean=0.05)   # same component, same id

    first = run(original, duration=200, warmup=0, bucket=1)
    second = run(edited, duration=200, warmup=0, bucket=1)
    # client b's arrival times, and everything downstream of it, are drawn from streams api never touches
    np.testing.assert_array_equal(first.column("arrivals", "b"), second.column("arrivals", "b"))
    assert first.component_summary("other") == second.component_summary("other")
    assert first.component_summary("b") == second.component_summary("b")
    # client a's arrivals are its own stream too
    np.testing.assert_array_equal(first.column("arrivals", "a"), second.column("arrivals", "a"))
    assert first.component_summary("api") != second.component_summary("api")


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_request_ends_in_one_outcome_or_is_in_flight(name):
    design = load_example(name)
    experiments = [None] + [e.name for e in design.experiments]
    for experiment in experiments:
        result = run(design, duration=150, warmup=0, bucket=1, experiment=experiment)
        for comp in result.components:
            s = result.component_summary(comp)
            assert s["arrivals"] == s["completed"] + s["in_flight_at_end"], (name, experiment, comp)
            per_bucket = result.column("arrivals", comp).sum()
            assert per_bucket == s["arrivals"]


def test_advancing_in_slices_gives_the_same_run_as_one_go():
    design = load_example("three_tier")
    options = RunOptions(duration=90, bucket=1, seed=3)
    whole = simulate(design, options, "database outage")
    sim = Simulation(design, options, "database outage")
    t = 0.0
    while not sim.advance(until=t):
        t += 0.37
    _same(whole, sim.result())
    stepped = Simulation(design, options, "database outage")
    while not stepped.advance(max_events=5000):
        pass
    _same(whole, stepped.result())


def test_snapshot_holds_the_completed_buckets():
    design = load_example("mmc")
    sim = Simulation(design, RunOptions(duration=100, bucket=1))
    sim.advance(until=40.5)
    snap = sim.snapshot()
    assert len(snap.bucket_times) == 40
    assert snap.series["arrivals"].shape == (40, 2)
    assert snap.series["arrivals"][:, 0].sum() > 0
    assert not sim.finished
    final = sim.result()
    assert len(final.bucket_times) == 100
    np.testing.assert_array_equal(final.series["arrivals"][:40], snap.series["arrivals"])


def test_stop_makes_advance_return_early_from_another_thread():
    import threading

    design = load_example("mmc")
    sim = Simulation(design, RunOptions(duration=10_000_000, bucket=1000))
    timer = threading.Timer(0.2, sim.stop)
    timer.start()
    finished = sim.advance()
    timer.join()
    assert not finished
    assert 0 < sim.now < 10_000_000


def test_memory_is_bounded_by_buckets_not_requests():
    design = load_example("mmc")
    sim = Simulation(design, RunOptions(duration=20_000, bucket=100))
    sim.advance()
    # at most the requests in flight are held: a few dozen records, not 640,000
    assert sim.probe.live_jobs < 200
    assert sim.events_processed > 1_000_000


def test_snapshot_since_a_bucket_returns_only_the_newer_buckets():
    design = load_example("three_tier")
    sim = Simulation(design, RunOptions(duration=100, bucket=1), "database outage")
    sim.advance(until=62.5)
    first = sim.snapshot()
    sim.advance(until=80.5)
    rest = sim.snapshot(since_bucket=len(first.bucket_times))
    whole = sim.snapshot()
    assert rest.bucket_times[0] == 62.0 and len(rest.bucket_times) == 18
    for key in whole.series:
        np.testing.assert_array_equal(np.vstack([first.series[key], rest.series[key]]), whole.series[key])
    assert whole.events[: len(first.events)] == first.events
