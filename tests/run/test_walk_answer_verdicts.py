"""An architect reading whether the journey met its objective through a database outage: the
figures beside ✔ and ✘ must never say the opposite of the mark (no Qt needed)."""
from __future__ import annotations

import numpy as np
import pytest
from test_verdict_words import recovery

from app.run.verdicts import budget_text, objective_figure, objective_text, percent, recovery_text
from engine.objectives import ObjectiveVerdict, RecoveryVerdict


def availability(attainment: float, target: float = 0.95) -> ObjectiveVerdict:
    return ObjectiveVerdict(
        client="browsers", index=0, objective_id="o", kind="availability", label="availability 95 % (ok)",
        target=target, good=attainment * 1e5, judged=1e5, attainment=attainment, met=attainment >= target,
        budget_consumed=(1 - attainment) / (1 - target), measured=None,
        attainment_series=np.zeros(0), burn_rate=np.zeros(0))


def test_a_miss_a_hair_below_the_target_is_not_shown_at_the_target():
    """94.996 % of a 95 % objective read "✘ 95.0 %": missed at the very figure asked for."""
    missed = availability(0.94996)
    assert not missed.met
    assert objective_figure(missed) == "94.996 %"
    assert objective_text(missed).startswith("94.996 %, ")
    # a met one keeps its one decimal, as before
    assert objective_figure(availability(0.95043)) == "95.0 %"
    assert objective_figure(availability(0.9)) == "90.0 %"
    # and the shortest figure that stays on its side
    assert percent(0.9499, 0.95) == "94.99 %"
    assert percent(0.9499) == "95.0 %"  # no target: as it always read


@pytest.mark.parametrize("budget, text", [(0.9914, "99 % of budget"), (1.0, "100 % of budget"),
                                          (1.0004, "100.04 % of budget"), (0.9996, "100 % of budget"),
                                          (1.2, "120 % of budget"), (1.996, "200 % of budget"),
                                          (2.0, "2× budget"), (8.86, "8.9× budget"), (11.8, "12× budget")])
def test_an_overspent_budget_never_reads_as_exactly_spent(budget, text):
    """A missed objective read "100 % of budget" (1.0004 of it): spent exactly is still a pass."""
    assert budget_text(budget) == text


def test_missed_before_the_fault_names_a_share_below_the_target():
    r = RecoveryVerdict(**{**recovery(breached=False, ttr=0.0).__dict__, "pre_fault_attainment": 0.94997,
                           "missed_before": True})
    assert recovery_text(r, running=False, target=0.95) == "not impacted; missed before the fault too (94.997 %)"
