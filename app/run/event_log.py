"""The event log dock: a run's events (faults, crashes, breaker transitions, ...) with filters."""
from __future__ import annotations

import csv
import io
import struct
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, QRegularExpression, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import text_cell
from engine.events import event_kind

from ..store import ProjectFileError, save_file
from .formatting import COLOURS, event_time, text_colour
from .plot_export import CSV_ENCODING, default_file_name
from .session import VARIANT_LABELS, RunSession

ALL = "__all__"
SHORT_VARIANT_LABELS = {"protected": "with", "unprotected": "without", "baseline": "no faults"}
COLUMNS = ("Time", "Run", "Component", "Kind", "Details")
KIND_COLUMN = COLUMNS.index("Kind")
PLACE_COLUMN = COLUMNS.index("Component")


def kind_label(kind: str) -> str:
    """An event kind's words (``engine.events``)."""
    return event_kind(kind).label


def kind_colour(kind: str) -> str | None:
    """The colour of an event kind's tone, or None for a neutral one."""
    tone = event_kind(kind).tone
    return COLOURS[tone] if tone else None


# The Time column sorts by this key: the time, then the run (in the session's order), then the run's own
# order; the order ``RunSession.merged_events`` gives, whichever run's events arrived first.
_ORDER_ROLE = int(Qt.ItemDataRole.UserRole)
_DOUBLE, _BITS, _ORDER = struct.Struct(">d"), struct.Struct(">Q"), struct.Struct(">QII")
# What the filters match, on the Time cell: "kind|run|component|link's target" (see EventFilter).
_FILTER_ROLE = _ORDER_ROLE + 1
_SEP = "\x1f"  # between the filter key's fields: a character no name or kind contains
# Roles and flags as plain ints: converting an enum member costs a call more than the call itself.
_TIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class EventLogModel(QStandardItemModel):
    """Rows are event dicts as the engine logs them, tagged with their variant, in the order they came.

    Each row's cells are made once, when its event arrives: words, tooltips and colours held by
    Qt's own item model, so a repaint asks no Python code for anything. Asked of a Python model,
    the seven roles of each visible cell through the filter cost a whole repaint 5 to 15 ms, the
    window's longest tick while a run streams in. The Kind column's colours follow the theme when
    told (``follow_palette``: the ``EventLog`` showing it tells it).

    The rows stay where they came: the view's sort puts them in time order (``EventFilter``), and
    moving 20,000 rows of cells into that order at a comparison's end cost 160 ms.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self._events: list[dict[str, Any]] = []
        self._order_keys: list[str] = []  # each row's sort key (_ORDER_ROLE)
        self._time_order: tuple[list[int], list[float]] | None = None  # the rows, and their times, by time
        self._logged: dict[str, int] = {}  # events of each run so far
        self.runs: dict[str, int] = {}  # each run's place among the session's: first at equal times
        self.kinds: set[str] = set()  # of the events, kept as they come: a live log grows by the thousand
        self.places: set[str] = set()  # the components and links the events name, kept likewise
        self.highlighted: list[int] = []  # rows at the time slider's time, in time order
        self._light = _light_theme()
        self._colours: dict[str, QColor | None] = {}

    @property
    def events(self) -> list[dict[str, Any]]:
        return self._events

    @events.setter
    def events(self, events: list[dict[str, Any]]) -> None:
        self.set_events(events)

    def set_events(self, events: list[dict[str, Any]], runs: Iterable[str] = ()) -> None:
        """Show ``events`` instead; ``runs`` names the session's runs in its order."""
        self.beginResetModel()
        # Row by row with the signals held: the reset tells views and the filter once, at its end.
        blocked = self.blockSignals(True)
        try:
            self.setRowCount(0)
            self._events, self._order_keys, self._logged = [], [], {}
            self.runs = {v: place for place, v in enumerate(runs)}
            self.kinds = set()
            self.places = set()
            self.append(events)
        finally:
            self.blockSignals(blocked)
        self.highlighted = []
        self.endResetModel()

    def append(self, events: list[dict[str, Any]]) -> None:
        self._time_order = None
        for e in events:
            self._events.append(e)
            self.kinds.add(e["kind"])
            self.places.add(e.get("link") or e.get("component") or "")
            self.appendRow(self._cells(e))

    def _cells(self, e: dict[str, Any]) -> list[QStandardItem]:
        t, variant, kind, details = e["time"], e.get("variant", ""), e["kind"], e.get("details", "")
        nth = self._logged.get(variant, 0)
        self._logged[variant] = nth + 1
        key = _order_key(t, self.runs.setdefault(variant, len(self.runs)), nth)
        self._order_keys.append(key)
        when = QStandardItem(event_time(t))
        when.setData(key, _ORDER_ROLE)
        when.setData(_RIGHT, _ALIGNMENT_ROLE)
        when.setData(_SEP.join((kind, variant or "", e.get("component") or "", _target(e.get("link")) or "")),
                     _FILTER_ROLE)
        run = QStandardItem(SHORT_VARIANT_LABELS.get(variant, variant))
        if tip := VARIANT_LABELS.get(variant, ""):
            run.setData(tip, _TIP_ROLE)
        what = QStandardItem(kind_label(kind))
        if tip := event_kind(kind).help:
            what.setData(tip, _TIP_ROLE)
        if (colour := self._colour(kind)) is not None:
            what.setData(colour, _FOREGROUND_ROLE)
        said = QStandardItem(details)
        if details:
            said.setData(details, _TIP_ROLE)
        place = QStandardItem(e.get("link") or e.get("component") or "")
        place.setData(place.text(), _TIP_ROLE)
        return [when, run, place, what, said]

    def _colour(self, kind: str) -> QColor | None:
        try:
            return self._colours[kind]
        except KeyError:
            # Yellow reads on a dark background; on a light one, in its darker tone.
            tone = kind_colour(kind)
            colour = self._colours[kind] = QColor(text_colour(tone) if self._light else tone) if tone else None
            return colour

    def follow_palette(self, *_args) -> None:
        """The theme changed: the Kind column's colours and the highlight follow it."""
        light = _light_theme()
        if light != self._light:
            self._light, self._colours = light, {}
            if self._events:
                # Item by item with the signals held, then one change for the column.
                blocked = self.blockSignals(True)
                try:
                    for row, e in enumerate(self._events):
                        if (colour := self._colour(e["kind"])) is not None:
                            self.item(row, KIND_COLUMN).setData(colour, _FOREGROUND_ROLE)
                finally:
                    self.blockSignals(blocked)
                self.dataChanged.emit(self.index(0, KIND_COLUMN), self.index(len(self._events) - 1, KIND_COLUMN),
                                      [Qt.ItemDataRole.ForegroundRole])
        self._paint_highlight(self.highlighted, True)

    def _by_time(self) -> tuple[list[int], list[float]]:
        """The rows in the order the view sorts them by time, and their times; made when first asked
        after a change (a time slider asks again and again of a finished run)."""
        if self._time_order is None:
            rows = sorted(range(len(self._events)), key=self._order_keys.__getitem__)
            self._time_order = rows, [self._events[row]["time"] for row in rows]
        return self._time_order

    def highlight(self, start: float, end: float) -> list[int]:
        """Mark the rows whose time falls in [start, end). Returns them, in time order."""
        rows, times = self._by_time()
        marked = rows[bisect_left(times, start):bisect_left(times, end)]
        old, self.highlighted = self.highlighted, marked
        self._paint_highlight(old, False)
        self._paint_highlight(marked, True)
        return marked

    def clear_highlight(self) -> None:
        self._paint_highlight(self.highlighted, False)
        self.highlighted = []

    def row_before(self, t: float) -> int | None:
        """The row of the last event before ``t`` (of the first event if none is before); None if there are none."""
        rows, times = self._by_time()
        return rows[max(0, bisect_left(times, t) - 1)] if rows else None

    def _paint_highlight(self, rows: list[int], on: bool) -> None:
        if not rows:
            return
        colour = None
        if on:
            colour = QGuiApplication.palette().highlight().color()
            colour.setAlpha(70)
        # Item by item with the signals held, then one change for the rows.
        blocked = self.blockSignals(True)
        try:
            for row in rows:
                for col in range(len(COLUMNS)):
                    self.item(row, col).setData(colour, Qt.ItemDataRole.BackgroundRole)
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(COLUMNS) - 1),
                              [Qt.ItemDataRole.BackgroundRole])

    def event_at(self, row: int) -> dict[str, Any]:
        return self._events[row]


