"""The event log dock: a run's events (faults, crashes, breaker transitions, ...) with filters."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
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
RUN_COLUMN = COLUMNS.index("Run")


def kind_label(kind: str) -> str:
    """An event kind's words (``engine.events``)."""
    return event_kind(kind).label


def kind_colour(kind: str) -> str | None:
    """The colour of an event kind's tone, or None for a neutral one."""
    tone = event_kind(kind).tone
    return COLOURS[tone] if tone else None


# Roles as plain ints: converting an enum member costs a call more than the lookup it feeds.
_DISPLAY_ROLE, _BACKGROUND_ROLE = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.BackgroundRole)
# Where a role's answers for the five columns begin among a row's cells (``EventLogModel.cells``). A
# delegate asks seven roles of every cell it paints, a Python call each: 900 calls a whole repaint.
_AT = {_DISPLAY_ROLE: 0, int(Qt.ItemDataRole.ToolTipRole): 5, int(Qt.ItemDataRole.TextAlignmentRole): 10,
       int(Qt.ItemDataRole.ForegroundRole): 15}
_KEPT = 4096  # rows whose cells are kept once made: many screenfuls
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex
_COLUMNS = ("_time", "_run", "_nth", "_kind", "_component", "_target", "_place")  # EventLogModel's numpy ones


def _codes(values: Iterable[str], codes: dict[str, int]) -> np.ndarray:
    """Each value's number in ``codes``, a new value given the next."""
    return np.fromiter((codes.setdefault(v, len(codes)) for v in values), dtype=np.intp)


def _ranks(words: list[str]) -> np.ndarray:
    """The place of each of ``words`` in their sorted order, equal words at the same place: by code
    point, as Qt's sort compared them by UTF-16 unit but for characters beyond U+FFFF."""
    return np.unique(np.array(words, dtype=str), return_inverse=True)[1].astype(np.intp)


