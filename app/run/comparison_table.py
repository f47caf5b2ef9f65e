"""The comparison table: each summary figure with and without resilience, their difference and its CI."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .formatting import METRIC_LABELS, format_ci, trivial_row, verdict

GOOD, BAD = "#2e9d4f", "#d3362d"


class ComparisonTable(QWidget):
    """Rows grouped under their component; differences coloured when they are distinguishable from none."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.title = QLabel("<b>Comparison</b>")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        header.addWidget(self.title, 1)
        self.all_rows_check = QCheckBox("All components")
        self.all_rows_check.setToolTip("Show every component's figures, not only the plotted ones")
        header.addWidget(self.all_rows_check)
        layout.addLayout(header)
        self.table = QTableWidget(0, 4)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setMinimumWidth(120)
        self.table.setToolTip("Difference: with minus without resilience on the same seeds; "
                              "± is the 95 % confidence interval over the replications.")
        layout.addWidget(self.table, 1)
        self.hide()

    def fill(self, rows: list[dict[str, Any]], replications: int, plotted: list[str]) -> None:
        """Show ``rows`` (the engine's comparison table), only the plotted components unless asked for all."""
        rows = [r for r in rows if not trivial_row(r)]
        if not self.all_rows_check.isChecked():
            rows = [r for r in rows if r["component"] in plotted] or rows
        self.title.setText("<b>With vs without resilience</b> · " + (
            f"mean ± 95 % CI, {replications} replications" if replications > 1 else "one replication"))
        baseline = any("baseline" in r for r in rows)
        # Short headers leave the difference column in view on a laptop screen; the title says "resilience".
        headers = ["Figure", "With", "Without", "Difference"] + (["No faults"] if baseline else [])
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
                metric = row["metric"]
                cells = [METRIC_LABELS.get(metric, metric),
                         format_ci(metric, row.get("protected"), row.get("protected_ci")),
                         format_ci(metric, row.get("unprotected"), row.get("unprotected_ci")),
                         format_ci(metric, row.get("difference"), row.get("difference_ci"), signed=True)]
                if baseline:
                    cells.append(format_ci(metric, row.get("baseline"), row.get("baseline_ci")))
                for j, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if j >= 1:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if j == 3:
                        judged = verdict(metric, row.get("difference"), row.get("difference_ci"))
                        if judged:
                            item.setForeground(QColor(GOOD if judged > 0 else BAD))
                    table.setItem(i, j, item)
                i += 1
        table.resizeColumnsToContents()
