"""What the canvas shows once a run is over: the run's colours until the design is edited."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from app.main_window import MainWindow
from app.run.session import FINISHED
from app.run.ui import install
from app.store import Autosave, RecentFiles
from engine.model import Project
from run_builders import make_three_tier


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    w.ask_save_changes = lambda: "discard"
    ui = install(w)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    ui.speed_combo.setCurrentIndex(ui.speed_combo.count() - 1)
    ui.duration_spin.setValue(20)
    w.document.load(Project(name="p", designs=[make_three_tier()]))
    yield w
    ui.shutdown()
    w.close()


def finished_run(qtbot, window):
    ui = window.run_ui
    with qtbot.waitSignal(ui.controller.idle, timeout=30_000):
        ui.run()
    assert ui.session.status == FINISHED
    return ui.session


def coloured(window) -> list[str]:
    doc = window.document
    return sorted(c.name for c in doc.design.components if window.scene.node_item(c.id).health)


def test_an_edit_clears_the_last_runs_colours_and_a_move_keeps_them(qtbot, window):
    doc = window.document
    finished_run(qtbot, window)
    assert "api" in coloured(window)
    api = doc.component_named("api")
    doc.edit.move_components({api.id: (api.position.x, api.position.y + 200)})
    assert "api" in coloured(window)  # the same design, drawn elsewhere
    doc.edit.set_component_fields(api.id, {"workers": 4})
    assert coloured(window) == []
    # the time slider replays the run on demand
    window.run_ui.dashboard.set_cursor(5.0)
    window.run_ui._on_cursor(5.0)
    assert "api" in coloured(window)
    doc.undo_stack.undo()
    assert coloured(window) == []


def test_adding_a_fault_clears_them_too(qtbot, window):
    doc = window.document
    finished_run(qtbot, window)
    assert coloured(window)
    experiment = doc.design.experiments[0]
    doc.edit.add_fault(experiment.id, "latency", "db")
    assert coloured(window) == []
