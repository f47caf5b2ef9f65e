"""The sweep and "Suggest fixes" windows and the open design: a fix found for the design as it was
put back the user's later edits and the fixes applied before it; the sweep window kept listing
an experiment deleted since it opened; both windows were taller and wider than a small screen."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QRect, Qt
from PySide6.QtGui import QScreen

import app.run.sweep_suggest as sweep_suggest
from app.document import ProjectDocument
from app.document.document import design_snapshot
from app.run.sweep_apply import apply_design, apply_values
from app.run.sweep_dialog import SweepDialog
from app.run.sweep_suggest import SuggestDialog
from app.window_fit import BORDER, TITLE_BAR
from engine.explore.suggest import Baseline, Candidate, Suggestions
from engine.model import Project, parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
CHANGED = ("not applied: the design has changed since these fixes were found: "
           "undo those changes or find fixes again.")


@pytest.fixture
def storm(qapp):
    doc = ProjectDocument()
    doc.load(Project(name="storm", designs=[parse_design((EXAMPLES / "retry_storm.json").read_text())]))
    yield doc
    doc.deleteLater()


def _fix(design, name, **fields):
    """A candidate: ``design`` with the server's ``fields`` changed."""
    fixed = design_snapshot(design)
    index = next(i for i, c in enumerate(fixed.components) if c.name == "server")
    fixed.components[index] = fixed.components[index].model_copy(update=fields)
    return Candidate(name, [object()], fixed, cost=1)  # a change to apply (its words are not read here)


def _found(monkeypatch, qtbot, dialog):
    """Find two fixes (without running them) for the design as the search starts."""
    def search(design, experiment, options, **_):
        ranked = [_fix(design, "more workers", workers=20), _fix(design, "more instances", instances=3)]
        return Suggestions(design, experiment, options, 2, Baseline({}, {}, {}, {}), ranked)

    monkeypatch.setattr(sweep_suggest, "suggest", search)
    with qtbot.waitSignal(dialog.ended, timeout=10_000):
        dialog.start()


def _pick(table, row):
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().select(table.model().index(row, 0), flags)


def test_a_fix_applies_only_to_the_design_it_was_found_for(qtbot, monkeypatch, storm):
    doc = storm
    dialog = SuggestDialog(doc.design, apply=lambda new, text: apply_design(doc, new, text) and None)
    qtbot.addWidget(dialog)
    _found(monkeypatch, qtbot, dialog)
    clients = doc.component_named("clients")
    doc.edit.set_component_fields(clients.id, {"workload.rate": 123})
    depth = doc.undo_stack.count()
    _pick(dialog.table, 0)
    dialog.apply_selected()
    # was applied, putting the rate back to what it was when the search started
    assert dialog.status.text() == CHANGED
    assert doc.undo_stack.count() == depth and doc.component_named("clients").workload.rate == 123
    doc.undo_stack.undo()   # the design is again the one the fixes were found for
    dialog.apply_selected()
    assert dialog.status.text() == "applied more workers (Undo takes it back)"
    assert doc.undo_stack.count() == depth and doc.component_named("server").workers == 20
    # a second fix on top of the first was never measured: refused, until the first is undone
    _pick(dialog.table, 1)
    dialog.apply_selected()
    assert dialog.status.text() == CHANGED and doc.component_named("server").workers == 20
    doc.undo_stack.undo()
    dialog.apply_selected()
    server = doc.component_named("server")
    assert (server.instances, server.workers) == (3, 10)


def test_a_point_of_a_sweep_keeps_the_edits_made_since(storm):
    """A point sets its parameters in the design as it is now: unlike a fix, it puts back nothing."""
    doc = storm
    server = doc.component_named("server")
    doc.edit.set_component_fields(server.id, {"instances": 4})
    apply_values(doc, {"server.workers": 12})
    server = doc.component_named("server")
    assert (server.instances, server.workers) == (4, 12)


def _listed(dialog):
    return [dialog.experiments.item(i).text() for i in range(dialog.experiments.count())]


