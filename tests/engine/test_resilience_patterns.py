"""Resilience patterns replayed against the libraries' own scenarios (SEMANTICS.md §1-3)."""

import pytest
from engine_support import erlang_b, load_example, run, station

import engine.model as m
from engine import RunOptions, Simulation


def breaker_sim(**cb):
    """A caller whose only dependency has a breaker, and no traffic: the breaker is driven by hand."""
    policy = m.CircuitBreakerPolicy(**cb)
    design = m.Design(components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=0), policies=[policy]),
        m.External(name="backend"),
    ], links=[m.Link(source="caller", target="backend")])
    sim = Simulation(design, RunOptions(duration=1000, bucket=1))
    return sim, sim.probe


# Resilience4j CircuitBreakerStateMachineTest base config "B"
BASE = dict(failure_rate_threshold=50, slow_call_rate_threshold=50, slow_call_duration_threshold=4.0,
            permitted_number_of_calls_in_half_open_state=4, max_wait_duration_in_half_open_state=1.0,
            sliding_window_type="time_based", sliding_window_size=20, minimum_number_of_calls=5,
            wait_duration_in_open_state=5.0)


def call(cb, outcome, t=0.0, duration=0.0):
    assert cb.breaker_acquire(0, t)
    cb.breaker_record(0, outcome, duration, t + duration)


def test_cb1_opens_when_failure_rate_reaches_threshold_at_minimum_calls():
    _, cb = breaker_sim(**BASE)
    for k, outcome in enumerate(["error", "error", "error", "ok"]):
        call(cb, outcome)
        status = cb.breaker_status(0)
        assert status["state"] == "CLOSED" and status["failure_rate"] == -1 and status["buffered"] == k + 1
    call(cb, "ok")
    status = cb.breaker_status(0)
    assert (status["state"], status["failure_rate"], status["buffered"], status["failed"]) == ("OPEN", 60.0, 5, 3)
    assert cb.breaker_acquire(0, 0.0) is False


def test_cb2_time_window_counts_across_seconds_and_opens_at_exactly_50_percent():
    _, cb = breaker_sim(**BASE)
    for t, outcome in [(0, "ok"), (1, "ok"), (2, "ok"), (3, "error"), (4, "error")]:
        call(cb, outcome, t)
    assert cb.breaker_status(0)["state"] == "CLOSED"
    assert cb.breaker_status(0)["failure_rate"] == 40.0
    call(cb, "error", 5)
    assert cb.breaker_status(0)["state"] == "OPEN"


def test_cb3_slow_calls_alone_trip_the_breaker():
    _, cb = breaker_sim(**BASE)
    for outcome, d in [("error", 5), ("ok", 5), ("error", 0.1), ("ok", 0.1), ("ok", 5)]:
        call(cb, outcome, 0.0, d)
    status = cb.breaker_status(0)
    assert status["state"] == "OPEN"
    assert status["slow_call_rate"] == 60.0 and status["failure_rate"] == 40.0


def test_cb4_and_d1_open_waits_strictly_after_the_wait_duration():
    _, cb = breaker_sim(**BASE)
    cb.breaker_force(0, "OPEN", 0.0)
    assert cb.breaker_acquire(0, 0.0) is False
    assert cb.breaker_acquire(0, 3.0) is False
    assert cb.breaker_acquire(0, 5.0) is False        # exactly at the end of the wait: still refused
    assert cb.breaker_acquire(0, 5.001) is True
    status = cb.breaker_status(0)
    assert (status["state"], status["failure_rate"], status["buffered"]) == ("HALF_OPEN", -1, 0)


def test_cb6_half_open_permits_exactly_the_configured_number_of_calls():
    _, cb = breaker_sim(**BASE)
    cb.breaker_force(0, "OPEN", 0.0)
    cb.breaker_force(0, "HALF_OPEN", 0.0)
    assert [cb.breaker_acquire(0, 0.0) for _ in range(6)] == [True] * 4 + [False] * 2


