"""The main window: files through the store, prompts, drops, autosave and recovery, layout, extension points."""
from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from editor_helpers import build_three_tier
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel

from app.main_window import MainWindow
from app.store import Autosave, RecentFiles, open_project, pending_recoveries, save_project
from engine.model import Design, Project


def rich_design(doc) -> None:
    """Every component kind, policy kind and fault kind, all away from their defaults."""
    e = doc.edit
    ids = build_three_tier(doc)
    q = e.add_component("queue", (600, 0), name="jobs", capacity=50, consumers=3)
    x = e.add_component("external", (800, 0), name="payments", latency={"kind": "lognormal", "p50": 0.08, "p99": 0.9},
                        error_probability=0.02)
    e.connect(ids["web"], q)
    e.connect(q, x)
    e.set_component_fields(ids["users"], {"workload": {"type": "open", "rate": 250, "arrivals": "constant",
                                                       "schedule": [{"kind": "spike", "at": 30, "duration": 5,
                                                                     "rate": 900}]}})
    e.set_component_fields(ids["lb"], {"strategy": "power_of_two"})
    e.set_component_fields(ids["web"], {"instances": 3, "workers": 16, "queue_capacity": 40,
                                        "service_time": {"kind": "normal", "mean": 0.02, "std": 0.004},
                                        "fan_out": "parallel"}, merge=False)
    e.set_component_fields(ids["cache"], {"hit_ratio": 0.9,
                                          "hit_time": {"kind": "empirical", "points": [0.001, 0.002]}})
    e.set_component_fields(ids["db"], {"connections": 7, "query_time": {"kind": "uniform", "low": 0.001, "high": 0.01}})
    web = ids["web"]
    cb = e.add_policy(web, "circuit_breaker", scope="db")
    e.set_policy_fields(web, cb, {"sliding_window_type": "time_based", "failure_rate_threshold": 30,
                                  "record_outcomes": ["error", "timeout"]}, merge=False)
    r = e.add_policy(web, "retry", scope="cache")
    e.set_policy_fields(web, r, {"max_attempts": 4, "backoff": "exponential", "jitter": "full",
                                 "budget": {"kind": "envoy_budget", "budget_percent": 15}}, merge=False)
    for kind in ("timeout", "bulkhead", "fallback", "rate_limiter", "load_shedding"):
        pid = e.add_policy(web, kind)
    e.set_policy_fields(web, pid, {"max_queue_length": 12})
    exp = e.add_experiment("Everything breaks")
    e.add_fault(exp, "crash", "db", start=10, duration=20, instances={"count": 1}, mode="hang", restart_delay=3)
    e.add_fault(exp, "latency", "web -> cache", delay={"kind": "exponential", "mean": 0.2}, fraction=0.5)
    e.add_fault(exp, "exhaustion", "web", resource="pool", pool_size=2, start=5, duration=5, period=30)
    e.add_fault(exp, "error", "payments", fraction=0.3, enabled=False)
    e.add_fault(exp, "partition", "jobs -> payments", mode="refuse", start=40)
    e.add_fault(exp, "random_failures", "jobs", mtbf=30, mttr=4)
    e.add_design("Second design")


def designs(project: Project) -> list[dict]:
    return [d.model_dump(mode="json") for d in project.designs]


def test_save_reopen_finds_every_field(window, tmp_path, monkeypatch):
    doc = window.document
    rich_design(doc)
    assert doc.modified
    expected = designs(doc.project)
    target = tmp_path / "shop"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(target))
    assert window.save()  # no path yet: asks for one, adds the suffix
    saved = tmp_path / "shop.faultline"
    assert saved.exists() and doc.path == saved and not doc.modified
    assert open_project(saved).project.modified >= doc.project.created
    assert window.windowTitle().startswith("shop.faultline")
    window.new_project()
    assert doc.design.components == []
    assert window.open_path(saved)
    assert designs(doc.project) == expected
    assert window.recent.existing()[0] == saved


def test_saving_keeps_the_runs_it_opened_with(window, tmp_path):
    from app.store import SavedRun

    assert SavedRun  # the store's run record type
    path = tmp_path / "with_runs.faultline"
    project = Project(name="p", designs=[Design(name="d")])
    save_project(path, project)
    window.open_path(path)
    import uuid
    from datetime import datetime

    kept = SavedRun(uuid.uuid4(), window.document.design.id, None, "kept", datetime.now(UTC), {})
    window.document.keep_runs([kept])
    calls = []
    window.write_project = lambda p, proj, runs=(): calls.append(list(runs)) or save_project(p, proj)
    window.document.edit.add_component("service")
    window.save()
    assert calls == [[kept]]


