"""The engine against queueing theory (reference values: SEMANTICS.md §5).

Tolerances: a run of about a million requests at rho 0.8 has about 1 %
noise on the mean response time (SEMANTICS §5.1, Lindley check);
averaging four seeds halves it, and rho 0.9 is noisier still, so means are
held to 2-4 % and percentiles (which also carry the histogram's error,
below 0.5 %; see test_percentiles.py) to 4 %. Durations are set by the number of requests they hold.
"""
import math

import pytest
from engine_support import averaged, erlang_b, erlang_c_wait, rel, run, station

import engine.model as m


@pytest.mark.parametrize("rho,tol", [(0.5, 0.02), (0.8, 0.03), (0.9, 0.04)])
def test_mm1_mean_response_and_number_in_system(rho, tol):
    design = station(rate=rho, workers=1, service=m.Exponential(mean=1.0))
    W = averaged(design, "latency_mean", duration=1e6 / rho, bucket=1e4)
    L = averaged(design, "mean_in_flight", duration=1e6 / rho, bucket=1e4)
    assert rel(W, 1 / (1 - rho)) < tol
    assert rel(L, rho / (1 - rho)) < tol


@pytest.mark.parametrize("rho", [0.5, 0.8])
def test_mm1_response_time_percentiles_are_exponential(rho):
    # FCFS M/M/1 response time ~ Exp(mu - lambda): p-quantile = -ln(1-p)/(mu-lambda)
    design = station(rate=rho, workers=1, service=m.Exponential(mean=1.0))
    p50 = averaged(design, "latency_p50", duration=1e6 / rho, bucket=1e4)
    p99 = averaged(design, "latency_p99", duration=1e6 / rho, bucket=1e4)
    assert rel(p50, math.log(2) / (1 - rho)) < 0.04
    assert rel(p99, -math.log(0.01) / (1 - rho)) < 0.04


@pytest.mark.parametrize("c,rho", [(2, 0.8), (4, 0.8), (8, 0.8), (4, 0.5)])
def test_mmc_matches_erlang_c(c, rho):
    lam = rho * c
    design = station(rate=lam, workers=c, service=m.Exponential(mean=1.0))
    W = averaged(design, "latency_mean", duration=5e5 / lam, bucket=1e4)
    assert rel(W, 1 + erlang_c_wait(c, lam, 1.0)) < 0.03
    util = averaged(design, "utilisation", duration=5e5 / lam, bucket=1e4)
    assert abs(util - rho) < 0.01


@pytest.mark.parametrize("rho,W", [(0.5, 1.5), (0.8, 3.0), (0.9, 5.5)])
def test_md1_pollaczek_khinchine(rho, W):
    design = station(rate=rho, workers=1, service=m.Constant(value=1.0))
    assert rel(averaged(design, "latency_mean", duration=1e6 / rho, bucket=1e4), W) < 0.03


@pytest.mark.parametrize("c,K,lam,p_block,W", [
    (1, 5, 0.8, 0.088819, 2.5631),
    (4, 8, 3.2, 0.060728, 1.2592),
    (10, 20, 8.0, 0.009107, 1.1451),
])
def test_mmck_blocking_probability(c, K, lam, p_block, W):
    design = station(rate=lam, workers=c, service=m.Exponential(mean=1.0), queue_capacity=K - c)
    results = [run(design, seed=s, duration=3e5 / lam, bucket=1e3).component_summary("server") for s in range(1, 5)]
    blocked = sum(r["outcomes"]["rejected"] for r in results) / sum(r["arrivals"] for r in results)
    assert abs(blocked - p_block) < max(0.05 * p_block, 0.001)
    assert rel(sum(r["latency_mean"] for r in results) / 4, W) < 0.03


@pytest.mark.parametrize("c,a", [(4, 2.0), (10, 8.0), (5, 3.0)])
def test_erlang_b_loss_system(c, a):
    # no waiting room: M/M/c/c
    design = station(rate=a, workers=c, service=m.Exponential(mean=1.0), queue_capacity=0)
    results = [run(design, seed=s, duration=3e5 / a, bucket=1e3).component_summary("server") for s in range(1, 5)]
    blocked = sum(r["outcomes"]["rejected"] for r in results) / sum(r["arrivals"] for r in results)
    assert abs(blocked - erlang_b(c, a)) < 0.003


def test_tandem_network_sums_station_sojourns():
    # Jackson tandem: the client visits s1 then s2 (sequential calls); Burke keeps s2's input Poisson.
    design = m.Design(
        name="tandem",
        components=[
            m.Client(name="users", workload=m.OpenLoop(rate=8.0)),
            m.Service(name="s1", workers=1, service_time=m.Exponential(mean=0.1)),
            m.Service(name="s2", workers=1, service_time=m.Exponential(mean=1 / 12)),
            m.Service(name="s3", workers=1, service_time=m.Exponential(mean=1 / 20)),
        ],
        links=[m.Link(source="users", target=t, latency=m.Constant(value=0.0)) for t in ("s1", "s2", "s3")],
    )
    e2e = averaged(design, "latency_mean", component="users", duration=50_000, bucket=1e3)
    assert rel(e2e, 0.5 + 0.25 + 1 / 12) < 0.03


def test_littles_law_holds_at_every_component(examples_dir):
    from engine_support import load_example

    design = load_example("three_tier")
    result = run(design, duration=600, warmup=0, bucket=10, experiment="bad day")
    for name in result.components:
        s = result.component_summary(name)
        if s["arrivals"] < 1000:
            continue
        # L = lambda W, with W over every answered request (refusals included, they take ~0 s)
        assert rel(s["mean_in_flight"], s["arrival_rate"] * s["sojourn_mean"]) < 0.03, name
