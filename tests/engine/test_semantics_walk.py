"""Pattern edges that SEMANTICS.md spells out and the other engine tests leave open: exact
values from small deterministic designs and from the pattern probes."""
import pytest
from engine_support import station

import engine.model as m
from engine import RunOptions, Simulation, simulate

ZERO = m.Constant(value=0.0)


def breaker(**cb):
    design = m.Design(components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=0), policies=[m.CircuitBreakerPolicy(**cb)]),
        m.External(name="backend"),
    ], links=[m.Link(source="caller", target="backend")])
    sim = Simulation(design, RunOptions(duration=1000, bucket=1))
    return sim, sim.probe


def record(cb, outcome, t=0.0):
    assert cb.breaker_acquire(0, t)
    cb.breaker_record(0, outcome, 0.0, t)


def run(design, duration, experiment=None, bucket=1.0):
    return simulate(design, RunOptions(duration=duration, warmup=0.0, bucket=bucket, seed=1), experiment)


# ---------------------------------------------------------------- circuit breaker

def test_count_window_judges_after_the_window_size_when_minimum_calls_is_larger():
    # §1.1: for COUNT_BASED the effective minimum is min(minimumNumberOfCalls, slidingWindowSize)
    _, cb = breaker(sliding_window_size=3, minimum_number_of_calls=100)
    record(cb, "error")
    record(cb, "error")
    assert cb.breaker_status(0)["failure_rate"] == -1
    record(cb, "error")
    status = cb.breaker_status(0)
    assert (status["state"], status["failure_rate"], status["buffered"]) == ("OPEN", 100.0, 3)


@pytest.mark.parametrize("window,state", [(1, "CLOSED"), (2, "OPEN")])
def test_time_window_takes_minimum_calls_as_is(window, state):
    # §1.1: for TIME_BASED minimumNumberOfCalls is used as-is, even above what one second holds;
    # §1.3: a one-second window has forgotten second 0 once the clock reaches second 1
    _, cb = breaker(sliding_window_type="time_based", sliding_window_size=window, minimum_number_of_calls=5)
    for _ in range(4):
        record(cb, "error", 0.5)
    record(cb, "error", 1.5)
    assert cb.breaker_status(0)["state"] == state
    assert cb.breaker_status(0)["buffered"] == (1 if window == 1 else 5)


def test_answers_arriving_while_open_are_recorded_but_never_move_the_breaker():
    # CB-D6 and §1.5: late completions go into the carried-over window; OPEN makes no transition
    _, cb = breaker(sliding_window_size=4, minimum_number_of_calls=4)
    for _ in range(4):
        assert cb.breaker_acquire(0, 0.0)
    for _ in range(2):
        cb.breaker_record(0, "error", 0.0, 0.0)
    cb.breaker_record(0, "ok", 0.0, 0.0)
    cb.breaker_record(0, "error", 0.0, 0.0)
    assert cb.breaker_status(0)["state"] == "OPEN"
    assert cb.breaker_status(0)["failure_rate"] == 75.0       # the window is kept on opening
    for _ in range(4):
        cb.breaker_record(0, "ok", 0.0, 1.0)                   # permits taken before it opened
    status = cb.breaker_status(0)
    assert (status["state"], status["failure_rate"], status["buffered"]) == ("OPEN", 0.0, 4)
    assert cb.breaker_acquire(0, 1.0) is False


def test_half_open_results_do_not_give_back_their_permits():
    # §7.3: permits are consumed at acquire time; a recorded outcome keeps its permit spent
    _, cb = breaker(sliding_window_size=10, minimum_number_of_calls=10,
                    permitted_number_of_calls_in_half_open_state=4)
    cb.breaker_force(0, "OPEN", 0.0)
    cb.breaker_force(0, "HALF_OPEN", 0.0)
    record(cb, "ok")
    record(cb, "ok")
    status = cb.breaker_status(0)
    assert (status["state"], status["permits"], status["failure_rate"]) == ("HALF_OPEN", 2, -1)
    assert cb.breaker_acquire(0, 0.0) and cb.breaker_acquire(0, 0.0)
    assert cb.breaker_acquire(0, 0.0) is False
    cb.breaker_record(0, "error", 0.0, 0.0)
    cb.breaker_record(0, "ok", 0.0, 0.0)
    assert cb.breaker_status(0)["state"] == "CLOSED"            # 1 of 4 failed: 25 % < 50 %


