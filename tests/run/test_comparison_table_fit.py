"""The comparison table shows every cell's whole text, the Difference column in view.

At 1280x720 the table beside the plots is about 210 pixels wide: the objectives' names were cut
("browsers · av…ity 95 % (ok)"), queue waits read as raw names in seconds without a unit.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QStyle
from test_dashboard_layout import compared_at, shop  # noqa: F401  (the fixture)

from app.run.comparison_table import DIFFERENCE_COLUMN, HEADERS, NBSP, ComparisonTable
from app.run.elide import ELLIPSIS, FittedLabel
from app.run.formatting import comparison_cells, trivial_row
from app.run.verdicts import COLOURS as VERDICT_COLOURS
from app.run.verdicts import DARK_COLOURS


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


def _every_column_in_view(table) -> bool:
    return (not table.horizontalScrollBar().isVisible()
            and all(_difference_in_view(table, column) for column in range(table.columnCount())))


def _every_figure_shown(box) -> bool:
    """Each line's runs are in the table, in whichever layout, each in a cell of its own line."""
    for entry in box.entries:
        for variant, cell in entry.values.items():
            item = box.value_item(entry, variant)
            if item is None or _squeezed(cell.text) not in _squeezed(item.text()):
                return False
    return bool(box.entries)


def _squeezed(text: str) -> str:
    return text.replace(NBSP, "").replace(" ", "")


@pytest.mark.parametrize("screen", [(1280, 720), (1600, 1000), (1920, 1080)])
def test_after_a_comparison_with_objectives_every_column_and_cell_reads_whole(qtbot, shop, screen):  # noqa: F811
    w, ui = compared_at(qtbot, shop, screen)
    box = ui.dashboard.table_box
    table = box.table
    objectives = [e for e in box.entries if e.objective]
    assert len(objectives) == 4  # two objectives, each with its recovery after the fault
    # Beside the plots the table is 210-300 px: With and Without needed a sideways scroll. Now the
    # runs go on lines of their own under each figure, and every column is in view.
    assert _every_column_in_view(table), [table.columnWidth(c) for c in range(table.columnCount())]
    assert _cut_cells(table) == []
    assert _every_figure_shown(box)
    # Its title in words that fit, never "With vs with…"; the whole title in the tooltip.
    title = box.title
    assert ELLIPSIS not in title.shown_text()
    assert title.sizeHint().width() <= title.contentsRect().width() + 1
    if title.shown_text() != title.text():
        assert title.toolTip() == "With vs without resilience · one replication"
    # Still so after the user gives the table less room; given room enough for the runs side by
    # side, they stand there.
    splitter = ui.dashboard.splitter
    sizes = splitter.sizes()
    splitter.setSizes([sizes[0] + 30, sizes[1] - 30])
    qtbot.wait(50)
    assert _cut_cells(table) == [] and _every_column_in_view(table) and _every_figure_shown(box)
    wide = sum(box.side_by_side_widths()) + 40
    splitter.setSizes([sum(sizes) - wide, wide])
    qtbot.wait(50)
    assert not box.stacked and table.columnCount() == len(HEADERS)
    assert _cut_cells(table) == [] and _every_column_in_view(table) and _every_figure_shown(box)


def test_with_replications_and_a_baseline_every_column_reads_whole_at_1280(qtbot, shop):  # noqa: F811
    # Three runs, each figure with its interval: the differences alone were wider than the table
    # left them, and pushed it into a sideways scroll.
    w, ui = shop
    ui.replications_spin.setValue(3)
    ui.baseline_action.setChecked(True)
    w, ui = compared_at(qtbot, shop, (1280, 720))
    box = ui.dashboard.table_box
    assert box.variants == ["protected", "unprotected", "baseline"] and box.stacked
    assert any("±" in e.difference.text for e in box.entries if e.difference)
    assert _every_column_in_view(box.table) and _cut_cells(box.table) == [] and _every_figure_shown(box)


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


def test_a_narrow_table_puts_the_runs_under_each_figure_and_back_beside_it_when_wide(qtbot):
    box = ComparisonTable()
    qtbot.addWidget(box)
    box.resize(420, 300)
    box.show()
    rows = [_row("db", "wait_probability", 0.02, 0.4), _row("db", "queue_wait_mean", 0.0012, 0.25),
            _row("db", "latency_p99", 0.05, 0.9)]
    box.fill(rows, 1, ["db"])
    qtbot.wait(20)
    table = box.table
    assert not box.stacked and table.columnCount() == len(HEADERS)
    assert table.item(2, 0).text() == "Queue wait mean" and table.item(2, 2).text() == "1.20 ms"
    # requests stuck in the queue to the end are not in its mean wait: the name alone let it read as
    # "nobody waited" beside a peak queue of 600
    assert "still waiting when the run ended are not in it" in table.item(2, 0).toolTip()
    assert _cut_cells(table) == [] and _every_column_in_view(table) and _every_figure_shown(box)
    box.resize(220, 300)
    qtbot.waitUntil(lambda: box.stacked)
    # Figure and Difference, and under each figure its runs on a line of their own.
    assert table.columnCount() == 2
    assert (table.item(3, 0).text(), table.item(3, DIFFERENCE_COLUMN).text()) == ("Queue wait mean", f"-249{NBSP}ms")
    assert "started service" in table.item(3, 0).toolTip()
    assert _squeezed(table.item(4, 0).text()) == _squeezed("with 1.20 ms · without 250 ms")
    assert table.item(4, 0).toolTip() == "With: 1.20 ms\nWithout: 250 ms"
    assert _cut_cells(table) == [] and _every_column_in_view(table) and _every_figure_shown(box)
    box.resize(160, 300)
    qtbot.waitUntil(lambda: table.width() == 160)
    # Names and the runs' line wrap (rows grow), the Difference column stays in view.
    heights = [table.rowHeight(row) for row in range(table.rowCount())]
    assert max(heights) > 1.5 * min(heights)
    assert _difference_in_view(table) and _cut_cells(table) == []
    box.resize(420, 300)
    qtbot.waitUntil(lambda: not box.stacked)
    assert _cut_cells(table) == [] and _every_column_in_view(table)
    default = table.verticalHeader().defaultSectionSize()
    assert all(table.rowHeight(row) == default for row in range(table.rowCount()))  # one line again