def test_unsaved_changes_prompt_can_cancel_save_or_discard(window, tmp_path, monkeypatch):
    doc = window.document
    doc.edit.add_component("service")
    answers = iter(["cancel"])
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: next(answers))
    window.new_project()
    assert len(doc.design.components) == 1  # cancelled: nothing lost
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "save")
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(tmp_path / "kept.faultline"))
    window.new_project()
    assert (tmp_path / "kept.faultline").exists() and doc.design.components == []
    assert len(open_project(tmp_path / "kept.faultline").project.designs[0].components) == 1


def test_close_asks_and_can_be_refused(window, monkeypatch):
    window.document.edit.add_component("service")
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "cancel")
    assert not window.close()
    assert window.isVisible()
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    assert window.close()


def test_open_refuses_a_bad_file_with_the_store_message(window, tmp_path):
    bad = tmp_path / "notes.faultline"
    bad.write_text("not a project")
    before = window.document.project
    assert not window.open_path(bad)
    assert "notes.faultline" in window.last_error
    assert window.document.project is before


def test_revert_reloads_the_file(window, tmp_path, monkeypatch):
    path = tmp_path / "r.faultline"
    save_project(path, Project(name="r", designs=[Design(name="d")]))
    window.open_path(path)
    window.document.edit.add_component("service")
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.revert_action.trigger()
    assert window.document.design.components == [] and not window.document.modified


def test_import_and_export_json(window, tmp_path, monkeypatch):
    doc = window.document
    build_three_tier(doc)
    out = tmp_path / "design"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(out))
    window.export_action.trigger()
    exported = tmp_path / "design.json"
    assert exported.exists()
    expected = doc.design.model_dump(mode="json")
    window.new_project()
    monkeypatch.setattr(MainWindow, "choose_open_path", lambda self, *a: str(exported))
    window.import_action.trigger()
    assert doc.design.model_dump(mode="json") == expected
    assert doc.path is None  # an import is saved as a new project
    doc.edit.add_design("Second")
    whole = tmp_path / "project.json"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(whole))
    window.export_project_action.trigger()
    expected = [d.model_dump(mode="json") for d in doc.project.designs]
    window.new_project()
    assert window.import_path(whole)
    assert [d.model_dump(mode="json") for d in doc.project.designs] == expected


def test_dropping_a_project_file_opens_it(window, tmp_path):
    path = tmp_path / "dropped.faultline"
    design = Design(name="dropped design")
    save_project(path, Project(name="dropped", designs=[design]))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QDragEnterEvent

    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.view.viewport(), enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.view.viewport(), event)
    assert window.document.path == path and window.document.design.name == "dropped design"


def test_command_line_path_opens_and_first_start_opens_the_example(window, tmp_path):
    path = tmp_path / "cli.faultline"
    save_project(path, Project(name="cli", designs=[Design(name="from the command line")]))
    window.start([str(path)])
    assert window.document.design.name == "from the command line"


def test_first_start_opens_the_bundled_example_once(window):
    from app.resources import EXAMPLES

    window.start([])
    if (EXAMPLES / "three_tier.json").is_file():
        assert window.document.design.components, "the example should be on the canvas"
        assert not window.document.modified
    else:
        assert window.document.design.components == []
    window.new_project()
    window.start([])
    assert window.document.design.components == []  # second start: an empty project


def test_autosave_writes_a_copy_and_the_next_start_offers_it(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    recovery_dir = tmp_path / "recovery"
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings, RecentFiles(tmp_path), Autosave(recovery_dir))
    qtbot.addWidget(first)
    build_three_tier(first.document)
    first.document.edit.add_component("queue", name="unsaved work")
    assert first.autosave_timer.isActive()
    first.write_autosave()
    copy = first.autosave.path
    assert copy.exists()
    # A crash: the window never closes, its autosave is left behind.
    first.autosave_timer.stop()
    from app.store import autosave as autosave_module

    autosave_module._LIVE_TOKENS.discard(first.autosave.token)
    assert [r.path for r in pending_recoveries(recovery_dir)] == [copy]
    offered = []
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: offered.append(rec) or True)
    second = MainWindow(settings, RecentFiles(tmp_path), Autosave(recovery_dir))
    qtbot.addWidget(second)
    second.start([])
    assert offered and "unsaved work" in [c.name for c in second.document.design.components]
    assert second.document.modified  # recovered work is not saved work
    assert not copy.exists()
    second.close()
    first.document.undo_stack.setClean()
    first.close()
    assert pending_recoveries(recovery_dir) == []


