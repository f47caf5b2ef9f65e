"""The Design menu opens the sweep window on the current design."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt

from app.run.sweep_dialog import SweepDialog

THREE_TIER = Path(__file__).resolve().parents[2] / "resources" / "examples" / "three_tier.json"


def test_the_design_menu_sweeps_the_current_design(window, qtbot):
    assert window.open_path(THREE_TIER)
    design_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Design")
    assert window.sweep_action in design_menu.actions()
    window.sweep_action.trigger()
    dialog = window.findChild(SweepDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.design.name == "Three-tier web shop"
    paths = [dialog.params.cellWidget(0, 0).itemText(i) for i in range(dialog.params.cellWidget(0, 0).count())]
    assert "api.workers" in paths and "api->db.circuit_breaker.failure_rate_threshold" in paths
    assert [dialog.experiments.item(i).text() for i in range(dialog.experiments.count())][:2] == \
        ["(no faults)", "database outage"]
    dialog.close()


def test_the_design_menu_suggests_fixes_and_a_fix_is_one_undo_step(window, qtbot):
    from app.run.sweep_suggest import SuggestDialog

    retry_storm = THREE_TIER.with_name("retry_storm.json")
    assert window.open_path(retry_storm)
    design_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Design")
    assert window.suggest_action in design_menu.actions()
    window.suggest_action.trigger()
    dialog = window.findChild(SuggestDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.replications.setValue(2)
    with qtbot.waitSignal(dialog.ended, timeout=120_000):
        dialog.start()
    best = dialog.found.ranked[0]
    assert best.meets_all
    depth = window._doc.undo_stack.count()
    dialog.apply_selected()
    assert window._doc.undo_stack.count() == depth + 1
    assert window._doc.design == best.design
    window._doc.undo_stack.undo()
    assert window._doc.design == dialog.design
    dialog.close()


def test_a_point_of_the_sweep_window_applies_to_the_open_design(window, qtbot):
    assert window.open_path(THREE_TIER)
    window.open_sweep("api.workers")
    dialog = window.findChild(SweepDialog)
    dialog.params.cellWidget(0, 1).setText("8,16")
    dialog.duration.setValue(20)
    dialog.replications.setValue(1)
    dialog.workers.setValue(1)
    for i in range(dialog.experiments.count()):
        dialog.experiments.item(i).setCheckState(Qt.CheckState.Checked if i == 0 else Qt.CheckState.Unchecked)
    with qtbot.waitSignal(dialog.ended, timeout=60_000):
        dialog.start()
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    dialog.results.selectionModel().select(dialog.results.model().index(0, 0), flags)
    depth = window._doc.undo_stack.count()
    dialog.apply_selected()
    assert window._doc.undo_stack.count() == depth + 1
    assert window._doc.component_named("api").workers == 8
    window._doc.undo_stack.undo()
    assert window._doc.component_named("api").workers == 16
    dialog.close()


def _sweep_from_menu(window, form, field):
    menu = form.field_menu(form.editors[field], field)
    action = next(a for a in menu.actions() if a.text() == "Sweep This Parameter…")
    action.trigger()
    dialogs = window.findChildren(SweepDialog)
    assert dialogs, window.statusBar().currentMessage()
    dialog = dialogs[-1]
    path = dialog.params.cellWidget(0, 0).currentText()
    dialog.close()
    dialog.deleteLater()
    return path


def test_right_click_on_a_field_sweeps_that_parameter(window, qtbot):
    assert window.open_path(THREE_TIER)
    doc = window._doc
    api = doc.component_named("api")
    doc.set_selection([api.id])
    assert _sweep_from_menu(window, window.properties.form, "workers") == "api.workers"
    assert _sweep_from_menu(window, window.properties.form, "service_time") == "api.service_time.p50"
    browsers = doc.component_named("browsers")
    doc.set_selection([browsers.id])
    assert _sweep_from_menu(window, window.properties.form, "workload.rate") == "browsers.rate"
    link = doc.design.link_between("api", "db")
    doc.set_selection([link.id])
    assert _sweep_from_menu(window, window.properties.form, "probability") == "api->db.probability"
    # a policy of the resilience pane, and a fault of the faults pane
    doc.set_selection([api.id])
    window.resilience.show_component(api.id)
    breaker = next(p for p in api.policies if p.kind == "circuit_breaker")
    window.resilience._show_policy(breaker.id)
    assert _sweep_from_menu(window, window.resilience.form, "failure_rate_threshold") == \
        "api->db.circuit_breaker.failure_rate_threshold"
    outage = doc.design.experiment("database outage")
    window.faults.select_fault(outage.faults[0].id)
    assert _sweep_from_menu(window, window.faults.form, "duration") == "database outage.duration"


def test_an_objectives_fields_sweep_too(window, qtbot):
    """An objective's fields and the journey's recovery settings offered no sweep."""
    assert window.open_path(THREE_TIER)
    doc = window._doc
    browsers = doc.component_named("browsers")
    doc.set_selection([browsers.id])
    pane = window.properties.objectives
    assert browsers.objectives, "the example's client has objectives"
    card = pane.cards[browsers.objectives[0].id]
    field = "target" if "target" in card.form.editors else "threshold"
    assert _sweep_from_menu(window, card.form, field) == f"browsers.objectives.1.{field}"
    assert _sweep_from_menu(window, pane.recovery, "recovery.tolerance") == "browsers.recovery.tolerance"


def test_a_text_field_cannot_be_swept_and_says_so(window):
    assert window.open_path(THREE_TIER)
    api = window._doc.component_named("api")
    window._doc.set_selection([api.id])
    form = window.properties.form
    form.field_menu(form.editors["name"], "name").actions()[-1].trigger()
    assert not window.findChildren(SweepDialog)
    assert window.statusBar().currentMessage() == (
        'Cannot sweep this field: "name" is not a number or a choice a sweep can vary')


def test_the_context_menu_event_of_a_field_offers_the_sweep(window, monkeypatch):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    from app.panes.forms import ModelForm

    assert window.open_path(THREE_TIER)
    window._doc.set_selection([window._doc.component_named("api").id])
    shown = []

    def show(form, widget, path, where):
        # the menu as it would pop up, without a modal loop
        menu = form.field_menu(widget, path)
        shown.append([a.text() for a in menu.actions()])
        next(a for a in menu.actions() if a.text() == "Sweep This Parameter…").trigger()

    monkeypatch.setattr(ModelForm, "show_field_menu", show)
    editor = window.properties.form.editors["instances"]
    menu_event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(2, 2), editor.mapToGlobal(QPoint(2, 2)))
    QApplication.sendEvent(editor, menu_event)
    assert shown and shown[0][-1] == "Sweep This Parameter…"
    assert len(shown[0]) > 2  # the field's own copy and paste stay
    dialog = window.findChild(SweepDialog)
    assert dialog.params.cellWidget(0, 0).currentText() == "api.instances"
    dialog.close()


def test_suggest_fixes_starts_on_the_experiment_the_toolbar_runs(window, qtbot):
    from app.run.sweep_suggest import SuggestDialog

    assert window.open_path(THREE_TIER)
    doc = window._doc
    second = doc.design.experiments[1]
    doc.set_current_experiment(second.id)
    window.suggest_action.trigger()
    dialog = window.findChild(SuggestDialog)
    assert dialog.experiment.currentText() == second.name != doc.design.experiments[0].name
    dialog.close()
