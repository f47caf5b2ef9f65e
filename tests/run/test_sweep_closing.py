"""Closing the sweep or "Suggest fixes" window while it searches: Escape closed the window and left
the search running (its end then went to a deleted window, with a traceback); the close button
froze the main window until the run under way had finished; Stop said nothing for seconds."""
from __future__ import annotations

import threading
from time import monotonic

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from shiboken6 import Shiboken

from app.run.sweep_dialog import SweepDialog
from app.run.sweep_suggest import SuggestDialog

# a search's end sent to a deleted window raises on the search's thread
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def _searching(dialog, gate: threading.Event) -> None:
    """Start a search that ends when ``gate`` opens (or after 5 s), whether asked to stop or not:
    a run under way does not look at Stop."""
    dialog.launch(lambda: "finished" if gate.wait(5) else "gate never opened", (), "test")


@pytest.mark.parametrize("kind", [SweepDialog, SuggestDialog])
def test_escape_stops_the_search_and_the_window_goes_once_the_search_has_ended(qtbot, design, kind):
    dialog = kind(design)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as the main window opens it
    gone = []
    dialog.destroyed.connect(lambda: gone.append(True))
    dialog.show()
    qtbot.waitExposed(dialog)
    gate = threading.Event()
    _searching(dialog, gate)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.wait(50)  # a deleteLater would have run by now
    assert not gone and Shiboken.isValid(dialog) and not dialog.isVisible()
    assert dialog._stop.is_set() and dialog.status.text() == "Stopping…"
    gate.set()
    qtbot.waitUntil(lambda: bool(gone), timeout=5_000)


def test_closing_does_not_wait_for_the_run_under_way(qtbot, design):
    dialog = SweepDialog(design)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    gate = threading.Event()
    _searching(dialog, gate)
    began = monotonic()
    dialog.close()
    assert monotonic() - began < 0.1   # was as long as the run took: seconds, or minutes
    assert dialog._stop.is_set() and dialog.running
    with qtbot.waitSignal(dialog.ended, timeout=5_000):
        gate.set()
    assert not dialog.running


def test_stop_says_stopping_until_the_search_has_ended(qtbot, design):
    dialog = SuggestDialog(design)
    qtbot.addWidget(dialog)
    gate = threading.Event()
    _searching(dialog, gate)
    dialog.stop()
    assert dialog.status.text() == "Stopping…" and not dialog.stop_button.isEnabled()
    dialog.progressed.emit(1, 4)   # the run under way finishing: the bar moves, the words stay
    assert dialog.progress.value() == 1 and dialog.status.text() == "Stopping…"
    with qtbot.waitSignal(dialog.ended, timeout=5_000):
        gate.set()
    assert dialog.status.text() == "finished" and dialog.run_button.isEnabled()


def test_a_sweep_on_worker_processes_closed_midway_ends_and_its_window_goes(qtbot, design):
    dialog = SweepDialog(design)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    gone = []
    dialog.destroyed.connect(lambda: gone.append(True))
    dialog.params.cellWidget(0, 0).setCurrentText("api.workers")
    dialog.params.cellWidget(0, 1).setText("1:16:1")
    dialog.replications.setValue(2)
    dialog.duration.setValue(30)
    dialog.workers.setValue(2)
    dialog.show()
    thread = []
    with qtbot.waitSignal(dialog.progressed, timeout=60_000):
        dialog.start()
        thread.append(dialog._thread)
    dialog.reject()
    qtbot.waitUntil(lambda: bool(gone), timeout=60_000)
    assert not thread[0].is_alive()   # the sweep's thread, and with it its executor, is done
