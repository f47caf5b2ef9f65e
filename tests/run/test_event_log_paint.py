"""The event log repaints only what new events changed, and what it shows is what a whole repaint shows."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from app import theme
from app.run.event_log import ALL, COLUMNS, KIND_COLUMN, SHORT_VARIANT_LABELS, kind_colour, kind_label
from app.run.formatting import format_time, text_colour
from benchmarks.bench_event_log import add_batch, comparison_session, event_log_window
from engine.model import parse_design

_ROOT = QModelIndex()
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


def _live_log(qtbot, design=None, experiment=None):
    window, log, variants = event_log_window(600, 400, design, experiment)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    return window, log, variants


def _add(variants, step: int, behind: float) -> None:
    add_batch(variants, step, behind, KINDS)


def _three_tier():
    return parse_design((Path(__file__).resolve().parents[2] / "resources" / "examples" / "three_tier.json")
                        .read_text())


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


def test_a_new_runs_first_events_repaint_only_their_rows_once(qtbot):
    """As later batches do: the log emptied at the run's start, and the filter saying its header changed
    once its first rows came, were each taken for rows moved, and the first batch painted the whole
    table twice."""
    window, log, variants = _live_log(qtbot, _three_tier(), "database outage")  # a live run knows its design
    _settle()
    painted = _Painted()
    viewport = log.view.viewport()
    viewport.installEventFilter(painted)
    _add(variants, 0, 2.6)
    log.session_updated()
    for _ in range(4):
        QApplication.processEvents()
    rows = log.proxy.rowCount()
    assert rows == 6 and len(painted.rects) == 1
    assert painted.rects[0].top() == 0 and painted.rects[0].height() <= rows * log.view.rowHeight(0)
    assert painted.rects[0].width() == viewport.width()
    shown = _picture(window, viewport)
    viewport.repaint()
    assert _picture(window, viewport) == shown


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


class _LayoutRequests(QObject):
    """How many times a widget was asked to lay its children out again."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_new_events_lay_the_log_out_again_only_when_the_count_or_a_filter_widens(qtbot):
    """The event count changes with every batch: each change laid out the filters' row and the table."""
    window, log, variants = _live_log(qtbot)
    for step in range(5):  # every kind of the batches in the Kind list, and a count of two digits
        _add(variants, step, 2.6)
        log.session_updated()
        _settle()
    requests = _LayoutRequests()
    log.installEventFilter(requests)
    width = log.count_label.width()
    for step in range(5, 16):
        _add(variants, step, 2.6)
        log.session_updated()
        _settle()
    # One a batch (11) before; now only Qt's own (a view's delayed layouts, 0-2 at no fixed batch).
    assert log.count_label.text() == "96 events" and requests.count <= 3
    # A longer count still shows whole, and the label never narrows after it.
    log.proxy.set_filter("retry", ALL, ALL)
    log._update_count()
    _settle()
    assert log.count_label.width() >= log.count_label.fontMetrics().horizontalAdvance(log.count_label.text())
    assert log.count_label.width() > width
    log.proxy.set_filter(ALL, ALL, ALL)
    log._update_count()
    assert log.count_label.width() > width
    log.show_session(comparison_session())  # a new run's count is as wide as its own words
    _settle()
    assert log.count_label.text() == "0 events" and log.count_label.width() < width


class _Asked(QAbstractTableModel):
    """The log's rows answered role by role from the events at each paint, as the log once did:
    what its prepared cells must look like."""

    def __init__(self, events, highlighted):
        super().__init__()
        self.events, self.highlighted = events, highlighted

    def rowCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        e, col = self.events[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{e['time']:.3f}" if e["time"] < 600 else format_time(e["time"]),
                    SHORT_VARIANT_LABELS[e["variant"]], e.get("link") or e["component"], kind_label(e["kind"]),
                    e["details"])[col]
        if role == Qt.ItemDataRole.UserRole:
            return e["time"]
        if role == Qt.ItemDataRole.ForegroundRole and col == 3 and (colour := kind_colour(e["kind"])):
            light = QGuiApplication.palette().base().color().lightness() >= 128
            return QColor(text_colour(colour) if light else colour)
        if role == Qt.ItemDataRole.BackgroundRole and index.row() in self.highlighted:
            colour = QGuiApplication.palette().highlight().color()
            colour.setAlpha(70)
            return colour
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_prepared_cells_draw_what_asking_the_events_at_each_paint_drew(qtbot, qapp, look):
    old = qapp.palette()
    qapp.setPalette(theme.light_palette())
    try:
        window, log, variants = _live_log(qtbot)
        for step in range(12):
            _add(variants, step, 2.6)
        for data in variants.values():
            data.events.append({"time": 1234.5, "kind": "outstanding_limit_reached", "component": "db",
                                "link": "app -> db", "details": "past ten minutes"})
        log.session_updated()
        log.follow_time(3.0, 5.0)  # some rows highlighted
        qapp.setPalette(theme.dark_palette() if look == "dark" else theme.light_palette())  # colours follow
        _settle()
        viewport = log.view.viewport()
        prepared = viewport.grab().toImage()
        bar = log.view.verticalScrollBar()
        scrolled = bar.value()
        assert 0 < scrolled < bar.maximum()  # the highlighted rows in view, not the first nor the last
        asked = QSortFilterProxyModel()
        asked.setSourceModel(_Asked(log.model.events, log.model.highlighted))
        asked.setSortRole(Qt.ItemDataRole.UserRole)
        log.view.setModel(asked)
        asked.sort(0)
        _settle()
        bar.setValue(scrolled)
        _settle()
        assert log.view.model().rowCount() == 6 * 12 + 2
        assert viewport.grab().toImage() == prepared
    finally:
        qapp.setPalette(old)


