"""The dashboard after a comparison with objectives, as seen at 1280x720 and 1920x1080, light and dark.

What the screenshots taught: plots squeezed flat under the banner and legend, a third column of plots
narrower than the others, a light green banner on a dark window, a Difference column cut off, and
plots that resize (every axis redrawn) when the run ends.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from test_run_window import FULL_SPEED, make_window, run_and_wait
from test_window_fit import _fit

from app.run.comparison_table import DIFFERENCE_COLUMN
from app.run.plot_grid import PLOT_ROW_MIN_HEIGHT
from app.run.session import RUNNING
from app.store import load_design_from_path
from engine.model import Project

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def shop(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    design = load_design_from_path(EXAMPLES / "three_tier.json")
    w.document.load(Project(name="shop", designs=[design]))
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.duration_spin.setValue(120)
    ui.set_experiment("database outage")
    ui.compare_action.setChecked(True)
    yield w, ui
    ui.shutdown()
    w.close()


def compared_at(qtbot, shop, screen: tuple[int, int], settle_ms: int = 50):
    """The shop's window fitted to ``screen``, after its comparison has run and every plot is drawn."""
    w, ui = shop
    _fit(qtbot, w, *screen)
    run_and_wait(qtbot, ui)
    ui.dashboard.flush()
    qtbot.wait(settle_ms)
    return w, ui


@pytest.mark.parametrize("screen", [(1280, 720), (1920, 1080)])
def test_after_a_comparison_with_objectives_the_plots_stay_readable(qtbot, shop, screen):
    w, ui = shop
    _fit(qtbot, w, *screen)
    run_and_wait(qtbot, ui)
    qtbot.wait(100)
    dashboard = ui.dashboard
    assert ui.verdicts.banner.isVisible() and ui.verdicts.burn_plot is not None
    for key, plot in dashboard.plots.items():
        assert plot.geometry().height() >= PLOT_ROW_MIN_HEIGHT * 0.8, key
    # The three columns share the width, the burn plot under them included.
    widths = [dashboard.plots[key].geometry().width() for key in ("throughput", "errors", "latency")]
    assert max(widths) - min(widths) <= 2, widths
    assert ui.verdicts.burn_plot.geometry().right() <= dashboard.plots_widget.width() + 1
    # Every plot lies within the plots' own widget (the grid is no wider than its view).
    for key, plot in dashboard.plots.items():
        assert plot.geometry().right() <= dashboard.plots_widget.width() + 1, key
    # The Difference column is in view beside the figures' names.
    table = dashboard.table
    assert table.columnViewportPosition(DIFFERENCE_COLUMN) + 20 < table.viewport().width()


def test_a_comparison_holds_its_layout_from_start_to_end(qtbot, shop):
    w, ui = shop
    _fit(qtbot, w, 1600, 1000)
    heights = []
    ui.controller.updated.connect(lambda s: heights.append(
        (ui.dashboard.plots_widget.height(), ui.dashboard.table_box.isVisible(), s.status)))
    ui.speed_combo.setCurrentIndex(3)  # 100x: frames for a second or so, the layout seen as the run goes
    run_and_wait(qtbot, ui)
    qtbot.wait(100)
    live = [(h, table) for h, table, status in heights[1:] if status == RUNNING]
    assert live and all(table for _h, table in live)  # the table's place is kept from the start
    final = ui.dashboard.plots_widget.height()
    # The verdicts, the table and the reasons arrive without changing the plots' height.
    assert {h for h, _t in live} == {final}


def test_the_verdict_banner_takes_the_dark_theme(qtbot, shop):
    w, ui = shop
    app = QApplication.instance()
    old_palette, old_sheet, old_style = app.palette(), app.styleSheet(), app.style().name()
    try:
        w.set_theme("dark")
        run_and_wait(qtbot, ui)
        banner = ui.verdicts.banner
        image = banner.grab().toImage()
        # Sampled inside the border, away from the text at the left.
        colour = QColor(image.pixel(image.width() - 4, image.height() // 2))
        assert colour.lightness() < 100
        w.set_theme("light")
        qtbot.wait(20)
        image = banner.grab().toImage()
        assert QColor(image.pixel(image.width() - 4, image.height() // 2)).lightness() > 180
    finally:
        app.setStyle(old_style)
        app.setPalette(old_palette)
        app.setStyleSheet(old_sheet)
