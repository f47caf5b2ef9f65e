"""Docked panes: component properties, resilience policies, fault injection."""
from .faults import FaultInjectionPanel, FaultTimeline
from .forms import FAULT_FORMS, POLICY_FORMS, FaultForm, PolicyForm
from .properties import PropertiesPane
from .resilience import ResiliencePanel

__all__ = [
    "FAULT_FORMS", "POLICY_FORMS", "FaultForm", "FaultInjectionPanel", "FaultTimeline", "PolicyForm",
    "PropertiesPane", "ResiliencePanel",
]
