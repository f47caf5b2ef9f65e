"""The Design menu opens the sweep window on the current design."""
from __future__ import annotations

from pathlib import Path

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
