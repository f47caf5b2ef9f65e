"""A client's objectives in the Properties pane: added, edited, removed, undone and redone."""
from __future__ import annotations

import pytest
from editor_helpers import build_three_tier, type_text
from PySide6.QtCore import Qt

from app.document import EditRejected
from app.panes.fields import BoolEditor, DurationEditor, NumberEditor
from engine.model import AvailabilityObjective, LatencyObjective, RecoverySettings
from engine.model.catalogue import field_help


def _client(window):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["users"]])
    return doc, ids["users"], window.properties.objectives


def test_objectives_show_for_a_client_only(window, qtbot):
    doc, users, pane = _client(window)
    assert pane.isVisibleTo(window.properties)
    assert pane.hint.isVisibleTo(pane) and not pane.recovery.isVisibleTo(pane)
    doc.set_selection([doc.component_named("web").id])
    assert not pane.isVisibleTo(window.properties)
    doc.set_selection([users, doc.component_named("web").id])
    assert not pane.isVisibleTo(window.properties)


def test_rows_read_label_help_and_unit_from_the_model(window, qtbot):
    _doc, _users, pane = _client(window)
    pane.add("availability")
    card = next(iter(pane.cards.values()))
    form = card.form
    target = AvailabilityObjective.model_fields["target"]
    assert form.layout_.labelForField(form.layout_.itemAt(form._rows["target"], form.layout_.ItemRole.FieldRole)
                                      .widget()).text() == target.title
    assert form.editors["target"].toolTip() == field_help(target)
    assert isinstance(form.editors["target"], NumberEditor) and form.editors["target"].text() == "99.9"  # ratio as %
    assert isinstance(form.editors["count_fallback"], BoolEditor)
    threshold = form.editors["latency_threshold"]
    assert isinstance(threshold, DurationEditor) and threshold.unit == "ms" and threshold.text() == ""
    assert threshold.placeholderText() == "any latency"
    hold = pane.recovery.editors["recovery.hold"]
    assert isinstance(hold, DurationEditor) and hold.unit == "s" and hold.text() == "10 s"
    assert hold.toolTip() == field_help(RecoverySettings.model_fields["hold"])
    assert "<b>Availability</b> · 99.9 %" in card.title.text()  # titled as a latency objective is


def test_add_edit_remove_each_one_undo_step(window, qtbot):
    doc, users, pane = _client(window)
    stack = doc.undo_stack
    start = stack.index()
    oid = pane.add("latency")
    assert [o.kind for o in doc.component(users).objectives] == ["latency"]
    assert stack.index() == start + 1 and stack.undoText() == 'Add latency objective to "users"'

    form = pane.cards[oid].form
    type_text(qtbot, form.editors["threshold"], "250 ms")
    assert doc.component(users).objectives[0].threshold == 0.25
    type_text(qtbot, pane.cards[oid].form.editors["percentile"], "95")
    objective = doc.component(users).objectives[0]
    assert (objective.percentile, objective.threshold) == (95.0, 0.25)
    assert "p95 ≤ 250 ms" in pane.cards[oid].title.text()
    assert stack.index() == start + 3

    pane.cards[oid].remove.click()
    assert doc.component(users).objectives == []
    assert pane.hint.isVisibleTo(pane) and not pane.cards

    stack.undo()  # the removal
    assert doc.component(users).objectives == [objective] and oid in pane.cards
    stack.undo()  # the percentile
    assert doc.component(users).objectives[0].percentile == 99.0
    assert pane.cards[oid].form.editors["percentile"].text() == "99"
    stack.undo()  # the threshold
    stack.undo()  # the addition
    assert doc.component(users).objectives == []
    for _ in range(4):
        stack.redo()
    assert doc.component(users).objectives == []
    stack.undo()
    assert doc.component(users).objectives == [objective]


def test_invalid_values_are_explained_and_leave_the_document_alone(window, qtbot):
    doc, users, pane = _client(window)
    oid = pane.add("availability")
    before = doc.component(users)
    form = pane.cards[oid].form
    type_text(qtbot, form.editors["target"], "100")
    assert form.error_text("target") == "must be less than 100 % (got 100 %)"  # in the unit typed
    type_text(qtbot, form.editors["latency_threshold"], "soon")
    assert "is not a duration" in form.error_text("latency_threshold")
    type_text(qtbot, pane.recovery.editors["recovery.tolerance"], "-5")
    assert pane.recovery.error_text("recovery.tolerance") == "must be at least 0 % (got -5 %)"
    assert doc.component(users) == before


def test_a_percentiles_bounds_are_said_in_percent_as_it_is_typed(window, qtbot):
    doc, users, pane = _client(window)
    oid = pane.add("latency")
    latency = pane.cards[oid].form
    before = doc.component(users)
    type_text(qtbot, latency.editors["percentile"], "100")
    assert latency.error_text("percentile") == "must be less than 100 % (got 100 %)"
    assert doc.component(users) == before


def test_recovery_and_optional_threshold_edit_and_undo(window, qtbot):
    doc, users, pane = _client(window)
    oid = pane.add("availability")
    type_text(qtbot, pane.cards[oid].form.editors["latency_threshold"], "0.3 s")
    assert doc.component(users).objectives[0].latency_threshold == 0.3
    pane.cards[oid].form.editors["count_fallback"].click()
    assert doc.component(users).objectives[0].count_fallback is True
    threshold = pane.cards[oid].form.editors["latency_threshold"]
    threshold.setFocus()
    threshold.selectAll()
    qtbot.keyClick(threshold, Qt.Key.Key_Delete)
    qtbot.keyClick(threshold, Qt.Key.Key_Return)
    assert doc.component(users).objectives[0].latency_threshold is None
    type_text(qtbot, pane.recovery.editors["recovery.hold"], "30")
    type_text(qtbot, pane.recovery.editors["recovery.tolerance"], "2")
    recovery = doc.component(users).recovery
    assert (recovery.hold, recovery.tolerance) == (30.0, 0.02)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.component(users).recovery == RecoverySettings()
    assert pane.recovery.editors["recovery.hold"].text() == "10 s"


def test_objectives_are_refused_on_other_kinds(doc, qapp):
    ids = build_three_tier(doc)
    with pytest.raises(EditRejected, match="objectives belong to clients"):
        doc.edit.add_objective(ids["web"], "latency")
    assert LatencyObjective().kind == "latency"


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
