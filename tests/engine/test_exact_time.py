"""Exact time: the engine's clock counts whole nanoseconds, so an event that falls on a
boundary is on it, and ties resolve as the libraries resolve them on integer instants
(SEMANTICS.md §1.3, §2.5, §7.1). Every scenario puts the tie where floating-point seconds
would miss it (0.3 + 0.6 < 0.9, 0.3 / 0.1 < 3, 0.2 + 0.1 > 0.3, twenty 0.1 s steps from
3 s < 5 s), with event times that do not start at zero.
"""
import pytest
from engine_support import run

import engine.model as m
from engine import RunOptions, Simulation


def evenly_spaced(from_t: float, rate: float, policies=()) -> m.Client:
    """A client silent until ``from_t``, then sending ``rate`` evenly spaced requests per second."""
    return m.Client(name="users", policies=list(policies), workload=m.OpenLoop(
        rate=0.0, arrivals="constant", schedule=[m.RateStep(at=from_t, rate=rate)]))


def instant(name: str, error_probability: float = 0.0) -> m.External:
    """A dependency that answers at once (no latency), failing with the given probability."""
    return m.External(name=name, latency=m.Constant(value=0.0), error_probability=error_probability)


def at_once(a: str, b: str) -> m.Link:
    return m.Link(source=a, target=b, latency=m.Constant(value=0.0))


# ---------------------------------------------------------------- the breaker's open wait
def test_a_call_at_exactly_the_end_of_the_open_wait_is_refused_and_the_next_one_probes():
    # requests at 0.2, 0.3, ... all fail; two failures open the breaker at 0.3 for 0.6 s.
    # At 0.9 the wait has just ended but the clock is not strictly after it (Instant.isAfter):
    # refused. The call at 1.0 is the half-open probe.
    breaker = m.CircuitBreakerPolicy(
        sliding_window_type="count_based", sliding_window_size=2, minimum_number_of_calls=2,
        failure_rate_threshold=50, wait_duration_in_open_state=0.6,
        permitted_number_of_calls_in_half_open_state=1)
    design = m.Design(name="open wait", components=[evenly_spaced(0.2, 10, [breaker]), instant("backend", 1.0)],
                      links=[at_once("users", "backend")])
    r = run(design, duration=1.05, warmup=0, bucket=0.05)
    assert [e["time"] for e in r.events_of("breaker_opened")] == [0.3, 1.0]
    assert [e["time"] for e in r.events_of("breaker_half_open")] == [1.0]
    outcomes = r.component_summary("users")["outcomes"]
    assert outcomes["short_circuited"] == 6         # 0.4 to 0.9, the tie included
    assert outcomes["error"] == 3                   # 0.2, 0.3 and the probe at 1.0


def test_breaker_open_wait_compares_integer_instants():
    sim = Simulation(m.Design(components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=0), policies=[m.CircuitBreakerPolicy(
            wait_duration_in_open_state=0.6)]),
        m.External(name="backend")], links=[m.Link(source="caller", target="backend")]),
        RunOptions(duration=100, bucket=1))
    probe = sim.probe
    probe.breaker_force(0, "OPEN", 7.3)
    assert probe.breaker_acquire(0, 7.3 + 0.6) is False     # 7.8999999999999995 s is the instant 7.9 s
    assert probe.breaker_acquire(0, 7.9) is False           # exactly the end of the wait
    assert probe.breaker_acquire(0, 7.900000001) is True    # one nanosecond after it


# ---------------------------------------------------------------- time-based windows
def steps_of_a_tenth(start: float, n: int) -> float:
    """``start`` advanced by ``n`` steps of 0.1 s, as floating-point seconds accumulate them."""
    t = start
    for _ in range(n):
        t += 0.1
    return t


def test_time_based_window_puts_a_call_at_a_whole_second_in_that_second():
    sim = Simulation(m.Design(components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=0), policies=[m.CircuitBreakerPolicy(
            sliding_window_type="time_based", sliding_window_size=2, minimum_number_of_calls=2,
            failure_rate_threshold=50)]),
        m.External(name="backend")], links=[m.Link(source="caller", target="backend")]),
        RunOptions(duration=100, bucket=1))
    probe = sim.probe
    five = steps_of_a_tenth(3.0, 20)                   # 4.999999999999997: the instant 5 s
    assert probe.breaker_acquire(0, five)
    probe.breaker_record(0, "error", 0.0, five)
    # at 6.5 s a 2-second window holds seconds 5 and 6: the failure is still in it
    assert probe.breaker_acquire(0, 6.5)
    probe.breaker_record(0, "ok", 0.0, 6.5)
    status = probe.breaker_status(0)
    assert (status["buffered"], status["failure_rate"], status["state"]) == (2, 50.0, "OPEN")


