"""How many buckets a run in the window keeps, and how wide they are."""
from __future__ import annotations

import math

from engine import Design, RunOptions, buckets_within

MAX_BUCKETS = 2000
# What the window holds of each variant's series while it runs: the engine's arrays, and those the
# worker gathers them in for the dashboard, which become the results (app/run/worker.py).
SERIES_COPIES = 2


def bucket_for(duration: float, most: int = MAX_BUCKETS) -> float:
    """One-second buckets, coarser (1, 2 or 5 times a power of ten) for long runs so a run keeps
    at most ``most`` buckets."""
    if duration <= most:
        return 1.0
    raw = duration / most
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5, 10):
        if raw <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def window_buckets(design: Design, variants: int) -> int:
    """The most buckets a run in the window keeps: ``MAX_BUCKETS``, fewer for a design so wide
    that its variants' series, each held ``SERIES_COPIES`` times, would outgrow a run's memory
    budget (a thousand components compared over an hour came to 4.8 GB in 2,000 buckets)."""
    return min(MAX_BUCKETS, buckets_within(design, RunOptions().memory_budget, SERIES_COPIES * variants))


__all__ = ["MAX_BUCKETS", "SERIES_COPIES", "bucket_for", "window_buckets"]
