"""A run's variants and replications, defined once (engine.plan) for the window and the command line."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.model import RunOptions
from engine.plan import VARIANTS, RunPlan


def test_alone_a_run_is_protected_or_unprotected_as_its_options_say():
    assert RunPlan().variants == ("protected",)
    assert RunPlan(options=RunOptions(resilience=False)).variants == ("unprotected",)
    alone = RunPlan(options=RunOptions(resilience=False, seed=4))
    assert alone.options_for("unprotected", 4).resilience is False


def test_a_comparison_runs_protected_first_then_unprotected_then_the_baseline():
    assert RunPlan(compare=True).variants == ("protected", "unprotected")
    assert RunPlan(compare=True, baseline=True).variants == VARIANTS
    assert RunPlan(baseline=True).variants == ("protected", "baseline")


def test_each_variant_switches_only_what_it_is_about():
    plan = RunPlan(options=RunOptions(seed=7, duration=30, resilience=False), compare=True, baseline=True)
    protected, unprotected, baseline = (plan.options_for(v, 9) for v in VARIANTS)
    assert (protected.resilience, protected.faults, protected.seed) == (True, True, 9)
    assert (unprotected.resilience, unprotected.faults) == (False, True)
    assert (baseline.resilience, baseline.faults) == (True, False)
    assert {o.duration for o in (protected, unprotected, baseline)} == {30}
    # faults switched off by the run stay off in every variant
    quiet = RunPlan(options=RunOptions(faults=False), compare=True)
    assert not any(quiet.options_for(v, 1).faults for v in quiet.variants)


def test_replications_run_every_variant_on_consecutive_seeds():
    plan = RunPlan(options=RunOptions(seed=5), compare=True, replications=3)
    assert list(plan.seeds) == [5, 6, 7]
    assert plan.jobs() == [("protected", 5), ("unprotected", 5), ("protected", 6), ("unprotected", 6),
                           ("protected", 7), ("unprotected", 7)]


def test_a_plan_refuses_what_it_cannot_run():
    with pytest.raises(ValidationError, match="replications"):
        RunPlan(replications=0)
    with pytest.raises(ValueError, match="unknown variant"):
        RunPlan().options_for("hardened", 1)

