"""Calls that do not hold a worker, deadline propagation and hedging: against queueing theory
where it exists, and call by call against the behaviour gRPC documents."""
from __future__ import annotations

import math

import pytest
from engine_support import averaged, rel, run

import engine.model as m
from engine.model.design import DesignError

ZERO = m.Constant(value=0.0)


def _chain(*stages, rate=8.0, arrivals="poisson", client_policies=()) -> m.Design:
    """users -> stages[0] -> stages[1] -> ... with no network latency."""
    names = ["users"] + [s.name for s in stages]
    return m.Design(
        name="chain",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=rate, arrivals=arrivals),
                             policies=list(client_policies)), *stages],
        links=[m.Link(source=a, target=b, latency=ZERO) for a, b in zip(names, names[1:])],
    )


# ------------------------------------------------------------------ non-blocking calls
def _tandem(mode: str) -> m.Design:
    return _chain(
        m.Service(name="s1", workers=1, service_time=m.Exponential(mean=0.1), call_mode=mode),
        m.Service(name="s2", workers=1, service_time=m.Exponential(mean=1 / 12), call_mode=mode),
        m.Service(name="s3", workers=1, service_time=m.Exponential(mean=1 / 20)),
    )


def test_a_tandem_of_non_blocking_stages_is_a_jackson_network():
    # lambda = 8: each stage is an M/M/1 queue of its own, and sojourns add up (SEMANTICS 5.7)
    design = _tandem("non_blocking")
    kw = dict(duration=40_000, bucket=1e3, seeds=3)
    assert rel(averaged(design, "latency_mean", component="users", **kw), 0.5 + 0.25 + 1 / 12) < 0.03
    assert rel(averaged(design, "latency_mean", component="s3", **kw), 1 / (20 - 8)) < 0.03
    # a stage's latency is its own sojourn plus the rest of the chain's
    assert rel(averaged(design, "latency_mean", component="s2", **kw), 0.25 + 1 / 12) < 0.03
    # the worker is busy only for the stage's own work: rho = lambda / mu
    assert rel(averaged(design, "utilisation", component="s1", **kw), 0.8) < 0.02


def test_a_blocking_chain_still_holds_its_workers_through_the_calls():
    design = _tandem("blocking")
    result = run(design, duration=2_000, warmup=100, bucket=100)
    # s1's worker is held for its work and the whole of s2 and s3: demand beyond one worker
    assert result.component_summary("s1")["utilisation"] > 0.99
    assert result.component_summary("s1")["mean_queue_length"] > 50


def test_the_worker_is_free_while_calls_are_out_and_the_continuation_queues_again():
    # one request a second; 10 ms of own work, a 50 ms dependency, 20 ms of continuation
    design = _chain(
        m.Service(name="front", workers=1, service_time=m.Constant(value=0.01), call_mode="non_blocking",
                  continuation_time=m.Constant(value=0.02)),
        m.Service(name="back", workers=1, service_time=m.Constant(value=0.05)),
        rate=1.0, arrivals="constant",
    )
    result = run(design, duration=1_000, warmup=0, bucket=100)
    front = result.component_summary("front")
    assert front["latency_mean"] == pytest.approx(0.08, abs=1e-9)
    assert front["latency_max"] == pytest.approx(0.08, rel=0.02)
    # busy for 10 ms + 20 ms of each second, not the 80 ms a blocking worker would be held
    assert front["mean_busy"] == pytest.approx(0.03, rel=1e-3)
    blocking = run(design.model_copy(update={"components": [
        design.components[0], design.components[1].model_copy(update={"call_mode": "blocking"}),
        design.components[2]]}), duration=1_000, warmup=0, bucket=100)
    assert blocking.component_summary("front")["mean_busy"] == pytest.approx(0.06, rel=1e-3)


def test_non_blocking_workers_serve_new_work_while_earlier_calls_are_out():
    # 50 requests a second, one worker, 10 ms of work and a 1 s dependency
    def design(mode):
        return _chain(
            m.Service(name="front", workers=1, service_time=m.Constant(value=0.01), call_mode=mode),
            m.External(name="slow", latency=m.Constant(value=1.0)),
            rate=50.0, arrivals="constant",
        )
    nb = run(design("non_blocking"), duration=60, warmup=10, bucket=10).component_summary("front")
    bl = run(design("blocking"), duration=60, warmup=10, bucket=10).component_summary("front")
    assert nb["latency_max"] == pytest.approx(1.01, rel=1e-6)
    assert nb["throughput"] == pytest.approx(50.0, rel=0.01)
    assert nb["mean_busy"] == pytest.approx(0.5, rel=0.01)
    # a blocking worker is held 1.01 s a request: under one request a second gets through
    assert bl["throughput"] <= 1.0 and bl["mean_queue_length"] > 1000


