"""Random runnable designs, with random policies and faults: the engine never crashes, never
loses a request, and gives the same answer twice."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.model as m
from engine import RunOptions, Simulation

DURATION = 30.0

times = st.floats(min_value=0.0, max_value=0.05)
positive_times = st.floats(min_value=1e-4, max_value=0.05)
fractions = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def distributions(draw):
    kind = draw(st.sampled_from(["constant", "exponential", "uniform", "normal", "lognormal", "empirical"]))
    if kind == "constant":
        return m.Constant(value=draw(times))
    if kind == "exponential":
        return m.Exponential(mean=draw(positive_times))
    if kind == "uniform":
        a, b = sorted([draw(times), draw(times)])
        return m.Uniform(low=a, high=b)
    if kind == "normal":
        return m.Normal(mean=draw(times), std=draw(times))
    if kind == "lognormal":
        p50 = draw(positive_times)
        return m.LogNormal(p50=p50, p99=p50 * draw(st.floats(min_value=1.0, max_value=20.0)))
    return m.Empirical(points=draw(st.lists(times, min_size=1, max_size=5)))


@st.composite
def caller_policies(draw, scopes):
    policies = []
    for kind in draw(st.sets(st.sampled_from(["retry", "circuit_breaker", "timeout", "bulkhead", "fallback"]))):
        scope = draw(st.sampled_from([None, *scopes]))
        if kind == "retry":
            budget = draw(st.sampled_from([None, m.GrpcRetryThrottling(), m.EnvoyRetryBudget()]))
            policies.append(m.RetryPolicy(scope=scope, max_attempts=draw(st.integers(1, 4)),
                                          wait_duration=draw(times),
                                          backoff=draw(st.sampled_from(["fixed", "exponential"])),
                                          jitter=draw(st.sampled_from(
                                              ["none", "full", "equal", "decorrelated", "randomized"])),
                                          max_wait_duration=draw(st.sampled_from([None, 0.1])), budget=budget))
        elif kind == "circuit_breaker":
            policies.append(m.CircuitBreakerPolicy(
                scope=scope, sliding_window_type=draw(st.sampled_from(["count_based", "time_based"])),
                sliding_window_size=draw(st.integers(1, 20)), minimum_number_of_calls=draw(st.integers(1, 20)),
                failure_rate_threshold=draw(st.floats(1, 100)), slow_call_duration_threshold=draw(positive_times),
                wait_duration_in_open_state=draw(st.floats(0.001, 5)),
                permitted_number_of_calls_in_half_open_state=draw(st.integers(1, 5)),
                automatic_transition_from_open_to_half_open_enabled=draw(st.booleans()),
                max_wait_duration_in_half_open_state=draw(st.sampled_from([0.0, 0.5]))))
        elif kind == "timeout":
            policies.append(m.TimeoutPolicy(scope=scope, timeout=draw(st.floats(0.001, 1.0)),
                                            cancel_on_timeout=draw(st.booleans())))
        elif kind == "bulkhead":
            policies.append(m.BulkheadPolicy(scope=scope, max_concurrent_calls=draw(st.integers(0, 10)),
                                             max_wait_duration=draw(st.sampled_from([0.0, 0.01, 0.2]))))
        else:
            policies.append(m.FallbackPolicy(scope=scope, latency=draw(distributions())))
    return policies


@st.composite
def inbound_policies(draw, shed=True):
    policies = []
    if draw(st.booleans()):
        policies.append(m.RateLimiterPolicy(limit_for_period=draw(st.integers(1, 20)),
                                            limit_refresh_period=draw(st.floats(0.01, 1.0)),
                                            timeout_duration=draw(st.sampled_from([0.0, 0.05, 0.5]))))
    if shed and draw(st.booleans()):
        wait, length = draw(st.sampled_from([(None, 0), (None, 5), (0.05, None), (0.05, 5)]))
        policies.append(m.LoadSheddingPolicy(max_queue_wait=wait, max_queue_length=length))
    return policies


@st.composite
def runnable_designs(draw):
    """A layered graph (so no call cycles): clients first, leaves last."""
    n_mid = draw(st.integers(1, 6))
    names = [f"c{i}" for i in range(n_mid)]
    leaves = [f"leaf{i}" for i in range(draw(st.integers(0, 2)))]
    links: list[m.Link] = []

    def link(a, b):
        links.append(m.Link(source=a, target=b, latency=draw(distributions()),
                            probability=draw(st.sampled_from([1.0, 0.5])), count=draw(st.integers(1, 2))))

    comps = []
    for i, name in enumerate(names):
        later = names[i + 1:] + leaves
        targets = draw(st.lists(st.sampled_from(later), unique=True, max_size=3)) if later else []
        kind = draw(st.sampled_from(["service", "service", "cache", "queue", "load_balancer"]))
        if kind in ("cache", "load_balancer") and not targets:
            kind = "service"
        for t in targets:
            link(name, t)
        policies = draw(caller_policies(targets)) if targets else []
        if kind == "service":
            comps.append(m.Service(name=name, instances=draw(st.integers(1, 3)), workers=draw(st.integers(1, 8)),
                                   queue_capacity=draw(st.sampled_from([None, 0, 10])),
                                   service_time=draw(distributions()),
                                   error_probability=draw(st.sampled_from([0, 0.1])),
                                   fan_out=draw(st.sampled_from(["sequential", "parallel"])),
                                   policies=policies + draw(inbound_policies())))
        elif kind == "cache":
            comps.append(m.Cache(name=name, hit_ratio=draw(fractions), workers=draw(st.integers(1, 8)),
                                 policies=policies))
        elif kind == "queue":
            comps.append(m.Queue(name=name, capacity=draw(st.integers(1, 20)), consumers=draw(st.integers(1, 4)),
                                 process_time=draw(distributions()), policies=policies + draw(inbound_policies(False))))
        else:
            comps.append(m.LoadBalancer(name=name, strategy=draw(st.sampled_from(
                ["round_robin", "random", "least_outstanding", "power_of_two"])), policies=policies))
    for leaf in leaves:
        if draw(st.booleans()):
            comps.append(m.Database(name=leaf, connections=draw(st.integers(1, 5)), query_time=draw(distributions())))
        else:
            comps.append(m.External(name=leaf, latency=draw(distributions()), error_probability=draw(fractions)))
    clients = []
    for i in range(draw(st.integers(1, 2))):
        name = f"users{i}"
        targets = draw(st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=2))
        for t in targets:
            link(name, t)
        workload = draw(st.sampled_from([
            m.OpenLoop(rate=draw(st.floats(1, 150))),
            m.OpenLoop(rate=20, arrivals="constant", schedule=[m.RateSpike(at=10, duration=5, rate=200)]),
            m.ClosedLoop(users=draw(st.integers(1, 20)), think_time=m.Exponential(mean=0.1)),
        ]))
        clients.append(m.Client(name=name, workload=workload, policies=draw(caller_policies(targets)),
                                fan_out=draw(st.sampled_from(["sequential", "parallel"]))))
    design = m.Design(components=clients + comps, links=links)
    faults = []
    targets = [c.name for c in comps if c.kind not in ("load_balancer",)]
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.floats(0, 20))
        duration = draw(st.sampled_from([None, 5.0]))
        if links and draw(st.booleans()):
            target = draw(st.sampled_from([l.name for l in links]))
            faults.append(draw(st.sampled_from([
                m.LatencyFault(target=target, start=start, duration=duration, delay=draw(distributions()),
                               fraction=draw(fractions),
                               direction=draw(st.sampled_from(["request", "response", "both"]))),
                m.ErrorFault(target=target, start=start, duration=duration, fraction=draw(fractions)),
                m.PartitionFault(target=target, start=start, duration=duration,
                                 mode=draw(st.sampled_from(["hang", "refuse"]))),
            ])))
        elif targets:
            target = draw(st.sampled_from(targets))
            faults.append(draw(st.sampled_from([
                m.CrashFault(target=target, start=start, duration=duration,
                             mode=draw(st.sampled_from(["hang", "refuse"])),
                             restart_delay=draw(st.sampled_from([0.0, 2.0])),
                             # a share that crashes at least one of its 1 to 3 instances (a design check)
                             instances=m.InstanceSelector(fraction=draw(st.floats(min_value=0.51, max_value=1.0)))),
                m.ExhaustionFault(target=target, start=start, duration=duration,
                                  resource=draw(st.sampled_from(["cpu", "pool", "memory_leak"])),
                                  pool_size=draw(st.integers(0, 3)), leak_rate=0.5, kill_factor=2.0, restart_delay=1.0),
                m.ErrorFault(target=target, start=start, duration=duration, fraction=draw(fractions)),
                m.RandomFailuresFault(target=target, start=start, duration=duration, mtbf=2.0, mttr=1.0),
            ])))
    design.experiments.append(m.Experiment(name="chaos", faults=faults))
    return design


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(runnable_designs(), st.integers(0, 1000), st.booleans())
def test_random_designs_run_to_the_end_and_account_for_every_request(design, seed, resilience):
    assert design.problems() == [], design.problems()
    options = RunOptions(duration=DURATION, bucket=1.0, seed=seed, resilience=resilience, warmup=2.0)
    sim = Simulation(design, options, "chaos")
    sim.advance(until=DURATION / 3)
    partial = sim.snapshot()
    result = sim.result()
    assert sim.finished
    assert len(partial.bucket_times) <= len(result.bucket_times) == 30
    for name in result.components:
        s = result.component_summary(name)
        counted = result.column("arrivals", name).sum()
        outcomes = sum(result.series[o][:, result.components.index(name)].sum()
                       for o in ("ok", "error", "timeout", "rejected", "short_circuited", "unavailable", "fallback"))
        assert counted == outcomes + s["in_flight_at_end"], name
        for key in ("latency_p50", "latency_p99", "utilisation", "mean_queue_length"):
            assert np.isfinite(s[key]) and s[key] >= 0
    again = Simulation(design, options, "chaos").result()
    assert again.summary == result.summary
