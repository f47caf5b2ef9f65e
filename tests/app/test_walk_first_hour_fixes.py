"""A new architect's first hour, at Suggest Fixes: the fix ranked first is weighed against the design
as it is before it is applied, objective by objective."""
from __future__ import annotations

from app.resources import EXAMPLES
from app.run.sweep_suggest import SuggestDialog
from engine.explore.suggest import Baseline, Candidate, Change, Suggestions
from engine.model import RunOptions, parse_design

OBJECTIVES = ["clients.objectives.1", "clients.objectives.2"]


def _runs(availability: float, latency: float, latency_met: bool) -> list[dict]:
    return [{"clients.objectives.1.met": 0.0, "clients.objectives.1.attainment": availability,
             "clients.objectives.2.met": float(latency_met), "clients.objectives.2.attainment": latency}]


def _dialog(qtbot):
    design = parse_design((EXAMPLES / "retry_storm.json").read_text())
    dialog = SuggestDialog(design, apply=lambda new, text: None)
    qtbot.addWidget(dialog)
    fix = Candidate("timeout and circuit breaker on every call", [Change("add a timeout", (("api.timeout", 0.1),))],
                    design, cost=44, runs=_runs(0.874, 0.999, True), objectives=OBJECTIVES)
    as_it_is = Candidate("as it is", [], design, cost=44, runs=_runs(0.911, 0.136, False), objectives=OBJECTIVES)
    # Ranked by objectives met first: the fix meets the latency objective by failing fast, and
    # succeeds less often than the design did.
    dialog.show_outcome(Suggestions(design, "brief slowdown", RunOptions(duration=135), 1,
                                    Baseline({}, {}, {}, {}), [fix, as_it_is]))
    return dialog


def test_the_fix_ranked_first_says_which_objective_it_makes_worse(qtbot):
    dialog = _dialog(qtbot)
    said = dialog.against.text()
    availability, latency = said.split("<br>")
    assert "87.4 % with this fix, 91.1 % as it is (worse)" in availability and availability.startswith("✘")
    assert "13.6 % as it is (better)" in latency and latency.startswith("✔")
    assert dialog.changes.toPlainText() == "add a timeout (api.timeout=0.1)"


def test_the_design_as_it_is_says_where_it_ranks(qtbot):
    dialog = _dialog(qtbot)
    dialog.table.selectRow(1)
    assert dialog.against.text() == "The design as it is: it ranks 2 of 2."
    assert not dialog.apply_button.isEnabled()


def test_when_no_fix_meets_an_objective_the_dialog_says_the_best_reached_and_the_faults_share(qtbot):
    """Every candidate short of its availability objective, and nothing said why."""
    dialog = _dialog(qtbot)
    why = dialog.out_of_reach.text().splitlines()
    assert not dialog.out_of_reach.isHidden()
    assert why == ["No candidate met clients: availability 90 % (ok): the best, as it is, attained 91.10 % of "
                   "requests, where it needs 90 %.",
                   'The faults of "brief slowdown" last 15 s of the 135 s measured (11 %).']