def test_the_bound_on_outstanding_requests_makes_the_next_ones_keep_their_workers():
    def design(bound):
        return _chain(
            m.Service(name="front", workers=2, service_time=m.Constant(value=0.001), call_mode="non_blocking",
                      max_outstanding=bound),
            m.External(name="slow", latency=m.Constant(value=0.5)),
            rate=100.0, arrivals="constant",
        )
    free = run(design(None), duration=20, warmup=5, bucket=1)
    bounded = run(design(3), duration=20, warmup=5, bucket=1)
    assert free.component_summary("front")["mean_busy"] == pytest.approx(0.1, rel=0.02)
    assert not free.events_of("outstanding_limit_reached")
    # 3 wait without a worker, 2 more holding both workers: 5 requests per 0.5 s at most
    assert bounded.component_summary("front")["mean_busy"] > 1.9
    assert bounded.component_summary("front")["throughput"] == pytest.approx(10.0, rel=0.05)
    reached = bounded.events_of("outstanding_limit_reached")
    assert len(reached) == 1 and reached[0]["component"] == "front"


def test_a_crash_loses_the_requests_waiting_on_their_calls():
    design = _chain(
        m.Service(name="front", workers=1, service_time=m.Constant(value=0.001), call_mode="non_blocking",
                  continuation_time=m.Constant(value=0.001)),
        m.External(name="slow", latency=m.Constant(value=1.0)),
        rate=10.0, arrivals="constant",
    )
    exp = m.Experiment(name="crash", faults=[m.CrashFault(target="front", start=5.0, duration=1.0)])
    design.experiments.append(exp)
    result = run(design, duration=20, warmup=0, bucket=1, experiment="crash")
    front = result.component_summary("front")
    assert front["lost"] >= 10          # the second of requests whose answers were still out
    assert front["in_flight_at_end"] <= 11


# ------------------------------------------------------------------ deadlines
def test_the_deadline_travels_down_the_chain_and_cancels_the_work_below():
    # users -(deadline 100 ms)-> mid (10 ms) -> back (200 ms): the deadline passes while back works
    design = _chain(
        m.Service(name="mid", workers=4, service_time=m.Constant(value=0.01)),
        m.Service(name="back", workers=4, service_time=m.Constant(value=0.2)),
        rate=1.0, arrivals="constant", client_policies=[m.DeadlinePolicy(deadline=0.1)],
    )
    result = run(design, duration=100, warmup=0, bucket=10)
    users, mid, back = (result.component_summary(n) for n in ("users", "mid", "back"))
    assert users["outcomes"]["timeout"] == users["arrivals"] == 100
    assert users["latency_max"] == pytest.approx(0.1, rel=1e-6)
    # mid's call to back inherited the deadline and was given up at the same instant
    assert result.link_summary("mid -> back")["outcomes"]["timeout"] == 100
    # and back's work was cancelled: it answers timeout once the step it had begun ends
    assert back["outcomes"]["timeout"] == 100
    assert back["mean_busy"] == pytest.approx(0.2, rel=0.01)
    without = run(_chain(*design.components[1:], rate=1.0, arrivals="constant"), duration=100, warmup=0, bucket=10)
    assert without.component_summary("users")["outcomes"]["ok"] == 100


def test_an_answer_due_at_the_very_deadline_is_decided_alike_at_every_instant():
    # 100 ms out, 100 ms of work, 100 ms back against a 300 ms deadline: each answer is due at
    # the deadline's instant. On the nanosecond clock that is a tie every time, settled by the
    # order the events were scheduled (the deadline first), at whatever time the request came.
    tenth = m.Constant(value=0.1)
    design = m.Design(
        name="tie",
        components=[m.Client(name="users", workload=m.OpenLoop(rate=7.0, arrivals="constant"),
                             policies=[m.DeadlinePolicy(deadline=0.3)]),
                    m.Service(name="back", workers=8, service_time=tenth)],
        links=[m.Link(source="users", target="back", latency=tenth)],
    )
    outcomes = run(design, duration=300, warmup=0, bucket=10).component_summary("users")["outcomes"]
    # all but the last two, still in flight at the end, were decided, and all alike
    assert outcomes["timeout"] == sum(outcomes.values()) == 2098