def test_sorting_by_a_column_and_back_by_time(qtbot):
    window, log, variants = _live_log(qtbot)
    for step in range(5):
        _add(variants, step, 2.6)
    log.session_updated()
    log.view.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # Details, by its words
    details = [e["details"] for e in log.visible_events()]
    assert details == sorted(details, reverse=True)
    log.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # Time by the time: 10.0 after 9.5, not before
    times = [e["time"] for e in log.visible_events()]
    assert times == sorted(times) and times != sorted(times, key=lambda t: f"{t:.3f}")


def test_a_longer_kind_arriving_mid_run_never_widens_the_kind_column(qtbot):
    """The column is fitted at the run's start to every kind the design can write: widening it when a
    longer kind first arrives repainted the whole table mid-run."""
    design = _three_tier()
    window, log, variants = _live_log(qtbot, design, "database outage")
    width = log.view.columnWidth(KIND_COLUMN)
    metrics = log.view.fontMetrics()
    can = design.log_kinds("database outage")
    assert "instance_restarted" in can
    assert all(metrics.horizontalAdvance(kind_label(k)) + 8 <= width for k in can)
    assert not log.view.horizontalScrollBar().isVisible()  # empty, nothing to scroll sideways to
    protected = variants["protected"].events
    for step, kind in enumerate(["fault_started"] * 3 + ["breaker_opened", "instance_crashed", "instance_restarted",
                                                         "breaker_half_open", "bulkhead_saturated"]):
        protected.append({"time": step * 0.5, "kind": kind, "component": "db", "details": ""})
        log.session_updated()
        _settle()
        assert log.view.columnWidth(KIND_COLUMN) == width, kind


def test_a_window_closed_and_dropped_with_its_log_raises_nothing(qtbot):
    """The log watches its window for theme switches; the window's last events, sent while it is torn
    down after the log's Python side has gone, must not reach a half-gone log (pytest-qt fails a test
    on an exception raised inside a Qt virtual such as eventFilter)."""
    import gc

    window, log, variants = event_log_window(600, 400)
    qtbot.waitExposed(window)
    _add(variants, 0, 2.6)
    log.session_updated()
    _settle()
    window.close()
    del window, log, variants
    gc.collect()
    _settle()


@pytest.mark.parametrize("width", [900, 1600])
def test_the_component_column_shows_whole_links_where_the_table_has_room(qtbot, width):
    """A breaker's events name their link, which the column's fixed 104 px cut to "frontend -> …"
    even with the Details column hundreds of pixels wide."""
    from app.run.event_log import PLACE_COLUMN

    design = parse_design((Path(__file__).resolve().parents[2] / "resources" / "examples" / "microservices.json")
                          .read_text())
    window, log, variants = _live_log(qtbot, design)
    window.resize(width, 400)
    _settle()
    longest = max((f"{design.name_of(k.source)} -> {design.name_of(k.target)}" for k in design.links), key=len)
    needed = log.view.fontMetrics().horizontalAdvance(longest)
    shown = log.view.columnWidth(PLACE_COLUMN)
    assert shown >= min(needed, log.view.viewport().width() // 4) and shown > 104, (shown, needed)
    if width == 1600:
        assert shown >= needed                       # the whole name: room enough
    variants["protected"].events.append({"time": 1.0, "kind": "breaker_opened", "component": "api",
                                         "link": longest, "details": "CLOSED -> OPEN"})
    log.session_updated()
    _settle()
    cell = log.proxy.index(0, PLACE_COLUMN)
    assert cell.data() == longest and cell.data(Qt.ItemDataRole.ToolTipRole) == longest