class EventLogModel(QAbstractTableModel):
    """Rows are event dicts as the engine logs them, tagged with their variant, in the order they came.

    A row's cells (words, tooltips, colours) are made when a view first asks for them: made for
    every row up front, as items of Qt's own model, a kept run's 30,000 events held the window
    still for more than a second as the run opened. What the sort, the filters and the time slider
    need of every row is kept in numpy columns: the time, the run's place among the session's, the
    row's place in its run's log, and numbers for the kind, the component, the link's target and
    the Component column's words. The Kind column's colours follow the theme when told
    (``follow_palette``: the ``EventLog`` showing it tells it).

    The rows stay where they came: ``EventFilter`` shows them in time order (or a column's).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._events: list[dict[str, Any]] = []
        self._time = np.empty(0)
        self._run = self._nth = self._kind = self._component = self._target = self._place = \
            np.empty(0, dtype=np.intp)
        self._kind_codes: dict[str, int] = {}
        self._name_codes: dict[str, int] = {}  # components and links' targets ("" for none)
        self._place_codes: dict[str, int] = {}  # the Component column's words
        self._logged: dict[int, int] = {}  # events of each run so far, by its place
        self._time_order: tuple[np.ndarray, np.ndarray] | None = None  # the rows, and their times, by time
        self.runs: dict[str, int] = {}  # each run's place among the session's: first at equal times
        self.kinds: set[str] = set()  # of the events, kept as they come: a live log grows by the thousand
        self.places: set[str] = set()  # the components and links the events name, kept likewise
        self.highlighted: list[int] = []  # rows at the time slider's time, in time order
        self._lit: set[int] = set()  # the same, to look up
        self._lit_colour: QColor | None = None
        self._made: dict[int, tuple] = {}  # rows' cells made so far (see cells)
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
        self._events, self._logged, self._lit, self._made = [], {}, set(), {}
        self._kind_codes, self._name_codes, self._place_codes = {}, {}, {}
        for name in _COLUMNS:
            setattr(self, name, getattr(self, name)[:0])
        self.runs = {v: place for place, v in enumerate(runs)}
        self.kinds, self.places, self.highlighted = set(), set(), []
        self._take(events)
        self.endResetModel()

    def append(self, events: list[dict[str, Any]]) -> None:
        if events:
            self.beginInsertRows(_ROOT, len(self._events), len(self._events) + len(events) - 1)
            self._take(events)
            self.endInsertRows()

    def _take(self, events: list[dict[str, Any]]) -> None:
        """Add ``events``' rows to the columns."""
        self._time_order = None
        self._events.extend(events)
        run = _codes((e.get("variant") or "" for e in events), self.runs)
        nth = np.empty(len(events), dtype=np.intp)
        for place in np.unique(run).tolist():
            mine = np.flatnonzero(run == place)
            start = self._logged.get(place, 0)
            nth[mine] = np.arange(start, start + len(mine))
            self._logged[place] = start + len(mine)
        known = len(self._kind_codes), len(self._place_codes)
        new = (np.fromiter((e["time"] for e in events), dtype=float, count=len(events)), run, nth,
               _codes((e["kind"] for e in events), self._kind_codes),
               _codes((e.get("component") or "" for e in events), self._name_codes),
               _codes((link.split(" -> ")[-1] if (link := e.get("link")) else "" for e in events), self._name_codes),
               _codes((e.get("link") or e.get("component") or "" for e in events), self._place_codes))
        for name, column in zip(_COLUMNS, new):
            setattr(self, name, np.concatenate((getattr(self, name), column)))
        if known != (len(self._kind_codes), len(self._place_codes)):
            self.kinds.update(self._kind_codes)
            self.places.update(self._place_codes)

    # -- what views ask ------------------------------------------------------
    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802  (Qt's name)
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802  (Qt's name)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY_ROLE) -> Any:  # noqa: N802
        if role == _DISPLAY_ROLE and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = _DISPLAY_ROLE) -> Any:
        row = index.row()
        return None if row < 0 else self.cell(row, index.column(), role)

    def cell(self, row: int, column: int, role: int) -> Any:
        """What row ``row``'s cell in ``column`` shows in ``role``."""
        at = _AT.get(role)
        if at is not None:
            return self.cells(row)[at + column]
        return self._lit_colour if role == _BACKGROUND_ROLE and row in self._lit else None

    def cells(self, row: int) -> tuple:
        """Row ``row``'s cells, role after role (see ``_AT``); made when a view first asks, and kept for
        its next paints."""
        try:
            return self._made[row]
        except KeyError:
            pass
        if len(self._made) >= _KEPT:
            self._made.clear()
        e = self._events[row]
        kind, variant, details = e["kind"], e.get("variant") or "", e.get("details") or ""
        place = e.get("link") or e.get("component") or ""
        made = self._made[row] = (
            event_time(e["time"]), SHORT_VARIANT_LABELS.get(variant, variant), place, kind_label(kind), details,
            None, VARIANT_LABELS.get(variant) or None, place, event_kind(kind).help or None, details or None,
            _RIGHT, None, None, None, None,
            None, None, None, self._colour(kind), None)
        return made

    def ranks(self, column: int) -> np.ndarray:
        """Each row's place in the order of ``column``'s words (not Time's), equal words at the same place."""
        if column == PLACE_COLUMN:
            return _ranks(list(self._place_codes))[self._place]
        if column == KIND_COLUMN:
            return _ranks([kind_label(k) for k in self._kind_codes])[self._kind]
        if column == RUN_COLUMN:
            return _ranks([SHORT_VARIANT_LABELS.get(v, v) for v in sorted(self.runs, key=self.runs.__getitem__)]
                          )[self._run]
        return _ranks([e.get("details") or "" for e in self._events])

    def matches(self, rows: np.ndarray, kind: str, component: str, variant: str) -> np.ndarray:
        """Which of ``rows`` are of ``kind``, of run ``variant``, and at ``component`` or on a link
        into it (``ALL``: any)."""
        shown = np.ones(len(rows), dtype=bool)
        for wanted, codes, columns in ((kind, self._kind_codes, (self._kind,)), (variant, self.runs, (self._run,)),
                                       (component, self._name_codes, (self._component, self._target))):
            if wanted != ALL:
                code = codes.get(wanted, -1)
                shown &= np.logical_or.reduce([column[rows] == code for column in columns])
        return shown

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
            self._light, self._colours, self._made = light, {}, {}
            if self._events:
                self.dataChanged.emit(self.index(0, KIND_COLUMN), self.index(len(self._events) - 1, KIND_COLUMN),
                                      [Qt.ItemDataRole.ForegroundRole])
        self._paint_highlight(self.highlighted, True)

    # -- the time slider -----------------------------------------------------
    def time_order(self) -> np.ndarray:
        """Every row, in the order the Time column sorts them: by time, then by the run (in the session's
        order), then in the run's own order; the order ``RunSession.merged_events`` gives, whichever
        run's events arrived first."""
        return self._by_time()[0]

    def _by_time(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows by time, and their times; made when first asked after a change (a time slider asks
        again and again of a finished run)."""
        if self._time_order is None:
            rows = np.lexsort((self._nth, self._run, self._time))
            self._time_order = rows, self._time[rows]
        return self._time_order

    def highlight(self, start: float, end: float) -> list[int]:
        """Mark the rows whose time falls in [start, end). Returns them, in time order."""
        rows, times = self._by_time()
        first, last = np.searchsorted(times, (start, end)).tolist()
        marked = rows[first:max(first, last)].tolist()
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
        return int(rows[max(0, int(np.searchsorted(times, t)) - 1)]) if len(rows) else None

    def _paint_highlight(self, rows: list[int], on: bool) -> None:
        if not rows:
            return
        if on:
            colour = self._lit_colour = QGuiApplication.palette().highlight().color()
            colour.setAlpha(70)
            self._lit.update(rows)
        else:
            self._lit.difference_update(rows)
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


def _light_theme() -> bool:
    return QGuiApplication.palette().base().color().lightness() >= 128


class EventFilter(QAbstractTableModel):
    """The table's model: an ``EventLogModel``'s events of one kind, component and variant (or all of
    each), sorted by a column; ``mapToSource`` and ``mapFromSource`` as a proxy's.

    Which rows show, and in what order, is worked out on the source's numpy columns: Qt's sort filter
    proxy asked a Python model for each row's key, and for two of them at each step of a sort, one
    call each, and took a second for 30,000 events. A sort is stable: rows of equal words keep the
    order they had (time's, unless sorted by another column before), and rows arriving go after
    those of equal words. The selection and the current row stay on their events.
    """

    def __init__(self, source: EventLogModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = self.component = self.variant = ALL
        self._source = source
        self._column, self._descending = -1, False  # sorted by; -1: the order the events came in
        self._order = np.empty(0, dtype=np.intp)  # every source row, in the sort's order
        self._rows = self._order  # those the filter lets through: the table's rows
        self._where: np.ndarray | None = None  # each source row's place among _rows, -1 if hidden
        source.modelAboutToBeReset.connect(self.beginResetModel)
        source.modelReset.connect(self._source_reset)
        source.rowsInserted.connect(self._source_rows_inserted)
        source.dataChanged.connect(self._source_data_changed)

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802  (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802  (Qt's name)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY_ROLE) -> Any:  # noqa: N802
        return self._source.headerData(section, orientation, role)

    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        # Qt's own asks rowCount and columnCount, two Python calls, for each cell a paint draws.
        if 0 <= row < len(self._rows) and 0 <= column < len(COLUMNS) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def data(self, index: _Index, role: int = _DISPLAY_ROLE) -> Any:
        row = index.row()
        return None if row < 0 else self._source.cell(self._rows.item(row), index.column(), role)

    def mapToSource(self, index: QModelIndex) -> QModelIndex:  # noqa: N802  (a proxy's name)
        return self._source.index(self._rows.item(index.row()), index.column()) if index.isValid() else QModelIndex()

    def mapFromSource(self, index: QModelIndex) -> QModelIndex:  # noqa: N802  (a proxy's name)
        row = self._places().item(index.row()) if index.isValid() else -1
        return self.index(row, index.column()) if row >= 0 else QModelIndex()

    def source_rows(self) -> list[int]:
        """The source rows the table shows, in its order."""
        return self._rows.tolist()

    def _places(self) -> np.ndarray:
        if self._where is None:
            self._where = np.full(self._source.rowCount(), -1, dtype=np.intp)
            self._where[self._rows] = np.arange(len(self._rows))
        return self._where

    # -- sorting and filtering -------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._column, self._descending = column, order == Qt.SortOrder.DescendingOrder
        self._lay_out(self._sorted(self._order))

    def set_filter(self, kind: str, component: str, variant: str) -> None:
        if (kind, component, variant) != (self.kind, self.component, self.variant):
            self.kind, self.component, self.variant = kind, component, variant
            self._lay_out(self._order)

    def _shown(self, order: np.ndarray) -> np.ndarray:
        if self.kind == self.component == self.variant == ALL:
            return order
        return order[self._source.matches(order, self.kind, self.component, self.variant)]

    def _sorted(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` sorted by the table's column, stably."""
        source = self._source
        if self._column < 0:
            order = np.sort(rows)
        elif self._column == 0:
            order = source.time_order() if len(rows) == source.rowCount() else \
                rows[np.lexsort((source._nth[rows], source._run[rows], source._time[rows]))]
        else:
            keys = source.ranks(self._column)[rows]
            if not self._descending:
                return rows[np.argsort(keys, kind="stable")]
            # Backwards, stably backwards: equal words keep their order, as in Qt's descending sort.
            order = rows[::-1][np.argsort(keys[::-1], kind="stable")]
        return order[::-1] if self._descending else order

    def _lay_out(self, order: np.ndarray) -> None:
        """Show the rows of ``order`` the filter lets through."""
        self.layoutAboutToBeChanged.emit()
        old = self._rows
        self._order, self._rows, self._where = order, self._shown(order), None
        if kept := self.persistentIndexList():
            places = self._places()
            self.changePersistentIndexList(kept, [self.index(places.item(old.item(i.row())), i.column())
                                                  for i in kept])
        self.layoutChanged.emit()

    # -- the source's changes --------------------------------------------------
    def _source_reset(self) -> None:
        self._order = self._sorted(np.arange(self._source.rowCount()))
        self._rows, self._where = self._shown(self._order), None
        self.endResetModel()

    def _source_data_changed(self, first: QModelIndex, last: QModelIndex, roles: Sequence[int] = ()) -> None:
        places = self._places()[first.row():last.row() + 1]
        if len(places := places[places >= 0]):
            self.dataChanged.emit(self.index(int(places.min()), first.column()),
                                  self.index(int(places.max()), last.column()), roles)

    def _source_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        """Put the rows appended to the source in their places, telling the view of each run of them
        together (the table repaints from the first down)."""
        new = np.arange(first, last + 1)
        self._order = self._with(new)
        final, old = self._shown(self._order), self._rows
        is_new = np.zeros(self._source.rowCount(), dtype=bool)
        is_new[new] = True
        places = np.flatnonzero(is_new[final])
        self._rows, self._where = (old, None) if len(places) else (final, None)
        done = 0
        for end in [*np.flatnonzero(np.diff(places) != 1).tolist(), len(places) - 1][:len(places)]:
            stop = places.item(end) + 1
            self.beginInsertRows(_ROOT, places.item(done), stop - 1)
            # final's rows down to this run's end, then the old ones not passed yet
            self._rows, self._where = np.concatenate((final[:stop], old[stop - end - 1:])), None
            self.endInsertRows()
            done = end + 1

    def _with(self, new: np.ndarray) -> np.ndarray:
        """The sort's order with the source's rows ``new`` (appended, in the order they came) in it: after
        the rows of equal words, as Qt's sort filter placed a row arriving."""
        old, sign = self._order, -1 if self._descending else 1
        if self._column < 0:
            return np.concatenate((new[::-1], old) if self._descending else (old, new))
        keys = sign * (self._source._time if self._column == 0 else self._source.ranks(self._column))
        new = self._sorted(new)
        places = np.searchsorted(keys[old], keys[new], side="right")
        if self._column == 0 and (places != np.searchsorted(keys[old], keys[new], side="left")).any():
            # At the time of a row already there: the run and the run's own order decide, as the sort does.
            return self._sorted(np.concatenate((old, new)))
        return np.insert(old, places, new)


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
        # Where the viewport's picture is out of date until its next paint: a scroll before that paint
        # moves the picture, and with it what is out of date.
        self._stale_from: int | None = None

    def setModel(self, model) -> None:
        super().setModel(model)
        for signal in (model.rowsAboutToBeRemoved, model.layoutChanged, model.modelReset,
                       model.columnsInserted, model.columnsRemoved, model.rowsMoved):
            signal.connect(self._changed_whole)

    def _changed_whole(self, *_args) -> None:
        if self.model().rowCount():
            self._whole = True
        else:
            # Left empty (a new run's log): nothing to lay out, and the view need not lay it out before
            # its first rows arrive, which would be taken for a change of the whole then.
            self.viewport().update()

    def rowsInserted(self, parent, start: int, end: int) -> None:
        if not parent.isValid():
            self._fresh = start if self._fresh is None else min(self._fresh, start)
        super().rowsInserted(parent, start, end)

    def doItemsLayout(self) -> None:
        fresh, whole = self._fresh, self._whole
        self._fresh, self._whole = None, False
        if whole or fresh is None:  # or laid out for a reason of Qt's own
            super().doItemsLayout()
            return
        self.updateGeometries()  # a new height resizes the viewport
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
        self.proxy = EventFilter(self.model, self)
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
        self._show_run_column()
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
        self._show_run_column()
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

    def _show_run_column(self) -> None:
        """The Run column for a comparison only, as the run filter: it tells which of the runs shown an
        event is of, and of one run, or before any, it would say the same of every row, or nothing.
        Shown from a comparison's start, not once both runs have logged: a column appearing mid-run
        would move the others and repaint the whole table."""
        session = self.session
        self.view.setColumnHidden(RUN_COLUMN, session is None or not session.is_comparison)

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
        events = self.model.events
        return [events[row] for row in self.proxy.source_rows()]

    def activate_row(self, row: int) -> None:
        """Act as if the user clicked row ``row`` of the filtered table."""
        self._on_clicked(self.proxy.index(row, 0))

    def _on_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        event = self.model.event_at(self.proxy.mapToSource(index).row())
        self.event_activated.emit(dict(event))