def test_a_callee_drops_work_whose_deadline_passed_while_it_queued():
    # 20 requests a second into one worker taking 80 ms: the queue grows, deadlines pass in it
    design = _chain(
        m.Service(name="back", workers=1, service_time=m.Constant(value=0.08)),
        rate=20.0, arrivals="constant", client_policies=[m.DeadlinePolicy(deadline=0.3)],
    )
    result = run(design, duration=60, warmup=0, bucket=1)
    back = result.component_summary("back")
    drops = result.events_of("deadline_drops")
    assert drops and all(e["component"] == "back" for e in drops)
    dropped = sum(e["count"] for e in drops)
    # dropped at dequeue, or cancelled in service when the deadline passed: never served late
    assert 0 < dropped <= back["outcomes"]["timeout"]
    assert back["outcomes"]["ok"] + back["outcomes"]["timeout"] == back["completed"]
    # without deadlines the queue would grow without end; with them it holds at most 0.3 s
    # of arrivals (6 requests)
    assert back["mean_queue_length"] < 6
    # but FIFO hands the worker the oldest work, which expires while it is served: once the
    # queue stands nearly every request is wasted work, not the 12.5 a second one worker could serve
    ok = result.component_summary("users")["outcomes"]["ok"]
    assert back["outcomes"]["ok"] == ok < 0.05 * 12.5 * 60
    assert result.component_summary("users")["latency_max"] <= 0.3 + 1e-9


def test_no_call_starts_past_the_deadline():
    # mid's own work (150 ms) outlasts the 100 ms deadline: it never calls back
    design = _chain(
        m.Service(name="mid", workers=4, service_time=m.Constant(value=0.15)),
        m.Service(name="back", workers=4, service_time=m.Constant(value=0.01)),
        rate=1.0, arrivals="constant", client_policies=[m.DeadlinePolicy(deadline=0.1)],
    )
    result = run(design, duration=50, warmup=0, bucket=10)
    assert result.component_summary("back")["arrivals"] == 0
    assert result.link_summary("mid -> back")["calls"] == 0
    assert sum(e["count"] for e in result.events_of("deadline_drops")) == 50


def test_a_queue_answers_the_producer_and_its_consumers_are_not_bound_by_its_deadline():
    # the producer's deadline (50 ms) ends with its call; the consumer takes 200 ms a message
    design = _chain(
        m.Queue(name="jobs", consumers=1, process_time=m.Constant(value=0.2)),
        m.Service(name="worker", workers=1, service_time=m.Constant(value=0.01)),
        rate=2.0, arrivals="constant", client_policies=[m.DeadlinePolicy(deadline=0.05)],
    )
    result = run(design, duration=100, warmup=0, bucket=10)
    assert result.component_summary("users")["outcomes"]["ok"] == 200
    assert result.component_summary("worker")["outcomes"]["ok"] >= 199
    assert not result.events_of("deadline_drops")


def test_a_shorter_deadline_of_a_callee_wins_and_retries_stop_at_the_deadline():
    # mid gives its own calls 50 ms; back always fails, mid retries every 20 ms
    design = _chain(
        m.Service(name="mid", workers=4, service_time=m.Constant(value=0.0),
                  policies=[m.DeadlinePolicy(deadline=0.05), m.RetryPolicy(max_attempts=10, wait_duration=0.02)]),
        m.External(name="back", latency=m.Constant(value=0.001), error_probability=1.0),
        rate=1.0, arrivals="constant", client_policies=[m.DeadlinePolicy(deadline=1.0)],
    )
    result = run(design, duration=20, warmup=0, bucket=10)
    link = result.link_summary("mid -> back")
    # attempts at 0, 21, 42 ms; the deadline (50 ms) falls in the wait for the fourth
    assert link["attempts"] == 3 * link["calls"]
    assert link["outcomes"]["timeout"] == link["calls"]
    assert result.component_summary("users")["latency_max"] == pytest.approx(0.05, rel=1e-6)


# ------------------------------------------------------------------ hedging
def _hedged(latency, policy: m.HedgingPolicy, error_probability=0.0, rate=100.0, arrivals="poisson") -> m.Design:
    return _chain(
        m.Service(name="front", workers=100_000, service_time=ZERO, policies=[policy]),
        m.External(name="leaf", latency=latency, error_probability=error_probability),
        rate=rate, arrivals=arrivals,
    )