def test_time_based_window_evicts_a_second_when_the_clock_reaches_its_end():
    sim = Simulation(m.Design(components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=0), policies=[m.CircuitBreakerPolicy(
            sliding_window_type="time_based", sliding_window_size=2, minimum_number_of_calls=2,
            failure_rate_threshold=50)]),
        m.External(name="backend")], links=[m.Link(source="caller", target="backend")]),
        RunOptions(duration=100, bucket=1))
    probe = sim.probe
    assert probe.breaker_acquire(0, 3.999999999)
    probe.breaker_record(0, "error", 0.0, 3.999999999)     # second 3, a nanosecond before second 4
    # 4.999999999999998, the instant 5 s: a 2-second window holds seconds 4 and 5 only
    probe.breaker_record(0, "ok", 0.0, steps_of_a_tenth(2.0, 30))
    status = probe.breaker_status(0)
    assert (status["buffered"], status["state"]) == (1, "CLOSED")


# ---------------------------------------------------------------- rate-limiter cycles
def test_a_call_at_the_first_instant_of_a_cycle_gets_that_cycles_permit():
    # one permit per 0.1 s and no waiting: requests every 0.1 s from 0.2 s each arrive at the
    # very start of a cycle (0.3 s / 0.1 s is cycle 3, not 2.9999999999999996) and all pass
    limiter = m.RateLimiterPolicy(limit_for_period=1, limit_refresh_period=0.1, timeout_duration=0.0)
    design = m.Design(name="cycles", components=[
        evenly_spaced(0.2, 10),
        m.Service(name="server", workers=4, service_time=m.Constant(value=0.001), policies=[limiter])],
        links=[at_once("users", "server")])
    r = run(design, duration=3.05, warmup=0, bucket=0.5)
    summary = r.component_summary("server")
    assert summary["arrivals"] == 29
    assert summary["outcomes"]["rejected"] == 0


def test_rate_limiter_wait_reaches_exactly_the_next_cycle():
    design = m.Design(name="cycles", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=0)),
        m.Service(name="server", workers=1, service_time=m.Constant(value=0.001), policies=[
            m.RateLimiterPolicy(limit_for_period=1, limit_refresh_period=0.1, timeout_duration=0.1)])],
        links=[at_once("users", "server")])
    probe = Simulation(design, RunOptions(duration=10, bucket=1)).probe
    assert probe.rate_limiter_acquire(1, 0, 0.1 * 3) == 0.0           # cycle 3's permit
    assert probe.rate_limiter_acquire(1, 0, 0.35) == pytest.approx(0.05, abs=1e-12)   # waits for cycle 4
    assert probe.rate_limiter_acquire(1, 0, 0.35) == -1.0             # cycle 5 is beyond the timeout


# ---------------------------------------------------------------- bucket edges
def test_a_request_at_a_bucket_edge_is_counted_in_the_bucket_it_opens():
    # one request every 0.5 s from 0.2 s, buckets of 0.1 s: each request lies on an edge, and
    # was scheduled long before that edge's bucket began; buckets are [start, end)
    design = m.Design(name="edges", components=[evenly_spaced(0.2, 2), instant("backend")],
                      links=[at_once("users", "backend")])
    r = run(design, duration=3.0, warmup=0, bucket=0.1)
    counts = r.column("arrivals", "users")
    assert [b for b, n in enumerate(counts) if n] == [2, 7, 12, 17, 22, 27]
    assert counts.sum() == 6


def test_warm_up_ends_before_a_request_at_that_instant():
    design = m.Design(name="warm-up", components=[evenly_spaced(0.2, 2), instant("backend")],
                      links=[at_once("users", "backend")])
    r = run(design, duration=3.0, warmup=0.7, bucket=0.1)
    # 0.2 is warm-up; 0.7, 1.2, 1.7, 2.2, 2.7 are measured, the one at 0.7 included
    assert r.component_summary("users")["outcomes"]["ok"] == 5


# ---------------------------------------------------------------- fault windows
@pytest.mark.parametrize("start, duration, period, failed", [
    # [0.3, 0.7): 0.3 + 0.4 is 0.7000000000000001 in floating point, the instant 0.7 s here
    (0.3, 0.4, None, [0.3, 0.4, 0.5, 0.6]),
    # [0.2, 0.3), [0.5, 0.6), [0.8, 0.9) ...: 0.2 + 0.1 is 0.30000000000000004
    (0.2, 0.1, 0.3, [0.2, 0.5, 0.8, 1.1]),
])
def test_a_fault_window_holds_its_start_instant_and_not_its_end(start, duration, period, failed):
    fault = m.ErrorFault(target="users -> backend", start=start, duration=duration, period=period, fraction=1.0)
    design = m.Design(name="windows", components=[evenly_spaced(0.2, 10), instant("backend")],
                      links=[at_once("users", "backend")],
                      experiments=[m.Experiment(name="errors", faults=[fault])])
    r = run(design, duration=1.25, warmup=0, bucket=0.05, experiment="errors")
    errors = r.column("error", "users")
    assert [round(b * 0.05, 2) for b, n in enumerate(errors) if n] == failed
    assert r.component_summary("users")["outcomes"]["error"] == len(failed)
