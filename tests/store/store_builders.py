"""Hypothesis strategies for valid projects, and small builders shared by the store tests."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
from hypothesis import strategies as st

from app.store import SavedRun
from engine.model import (
    BulkheadPolicy,
    Cache,
    CircuitBreakerPolicy,
    Client,
    ClosedLoop,
    Constant,
    CrashFault,
    Database,
    Design,
    Empirical,
    EnvoyRetryBudget,
    ErrorFault,
    ExhaustionFault,
    Experiment,
    Exponential,
    External,
    FallbackPolicy,
    GrpcRetryThrottling,
    InstanceSelector,
    LatencyFault,
    Link,
    LoadBalancer,
    LoadSheddingPolicy,
    LogNormal,
    Normal,
    OpenLoop,
    PartitionFault,
    Position,
    Project,
    Queue,
    RandomFailuresFault,
    RateLimiterPolicy,
    RateRamp,
    RateSpike,
    RateStep,
    RetryPolicy,
    Service,
    ThreadPoolBulkheadPolicy,
    TimeoutPolicy,
    Uniform,
)
from engine.model.catalogue import LONGEST_RUN
from engine.model.outcomes import FAILURE_OUTCOMES

# Floats over the whole range, subnormals included: exactness is the point.
nonneg = st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)
unit = st.floats(min_value=0, max_value=1, allow_nan=False)
anywhere = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
ids = st.uuids()
small = st.integers(min_value=1, max_value=1000)
text = st.text(max_size=40)
failures = st.lists(st.sampled_from(FAILURE_OUTCOMES), unique=True, max_size=5)


@st.composite
def lognormals(draw):
    if draw(st.booleans()):
        return LogNormal(mean=draw(positive), std=draw(nonneg))
    p50 = draw(st.floats(min_value=1e-6, max_value=1e6))
    return LogNormal(p50=p50, p99=p50 + draw(st.floats(min_value=0, max_value=1e6)))


@st.composite
def uniforms(draw):
    low = draw(st.floats(min_value=0, max_value=1e6))
    return Uniform(low=low, high=low + draw(st.floats(min_value=0, max_value=1e6)))


distributions = st.one_of(
    st.builds(Constant, value=nonneg),
    st.builds(Exponential, mean=positive),
    uniforms(),
    st.builds(Normal, mean=nonneg, std=nonneg),
    lognormals(),
    st.builds(Empirical, points=st.lists(nonneg, min_size=1, max_size=8)),
)

opt_positive = st.none() | positive
# Times of policies and faults: no longer than the longest run the model accepts.
time_nonneg = st.floats(min_value=0, max_value=LONGEST_RUN, allow_nan=False)
time_positive = st.floats(min_value=1e-300, max_value=LONGEST_RUN, allow_nan=False)


def caller_policies(scopes: list[str]):
    scope = st.none() | (st.sampled_from(scopes) if scopes else st.none())
    common = dict(id=ids, enabled=st.booleans(), scope=scope)
    return st.one_of(
        st.builds(
            CircuitBreakerPolicy, **common,
            sliding_window_type=st.sampled_from(["count_based", "time_based"]),
            sliding_window_size=st.integers(1, 100_000),
            minimum_number_of_calls=st.integers(1, 1_000_000),
            failure_rate_threshold=st.floats(min_value=0.001, max_value=100),
            slow_call_rate_threshold=st.floats(min_value=0.001, max_value=100),
            slow_call_duration_threshold=time_positive,
            wait_duration_in_open_state=st.floats(min_value=0.001, max_value=1e6),
            permitted_number_of_calls_in_half_open_state=st.integers(1, 100_000),
            automatic_transition_from_open_to_half_open_enabled=st.booleans(),
            max_wait_duration_in_half_open_state=time_nonneg,
            record_outcomes=failures,
        ),
        st.builds(
            RetryPolicy, **common,
            max_attempts=st.integers(1, 100), wait_duration=time_nonneg,
            backoff=st.sampled_from(["fixed", "exponential"]),
            multiplier=st.floats(min_value=1, max_value=100), max_wait_duration=st.none() | time_positive,
            jitter=st.sampled_from(["none", "full", "equal", "decorrelated", "randomized"]),
            randomization_factor=unit, retry_on=failures,
            budget=st.none()
            | st.builds(GrpcRetryThrottling, max_tokens=st.floats(min_value=0.01, max_value=1000),
                        token_ratio=st.floats(min_value=1e-9, max_value=1000))
            | st.builds(EnvoyRetryBudget, budget_percent=st.floats(0, 100),
                        min_retry_concurrency=st.integers(0, 1000)),
        ),
        st.builds(TimeoutPolicy, **common, timeout=time_positive, cancel_on_timeout=st.booleans()),
        st.builds(BulkheadPolicy, **common, max_concurrent_calls=st.integers(0, 1_000_000),
                  max_wait_duration=time_nonneg),
        st.builds(FallbackPolicy, **common, on=failures, latency=distributions),
        st.integers(1, 100_000).flatmap(lambda core: st.builds(
            ThreadPoolBulkheadPolicy, **common, core_thread_pool_size=st.just(core),
            max_thread_pool_size=st.integers(core, 100_000), queue_capacity=st.integers(0, 1_000_000),
            keep_alive_duration=time_nonneg)),
    )


inbound_policies = st.one_of(
    st.builds(RateLimiterPolicy, id=ids, enabled=st.booleans(), limit_for_period=small,
              limit_refresh_period=time_positive, timeout_duration=time_nonneg, global_quota=st.booleans()),
    st.one_of(
        st.builds(LoadSheddingPolicy, id=ids, enabled=st.booleans(), max_queue_wait=time_positive,
                  max_queue_length=st.none() | st.integers(0, 10**6)),
        st.builds(LoadSheddingPolicy, id=ids, enabled=st.booleans(), max_queue_wait=st.none(),
                  max_queue_length=st.integers(0, 10**6)),
    ),
)


@st.composite
def schedules(draw):
    changes, t = [], 0.0
    for _ in range(draw(st.integers(0, 4))):
        t += draw(st.floats(min_value=0, max_value=100))
        kind = draw(st.sampled_from(["step", "ramp", "spike"]))
        rate = draw(st.floats(min_value=0, max_value=1e6))
        if kind == "step":
            changes.append(RateStep(at=t, rate=rate))
        elif kind == "ramp":
            end = t + draw(st.floats(min_value=0.5, max_value=100))
            changes.append(RateRamp(start=t, end=end, to_rate=rate))
            t = end
        else:
            duration = draw(st.floats(min_value=0.5, max_value=100))
            changes.append(RateSpike(at=t, duration=duration, rate=rate))
            t += duration
    return changes


workloads = st.one_of(
    st.builds(OpenLoop, arrivals=st.sampled_from(["poisson", "constant"]),
              rate=st.floats(0, 10_000_000), schedule=schedules()),
    st.builds(ClosedLoop, users=st.integers(1, 1_000_000), think_time=distributions),
)

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs"), blacklist_characters='"->'),
    min_size=1, max_size=12,
)


@st.composite
def components(draw, name: str, scopes: list[str]):
    kind = draw(st.sampled_from(["client", "load_balancer", "service", "database", "cache", "queue", "external"]))
    base = dict(id=draw(ids), name=name, position=Position(x=draw(anywhere), y=draw(anywhere)))
    outgoing = kind in ("client", "load_balancer", "service", "cache", "queue")
    policies = []
    for _ in range(draw(st.integers(0, 3))):
        if outgoing and draw(st.booleans()):
            policies.append(draw(caller_policies(scopes)))
        else:
            policies.append(draw(inbound_policies))
    base["policies"] = policies
    capacity = st.none() | st.integers(0, 10**6)
    if kind == "client":
        return Client(**base, workload=draw(workloads), fan_out=draw(st.sampled_from(["sequential", "parallel"])))
    if kind == "load_balancer":
        return LoadBalancer(**base, strategy=draw(st.sampled_from(
            ["round_robin", "random", "least_outstanding", "power_of_two"])))
    if kind == "service":
        return Service(**base, instances=draw(st.integers(1, 10_000)), workers=draw(st.integers(1, 100_000)),
                       queue_capacity=draw(capacity), service_time=draw(distributions),
                       error_probability=draw(unit), fan_out=draw(st.sampled_from(["sequential", "parallel"])))
    if kind == "database":
        return Database(**base, instances=draw(st.integers(1, 10_000)), connections=draw(st.integers(1, 100_000)),
                        queue_capacity=draw(capacity), query_time=draw(distributions), error_probability=draw(unit))
    if kind == "cache":
        return Cache(**base, instances=draw(st.integers(1, 100)), workers=draw(st.integers(1, 1000)),
                     queue_capacity=draw(capacity), hit_ratio=draw(unit), hit_time=draw(distributions),
                     error_probability=draw(unit))
    if kind == "queue":
        return Queue(**base, capacity=draw(st.integers(1, 100_000_000)), consumers=draw(st.integers(1, 100_000)),
                     process_time=draw(distributions), error_probability=draw(unit))
    return External(**base, latency=draw(distributions), error_probability=draw(unit))


@st.composite
def faults(draw, targets: list[str]):
    common = dict(id=draw(ids), target=draw(st.sampled_from(targets)), start=draw(time_nonneg),
                  enabled=draw(st.booleans()))
    duration = draw(st.none() | st.floats(min_value=0.001, max_value=1e6))
    common["duration"] = duration
    if duration is not None and draw(st.booleans()):
        common["period"] = duration + draw(st.floats(min_value=0.001, max_value=1e6))
    kind = draw(st.sampled_from(["crash", "latency", "exhaustion", "error", "partition", "random_failures"]))
    if kind == "crash":
        selector = draw(st.one_of(
            st.just(InstanceSelector()),
            st.builds(InstanceSelector, count=small),
            st.builds(InstanceSelector, fraction=unit),
            st.builds(InstanceSelector, indices=st.lists(st.integers(0, 50), max_size=4)),
        ))
        return CrashFault(**common, instances=selector, mode=draw(st.sampled_from(["refuse", "hang"])),
                          restart_delay=draw(time_nonneg))
    if kind == "latency":
        return LatencyFault(**common, delay=draw(distributions), fraction=draw(unit),
                            direction=draw(st.sampled_from(["request", "response", "both"])))
    if kind == "exhaustion":
        return ExhaustionFault(**common, resource=draw(st.sampled_from(["cpu", "pool", "memory_leak"])),
                               factor=draw(st.floats(min_value=1, max_value=1000)),
                               pool_size=draw(st.integers(0, 1000)),
                               leak_rate=draw(st.floats(min_value=1e-9, max_value=1000)),
                               kill_factor=draw(st.floats(min_value=1.001, max_value=1000)),
                               restart_delay=draw(time_nonneg))
    if kind == "error":
        return ErrorFault(**common, fraction=draw(unit))
    if kind == "partition":
        return PartitionFault(**common, mode=draw(st.sampled_from(["hang", "refuse"])))
    return RandomFailuresFault(**common, mtbf=draw(time_positive), mttr=draw(time_positive))


@st.composite
def designs(draw, name: str | None = None):
    raw = draw(st.lists(names, min_size=1, max_size=6))
    comp_names = [f"{n.strip() or 'c'}{i}" for i, n in enumerate(raw)]
    comps = [draw(components(n, comp_names)) for n in comp_names]
    pairs = draw(st.lists(st.tuples(st.sampled_from(comp_names), st.sampled_from(comp_names)), max_size=8))
    links = [
        Link(id=draw(ids), source=a, target=b, latency=draw(distributions), probability=draw(unit),
             count=draw(st.integers(1, 1000)))
        for a, b in pairs
    ]
    targets = comp_names + [link.name for link in links]
    experiments = [
        Experiment(id=draw(ids), name=f"experiment {i}", description=draw(text),
                   faults=draw(st.lists(faults(targets), max_size=4)))
        for i in range(draw(st.integers(0, 3)))
    ]
    return Design(id=draw(ids), name=name or draw(names), description=draw(text),
                  components=comps, links=links, experiments=experiments)


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1),
    timezones=st.none() | st.just(UTC) | st.builds(
        lambda m: timezone(timedelta(minutes=m)), st.integers(-720, 720)),
)


@st.composite
def projects(draw):
    n = draw(st.integers(0, 3))
    return Project(
        id=draw(ids), name=draw(names), description=draw(st.text(max_size=200)),
        created=draw(moments), modified=draw(moments),
        designs=[draw(designs(name=f"design {i}")) for i in range(n)],
    )


# -- plain builders --------------------------------------------------------------

def shop_design(name: str = "shop") -> Design:
    """A small valid design with a policy, a workload and an experiment."""
    return Design(
        name=name,
        components=[
            Client(name="web", workload=OpenLoop(rate=50)),
            Service(name="api", policies=[RetryPolicy(scope="db"), CircuitBreakerPolicy(scope="db")]),
            Database(name="db"),
        ],
        links=[Link(source="web", target="api"), Link(source="api", target="db")],
        experiments=[Experiment(name="db down", faults=[CrashFault(target="db", start=10, duration=5)])],
    )


def shop_project(name: str = "Shop") -> Project:
    return Project(name=name, designs=[shop_design()])


def run_data(components: list[str], links: list[str], buckets: int = 6, seed: int = 0) -> dict:
    """A run dict shaped like RunResult.to_dict()."""
    rng = np.random.default_rng(seed)
    return {
        "meta": {"options": {"duration": 60.0, "seed": seed, "bucket": 1.0}, "engine": "test"},
        "summary": {"p99": 0.25, "error_rate": 0.01, "empty": float("nan"), "per": {"api": [1, 2.5, None]}},
        "events": [
            {"time": 1.5, "kind": "fault_started", "component": "db", "link": None, "fault_id": None,
             "instance": None, "details": "db crashes"},
            {"time": 6.5, "kind": "breaker_opened", "component": components[0] if components else None,
             "link": None, "fault_id": None, "instance": None, "details": "CLOSED -> OPEN"},
        ],
        "events_dropped": 3,
        "components": list(components),
        "links": list(links),
        "bucket_times": np.arange(buckets, dtype=np.float64),
        "series": {
            "arrivals": rng.random((buckets, len(components))),
            "p99": np.full((buckets, len(components)), np.nan),
        },
        "link_series": {"calls": rng.random((buckets, len(links))) * 1e6},
    }


def saved_run(design: Design, label: str = "run", seed: int = 0) -> SavedRun:
    data = run_data([c.name for c in design.components], [link.name for link in design.links], seed=seed)
    return SavedRun(uuid.uuid4(), design.id, design.experiments[0].name if design.experiments else None,
                    label, datetime(2026, 11, 1, 12, 0, tzinfo=UTC), data)