@pytest.mark.parametrize("outcomes,state,rate", [
    (["error", "error", "ok", "error"], "OPEN", 75.0),       # CB-7
    (["error", "ok", "ok", "ok"], "CLOSED", None),           # CB-9
    (["ok", "ok", "ok", "ok"], "CLOSED", None),              # closes after four successes
])
def test_cb7_cb9_half_open_decides_after_the_permitted_calls(outcomes, state, rate):
    _, cb = breaker_sim(**BASE)
    cb.breaker_force(0, "OPEN", 0.0)
    cb.breaker_force(0, "HALF_OPEN", 0.0)
    for outcome in outcomes[:-1]:
        call(cb, outcome)
        assert cb.breaker_status(0)["state"] == "HALF_OPEN"
    call(cb, outcomes[-1])
    status = cb.breaker_status(0)
    assert status["state"] == state
    if rate is not None:
        assert status["failure_rate"] == rate
    else:
        # closing starts a fresh window (CB-9)
        assert status["buffered"] == 0
        call(cb, "ok")
        assert cb.breaker_status(0)["buffered"] == 1


def test_cb8_half_open_reopens_on_slow_calls():
    _, cb = breaker_sim(**BASE)
    cb.breaker_force(0, "OPEN", 0.0)
    cb.breaker_force(0, "HALF_OPEN", 0.0)
    for d in (5, 5, 5, 1):
        call(cb, "ok", 0.0, d)
    status = cb.breaker_status(0)
    assert status["state"] == "OPEN" and status["slow_call_rate"] == 75.0 and status["failure_rate"] == 0.0


def test_cb12_half_open_gives_up_after_its_maximum_wait():
    sim, cb = breaker_sim(**BASE)
    cb.breaker_force(0, "OPEN", 0.0)
    cb.breaker_force(0, "HALF_OPEN", 0.0)
    sim.advance(until=0.999)
    assert cb.breaker_status(0)["state"] == "HALF_OPEN"
    sim.advance(until=1.0)
    assert cb.breaker_status(0)["state"] == "OPEN"


def test_automatic_transition_moves_to_half_open_at_exactly_the_wait():
    sim, cb = breaker_sim(sliding_window_size=5, minimum_number_of_calls=5,
                          permitted_number_of_calls_in_half_open_state=3, wait_duration_in_open_state=2.0,
                          automatic_transition_from_open_to_half_open_enabled=True)
    cb.breaker_force(0, "OPEN", 0.0)
    sim.advance(until=1.999)
    assert cb.breaker_status(0)["state"] == "OPEN"
    sim.advance(until=2.0)
    assert cb.breaker_status(0)["state"] == "HALF_OPEN"


def test_d2_half_open_decides_after_min_of_minimum_calls_and_permitted():
    _, cb = breaker_sim(**{**BASE, "minimum_number_of_calls": 2})
    cb.breaker_force(0, "OPEN", 0.0)
    cb.breaker_force(0, "HALF_OPEN", 0.0)
    call(cb, "error")
    assert cb.breaker_status(0)["state"] == "HALF_OPEN"
    call(cb, "error")
    assert cb.breaker_status(0)["state"] == "OPEN"


@pytest.mark.parametrize("last_at,state", [(9.9, "OPEN"), (10.5, "CLOSED")])
def test_d3_time_window_buckets_are_whole_seconds(last_at, state):
    _, cb = breaker_sim(**{**BASE, "sliding_window_size": 10, "minimum_number_of_calls": 5})
    for t in (0.1, 0.3, 0.5, 0.9):
        call(cb, "error", t)
    call(cb, "error", last_at)
    assert cb.breaker_status(0)["state"] == state
    if state == "CLOSED":
        assert cb.breaker_status(0)["buffered"] == 1


def test_d4_a_call_exactly_at_the_slow_threshold_is_not_slow():
    _, cb = breaker_sim(**{**BASE, "minimum_number_of_calls": 3})
    for _ in range(3):
        call(cb, "ok", 0.0, 4.0)
    assert cb.breaker_status(0)["state"] == "CLOSED"
    assert cb.breaker_status(0)["slow_call_rate"] == 0.0


