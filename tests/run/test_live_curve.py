"""A live curve draws what pyqtgraph's clipped, peak-downsampled PlotDataItem drew, for less."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from app.run.live_curve import LiveCurve


@pytest.fixture
def plot(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    widget.resize(500, 300)
    widget.show()
    plot = widget.addPlot()
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    plot.enableAutoRange(False)
    plot.setYRange(0, 10)
    yield plot  # the widget held until the test is done
    widget.close()


def _reference(plot) -> pg.PlotDataItem:
    item = pg.PlotDataItem(connect="finite", autoDownsampleFactor=1.5)
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    plot.addItem(item)
    return item


@pytest.mark.parametrize("buckets, shown", [(40, (0, 400)), (3_000, (0, 200_000)), (20_000, (0, 200_000)),
                                            (20_000, (50_000, 60_000))])
def test_it_draws_the_points_pyqtgraph_drew_and_gives_back_the_whole_series(qtbot, plot, buckets, shown):
    rng = np.random.default_rng(7)
    x = np.arange(buckets) * 10.0 + 5.0
    y = rng.uniform(0, 10, buckets)
    y[rng.random(buckets) < 0.05] = np.nan  # buckets without a latency: gaps
    reference, live = _reference(plot), LiveCurve()
    plot.addItem(live)
    plot.setXRange(*shown, padding=0)
    qtbot.wait(10)
    reference.setData(x, y)
    live.setData(x, y)
    drawn_x, drawn_y = reference.curve.getData()
    np.testing.assert_array_equal(live.xData, drawn_x)
    np.testing.assert_array_equal(live.yData, drawn_y)
    whole_x, whole_y = live.getData()
    np.testing.assert_array_equal(whole_x, x)
    np.testing.assert_array_equal(whole_y, y)


def test_the_path_and_bounds_pyqtgraph_paints_are_of_the_drawn_points_not_the_whole_series(qtbot, plot):
    x = np.arange(20_000) * 10.0 + 5.0
    y = np.sin(x / 1_000.0) + 2.0
    y[100] = 50.0  # out of view: not in what is drawn
    live = LiveCurve()
    plot.addItem(live)
    plot.setXRange(100_000, 200_000, padding=0)
    live.setData(x, y)
    assert 0 < len(live.xData) < 2_000
    assert live.getPath().elementCount() == len(live.xData)
    (x0, x1), (_y0, y1) = live.dataBounds(0), live.dataBounds(1)
    assert x0 == live.xData[0] and x1 == live.xData[-1] and y1 < 4.0
    assert len(live.getData()[0]) == 20_000  # asked from outside: still the whole series
    live.setLogMode(False, True)  # bounds in the scale drawn, as the path is
    assert live.dataBounds(1)[1] == pytest.approx(np.nanmax(np.log10(live._series[1][10_000:])), abs=0.01)


def test_it_draws_again_for_a_new_view(qtbot, plot):
    x = np.arange(20_000) * 10.0 + 5.0
    y = np.sin(x / 1_000.0) + 2.0
    live = LiveCurve()
    plot.addItem(live)
    plot.setXRange(0, 200_000, padding=0)
    live.setData(x, y)
    coarse = len(live.xData)
    plot.setXRange(0, 20_000, padding=0)  # zoomed in: the buckets in view, each drawn
    assert live.xData[0] < 100 and live.xData[-1] > 19_900  # to both edges of the view
    assert len(live.xData) > coarse / 2 and live.xData[-1] < 25_000


@pytest.mark.parametrize("ds, auto, method", [(4, False, "peak"), (3, False, "mean"), (5, False, "subsample"),
                                              (1, True, "mean")])
def test_the_plot_menus_downsampling_clip_and_log_axis_apply_as_to_pyqtgraphs_items(qtbot, plot, ds, auto, method):
    x = np.arange(5_000) * 10.0 + 5.0
    y = np.abs(np.sin(x / 700.0)) * 9.0 + 0.5
    reference, live = _reference(plot), LiveCurve()
    plot.addItem(live)
    plot.setXRange(10_000, 30_000, padding=0)
    for item in (reference, live):
        item.setData(x, y)
        item.setDownsampling(ds, auto, method)
        item.setClipToView(False)
        item.setLogMode(False, True)
    drawn_x, drawn_y = reference.curve.getData()
    np.testing.assert_array_equal(live.xData, drawn_x)
    np.testing.assert_allclose(live.yData, drawn_y)


def test_the_plot_menus_power_spectrum_applies_as_to_pyqtgraphs_items(qtbot, plot):
    x = np.arange(512) * 10.0 + 5.0
    y = np.sin(x / 30.0) + 1.0
    reference, live = _reference(plot), LiveCurve()
    plot.addItem(live)
    for item in (reference, live):
        item.setData(x, y)
        item.setClipToView(False)
        item.setDownsampling(1, False, "peak")
        item.setFftMode(True)
    plot.setXRange(*reference.curve.dataBounds(0), padding=0)
    drawn_x, drawn_y = reference.curve.getData()
    np.testing.assert_allclose(live.xData, drawn_x)
    np.testing.assert_allclose(live.yData, drawn_y)


def test_a_new_y_range_leaves_the_drawn_points_alone(qtbot, plot):
    x = np.arange(3_000) * 10.0 + 5.0
    live = LiveCurve()
    plot.addItem(live)
    plot.setXRange(0, 200_000, padding=0)
    live.setData(x, np.cos(x / 900.0) + 3.0)
    drawn = []
    live.setData = lambda *a, **k: drawn.append(a)
    plot.setYRange(0, 50)  # the y axis fitted anew, as the dashboard does a few times a run
    assert drawn == []
    plot.setXRange(0, 20_000, padding=0)
    assert drawn
