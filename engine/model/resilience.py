"""Resilience policies attached to a component.

Parameter names and defaults follow the libraries architects already use
(Resilience4j, gRPC retry policy, Envoy) so that their defaults are
recognisable; times are in seconds.
"""
from __future__ import annotations

import uuid
from typing import Annotated, ClassVar, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .distributions import Constant, Distribution
from .outcomes import FAILURE_OUTCOMES

FailureOutcome = Literal["error", "timeout", "rejected", "short_circuited", "unavailable"]
_ALL_FAILURES: tuple[FailureOutcome, ...] = FAILURE_OUTCOMES  # type: ignore[assignment]


class _Policy(BaseModel):
    """What every policy has, and the facts of its kind that every view reads.

    A kind states its facts once, here on its class: ``help`` (one sentence), ``badge`` (the
    canvas's few letters), ``label`` (a title) and ``inbound`` (it guards the component itself, not its calls).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)
    label: ClassVar[str]
    help: ClassVar[str]
    badge: ClassVar[str]
    inbound: ClassVar[bool] = False
    # Values a new policy starts with where a field has no default (load shedding needs one bound).
    starting_values: ClassVar[dict[str, object]] = {}

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    enabled: bool = True

    @property
    def title(self) -> str:
        """The kind as prose ("circuit breaker")."""
        return self.kind.replace("_", " ")  # type: ignore[attr-defined]


class _CallerPolicy(_Policy):
    scope: str | None = Field(
        None, description="name of the one dependency this guards; empty guards every outgoing call"
    )


class CircuitBreakerPolicy(_CallerPolicy):
    """Resilience4j CircuitBreakerConfig, one breaker per guarded dependency."""

    kind: Literal["circuit_breaker"] = "circuit_breaker"
    label = "Circuit breaker"
    help = "Stop calling a failing dependency for a while (Resilience4j CircuitBreaker)."
    badge = "CB"
    sliding_window_type: Literal["count_based", "time_based"] = "count_based"
    sliding_window_size: int = Field(100, ge=1, le=100_000)
    minimum_number_of_calls: int = Field(100, ge=1, le=1_000_000)
    failure_rate_threshold: float = Field(50.0, gt=0, le=100)
    slow_call_rate_threshold: float = Field(100.0, gt=0, le=100)
    slow_call_duration_threshold: float = Field(60.0, gt=0)
    wait_duration_in_open_state: float = Field(60.0, ge=0.001)
    wait_duration_multiplier: float = Field(
        1.0, ge=1, le=100,
        description="above 1, consecutive openings wait longer: wait x multiplier^(k-1) "
                    "(waitIntervalFunctionInOpenState = IntervalFunction.ofExponentialBackoff)",
    )
    permitted_number_of_calls_in_half_open_state: int = Field(10, ge=1, le=100_000)
    automatic_transition_from_open_to_half_open_enabled: bool = False
    max_wait_duration_in_half_open_state: float = Field(0.0, ge=0)
    record_outcomes: list[FailureOutcome] = Field(
        default_factory=lambda: ["error", "timeout", "rejected", "unavailable"],
        description="outcomes recorded as failures; others count as successes",
    )


class GrpcRetryThrottling(BaseModel):
    """gRPC retry throttling: a token bucket shared by the caller's calls to one target."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["grpc_throttling"] = "grpc_throttling"
    max_tokens: float = Field(10.0, gt=0, le=1000)
    token_ratio: float = Field(0.1, gt=0)


