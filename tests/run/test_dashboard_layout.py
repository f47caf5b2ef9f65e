"""The dashboard after a comparison with objectives, as seen at 1280x720 and 1920x1080, light and dark.

What the screenshots taught: plots squeezed flat under the banner and legend, a third column of plots
narrower than the others, a light green banner on a dark window, a Difference column cut off, and
plots that resize (every axis redrawn) when the run ends.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from test_run_window import FULL_SPEED, make_window, run_and_wait
from test_window_fit import _fit

from app.run.comparison_table import DIFFERENCE_COLUMN
from app.run.plot_grid import PLOT_ROW_MIN_HEIGHT
from app.run.plot_style import TITLE_HEIGHT
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
    # As the user sees it: from the dashboard's first paint of the run on (its start is laid out before).
    ui.controller.updated.connect(lambda s: heights.append(
        (ui.dashboard.plots_widget.height(), ui.dashboard.table_box.isVisible(), s.status))
        if ui.dashboard.session is s and ui.dashboard.updatesEnabled() else None)
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


class _Watch(QObject):
    """Notes the plot grid's resizes (each one lays every plot and axis out) and what the plots'
    first paint shows."""

    def __init__(self, ui):
        super().__init__()
        self.ui = ui
        self.resizes: list[tuple[float, float]] = []
        self.first_paint: dict | None = None

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.GraphicsSceneResize and watched is self.ui.dashboard.plots_widget.ci:
            self.resizes.append(event.newSize().toTuple())
        elif event.type() == QEvent.Type.Paint and self.first_paint is None and self.ui.dashboard.session is not None:
            dashboard = self.ui.dashboard
            self.first_paint = {"banner": self.ui.verdicts.banner.isVisible(), "table": dashboard.table_box.isVisible(),
                                "burn plot": self.ui.verdicts.burn_plot is not None,
                                "size": dashboard.plots_widget.size().toTuple()}
        return False


def test_a_comparison_lays_its_plots_out_once_and_paints_them_in_place(qtbot, shop):
    w, ui = shop
    _fit(qtbot, w, 1600, 1000)
    ui.speed_combo.setCurrentIndex(3)  # 100x: frames arrive while the start is put in place
    dashboard = ui.dashboard
    watch = _Watch(ui)
    dashboard.plots_widget.ci.installEventFilter(watch)
    dashboard.plots_widget.viewport().installEventFilter(watch)
    run_and_wait(qtbot, ui)
    qtbot.wait(100)
    # The dock's new height, the table, the banner and the burn plot: one layout of the grid for all.
    assert len(watch.resizes) == 1, watch.resizes
    assert watch.first_paint == {"banner": True, "table": True, "burn plot": True,
                                 "size": dashboard.plots_widget.size().toTuple()}


class _PlotResizes(QObject):
    """Notes each resize of a plot of the grid once the dashboard paints the run (each one lays that
    plot's axes out again, and the grid's repaint follows)."""

    def __init__(self, ui):
        super().__init__()
        self.ui = ui
        self.resized: list[str] = []

    def eventFilter(self, watched, event):
        dashboard = self.ui.dashboard
        if event.type() == QEvent.Type.GraphicsSceneResize and dashboard.session is not None \
                and dashboard.updatesEnabled():
            self.resized.append(watched.titleLabel.text)
        return False


def test_a_comparisons_burn_plot_keeps_a_compact_title_and_the_plots_their_places(qtbot, shop):
    w, ui = shop
    _fit(qtbot, w, 1600, 1000)
    ui.speed_combo.setCurrentIndex(3)  # 100x: the verdicts and the burn plot follow frames for a second
    watch = _PlotResizes(ui)
    for plot in [*ui.dashboard.plots.values(), ui.verdicts._burn_item]:
        plot.installEventFilter(watch)
    run_and_wait(qtbot, ui)
    ui.dashboard.flush()
    assert ui.verdicts.burn_plot is not None and ui.verdicts._burn_built
    assert watch.resized == []
    # The burn plot's title row is as compact as the other plots': titled again with the run's
    # objectives at the height pyqtgraph gives a title, it grew while the run was on screen and every
    # plot of the grid was laid out and repainted (22-30 ms in one tick, with the bench's full speed).
    title_rows = {plot.titleLabel.geometry().height()
                  for plot in [*ui.dashboard.plots.values(), ui.verdicts.burn_plot]}
    assert title_rows == {TITLE_HEIGHT}


@pytest.mark.parametrize("size, side_by_side", [((1280, 720), False), ((1600, 1000), False), ((1920, 1080), True)])
def test_a_wide_dashboard_gives_the_table_its_runs_side_by_side(qtbot, shop, size, side_by_side):
    w, ui = shop
    w.resize(*size)  # not fitted to the test's screen, which is smaller than 1920x1080
    qtbot.wait(50)
    run_and_wait(qtbot, ui)
    ui.dashboard.flush()
    box = ui.dashboard.table_box
    assert box.stacked is not side_by_side
    if side_by_side:  # every column whole, the plots still three readable columns beside it
        assert sum(box.side_by_side_widths()) <= box.room()
        assert ui.dashboard.plots_widget.width() >= 3 * 240