def test_declining_recovery_deletes_the_copy(qtbot, tmp_path, monkeypatch):
    recovery_dir = tmp_path / "recovery"
    stale = Autosave(recovery_dir)
    stale.write(Project(name="old", designs=[Design(name="d")]))
    from app.store import autosave as autosave_module

    autosave_module._LIVE_TOKENS.discard(stale.token)
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: False)
    w = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), RecentFiles(tmp_path),
                   Autosave(recovery_dir))
    qtbot.addWidget(w)
    assert not w.offer_recovery()
    assert pending_recoveries(recovery_dir) == []
    w.close()


def test_clean_save_stops_the_autosave_timer(window, tmp_path, monkeypatch):
    window.document.edit.add_component("service")
    assert window.autosave_timer.isActive()
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(tmp_path / "t.faultline"))
    window.save()
    assert not window.autosave_timer.isActive()


def test_layout_and_theme_are_restored(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path), Autosave(tmp_path / "r"))
    qtbot.addWidget(w)
    w.show()
    w.faults_dock.setFloating(True)
    w.snap_action.trigger()
    w.set_theme("dark")
    w.close()
    w2 = MainWindow(settings, RecentFiles(tmp_path), Autosave(tmp_path / "r"))
    qtbot.addWidget(w2)
    w2.show()
    assert w2.faults_dock.isFloating()
    assert not w2.snap_action.isChecked() and not w2.scene.snap_to_grid
    assert w2.theme_actions["dark"].isChecked()
    assert QApplication.instance().palette().window().color().lightness() < 128
    w2.set_theme("light")
    w2.close()


def test_run_side_can_add_docks_and_actions(window):
    assert window.run_menu is None
    action = QAction("Run experiment", window)
    window.add_run_action(action)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Run") == titles.index("&Help") - 1
    assert action in window.run_menu.actions()
    dock = window.add_dock("Dashboard", QLabel("live plots"))
    assert dock.toggleViewAction() in window.panels_menu.actions()
    assert window.document is window.scene.doc


def test_help_explains_the_gestures(window, qtbot):
    from PySide6.QtWidgets import QMessageBox

    window.help_action.trigger()
    box = window.findChild(QMessageBox)
    assert box is not None and "right edge" in box.text()
    box.close()


def test_standard_shortcuts_and_tooltips(window):
    from PySide6.QtGui import QKeySequence

    K = QKeySequence.StandardKey
    assert window.save_action.shortcut() == QKeySequence(K.Save)
    assert window.undo_action.shortcut() == QKeySequence(K.Undo)
    assert window.open_action.shortcut() == QKeySequence(K.Open)
    assert "Save" in window.save_action.toolTip()
    window.document.edit.add_component("service")
    assert window.undo_action.isEnabled() and window.undo_action.text().startswith("&Undo")


@pytest.mark.parametrize("name", ["three_tier.json", "mmc.json", "microservices.json", "retry_storm.json"])
def test_bundled_examples_import_and_draw(window, name):
    from app.resources import EXAMPLES

    path = EXAMPLES / name
    if not path.is_file():
        pytest.skip(f"{name} is not bundled yet")
    assert window.import_path(path)
    assert len(window.scene.node_items()) == len(window.document.design.components) > 0
    assert len(window.scene.link_items()) == len(window.document.design.links)


def test_window_title_follows_path_and_modified(window, tmp_path, monkeypatch):
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(tmp_path / "t.faultline"))
    window.document.edit.add_component("service")
    assert window.isWindowModified()
    window.save()
    assert not window.isWindowModified() and "t.faultline" in window.windowTitle()
    assert Path(window.settings.value("files/last_dir")) == tmp_path


