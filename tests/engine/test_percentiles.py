"""Percentiles read from the streaming histogram: interpolated inside the bin, within 0.5 %
of the exact sample percentile, different from seed to seed, and right on M/M/1 and M/M/c."""
from __future__ import annotations

import math

import numpy as np
import pytest
from engine_support import run, station

import engine.model as m
from engine import _core
from engine.stats import mean_ci

BOUND = _core.HISTOGRAM_GAMMA - 1     # 0.5 %: the estimate stays in the exact percentile's bin


def _histogram(values: np.ndarray) -> np.ndarray:
    bins = np.floor(np.log(values / _core.HISTOGRAM_MIN) / math.log(_core.HISTOGRAM_GAMMA)).astype(np.int64)
    return np.bincount(np.clip(bins, 0, _core.HISTOGRAM_BINS - 1), minlength=_core.HISTOGRAM_BINS)


SAMPLES = {
    "exponential": lambda rng, n: rng.exponential(0.1, n),
    "lognormal": lambda rng, n: rng.lognormal(-3.0, 1.5, n),
    "bimodal": lambda rng, n: np.where(rng.random(n) < 0.9, rng.uniform(0.001, 0.002, n), rng.uniform(1, 3, n)),
    "constant": lambda rng, n: np.full(n, 0.0123),
    "pareto": lambda rng, n: 0.01 * (1 + rng.pareto(1.5, n)),
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("n", [1, 7, 100, 10_000, 300_000])
def test_the_relative_error_is_below_half_a_percent_for_any_sample(kind, n):
    rng = np.random.default_rng(n)
    values = SAMPLES[kind](rng, n)
    hist = _histogram(values)
    for q in (0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999):
        exact = float(np.quantile(values, q, method="inverted_cdf"))   # the ceil(q n)-th smallest value
        estimate = _core.histogram_quantile(hist, q, float(values.max()))
        assert abs(estimate / exact - 1) < BOUND + 1e-12, (kind, n, q, estimate, exact)


def test_interpolation_moves_with_the_rank_inside_one_bin():
    hist = np.zeros(_core.HISTOGRAM_BINS, dtype=np.int64)
    hist[2000] = 4
    low, high = _core.HISTOGRAM_MIN * _core.HISTOGRAM_GAMMA ** 2000, _core.HISTOGRAM_MIN * _core.HISTOGRAM_GAMMA ** 2001
    values = [_core.histogram_quantile(hist, q, 1.0) for q in (0.25, 0.5, 0.75, 1.0)]
    assert values == sorted(values) and len(set(values)) == 4
    assert values[1] == pytest.approx(math.sqrt(low * high))     # half-way on a log scale
    assert values[3] == pytest.approx(high)
    assert _core.histogram_quantile(hist, 0.5, low * 1.001) == low * 1.001   # never above the largest value
    assert _core.histogram_quantile(np.zeros(_core.HISTOGRAM_BINS, dtype=np.int64), 0.5, 1.0) == 0.0


def test_a_histogram_of_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="4800 bins"):
        _core.histogram_quantile(np.zeros(10, dtype=np.int64), 0.5, 1.0)


def test_two_seeds_give_two_different_medians():
    design = station(rate=8.0, workers=1, service=m.Exponential(mean=0.1))
    p50s = {run(design, seed=s, duration=2000, warmup=100).component_summary("users")["latency_p50"]
            for s in (1, 2, 3)}
    assert len(p50s) == 3


def _quantile(survival, p: float) -> float:
    """Solve survival(t) = 1 - p by bisection (survival decreasing from 1 at t = 0)."""
    lo, hi = 0.0, 1.0
    while survival(hi) > 1 - p:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if survival(mid) > 1 - p else (lo, mid)
    return (lo + hi) / 2


def _intervals(design, seeds=6, **kw) -> dict[str, tuple[float, float]]:
    runs = [run(design, seed=s, **kw).component_summary("users") for s in range(1, seeds + 1)]
    return {k: mean_ci([r[k] for r in runs]) for k in ("latency_p50", "latency_p90", "latency_p99")}


def test_mm1_percentile_intervals_are_not_zero_and_hold_the_theory():
    # rho 0.8, mu 1000/s: FCFS response time ~ Exp(mu - lambda), p-quantile -ln(1 - p) / 200
    design = station(rate=800.0, workers=1, service=m.Exponential(mean=0.001))
    intervals = _intervals(design, duration=300, warmup=10, bucket=10)
    for key, p in (("latency_p50", 0.5), ("latency_p90", 0.9), ("latency_p99", 0.99)):
        mean, half = intervals[key]
        theory = -math.log(1 - p) / 200.0
        assert half > 0, key
        assert abs(mean - theory) <= half, (key, mean, half, theory)


def test_mmc_percentile_intervals_are_not_zero_and_hold_the_theory():
    # M/M/4 at rho 0.8 (SEMANTICS §5.2: C = 0.5964), mu 100/s per worker, lambda 320/s.
    # FCFS: P(T > t) = e^(-mu t) + C mu / (c mu - lambda - mu) (e^(-mu t) - e^(-(c mu - lambda) t))
    c, mu, lam = 4, 100.0, 320.0
    a = lam / mu
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    rho = a / c
    C = b / (1 - rho + rho * b)
    assert C == pytest.approx(0.5964, abs=1e-4)
    k = c * mu - lam - mu

    def survival(t):
        return math.exp(-mu * t) + C * mu / k * (math.exp(-mu * t) - math.exp(-(c * mu - lam) * t))

    design = station(rate=lam, workers=c, service=m.Exponential(mean=1 / mu))
    intervals = _intervals(design, duration=300, warmup=10, bucket=10)
    for key, p in (("latency_p50", 0.5), ("latency_p90", 0.9), ("latency_p99", 0.99)):
        mean, half = intervals[key]
        assert half > 0, key
        assert abs(mean - _quantile(survival, p)) <= half, (key, mean, half, _quantile(survival, p))


def test_each_bucket_reads_only_its_own_latencies():
    # 100 ms answers, 1.1 s while a 1 s delay is injected from 10 s to 20 s, then 100 ms again:
    # a bucket's histogram must be emptied completely before the next one fills
    design = m.Design(name="slow spell", components=[
        m.Client(name="users", workload=m.OpenLoop(rate=10.0, arrivals="constant")),
        m.External(name="api", latency=m.Constant(value=0.1)),
    ], links=[m.Link(source="users", target="api", latency=m.Constant(value=0.0))],
        experiments=[m.Experiment(name="slow", faults=[
            m.LatencyFault(target="users -> api", start=10, duration=10, delay=m.Constant(value=1.0))])])
    r = run(design, duration=40, warmup=0, bucket=1, experiment="slow")
    for metric in ("latency_p50", "latency_p99"):
        series = r.column(metric, "users")
        assert series[:10] == pytest.approx(0.1, rel=BOUND)
        assert series[12:20] == pytest.approx(1.1, rel=BOUND)
        assert series[22:] == pytest.approx(0.1, rel=BOUND)