def hold_width(label: QLabel) -> None:
    """Fix ``label``'s size at the widest its words have needed so far. A label of fixed size whose
    words change asks its row for no new layout: the event count, new with every batch of events,
    laid the filters and the table out again each time; now its row moves only when it widens.
    (A list's width is left alone: fixed at its longest item, the Kind list widened the window
    past a 1280 px screen.)"""
    hint = label.sizeHint()
    width = max(hint.width(), label.minimumWidth())
    if (label.minimumWidth(), label.maximumWidth(), label.minimumHeight(), label.maximumHeight()) != \
            (width, width, hint.height(), hint.height()):
        label.setFixedSize(width, hint.height())


def _order_key(t: float, run: int, nth: int) -> str:
    """Words that sort as (t, run, nth) does: a double's bits, the sign flipped (all of them when
    negative), sort as its value; + 0.0 makes -0.0 the 0.0 it equals."""
    (bits,) = _BITS.unpack(_DOUBLE.pack(t + 0.0))
    return _ORDER.pack(bits ^ 0xFFFF_FFFF_FFFF_FFFF if bits >> 63 else bits | 1 << 63, run, nth).hex()


def _light_theme() -> bool:
    return QGuiApplication.palette().base().color().lightness() >= 128


class EventFilter(QSortFilterProxyModel):
    """Shows the events of one kind, component and variant (or all of each).

    The rows are matched by Qt itself, a regular expression against each row's filter key: a
    filter method in Python was called once per row on every change of filter and for every row
    a live run appends.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = ALL
        self.component = ALL
        self.variant = ALL
        self.setFilterKeyColumn(0)
        self.setFilterRole(_FILTER_ROLE)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        # Time by the time (and the order of the logs at equal times), the rest by their words.
        self.setSortRole(_ORDER_ROLE if column == 0 else Qt.ItemDataRole.DisplayRole)
        super().sort(column, order)

    def set_filter(self, kind: str, component: str, variant: str) -> None:
        self.kind, self.component, self.variant = kind, component, variant
        self.setFilterRegularExpression(filter_pattern(kind, component, variant))


def filter_pattern(kind: str, component: str, variant: str) -> QRegularExpression:
    """The expression a row's filter key matches when its event is of ``kind``, of run ``variant``,
    and at ``component`` or on a link into it (``ALL``: any). All three ``ALL``: the empty
    expression, which Qt lets every row through on without matching."""
    if kind == component == variant == ALL:
        return QRegularExpression()
    field = f"[^{_SEP}]*"

    def exactly(value: str) -> str:
        return field if value == ALL else QRegularExpression.escape(value)

    where = field + _SEP + field if component == ALL else \
        f"(?:{exactly(component)}{_SEP}{field}|{field}{_SEP}{exactly(component)})"
    return QRegularExpression(f"^{exactly(kind)}{_SEP}{exactly(variant)}{_SEP}{where}$")


def _target(link: str | None) -> str | None:
    return link.split(" -> ")[-1] if link else None


class EventTable(QTableView):
    """The events' table, repainting only the rows from the first new one down when events arrive.

    A table view answers rows inserted with a repaint of its whole viewport: for a live run's
    log that was every visible cell's data asked of the model, 7 to 15 ms a batch of events,
    the window's longest tick. Rows above the first new one have not changed, nor moved, nor has
    the empty space below the last; anything else (rows removed, a new sort or filter, a reset)
    still repaints it whole.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._fresh: int | None = None  # the first row inserted since the last layout
        self._whole = False  # rows moved or made anew since the last layout
        self._header_words = False  # the header's words said to have changed since the last layout
        # Where the viewport's picture is out of date until its next paint: a scroll before that paint
        # moves the picture, and with it what is out of date.
        self._stale_from: int | None = None

    def setModel(self, model) -> None:
        super().setModel(model)
        for signal in (model.rowsAboutToBeRemoved, model.layoutChanged, model.modelReset,
                       model.columnsInserted, model.columnsRemoved, model.rowsMoved):
            signal.connect(self._changed_whole)
        # A proxy says so of its columns' headers when its source's first rows arrive (it may read
        # them from the first row), a moment later: the view lays out its items anew on that, and a
        # live run's first batch of events repainted the whole table twice.
        model.headerDataChanged.connect(self._header_changed)

    def _changed_whole(self, *_args) -> None:
        if self.model().rowCount():
            self._whole = True
        else:
            # Left empty (a new run's log): nothing to lay out, and the view need not lay it out before
            # its first rows arrive, which would be taken for a change of the whole then.
            self.viewport().update()

    def _header_changed(self, *_args) -> None:
        self._header_words = True

    def rowsInserted(self, parent, start: int, end: int) -> None:
        if not parent.isValid():
            self._fresh = start if self._fresh is None else min(self._fresh, start)
        super().rowsInserted(parent, start, end)

    def doItemsLayout(self) -> None:
        fresh, whole, words = self._fresh, self._whole, self._header_words
        self._fresh, self._whole, self._header_words = None, False, False
        if whole or (fresh is None and not words):  # or laid out for a reason of Qt's own
            super().doItemsLayout()
            return
        self.updateGeometries()  # the header repaints its own words; a new height resizes the viewport
        if fresh is None:
            return
        rows = self.model().rowCount()
        if fresh >= rows:
            return
        last = rows - 1
        self._mark_stale(self.rowViewportPosition(fresh), self.rowViewportPosition(last) + self.rowHeight(last))

    def _mark_stale(self, top: int, bottom: int | None = None) -> None:
        viewport = self.viewport()
        top = max(0, top)
        bottom = viewport.height() if bottom is None else min(bottom, viewport.height())
        self._stale_from = top if self._stale_from is None else min(self._stale_from, top)
        if top < bottom:
            viewport.update(QRect(0, top, viewport.width(), bottom - top))

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        # dx, dy are in the scroll bars' steps: the header's offset tells the pixels.
        before = self.verticalHeader().offset()
        super().scrollContentsBy(dx, dy)
        moved = before - self.verticalHeader().offset()
        if self._stale_from is not None and moved:
            stale, self._stale_from = self._stale_from, None
            self._mark_stale(stale + moved)

    def paintEvent(self, event) -> None:
        self._stale_from = None
        super().paintEvent(event)


