"""Docked panes: component properties, resilience policies, fault injection."""
from .faults import FaultInjectionPanel, FaultTimeline
from .forms import (
    BulkheadForm,
    CircuitBreakerForm,
    ComponentCrashForm,
    ErrorInjectionForm,
    FallbackForm,
    LoadSheddingForm,
    NetworkLatencyForm,
    PartitionForm,
    RandomFailuresForm,
    RateLimiterForm,
    ResourceExhaustionForm,
    RetryForm,
    TimeoutForm,
)
from .properties import PropertiesPane
from .resilience import ResiliencePanel

__all__ = [
    "BulkheadForm", "CircuitBreakerForm", "ComponentCrashForm", "ErrorInjectionForm", "FallbackForm",
    "FaultInjectionPanel", "FaultTimeline", "LoadSheddingForm", "NetworkLatencyForm", "PartitionForm",
    "PropertiesPane", "RandomFailuresForm", "RateLimiterForm", "ResiliencePanel", "ResourceExhaustionForm",
    "RetryForm", "TimeoutForm",
]
