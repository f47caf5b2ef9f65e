"""Resilience policies attached to a component.

Parameter names and defaults follow the libraries architects already use
(Resilience4j, gRPC retry policy, Envoy) so that their defaults are
recognisable; times are in seconds.
"""
from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .catalogue import LONGEST_RUN
from .distributions import Constant, Distribution
from .outcomes import FAILURE_OUTCOMES
from .refs import Ref

FailureOutcome = Literal["error", "timeout", "rejected", "short_circuited", "unavailable"]
_ALL_FAILURES: tuple[FailureOutcome, ...] = FAILURE_OUTCOMES  # type: ignore[assignment]
_RECORDED_BY_DEFAULT: tuple[FailureOutcome, ...] = ("error", "timeout", "rejected", "unavailable")


class _Policy(BaseModel):
    """What every policy has, and the facts of its kind that every view reads.

    A kind states its facts once, here on its class: ``help`` (one sentence), ``badge`` (the
    canvas's few letters), ``label`` (a title), ``inbound`` (it guards the component itself, not its calls)
    and ``logs`` (the event-log kinds it can write).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)
    label: ClassVar[str]
    help: ClassVar[str]
    badge: ClassVar[str]
    inbound: ClassVar[bool] = False
    # The event-log kinds (engine.events) a policy of this kind can write.
    logs: ClassVar[tuple[str, ...]] = ()
    # Values a new policy starts with where a field has no default (load shedding needs one bound).
    starting_values: ClassVar[dict[str, object]] = {}

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    enabled: bool = Field(True, title="Enabled",
                          description="a disabled policy stays on the component but guards nothing")

    def log_kinds(self) -> tuple[str, ...]:
        """The event-log kinds this policy can write in a run: none while it is disabled."""
        return self.logs if self.enabled else ()

    def cautions(self) -> dict[str, str]:
        """Values the libraries accept that do what their author may not mean, by field: a word
        for the form to show beside each."""
        return {}

    @property
    def title(self) -> str:
        """The kind as prose ("circuit breaker")."""
        return self.kind.replace("_", " ")  # type: ignore[attr-defined]


class _CallerPolicy(_Policy):
    # Where the pattern sits around one call, outer (0) to inner: Resilience4j's Spring aspect
    # order (Retry, CircuitBreaker, TimeLimiter, Bulkhead), with the fallback answering last;
    # a gRPC deadline covers every attempt, and hedging takes retry's place (each copy passes
    # the breaker, timeout and bulkhead).
    nesting: ClassVar[int]

    scope: Ref | None = Field(
        None, description="the one dependency this guards, by id (or by name in a file written by hand); "
                          "empty guards every outgoing call"
    )


class CircuitBreakerPolicy(_CallerPolicy):
    """Resilience4j CircuitBreakerConfig, one breaker per guarded dependency."""

    kind: Literal["circuit_breaker"] = "circuit_breaker"
    label = "Circuit breaker"
    help = "Stop calling a failing dependency for a while (Resilience4j CircuitBreaker)."
    badge = "CB"
    logs = ("breaker_opened", "breaker_half_open", "breaker_closed")
    nesting = 4
    sliding_window_type: Literal["count_based", "time_based"] = Field(
        "count_based", title="Window",
        description="count-based: the last N calls; time-based: calls of the last N seconds",
        json_schema_extra={"choices": {"count_based": "last N calls", "time_based": "last N seconds"}})
    sliding_window_size: int = Field(100, ge=1, le=100_000, title="Window size",
                                     description="N: calls (count-based) or seconds (time-based)",
                                     json_schema_extra={"unit": "calls or s", "unit_by": {"sliding_window_type": {
                                         "count_based": "calls", "time_based": "s"}}})
    minimum_number_of_calls: int = Field(100, ge=1, le=1_000_000, title="Minimum calls",
                                         description="calls needed before the failure rate is judged",
                                         json_schema_extra={"unit": "calls"})
    failure_rate_threshold: float = Field(50.0, gt=0, le=100, title="Failure rate threshold",
                                          description="failure rate at or above which the breaker opens",
                                          json_schema_extra={"unit": "%"})
    slow_call_rate_threshold: float = Field(100.0, gt=0, le=100, title="Slow call rate threshold",
                                            description="slow-call rate at or above which the breaker opens",
                                            json_schema_extra={"unit": "%"})
    slow_call_duration_threshold: float = Field(60.0, gt=0, le=LONGEST_RUN, title="Slow call duration threshold",
                                                description="calls longer than this count as slow",
                                                json_schema_extra={"unit": "s"})
    wait_duration_in_open_state: float = Field(60.0, ge=0.001, le=LONGEST_RUN, title="Wait duration in open state",
                                               description="time the breaker stays open before trying again",
                                               json_schema_extra={"unit": "s"})
    wait_duration_multiplier: float = Field(
        1.0, ge=1, le=100, title="Wait multiplier",
        description="above 1, each consecutive opening waits this many times longer than the last, and closing "
                    "resets it: wait x multiplier^(k-1) (Resilience4j's exponential interval function)",
        json_schema_extra={"unit": "x"},
    )
    permitted_number_of_calls_in_half_open_state: int = Field(
        10, ge=1, le=100_000, title="Calls permitted in half-open state",
        description="trial calls let through in half-open state", json_schema_extra={"unit": "calls"})
    automatic_transition_from_open_to_half_open_enabled: bool = Field(
        False, title="Move to half-open automatically",
        description="half-open when the wait is over, without waiting for a call")
    max_wait_duration_in_half_open_state: float = Field(
        0.0, ge=0, le=LONGEST_RUN, title="Max wait in half-open state",
        description="half-open longer than this re-opens; 0 waits for the trial calls", json_schema_extra={"unit": "s"})
    record_outcomes: list[FailureOutcome] = Field(
        default_factory=lambda: list(_RECORDED_BY_DEFAULT), title="Record as failure",
        description="outcomes recorded as failures; the others count as successes",
    )


class GrpcRetryThrottling(BaseModel):
    """gRPC retry throttling: a token bucket shared by the caller's calls to one target."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["grpc_throttling"] = "grpc_throttling"
    max_tokens: float = Field(10.0, gt=0, le=1000, title="Max tokens", description="size of the token bucket",
                              json_schema_extra={"unit": "tokens"})
    token_ratio: float = Field(0.1, gt=0, le=1000, title="Token ratio",
                               description="tokens returned by each successful call",
                               json_schema_extra={"unit": "tokens"})