class EnvoyRetryBudget(BaseModel):
    """Envoy retry budget: concurrent retries at most a share of active requests."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["envoy_budget"] = "envoy_budget"
    budget_percent: float = Field(20.0, ge=0, le=100)
    min_retry_concurrency: int = Field(3, ge=0, le=1_000_000)


RetryBudget = Annotated[Union[GrpcRetryThrottling, EnvoyRetryBudget], Field(discriminator="kind")]


class RetryPolicy(_CallerPolicy):
    """Retry: ``max_attempts`` counts the first call (Resilience4j, gRPC)."""

    kind: Literal["retry"] = "retry"
    label = "Retry"
    help = "Call again after a failure, with backoff and jitter (Resilience4j Retry, gRPC retry policy)."
    badge = "R"
    max_attempts: int = Field(3, ge=1, le=100)
    wait_duration: float = Field(0.5, ge=0, description="first wait, seconds")
    backoff: Literal["fixed", "exponential"] = "fixed"
    multiplier: float = Field(1.5, ge=1)
    max_wait_duration: float | None = Field(None, gt=0)
    jitter: Literal["none", "full", "equal", "decorrelated", "randomized"] = "none"
    randomization_factor: float = Field(0.5, ge=0, le=1)
    retry_on: list[FailureOutcome] = Field(default_factory=lambda: list(_ALL_FAILURES))
    budget: RetryBudget | None = None


class TimeoutPolicy(_CallerPolicy):
    """The caller gives up after ``timeout``; the callee keeps working unless cancelled."""

    kind: Literal["timeout"] = "timeout"
    label = "Timeout"
    help = "Give up on a call that takes too long."
    badge = "T"
    timeout: float = Field(1.0, gt=0)
    cancel_on_timeout: bool = False


class BulkheadPolicy(_CallerPolicy):
    """Resilience4j SemaphoreBulkhead: permits with a fair FIFO wait."""

    kind: Literal["bulkhead"] = "bulkhead"
    label = "Bulkhead"
    help = "Cap concurrent calls so one slow dependency cannot take every worker."
    badge = "BH"
    max_concurrent_calls: int = Field(25, ge=0, le=1_000_000)
    max_wait_duration: float = Field(0.0, ge=0)


class FallbackPolicy(_CallerPolicy):
    """Answer with a degraded response on chosen failures."""

    kind: Literal["fallback"] = "fallback"
    label = "Fallback"
    help = "Answer with a degraded response when a call fails."
    badge = "FB"
    on: list[FailureOutcome] = Field(default_factory=lambda: list(_ALL_FAILURES))
    latency: Distribution = Field(default_factory=lambda: Constant(value=0.001))


class RateLimiterPolicy(_Policy):
    """Resilience4j AtomicRateLimiter at the callee, one per instance."""

    kind: Literal["rate_limiter"] = "rate_limiter"
    label = "Rate limiter"
    help = "Admit at most N requests per period into this component (inbound)."
    badge = "RL"
    inbound = True
    limit_for_period: int = Field(50, ge=1, le=1_000_000_000)
    limit_refresh_period: float = Field(500e-9, gt=0)
    timeout_duration: float = Field(5.0, ge=0)


class LoadSheddingPolicy(_Policy):
    """Reject work that would wait too long in the queue, or beyond a queue length."""

    kind: Literal["load_shedding"] = "load_shedding"
    label = "Load shedding"
    help = "Reject work that would wait too long in this component's queue (inbound)."
    badge = "LS"
    inbound = True
    starting_values = {"max_queue_wait": 1.0}
    max_queue_wait: float | None = Field(None, gt=0)
    max_queue_length: int | None = Field(None, ge=0, le=2**31 - 1)

    @model_validator(mode="after")
    def _some_bound(self):
        if self.max_queue_wait is None and self.max_queue_length is None:
            raise ValueError("set max_queue_wait, max_queue_length or both")
        return self


# In the order menus offer them: caller-side patterns first, then inbound ones.
Policy = Annotated[
    Union[
        RetryPolicy,
        CircuitBreakerPolicy,
        TimeoutPolicy,
        BulkheadPolicy,
        FallbackPolicy,
        RateLimiterPolicy,
        LoadSheddingPolicy,
    ],
    Field(discriminator="kind"),
]

POLICY_CLASSES: dict[str, type[_Policy]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(get_args(Policy)[0])
}
POLICY_KINDS = tuple(POLICY_CLASSES)
CALLER_POLICY_KINDS = tuple(k for k, cls in POLICY_CLASSES.items() if not cls.inbound)
INBOUND_POLICY_KINDS = tuple(k for k, cls in POLICY_CLASSES.items() if cls.inbound)