def test_count_window_of_ten_at_fifty_percent_opens_on_the_fifth_failure():
    _, cb = breaker_sim(sliding_window_size=10, minimum_number_of_calls=10, failure_rate_threshold=50)
    for _ in range(5):
        call(cb, "ok")
    for _ in range(4):
        call(cb, "error")
        assert cb.breaker_status(0)["state"] == "CLOSED"
    call(cb, "error")
    assert cb.breaker_status(0)["state"] == "OPEN"


def test_count_window_evicts_the_oldest_call():
    # CB-13: S,S,F,F then F,F,F,F,S,S,S,S -> 60 %; then S,S,S -> 30 %
    _, cb = breaker_sim(sliding_window_size=10, minimum_number_of_calls=10, failure_rate_threshold=100)
    for o in ["ok", "ok", "error", "error"]:
        call(cb, o)
    assert cb.breaker_status(0)["failure_rate"] == -1
    for o in ["error"] * 4 + ["ok"] * 4:
        call(cb, o)
    assert cb.breaker_status(0)["failure_rate"] == 60.0 and cb.breaker_status(0)["buffered"] == 10
    for o in ["ok"] * 3:
        call(cb, o)
    assert cb.breaker_status(0)["failure_rate"] == 30.0


def test_outcomes_not_recorded_as_failures_count_as_successes():
    _, cb = breaker_sim(sliding_window_size=5, minimum_number_of_calls=2, record_outcomes=["error"])
    call(cb, "timeout")
    call(cb, "error")
    assert cb.breaker_status(0)["failed"] == 1 and cb.breaker_status(0)["buffered"] == 2


# ---------------------------------------------------------------- retry

def retry_sim(**retry):
    design = m.Design(components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=0), policies=[m.RetryPolicy(**retry)]),
        m.External(name="backend"),
    ], links=[m.Link(source="caller", target="backend")])
    return Simulation(design, RunOptions(duration=10, bucket=1)).probe


def test_fixed_backoff_waits_the_same_every_time():
    assert retry_sim(max_attempts=3).retry_waits(0, 2) == [0.5, 0.5]


def test_exponential_backoff_truncates_to_milliseconds_like_resilience4j():
    waits = retry_sim(backoff="exponential", wait_duration=0.5, multiplier=1.5).retry_waits(0, 8)
    assert waits == pytest.approx([0.5, 0.75, 1.125, 1.687, 2.530, 3.795, 5.692, 8.538])
    capped = retry_sim(backoff="exponential", wait_duration=0.5, multiplier=1.5, max_wait_duration=2.0)
    assert capped.retry_waits(0, 6) == pytest.approx([0.5, 0.75, 1.125, 1.687, 2.0, 2.0])


@pytest.mark.parametrize("jitter", ["full", "equal", "randomized", "decorrelated"])
def test_jitter_stays_inside_its_bounds(jitter):
    probe = retry_sim(backoff="exponential", wait_duration=0.1, multiplier=2.0, max_wait_duration=5.0,
                      jitter=jitter, randomization_factor=0.5)
    nominal = [min(5.0, 0.1 * 2 ** (n - 1)) for n in range(1, 9)]
    for _ in range(200):
        waits = probe.retry_waits(0, 8)
        for w, v in zip(waits, nominal):
            if jitter == "full":
                assert 0 <= w <= v
            elif jitter == "equal":
                assert v / 2 <= w <= v
            elif jitter == "randomized":
                assert v * 0.5 - 1e-9 <= w <= min(5.0, v * 1.5 + 0.001)
            else:
                assert 0.1 <= w <= 5.0
        if jitter == "decorrelated":
            assert all(b <= max(0.1, 3 * a) + 1e-12 for a, b in zip(waits, waits[1:]))


