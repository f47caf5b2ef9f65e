"""The dashboard's rough edges after a comparison with objectives, at 1280x720, 1600x1000 and 1920x1080.

What the screenshots showed: the bottom row's time label on its tick values, a recovery label on the
burn plot's axis, banner details pushing the burn plot below the fold, an empty readout line above
"Why", objective names wrapped in a narrow column, and a dim pending symbol on the dark banner.
"""
from __future__ import annotations

import re

import pytest
from colour_contrast import contrast
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from test_dashboard_layout import compared_at, shop  # noqa: F401  (the fixture)
from test_run_window import run_and_wait
from test_window_fit import _fit

from app.run.comparison_table import DIFFERENCE_COLUMN
from app.run.plot_grid import PLOT_ROW_MIN_HEIGHT
from app.run.verdicts import PENDING

SCREENS = [(1280, 720), (1600, 1000), (1920, 1080)]


def _scene_rect(item):
    return item.mapRectToScene(item.boundingRect())


@pytest.mark.parametrize("screen", SCREENS)
def test_after_a_comparison_nothing_overlaps_and_the_plots_stay_whole(qtbot, shop, screen):  # noqa: F811
    w, ui = compared_at(qtbot, shop, screen, settle_ms=100)
    dashboard = ui.dashboard
    # Under the bottom row the time label lies below the tick values, not on them.
    for key in ("utilisation", "queue", "breakers"):
        axis = dashboard.plots[key].getAxis("bottom")
        top = _scene_rect(axis).top()
        assert _scene_rect(axis.label).top() >= top + axis.style["tickTextHeight"], key
    # The recovery marks' labels stay within the burn plot's view, off its time axis and title.
    overlay = ui.verdicts
    view = _scene_rect(overlay.burn_plot.vb)
    assert len(overlay._marks) >= 2  # recovered with resilience, not recovered without
    for line in overlay._marks:
        label = _scene_rect(line.label)
        assert view.top() - 1 <= label.top() and label.bottom() <= view.bottom() + 1, line.label.toPlainText()
    # The objectives' threshold labels stay within their plots (one client: no name to repeat).
    for key, line, _value in overlay._threshold_lines:
        label, plot_view = _scene_rect(line.label), _scene_rect(dashboard.plots[key].vb)
        assert plot_view.left() - 1 <= label.left(), line.label.toPlainText()
        assert not line.label.toPlainText().startswith("browsers")
    # No empty line between the legend and the reasons.
    gap = dashboard.why_label.geometry().top() - dashboard.legend_label.geometry().bottom()
    assert dashboard.readout.isHidden() and gap < dashboard.why_label.fontMetrics().lineSpacing()
    # The banner's details never push the burn plot below the fold.
    assert dashboard.scroll.verticalScrollBar().maximum() == 0
    assert overlay.burn_plot.geometry().bottom() <= dashboard.plots_widget.height() + 1
    # Objective names are one line over the empty Difference cell too, each run's verdict on a line
    # of its own (the table beside the plots is too narrow for the runs side by side at the test's
    # screen, which holds the window to 1600x1000).
    box = dashboard.table_box
    table = box.table
    objective_rows = [box.entry_row(e.name) for e in box.entries if e.objective]
    assert all(table.columnSpan(r, 0) == DIFFERENCE_COLUMN + 1 for r in objective_rows)
    one_line = table.fontMetrics().lineSpacing() * 1.5
    assert all(table.rowHeight(r) < one_line for r in objective_rows)
    assert len(objective_rows) == 4  # two objectives, each with its recovery after the fault


@pytest.mark.parametrize("screen", [(1280, 720), (1920, 1080)])
def test_every_plot_shows_without_scrolling_and_shrinks_only_where_the_dock_is_short(qtbot, shop, screen):  # noqa: F811
    """At 1280x720 the bottom row and the burn plot lay below the fold of a 178 px scrolling area."""
    w, ui = compared_at(qtbot, shop, screen, settle_ms=100)
    dashboard = ui.dashboard
    viewport = dashboard.scroll.viewport()
    shown = QRect(viewport.mapTo(w, QPoint(0, 0)), viewport.size())
    view = dashboard.plots_widget
    rows = {key: plot.geometry().height() for key, plot in dashboard.plots.items()}
    for key, plot in [*dashboard.plots.items(), ("burn", ui.verdicts.burn_plot)]:
        rect = view.mapFromScene(plot.mapRectToScene(plot.boundingRect())).boundingRect()
        on_window = QRect(view.mapTo(w, rect.topLeft()), rect.size())
        assert shown.adjusted(-1, -1, 1, 1).contains(on_window), (key, on_window, shown)
    assert min(rows.values()) >= PLOT_ROW_MIN_HEIGHT, rows
    if screen == (1920, 1080):  # room enough: the rows stay well above their floor, the banner's details shown
        assert min(rows.values()) >= 1.3 * PLOT_ROW_MIN_HEIGHT, rows


def test_the_readout_shares_the_reasons_line_and_leaves_it_when_the_pointer_goes(qtbot, shop):  # noqa: F811
    w, ui = shop
    _fit(qtbot, w, 1600, 1000)
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    before = dashboard.plots_widget.height()
    dashboard.set_cursor(50.0)
    qtbot.wait(20)
    assert dashboard.readout.isVisible() and "t = 50.0 s" in dashboard.readout.text()
    assert dashboard.readout.geometry().top() == dashboard.why_label.geometry().top()
    assert dashboard.plots_widget.height() == before  # the values come without resizing a plot
    dashboard.set_readout("")
    assert dashboard.readout.isHidden()




def _symbol_and_background(banner) -> tuple[QColor, QColor]:
    symbol = re.search(r"color:(#[0-9a-fA-F]{6})", banner.head.text()).group(1)
    background = re.search(r"background: (#[0-9a-fA-F]{6})", banner.styleSheet()).group(1)
    return QColor(symbol), QColor(background)


def test_the_pending_symbol_reads_on_the_dark_banner_and_follows_the_theme(qtbot, shop):  # noqa: F811
    w, ui = shop
    app = QApplication.instance()
    old_palette, old_sheet, old_style = app.palette(), app.styleSheet(), app.style().name()
    try:
        w.set_theme("dark")
        run_and_wait(qtbot, ui)
        banner = ui.verdicts.banner
        banner.expect(ui.session, [("browsers", "availability")])
        assert banner.state == PENDING
        symbol, background = _symbol_and_background(banner)
        assert background.lightness() < 100 and contrast(symbol, background) >= 4.5
        dark_symbol = symbol
        w.set_theme("light")
        qtbot.wait(20)
        symbol, background = _symbol_and_background(banner)
        assert background.lightness() > 180 and symbol != dark_symbol and contrast(symbol, background) >= 3
    finally:
        app.setStyle(old_style)
        app.setPalette(old_palette)
        app.setStyleSheet(old_sheet)