def test_designs_switch_rename_and_history(window, qtbot):
    from editor_helpers import type_text

    doc = window.document
    build_three_tier(doc)
    first = doc.design.id
    window.new_design_action.trigger()
    assert window.design_combo.count() == 2 and window.scene.node_items() == []
    window.rename_design_action.trigger()
    type_text(qtbot, window.properties.form.editors["name"], "Payments")
    assert window.design_combo.currentText() == "Payments"
    window.design_combo.setCurrentIndex(0)
    window.design_combo.activated.emit(0)
    assert doc.design.id == first and len(window.scene.node_items()) == 5
    assert window.history.stack() is doc.undo_stack
    window.history.setCurrentIndex(window.history.model().index(0, 0))
    assert doc.undo_stack.index() == 0 and doc.design.components == []


def test_timeline_follows_the_run_duration(window):
    doc = window.document
    build_three_tier(doc)
    window.faults.add_fault("crash", "db")
    timeline = window.faults.timeline
    assert timeline.horizon() == 60
    timeline.set_run_duration(300)
    assert timeline.horizon() == 300
    doc.edit.set_fault_fields(doc.current_experiment.id, doc.current_experiment.faults[0].id, {"start": 400})
    assert timeline.horizon() > 400


def test_the_timelines_tick_labels_stay_inside_it():
    """Seen at 1280x720: the 300 s run's last tick, at the timeline's right end, read "300" cut short."""
    from app.panes.faults import tick_label_rect

    width, text = 340.0, 30.0
    last = tick_label_rect(width - 12, text, width, 0)
    assert last.right() <= width and last.width() >= text
    middle = tick_label_rect(200.0, text, width, 0)
    assert middle.center().x() == 200.0


def test_a_design_without_positions_is_laid_out_on_import(window, tmp_path):
    import json

    from app.document.layout import needs_layout

    data = {"name": "hand written", "components": [
        {"kind": "client", "name": "users"}, {"kind": "service", "name": "api"}, {"kind": "database", "name": "db"}],
        "links": [{"source": "users", "target": "api"}, {"source": "api", "target": "db"}]}
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(data))
    assert window.import_path(path)
    design = window.document.design
    assert not needs_layout(design)
    assert [c.position.x for c in design.components] == [0, 240, 480]
    assert not window.document.modified


# -- opening off the window's thread, damaged and hostile files -------------------------------------

def _saved(tmp_path, name: str = "shop", design: str = "d") -> Path:
    path = tmp_path / f"{name}.faultline"
    save_project(path, Project(name=name, designs=[Design(name=design)]))
    return path


def test_a_file_opens_on_a_worker_thread_while_the_window_keeps_answering(window, tmp_path, monkeypatch):
    import threading

    from PySide6.QtCore import QTimer

    import app.window_files as module

    path = _saved(tmp_path)
    gate = threading.Event()
    opened_on, seen_while_busy = [], []
    real_open = module.open_project

    def slow_open(p):
        opened_on.append(threading.get_ident())
        gate.wait(10)  # released only by a timer of the window's own event loop
        return real_open(p)

    monkeypatch.setattr(module, "open_project", slow_open)
    QTimer.singleShot(0, lambda: (seen_while_busy.append(window.busy_with), gate.set()))
    assert window.open_path(path)
    assert seen_while_busy == ["Opening shop.faultline…"]
    assert opened_on and opened_on[0] != threading.get_ident()
    assert window.document.design.name == "d" and window.busy_with is None


def test_a_file_with_sql_of_its_own_is_refused_in_the_window(window, tmp_path):
    import sqlite3

    path = _saved(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bomb(x CHECK (length(zeroblob(100000000)) > 0))")
    conn.commit()
    conn.close()
    assert not window.open_path(path)
    assert 'it contains table "bomb"' in window.last_error


def _damage(path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("UPDATE design SET name = 'e'")  # the digest is not brought up to date
    conn.commit()
    conn.close()


def test_a_damaged_file_is_said_so_and_can_be_read_read_only(window, tmp_path, monkeypatch):
    path = _saved(tmp_path)
    _damage(path)
    asked = []
    monkeypatch.setattr(MainWindow, "ask_open_damaged", lambda self, message: asked.append(message) or False)
    before = window.document.project
    assert not window.open_path(path)
    assert window.document.project is before
    assert "this file was damaged after it was saved" in asked[0]
    monkeypatch.setattr(MainWindow, "ask_open_damaged", lambda self, message: True)
    assert window.open_path(path)
    assert window.document.design.name == "e" and window.document.path is None
    assert window.windowTitle().startswith("shop.faultline (damaged, read-only)")
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(path))
    assert not window.save()  # never over the damaged file
    assert "damaged file" in window.last_error
    kept = tmp_path / "kept.faultline"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(kept))
    assert window.save()
    assert open_project(kept).project.designs[0].name == "e"


