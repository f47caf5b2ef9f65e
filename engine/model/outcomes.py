"""The outcomes of a call, kept distinct everywhere (metrics, logs, plots)."""
from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """Numeric values are the engine's array indices; never renumber them."""

    OK = 0
    ERROR = 1
    TIMEOUT = 2
    REJECTED = 3
    SHORT_CIRCUITED = 4
    UNAVAILABLE = 5
    FALLBACK = 6

    @property
    def label(self) -> str:
        return self.name.lower()


OUTCOME_NAMES = tuple(o.label for o in Outcome)
FAILURE_OUTCOMES = ("error", "timeout", "rejected", "short_circuited", "unavailable")
# Outcomes that are answered without doing the work: kept out of latency percentiles,
# which would otherwise look better the more a component refuses.
REFUSAL_OUTCOMES = ("rejected", "short_circuited", "unavailable")
# Outcomes whose latency counts: everything answered after doing the work.
ANSWERED_OUTCOMES = tuple(o for o in OUTCOME_NAMES if o not in REFUSAL_OUTCOMES)
