"""Saving writes on a worker thread: the window answers meanwhile and the modified state stays true."""
from __future__ import annotations

import threading

from PySide6.QtCore import QTimer

from app.store import ProjectFileError, open_project, save_project
from engine.model import Design, Project


def _opened(window, tmp_path):
    path = tmp_path / "shop.faultline"
    save_project(path, Project(name="shop", designs=[Design(name="d")]))
    assert window.open_path(path)
    return path


def _slow_writer(window, gate: threading.Event, written_on: list):
    def write(path, project, runs=()):
        written_on.append(threading.get_ident())
        assert gate.wait(10), "the window's own timer should have let the save go on"
        return save_project(path, project, runs)
    window.write_project = write


def test_the_window_keeps_answering_while_a_slow_save_writes(window, tmp_path):
    path = _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")
    gate, written_on, ticks = threading.Event(), [], []
    _slow_writer(window, gate, written_on)
    timer = QTimer(window)
    timer.setInterval(5)
    # Ticks of the window's own event loop while the writer is held: the window answers.
    timer.timeout.connect(lambda: (ticks.append(window.saving()), len(ticks) >= 10 and gate.set()))
    timer.start()
    assert window.save()
    timer.stop()
    assert ticks[:10] == [True] * 10
    assert written_on and written_on[0] != threading.get_ident()
    assert not window.document.modified and not window.saving()
    assert [c.name for c in open_project(path).project.designs[0].components] == ["api"]
    assert "Saved shop.faultline." in window.statusBar().currentMessage()


def test_an_edit_made_during_a_save_keeps_the_project_modified(window, tmp_path):
    path = _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")
    gate, written_on = threading.Event(), []
    _slow_writer(window, gate, written_on)

    def edit_then_release():
        window.document.edit.add_component("database", name="db")
        gate.set()
    QTimer.singleShot(0, edit_then_release)
    assert window.save()
    assert window.document.modified                            # db is not in the file yet
    assert "*" in window.windowTitle() or "modified" in window.windowTitle().lower()
    assert [c.name for c in open_project(path).project.designs[0].components] == ["api"]
    window.write_project = save_project
    assert window.save() and not window.document.modified


def test_undoing_back_to_the_saved_state_during_a_save_still_reads_modified(window, tmp_path):
    _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")
    gate, written_on = threading.Event(), []
    _slow_writer(window, gate, written_on)

    def undo_then_release():
        window.document.undo_stack.undo()                       # back to what was opened, not what is written
        gate.set()
    QTimer.singleShot(0, undo_then_release)
    assert window.save()
    assert window.document.modified


def test_a_failed_save_is_reported_and_the_project_stays_modified(window, tmp_path):
    _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")

    def broken(path, project, runs=()):
        raise ProjectFileError("cannot write shop.faultline: disk full")
    window.write_project = broken
    assert not window.save()
    assert window.last_error == "cannot write shop.faultline: disk full"
    assert window.document.modified and not window.saving()


def test_a_second_save_while_one_is_under_way_is_refused(window, tmp_path):
    _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")
    gate, written_on, second = threading.Event(), [], []
    _slow_writer(window, gate, written_on)
    QTimer.singleShot(0, lambda: (second.append(window.save()), gate.set()))
    assert window.save()
    assert second == [False] and len(written_on) == 1


def test_closing_the_window_waits_for_the_save_in_flight(window, tmp_path):
    path = _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")
    gate, written_on, closed = threading.Event(), [], []
    _slow_writer(window, gate, written_on)
    QTimer.singleShot(0, lambda: closed.append(window.close()))
    QTimer.singleShot(50, gate.set)
    assert window.save()
    # The close came during the save and returned only after it: nothing unsaved was asked about or lost.
    assert closed == [True] and not window.isVisible()
    assert not window.document.modified
    assert [c.name for c in open_project(path).project.designs[0].components] == ["api"]