# -- changes on disk by someone else --------------------------------------------------------------

@pytest.fixture
def asked_about_disk(monkeypatch):
    """The answers given to 'changed on disk' (set ``answers``), and the questions asked."""
    state = {"answers": [], "asked": []}

    def ask(self, path, saving):
        state["asked"].append((path.name, saving))
        return state["answers"].pop(0) if state["answers"] else "keep"

    monkeypatch.setattr(MainWindow, "ask_changed_on_disk", ask)
    return state


def _second_window(qtbot, tmp_path):
    other = MainWindow(QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat),
                       RecentFiles(tmp_path / "other"), Autosave(tmp_path / "other-recovery"))
    qtbot.addWidget(other)
    return other


def test_two_windows_on_one_file_the_second_save_asks_first(window, qtbot, tmp_path, asked_about_disk):
    path = _saved(tmp_path)
    other = _second_window(qtbot, tmp_path)
    assert window.open_path(path) and other.open_path(path)
    window.document.edit.add_component("service", name="first window's work")
    assert window.save()
    other.document.edit.add_component("database", name="second window's work")
    assert not other.save()  # asked; kept: nothing written
    assert asked_about_disk["asked"] == [("shop.faultline", True)]
    names = [c.name for c in open_project(path).project.designs[0].components]
    assert names == ["first window's work"]
    asked_about_disk["answers"] = ["overwrite"]
    assert other.save()
    assert [c.name for c in open_project(path).project.designs[0].components] == ["second window's work"]
    other.document.edit.add_component("cache", name="more")
    assert other.save() and len(asked_about_disk["asked"]) == 2  # its own save is no change by someone else
    other.document.undo_stack.setClean()
    other.close()


def test_a_changed_file_can_be_reloaded_or_saved_elsewhere(window, tmp_path, asked_about_disk, monkeypatch):
    path = _saved(tmp_path)
    assert window.open_path(path)
    save_project(path, Project(name="shop", designs=[Design(name="theirs")]))
    window.document.edit.add_component("service", name="mine")
    asked_about_disk["answers"] = ["save_as"]
    mine = tmp_path / "mine.faultline"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(mine))
    assert window.save()
    assert open_project(path).project.designs[0].name == "theirs"
    assert [c.name for c in open_project(mine).project.designs[0].components] == ["mine"]
    assert window.open_path(path)
    save_project(path, Project(name="shop", designs=[Design(name="theirs again")]))
    window.document.edit.add_component("service", name="dropped")
    asked_about_disk["answers"] = ["reload"]
    assert not window.save()
    assert window.document.design.name == "theirs again" and not window.document.modified


def test_a_file_touched_but_not_changed_is_not_reported(window, tmp_path, asked_about_disk):
    import os

    path = _saved(tmp_path)
    assert window.open_path(path)
    os.utime(path, (1, 1))
    window.document.edit.add_component("service")
    assert window.save() and asked_about_disk["asked"] == []


def test_activating_the_window_notices_a_change_once(window, tmp_path, asked_about_disk, monkeypatch):
    from PySide6.QtCore import QEvent

    path = _saved(tmp_path)
    assert window.open_path(path)
    assert window.check_file_on_disk() is None
    save_project(path, Project(name="shop", designs=[Design(name="theirs")]))
    monkeypatch.setattr(MainWindow, "isActiveWindow", lambda self: True)
    QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))
    assert asked_about_disk["asked"] == [("shop.faultline", False)]
    assert window.check_file_on_disk() is None  # kept: not asked again for the same change
    save_project(path, Project(name="shop", designs=[Design(name="theirs, later")]))
    asked_about_disk["answers"] = ["reload"]
    assert window.check_file_on_disk() == "reload"
    assert window.document.design.name == "theirs, later"


