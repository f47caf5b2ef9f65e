"""Queue waits, bulkhead waits, per-link figures and the time refusals take, against theory
(SEMANTICS.md §5.2 Erlang C, §5.6 M/M/c+D) and on cases whose answer is exact."""
from __future__ import annotations

import math

import pytest
from engine_support import erlang_b, rel, run, station

import engine.model as m


def _erlang_c(c: int, a: float) -> float:
    rho = a / c
    b = erlang_b(c, a)
    return b / (1 - rho + rho * b)


def _seeds(design, seeds=(1, 2, 3), **kw):
    return [run(design, seed=s, **kw) for s in seeds]


@pytest.mark.parametrize("c, rho, p_wait, wq, p99", [
    (4, 0.8, 0.5964, 0.7455, 5.1105),
    (2, 0.8, 0.7111, 1.7778, 10.6606),
])
def test_queue_wait_matches_erlang_c(c, rho, p_wait, wq, p99):
    lam = c * rho
    design = station(rate=lam, workers=c, service=m.Exponential(mean=1.0))
    summaries = [r.component_summary("server") for r in _seeds(design, duration=3e5 / lam, bucket=1e3)]

    def mean(key):
        return sum(s[key] for s in summaries) / len(summaries)

    assert _erlang_c(c, lam) == pytest.approx(p_wait, abs=1e-4)
    assert abs(mean("wait_probability") - p_wait) < 0.01
    assert rel(mean("queue_wait_mean"), wq) < 0.04
    assert rel(mean("waited_mean"), wq / p_wait) < 0.04
    # P(Wq > t) = C e^(-(c mu - lambda) t): the q-quantile is ln(C / (1 - q)) / (c mu - lambda)
    assert rel(mean("queue_wait_p90"), math.log(p_wait / 0.1) / (c - lam)) < 0.04
    assert rel(mean("queue_wait_p99"), p99) < 0.04
    # below 1 - C, the rank falls among those who did not wait at all
    expected = 0.0 if p_wait < 0.5 else pytest.approx(math.log(p_wait / 0.5) / (c - lam), rel=0.1)
    assert mean("queue_wait_p50") == expected


def test_nothing_waits_when_workers_are_plenty():
    design = station(rate=5.0, workers=1000, service=m.Exponential(mean=0.1))
    s = run(design, duration=200, warmup=0, bucket=10).component_summary("server")
    assert s["wait_probability"] == 0.0 and s["queue_wait_mean"] == 0.0
    assert s["queue_wait_p50"] == s["queue_wait_p99"] == 0.0


def _mmcd(c: int, lam: float, mu: float, patience: float) -> tuple[float, float]:
    """(share that waited, share rejected) of M/M/c+D, FIFO, deterministic patience (SEMANTICS §5.6)."""
    a = lam / mu
    inner = ((1 - math.exp(-(c * mu - lam) * patience)) / (c * mu - lam)
             + math.exp(-(c * mu - lam) * patience) / (c * mu))
    p_last = a ** (c - 1) / math.factorial(c - 1)
    p0 = 1 / (sum(a ** n / math.factorial(n) for n in range(c)) + lam * p_last * inner)
    return lam * p0 * p_last * inner, lam * p0 * p_last * math.exp(-(c * mu - lam) * patience) / (c * mu)


def _bulkhead_design(patience: float) -> m.Design:
    return m.Design(name="bulkhead", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=8.0),
                 policies=[m.BulkheadPolicy(max_concurrent_calls=10, max_wait_duration=patience)]),
        m.External(name="api", latency=m.Exponential(mean=1.0)),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0.0))])


def test_the_mmcd_reference_reproduces_the_published_rejection_rates():
    assert _mmcd(10, 8, 1, 0.0)[1] == pytest.approx(0.1217, abs=1e-4)    # Erlang B
    assert _mmcd(10, 8, 1, 0.0)[0] == pytest.approx(0.1217, abs=1e-4)    # with no patience, waiting = refused
    assert _mmcd(10, 8, 1, 0.5)[1] == pytest.approx(0.0342, abs=1e-4)
    assert _mmcd(10, 8, 1, 2.0)[1] == pytest.approx(0.0015, abs=1e-4)


def test_a_bulkhead_with_a_maximum_wait_is_mmcd():
    p_wait, p_reject = _mmcd(10, 8.0, 1.0, 0.5)
    links = [r.link_summary("users -> api") for r in _seeds(_bulkhead_design(0.5), duration=60_000, bucket=1e3)]
    waited = sum(s["bulkhead_waited"] for s in links) / sum(s["attempts"] for s in links)
    rejected = sum(s["outcomes"]["rejected"] for s in links) / sum(s["calls"] for s in links)
    assert abs(waited - p_wait) < 0.006
    assert abs(rejected - p_reject) < 0.002
    for s in links:
        # a refused call waited the bulkhead's whole maximum wait, and that time is reported
        assert s["refused_time_mean"] == pytest.approx(0.5)
        assert s["refused_time_total"] == pytest.approx(0.5 * s["refused"])
        assert 0 < s["bulkhead_wait_mean"] < 0.5


def test_a_rate_limiter_refusal_takes_its_timeout_and_the_time_is_reported():
    limited = m.RateLimiterPolicy(limit_for_period=1, limit_refresh_period=1.0, timeout_duration=0.25)
    design = station(rate=20.0, workers=4, service=m.Constant(value=0.001), policies=[limited],
                     arrivals="constant")
    r = run(design, duration=60, warmup=0, bucket=1)
    server, users = r.component_summary("server"), r.component_summary("users")
    assert server["outcomes"]["rejected"] > 0
    assert server["refused_time_mean"] == pytest.approx(0.25)
    assert users["refused_time_mean"] == pytest.approx(0.25)      # the caller waited as long
    assert users["refused_time_total"] == pytest.approx(0.25 * users["outcomes"]["rejected"])


def test_link_figures_count_calls_attempts_retries_errors_and_latency():
    design = m.Design(name="links", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=10.0, arrivals="constant"),
                 policies=[m.RetryPolicy(max_attempts=2, wait_duration=0.0)]),
        m.External(name="api", latency=m.Constant(value=0.1), error_probability=1.0),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0.01))])
    s = run(design, duration=30, warmup=0, bucket=1).link_summary("users -> api")
    finished = sum(s["outcomes"].values())
    assert s["calls"] == 300 and finished == 298          # the last two are still on their retry
    assert s["attempts"] == 2 * 298 + 2 + 1 and s["retries"] == 298 + 1
    assert s["outcomes"]["error"] == finished and s["error_rate"] == 1.0
    # two attempts of 10 ms there, 100 ms at the API, 10 ms back
    assert s["latency_mean"] == pytest.approx(2 * 0.12)
    assert s["bulkhead_waited"] == 0 and s["refused_time_mean"] == 0.0


def test_queue_wait_has_a_series_per_bucket():
    design = station(rate=3.2, workers=4, service=m.Exponential(mean=1.0))
    r = run(design, duration=2000, warmup=0, bucket=100)
    waits = r.column("queue_wait_mean", "server")
    assert len(waits) == 20 and (waits > 0).all()
    assert r.column("started", "server").sum() >= r.column("waited", "server").sum() > 0