class EventLog(QWidget):
    """Table of events with kind / component / run filters; activating a row emits ``event_activated``."""

    _palette_window: QWidget | None = None  # the top-level window watched for theme switches

    event_activated = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: RunSession | None = None
        self._shown: dict[str, list[dict[str, Any]]] = {}  # each run's events shown, as the run logged them
        self.model = EventLogModel(self)
        self._fitted_places = 0   # the model's places the Component column was last fitted to
        self._place_width = 0
        self.proxy = EventFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setDynamicSortFilter(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        filters = QHBoxLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.setToolTip("Show events of one kind")
        self.component_combo = QComboBox()
        self.component_combo.setToolTip("Show events of one component (or links into it)")
        self.variant_combo = QComboBox()
        self.variant_combo.setToolTip("Show events of one run of the comparison")
        for combo in (self.kind_combo, self.component_combo, self.variant_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._apply_filter)
        filters.addWidget(QLabel("Kind"))
        filters.addWidget(self.kind_combo)
        filters.addWidget(QLabel("Component"))
        filters.addWidget(self.component_combo)
        filters.addWidget(self.variant_combo)
        filters.addStretch(1)
        self.count_label = QLabel()
        self.csv_button = QToolButton()
        self.csv_button.setText("CSV…")
        self.csv_button.setToolTip("Save the events shown (as filtered) as CSV")
        self.csv_button.clicked.connect(self._export_csv_dialog)
        # The count and CSV… go on a line of their own where the filters need the row: in the
        # dock beside a 1280x720 window's dashboard they squeezed the Kind filter to "bre".
        self._filters, self._tail = filters, QHBoxLayout()
        self._tail.addStretch(1)
        layout.addLayout(filters)
        layout.addLayout(self._tail)
        self._place_tail()
        self.view = EventTable()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.view.setAlternatingRowColors(True)
        # A pixel at a time: scrolled a row at a time, the view's picture moved by other than the
        # rows' own offset when it followed new events, and rows painted only from the new ones down
        # were drawn out of step with those above.
        self.view.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        # Shown from the start: a bar appearing once a live run's events fill the table narrows the
        # viewport, and a table repaints whole on that (11-15 ms, the window's longest tick).
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setColumnWidth(0, 64)
        self.view.setColumnWidth(1, 56)
        self.view.setColumnWidth(2, 104)
        self.view.setColumnWidth(3, 116)
        self.view.clicked.connect(self._on_clicked)
        self.view.activated.connect(self._on_clicked)
        layout.addWidget(self.view, 1)
        self._fill_filters()

    # -- theme ---------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._watch_window()

    def _watch_window(self) -> None:
        """Listen at the log's top-level window for a new application palette (a theme switch).

        Qt tells each top-level window with ApplicationPaletteChange; the widgets inside get no
        PaletteChange once the application has a style sheet (their palettes are the sheet's), and a
        filter on the application would run Python for every event of every widget. The window's
        own events are few."""
        window = self.window()
        if window is self._palette_window:
            return
        if self._palette_window is not None:
            try:
                self._palette_window.removeEventFilter(self)
            except RuntimeError:  # that window is gone
                pass
        window.installEventFilter(self)
        self._palette_window = window

    def eventFilter(self, watched, event) -> bool:
        # The type first: a window torn down after the log's Python side has gone still sends its last
        # events here, and the instance's attributes are gone by then (the class default stands in).
        if event.type() == QEvent.Type.ApplicationPaletteChange and watched is self._palette_window:
            self.model.follow_palette()
        return super().eventFilter(watched, event)

    # -- sessions ----------------------------------------------------------
    def show_session(self, session: RunSession | None) -> None:
        self.session = session
        self.count_label.setMinimumWidth(0)  # a new run's count: as wide as its words (see hold_width)
        self._shown = {}
        self.model.set_events([])
        if session is not None and session.done:
            self.model.set_events(session.merged_events(), session.variants)
            self._shown = {v: list(d.events) for v, d in session.variants.items()}
        self.view.setColumnHidden(1, session is None or not session.is_comparison)
        if session is not None and session.design is not None:
            # Wide enough now for every kind the run can write: a column widening when a longer kind
            # first arrives would repaint the whole table mid-run.
            self._fit_kind_column(sorted(session.design.log_kinds(session.experiment)))
            design = session.design
            self.model.places.update(c.name for c in design.components)
            names = design.names()  # once: name_of made the table again for each end of each link
            self.model.places.update(design.link_name(k, names) for k in design.links)
            self._fit_place_column()
        self._fill_filters()

    def session_updated(self) -> bool:
        """Append events that arrived with the latest frames; False when none had."""
        session = self.session
        if session is None:
            return False
        new = self._take_new_events(session)
        if new:
            self._append(new)
        return bool(new)

    def _append(self, events: list[dict[str, Any]]) -> None:
        bar = self.view.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 2
        self.model.append(events)
        self._refresh_kinds()
        self._update_count()
        if following:
            # Keep the newest events in view unless the reader has scrolled up to look at older ones.
            self.view.scrollToBottom()

    def _take_new_events(self, session: RunSession) -> list[dict[str, Any]]:
        """The events of each run beyond those shown, tagged with their run; now counted as shown."""
        new: list[dict[str, Any]] = []
        for v, data in session.variants.items():
            self.model.runs.setdefault(v, len(self.model.runs))
            shown = self._shown.setdefault(v, [])
            if len(data.events) > len(shown):
                fresh = data.events[len(shown):]
                shown.extend(fresh)
                new.extend({**e, "variant": v} for e in fresh)
        return new

    def session_ended(self) -> None:
        """The final logs replace what arrived live (they are complete): the events not shown yet are
        added, and the view's sort puts them among the others, as ``show_session`` would show them."""
        session = self.session
        if session is None or not session.done or not self._begins_with_shown(session):
            self.show_session(session)
            return
        self.model.clear_highlight()  # as rows made anew would be
        self._append(self._take_new_events(session))

    def _begins_with_shown(self, session: RunSession) -> bool:
        """Whether each run's final log begins with the events shown live. It holds the very dicts a live
        run sent (the engine makes each entry's once), which compare at no cost."""
        return all(v in session.variants and session.variants[v].events[:len(shown)] == shown
                   for v, shown in self._shown.items())

    def follow_time(self, start: float, end: float) -> list[dict[str, Any]]:
        """Highlight the events in [start, end) and scroll to them; returns them.

        With none in that span the table scrolls to the last event before it,
        so the reader sees what led up to the slider's time.
        """
        rows = self.model.highlight(start, end)
        target = rows[0] if rows else self.model.row_before(start)
        if target is None:
            return []
        index = self.proxy.mapFromSource(self.model.index(target, 0))
        if index.isValid():
            self.view.scrollTo(index, QTableView.ScrollHint.PositionAtCenter)
        if rows and index.isValid():
            # The last of them in view too, as far as the table's height allows: the table scrolls by
            # the pixel, and centring the first could leave the last a row below the view.
            last = self.proxy.mapFromSource(self.model.index(rows[-1], 0))
            first = self.view.visualRect(index)
            if last.isValid() and self.view.visualRect(last).bottom() - first.top() < self.view.viewport().height():
                self.view.scrollTo(last, QTableView.ScrollHint.EnsureVisible)
        return [self.model.events[r] for r in rows]

    # -- filters -------------------------------------------------------------
    def _fill_filters(self) -> None:
        session = self.session
        for combo in (self.kind_combo, self.component_combo, self.variant_combo):
            combo.blockSignals(True)
        current_component = self.component_combo.currentData()
        self.component_combo.clear()
        self.component_combo.addItem("all", ALL)
        for name in session.components if session else []:
            self.component_combo.addItem(name, name)
        index = self.component_combo.findData(current_component)
        self.component_combo.setCurrentIndex(max(0, index))
        self.variant_combo.clear()
        self.variant_combo.addItem("all runs", ALL)
        # The Run column's words ("with", "without"): the whole names took the Kind filter's room.
        for v in session.variant_names if session else []:
            self.variant_combo.addItem(SHORT_VARIANT_LABELS.get(v, v), v)
            self.variant_combo.setItemData(self.variant_combo.count() - 1, VARIANT_LABELS.get(v, v),
                                           Qt.ItemDataRole.ToolTipRole)
        self.variant_combo.setVisible(bool(session and session.is_comparison))
        for combo in (self.kind_combo, self.component_combo, self.variant_combo):
            combo.blockSignals(False)
        self._refresh_kinds()
        self._apply_filter()
        self._place_tail()

    def _refresh_kinds(self) -> None:
        kinds = sorted(self.model.kinds)
        present = [self.kind_combo.itemData(i) for i in range(1, self.kind_combo.count())]
        if kinds == present and self.kind_combo.count():
            return
        self._fit_kind_column(kinds)
        self._fit_place_column()
        current = self.kind_combo.currentData() or ALL
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        self.kind_combo.addItem("all", ALL)
        for k in kinds:
            self.kind_combo.addItem(kind_label(k), k)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(current)))
        self.kind_combo.blockSignals(False)
        self._place_tail()  # a longer kind widens its filter

    def _fit_kind_column(self, kinds: list[str]) -> None:
        """Widen the Kind column to the longest word of ``kinds`` ("instance restarted" was cut to
        "instance …"); it never narrows under the reader's own width."""
        metrics = self.view.fontMetrics()
        # The cell's text margins on either side, as the style draws them, and the sort arrow's room.
        margin = 2 * (self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1) + 8
        header = self.view.horizontalHeader()
        needed = max([metrics.horizontalAdvance(kind_label(k)) for k in kinds]
                     + [header.fontMetrics().horizontalAdvance(COLUMNS[KIND_COLUMN]) + 16]) + margin
        if needed > self.view.columnWidth(KIND_COLUMN):
            self.view.setColumnWidth(KIND_COLUMN, needed)

    def _fit_place_column(self) -> None:
        """Widen the Component column to the longest component or link its events name (a link was
        "frontend -> …" at any width), up to a quarter of the table, so that Details keeps its
        room; as the Kind column, it never narrows under the reader's own width."""
        if len(self.model.places) == self._fitted_places:
            return
        self._fitted_places = len(self.model.places)
        metrics = self.view.fontMetrics()
        margin = 2 * (self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1) + 8
        self._place_width = max((metrics.horizontalAdvance(p) for p in self.model.places), default=0) + margin
        self._widen_place_column()

    def _widen_place_column(self) -> None:
        needed = min(self._place_width, self.view.viewport().width() // 4)
        if needed > self.view.columnWidth(PLACE_COLUMN):
            self.view.setColumnWidth(PLACE_COLUMN, needed)

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        super().resizeEvent(event)
        self._widen_place_column()   # a dock made wider gives a cut link its whole name
        self._place_tail()

    def _place_tail(self) -> None:
        """The count and CSV… at the end of the filters' row where all of it fits, else on a row below."""
        filters = self._filters
        parts = [item.widget() for i in range(filters.count()) if (item := filters.itemAt(i)) is not None]
        shown = [w for w in parts if w is not None and w not in (self.count_label, self.csv_button)
                 and not w.isHidden()]
        tail = [self.count_label, self.csv_button]
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else None
        room = self.width() - (margins.left() + margins.right() if margins is not None else 0)
        needed = sum(w.sizeHint().width() for w in shown + tail) + filters.spacing() * (len(shown) + len(tail))
        row = filters if needed <= room else self._tail
        if row.indexOf(self.csv_button) >= 0:
            return
        for w in tail:
            (self._tail if row is filters else filters).removeWidget(w)
            row.addWidget(w)

    def set_filter(self, kind: str = ALL, component: str = ALL, variant: str = ALL) -> None:
        """Filter programmatically (the combos follow)."""
        self._refresh_kinds()
        for combo, value in ((self.kind_combo, kind), (self.component_combo, component),
                             (self.variant_combo, variant)):
            index = combo.findData(value)
            combo.setCurrentIndex(max(0, index))
        self._apply_filter()

    def _apply_filter(self, *_args) -> None:
        self.proxy.set_filter(self.kind_combo.currentData() or ALL, self.component_combo.currentData() or ALL,
                              self.variant_combo.currentData() or ALL)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        # Empty, the table has nothing to scroll sideways to, however narrow its dock.
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if shown
                                               else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        dropped = 0
        if self.session is not None:
            dropped = sum(d.result.events_dropped for d in self.session.variants.values() if d.result is not None)
        text = f"{shown} of {total} events" if shown != total else f"{total} events"
        if dropped:
            text += f" ({dropped} beyond the log's cap not kept)"
        self.count_label.setText(text)
        hold_width(self.count_label)

    def export_csv(self, path: str | Path) -> int:
        """Write the events the filters show, in the table's order; returns how many.

        Run and kind in the words the window gives them (its tooltips' whole run names), not the
        engine's names: the file is read by people as often as by scripts."""
        events = self.visible_events()
        text = io.StringIO(newline="")
        w = csv.writer(text)
        w.writerow(["time_s", "run", "component", "link", "kind", "details"])
        for e in events:
            variant = e.get("variant") or ""
            w.writerow([f"{e['time']:.6f}", *(text_cell(cell) for cell in (
                VARIANT_LABELS.get(variant, variant), e.get("component") or "", e.get("link") or "",
                kind_label(e["kind"]), e.get("details") or ""))])
        save_file(path, text.getvalue().encode(CSV_ENCODING))
        return len(events)

    def _export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save events as CSV",
                                              f"{default_file_name(self.session, 'events')}.csv", "CSV (*.csv)")
        if not path:
            return
        try:
            # A name typed without the suffix gets it; added, not put in place of a dot in the name.
            chosen = Path(path)
            self.export_csv(chosen if chosen.suffix.lower() == ".csv" else chosen.with_name(f"{chosen.name}.csv"))
        except ProjectFileError as exc:
            QMessageBox.warning(self, "Cannot save the events", str(exc))

    def visible_events(self) -> list[dict[str, Any]]:
        return [self.model.event_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in range(self.proxy.rowCount())]

    def activate_row(self, row: int) -> None:
        """Act as if the user clicked row ``row`` of the filtered table."""
        self._on_clicked(self.proxy.index(row, 0))

    def _on_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        event = self.model.event_at(self.proxy.mapToSource(index).row())
        self.event_activated.emit(dict(event))
