"""File › Open Example and the Reopen Last Project preference."""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings

from app.main_window import MainWindow
from app.resources import EXAMPLES
from app.store import Autosave, RecentFiles, save_project
from app.window_files import REOPEN_LAST_KEY, bundled_examples
from engine.model import Design, Project


def test_the_example_menu_lists_every_bundled_example_with_its_description(window):
    window.examples_menu.aboutToShow.emit()
    actions = {a.text(): a for a in window.examples_menu.actions()}
    on_disk = {json.loads(p.read_text())["name"]: json.loads(p.read_text())["description"]
               for p in EXAMPLES.glob("*.json")}
    assert set(actions) == set(on_disk)
    for name, action in actions.items():
        assert action.toolTip() == on_disk[name] and action.statusTip() == on_disk[name]


def test_an_example_opens_as_an_untitled_copy_and_save_asks_where(window, tmp_path, monkeypatch):
    example = next(e for e in bundled_examples() if e.path.name == "retry_storm.json")
    before = example.path.read_bytes()
    window.examples_menu.aboutToShow.emit()
    next(a for a in window.examples_menu.actions() if a.text() == example.name).trigger()
    assert window.document.project.name == example.name
    assert window.document.design.components
    assert window.document.path is None
    asked = []
    monkeypatch.setattr(MainWindow, "choose_save_path",
                        lambda self, caption, filters, suggested: asked.append(suggested) or str(tmp_path / "mine"))
    assert window.save()
    assert asked and (tmp_path / "mine.faultline").is_file()
    assert example.path.read_bytes() == before


def test_an_unreadable_example_is_left_out(tmp_path):
    (tmp_path / "good.json").write_text(json.dumps({"name": "Good", "description": "works"}))
    (tmp_path / "bad.json").write_text("{not json")
    assert [(e.name, e.description) for e in bundled_examples(tmp_path)] == [("Good", "works")]


def _window(qtbot, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("app/started_before", True)
    w = MainWindow(settings, RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    qtbot.addWidget(w)
    return w


def test_reopen_last_project_is_off_by_default_and_remembered(qtbot, tmp_path):
    path = tmp_path / "last.faultline"
    save_project(path, Project(name="last", designs=[Design(name="the last one")]))
    first = _window(qtbot, tmp_path)
    assert not first.reopen_last_action.isChecked()
    assert first.open_path(path)
    second = _window(qtbot, tmp_path)
    second.start([])
    assert second.document.path is None  # off: an empty project

    second.reopen_last_action.setChecked(True)
    third = _window(qtbot, tmp_path)
    assert third.settings.value(REOPEN_LAST_KEY, False, type=bool)
    assert third.reopen_last_action.isChecked()
    third.start([])
    assert third.document.path == path
    third.reopen_last_action.setChecked(False)
    fourth = _window(qtbot, tmp_path)
    fourth.start([])
    assert fourth.document.path is None


def test_reopen_last_skips_a_project_that_was_deleted(qtbot, tmp_path):
    path = tmp_path / "gone.faultline"
    save_project(path, Project(name="gone", designs=[Design(name="d")]))
    w = _window(qtbot, tmp_path)
    w.open_path(path)
    w.reopen_last_action.setChecked(True)
    path.unlink()
    again = _window(qtbot, tmp_path)
    again.start([])
    assert again.document.path is None
