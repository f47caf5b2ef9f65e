"""Fixtures for the editor's Qt tests: an isolated main window, and checks that nothing keeps running."""
from __future__ import annotations

import gc

import pytest
from editor_helpers import build_three_tier


def pytest_collection_modifyitems(config, items):
    # Qt warnings fail the editor's tests; the offscreen platform's notes on what it cannot do
    # (raise, size hints) are noise.
    for item in items:
        if "tests/app/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support"))


@pytest.fixture(autouse=True)
def _nothing_left_running(request):
    """Fail a test that leaves a QTimer active or a QThread running (napari's rule)."""
    yield
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        return
    from PySide6.QtCore import QThread, QTimer

    gc.collect()
    timers = [o for o in gc.get_objects() if isinstance(o, QTimer) and _alive(o) and o.isActive()]
    threads = [o for o in gc.get_objects() if isinstance(o, QThread) and _alive(o) and o.isRunning()
               and o is not QThread.currentThread()]
    for t in timers:
        t.stop()
    if timers or threads:
        pytest.fail(f"left running: {len(timers)} QTimer(s), {len(threads)} QThread(s)")


def _alive(obj) -> bool:
    from shiboken6 import Shiboken

    return Shiboken.isValid(obj)


@pytest.fixture
def doc(qapp):
    from app.document import ProjectDocument

    document = ProjectDocument()
    yield document
    document.deleteLater()


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """A main window with its own settings, recent list and recovery folder; never prompts."""
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow
    from app.store import Autosave, RecentFiles

    monkeypatch.setattr(MainWindow, "ask_save_changes", lambda self: "discard")
    monkeypatch.setattr(MainWindow, "show_error", lambda self, title, message: setattr(self, "last_error", message))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings, RecentFiles(tmp_path / "data"), Autosave(tmp_path / "recovery"))
    w.last_error = None
    qtbot.addWidget(w)
    w.resize(1300, 820)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def three_tier(doc):
    return build_three_tier(doc)
