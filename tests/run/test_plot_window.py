"""Any dashboard plot can be opened in a window of its own, and goes back to its cell when that window closes."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from run_builders import EXPERIMENT

from app.run.dashboard import Dashboard
from app.run.plot_grid import PLOT_POSITIONS
from app.run.plot_window import PlotWindow, pop_out
from app.run.session import RunSession
from engine import RunOptions, simulate


@pytest.fixture
def dashboard(qtbot):
    d = Dashboard()
    qtbot.addWidget(d)
    d.resize(1000, 600)
    d.show()
    qtbot.waitExposed(d)
    yield d
    for window in list(d.popped.values()):
        window.close()


def in_grid(dashboard, key) -> bool:
    grid = dashboard.plots_widget.ci.layout
    return any(grid.itemAt(i) is dashboard.plots[key] for i in range(grid.count()))


def finished_session(design) -> RunSession:
    options = RunOptions(duration=30, seed=1, bucket=1.0)
    result = simulate(design, options, experiment=EXPERIMENT)
    return RunSession.from_results({"protected": result})


def test_a_plot_opens_in_its_own_window_and_comes_back(qtbot, dashboard):
    window = pop_out(dashboard, "latency")
    assert isinstance(window, PlotWindow) and window.isVisible()
    assert window.windowTitle().startswith("Latency")
    plot = dashboard.plots["latency"]
    assert not in_grid(dashboard, "latency") and plot.scene() is window.canvas.scene()
    assert all(in_grid(dashboard, k) for k in dashboard.plots if k != "latency")
    assert pop_out(dashboard, "latency") is window  # asked again: the same window
    # enlarging another plot leaves the window alone
    dashboard.enlarge("throughput")
    assert plot.scene() is window.canvas.scene() and plot.isVisible()
    dashboard.enlarge(None)
    window.close()
    assert "latency" not in dashboard.popped
    grid = dashboard.plots_widget.ci.layout
    assert in_grid(dashboard, "latency") and plot.scene() is dashboard.plots_widget.scene()
    row, col = PLOT_POSITIONS["latency"]
    assert grid.itemAt(row, col) is plot
    # and it can go out again
    again = pop_out(dashboard, "latency")
    assert again is not window and not in_grid(dashboard, "latency")
    again.close()
    assert in_grid(dashboard, "latency")


def test_an_enlarged_plot_opened_in_a_window_gives_the_grid_back_to_the_others(qtbot, dashboard):
    dashboard.enlarge("errors")
    pop_out(dashboard, "errors")
    assert dashboard.enlarged is None
    assert all(in_grid(dashboard, k) and dashboard.plots[k].isVisible() for k in dashboard.plots if k != "errors")


def test_the_window_shows_the_runs_curves(qtbot, dashboard, design):
    window = pop_out(dashboard, "throughput")
    dashboard.show_session(finished_session(design))
    curves = [c.item for c in dashboard._curves if c.plot == "throughput"]
    assert curves and all(c.scene() is window.canvas.scene() for c in curves)
    x, y = curves[0].getData()
    assert len(x) == 30 and np.nansum(y) > 0


def test_a_long_run_in_a_window_keeps_its_time_axis_in_plain_seconds(qtbot, dashboard, design):
    """Seen in a screenshot: "(ks)" under a popped-out plot, its ticks 0, 1, 2."""
    options = RunOptions(duration=3000, seed=1, bucket=10.0)
    dashboard.show_session(RunSession.from_results({"protected": simulate(design, options, experiment=EXPERIMENT)}))
    dashboard.flush()
    for key in ("throughput", "breakers"):  # a top-row plot, its time values hidden in the grid, and a bottom one
        window = pop_out(dashboard, key)
        qtbot.wait(20)
        axis = dashboard.plots[key].getAxis("bottom")
        assert axis.autoSIPrefixScale == 1.0 and "(s)" in axis.labelString() and "ks" not in axis.labelString()
        ticks = [v for _spacing, values in axis.tickValues(0, 3000, 600) for v in values]
        assert axis.style["showValues"] and max(ticks) > 1000  # ticks in seconds, not in thousands of them
        window.close()


def test_a_plot_back_from_its_window_exports_with_its_labels(qtbot, dashboard):
    """Seen as a crash: an objective's labelled line painted in a plot's window, the window closed,
    then the dashboard exported before it repainted that plot (scrolled out of sight)."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtGui import QImage

    line = pg.InfiniteLine(pos=5.0, angle=0, movable=False, label="error budget 5 %",
                           labelOpts={"position": 0.98, "fill": pg.mkBrush(255, 255, 255, 215)})
    dashboard.plots["errors"].addItem(line)
    window = pop_out(dashboard, "errors")
    window.canvas.grab()  # the label paints in the window's scene
    window.close()
    # The window and its scene are gone before the dashboard paints again.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    image = QImage.fromData(dashboard.plots_png(width=600))
    assert not image.isNull() and image.width() == 600
    assert line.label.scene() is dashboard.plots_widget.scene()
