"""Sizes beyond which a file is refused rather than read.

A hostile or damaged file can claim anything; these bounds keep opening it
from exhausting memory. They sit well above what a real project reaches
(the model's own limits, a run of a million buckets) so that no honest file
ever meets them.
"""
from __future__ import annotations

MAX_FILE_BYTES = 2 * 1024**3
# SQLite's own cap on one string or BLOB while reading (SQLITE_LIMIT_LENGTH).
MAX_VALUE_BYTES = 256 * 1024**2
# A kind's parameters: an empirical distribution of 100,000 points is ~2.5 MB.
MAX_PARAMS_BYTES = 16 * 1024**2
MAX_JSON_FILE_BYTES = 200 * 1024**2

MAX_DESIGNS = 1_000
MAX_COMPONENTS_PER_DESIGN = 10_000
MAX_LINKS_PER_DESIGN = 100_000
MAX_EXPERIMENTS_PER_DESIGN = 1_000
MAX_FAULTS_PER_EXPERIMENT = 10_000
MAX_POLICIES_PER_COMPONENT = 1_000
MAX_RUNS = 10_000
MAX_ARRAYS_PER_RUN = 10_000

# Decompressed run data: one array, one event log, and all arrays together.
MAX_ARRAY_BYTES = 1024**3
MAX_EVENTS_BYTES = 256 * 1024**2
MAX_TOTAL_ARRAY_BYTES = 4 * 1024**3


def describe_size(n: float) -> str:
    """A byte count as a person reads it: 812 bytes, 3.4 MB, 2.1 GB."""
    if n >= 1024**3:
        return f"{n / 1024**3:,.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{int(n):,} bytes"
