"""Run verdicts built by hand, for the tests of how the CLI and the run window word them (no Qt needed)."""
from __future__ import annotations

from engine.objectives import RecoveryVerdict, RunVerdicts


def recovered_in(took: float) -> RunVerdicts:
    """One run whose only objective, hit by "crash on db" (10 s to 20 s), recovered ``took`` seconds after it."""
    return RunVerdicts([], [RecoveryVerdict(
        client="users", index=0, label="availability 99 %", fault_id="f", fault_title="crash on db",
        fault_start=10.0, fault_end=20.0, pre_fault_attainment=1.0, breached=True, time_to_impact=1.0,
        recovered=True, time_to_recover=took, worst_attainment=0.5, peak_burn_rate=5.0, requests_lost=3.0,
        verdict="")])
