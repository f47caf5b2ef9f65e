"""Confidence intervals shared by comparisons, objectives and replications."""
from __future__ import annotations

import math
from statistics import NormalDist

# Two-sided 95 % Student t quantiles for 1..30 degrees of freedom.
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042)
_Z95 = NormalDist().inv_cdf(0.975)


def t95(df: int) -> float:
    """Two-sided 95 % Student t quantile for ``df`` degrees of freedom (nan below 1)."""
    if df < 1:
        return math.nan
    if df <= len(_T95):
        return _T95[df - 1]
    return _Z95


def mean_ci(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95 % confidence interval (nan with one value)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    m = sum(values) / n
    if n == 1:
        return m, math.nan
    var = sum((v - m) ** 2 for v in values) / (n - 1)
    return m, t95(n - 1) * math.sqrt(var / n)


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """Wilson score 95 % interval of a share: honest at 0 of n and n of n, unlike mean ± t."""
    if trials <= 0:
        return math.nan, math.nan
    p = successes / trials
    z2 = _Z95 * _Z95
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = _Z95 * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)