def test_an_edit_merged_into_the_last_undo_step_during_a_save_keeps_it_modified(window, tmp_path):
    path = _opened(window, tmp_path)
    doc = window.document
    api = doc.edit.add_component("service", name="api")
    doc.edit.set_component_fields(api, {"workers": 12})
    steps = doc.undo_stack.count()
    gate, written_on = threading.Event(), []
    _slow_writer(window, gate, written_on)

    def type_on():
        doc.edit.set_component_fields(api, {"workers": 13})   # merges with the edit before the save
        gate.set()
    QTimer.singleShot(0, type_on)
    assert window.save()
    assert doc.undo_stack.count() == steps and doc.modified
    assert open_project(path).project.designs[0].components[0].workers == 12


def test_a_snapshot_shares_parts_but_no_later_edit_reaches_it(window):
    doc = window.document
    e = doc.edit
    api = e.add_component("service", (0, 0), name="api")
    db = e.add_component("database", (200, 0), name="db")
    e.connect(api, db)
    exp = e.add_experiment("outage")
    e.add_fault(exp, "crash", "db", start=10, duration=5)
    before = doc.snapshot()
    dumped = before.model_dump(mode="json")
    e.set_component_fields(api, {"workers": 3})
    e.rename_component(db, "store")
    e.move_components({api: (50.0, 50.0)})
    e.add_policy(api, "retry")
    e.add_component("cache", (400, 0), name="cache")
    e.add_fault(exp, "latency", "api -> store", start=1, duration=2)
    e.add_design("Second")
    e.rename_design(before.designs[0].id, "renamed")        # a design's name changes in place
    assert before.model_dump(mode="json") == dumped
    assert before.designs[0].components[0] is not doc.design.components[0]   # the edited one was replaced


def test_saving_the_open_file_again_does_not_rewrite_the_recent_list(window, tmp_path, monkeypatch):
    path = _opened(window, tmp_path)
    writes = []
    real = type(window.recent)._write
    monkeypatch.setattr(type(window.recent), "_write", lambda self, paths: writes.append(paths) or real(self, paths))
    window.document.edit.add_component("service")
    assert window.save()
    assert writes == [] and window.recent.paths()[0] == path.resolve()


def _slow_autosave(window, gate: threading.Event, written_on: list):
    write = window.autosave.write

    def slow(project, original=None, runs=(), **kw):
        written_on.append(threading.get_ident())
        assert gate.wait(10), "the test should have let the recovery copy go on"
        return write(project, original, runs, **kw)
    window.autosave.write = slow


def test_the_autosave_timer_writes_the_recovery_copy_off_the_windows_thread(window, tmp_path, qtbot):
    _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")
    gate, written_on = threading.Event(), []
    _slow_autosave(window, gate, written_on)
    window.autosave_timer.timeout.emit()           # what the timer does: it does not wait
    assert not window.autosave.path.exists()       # the window is back while the copy is held
    assert window._autosave_job is not None
    window.autosave_timer.timeout.emit()           # one copy at a time: the next tick adds none
    gate.set()
    qtbot.waitUntil(lambda: window.autosave.path.exists() and window._autosave_job is None)
    assert len(written_on) == 1 and written_on[0] != threading.get_ident()
    assert [c.name for c in open_project(window.autosave.path).project.designs[0].components] == ["api"]


def test_a_save_while_the_recovery_copy_is_written_leaves_no_copy_behind(window, tmp_path, qtbot):
    _opened(window, tmp_path)
    window.document.edit.add_component("service", name="api")
    gate, written_on = threading.Event(), []
    _slow_autosave(window, gate, written_on)
    window.write_autosave(wait=False)
    QTimer.singleShot(0, gate.set)
    assert window.save()                           # its clean state discards the copy once it lands
    assert not window.document.modified
    assert not window.autosave.path.exists() and window._autosave_job is None


def test_closing_waits_for_the_recovery_copy_and_removes_it(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow
    from app.store import Autosave, RecentFiles

    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    w = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), RecentFiles(tmp_path),
                   Autosave(tmp_path / "recovery"))
    qtbot.addWidget(w)
    w.document.edit.add_component("service", name="api")
    gate, written_on = threading.Event(), []
    _slow_autosave(w, gate, written_on)
    w.write_autosave(wait=False)
    QTimer.singleShot(20, gate.set)
    w.close()
    assert written_on and w._autosave_job is None
    assert not w.autosave.path.exists() and not w.autosave.info_path.exists()