@pytest.mark.parametrize("copies", [2, 3])
def test_hedging_without_delay_gives_the_minimum_of_exponentials(copies):
    # the min of n exponentials of mean 1 is exponential of mean 1/n
    design = _hedged(m.Exponential(mean=1.0), m.HedgingPolicy(max_attempts=copies, hedging_delay=0.0))
    result = run(design, duration=2_000, warmup=10, bucket=100)
    front = result.component_summary("front")
    assert rel(front["latency_mean"], 1 / copies) < 0.03
    assert rel(front["latency_p50"], math.log(2) / copies) < 0.05
    link = result.link_summary("front -> leaf")
    assert link["attempts"] == pytest.approx(copies * link["calls"], abs=copies * 2)


def test_a_hedge_goes_out_after_the_delay_and_the_first_answer_cancels_the_rest():
    # leaf answers in 300 ms; the second copy leaves at 100 ms; the first answer (300 ms) wins
    design = _chain(
        m.Service(name="front", workers=10, service_time=ZERO,
                  policies=[m.HedgingPolicy(max_attempts=3, hedging_delay=0.1)]),
        m.Service(name="leaf", workers=10, service_time=m.Constant(value=0.3)),
        rate=1.0, arrivals="constant",
    )
    result = run(design, duration=100, warmup=0, bucket=10)
    front, leaf = result.component_summary("front"), result.component_summary("leaf")
    assert front["latency_max"] == pytest.approx(0.3, rel=1e-6)
    assert front["outcomes"]["ok"] == 100
    # copies at 0, 100 and 200 ms; the two late ones are cancelled when the first answers
    assert result.link_summary("front -> leaf")["attempts"] == 300
    assert leaf["outcomes"]["ok"] == 100 and leaf["outcomes"]["timeout"] == 200
    assert sum(e["count"] for e in result.events_of("hedges_sent")) == 200


def test_no_hedge_is_sent_when_the_answer_comes_before_the_delay():
    design = _hedged(m.Constant(value=0.05), m.HedgingPolicy(max_attempts=5, hedging_delay=0.1),
                     rate=1.0, arrivals="constant")
    result = run(design, duration=100, warmup=0, bucket=10)
    assert result.link_summary("front -> leaf")["attempts"] == 100
    assert not result.events_of("hedges_sent")


def test_a_non_fatal_failure_sends_the_next_copy_at_once_and_a_fatal_one_commits():
    non_fatal = _hedged(m.Constant(value=0.01), m.HedgingPolicy(max_attempts=3, hedging_delay=10.0,
                                                                non_fatal_outcomes=["error"]),
                        error_probability=1.0, rate=1.0, arrivals="constant")
    result = run(non_fatal, duration=100, warmup=0, bucket=10)
    # three copies one after the other, each failing after 10 ms; the last failure answers
    assert result.link_summary("front -> leaf")["attempts"] == 300
    assert result.component_summary("front")["latency_max"] == pytest.approx(0.03, rel=1e-6)
    assert result.link_summary("front -> leaf")["outcomes"]["error"] == 100
    fatal = _hedged(m.Constant(value=0.01), m.HedgingPolicy(max_attempts=3, hedging_delay=10.0),
                    error_probability=1.0, rate=1.0, arrivals="constant")
    result = run(fatal, duration=100, warmup=0, bucket=10)
    assert result.link_summary("front -> leaf")["attempts"] == 100
    assert result.component_summary("front")["latency_max"] == pytest.approx(0.01, rel=1e-6)


def test_throttling_stops_the_hedges_of_a_failing_dependency():
    # every copy fails non-fatally: each costs a token; at half the bucket no copy follows
    policy = m.HedgingPolicy(max_attempts=3, hedging_delay=10.0, non_fatal_outcomes=["error"],
                             throttling=m.GrpcRetryThrottling(max_tokens=10, token_ratio=0.1))
    design = _hedged(m.Constant(value=0.01), policy, error_probability=1.0, rate=1.0, arrivals="constant")
    result = run(design, duration=100, warmup=0, bucket=10)
    link = result.link_summary("front -> leaf")
    # tokens 10 -> 7 (first call, 3 copies) -> 5 after two more copies of the second; then one copy a call
    assert link["attempts"] == 3 + 2 + 98
    assert link["retries_throttled"] == 1 + 98
    exhausted = result.events_of("retry_budget_exhausted")
    assert len(exhausted) == 1 and exhausted[0]["time"] == pytest.approx(1.02)