def test_half_open_without_a_maximum_wait_stays_stuck_on_hung_probes():
    # §1.5 "Half-open can get stuck": maxWaitDurationInHalfOpenState 0 and no probe results
    sim, cb = breaker(sliding_window_size=5, minimum_number_of_calls=5,
                      permitted_number_of_calls_in_half_open_state=2, wait_duration_in_open_state=1.0)
    cb.breaker_force(0, "OPEN", 0.0)
    assert cb.breaker_acquire(0, 1.5) and cb.breaker_acquire(0, 1.5)
    sim.advance(until=900.0)
    assert cb.breaker_status(0)["state"] == "HALF_OPEN"
    assert cb.breaker_acquire(0, 900.0) is False


def test_half_open_maximum_wait_reopens_as_a_further_consecutive_opening():
    # §1.5: every transitionToOpenState is OpenState(attempts + 1), the half-open timeout's too,
    # so with ofExponentialBackoff(2 s, 2) the reopening waits f(2) = 4 s
    sim, cb = breaker(sliding_window_size=5, minimum_number_of_calls=5, wait_duration_in_open_state=2.0,
                      wait_duration_multiplier=2.0, max_wait_duration_in_half_open_state=1.0)
    cb.breaker_force(0, "OPEN", 0.0)
    assert cb.breaker_acquire(0, 2.001)
    sim.advance(until=3.001)
    assert cb.breaker_status(0)["state"] == "OPEN"
    assert cb.breaker_acquire(0, 3.001 + 4.0) is False
    assert cb.breaker_acquire(0, 3.001 + 4.001) is True


def _guarded(*policies, latency=0.25, rate=10.0, until=None):
    schedule = [m.RateStep(at=until, rate=0.0)] if until is not None else []
    return m.Design(name="guarded", components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=rate, arrivals="constant", schedule=schedule),
                 policies=list(policies)),
        m.External(name="backend", latency=m.Constant(value=latency)),
    ], links=[m.Link(source="caller", target="backend", latency=ZERO)])


def test_bulkhead_rejections_are_recorded_as_breaker_failures_by_default():
    # §7.4: BulkheadFullException is, by default, recorded as a CB failure. One permit and
    # calls 0.1 s apart that take 0.25 s: two of every three are rejected, 67 % >= 50 %.
    cb = m.CircuitBreakerPolicy(sliding_window_size=10, minimum_number_of_calls=10, wait_duration_in_open_state=60)
    recorded = run(_guarded(cb, m.BulkheadPolicy(max_concurrent_calls=1)), 5.0)
    assert recorded.link_summary("caller -> backend")["breaker_state"] == "OPEN"
    assert recorded.events_of("breaker_opened")
    ignored = cb.model_copy(update={"record_outcomes": ["error"]})
    counted = run(_guarded(ignored, m.BulkheadPolicy(max_concurrent_calls=1)), 5.0)
    assert counted.link_summary("caller -> backend")["breaker_state"] == "CLOSED"
    assert counted.link_summary("caller -> backend")["bulkhead_rejected"] > 20


