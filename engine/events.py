"""The kinds of entry in a run's event log: each one's words, what it means, and how it reads.

One definition, read by the event log pane (label, colour by tone, tooltip), the report and
the command line. The core writes entries by code (``LogKind`` in ``engine/_codes.pxd``) and
names them with ``engine._core.LOG_KIND_NAMES``; ``tests/engine/test_event_kinds.py`` fails when
a kind the core logs has no entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What an entry means for the system: "worse" (something broke), "better" (it recovered), a
# breaker's new state, or "" (a protection doing its work, shown without colour).
Tone = Literal["worse", "better", "breaker.open", "breaker.half_open", "breaker.closed", ""]


@dataclass(frozen=True)
class EventKind:
    label: str  # the words in the log's Kind column and its filter, lower case
    help: str  # one sentence: what happened
    tone: Tone = ""


EVENT_KINDS: dict[str, EventKind] = {
    "fault_started": EventKind("fault started", "A fault of the experiment began.", "worse"),
    "fault_ended": EventKind("fault ended", "A fault of the experiment ended.", "better"),
    "instance_crashed": EventKind("instance crashed", "An instance stopped serving.", "worse"),
    "instance_restarted": EventKind("instance restarted", "A crashed instance serves again.", "better"),
    "oom_killed": EventKind("OOM killed", "An instance ran out of memory and was killed.", "worse"),
    "breaker_opened": EventKind("breaker opened", "A circuit breaker opened: calls are short-circuited.",
                                "breaker.open"),
    "breaker_half_open": EventKind("breaker half-open", "A circuit breaker lets trial calls through.",
                                   "breaker.half_open"),
    "breaker_closed": EventKind("breaker closed", "A circuit breaker closed: calls flow again.", "breaker.closed"),
    "bulkhead_saturated": EventKind("bulkhead saturated", "A bulkhead is full: further calls wait or are rejected."),
    "bulkhead_recovered": EventKind("bulkhead recovered", "A full bulkhead has room again."),
    "retries_exhausted": EventKind("retries exhausted", "Calls failed after their last retry attempt.", "worse"),
    "retry_budget_exhausted": EventKind("retry budget exhausted",
                                        "The retry budget is spent: failed calls are no longer retried."),
    "retry_budget_restored": EventKind("retry budget restored", "The retry budget allows retries again."),
    "rate_limiting_began": EventKind("rate limiting began", "A rate limiter began refusing calls."),
    "rate_limiting_ended": EventKind("rate limiting ended", "A rate limiter lets every call through again."),
    "load_shedding_began": EventKind("load shedding began", "A component began shedding requests."),
    "load_shedding_ended": EventKind("load shedding ended", "A component stopped shedding requests."),
    "codel_dropping_began": EventKind("CoDel dropping began",
                                      "CoDel began dropping requests that waited past its target."),
    "codel_dropping_ended": EventKind("CoDel dropping ended", "CoDel's queue wait is back under its target."),
    "adaptive_lifo_began": EventKind("adaptive LIFO began", "A standing queue switched to newest first."),
    "adaptive_lifo_ended": EventKind("adaptive LIFO ended", "The queue emptied: oldest first again."),
    "outstanding_limit_reached": EventKind("outstanding limit reached",
                                           "A non-blocking instance has its most calls out: new requests keep "
                                           "their worker while they wait.", "worse"),
    "outstanding_limit_ended": EventKind("outstanding limit ended",
                                         "A non-blocking instance frees its workers while calls are out again.",
                                         "better"),
    "deadline_drops": EventKind("deadline drops", "Work whose deadline had passed was dropped unstarted."),
    "hedges_sent": EventKind("hedges sent", "Hedged copies of slow or failed calls were sent."),
    "thread_pool_grew": EventKind("thread pool grew",
                                  "A thread-pool bulkhead's queue was full: a thread beyond the core started.",
                                  "worse"),
    "thread_pool_shrank": EventKind("thread pool shrank",
                                    "A thread-pool bulkhead is back at its core threads.", "better"),
    "instance_ejected": EventKind("instance ejected",
                                  "Outlier detection stopped sending to an instance that kept failing.", "worse"),
    "instance_returned": EventKind("instance returned",
                                   "An ejected instance takes requests again after its ejection time.", "better"),
    "scaled": EventKind("scaled", "The autoscaler changed the number of replicas.", "better"),
}


def event_kind(kind: str) -> EventKind:
    """The facts of an event kind; a kind without an entry reads as its name in prose, uncoloured."""
    return EVENT_KINDS.get(kind) or EventKind(kind.replace("_", " "), "")
