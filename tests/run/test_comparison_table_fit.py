"""The comparison table shows every cell's whole text, the Difference column in view.

At 1280x720 the table beside the plots is about 210 pixels wide: the objectives' names were cut
("browsers · av…ity 95 % (ok)"), queue waits read as raw names in seconds without a unit.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStyle
from test_dashboard_layout import compared_at, shop  # noqa: F401  (the fixture)

from app.run.comparison_table import DIFFERENCE_COLUMN, VARIANT_COLUMNS, ComparisonTable
from app.run.elide import ELLIPSIS, FittedLabel
from app.run.formatting import comparison_cells, trivial_row


def _cut_cells(table) -> list[tuple[int, int, str]]:
    """The cells whose text, as the table draws it in its cell (wrapped if it wraps), does not fit."""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    cut = []
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is None or not item.text():
                continue
            rect = table.visualRect(table.model().index(row, column))
            room = QRect(0, 0, rect.width() - 2 * margin, rect.height())
            metrics = QFontMetrics(item.font())
            flags = Qt.TextFlag.TextWordWrap if table.wordWrap() else Qt.TextFlag.TextSingleLine
            needed = metrics.boundingRect(room, int(flags), item.text())
            if needed.width() > room.width() or needed.height() > room.height():
                cut.append((row, column, item.text()))
    return cut


def _difference_in_view(table, column: int = DIFFERENCE_COLUMN) -> bool:
    right = table.columnViewportPosition(column) + table.columnWidth(column)
    return table.columnViewportPosition(column) >= 0 and right <= table.viewport().width()


@pytest.mark.parametrize("screen", [(1280, 720), (1920, 1080)])
def test_after_a_comparison_with_objectives_every_cell_reads_whole(qtbot, shop, screen):  # noqa: F811
    w, ui = compared_at(qtbot, shop, screen)
    table = ui.dashboard.table
    spanned = [r for r in range(table.rowCount()) if table.columnSpan(r, 0) == DIFFERENCE_COLUMN + 1]
    assert len(spanned) == 4  # two objectives, each with its recovery after the fault
    assert _cut_cells(table) == []
    assert _difference_in_view(table)
    if screen[0] >= 1920:
        # The verdicts' sentences made each run's column about 290 px, wider than the table: scrolled
        # sideways, the two runs' figures now stand side by side, the sentences in the tooltips.
        runs = [VARIANT_COLUMNS["protected"], VARIANT_COLUMNS["unprotected"]]
        assert sum(table.columnWidth(c) for c in runs) <= table.viewport().width()
    # Its title in words that fit, never "With vs with…"; the whole title in the tooltip.
    title = ui.dashboard.table_box.title
    assert ELLIPSIS not in title.shown_text()
    assert title.sizeHint().width() <= title.contentsRect().width() + 1
    if title.shown_text() != title.text():
        assert title.toolTip() == "With vs without resilience · one replication"
    # Still so after the user gives the table less room.
    sizes = ui.dashboard.splitter.sizes()
    ui.dashboard.splitter.setSizes([sizes[0] + 30, sizes[1] - 30])
    qtbot.wait(50)
    assert _cut_cells(table) == [] and _difference_in_view(table)


def test_a_fitted_label_shows_the_first_form_that_fits_and_cuts_the_last_if_none_does(qtbot):
    label = FittedLabel()
    qtbot.addWidget(label)
    label.show()
    label.set_forms(["alpha bravo charlie", "alpha bravo", "alpha"])
    metrics = label.fontMetrics()
    for shown in ("alpha bravo charlie", "alpha bravo", "alpha"):
        label.resize(metrics.horizontalAdvance(shown) + 4, 30)
        assert label.shown_text() == shown
        assert label.toolTip() == ("" if shown == "alpha bravo charlie" else "alpha bravo charlie")
    label.resize(metrics.horizontalAdvance("al"), 30)
    assert ELLIPSIS in label.shown_text() and label.text() == "alpha bravo charlie"


def _row(component: str, metric: str, protected: float, unprotected: float) -> dict:
    return {"component": component, "metric": metric, "protected": protected, "unprotected": unprotected,
            "difference": protected - unprotected}


def test_a_narrow_table_wraps_the_figures_names_and_keeps_the_difference_in_view(qtbot):
    box = ComparisonTable()
    qtbot.addWidget(box)
    box.resize(400, 300)
    box.show()
    rows = [_row("db", "wait_probability", 0.02, 0.4), _row("db", "queue_wait_mean", 0.0012, 0.25),
            _row("db", "latency_p99", 0.05, 0.9)]
    box.fill(rows, 1, ["db"])
    qtbot.wait(20)
    table = box.table
    assert not table.wordWrap() and _cut_cells(table) == [] and _difference_in_view(table)
    box.resize(150, 300)
    qtbot.waitUntil(lambda: table.wordWrap())
    assert _difference_in_view(table) and _cut_cells(table) == []
    box.resize(400, 300)
    qtbot.waitUntil(lambda: not table.wordWrap())
    assert _cut_cells(table) == []
    default = table.verticalHeader().defaultSectionSize()
    assert all(table.rowHeight(row) == default for row in range(table.rowCount()))  # one line again


def test_queue_waits_read_with_their_units_and_quiet_rows_are_left_out():
    assert comparison_cells(_row("db", "queue_wait_mean", 0.0012, 0.25), baseline=False) == [
        "Queue wait mean", "-249 ms", "1.20 ms", "250 ms"]
    assert comparison_cells(_row("db", "wait_probability", 0.02, 0.4), baseline=False) == [
        "Share that waited", "-38.0 %", "2.00 %", "40.0 %"]
    assert trivial_row(_row("browsers", "queue_wait_mean", 0.0, 0.0))
    assert not trivial_row(_row("db", "queue_wait_mean", 0.0, 0.1))
