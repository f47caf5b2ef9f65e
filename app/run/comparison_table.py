"""The comparison table: each summary figure with and without resilience, their difference and its CI."""
from __future__ import annotations

from typing import Any

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
from .formatting import COLOURS, comparison_cells, trivial_row, verdict

GOOD, BAD = COLOURS["better"], COLOURS["worse"]
DIFFERENCE_COLUMN = 1
# Where each variant's own figures stand (after the figure's name and the difference).
VARIANT_COLUMNS = {"protected": 2, "unprotected": 3, "baseline": 4}


# The difference comes right after the figure's name, so that a narrow table still shows it;
# short headers, since the title says "resilience".
HEADERS = ["Figure", "Difference", "With", "Without"]


def title_forms(detail: str, short_detail: str) -> list[str]:
    """The table's title, then shorter forms for a narrow table (1280x720 left "With vs with…")."""
    return [f"<b>With vs without resilience</b> · {detail}", f"<b>With vs without</b> · {short_detail}",
            "<b>With vs without</b>", "<b>Comparison</b>"]


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
        self.table = QTableWidget(0, len(HEADERS))
        # Named from the start: a comparison's table waits empty while the run goes, and Qt's
        # own headers would read "1 2 3 4".
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setMinimumWidth(120)
        # One line a row where the table has the room (see fit_columns): wrapped, a figure's name
        # in a narrow column read as two rows.
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # only should the table get too narrow
        self.table.setToolTip("Difference: with minus without resilience on the same seeds; "
                              "± is the 95 % confidence interval over the replications.")
        layout.addWidget(self.table, 1)
        self.table.viewport().installEventFilter(self)
        self.hide()

    def eventFilter(self, watched, event):
        # A new width (the splitter, the window) fits the columns again: the Difference column in view.
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            if self.table.viewport().width() != self.table.property("fitted_width") and self.table.rowCount():
                fit_columns(self.table)
        return super().eventFilter(watched, event)

    def wait(self) -> None:
        """Empty, with its title saying when the figures come: a comparison run keeps the table's
        place from its start, so that its arrival does not resize (and redraw) every plot."""
        self.title.set_forms(title_forms("when the run ends", "at its end"))
        self.table.clearSpans()
        self.table.setRowCount(0)
        self.table.setColumnCount(len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.show()

    def fill(self, rows: list[dict[str, Any]], replications: int, plotted: list[str]) -> None:
        """Show ``rows`` (the engine's comparison table), only the plotted components unless asked for all."""
        rows = [r for r in rows if not trivial_row(r)]
        if not self.all_rows_check.isChecked():
            rows = [r for r in rows if r["component"] in plotted] or rows
        self.title.set_forms(title_forms(*(
            (f"mean ± 95 % CI, {replications} replications", f"± 95 % CI, {replications} runs") if replications > 1
            else ("one replication", "one run"))))
        baseline = any("baseline" in r for r in rows)
        headers = HEADERS + (["No faults"] if baseline else [])
        table = self.table
        table.clearSpans()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        components = list(dict.fromkeys(r["component"] for r in rows))
        table.setRowCount(len(rows) + len(components))
        bold = table.font()
        bold.setBold(True)
        i = 0
        for component in components:
            head = QTableWidgetItem(component)
            head.setFont(bold)
            table.setItem(i, 0, head)
            table.setSpan(i, 0, 1, len(headers))
            i += 1
            for row in (r for r in rows if r["component"] == component):
                for j, text in enumerate(comparison_cells(row, baseline)):
                    item = QTableWidgetItem(text)
                    if j >= 1:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if j == DIFFERENCE_COLUMN:
                        judged = verdict(row["metric"], row.get("difference"), row.get("difference_ci"))
                        if judged:
                            item.setForeground(QColor(GOOD if judged > 0 else BAD))
                    table.setItem(i, j, item)
                i += 1
        fit_columns(table)


def text_width(table: QTableWidget, item: QTableWidgetItem) -> int:
    """The width a cell needs to draw ``item``'s text whole: the text and the style's margin each side."""
    style = table.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return QFontMetrics(item.font()).horizontalAdvance(item.text()) + 2 * margin + 1


MIN_FIGURE_WIDTH = 60  # narrower, figures' names would wrap a word a line


def fit_columns(table: QTableWidget) -> None:
    """Every cell's text whole: columns to their contents, and a name spanning Figure and Difference
    (an objective's) given the room it needs. Where the names and the differences together are wider
    than the table, the names wrap onto more lines, so that the Difference column stays in view; the
    variants' columns beyond it scroll sideways. Wrapped rows grow to their lines, and shrink back."""
    table.setWordWrap(False)
    table.resizeColumnsToContents()
    columns = table.columnCount()
    for row in range(table.rowCount()):
        span = table.columnSpan(row, 0)
        item = table.item(row, 0)
        if item is None or span in (1, columns):  # group headings span the whole table
            continue
        lacking = text_width(table, item) - sum(table.columnWidth(c) for c in range(span))
        if lacking > 0:
            table.setColumnWidth(0, table.columnWidth(0) + lacking)
    table.setProperty("fitted_width", table.viewport().width())  # fitted again at another width
    room = table.viewport().width() - table.columnWidth(DIFFERENCE_COLUMN)
    if table.columnWidth(0) > room:
        # Wrapped, a name breaks between words: its longest word is the least the column takes,
        # even if that pushes the Difference column partly out of a very narrow table.
        words = [word for row in range(table.rowCount()) if (item := table.item(row, 0)) is not None
                 and table.columnSpan(row, 0) < columns for word in item.text().split()]
        longest = max((text_width(table, QTableWidgetItem(word)) for word in words), default=0)
        table.setColumnWidth(0, max(room, longest, MIN_FIGURE_WIDTH))
        table.setWordWrap(True)
        table.resizeRowsToContents()
    elif table.property("wrapped"):
        for row in range(table.rowCount()):
            table.setRowHeight(row, table.verticalHeader().defaultSectionSize())
    table.setProperty("wrapped", table.wordWrap())
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and not item.toolTip():
            item.setToolTip(item.text())