class EnvoyRetryBudget(BaseModel):
    """Envoy retry budget: concurrent retries at most a share of active requests."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["envoy_budget"] = "envoy_budget"
    budget_percent: float = Field(20.0, ge=0, le=100, title="Budget",
                                  description="concurrent retries as a share of active requests",
                                  json_schema_extra={"unit": "%"})
    min_retry_concurrency: int = Field(3, ge=0, le=1_000_000, title="Min retry concurrency",
                                       description="retries always allowed at once, whatever the budget",
                                       json_schema_extra={"unit": "retries"})


RetryBudget = Annotated[GrpcRetryThrottling | EnvoyRetryBudget, Field(discriminator="kind")]


class RetryPolicy(_CallerPolicy):
    """Retry: ``max_attempts`` counts the first call (Resilience4j, gRPC)."""

    kind: Literal["retry"] = "retry"
    label = "Retry"
    help = "Call again after a failure, with backoff and jitter (Resilience4j Retry, gRPC retry policy)."
    badge = "R"
    logs = ("retries_exhausted",)
    nesting = 2
    max_attempts: int = Field(3, ge=1, le=100, title="Max attempts",
                              description="attempts in all, the first call included (Resilience4j, gRPC)",
                              json_schema_extra={"unit": "attempts"})
    wait_duration: float = Field(0.5, ge=0, le=LONGEST_RUN, title="Wait", description="wait before the first retry",
                                 json_schema_extra={"unit": "s"})
    backoff: Literal["fixed", "exponential"] = Field(
        "fixed", title="Backoff", description="fixed: the same wait; exponential: multiplied each time")
    multiplier: float = Field(1.5, ge=1, le=100, title="Multiplier",
                              description="exponential backoff: each wait is this times the last",
                              json_schema_extra={"unit": "x", "shown_when": {"backoff": ["exponential"]}})
    max_wait_duration: float | None = Field(None, gt=0, le=LONGEST_RUN, title="Max wait",
                                            description="cap on one wait; empty means no cap",
                                            json_schema_extra={"unit": "s", "shown_in": "ms"})
    jitter: Literal["none", "full", "equal", "decorrelated", "randomized"] = Field(
        "none", title="Jitter", description="randomness in waits that keeps retrying callers from moving in lockstep")
    randomization_factor: float = Field(0.5, ge=0, le=1, title="Randomization",
                                        description="randomized jitter: wait ± this share",
                                        json_schema_extra={"unit": "ratio", "shown_when": {"jitter": ["randomized"]}})
    retry_on: list[FailureOutcome] = Field(default_factory=lambda: list(_ALL_FAILURES), title="Retry on",
                                           description="outcomes that are retried")
    budget: RetryBudget | None = Field(
        None, title="Retry budget",
        description="caps retries so that they cannot multiply load during an outage (gRPC throttling, Envoy budget)")

    def log_kinds(self) -> tuple[str, ...]:
        budget = ("retry_budget_exhausted", "retry_budget_restored") if self.budget is not None else ()
        return (*super().log_kinds(), *budget) if self.enabled else ()


class TimeoutPolicy(_CallerPolicy):
    """The caller gives up after ``timeout``; the callee keeps working unless cancelled."""

    kind: Literal["timeout"] = "timeout"
    label = "Timeout"
    help = "Give up on a call that takes too long."
    badge = "T"
    nesting = 5
    timeout: float = Field(1.0, gt=0, le=LONGEST_RUN, title="Timeout",
                           description="the caller gives up after this long",
                           json_schema_extra={"unit": "s", "shown_in": "ms"})
    cancel_on_timeout: bool = Field(
        False, title="Cancel the call on timeout",
        description="free the callee's worker too; otherwise it keeps working on an answer nobody waits for")


class BulkheadPolicy(_CallerPolicy):
    """Resilience4j SemaphoreBulkhead: permits with a fair FIFO wait."""

    kind: Literal["bulkhead"] = "bulkhead"
    label = "Bulkhead"
    help = "Cap concurrent calls so one slow dependency cannot take every worker."
    badge = "BH"
    logs = ("bulkhead_saturated", "bulkhead_recovered")
    nesting = 6
    max_concurrent_calls: int = Field(25, ge=0, le=1_000_000, title="Max concurrent calls",
                                      description="calls in flight at once through this bulkhead; 0 rejects every call",
                                      json_schema_extra={"unit": "calls"})
    max_wait_duration: float = Field(0.0, ge=0, le=LONGEST_RUN, title="Max wait",
                                     description="how long a call waits for a permit; 0 rejects at once",
                                     json_schema_extra={"unit": "s", "shown_in": "ms"})

    def cautions(self) -> dict[str, str]:
        # Resilience4j takes 0 permits (maxConcurrentCalls >= 0): a bulkhead shut to every call, which
        # a run shows as all of them rejected. Legal, so a file that says so still loads and runs.
        if self.max_concurrent_calls == 0:
            when = "at once" if self.max_wait_duration == 0 else "after waiting the max wait"
            return {"max_concurrent_calls": f"0 permits: every call through this bulkhead is rejected {when}"}
        return {}


class ThreadPoolBulkheadPolicy(_CallerPolicy):
    """Resilience4j ThreadPoolBulkhead (FixedThreadPoolBulkhead): a ThreadPoolExecutor per guarded
    dependency. A call starts a thread while fewer than the core run, else waits in the queue, else
    starts a thread up to the maximum, else is rejected (``BulkheadFullException``): threads beyond
    the core start only when the queue is full, and retire after ``keep_alive_duration`` idle."""

    kind: Literal["thread_pool_bulkhead"] = "thread_pool_bulkhead"
    label = "Thread-pool bulkhead"
    help = ("Run calls on a bounded pool of threads with a bounded queue (Resilience4j ThreadPoolBulkhead: "
            "coreThreadPoolSize, maxThreadPoolSize, queueCapacity 100, keepAliveDuration 20 ms).")
    badge = "TP"
    logs = ("thread_pool_grew", "thread_pool_shrank", "bulkhead_saturated", "bulkhead_recovered")
    nesting = 7   # innermost, beside the semaphore bulkhead; a call passes one or the other
    core_thread_pool_size: int = Field(
        1, ge=1, le=100_000, title="Core threads",
        description="threads kept even when idle (coreThreadPoolSize; Resilience4j's default is the "
                    "processors less one, 1 on two cores)",
        json_schema_extra={"unit": "threads"})
    max_thread_pool_size: int = Field(
        2, ge=1, le=100_000, title="Max threads",
        description="threads at most, the extra ones started only when the queue is full (maxThreadPoolSize; "
                    "Resilience4j's default is the processors, 2 on two cores)",
        json_schema_extra={"unit": "threads"})
    queue_capacity: int = Field(
        100, ge=0, le=1_000_000, title="Queue capacity",
        description="calls waiting for a thread at most; 0 hands a call only to an idle thread "
                    "(queueCapacity, default 100)",
        json_schema_extra={"unit": "calls"})
    keep_alive_duration: float = Field(
        0.02, ge=0, le=LONGEST_RUN, title="Keep alive",
        description="a thread beyond the core retires after being idle this long (keepAliveDuration, default 20 ms)",
        json_schema_extra={"unit": "s", "shown_in": "ms"})

    @model_validator(mode="after")
    def _max_at_least_core(self):
        if self.max_thread_pool_size < self.core_thread_pool_size:
            raise ValueError(f"max_thread_pool_size ({self.max_thread_pool_size}) must be at least "
                             f"core_thread_pool_size ({self.core_thread_pool_size})")
        return self


class FallbackPolicy(_CallerPolicy):
    """Answer with a degraded response on chosen failures."""

    kind: Literal["fallback"] = "fallback"
    label = "Fallback"
    help = "Answer with a degraded response when a call fails."
    badge = "FB"
    nesting = 0
    on: list[FailureOutcome] = Field(default_factory=lambda: list(_ALL_FAILURES), title="Fall back on",
                                     description="failures answered with a degraded response")
    latency: Distribution = Field(default_factory=lambda: Constant(value=0.001), title="Fallback latency",
                                  description="time to produce the degraded response")


class DeadlinePolicy(_CallerPolicy):
    """gRPC deadline: the call's remaining budget travels with it down the call chain."""

    kind: Literal["deadline"] = "deadline"
    label = "Deadline"
    help = ("Give a call a deadline that its callee and their callees inherit; work past it is dropped "
            "(gRPC deadline propagation).")
    badge = "DL"
    logs = ("deadline_drops",)  # by the callees, which drop the work
    nesting = 1
    deadline: float = Field(
        1.0, gt=0, le=LONGEST_RUN, title="Deadline",
        description="gRPC 'withDeadlineAfter' (no default: a gRPC call has no deadline unless one is set): "
                    "the whole call, retries included, must be answered this long after it starts; "
                    "a shorter deadline inherited from the request being served wins",
        json_schema_extra={"unit": "s", "shown_in": "ms"},
    )


