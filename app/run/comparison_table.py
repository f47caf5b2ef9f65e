"""The comparison table: each summary figure with and without resilience, their difference and its CI.

Two layouts of the same entries, chosen by the table's width. Where every column fits, the runs stand
side by side (Figure, Difference, With, Without). Beside the plots at 1280x720 and 1600x1000 the table
is 210-300 px wide, and the runs' columns needed a sideways scroll: there each figure's runs go on a
line of their own under its name and difference, and each objective's verdicts on a line per run.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .elide import FittedLabel
from .formatting import COLOURS, METRIC_HELP, comparison_cells, same_runs, trivial_row, verdict
from .verdicts import COLOURS as VERDICT_COLOURS
from .verdicts import DARK_COLOURS as DARK_VERDICT_COLOURS

if TYPE_CHECKING:
    from .verdicts import VerdictRow

GOOD, BAD = COLOURS["better"], COLOURS["worse"]
DIFFERENCE_COLUMN = 1
# Where each variant's own figures stand side by side (after the figure's name and the difference).
VARIANT_COLUMNS = {"protected": 2, "unprotected": 3, "baseline": 4}

# The difference comes right after the figure's name, so that a narrow table still shows it;
# short headers, since the title says "resilience".
HEADERS = ["Figure", "Difference", "With", "Without"]
VARIANT_HEADERS = {"protected": "With", "unprotected": "Without", "baseline": "No faults"}
STACKED_HEADERS = HEADERS[: DIFFERENCE_COLUMN + 1]
RUNS_SEPARATOR = " · "
NBSP = "\u00a0"


def title_forms(detail: str, short_detail: str) -> list[str]:
    """The table's title, then shorter forms for a narrow table (1280x720 left "With vs with…")."""
    return [f"<b>With vs without resilience</b> · {detail}", f"<b>With vs without</b> · {short_detail}",
            "<b>With vs without</b>", "<b>Comparison</b>"]


@dataclass
class Cell:
    text: str
    colour: str | None = None
    tooltip: str = ""
    state: str | None = None  # a verdict's (met, missed…): coloured for the theme when laid out


@dataclass
class Entry:
    """A line of the table: a heading (a component, "Objectives"), a figure with its difference, or an
    objective (no difference); ``values`` holds each run's cell by variant, in column order."""

    name: str
    tooltip: str = ""
    difference: Cell | None = None
    values: dict[str, Cell] = field(default_factory=dict)
    heading: bool = False

    @property
    def objective(self) -> bool:
        return not self.heading and self.difference is None


def figure_entries(rows: list[dict[str, Any]], baseline: bool) -> list[Entry]:
    """The engine's comparison rows, grouped under their component."""
    entries: list[Entry] = []
    variants = [v for v in VARIANT_COLUMNS if v != "baseline" or baseline]
    for component in dict.fromkeys(r["component"] for r in rows):
        entries.append(Entry(component, heading=True))
        for row in (r for r in rows if r["component"] == component):
            name, difference, *values = comparison_cells(row, baseline)
            judged = verdict(row["metric"], row.get("difference"), row.get("difference_ci"))
            colour = (GOOD if judged > 0 else BAD) if judged else None
            entries.append(Entry(name, tooltip=METRIC_HELP.get(row["metric"], ""), difference=Cell(difference, colour),
                                 values={v: Cell(text) for v, text in zip(variants, values, strict=True)}))
    return entries


def objective_entries(rows: Iterable[VerdictRow]) -> list[Entry]:
    """Objective and recovery lines, each run's verdict in a few words, its sentence in the tooltip."""
    entries = []
    for r in rows:
        values = {variant: Cell(r.short.get(variant, text), tooltip=text, state=state)
                  for variant, (state, text) in r.cells.items()}
        name = f"  {r.what}" if r.recovery else f"{r.client} · {r.what}"  # a recovery under its objective
        entries.append(Entry(name, tooltip=f"{r.client} · {r.what}", values=values))
    return [Entry("Objectives", heading=True), *entries] if entries else []