def test_short_circuited_calls_take_no_time():
    # §1.5 and §7.5: a call not permitted returns at once and costs no service time
    cb = m.CircuitBreakerPolicy(sliding_window_size=2, minimum_number_of_calls=2, wait_duration_in_open_state=600)
    design = station(rate=2, workers=4, service=m.Constant(value=0.01), arrivals="constant", client_policies=[cb])
    design.components[1].error_probability = 1.0
    result = run(design, 10.0)
    s = result.component_summary("users")
    assert s["outcomes"]["error"] == 2 and s["outcomes"]["short_circuited"] == 18
    # every call's time, the refused ones at zero: two answers of 10 ms over 20 calls
    assert s["sojourn_mean"] == pytest.approx(2 * 0.01 / 20)
    link = result.link_summary("users -> server")
    assert (link["refused"], link["refused_time_total"]) == (18, 0.0)
    assert result.component_summary("server")["arrivals"] == 2


# ---------------------------------------------------------------- retry and timeout

def test_each_attempt_gets_its_own_time_limit_and_the_caller_sees_it_exactly():
    # §2.4: the failure is observed at exactly t_start + timeout; §2.1/§7.4: Retry wraps the time
    # limiter, so 3 attempts of 0.5 s with two 0.1 s waits end the call after 1.7 s
    design = station(rate=1, workers=10, service=m.Constant(value=2.0), arrivals="constant", client_policies=[
        m.TimeoutPolicy(timeout=0.5), m.RetryPolicy(max_attempts=3, wait_duration=0.1)])
    s = run(design, 20.0).link_summary("users -> server")
    assert s["attempts_per_call"] == pytest.approx(59 / 20)
    assert (s["outcomes"]["timeout"], s["retries_exhausted"]) == (19, 19)
    assert s["latency_mean"] == pytest.approx(1.7)


def test_max_attempts_one_means_no_retry():
    # §2.1: maxAttempts includes the first call; 1 means no retry
    design = station(rate=1, workers=10, service=m.Constant(value=0.01), arrivals="constant",
                     client_policies=[m.RetryPolicy(max_attempts=1, wait_duration=0.0)])
    design.components[1].error_probability = 1.0
    s = run(design, 10.0).link_summary("users -> server")
    assert (s["calls"], s["attempts"], s["retries"]) == (10, 10, 0)


def test_time_spent_waiting_for_a_bulkhead_permit_counts_against_the_timeout():
    # §2.1 Spring order: TimeLimiter wraps Bulkhead, so the limit runs while a call queues for a
    # permit. Calls at 0, 0.1 and 0.2 s of 0.25 s each through one permit. With 0.3 s: the 2nd
    # gets the permit at 0.25 s and times out at 0.4 s; the 3rd gets it then and times out at
    # 0.5 s. With 0.45 s: the 2nd answers at 0.5 s; the 3rd, permitted only then, times out at
    # 0.65 s. Nothing is a bulkhead rejection: the wait (5 s) never runs out first.
    def calls(timeout):
        result = run(_guarded(m.TimeoutPolicy(timeout=timeout), m.BulkheadPolicy(max_concurrent_calls=1,
                                                                                   max_wait_duration=5.0),
                              until=0.15), 2.0)
        s = result.link_summary("caller -> backend")
        return {k: v for k, v in s["outcomes"].items() if v}, s["bulkhead_waited"], s["latency_mean"]

    assert calls(0.3) == ({"ok": 1, "timeout": 2}, 2, pytest.approx((0.25 + 0.3 + 0.3) / 3))
    assert calls(0.45) == ({"ok": 2, "timeout": 1}, 2, pytest.approx((0.25 + 0.4 + 0.45) / 3))


# ---------------------------------------------------------------- §8

def test_hedging_caps_max_attempts_at_five_like_grpc_clients():
    # §8.1: clients cap maxAttempts at 5; a hedge needs at least a second copy
    assert m.HedgingPolicy(max_attempts=5).max_attempts == 5
    for bad in (1, 6):
        with pytest.raises(ValueError):
            m.HedgingPolicy(max_attempts=bad)


