"""A rate limiter shared by all instances of a component (a global quota), traced permit by
permit beside Resilience4j's one limiter per instance, and in whole runs."""
import json
from pathlib import Path

from engine_support import run, station

import engine.model as m
from engine import RunOptions, Simulation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _limited(global_quota: bool, rate: float = 0.0) -> m.Design:
    return station(rate=rate, workers=50, instances=3, service=m.Constant(value=0.001), policies=[
        m.RateLimiterPolicy(limit_for_period=2, limit_refresh_period=1.0, timeout_duration=0.0,
                            global_quota=global_quota)])


def test_a_global_quota_is_drawn_from_by_every_instance_permit_by_permit():
    probe = Simulation(_limited(True), RunOptions(duration=10, bucket=1)).probe
    server = 1
    assert probe.rate_limiter_acquire(server, 0, 0.1) == 0.0
    assert probe.rate_limiter_acquire(server, 1, 0.2) == 0.0    # the second of the period's two, on another instance
    assert probe.rate_limiter_acquire(server, 2, 0.3) == -1.0   # spent by the others: refused (timeout 0)
    assert probe.rate_limiter_acquire(server, 0, 0.4) == -1.0
    assert probe.rate_limiter_acquire(server, 2, 1.0) == 0.0    # the next cycle refills the one quota
    assert probe.rate_limiter_acquire(server, 1, 1.5) == 0.0
    assert probe.rate_limiter_acquire(server, 0, 1.9) == -1.0


def test_without_a_global_quota_each_instance_has_its_own_like_resilience4j():
    probe = Simulation(_limited(False), RunOptions(duration=10, bucket=1)).probe
    server = 1
    for instance in (0, 1, 2):
        assert probe.rate_limiter_acquire(server, instance, 0.1) == 0.0
        assert probe.rate_limiter_acquire(server, instance, 0.2) == 0.0
        assert probe.rate_limiter_acquire(server, instance, 0.3) == -1.0


def test_a_run_admits_the_global_limit_per_period_across_instances():
    shared = run(_limited(True, rate=40), duration=100, warmup=0, bucket=1)
    admitted = shared.column("arrivals", "server") - shared.column("rate_limited", "server")
    assert admitted.max() <= 2
    assert admitted.sum() >= 2 * 99
    apart = run(_limited(False, rate=40), duration=100, warmup=0, bucket=1)
    admitted = apart.column("arrivals", "server") - apart.column("rate_limited", "server")
    assert admitted.max() <= 6 and admitted.sum() > 2 * 2 * 99   # three instances, two each


def test_a_rate_limiter_saved_before_the_global_quota_loads_as_one_per_instance():
    data = json.loads((FIXTURES / "project_v2.expected.json").read_text(encoding="utf-8"))
    project = m.Project.model_validate(data["project"])
    limiters = [p for d in project.designs for c in d.components for p in c.policies
                if isinstance(p, m.RateLimiterPolicy)]
    assert limiters and not any(p.global_quota for p in limiters)
    assert m.RateLimiterPolicy.model_validate({"limit_for_period": 3}).global_quota is False


# -- thread-pool bulkhead -------------------------------------------------------------------------
def _pool(rate: float, latency: float, until: float | None = None, **pool) -> m.Design:
    """A caller sending evenly spaced calls through a thread-pool bulkhead to a dependency that
    answers in exactly ``latency``."""
    schedule = [m.RateStep(at=until, rate=0.0)] if until is not None else []
    return m.Design(name="pool", components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=rate, arrivals="constant", schedule=schedule),
                 policies=[m.ThreadPoolBulkheadPolicy(**pool)]),
        m.External(name="backend", latency=m.Constant(value=latency)),
    ], links=[m.Link(source="caller", target="backend", latency=m.Constant(value=0.0))])


def _outcomes(result) -> dict:
    return {k: v for k, v in result.component_summary("caller")["outcomes"].items() if v}


def _rejected_calls(result) -> list[int]:
    """Which calls (1 for the first) were rejected, from buckets narrower than the calls' spacing."""
    arrivals, rejected = result.column("arrivals", "caller"), result.column("rejected", "caller")
    seen, out = 0, []
    for came, refused in zip(arrivals, rejected):
        seen += int(came)
        out += [seen] * int(refused)
    return out


def test_threads_beyond_the_core_start_only_when_the_queue_is_full_call_by_call():
    # Calls at 0 s, 0.1 s, ... 1.1 s, each holding a thread 0.27 s; core 1, max 2, queue 1:
    #   0.0 thread 1 runs call 1 (fewer than core)     0.1 call 2 waits in the queue
    #   0.2 queue full: thread 2 runs call 3           0.27 thread 1 takes call 2 from the queue
    #   0.3 call 4 waits                               0.4 queue and threads full: call 5 rejected
    #   0.47 thread 2 takes call 4   0.5 call 6 waits  0.54 thread 1 takes call 6   0.6 call 7 waits
    #   0.7 call 8 rejected, and so on: every third call from the fifth.
    design = _pool(10.0, 0.27, until=1.05, core_thread_pool_size=1, max_thread_pool_size=2, queue_capacity=1,
                   keep_alive_duration=0.02)
    result = run(design, duration=3, warmup=0, bucket=0.05)
    assert _outcomes(result) == {"ok": 9, "rejected": 3}
    assert _rejected_calls(result) == [5, 8, 11]
    grew = result.events_of("thread_pool_grew")
    assert len(grew) == 1 and abs(grew[0]["time"] - 0.2) < 1e-6
    saturated = result.events_of("bulkhead_saturated")
    assert saturated[0]["details"] == "1 thread busy"   # call 2 queued behind the one core thread


