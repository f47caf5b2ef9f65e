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
    with qtbot.waitSignal(dialog.finished_search, timeout=120_000):
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
    with qtbot.waitSignal(dialog.sweep_finished, timeout=60_000):
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