def test_ejection_time_grows_with_each_ejection_until_max_ejection_time():
    # §8.2: base_ejection_time x times ejected, capped by max_ejection_time. Instance 0 of four
    # hangs from 10 s; with a 0.5 s timeout the 5th failure ejects it at 10.66 for 30 s (back at
    # the 50 s sweep); then 2 x 30 = 60 s capped at 45 s: 50.67 + 45 -> back at the 100 s sweep;
    # then 45 s again (90 s capped)
    faults = [m.CrashFault(target="api", start=10.0, duration=150.0, mode="hang",
                           instances=m.InstanceSelector(indices=[0]))]
    od = m.OutlierDetectionPolicy(max_ejection_percent=50, max_ejection_time=45.0)
    design = m.Design(name="hung", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=100.0, arrivals="constant")),
        m.LoadBalancer(name="lb", policies=[m.TimeoutPolicy(timeout=0.5), od]),
        m.Service(name="api", instances=4, workers=8, service_time=m.Constant(value=0.01))],
        links=[m.Link(source="users", target="lb", latency=ZERO), m.Link(source="lb", target="api", latency=ZERO)],
        experiments=[m.Experiment(name="hang", faults=faults)])
    result = run(design, 160.0, "hang")
    trace = [(round(e["time"], 2), e["kind"], e.get("ejection_time"))
             for e in result.events if e["kind"] in ("instance_ejected", "instance_returned")]
    assert trace == [
        (10.66, "instance_ejected", 30.0), (50.0, "instance_returned", None),
        (50.67, "instance_ejected", 45.0), (100.0, "instance_returned", None),
        (100.67, "instance_ejected", 45.0), (150.0, "instance_returned", None),
        (150.67, "instance_ejected", 45.0),
    ]


# ---------------------------------------------------------------- retry: what the last fixes pinned

def test_randomized_exponential_backoff_caps_after_randomizing():
    # §2.1: ofExponentialRandomBackoff is min(randomize(x(k)), max): x = 1500, 2250, 3375, 5062 ms,
    # so the third and fourth waits lie in [1.687, 2.0] s, not 2.0 s ± 50 %
    design = m.Design(components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=0), policies=[m.RetryPolicy(
            max_attempts=5, backoff="exponential", wait_duration=1.5, multiplier=1.5, max_wait_duration=2.0,
            jitter="randomized", randomization_factor=0.5)]),
        m.External(name="backend"),
    ], links=[m.Link(source="caller", target="backend")])
    probe = Simulation(design, RunOptions(duration=10, bucket=1)).probe
    waits = [probe.retry_waits(0, 4) for _ in range(500)]
    assert all(0.75 <= w[0] <= 2.0 and 1.125 <= w[1] <= 2.0 for w in waits)
    assert all(1.687 <= w[k] <= 2.0 for w in waits for k in (2, 3))
    assert min(w[1] for w in waits) < 1.5   # still randomized below the cap


def test_a_failure_no_retry_covers_leaves_the_grpc_throttling_tokens_alone():
    # §3.2: a success earns tokenRatio, a retryable (or non-fatal) failure costs one; any other
    # failure does neither. Timeouts (retryable) drain the bucket; errors (not) must not refill it.
    retry = m.RetryPolicy(max_attempts=2, wait_duration=0.0, retry_on=["timeout"],
                          budget=m.GrpcRetryThrottling(max_tokens=10, token_ratio=1.0))
    design = m.Design(name="throttled", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=1.0, arrivals="constant"),
                 policies=[m.TimeoutPolicy(timeout=0.1), retry]),
        m.Service(name="api", workers=10, service_time=m.Constant(value=0.01))],
        links=[m.Link(source="users", target="api", latency=ZERO)],
        experiments=[m.Experiment(name="hang then errors", faults=[
            m.CrashFault(target="api", start=0.0, duration=10.0, mode="hang"),
            m.ErrorFault(target="api", start=10.0, duration=20.0, fraction=1.0)])])
    result = run(design, 30, "hang then errors")
    kinds = [e["kind"] for e in result.events if "budget" in e["kind"]]
    assert kinds == ["retry_budget_exhausted"]