def test_a_semaphore_bulkhead_of_the_same_two_threads_rejects_sooner():
    # The same calls through a semaphore of 2 permits and no wait: call 3 already finds both busy.
    design = _pool(10.0, 0.27, until=1.05)
    design.components[0].policies = [m.BulkheadPolicy(max_concurrent_calls=2, max_wait_duration=0.0)]
    result = run(design, duration=3, warmup=0, bucket=0.05)
    assert _rejected_calls(result) == [3, 6, 9, 12]


def test_an_extra_thread_retires_after_keep_alive_and_the_core_stays():
    # Calls at 0 s ... 1.0 s as above: thread 1 ends call 9 at 1.08 s and finds the queue empty;
    # beyond the core, it waits 20 ms for work and retires at 1.10 s. Thread 2, ending call 10 at
    # 1.28 s, is then the core and stays.
    design = _pool(10.0, 0.27, until=0.95, core_thread_pool_size=1, max_thread_pool_size=2, queue_capacity=1,
                   keep_alive_duration=0.02)
    result = run(design, duration=3, warmup=0, bucket=0.05)
    assert _rejected_calls(result) == [5, 8, 11]
    shrank = result.events_of("thread_pool_shrank")
    assert len(shrank) == 1 and abs(shrank[0]["time"] - 1.10) < 1e-6
    assert len(result.events_of("thread_pool_grew")) == 1


def test_with_core_equal_to_max_the_pool_is_m_m_c_with_a_queue_of_capacity_q():
    # SEMANTICS 2.3: core = max = c and capacity q is M/M/c/(c+q); with q = 0 its rejections are Erlang B.
    from engine_support import erlang_b

    design = m.Design(name="mmcc", components=[
        m.Client(name="caller", workload=m.OpenLoop(rate=8.0), policies=[
            m.ThreadPoolBulkheadPolicy(core_thread_pool_size=10, max_thread_pool_size=10, queue_capacity=0)]),
        m.External(name="backend", latency=m.Exponential(mean=1.0)),
    ], links=[m.Link(source="caller", target="backend", latency=m.Constant(value=0.0))])
    outcomes = run(design, duration=20_000, warmup=100).component_summary("caller")["outcomes"]
    share = outcomes["rejected"] / sum(outcomes.values())
    assert abs(share - erlang_b(10, 8.0)) < 0.006


def test_a_call_has_one_bulkhead_semaphore_or_thread_pool():
    design = _pool(10.0, 0.27)
    design.components[0].policies.append(m.BulkheadPolicy())
    problems = [p.message for p in design.problems()] if hasattr(design, "problems") else []
    if not problems:
        try:
            design.check()
        except m.DesignError as exc:
            problems = [p.message for p in exc.problems]
    assert any("two enabled bulkhead (semaphore or thread-pool) policies" in p for p in problems)
    try:
        m.ThreadPoolBulkheadPolicy(core_thread_pool_size=4, max_thread_pool_size=2)
    except ValueError as exc:
        assert "max_thread_pool_size (2) must be at least core_thread_pool_size (4)" in str(exc)
    else:
        raise AssertionError("a pool whose maximum is below its core was accepted")


def test_without_a_queue_a_call_starts_a_thread_or_is_rejected_and_idle_threads_retire():
    # queueCapacity 0 (a SynchronousQueue): a call goes to an idle thread or a new one, up to max 2.
    #   0.0 call 1 on thread A    0.1 call 2: no idle thread, so thread B (the pool grows)
    #   0.2 call 3 rejected       0.27 A idle; beyond the core, it retires at 0.29 (the pool shrinks)
    #   0.3 call 4: B is busy, so a new thread (grows)   0.37 B idle, retires at 0.39 (shrinks) ...
    # every third call is rejected, and the pool grows and shrinks once per three calls.
    design = _pool(10.0, 0.27, until=1.05, core_thread_pool_size=1, max_thread_pool_size=2, queue_capacity=0,
                   keep_alive_duration=0.02)
    result = run(design, duration=3, warmup=0, bucket=0.05)
    assert _rejected_calls(result) == [3, 6, 9, 12]
    grew, shrank = result.events_of("thread_pool_grew"), result.events_of("thread_pool_shrank")
    assert [round(e["time"], 2) for e in grew] == [0.1, 0.3, 0.4, 0.6, 0.7, 0.9, 1.0]
    assert [round(e["time"], 2) for e in shrank] == [0.29, 0.39, 0.59, 0.69, 0.89, 0.99, 1.19]