def test_recovered_work_saved_over_a_file_changed_since_the_crash_asks_first(qtbot, window, tmp_path,
                                                                             asked_about_disk, monkeypatch):
    from app.store import autosave as autosave_module

    path = _saved(tmp_path)
    assert window.open_path(path)
    window.document.edit.add_component("service", name="unsaved before the crash")
    window.write_autosave()
    autosave_module._LIVE_TOKENS.discard(window.autosave.token)  # the window crashes
    save_project(path, Project(name="shop", designs=[Design(name="saved by a colleague meanwhile")]))
    after = _second_window(qtbot, tmp_path)
    after.autosave = Autosave(window.autosave.directory)
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: True)
    assert after.offer_recovery()
    assert after.document.path == path
    assert not after.save()
    assert asked_about_disk["asked"] == [("shop.faultline", True)]
    assert open_project(path).project.designs[0].name == "saved by a colleague meanwhile"
    after.document.undo_stack.setClean()
    window.document.undo_stack.setClean()


# -- recovery and start-up --------------------------------------------------------------------

def _crash_copy(directory: Path, name: str, original: Path | None = None) -> Autosave:
    from app.store import autosave as autosave_module

    copy = Autosave(directory)
    copy.write(Project(name=name, designs=[Design(name=f"{name} design")]), original)
    autosave_module._LIVE_TOKENS.discard(copy.token)
    return copy


def test_a_recovery_copy_from_a_newer_faultline_is_kept_not_offered(window, monkeypatch):
    copy = _crash_copy(window.autosave.directory, "from the future")
    data = bytearray(copy.path.read_bytes())
    data[60:64] = (99).to_bytes(4, "big")
    copy.path.write_bytes(bytes(data))
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: True)
    assert not window.offer_recovery()
    assert copy.path.exists() and copy.info_path.exists()
    assert "was kept: made with a newer Faultline (schema 99)" in window.statusBar().currentMessage()


def test_a_recovery_copy_that_cannot_be_read_is_kept(window, monkeypatch):
    copy = _crash_copy(window.autosave.directory, "damaged copy")
    copy.path.write_bytes(copy.path.read_bytes()[:4096])
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: True)
    assert not window.offer_recovery()
    assert "The recovery copy is kept" in window.last_error
    assert copy.path.exists()


def test_a_double_clicked_file_opens_beside_accepted_recovery(window, qtbot, tmp_path, monkeypatch):
    lost = _crash_copy(window.autosave.directory, "lost work", tmp_path / "other.faultline")
    clicked = _saved(tmp_path, "clicked", "the file double-clicked")
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: True)
    window.start([str(clicked)])
    assert window.document.path == clicked and window.document.design.name == "the file double-clicked"
    [recovered] = window._other_windows
    try:
        assert recovered.document.design.name == "lost work design" and recovered.document.modified
        assert recovered.document.path == tmp_path / "other.faultline"
        assert not lost.path.exists()
    finally:
        recovered.document.undo_stack.setClean()
        recovered.close()
    qtbot.waitUntil(lambda: window._other_windows == [])  # closed and deleted, not left as a hidden window


def test_a_double_clicked_json_design_is_not_replaced_by_recovered_work(window, qtbot, tmp_path, monkeypatch):
    import json

    _crash_copy(window.autosave.directory, "lost work")
    design = tmp_path / "design.json"
    design.write_text(json.dumps({"name": "reviewed", "components": [{"kind": "client", "name": "users"}]}))
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: True)
    window.start([str(design)])
    assert window.document.design.name == "reviewed"
    [recovered] = window._other_windows
    qtbot.addWidget(recovered)
    assert recovered.document.design.name == "lost work design"
    recovered.document.undo_stack.setClean()
    recovered.close()


def test_a_second_open_while_one_is_under_way_is_refused(window, tmp_path, monkeypatch):
    import threading

    from PySide6.QtCore import QTimer

    import app.window_files as module

    first, second = _saved(tmp_path, "first", "first design"), _saved(tmp_path, "second", "second design")
    gate, answers = threading.Event(), []
    real_open = module.open_project
    monkeypatch.setattr(module, "open_project", lambda p: (gate.wait(10), real_open(p))[1])
    QTimer.singleShot(0, lambda: (answers.append(window.open_path(second, ask=False)), gate.set()))
    assert window.open_path(first, ask=False)
    assert answers == [False] and window.document.design.name == "first design"


def test_recovered_work_of_the_double_clicked_file_opens_in_its_window(window, tmp_path, monkeypatch):
    clicked = _saved(tmp_path, "clicked", "as saved")
    _crash_copy(window.autosave.directory, "unsaved edits", clicked)
    monkeypatch.setattr(MainWindow, "ask_recover", lambda self, rec: True)
    window.start([str(clicked)])
    assert window.document.design.name == "unsaved edits design" and window.document.modified
    assert getattr(window, "_other_windows", []) == []