def test_retry_with_three_attempts_against_a_half_failing_service_makes_1_75_attempts():
    design = station(rate=200, workers=50, service=m.Exponential(mean=0.005),
                     client_policies=[m.RetryPolicy(max_attempts=3, wait_duration=0.0)])
    design.components[1].error_probability = 0.5
    s = run(design, duration=300, warmup=0, bucket=10).link_summary("users -> server")
    assert s["attempts_per_call"] == pytest.approx(1.75, abs=0.02)
    users = run(design, duration=300, warmup=0, bucket=10).component_summary("users")
    assert users["error_rate"] == pytest.approx(0.125, abs=0.01)   # 0.5 ** 3


def test_nested_retries_multiply_at_the_leaf():
    design = m.Design(components=[
        m.Client(name="users", workload=m.OpenLoop(rate=10), policies=[m.RetryPolicy(max_attempts=3, wait_duration=0)]),
        m.Service(name="front", workers=100, service_time=m.Constant(value=0.001),
                  policies=[m.RetryPolicy(max_attempts=3, wait_duration=0)]),
        m.Service(name="leaf", workers=100, service_time=m.Constant(value=0.001), error_probability=1.0),
    ], links=[m.Link(source="users", target="front"), m.Link(source="front", target="leaf")])
    r = run(design, duration=100, warmup=0, bucket=10)
    assert r.component_summary("leaf")["arrivals"] == 9 * r.component_summary("users")["arrivals"] - \
        9 * r.component_summary("users")["in_flight_at_end"] - r.component_summary("leaf")["in_flight_at_end"] or \
        abs(r.component_summary("leaf")["arrivals"] / r.component_summary("users")["arrivals"] - 9) < 0.05
    assert r.component_summary("leaf")["amplification"] == pytest.approx(9, abs=0.05)
    assert r.link_summary("users -> front")["attempts_per_call"] == pytest.approx(3, abs=0.01)
    assert r.link_summary("front -> leaf")["attempts_per_call"] == pytest.approx(3, abs=0.01)


def test_a_retried_call_meeting_an_open_breaker_is_short_circuited_again_and_counted():
    design = station(rate=50, workers=50, service=m.Constant(value=0.001), client_policies=[
        m.RetryPolicy(max_attempts=3, wait_duration=0.01),
        m.CircuitBreakerPolicy(sliding_window_size=10, minimum_number_of_calls=10, wait_duration_in_open_state=60),
    ])
    design.components[1].error_probability = 1.0
    s = run(design, duration=20, warmup=0, bucket=1).link_summary("users -> server")
    assert s["breaker_state"] == "OPEN"
    assert s["breaker_rejected"] > 2.9 * s["calls"] - 20     # nearly every attempt after the first 10
    assert s["attempts_per_call"] == pytest.approx(3.0, abs=0.01)
    assert s["outcomes"]["short_circuited"] > 0.98 * s["calls"] - 10


# ---------------------------------------------------------------- bulkhead, timeout, limiter

@pytest.mark.parametrize("wait,expected", [(0.0, erlang_b(10, 8.0)), (0.5, 0.0342), (0.1, 0.0915)])
def test_bulkhead_rejects_as_erlang_b_and_mmc_plus_d_predict(wait, expected):
    design = m.Design(components=[
        m.Client(name="users", workload=m.OpenLoop(rate=8.0),
                 policies=[m.BulkheadPolicy(max_concurrent_calls=10, max_wait_duration=wait)]),
        m.External(name="backend", latency=m.Exponential(mean=1.0)),
    ], links=[m.Link(source="users", target="backend", latency=m.Constant(value=0))])
    results = [run(design, duration=40_000, warmup=100, bucket=1000, seed=s).link_summary("users -> backend")
               for s in (1, 2, 3)]
    rejected = sum(r["bulkhead_rejected"] for r in results) / sum(r["calls"] for r in results)
    assert rejected == pytest.approx(expected, abs=0.004)


