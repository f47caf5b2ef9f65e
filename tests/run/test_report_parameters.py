"""The report lists a fault's settings that apply to it, by the same ``shown_when`` the forms obey."""
from __future__ import annotations

import pytest
from run_builders import make_three_tier

from app.document.wording import settings_words as parameters
from app.run.report import FAULT_SHOWN_ELSEWHERE, build_report
from app.run.session import RunSession
from engine import RunOptions, simulate
from engine.model import ExhaustionFault, Experiment

LEAK_ONLY = ("Leak rate", "Killed at", "Restart delay")


@pytest.mark.parametrize(("resource", "shown", "hidden"), [
    ("cpu", ("Resource CPU (slower service)", "CPU factor 2×"), ("Pool left", *LEAK_ONLY)),
    ("pool", ("Resource worker or connection pool", "Pool left 1"), ("factor", *LEAK_ONLY)),
    ("memory_leak", ("Resource memory leak", *LEAK_ONLY), ("Pool left", "factor")),
])
def test_an_exhaustion_lists_only_the_settings_of_its_resource(resource, shown, hidden):
    text = parameters(ExhaustionFault(target="api", resource=resource), FAULT_SHOWN_ELSEWHERE)
    assert all(s in text for s in shown), text
    assert not any(h in text for h in hidden), text


def test_the_exported_report_of_a_cpu_exhaustion_names_no_pool_or_leak():
    design = make_three_tier()
    design.experiments.append(Experiment(name="cpu", faults=[ExhaustionFault(target="api", start=1, duration=2)]))
    design = design.check()
    session = RunSession.from_results({"protected": simulate(design, RunOptions(duration=5, seed=1), "cpu")})
    html = build_report(session, design)
    assert "Resource CPU (slower service) · CPU factor 2×" in html
    assert "Pool left" not in html and "Leak rate" not in html and "Killed at" not in html


def test_a_retry_lists_its_multiplier_and_randomization_only_where_they_act():
    """A fixed backoff multiplies nothing and only randomized jitter reads its factor; the form and
    the report showed both for every retry."""
    from app.panes.forms import model_field
    from engine.model import RetryPolicy

    plain = parameters(RetryPolicy(backoff="fixed", jitter="full"), ("id", "kind", "enabled", "scope"))
    assert "Multiplier" not in plain and "Randomization" not in plain
    tuned = parameters(RetryPolicy(backoff="exponential", jitter="randomized"), ("id", "kind", "enabled", "scope"))
    assert "Multiplier 1.5×" in tuned and "Randomization 50 %" in tuned
    multiplier = model_field(RetryPolicy, "multiplier")
    assert multiplier.visible({"backoff": "exponential"}) and not multiplier.visible({"backoff": "fixed"})