class ComparisonTable(QWidget):
    """Rows grouped under their component; differences coloured when they are distinguishable from none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.title = FittedLabel()
        self.title.setText("<b>Comparison</b>")
        header.addWidget(self.title, 1)
        self.all_rows_check = QCheckBox("All components")
        self.all_rows_check.setToolTip("Show every component's figures, not only the plotted ones")
        header.addWidget(self.all_rows_check)
        layout.addLayout(header)
        self.entries: list[Entry] = []
        self.variants: list[str] = ["protected", "unprotected"]
        self.stacked = False
        self._laid_out_at: int | None = None  # the table's width the layout was made for
        self._laid_out_dark = False  # and whether for a dark background
        # Each shown run's cell, by (entry, variant): in the stacked layout a figure's runs share one.
        self._value_items: dict[tuple[int, str], QTableWidgetItem] = {}
        self.table = QTableWidget(0, len(HEADERS))
        # Named from the start: a comparison's table waits empty while the run goes, and Qt's
        # own headers would read "1 2 3 4".
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        # Rows are read with the arrows; Tab leaves for the dashboard's buttons, which it never reached.
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setMinimumWidth(120)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # only should the table get too narrow
        self.table.setToolTip("Difference: with minus without resilience on the same seeds; "
                              "± is the 95 % confidence interval over the replications.")
        layout.addWidget(self.table, 1)
        self.table.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched, event):
        # A new width (the splitter, the window) lays the table out again: side by side or stacked.
        if watched is self.table and event.type() == QEvent.Type.Resize and self.table.width() != self._laid_out_at:
            self._lay_out()
        return super().eventFilter(watched, event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        # A theme switch: the verdicts take their colours for the new background.
        if event.type() == QEvent.Type.PaletteChange and self._dark() != self._laid_out_dark:
            self._lay_out()

    def _dark(self) -> bool:
        return self.palette().base().color().lightness() < 128

    def _colour(self, cell: Cell) -> str | None:
        if cell.state is None:
            return cell.colour
        return (DARK_VERDICT_COLOURS if self._laid_out_dark else VERDICT_COLOURS)[cell.state]

    def wait(self) -> None:
        """Empty, with its title saying when the figures come: a comparison run keeps the table's
        place from its start, so that its arrival does not resize (and redraw) every plot."""
        self.title.set_forms(title_forms("when the run ends", "at its end"))
        self.entries = []
        self.variants = ["protected", "unprotected"]
        self._lay_out()
        self.show()

    def fill(self, rows: list[dict[str, Any]], replications: int, plotted: list[str],
             objectives: Iterable[VerdictRow] = ()) -> None:
        """Show ``rows`` (the engine's comparison table), only the plotted components unless asked for
        all, after the ``objectives``' verdicts."""
        same = same_runs(rows)
        rows = [r for r in rows if not trivial_row(r)]
        if not self.all_rows_check.isChecked():
            rows = [r for r in rows if r["component"] in plotted] or rows
        if same:
            forms = ("the same runs: no resilience policy acted (none switched on, or none triggered)",
                     "the same runs: no policy acted")
        elif replications > 1:
            forms = (f"mean ± 95 % CI, {replications} replications", f"± 95 % CI, {replications} runs")
        else:
            forms = ("one replication", "one run")
        self.title.set_forms(title_forms(*forms))
        baseline = any("baseline" in r for r in rows)
        self.variants = [v for v in VARIANT_COLUMNS if v != "baseline" or baseline]
        self.entries = objective_entries(objectives) + figure_entries(rows, baseline)
        self._lay_out()

    def value_item(self, entry: Entry | str, variant: str) -> QTableWidgetItem | None:
        """The cell that shows ``variant``'s figure or verdict on ``entry``'s line (or the first line
        of that name)."""
        index = next((i for i, e in enumerate(self.entries)
                      if e is entry or (isinstance(entry, str) and e.name.strip() == entry.strip())), None)
        return None if index is None else self._value_items.get((index, variant))

    def entry_row(self, name: str) -> int | None:
        """The table row of the line named ``name``."""
        table = self.table
        return next((r for r in range(table.rowCount()) if (item := table.item(r, 0)) is not None
                     and item.text().strip() == name.strip()), None)

    # -- layout ----------------------------------------------------------------
    def room(self) -> int:
        """The width for columns: the table's, less its frame and a vertical scroll bar's (kept free
        whether or not one shows, so that its coming does not switch the layout back and forth)."""
        table = self.table
        return table.width() - 2 * table.frameWidth() - table.verticalScrollBar().sizeHint().width()

    def side_by_side_widths(self) -> list[int]:
        """The columns' widths with the runs side by side, every cell whole."""
        table = self.table
        widths = [header_width(table, text) for text in self._side_by_side_headers()]
        width = cell_measure(table)
        for entry in self.entries:
            if entry.heading:
                continue
            cells = [(DIFFERENCE_COLUMN, entry.difference)] if entry.difference else []
            cells += [(VARIANT_COLUMNS[v], c) for v, c in entry.values.items() if v in self.variants]
            for column, cell in cells:
                widths[column] = max(widths[column], width(cell.text))
            if not entry.objective:
                widths[0] = max(widths[0], width(entry.name))
        # An objective's name spans Figure and Difference: the Figure column takes what it lacks.
        spanned = max((width(e.name) for e in self.entries if e.objective), default=0)
        widths[0] += max(0, spanned - widths[0] - widths[DIFFERENCE_COLUMN])
        return widths

    def _side_by_side_headers(self) -> list[str]:
        return STACKED_HEADERS + [VARIANT_HEADERS[v] for v in self.variants]

    def _lay_out(self) -> None:
        table = self.table
        self._laid_out_at = table.width()
        self._laid_out_dark = self._dark()
        widths = self.side_by_side_widths()
        self.stacked = sum(widths) > self.room()
        table.setUpdatesEnabled(False)
        try:
            table.clearSpans()
            table.setRowCount(0)
            self._value_items = {}
            if self.stacked:
                self._fill_stacked()
            else:
                self._fill_side_by_side(widths)
            for row in range(table.rowCount()):
                for column in range(table.columnCount()):
                    item = table.item(row, column)
                    if item is not None and not item.toolTip():
                        item.setToolTip(item.text())
        finally:
            table.setUpdatesEnabled(True)

    def _new_row(self) -> int:
        table = self.table
        table.insertRow(table.rowCount())
        return table.rowCount() - 1

    def _heading(self, entry: Entry) -> None:
        table = self.table
        row = self._new_row()
        item = QTableWidgetItem(entry.name)
        bold = table.font()
        bold.setBold(True)
        item.setFont(bold)
        table.setItem(row, 0, item)
        table.setSpan(row, 0, 1, table.columnCount())

    def _name_row(self, entry: Entry) -> int:
        """A new row with the entry's name; an objective's name takes the empty Difference cell too."""
        row = self._new_row()
        self.table.setItem(row, 0, _item(entry.name, tooltip=entry.tooltip))
        if entry.difference is None:
            self.table.setSpan(row, 0, 1, DIFFERENCE_COLUMN + 1)
        return row

    def _fill_side_by_side(self, widths: list[int]) -> None:
        table = self.table
        headers = self._side_by_side_headers()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setWordWrap(False)
        for index, entry in enumerate(self.entries):
            if entry.heading:
                self._heading(entry)
                continue
            row = self._name_row(entry)
            if entry.difference is not None:
                table.setItem(row, DIFFERENCE_COLUMN, _item(entry.difference.text, entry.difference.colour,
                                                            right=True))
            for variant, cell in entry.values.items():
                if variant in self.variants:
                    item = _item(cell.text, self._colour(cell), cell.tooltip, right=True)
                    table.setItem(row, VARIANT_COLUMNS[variant], item)
                    self._value_items[(index, variant)] = item
        for column, width in enumerate(widths):
            table.setColumnWidth(column, width)
        default = table.verticalHeader().defaultSectionSize()
        for row in range(table.rowCount()):
            table.setRowHeight(row, default)

    def _fill_stacked(self) -> None:
        """Figure and Difference; under each figure a line of its runs' values ("with 55.2 ms ·
        without 52.6 ms"), under each objective a line per run. Lines too long for the table wrap:
        a figure's runs between runs, or before an interval's "±", never inside a value."""
        table = self.table
        table.setColumnCount(len(STACKED_HEADERS))
        table.setHorizontalHeaderLabels(STACKED_HEADERS)
        table.setWordWrap(True)
        italic = table.font()
        italic.setItalic(True)
        for index, entry in enumerate(self.entries):
            if entry.heading:
                self._heading(entry)
                continue
            row = self._name_row(entry)
            if entry.difference is None:
                for variant, cell in entry.values.items():
                    if variant not in self.variants:
                        continue
                    item = _item(f"    {VARIANT_HEADERS[variant].lower()}: {cell.text}", self._colour(cell),
                                 cell.tooltip)
                    self._value_items[(index, variant)] = item
                    row = self._new_row()
                    table.setItem(row, 0, item)
                    table.setSpan(row, 0, 1, 2)
                continue
            table.setItem(row, DIFFERENCE_COLUMN, _item(_breaking_before_interval(entry.difference.text),
                                                        entry.difference.colour, right=True))
            shown = [(v, c) for v, c in entry.values.items() if v in self.variants]
            text = RUNS_SEPARATOR.join(_breaking_before_interval(f"{VARIANT_HEADERS[v].lower()} {c.text}")
                                       for v, c in shown)
            tooltip = "\n".join(f"{VARIANT_HEADERS[v]}: {c.text}" for v, c in shown)
            item = _item(f"{NBSP * 4}{text}", tooltip=tooltip)
            item.setFont(italic)
            row = self._new_row()
            table.setItem(row, 0, item)
            table.setSpan(row, 0, 1, 2)
            for variant, _cell in shown:
                self._value_items[(index, variant)] = item
        room = self.room()
        differences = [e.difference.text for e in self.entries if e.difference]
        width = cell_measure(table)
        whole = max([header_width(table, STACKED_HEADERS[DIFFERENCE_COLUMN])]
                    + [width(text) for text in differences])
        # Names wrap between words: the longest word is the least the Figure column takes, even if
        # that pushes the Difference column partly out of a very narrow table.
        words = [word for e in self.entries if e.difference for word in e.name.split()]
        least = max([MIN_FIGURE_WIDTH] + [width(word) for word in words])
        difference = whole
        if room - whole < least:
            # With replications a difference carries its interval ("+5.38 ± 1.20 /s"): it goes on a
            # second line, under the figure, rather than pushing the column out of view.
            parts = [part for text in differences for part in _breaking_before_interval(text).split(" ")]
            difference = max([header_width(table, STACKED_HEADERS[DIFFERENCE_COLUMN]), room - least]
                             + [width(part) for part in parts])
            difference = min(whole, difference)
        table.setColumnWidth(0, max(room - difference, least))
        table.setColumnWidth(DIFFERENCE_COLUMN, difference)
        table.resizeRowsToContents()


def _breaking_before_interval(text: str) -> str:
    """``text`` with a break allowed only before its "±": "+5.38 ± 1.20 /s" wraps as "+5.38" over
    "± 1.20 /s", never inside the figure or its interval."""
    return text.replace(" ", NBSP).replace(f"{NBSP}±", " ±")


def _item(text: str, colour: str | None = None, tooltip: str = "", right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if colour:
        item.setForeground(QColor(colour))
    if tooltip:
        item.setToolTip(tooltip)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def cell_measure(table: QTableWidget) -> Callable[[str], int]:
    """The width a column needs to draw a text whole: the text, the style's margin each side and
    the grid line the cell gives up (the metrics asked of Qt once, for many texts)."""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    extra = 2 * margin + 1 + int(table.showGrid())
    advance = QFontMetrics(table.font()).horizontalAdvance
    return lambda text: advance(text) + extra


def header_width(table: QTableWidget, text: str) -> int:
    """A header section's width for ``text``, with the style's margins and sort indicator room."""
    header = table.horizontalHeader()
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    return QFontMetrics(header.font()).horizontalAdvance(text) + 4 * margin


MIN_FIGURE_WIDTH = 60  # narrower, figures' names would wrap a word a line
