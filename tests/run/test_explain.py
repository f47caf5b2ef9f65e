"""Reasons for a run's results, from rules over the design, the experiment and the results (no Qt)."""
from __future__ import annotations

import re

from app.run.explain import explain
from engine import RunOptions, simulate
from engine.model import (
    BulkheadPolicy,
    CircuitBreakerPolicy,
    Client,
    Constant,
    CrashFault,
    Database,
    Design,
    ErrorFault,
    Experiment,
    Exponential,
    LatencyFault,
    Link,
    OpenLoop,
    RetryPolicy,
    Service,
    TimeoutPolicy,
)


def _design(policies, faults) -> Design:
    return Design(
        name="shop",
        components=[
            Client(name="users", workload=OpenLoop(rate=100.0)),
            Service(name="api", instances=2, workers=16, service_time=Exponential(mean=0.005), policies=policies),
            Database(name="db", connections=20, query_time=Exponential(mean=0.005)),
        ],
        links=[Link(source="users", target="api"), Link(source="api", target="db")],
        experiments=[Experiment(name="trouble", faults=faults)],
    ).check()


def _run(design: Design) -> dict:
    experiment = design.experiments[0]
    return {variant: simulate(design, RunOptions(duration=40, seed=3, resilience=variant == "protected"),
                              experiment.name)
            for variant in ("protected", "unprotected")}


def _texts(design: Design) -> list[str]:
    return [f.text for f in explain(design, design.experiments[0], _run(design))]


def test_a_timeout_below_the_injected_latency_is_named_with_both_figures():
    design = _design([TimeoutPolicy(timeout=0.15)],
                     [LatencyFault(target="api -> db", start=5, duration=20, delay=Constant(value=0.3))])
    assert "timeout 150 ms on api -> db is below the injected 300 ms latency: every attempt times out" \
        in _texts(design)


def test_a_timeout_above_the_injected_latency_is_not_blamed():
    design = _design([TimeoutPolicy(timeout=0.5)],
                     [LatencyFault(target="db", start=5, duration=20, delay=Constant(value=0.3))])
    assert not any("timeout" in t for t in _texts(design))


def test_retries_are_shown_to_multiply_the_load_at_the_dependency():
    design = _design([RetryPolicy(max_attempts=3, wait_duration=0.01)],
                     [ErrorFault(target="db", start=0, duration=None, fraction=1.0)])
    texts = _texts(design)
    amplified = [t for t in texts if t.startswith("retries multiply load")]
    assert len(amplified) == 1 and amplified[0].endswith("at db")
    factor = float(re.search(r"x([\d.]+)", amplified[0]).group(1))
    assert 2.5 <= factor <= 3.0  # every call fails: three attempts each


def test_an_open_breaker_is_explained_with_its_share_of_the_run():
    design = _design([CircuitBreakerPolicy(sliding_window_size=20, minimum_number_of_calls=10,
                                           wait_duration_in_open_state=5)],
                     [CrashFault(target="db", start=10, duration=20, mode="refuse")])
    opened = [t for t in _texts(design) if t.startswith("the breaker on api -> db was open")]
    assert len(opened) == 1 and "open for 5.00 s at a time" in opened[0]
    share = float(re.search(r"open (\d+) % of the run", opened[0]).group(1))
    assert 10 <= share <= 60  # a 20 s outage in a 40 s run


def test_a_hung_dependency_without_a_timeout_is_named():
    design = _design([RetryPolicy(max_attempts=2)], [CrashFault(target="db", start=10, duration=20, mode="hang")])
    assert any(t.startswith("api has no timeout on calls to db, which hang") for t in _texts(design))
    guarded = _design([TimeoutPolicy(timeout=0.2)], [CrashFault(target="db", start=10, duration=20, mode="hang")])
    texts = _texts(guarded)
    # the timeout is not blamed; the run without it is, as its own reason
    assert [t for t in texts if "no timeout" in t] == [
        "without resilience: api has no timeout on calls to db, which hang during the fault: its workers wait, "
        "and its callers wait on it"]
    alone = {"unprotected": _run(guarded)["unprotected"]}
    assert any(f.text.startswith("api has no timeout") for f in explain(guarded, guarded.experiments[0], alone))


def test_a_saturated_bulkhead_is_explained():
    design = _design([BulkheadPolicy(max_concurrent_calls=1)],
                     [LatencyFault(target="db", start=0, duration=None, delay=Constant(value=0.05))])
    assert any(t.startswith("the bulkhead on api -> db (at most 1 calls at once) rejected") for t in _texts(design))


def test_a_calm_run_needs_no_reasons():
    design = _design([TimeoutPolicy(timeout=1.0), RetryPolicy(max_attempts=2)], [])
    assert explain(design, design.experiments[0], _run(design)) == []
    assert explain(design, design.experiments[0], {}) == []


