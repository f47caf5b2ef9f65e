"""Sizes beyond which a file is refused rather than read.

A hostile or damaged file can claim anything; these bounds keep opening it
from exhausting memory. They sit well above what a real project reaches
(the model's own limits, a run of an hour in one-second buckets over 500
components) so that no honest file ever meets them.

The decoded budget bounds the whole file, not each part of it: a small file
of many saved runs, each within the limits of one run, could otherwise
decompress to many gigabytes. Opening a file therefore never builds more
than ``MAX_DECODED_BYTES`` of saved-run data, of which at most
``MAX_DECODED_JSON_BYTES`` is JSON text (event logs, summaries, metadata;
the Python objects parsed from it take a few times its size). Declared
array shapes are checked against the budget before anything is
decompressed, and every decompression stops at what is left of it.
"""
from __future__ import annotations

from .errors import ContentError

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

# Decompressed run data: one array and one event log.
MAX_ARRAY_BYTES = 1024**3
MAX_EVENTS_BYTES = 256 * 1024**2
# Everything a file's saved runs decode to, and the part of it that is JSON text.
MAX_DECODED_BYTES = 1024**3
MAX_DECODED_JSON_BYTES = 128 * 1024**2


def describe_size(n: float) -> str:
    """A byte count as a person reads it: 812 bytes, 3.4 MB, 2.1 GB."""
    if n >= 1024**3:
        return f"{n / 1024**3:,.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{int(n):,} bytes"


class DecodeBudget:
    """What is left of one file's decoded budget while its saved runs are read."""

    def __init__(self) -> None:
        self.total = MAX_DECODED_BYTES
        self.json = MAX_DECODED_JSON_BYTES

    def take(self, n: int, json: bool = False) -> None:
        """Count ``n`` decoded bytes (``json`` for JSON text); ContentError once the budget is spent."""
        self.total -= n
        if json:
            self.json -= n
        if self.json < 0:
            raise ContentError(f"its saved runs decode to more than {describe_size(MAX_DECODED_JSON_BYTES)} of "
                               "event logs and other text, the most a project may hold")
        if self.total < 0:
            raise ContentError(f"its saved runs decode to more than {describe_size(MAX_DECODED_BYTES)}, "
                               "the most a project may hold")