# -- where save dialogs start ------------------------------------------------------------------

def test_save_dialogs_start_in_documents_never_in_the_programs_folder(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    import app.file_tasks as file_tasks
    from app.resources import EXAMPLES

    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(file_tasks, "documents_dir", lambda: documents)
    started_in = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, caption, where, filters: started_in.append(where) or ("", "")))
    window.settings.remove("files/last_dir")
    window.start([])  # first start: the bundled example
    window.save()
    window.settings.setValue("files/last_dir", str(EXAMPLES))  # left by an older version
    window.save_as()
    assert [Path(p).parent for p in started_in] == [documents, documents]
    mine = tmp_path / "projects"
    mine.mkdir()
    assert window._save_to(mine / "p.faultline")
    window.save_as()  # a saved project's Save As starts beside it
    assert Path(started_in[-1]) == mine / "p.faultline"


def test_about_names_the_installed_version(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from engine.version import __version__

    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append((title, text))))
    window.about()
    assert shown and shown[0][0] == "About Faultline" and f"Faultline {__version__}" in shown[0][1]


def test_a_damaged_file_read_read_only_says_so_and_save_asks_for_a_new_file(window, tmp_path, monkeypatch):
    path = _saved(tmp_path)
    _damage(path)
    monkeypatch.setattr(MainWindow, "ask_open_damaged", lambda self, message: True)
    assert not window.read_only_banner.isVisible()
    assert window.open_path(path)
    banner = window.read_only_banner
    assert banner.isVisible() and "damaged file shop.faultline" in banner.label.text()
    assert "Save asks for a new file" in window.save_action.toolTip()
    window.document.edit.add_component("service", name="salvaged")   # edits are allowed
    assert window.windowTitle().startswith("shop.faultline (damaged, read-only)") and window.isWindowModified()
    asked = []
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: asked.append(a[0]) or None)
    window.save_action.trigger()                                       # Save goes to Save As
    assert asked == ["Save project as"] and banner.isVisible()
    kept = tmp_path / "kept.faultline"
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(kept))
    banner.save_as_button.click()
    assert not banner.isVisible() and window.document.path == kept and not window.document.modified
    assert window.windowTitle().startswith("kept.faultline")
    assert window.save_action.toolTip().endswith("Save the project.</small>")
    assert [c.name for c in open_project(kept).project.designs[0].components] == ["salvaged"]


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_palettes_scroll_bar_is_drawn_in_the_theme(window, qtbot, look):
    """Seen at 1280x720: a transparent palette background left its scroll bar's groove solid black."""
    from PySide6.QtWidgets import QListWidget, QStyle, QStyleOptionSlider

    window.resize(1280, 720)
    window.show()
    window.set_theme(look)
    try:
        palette = window.findChild(QListWidget, "palette")
        palette.setFixedHeight(150)
        qtbot.waitUntil(lambda: palette.verticalScrollBar().isVisible())
        bar = palette.verticalScrollBar()
        option = QStyleOptionSlider()
        bar.initStyleOption(option)
        groove = bar.style().subControlRect(QStyle.ComplexControl.CC_ScrollBar, option,
                                            QStyle.SubControl.SC_ScrollBarAddPage, bar)
        # As the window draws it (a grab of the bar alone paints its own background first).
        image = window.grab().toImage()
        colour = image.pixelColor(bar.mapTo(window, groove.center()))
        window_colour = window.palette().window().color()
        # The groove is a shade of the window's colour, as Fusion draws it: never black.
        assert colour.lightness() > 40 and abs(colour.lightness() - window_colour.lightness()) < 90, colour.name()
    finally:
        window.set_theme("light")


def test_undoing_back_to_the_saved_state_removes_the_recovery_copy(window, tmp_path, monkeypatch):
    """After a crash, the edits undone before it were offered as unsaved work."""
    monkeypatch.setattr(MainWindow, "choose_save_path", lambda self, *a: str(tmp_path / "t.faultline"))
    window.save()
    window.document.edit.add_component("service", name="undone later")
    window.write_autosave()
    assert window.autosave.path.exists()
    window.document.undo_stack.undo()
    assert not window.document.modified
    assert not window.autosave.path.exists()