def test_the_sweep_window_follows_the_experiments_and_parameters_of_the_open_design(qtbot, storm):
    doc = storm
    dialog = SweepDialog(lambda: doc.design, changed=(doc.edited,))
    qtbot.addWidget(dialog)
    assert _listed(dialog) == ["(no faults)", "brief slowdown"]
    dialog.experiments.item(1).setCheckState(Qt.CheckState.Checked)
    doc.edit.remove_experiment(doc.design.experiment("brief slowdown").id)
    assert _listed(dialog) == ["(no faults)"]
    dialog.params.cellWidget(0, 1).setText("10,20")
    dialog.params.cellWidget(0, 0).setCurrentText("server.workers")
    doc.edit.add_experiment("outage")
    doc.edit.rename_component(doc.component_named("server").id, "backend")
    assert _listed(dialog) == ["(no faults)", "outage"]
    assert dialog._experiments() == [None]  # the deleted one went with its tick; a new one is not ticked
    combo = dialog.params.cellWidget(0, 0)
    paths = [combo.itemText(i) for i in range(combo.count())]
    assert "backend.workers" in paths and "server.workers" not in paths
    assert combo.currentText() == "server.workers"  # what the user typed stays
    doc.edit.rename_design(doc.design.id, "storm 2")
    assert dialog.windowTitle() == "Sweep — storm 2"


def test_the_suggest_window_follows_the_experiments_of_the_open_design(qtbot, storm):
    doc = storm
    dialog = SuggestDialog(lambda: doc.design, changed=(doc.edited,))
    qtbot.addWidget(dialog)
    doc.edit.add_experiment("outage")
    assert [dialog.experiment.itemText(i) for i in range(dialog.experiment.count())] == \
        ["brief slowdown", "outage", "(no faults)"]
    assert dialog.experiment.currentText() == "brief slowdown"
    doc.edit.remove_experiment(doc.design.experiment("brief slowdown").id)
    assert dialog.experiment.currentText() == "outage"


@pytest.mark.parametrize("kind", [SweepDialog, SuggestDialog])
def test_the_windows_fit_a_small_screen(qtbot, monkeypatch, storm, kind):
    small = QRect(0, 0, 1024, 600)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda screen: small)
    dialog = kind(storm.design)
    qtbot.addWidget(dialog)
    room = small.adjusted(BORDER, TITLE_BAR, -BORDER, -BORDER)
    # were 760 x 720 and 820 x 640: their buttons below the screen's edge
    assert dialog.width() <= room.width() and dialog.height() <= room.height()
    assert dialog.minimumSizeHint().height() <= room.height()


def test_the_window_opens_the_sweep_on_the_design_as_it_is_edited(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow
    from app.store import Autosave, RecentFiles

    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                        RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    qtbot.addWidget(window)
    assert window.open_path(EXAMPLES / "retry_storm.json")
    window.open_sweep()
    window.open_suggest()
    sweep, suggest = window.findChild(SweepDialog), window.findChild(SuggestDialog)
    doc = window._doc
    doc.edit.remove_experiment(doc.design.experiment("brief slowdown").id)
    # was still listed, and ticking it made the sweep fail with "no experiment named"
    assert _listed(sweep) == ["(no faults)"]
    assert [suggest.experiment.itemText(i) for i in range(suggest.experiment.count())] == ["(no faults)"]
    sweep.close()
    suggest.close()


def test_closing_the_main_window_closes_its_search_windows_and_stops_their_search(qtbot, tmp_path, monkeypatch):
    import threading

    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow
    from app.store import Autosave, RecentFiles

    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
                        RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    qtbot.addWidget(window)
    window.show()
    assert window.open_path(EXAMPLES / "retry_storm.json")
    window.open_sweep()
    sweep = window.findChild(SweepDialog)
    gate = threading.Event()
    sweep.launch(lambda: "finished" if gate.wait(5) else "gate never opened", (), "test")
    window.close()
    # was left open, its search going on and its Apply acting on a closed document
    assert not sweep.isVisible() and sweep._stop.is_set()
    with qtbot.waitSignal(sweep.ended, timeout=5_000):
        gate.set()
