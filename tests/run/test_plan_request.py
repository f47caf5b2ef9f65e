"""The window's run request is a RunPlan (engine.plan) and a pace: it defines no variants of its own."""
from __future__ import annotations

from app.run.worker import RunRequest
from engine.model import Design, RunOptions
from engine.plan import RunPlan


def test_the_windows_request_runs_the_plan_it_describes():
    request = RunRequest(Design(name="d"), RunOptions(seed=3), compare=True, replications=2)
    assert request.plan == RunPlan(options=RunOptions(seed=3), compare=True, replications=2)
    assert request.variants() == list(request.plan.variants)
    assert request.variant_options("unprotected", 4) == request.plan.options_for("unprotected", 4)