def test_a_narrow_table_breaks_the_runs_line_between_runs_never_inside_a_figure(qtbot):
    box = ComparisonTable()
    qtbot.addWidget(box)
    box.resize(200, 300)
    box.show()
    row = _row("db", "latency_p99", 0.0512, 0.9034) | {"protected_ci": 0.0031, "unprotected_ci": 0.12,
                                                        "difference_ci": 0.11}
    box.fill([row], 5, ["db"])
    qtbot.waitUntil(lambda: box.stacked)
    item = box.value_item("Latency p99", "protected")
    assert item is box.value_item("Latency p99", "unprotected")
    lines = item.text().split(" · ")
    assert [_squeezed(line) for line in lines] == ["with51.2±3.1ms", "without903±120ms"]
    # A break only between runs or before an interval, never inside a figure.
    assert all(" " not in part for line in lines for part in line.strip(NBSP).split(" ±"))
    assert _cut_cells(box.table) == [] and _every_column_in_view(box.table)
    # Narrower still, the difference's interval goes under it rather than out of view.
    table = box.table
    box.resize(150, 300)
    qtbot.waitUntil(lambda: table.width() == 150)
    difference = table.item(box.entry_row("Latency p99"), DIFFERENCE_COLUMN)
    assert difference.text().split(" ") == ["-852", f"±{NBSP}110{NBSP}ms"]
    assert table.rowHeight(box.entry_row("Latency p99")) > 1.5 * table.fontMetrics().lineSpacing()
    assert _cut_cells(table) == [] and _every_column_in_view(table)


def test_queue_waits_read_with_their_units_and_quiet_rows_are_left_out():
    assert comparison_cells(_row("db", "queue_wait_mean", 0.0012, 0.25), baseline=False) == [
        "Queue wait mean", "-249 ms", "1.20 ms", "250 ms"]
    assert comparison_cells(_row("db", "wait_probability", 0.02, 0.4), baseline=False) == [
        "Share that waited", "-38.0 %", "2.00 %", "40.0 %"]
    assert trivial_row(_row("browsers", "queue_wait_mean", 0.0, 0.0))
    assert not trivial_row(_row("db", "queue_wait_mean", 0.0, 0.1))


def test_the_verdicts_take_their_colours_for_the_theme(qtbot, shop):  # noqa: F811
    w, ui = compared_at(qtbot, shop, (1600, 1000))
    box = ui.dashboard.table_box
    app = QApplication.instance()
    old_palette, old_sheet, old_style = app.palette(), app.styleSheet(), app.style().name()
    entry = next(e for e in box.entries if e.objective)
    state = entry.values["unprotected"].state

    def colour() -> str:
        return box.value_item(entry, "unprotected").foreground().color().name()

    try:
        w.set_theme("light")
        qtbot.waitUntil(lambda: colour() == VERDICT_COLOURS[state])
        w.set_theme("dark")  # lighter tones: the missed red read dim on the dark table
        qtbot.waitUntil(lambda: colour() == DARK_COLOURS[state])
        assert _cut_cells(box.table) == [] and _every_column_in_view(box.table)
    finally:
        app.setStyle(old_style)
        app.setPalette(old_palette)
        app.setStyleSheet(old_sheet)


def test_a_comparison_whose_resilience_never_acted_says_the_runs_are_the_same(qtbot):
    """A design without a policy switched on, compared, showed a table of "0 /s" and "0 ms" that
    read as if resilience made no difference where it had nothing to act with."""
    box = ComparisonTable()
    qtbot.addWidget(box)
    box.resize(900, 300)
    box.show()
    box.fill([_row("users", "throughput", 100.0, 100.0), _row("users", "latency_p99", 0.05, 0.05)], 1, ["users"])
    assert "the same runs: no resilience policy acted" in box.title.text()
    box.fill([_row("users", "throughput", 100.0, 90.0), _row("users", "latency_p99", 0.05, 0.05)], 1, ["users"])
    assert "the same runs" not in box.title.text() and "one replication" in box.title.text()
