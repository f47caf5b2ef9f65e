"""The event log repaints only what new events changed, and what it shows is what a whole repaint shows."""
from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMainWindow

from app.run.event_log import EventLog

KINDS = ("fault_started", "breaker_opened", "breaker_half_open", "breaker_closed", "instance_crashed", "retry")


class _Painted(QObject):
    """The bounding rectangles of the paints a widget receives."""

    def __init__(self):
        super().__init__()
        self.rects: list = []

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.region().boundingRect())
        return False


def _live_log(qtbot):
    variants = {v: SimpleNamespace(events=[], result=None) for v in ("protected", "unprotected")}
    session = SimpleNamespace(variants=variants, components=["web", "app", "db"], variant_names=list(variants),
                              is_comparison=True, done=False)
    window = QMainWindow()
    log = EventLog()
    window.setCentralWidget(log)
    window.resize(600, 400)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    log.show_session(session)
    return window, log, variants


def _add(variants, step: int, behind: float) -> None:
    """Three events in each run; the second run's lag ``behind`` seconds, so they sort in among the first's."""
    for lag, data in zip((0.0, behind), variants.values()):
        for i in range(3):
            t = step * 1.1 + i * 0.37 - lag
            data.events.append({"time": t, "kind": KINDS[(step + i) % len(KINDS)], "component": "app",
                                "details": f"event {step}.{i}"})


def _settle() -> None:
    """Let the view lay out the new rows (a zero timer when it is not scrolled) and paint them."""
    for _ in range(2):
        QApplication.processEvents()


def _picture(window, widget) -> QImage:
    """What the window's backing store holds of ``widget`` (a grab of the widget would paint it anew)."""
    screen = QApplication.primaryScreen()
    origin = widget.mapTo(window, widget.rect().topLeft())
    return screen.grabWindow(window.winId(), origin.x(), origin.y(), widget.width(), widget.height()).toImage()


def test_new_events_repaint_only_the_rows_from_the_first_new_one_down(qtbot):
    window, log, variants = _live_log(qtbot)
    painted = _Painted()
    viewport = log.view.viewport()
    viewport.installEventFilter(painted)
    for step in range(60):  # well past a viewport's worth: the log follows the newest at the bottom
        _add(variants, step, 0.0)
        log.session_updated()
        _settle()
    bar = log.view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    painted.rects.clear()
    _add(variants, 60, 0.0)
    log.session_updated()
    _settle()
    assert painted.rects, "the new rows were painted"
    assert all(r.top() > viewport.height() // 2 for r in painted.rects)  # the rows above were left as they were
    assert log.model.rowCount() == 6 * 61


def test_what_the_log_shows_after_partial_repaints_is_a_whole_repaint(qtbot):
    window, log, variants = _live_log(qtbot)
    viewport = log.view.viewport()
    bar = log.view.verticalScrollBar()
    for step in range(80):
        # The second run's events sort in several rows above the newest: rows move below them.
        _add(variants, step, 2.6)
        if step == 50:
            bar.setValue(bar.value() - 3 * log.view.rowHeight(0))  # the reader scrolls up a little
        log.session_updated()
        _settle()
        if step % 10 == 9 or step in (50, 51):
            shown = _picture(window, viewport)
            viewport.repaint()
            assert _picture(window, viewport) == shown, f"stale rows after step {step}"
    assert bar.value() < bar.maximum()  # scrolled up, the log stopped following
    times = [e["time"] for e in log.visible_events()]
    assert times == sorted(times) and len(times) == 6 * 80


def test_events_filling_the_table_do_not_narrow_it(qtbot):
    """A scroll bar appearing as a live run's events overflow the table would narrow its viewport,
    and the table repaints whole on a resize."""
    window, log, variants = _live_log(qtbot)
    viewport = log.view.viewport()
    width = viewport.width()
    for step in range(40):
        _add(variants, step, 0.0)
        log.session_updated()
        _settle()
    assert log.view.verticalScrollBar().maximum() > 0  # the events overflowed the table
    assert viewport.width() == width
