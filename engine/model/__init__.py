"""The design contract shared by the engine, the store and the application."""
from .components import (
    COMPONENT_CLASSES,
    COMPONENT_KINDS,
    Autoscaler,
    Cache,
    Client,
    ClosedLoop,
    Component,
    Database,
    External,
    LoadBalancer,
    OpenLoop,
    Position,
    Queue,
    RateRamp,
    RateSpike,
    RateStep,
    Service,
)
from .design import (
    FORMAT_VERSION,
    Design,
    DesignError,
    Link,
    NumberTooLong,
    Problem,
    RunOptions,
    describe,
    field_problems,
    link_name,
    load_json,
    parse_design,
    parse_options,
)
from .distributions import (
    DISTRIBUTION_KINDS,
    Constant,
    Distribution,
    Empirical,
    Exponential,
    LogNormal,
    Normal,
    Uniform,
    format_seconds,
)
from .faults import (
    COMPONENT_FAULT_KINDS,
    FAULT_CLASSES,
    FAULT_KINDS,
    LINK_FAULT_KINDS,
    CrashFault,
    ErrorFault,
    ExhaustionFault,
    Experiment,
    Fault,
    InstanceSelector,
    LatencyFault,
    PartitionFault,
    RandomFailuresFault,
    ZoneOutageFault,
)
from .objectives import (
    OBJECTIVE_CLASSES,
    OBJECTIVE_KINDS,
    AvailabilityObjective,
    LatencyObjective,
    Objective,
    RecoverySettings,
)
from .outcomes import FAILURE_OUTCOMES, OUTCOME_NAMES, REFUSAL_OUTCOMES, Outcome
from .project import Project
from .resilience import (
    CALLER_POLICY_KINDS,
    INBOUND_POLICY_KINDS,
    POLICY_CLASSES,
    POLICY_KINDS,
    BulkheadPolicy,
    CircuitBreakerPolicy,
    EnvoyRetryBudget,
    FallbackPolicy,
    GrpcRetryThrottling,
    LoadSheddingPolicy,
    OutlierDetectionPolicy,
    Policy,
    RateLimiterPolicy,
    RetryPolicy,
    TimeoutPolicy,
)
from .validation import design_problems, experiment_problems

__all__ = [name for name in dir() if not name.startswith("_")]