class HedgingPolicy(_CallerPolicy):
    """gRPC hedging policy: copies of a call sent a delay apart; the first answer wins."""

    kind: Literal["hedging"] = "hedging"
    label = "Hedging"
    help = ("Send copies of a slow call a delay apart and take the first answer, cancelling the rest "
            "(gRPC hedging policy).")
    badge = "H"
    logs = ("hedges_sent",)
    nesting = 3
    max_attempts: int = Field(
        2, ge=2, le=5, title="Max attempts",
        description="gRPC hedgingPolicy 'maxAttempts' (no default; clients cap it at 5): copies sent in all, "
                    "the first included",
        json_schema_extra={"unit": "attempts"},
    )
    hedging_delay: float = Field(
        0.0, ge=0, le=LONGEST_RUN, title="Hedging delay",
        description="gRPC hedgingPolicy 'hedgingDelay' (default 0s: all copies at once): the next copy goes "
                    "out this long after the last while no answer has committed the call",
        json_schema_extra={"unit": "s", "shown_in": "ms"},
    )
    non_fatal_outcomes: list[FailureOutcome] = Field(
        default_factory=list, title="Non-fatal outcomes",
        description="gRPC hedgingPolicy 'nonFatalStatusCodes' (default none): failures that do not end the "
                    "call but send the next copy at once; any other answer commits the call",
    )
    throttling: GrpcRetryThrottling | None = Field(
        None, title="Throttling",
        description="gRPC 'retryThrottling': no further copy is sent while the token bucket is at or below "
                    "half; empty means no throttling",
    )

    def log_kinds(self) -> tuple[str, ...]:
        budget = ("retry_budget_exhausted", "retry_budget_restored") if self.throttling is not None else ()
        return (*super().log_kinds(), *budget) if self.enabled else ()