def test_timeout_gives_up_but_the_callee_keeps_working_unless_cancelled():
    def design(cancel):
        return station(rate=5, workers=100, service=m.Constant(value=2.0),
                       client_policies=[m.TimeoutPolicy(timeout=0.5, cancel_on_timeout=cancel)])

    kept = run(design(False), duration=60, warmup=0, bucket=1)
    assert kept.component_summary("users")["outcomes"]["timeout"] > 250
    # the server finished the abandoned work: wasted, but done
    assert kept.component_summary("server")["outcomes"]["ok"] > 250
    assert kept.component_summary("server")["utilisation"] > 0.09
    cancelled = run(design(True), duration=60, warmup=0, bucket=1)
    assert cancelled.component_summary("server")["outcomes"]["ok"] == 0
    assert cancelled.component_summary("server")["outcomes"]["timeout"] > 250


def test_rate_limiter_never_grants_more_than_the_limit_per_period():
    design = station(rate=40, workers=50, service=m.Constant(value=0.001), policies=[
        m.RateLimiterPolicy(limit_for_period=5, limit_refresh_period=1.0, timeout_duration=0.0)])
    r = run(design, duration=100, warmup=0, bucket=1)
    admitted = r.column("arrivals", "server") - r.column("rate_limited", "server")
    assert admitted.max() <= 5
    assert admitted.sum() >= 5 * 99
    assert r.component_summary("users")["outcomes"]["rejected"] > 3000


def test_rate_limiter_reserves_a_permit_within_its_timeout_like_resilience4j():
    design = station(rate=0, workers=1, service=m.Constant(value=0.001), policies=[
        m.RateLimiterPolicy(limit_for_period=1, limit_refresh_period=0.25, timeout_duration=0.25)])
    probe = Simulation(design, RunOptions(duration=10, bucket=1)).probe
    server = 1
    assert probe.rate_limiter_acquire(server, 0, 0.25) == 0.0        # a permit now
    wait = probe.rate_limiter_acquire(server, 0, 0.25)                # reserved in the next cycle
    assert 0 < wait <= 0.25
    assert probe.rate_limiter_acquire(server, 0, 0.25) == -1.0       # would wait too long: refused
    assert probe.rate_limiter_acquire(server, 0, 1.5 + 1e-8) == 0.0  # cycles later: refilled


def test_grpc_retry_throttling_blocks_and_restores_at_the_documented_thresholds():
    probe = retry_sim(max_attempts=3, budget=m.GrpcRetryThrottling(max_tokens=10, token_ratio=0.1))
    for _ in range(4):
        probe.budget_record(0, True)
    assert probe.budget_status(0)["allows_retry"]            # 6 > 5
    probe.budget_record(0, True)
    assert not probe.budget_status(0)["allows_retry"]        # 5 is not > 5
    for _ in range(5):
        probe.budget_record(0, True)
    assert probe.budget_status(0)["tokens"] == 0
    for _ in range(50):
        probe.budget_record(0, False)
    assert probe.budget_status(0)["tokens"] == pytest.approx(5.0)
    assert not probe.budget_status(0)["allows_retry"]
    probe.budget_record(0, False)
    assert probe.budget_status(0)["allows_retry"]            # 51 successes: 5.1 > 5


def test_envoy_budget_caps_concurrent_retries():
    design = station(rate=100, workers=200, service=m.Constant(value=0.05), client_policies=[
        m.RetryPolicy(max_attempts=5, wait_duration=0.05,
                      budget=m.EnvoyRetryBudget(budget_percent=20, min_retry_concurrency=1))])
    design.components[1].error_probability = 1.0
    s = run(design, duration=60, warmup=0, bucket=1).link_summary("users -> server")
    assert s["retries_throttled"] > 0
    assert s["attempts_per_call"] < 3


