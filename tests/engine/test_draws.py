"""The distributions' draws against their definitions.

The exponential, a queueing model's most drawn distribution, comes from a ziggurat
(engine/_random.pxd): a table of 256 layers, a wedge test at each layer's edge and a tail
beyond the widest. A wrong layer, wedge or tail shows as a wrong share of draws below some
point: here the share below points that fall in the narrow top layers, the middle, the last
layers and the tail is held to its exact value, 1 - exp(-x), within five standard errors
of a binomial count. The latencies are the service times themselves: a station that never
queues, over a link without latency, counted exactly by latency objectives at those points.
"""
from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from engine_support import run, station

import engine.model as m
from engine.model.objectives import LatencyObjective

ZIGGURAT_TAIL = 7.69711747013104972
POINTS = [0.01, math.log(2), 2.0, 5.0, ZIGGURAT_TAIL, 9.2]


@pytest.mark.parametrize("seed", [1, 2])
def test_exponential_draws_have_the_exponential_distribution(seed):
    design = station(rate=50.0, workers=1000, service=m.Exponential(mean=1.0))
    users = design.components[0].model_copy(update={
        "objectives": [LatencyObjective(percentile=50, threshold=x) for x in POINTS]})
    design = design.model_copy(update={"components": [users, design.components[1]]})
    result = run(design, duration=40_000.0, warmup=100.0, bucket=1000.0, seed=seed)
    answered = result.component_summary("users")["outcomes"]["ok"]
    assert answered > 1_900_000
    for x, counted in zip(POINTS, result.summary["objectives"]):
        p = 1.0 - math.exp(-x)
        error = math.sqrt(answered * p * (1 - p))
        assert abs(counted["served_within"] - answered * p) < 5 * error, x


def test_exponential_draws_keep_their_mean_and_spread():
    design = station(rate=50.0, workers=1000, service=m.Exponential(mean=0.25))
    summary = run(design, duration=40_000.0, warmup=100.0, bucket=1000.0).component_summary("server")
    assert summary["latency_mean"] == pytest.approx(0.25, rel=0.004)   # five standard errors


# The normal's ziggurat ends at 3.654 standard deviations; 3.8 is in its tail, on each side.
NORMAL_POINTS = [-3.8, -1.0, 0.0, 0.5, 2.0, 3.8]


@pytest.mark.parametrize("seed", [1, 2])
def test_lognormal_draws_have_a_normal_logarithm(seed):
    # median 1 s and p99 e ** 2.326 s: the logarithm is a standard normal
    z99 = NormalDist().inv_cdf(0.99)
    work = m.LogNormal(p50=1.0, p99=math.exp(z99))
    design = station(rate=50.0, workers=1000, service=work)
    users = design.components[0].model_copy(update={
        "objectives": [LatencyObjective(percentile=50, threshold=math.exp(z)) for z in NORMAL_POINTS]})
    design = design.model_copy(update={"components": [users, design.components[1]]})
    result = run(design, duration=40_000.0, warmup=100.0, bucket=1000.0, seed=seed)
    answered = result.component_summary("users")["outcomes"]["ok"]
    assert answered > 1_900_000
    for z, counted in zip(NORMAL_POINTS, result.summary["objectives"]):
        p = NormalDist().cdf(z)
        error = math.sqrt(answered * p * (1 - p))
        assert abs(counted["served_within"] - answered * p) < 5 * error, z


def test_normal_draws_keep_their_mean_and_spread():
    # far from 0, so that the redraws of negative times change nothing measurable
    design = station(rate=50.0, workers=1000, service=m.Normal(mean=1.0, std=0.1))
    summary = run(design, duration=40_000.0, warmup=100.0, bucket=1000.0).component_summary("server")
    assert summary["latency_mean"] == pytest.approx(1.0, abs=5 * 0.1 / math.sqrt(1.9e6))
