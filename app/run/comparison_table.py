"""The comparison table: each summary figure with and without resilience, their difference and its CI."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
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
        # One line a row, cut in the middle (whole in the tooltip): wrapped into two lines, a
        # figure's name in a narrow column read as two rows.
        self.table.setWordWrap(False)
        self.table.setToolTip("Difference: with minus without resilience on the same seeds; "
                              "± is the 95 % confidence interval over the replications.")
        layout.addWidget(self.table, 1)
        self.hide()

    def wait(self) -> None:
        """Empty, with its title saying when the figures come: a comparison run keeps the table's
        place from its start, so that its arrival does not resize (and redraw) every plot."""
        self.title.setText("<b>With vs without resilience</b> · when the run ends")
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
        self.title.setText("<b>With vs without resilience</b> · " + (
            f"mean ± 95 % CI, {replications} replications" if replications > 1 else "one replication"))
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


FIGURE_SHARE = 0.45  # of the table's width at most for the figure's name, so the difference stays in view


def fit_columns(table: QTableWidget) -> None:
    """Columns to their contents, the first (the figure's name) capped so that the Difference column
    beside it shows in a narrow table; a name cut short is whole in its tooltip."""
    table.resizeColumnsToContents()
    cap = max(90, int(table.viewport().width() * FIGURE_SHARE))
    if table.columnWidth(0) > cap:
        table.setColumnWidth(0, cap)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    for row in range(table.rowCount()):
        item = table.item(row, 0)
        if item is not None and not item.toolTip():
            item.setToolTip(item.text())