def test_fallback_answers_degraded_on_chosen_failures():
    design = station(rate=50, workers=10, service=m.Constant(value=0.001), client_policies=[
        m.FallbackPolicy(on=["error"], latency=m.Constant(value=0.002))])
    design.components[1].error_probability = 0.4
    s = run(design, duration=100, warmup=0, bucket=1).component_summary("users")
    assert s["outcomes"]["error"] == 0
    assert s["outcomes"]["fallback"] / s["completed"] == pytest.approx(0.4, abs=0.02)
    assert s["error_rate"] == 0.0


def test_load_shedding_by_queue_length_and_by_queue_wait():
    overloaded = dict(rate=150, workers=10, service=m.Exponential(mean=0.1))
    by_length = run(station(**overloaded, policies=[m.LoadSheddingPolicy(max_queue_length=20)]),
                    duration=100, warmup=10, bucket=1)
    assert by_length.component_summary("server")["shed"] > 1000
    assert by_length.column("queue_length", "server")[10:].max() <= 20
    by_wait = run(station(**overloaded, policies=[m.LoadSheddingPolicy(max_queue_wait=0.2)]),
                  duration=100, warmup=10, bucket=1)
    s = by_wait.component_summary("server")
    assert s["shed"] > 1000
    # what it did serve waited at most 0.2 s plus its own service time
    assert s["latency_p50"] < 0.35
    events = [e["kind"] for e in by_wait.events]
    assert "load_shedding_began" in events


def test_breaker_and_bulkhead_state_changes_reach_the_event_log():
    r = run(load_example("three_tier"), duration=120, warmup=0, bucket=1, experiment="database outage")
    kinds = [(e["kind"], e["link"]) for e in r.events]
    assert ("breaker_opened", "api -> db") in kinds
    assert ("breaker_half_open", "api -> db") in kinds
    assert ("breaker_closed", "api -> db") in kinds
    assert ("bulkhead_saturated", "api -> db") in kinds
    opened = [e for e in r.events if e["kind"] == "breaker_opened" and e["link"] == "api -> db"]
    assert 60 <= opened[0]["time"] < 62 and opened[0]["failure_rate"] >= 50 or opened[0]["slow_call_rate"] >= 80
    closed = [e for e in r.events if e["kind"] == "breaker_closed" and e["link"] == "api -> db"]
    assert closed[-1]["time"] > 90     # closes once the database is back
    series = r.link_column("breaker_state", "api -> db")
    assert series[:59].max() == 0 and series[65:88].max() >= 1 and series[-1] == 0


def test_cb5_consecutive_openings_back_off_and_closing_resets_them():
    # waitIntervalFunctionInOpenState = ofExponentialBackoff(5000 ms), multiplier 1.5: 5 s, 7.5 s, 11.25 s
    _, cb = breaker_sim(sliding_window_size=5, minimum_number_of_calls=5,
                        permitted_number_of_calls_in_half_open_state=4, wait_duration_in_open_state=5.0,
                        wait_duration_multiplier=1.5)
    cb.breaker_force(0, "OPEN", 0.0)
    assert cb.breaker_acquire(0, 3.0) is False
    assert cb.breaker_acquire(0, 6.0) is True and cb.breaker_status(0)["state"] == "HALF_OPEN"
    cb.breaker_force(0, "OPEN", 6.0)                       # second opening in a row: 7.5 s
    assert cb.breaker_acquire(0, 13.5) is False
    assert cb.breaker_acquire(0, 13.501) is True
    for _ in range(4):
        cb.breaker_record(0, "error", 0.0, 13.6)           # reopens from half-open: third opening, 11.25 s
    assert cb.breaker_status(0)["state"] == "OPEN"
    assert cb.breaker_acquire(0, 13.6 + 11.25) is False
    assert cb.breaker_acquire(0, 13.6 + 11.26) is True
    for _ in range(3):
        assert cb.breaker_acquire(0, 25.0)
    for _ in range(4):
        cb.breaker_record(0, "ok", 0.0, 25.0)              # closes: the next opening waits 5 s again
    assert cb.breaker_status(0)["state"] == "CLOSED"
    cb.breaker_force(0, "OPEN", 30.0)
    assert cb.breaker_acquire(0, 35.001) is True