class OutlierDetectionPolicy(_CallerPolicy):
    """Envoy outlier detection (cluster ``outlier_detection``): the caller stops sending to an
    instance of its dependency that keeps failing, for a time that grows with each ejection.

    On a load balancer all its targets' instances form one cluster; on any other caller, the
    instances of the guarded dependency do. Names and defaults are Envoy's.
    """

    kind: Literal["outlier_detection"] = "outlier_detection"
    label = "Outlier detection"
    help = "Stop sending to an instance that keeps failing, for a while (Envoy outlier detection)."
    badge = "OD"
    logs = ("instance_ejected", "instance_returned")
    nesting = 8
    consecutive_5xx: int = Field(
        5, ge=1, le=1_000_000, title="Consecutive 5xx",
        description="failures in a row from one instance that eject it: error, timeout, unavailable or rejected "
                    "(Envoy consecutive_5xx, default 5)", json_schema_extra={"unit": "calls"})
    enforcing_consecutive_5xx: float = Field(
        100.0, ge=0, le=100, title="Enforce consecutive 5xx",
        description="chance that a consecutive-5xx outlier is really ejected (Envoy enforcing_consecutive_5xx, "
                    "default 100 %)", json_schema_extra={"unit": "%"})
    consecutive_gateway_failure: int = Field(
        5, ge=1, le=1_000_000, title="Consecutive gateway failures",
        description="gateway failures in a row (timeout, unavailable, rejected: 502-504) that eject an instance "
                    "(Envoy consecutive_gateway_failure, default 5)", json_schema_extra={"unit": "calls"})
    enforcing_consecutive_gateway_failure: float = Field(
        0.0, ge=0, le=100, title="Enforce gateway failures",
        description="chance that a gateway-failure outlier is really ejected (Envoy "
                    "enforcing_consecutive_gateway_failure, default 0 %: detected, not ejected)",
        json_schema_extra={"unit": "%"})
    interval: float = Field(
        10.0, gt=0, le=LONGEST_RUN, title="Interval",
        description="time between analysis sweeps, which return instances and judge success rates "
                    "(Envoy interval, default 10 s)", json_schema_extra={"unit": "s"})
    base_ejection_time: float = Field(
        30.0, gt=0, le=LONGEST_RUN, title="Base ejection time",
        description="an ejection lasts this times the instance's ejection count, returned at the next sweep "
                    "(Envoy base_ejection_time, default 30 s)", json_schema_extra={"unit": "s"})
    max_ejection_time: float | None = Field(
        None, gt=0, le=LONGEST_RUN, title="Max ejection time",
        description="cap on one ejection; empty means 300 s, or the base ejection time if longer "
                    "(Envoy max_ejection_time)", json_schema_extra={"unit": "s"})
    max_ejection_percent: float = Field(
        10.0, ge=0, le=100, title="Max ejection percent",
        description="share of the cluster's instances that may be out at once; with 10 % and fewer than ten "
                    "instances none is ever ejected (Envoy max_ejection_percent, default 10 %)",
        json_schema_extra={"unit": "%"})
    always_eject_one_host: bool = Field(
        False, title="Always eject one",
        description="one instance may be ejected whatever the max ejection percent "
                    "(Envoy always_eject_one_host, default off)")
    success_rate_minimum_hosts: int = Field(
        5, ge=1, le=1_000_000, title="Success rate: minimum instances",
        description="instances with enough requests needed before success rates are compared "
                    "(Envoy success_rate_minimum_hosts, default 5)", json_schema_extra={"unit": "instances"})
    success_rate_request_volume: int = Field(
        100, ge=1, le=1_000_000_000, title="Success rate: request volume",
        description="requests an instance needs in an interval to be judged (Envoy success_rate_request_volume, "
                    "default 100)", json_schema_extra={"unit": "requests"})
    success_rate_stdev_factor: int = Field(
        1900, ge=0, le=1_000_000, title="Success rate: stdev factor",
        description="thousandths of a standard deviation below the mean success rate that eject "
                    "(Envoy success_rate_stdev_factor, default 1900: 1.9 stdev)",
        json_schema_extra={"unit": "1/1000 stdev"})
    enforcing_success_rate: float = Field(
        100.0, ge=0, le=100, title="Enforce success rate",
        description="chance that a success-rate outlier is really ejected (Envoy enforcing_success_rate, "
                    "default 100 %)", json_schema_extra={"unit": "%"})
    failure_percentage_threshold: float = Field(
        85.0, ge=0, le=100, title="Failure percentage threshold",
        description="failure share of an instance in an interval at or above which it is an outlier "
                    "(Envoy failure_percentage_threshold, default 85 %)", json_schema_extra={"unit": "%"})
    failure_percentage_minimum_hosts: int = Field(
        5, ge=1, le=1_000_000, title="Failure percentage: minimum instances",
        description="instances with enough requests needed before failure percentages are judged "
                    "(Envoy failure_percentage_minimum_hosts, default 5)", json_schema_extra={"unit": "instances"})
    failure_percentage_request_volume: int = Field(
        50, ge=1, le=1_000_000_000, title="Failure percentage: request volume",
        description="requests an instance needs in an interval to be judged "
                    "(Envoy failure_percentage_request_volume, default 50)", json_schema_extra={"unit": "requests"})
    enforcing_failure_percentage: float = Field(
        0.0, ge=0, le=100, title="Enforce failure percentage",
        description="chance that a failure-percentage outlier is really ejected "
                    "(Envoy enforcing_failure_percentage, default 0 %: detected, not ejected)",
        json_schema_extra={"unit": "%"})

    @property
    def longest_ejection(self) -> float:
        """Envoy's cap on one ejection: max_ejection_time, else 300 s or the base time if longer."""
        return self.max_ejection_time if self.max_ejection_time is not None else max(300.0, self.base_ejection_time)

    @model_validator(mode="after")
    def _cap_not_below_base(self):
        if self.max_ejection_time is not None and self.max_ejection_time < self.base_ejection_time:
            raise ValueError("max_ejection_time cannot be shorter than base_ejection_time (Envoy refuses it too)")
        return self