def test_work_dropped_past_its_deadline_is_explained_with_the_fifo_hint():
    from engine.model import DeadlinePolicy

    design = Design(
        name="late",
        components=[Client(name="users", workload=OpenLoop(rate=20.0, arrivals="constant"),
                           policies=[DeadlinePolicy(deadline=0.3)]),
                    Service(name="back", workers=1, service_time=Constant(value=0.08))],
        links=[Link(source="users", target="back", latency=Constant(value=0.0))],
    ).check()
    texts = [f.text for f in explain(design, None, {"protected": simulate(design, RunOptions(duration=40, seed=3))})]
    found = [t for t in texts if t.startswith("back dropped ")]
    assert found and "past their deadline: work its callers had already given up on" in found[0]
    assert "its FIFO queue hands workers the oldest requests" in found[0]


def test_blocking_workers_that_wait_on_calls_are_named_and_event_loops_are_not():
    from pathlib import Path

    from engine.model import parse_design

    design = parse_design((Path(__file__).resolve().parents[2] / "resources" / "examples" / "async_pipeline.json")
                          .read_text())
    slow = design.experiments[0]
    options = RunOptions(duration=120, warmup=0, seed=3)
    assert not [f for f in explain(design, slow, {"protected": simulate(design, options, slow.name)})
                if f.rule == "blocking_workers_wait"]
    threads = design.model_copy(update={"components": [
        c.model_copy(update={"call_mode": "blocking", "workers": 32}) if c.name in ("gateway", "enricher") else c
        for c in design.components]})
    findings = explain(threads, slow, {"protected": simulate(threads, options, slow.name)})
    texts = [f.text for f in findings if f.rule == "blocking_workers_wait"]
    assert any(re.match(r"enricher's workers were all busy (4[5-9]|5[0-5]) % of the run but its own work needs "
                        r"[45] % of them: they wait on its calls \(blocking\)", t) for t in texts), texts


def test_hedges_are_shown_to_add_load_and_a_late_hedge_is_not():
    from engine.model import External, HedgingPolicy

    def design(delay):
        return Design(
            name="hedged",
            components=[Client(name="users", workload=OpenLoop(rate=50.0)),
                        Service(name="api", workers=64, service_time=Constant(value=0.0),
                                policies=[HedgingPolicy(max_attempts=2, hedging_delay=delay)]),
                        External(name="leaf", latency=Exponential(mean=0.05))],
            links=[Link(source="users", target="api"), Link(source="api", target="leaf")],
        ).check()

    def texts(delay):
        d = design(delay)
        return [f.text for f in explain(d, None, {"protected": simulate(d, RunOptions(duration=40, seed=3))})]

    assert "hedging on api -> leaf (up to 2 copies, the next after 0 ms) sent 100 % more requests than calls" \
        in texts(0.0)
    # after 1 s almost every call has its answer: next to no extra copies
    assert not any(t.startswith("hedging on") for t in texts(1.0))


def test_retries_are_not_blamed_for_what_the_run_without_resilience_did_not_send():
    # three tier, database outage: without resilience the API's queue fills and fewer calls reach
    # the cache, whose arrivals with resilience were 2.6 times as many under a retry of 2 attempts
    from app.resources import EXAMPLES
    from app.store import load_design_from_path

    design = load_design_from_path(EXAMPLES / "three_tier.json")
    experiment = design.experiment("database outage")
    results = {variant: simulate(design, RunOptions(duration=150, seed=1, resilience=variant == "protected"),
                                 experiment.name) for variant in ("protected", "unprotected")}
    for finding in explain(design, experiment, results):
        if finding.text.startswith("retries multiply load"):
            factor = float(re.search(r"x([\d.]+)", finding.text).group(1))
            retries = [p for c in design.components for p in c.policies if isinstance(p, RetryPolicy)]
            assert factor <= max(p.max_attempts for p in retries)


def test_a_retry_of_what_its_own_breaker_refuses_is_named():
    breaker = CircuitBreakerPolicy(sliding_window_size=20, minimum_number_of_calls=10, wait_duration_in_open_state=5)
    outage = [CrashFault(target="db", start=10, duration=20, mode="refuse")]
    texts = _texts(_design([RetryPolicy(max_attempts=3, wait_duration=0.2), breaker], outage))
    [named] = [t for t in texts if t.startswith("the retry on api -> db also retries the calls its open breaker")]
    assert "short-circuited), waiting 200 ms before each" in named
    assert named.endswith("leave short circuited out of the outcomes it retries")
    fail_fast = RetryPolicy(max_attempts=3, wait_duration=0.2, retry_on=["error", "timeout", "unavailable"])
    assert not any("open breaker refuses" in t for t in _texts(_design([fail_fast, breaker], outage)))
