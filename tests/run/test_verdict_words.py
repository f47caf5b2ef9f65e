"""How the window words verdicts: percentages, recovery marks per fault, undecided runs (no Qt needed)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.run.verdicts import (
    MET,
    MISSED,
    PENDING,
    objective_figure,
    percent,
    recovery_marks,
    recovery_state,
    recovery_text,
    recovery_word,
)
from engine.objectives import NOT_RECOVERED, ObjectiveVerdict, RecoveryVerdict, RunVerdicts


def recovery(index=0, fault="f1", start=60.0, end=75.0, recovered=True, ttr=2.0, breached=True) -> RecoveryVerdict:
    return RecoveryVerdict(
        client="users", index=index, label="p99 <= 1 s", fault_id=fault, fault_title="crash on db",
        fault_start=start, fault_end=end, pre_fault_attainment=1.0, breached=breached,
        time_to_impact=1.0 if breached else None, recovered=recovered if end is not None else None,
        time_to_recover=ttr if recovered and end is not None else None, worst_attainment=0.2,
        peak_burn_rate=80.0, requests_lost=10.0, verdict="",
    )


@pytest.mark.parametrize("share, text", [
    (0.999, "99.90 %"), (0.9995, "99.95 %"), (0.99996, "99.996 %"), (0.5, "50.0 %"), (1.0, "100 %"),
    (math.nan, "–"),
])
def test_percentages_never_round_a_miss_up_to_100(share, text):
    assert percent(share) == text


def test_a_fault_is_marked_at_its_slowest_objectives_recovery():
    verdicts = RunVerdicts([], [recovery(0, ttr=2.0), recovery(1, ttr=7.0),
                                recovery(0, fault="f2", start=100.0, end=110.0, breached=False, ttr=0.0)])
    first, second = recovery_marks(verdicts, running=False)
    assert (first.fault_id, first.time, first.state, first.short) == ("f1", 82.0, MET, "recovered +7.0 s")
    assert first.text == "recovered in 7.0 s"
    assert (second.fault_id, second.breached, second.text) == ("f2", False, "not impacted")


def test_a_journey_back_as_its_fault_ended_is_marked_in_the_banners_words():
    [mark] = recovery_marks(RunVerdicts([], [recovery(0, ttr=0.0)]), running=False)
    assert (mark.short, mark.text) == ("recovered as it ended", "recovered as the fault ended")


def test_one_objective_not_recovered_marks_the_fault_as_not_recovered_once_the_run_is_over():
    verdicts = RunVerdicts([], [recovery(0, ttr=2.0), recovery(1, recovered=False)])
    [mark] = recovery_marks(verdicts, running=False)
    assert (mark.time, mark.state, mark.text) == (75.0, MISSED, NOT_RECOVERED)
    # While the run goes the journey may still recover: nothing is marked yet.
    assert recovery_marks(verdicts, running=True) == []
    assert recovery_state(recovery(recovered=False), running=True) == PENDING
    assert recovery_text(recovery(recovered=False), running=True) == "not recovered yet"


def test_a_fault_held_to_the_end_has_no_recovery_to_mark():
    held = recovery(end=None)
    assert recovery_marks(RunVerdicts([], [held]), running=False) == []
    assert recovery_state(held, running=False) == MISSED
    assert recovery_text(held, running=False) == "breached while the fault lasted (it lasts until the end of the run)"
    assert recovery_text(held, running=True) == "fault active"


@pytest.mark.parametrize("verdict, running, word", [
    (recovery(recovered=True, ttr=2.0), False, "recovered in 2.0 s"),
    (recovery(recovered=True, breached=False), False, "not impacted"),
    (recovery(recovered=False), False, "not recovered"),
    (recovery(recovered=False), True, "not recovered yet"),
    (recovery(end=None), False, "breached"),
    (recovery(end=None, breached=False), False, "held"),
    (recovery(end=None), True, "fault active"),
])
def test_a_recovery_in_a_few_words_keeps_the_sentences_meaning(verdict, running, word):
    assert recovery_word(verdict, running) == word


@pytest.mark.parametrize("measured, text", [(0.088, "p99 88.0 ms"), (0.0919, "p99 91.9 ms"), (1.2, "p99 1.20 s"),
                                            (0.0004, "p99 0.400 ms")])
def test_a_latency_objectives_figure_has_three_significant_figures_as_the_table_beside_it(measured, text):
    verdict = ObjectiveVerdict(
        client="users", index=0, objective_id="o", kind="latency", label="p99 <= 250 ms", target=0.99, good=99.0,
        judged=100.0, attainment=0.99, met=True, budget_consumed=1.0, measured=measured,
        attainment_series=np.zeros(0), burn_rate=np.zeros(0))
    assert objective_figure(verdict) == text


def test_a_recovery_of_an_objective_missed_before_the_fault_says_so():
    """"✔ recovered in 0.0 s" stood beside an objective that had missed before the fault as well."""
    r = RecoveryVerdict(**{**recovery(breached=False, ttr=0.0).__dict__, "pre_fault_attainment": 0.931,
                           "missed_before": True})
    assert recovery_text(r, running=False) == "not impacted; missed before the fault too (93.1 %)"
    # the narrow cell keeps its few words; its tooltip has the sentence
    assert recovery_word(r, running=False) == "not impacted"
    # verdicts kept before this was noted read back as they were
    assert not recovery().missed_before


def test_a_recovery_as_the_fault_ended_is_not_said_in_zero_seconds():
    """"✔ recovered in 0.0 s" read as if the fault had done nothing, beside an objective it breached."""
    r = recovery(breached=True, ttr=0.0)
    assert recovery_text(r, running=False) == "recovered as the fault ended"
    assert recovery_word(r, running=False) == "back as it ended"  # a narrow cell's few words
    assert recovery_text(recovery(breached=True, ttr=5.0), running=False) == "recovered in 5.0 s"