class RateLimiterPolicy(_Policy):
    """Resilience4j AtomicRateLimiter at the callee, one per instance, or one quota that all the
    instances draw from (``global_quota``)."""

    kind: Literal["rate_limiter"] = "rate_limiter"
    label = "Rate limiter"
    help = ("Admit at most N requests per period into this component (inbound; Resilience4j RateLimiter: "
            "limitForPeriod 50, limitRefreshPeriod 500 ns, timeoutDuration 5 s).")
    badge = "RL"
    logs = ("rate_limiting_began", "rate_limiting_ended")
    inbound = True
    limit_for_period: int = Field(50, ge=1, le=1_000_000_000, title="Limit for period",
                                  description="requests admitted per refresh period, per instance or, with a "
                                              "global quota, by all instances together (limitForPeriod, default 50)",
                                  json_schema_extra={"unit": "requests"})
    limit_refresh_period: float = Field(500e-9, gt=0, le=LONGEST_RUN, title="Limit refresh period",
                                        description="permits refill after this long (Resilience4j default 500 ns)",
                                        json_schema_extra={"unit": "s"})
    timeout_duration: float = Field(5.0, ge=0, le=LONGEST_RUN, title="Wait for permit",
                                    description="how long a request waits for a permit before rejection",
                                    json_schema_extra={"unit": "s"})
    global_quota: bool = Field(
        False, title="Global quota",
        description="one limit for the whole component, shared by all its instances (a cluster-wide limiter such "
                    "as Envoy's global rate limit service); off: Resilience4j's one limiter per instance, so the "
                    "component admits instances x limit")