def test_hedging_and_retry_on_the_same_calls_are_refused():
    design = _hedged(m.Constant(value=0.01), m.HedgingPolicy())
    design.components[1].policies.append(m.RetryPolicy())
    with pytest.raises(DesignError, match="both a retry and a hedging policy"):
        run(design, duration=1, warmup=0, bucket=1)


def test_a_deadline_ends_a_hedged_call_and_cancels_its_copies():
    design = _chain(
        m.Service(name="front", workers=10, service_time=ZERO,
                  policies=[m.HedgingPolicy(max_attempts=2, hedging_delay=0.0), m.DeadlinePolicy(deadline=0.1)]),
        m.Service(name="leaf", workers=10, service_time=m.Constant(value=0.3)),
        rate=1.0, arrivals="constant",
    )
    result = run(design, duration=50, warmup=0, bucket=10)
    assert result.link_summary("front -> leaf")["outcomes"]["timeout"] == 50
    assert result.component_summary("leaf")["outcomes"]["timeout"] == 100
    assert result.component_summary("front")["latency_max"] == pytest.approx(0.1, rel=1e-6)


# ------------------------------------------------------------------ the example
def test_the_async_pipeline_rides_out_a_slow_dependency_that_sinks_thread_per_request():
    from engine_support import load_example

    design = load_example("async_pipeline")

    def variant(mode, workers):
        return design.model_copy(update={"components": [
            c.model_copy(update={"call_mode": mode, "workers": workers}) if c.name in ("gateway", "enricher") else c
            for c in design.components]})

    opts = dict(duration=180.0, warmup=0.0, bucket=1.0, experiment="pricing slowdown")
    asynchronous = run(design, **opts)
    threads = run(variant("blocking", 32), **opts)
    ok_async, ok_threads = asynchronous.column("ok", "clients"), threads.column("ok", "clients")
    # before the slowdown both serve the whole rate
    assert ok_async[30:60].mean() > 290 and ok_threads[30:60].mean() > 290
    # while pricing is slow, event loops keep serving; 32 held threads a service do not
    assert ok_async[70:120].mean() > 290 and ok_threads[70:120].mean() < 30
    assert asynchronous.verdicts().all_met and not threads.verdicts().all_met
    assert asynchronous.component_summary("gateway")["utilisation"] < 0.3
    # the deadline bounds what thread-per-request wastes: expired work is dropped, not served
    assert threads.events_of("deadline_drops")
    assert threads.component_summary("clients")["latency_max"] <= 1.0 + 1e-9


def _hedged_behind(*policies) -> m.Design:
    # copies at 0 and 100 ms to a leaf taking 300 ms, two requests a second
    return _chain(
        m.Service(name="front", workers=10, service_time=ZERO,
                  policies=[m.HedgingPolicy(max_attempts=2, hedging_delay=0.1), *policies]),
        m.Service(name="leaf", workers=10, service_time=m.Constant(value=0.3)),
        rate=2.0, arrivals="constant",
    )


def test_cancelled_hedges_give_their_bulkhead_permits_back():
    result = run(_hedged_behind(m.BulkheadPolicy(max_concurrent_calls=2)), duration=100, warmup=0, bucket=10)
    link = result.link_summary("front -> leaf")
    # both copies of a call fit the bulkhead, and the cancelled one frees its permit for the next call
    assert link["bulkhead_rejected"] == 0 and link["attempts"] == 400
    assert link["outcomes"]["ok"] == 200


def test_cancelled_hedges_are_not_recorded_by_the_breaker():
    breaker = m.CircuitBreakerPolicy(sliding_window_size=10, minimum_number_of_calls=10,
                                     slow_call_duration_threshold=0.2, slow_call_rate_threshold=50.0)
    result = run(_hedged_behind(breaker), duration=100, warmup=0, bucket=10)
    # the answered copies take 300 ms, slow: the tenth is recorded at 4.5 + 0.3 s and opens the
    # breaker; had the cancelled copies counted, ten would have been recorded by 2.3 s
    opened = result.events_of("breaker_opened")
    assert opened and opened[0]["time"] == pytest.approx(4.8, abs=1e-6)
