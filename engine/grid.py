"""The bucket grid: how a run's time is cut into the buckets its series hold.

One definition for the engine, the results, the CLI, the plots and the objectives:

- A run of ``duration`` seconds asks for buckets of ``requested`` seconds. When that would make
  more than ``max_buckets`` buckets, the width doubles until it does not (as if neighbouring
  buckets were merged in pairs), so what a run keeps is bounded whatever its length. The
  width the series have is ``width``; ``merged`` requested buckets make one.
- There are ``count`` buckets; bucket ``b`` covers ``[b * width, (b + 1) * width)``, the last
  one ends at ``duration`` and may be shorter.
- A time belongs to the bucket whose interval holds it (``index``); the run's end belongs to
  the last bucket.
- The results' ``bucket_times`` are bucket *starts*; plots draw a bucket's value at its
  *middle* (``middles``), where a time average over the bucket belongs.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

# Rounding slack when a duration is a whole number of buckets (3.0 / 0.1 is 30.000000000000004).
_EPS = 1e-9


def bucket_count(duration: float, width: float) -> int:
    """Buckets of ``width`` seconds that cover ``duration`` (the last one may be partial)."""
    return max(1, int(math.ceil(duration / width - _EPS)))


@dataclass(frozen=True)
class BucketGrid:
    duration: float
    width: float
    requested: float

    @classmethod
    def for_run(cls, duration: float, requested: float, max_buckets: int | None = None) -> BucketGrid:
        """The grid of a run: ``requested`` wide buckets, doubled until at most ``max_buckets``
        remain (no limit when ``max_buckets`` is None)."""
        if not (duration > 0 and requested > 0):
            raise ValueError(f"a bucket grid needs a positive duration and bucket (got {duration}, {requested})")
        width = float(requested)
        if max_buckets is not None:
            if max_buckets < 1:
                raise ValueError(f"max_buckets must be at least 1 (got {max_buckets})")
            while bucket_count(duration, width) > max_buckets:
                width *= 2.0  # exact in binary: the requested grid stays a refinement of this one
        return cls(float(duration), width, float(requested))

    @classmethod
    def of_options(cls, options: Any) -> BucketGrid:
        """The grid of run options (``RunOptions`` or its JSON dict). Options saved before runs
        had a bucket limit have no ``max_buckets``: their runs were never coarsened."""
        get = options.get if isinstance(options, Mapping) else lambda k, d=None: getattr(options, k, d)
        return cls.for_run(float(get("duration", 60.0)), float(get("bucket", 1.0)), get("max_buckets"))

    @classmethod
    def of_meta(cls, meta: Mapping[str, Any]) -> BucketGrid:
        """The grid a run's results were measured on."""
        saved = meta.get("bucket_grid")
        options = meta.get("options") or {}
        if saved:
            return cls(float(options.get("duration", saved["width"] * saved["count"])),
                       float(saved["width"]), float(saved.get("requested", saved["width"])))
        return cls.of_options(options)

    # -- arithmetic -------------------------------------------------------------
    @property
    def count(self) -> int:
        return bucket_count(self.duration, self.width)

    @property
    def merged(self) -> int:
        """Requested buckets per bucket: 1 when the run was not coarsened."""
        return int(round(self.width / self.requested))

    @property
    def coarsened(self) -> bool:
        return self.width != self.requested

    def index(self, t: float) -> int:
        """The bucket holding time ``t`` (clamped to the grid)."""
        return int(min(max(0, math.floor(t / self.width)), self.count - 1))

    def start(self, b: int) -> float:
        return b * self.width

    def end(self, b: int) -> float:
        return min((b + 1) * self.width, self.duration)

    def starts(self, n: int | None = None, first: int = 0) -> np.ndarray:
        """Start times of buckets ``first`` .. ``n - 1`` (all by default)."""
        return np.arange(first, self.count if n is None else n, dtype=np.float64) * self.width

    def middles(self, n: int | None = None, first: int = 0) -> np.ndarray:
        """Where plots draw buckets ``first`` .. ``n - 1``: each bucket's middle."""
        return self.starts(n, first) + self.width / 2

    def widths(self, n: int | None = None, first: int = 0) -> np.ndarray:
        """Seconds each bucket covers: ``width``, the last one only up to the run's end."""
        starts = self.starts(n, first)
        return np.minimum(self.width, self.duration - starts)

    def to_json(self) -> dict[str, Any]:
        """What the results JSON says of the grid (``meta.bucket_grid``)."""
        return {"width": self.width, "requested": self.requested, "count": self.count,
                "merged": self.merged, "x": "start"}

    def describe(self) -> str:
        """``1 s buckets``, or ``4 s buckets (36,000 of 1 s asked, merged 4 to 1)``."""
        from .model import format_seconds

        text = f"{format_seconds(self.width)} buckets"
        if self.coarsened:
            asked = bucket_count(self.duration, self.requested)
            text += f" ({asked:,} of {format_seconds(self.requested)} asked, merged {self.merged} to 1)"
        return text


__all__ = ["BucketGrid", "bucket_count"]
