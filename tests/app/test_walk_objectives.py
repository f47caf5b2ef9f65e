"""Walking a journey's objectives in the Properties pane as an architect would."""
from __future__ import annotations

from editor_helpers import build_three_tier, type_text


def _client(window):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["users"]])
    return doc, ids["users"], window.properties.objectives


def _label_tip(form, path):
    return form.layout_.labelForField(form.errors[path].parentWidget()).toolTip()


def test_a_ratios_help_gives_its_example_as_it_is_typed(window, qtbot):
    """The target's help said "e.g. 0.999 for 99.9 %" beside a field in %: 0.999 typed there is 0.999 %.
    A ratio's help gives its examples as a percentage, as the window and a sweep take it."""
    doc, users, pane = _client(window)
    oid = pane.add("availability")
    form = pane.cards[oid].form
    target = form.editors["target"]
    assert target.toolTip() == "Share of requests that must be good, e.g. 99.9 %"
    assert _label_tip(form, "target") == target.toolTip()
    type_text(qtbot, target, "99.9")   # as the help says
    assert doc.component(users).objectives[0].target == 0.999
    tolerance = pane.recovery.editors["recovery.tolerance"]
    assert tolerance.toolTip().endswith("(1 % = one percentage point)")
    type_text(qtbot, tolerance, "1")
    assert doc.component(users).recovery.tolerance == 0.01
    # a field that is no ratio keeps its help as the model gives it
    lid = pane.add("latency")
    assert pane.cards[lid].form.editors["percentile"].toolTip() == \
        "Which percentile of the end-to-end latency, e.g. 99 for p99"