class LoadSheddingPolicy(_Policy):
    """Reject work that would wait too long in the queue, or beyond a queue length."""

    kind: Literal["load_shedding"] = "load_shedding"
    label = "Load shedding"
    help = "Reject work that would wait too long in this component's queue (inbound)."
    badge = "LS"
    logs = ("load_shedding_began", "load_shedding_ended")
    inbound = True
    starting_values = {"max_queue_wait": 1.0}
    max_queue_wait: float | None = Field(None, gt=0, le=LONGEST_RUN, title="Max queue wait",
                                         description="reject work that has waited longer than this; "
                                                     "empty means no limit",
                                         json_schema_extra={"unit": "s", "shown_in": "ms"})
    max_queue_length: int | None = Field(None, ge=0, le=2**31 - 1, title="Max queue length",
                                         description="reject arrivals beyond this queue length; empty means no limit",
                                         json_schema_extra={"unit": "requests"})

    @model_validator(mode="after")
    def _some_bound(self):
        if self.max_queue_wait is None and self.max_queue_length is None:
            raise ValueError("set max_queue_wait, max_queue_length or both")
        return self


# In the order menus offer them: caller-side patterns first, then inbound ones.
Policy = Annotated[
    RetryPolicy | CircuitBreakerPolicy | TimeoutPolicy | BulkheadPolicy | ThreadPoolBulkheadPolicy | FallbackPolicy
    | DeadlinePolicy | HedgingPolicy | OutlierDetectionPolicy | RateLimiterPolicy | LoadSheddingPolicy,
    Field(discriminator="kind"),
]

POLICY_CLASSES: dict[str, type[_Policy]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(get_args(Policy)[0])
}
POLICY_KINDS = tuple(POLICY_CLASSES)
# The kinds that cap a call's concurrency: at most one guards a call.
BULKHEAD_KINDS = ("bulkhead", "thread_pool_bulkhead")
CALLER_POLICY_KINDS = tuple(k for k, cls in POLICY_CLASSES.items() if not cls.inbound)
INBOUND_POLICY_KINDS = tuple(k for k, cls in POLICY_CLASSES.items() if cls.inbound)
# Caller-side kinds in the order they wrap one call, outer to inner.
CALL_NESTING = tuple(sorted(CALLER_POLICY_KINDS,
                            key=lambda k: cast(type[_CallerPolicy], POLICY_CLASSES[k]).nesting))
