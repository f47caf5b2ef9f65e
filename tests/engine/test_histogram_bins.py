"""The latency histogram's bin lookup (engine/_metrics.pxd) against the formula that defines it.

The engine finds a latency's bin from its double's top bits and a table of the bins' least
values; the bin must be the one floor(log(v / HISTOGRAM_MIN) / log(HISTOGRAM_GAMMA)) gives,
for every double, so that results are the same as when the formula itself was evaluated.
"""
from __future__ import annotations

import numpy as np

from engine._core import HISTOGRAM_BINS, HISTOGRAM_MIN, histogram_bins


def _as_doubles(bits: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(bits, dtype=np.int64).view(np.float64)


def _edges() -> np.ndarray:
    """The bits of each bin's least value (bins 1 .. NB-1), by bisection against the formula."""
    k = np.arange(1, HISTOGRAM_BINS, dtype=np.int64)
    lo = np.full(k.shape, np.float64(HISTOGRAM_MIN).view(np.int64), dtype=np.int64)
    hi = np.full(k.shape, np.float64(1e6).view(np.int64), dtype=np.int64)
    assert (histogram_bins(_as_doubles(lo), formula=True) < k).all()
    assert (histogram_bins(_as_doubles(hi), formula=True) >= k).all()
    while (hi - lo > 1).any():
        mid = lo + (hi - lo) // 2
        above = histogram_bins(_as_doubles(mid), formula=True) >= k
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return hi


def _check(values: np.ndarray) -> None:
    fast = histogram_bins(values)
    exact = histogram_bins(values, formula=True)
    wrong = np.flatnonzero(fast != exact)
    assert wrong.size == 0, [(float(values[i]), int(fast[i]), int(exact[i])) for i in wrong[:5]]


def test_every_bin_edge_and_its_neighbours():
    edges = _edges()
    # every double within 64 ulps either side of every edge (nextafter both ways, repeatedly)
    offsets = np.arange(-64, 65, dtype=np.int64)
    values = _as_doubles((edges[:, None] + offsets[None, :]).ravel())
    _check(values)
    bins = histogram_bins(_as_doubles(edges))
    assert (bins == np.arange(1, HISTOGRAM_BINS)).all()
    assert (histogram_bins(_as_doubles(edges - 1)) == np.arange(0, HISTOGRAM_BINS - 1)).all()


def test_millions_of_random_values():
    rng = np.random.default_rng(18)
    _check(np.exp(rng.uniform(np.log(1e-8), np.log(1e6), 3_000_000)))
    _check(rng.exponential(0.05, 1_000_000))
    # arbitrary positive doubles, bit pattern by bit pattern, from the tiny to the huge
    _check(_as_doubles(rng.integers(1, 0x7FF0000000000000, 1_000_000, dtype=np.int64)))


def test_ends_and_odd_values():
    h_min = np.float64(HISTOGRAM_MIN)
    values = np.array([0.0, -1.0, -0.0, h_min, np.nextafter(h_min, 0), np.nextafter(h_min, 1),
                       1e-6 * 1.005, 1.0, 2.0, 3600.0, 24_000.0, 25_000.0, 1e9, 1e300,
                       np.finfo(np.float64).max, 5e-324])
    _check(values)
    assert histogram_bins(values[:5]).tolist() == [0, 0, 0, 0, 0]
    assert histogram_bins(np.array([1e9, 1e300])).tolist() == [HISTOGRAM_BINS - 1] * 2
