"""Pictures of a run: the breaker strip, the design in the report, and what the pointer leaves behind."""
from __future__ import annotations

import base64
import csv
import re
from html import escape

import numpy as np
import pyqtgraph as pg
import pytest
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from run_builders import EXPERIMENT, make_three_tier
from test_run_window import FULL_SPEED, make_window, run_and_wait

from app.canvas.export import picture_rect, render_svg
from app.run.breaker_strip import LUT as _STRIP_LUT
from app.run.plot_export import EXPORT_WIDTH
from app.run.plot_grid import AXIS_CACHE, Y_HEADROOM, fitted_top
from app.run.plot_style import AXIS_TOP_STEPS, nice_ceiling, series_colour
from engine.model import Project


@pytest.fixture
def window(qtbot, tmp_path):
    w, ui = make_window(qtbot, tmp_path)
    w.document.load(Project(name="shop", designs=[make_three_tier()]))
    ui.speed_combo.setCurrentIndex(FULL_SPEED)
    ui.duration_spin.setValue(30)
    ui.set_experiment(EXPERIMENT)
    yield w
    ui.shutdown()
    w.close()


def _count(image: QImage, rgb: tuple[int, int, int], step: int = 2) -> int:
    want = QColor(*rgb)
    return sum(1 for x in range(0, image.width(), step) for y in range(0, image.height(), step)
               if image.pixelColor(x, y).rgb() == want.rgb())


def test_a_run_with_one_breaker_draws_its_strip(qtbot, window):
    ui = window.run_ui
    session = run_and_wait(qtbot, ui)
    assert session.breakers == ["api -> db"]
    strip = ImageExporter(ui.dashboard.plots["breakers"]).export(toBytes=True)
    closed = tuple(int(v) for v in _STRIP_LUT[0][:3])
    open_ = tuple(int(v) for v in _STRIP_LUT[2][:3])
    assert _count(strip, closed) > 50  # closed before and after the outage
    assert _count(strip, open_) > 5  # and open during it


def _non_background_box(image: QImage, background: QColor) -> tuple[int, int, int, int]:
    xs, ys = [], []
    for x in range(0, image.width(), 3):
        for y in range(0, image.height(), 3):
            if image.pixelColor(x, y).rgb() != background.rgb():
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def test_the_reports_design_picture_is_readable_and_names_every_component(qtbot, window, tmp_path):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    html = ui.export_report(tmp_path / "report.html").read_text(encoding="utf-8")
    match = re.search(r'<img alt="the design [^"]*"(?: width="(\d+)")? src="data:image/png;base64,([^"]+)"', html)
    assert match, "no design picture in the report"
    image = QImage.fromData(base64.b64decode(match.group(2)), "PNG")
    drawn = picture_rect(window.scene)
    # At least the canvas's 100 %: the names are as legible as on screen.
    assert image.width() >= drawn.width() and image.height() >= drawn.height()
    assert match.group(1) is None or int(match.group(1)) >= drawn.width()
    # The design fills the picture rather than a strip of it.
    left, top, right, bottom = _non_background_box(image, window.scene.colours.background)
    assert right - left > 0.8 * image.width() and bottom - top > 0.4 * image.height()
    svg = render_svg(window.scene, "three tier").decode("utf-8")
    for component in window.document.design.components:
        assert f">{component.name}<" in svg


def test_the_pointer_leaves_nothing_behind_in_a_new_run_a_new_project_or_a_picture(qtbot, window):
    ui = window.run_ui
    dashboard = ui.dashboard
    run_and_wait(qtbot, ui)
    plot = dashboard.plots["throughput"]
    inside = plot.vb.sceneBoundingRect().center()
    dashboard._on_mouse_moved(inside)
    hover = dashboard._hover_lines["throughput"]
    assert hover.isVisible() and "t =" in dashboard.readout.text()
    png = QImage.fromData(dashboard.plots_png())
    assert hover.isVisible(), "the export put the hover line back"
    assert not png.isNull()
    run_and_wait(qtbot, ui)
    assert not hover.isVisible() and dashboard.readout.text().strip() == ""
    dashboard._on_mouse_moved(inside)
    assert hover.isVisible()
    window.new_project()
    assert not hover.isVisible() and dashboard.readout.text().strip() == ""


def test_the_hover_line_is_not_in_an_exported_picture(qtbot, window):
    ui = window.run_ui
    dashboard = ui.dashboard
    run_and_wait(qtbot, ui)
    plain = QImage.fromData(dashboard.plots_png(width=900))
    dashboard._on_mouse_moved(dashboard.plots["throughput"].vb.sceneBoundingRect().center())
    hovered = QImage.fromData(dashboard.plots_png(width=900))
    assert plain == hovered


def test_plots_export_at_print_resolution_and_as_svg_with_title_legend_and_units(qtbot, window, tmp_path):
    ui = window.run_ui
    dashboard = ui.dashboard
    run_and_wait(qtbot, ui)
    png = QImage(str(dashboard.export_png(tmp_path / "plots.png")))
    area = dashboard.plots_widget.ci.sceneBoundingRect()
    # Laid out at least EXPORT_WIDTH wide for the picture, taller too, with a header above.
    assert png.width() == round(2 * max(area.width(), EXPORT_WIDTH)) and png.height() > 2 * area.height()
    svg = dashboard.export_svg(tmp_path / "plots.svg").read_text(encoding="utf-8")
    for text in ("three tier", EXPERIMENT, "Throughput", "Latency p99", "users", "timeout", "with resilience",
                 "closed", "simulated time"):
        assert text in svg, text
    assert re.search(r">\s*\(?(ms|s)\)?\s*<", svg) or "(ms)" in svg or "(s)" in svg  # an axis unit
    one = QImage.fromData(dashboard.plots_png(key="latency"))
    assert 0 < one.width() <= png.width() and one.height() <= png.height()  # one plot, alone over the grid
    lines = dashboard.export_csv(tmp_path / "plots.csv").read_text(encoding="utf-8").splitlines()
    # Plain words: the plot's title says "p50 pale", which only its picture shows.
    assert "users latency p99 (s)" in lines[0] and "users throughput (/s)" in lines[0]
    assert "pale" not in lines[0] and "with resilience" not in lines[0]  # one run: nothing to tell apart


def test_a_comparisons_plotted_data_names_the_run_of_every_column(qtbot, window, tmp_path):
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    with ui.dashboard.export_csv(tmp_path / "plots.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert "users latency p99 (s) (with resilience)" in header and "users throughput (/s) (without resilience)" \
        in header
    counts = [h for h in header if "(count)" in h or h.startswith("breaker ")]
    assert "users timeout (count) (with resilience)" in counts
    assert counts and all(h.endswith("(with resilience)") for h in counts), counts


def test_axes_scale_their_units(qtbot, window):
    ui = window.run_ui
    ui.set_experiment(None)
    run_and_wait(qtbot, ui)
    latency = ui.dashboard.plots["latency"].getAxis("left")
    assert latency.labelUnitPrefix == "m"  # a three-tier p99 of tens of milliseconds reads in ms
    throughput = ui.dashboard.plots["throughput"].getAxis("left")
    assert throughput.labelUnits == "/s" and throughput.labelUnitPrefix == ""  # 150 requests per second


def test_a_plot_can_be_enlarged_and_put_back(qtbot, window):
    ui = window.run_ui
    dashboard = ui.dashboard
    run_and_wait(qtbot, ui)
    area = dashboard.plots_widget.ci
    small = dashboard.plots["latency"].sceneBoundingRect()
    dashboard.enlarge("latency")
    qtbot.wait(20)
    big = dashboard.plots["latency"].sceneBoundingRect()
    assert big.width() > 0.9 * area.rect().width() and big.height() > 1.8 * small.height()
    assert not dashboard.plots["throughput"].isVisible()
    dashboard.enlarge(None)
    qtbot.wait(20)
    assert all(plot.isVisible() for plot in dashboard.plots.values())
    assert dashboard.plots["latency"].sceneBoundingRect().width() < 0.5 * area.rect().width()


def test_exports_are_named_after_design_experiment_and_date(qtbot, window):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    name = ui.dashboard.default_file_name("report")
    assert name.startswith("three tier - database outage - report - ") and name[-10:-6] >= "2024"
    asked = []
    ui.choose_report_path = lambda suggested: asked.append(suggested)
    ui.export_report_dialog()
    assert asked == [f"{name}.html"]


def test_the_design_exports_as_a_picture_from_the_run_menu(qtbot, window, tmp_path, monkeypatch):
    ui = window.run_ui
    target = tmp_path / "design.svg"
    monkeypatch.setattr(window, "choose_save_path", lambda *args: str(target))
    ui.design_picture_action.trigger()
    assert target.exists() and ">api<" in target.read_text(encoding="utf-8")


def test_a_live_run_redraws_one_plot_per_tick_a_row_after_the_other_and_reuses_its_curves(qtbot, window):
    ui = window.run_ui
    dashboard = ui.dashboard
    run_and_wait(qtbot, ui)
    items_before = {key: len(plot.items) for key, plot in dashboard.plots.items()}
    run_and_wait(qtbot, ui)  # a second run takes its curves from those the first left
    assert {key: len(plot.items) for key, plot in dashboard.plots.items()} == items_before

    def points(plot: str) -> int:
        x = next(c for c in dashboard.curves() if c.plot == plot).item.getData()[0]
        return 0 if x is None else len(x)

    for curve in dashboard.curves():
        curve.item.setData([], [])
    dashboard.session_updated()
    dashboard._redraw_if_dirty()
    assert points("throughput") == 30 and points("latency") == points("utilisation") == 0  # the top row first
    for _ in range(3):
        dashboard._redraw_if_dirty()
    assert points("latency") == points("utilisation") == 30 and points("queue") == 0
    for _ in range(2):
        dashboard._redraw_if_dirty()
    assert points("queue") == 30
    drawn = dashboard.frames_drawn
    dashboard._redraw_if_dirty()
    assert dashboard.frames_drawn == drawn  # nothing new: nothing redrawn


def test_fitted_axes_grow_in_nice_steps_above_the_data(qtbot, window):
    ui = window.run_ui
    run_and_wait(qtbot, ui)
    dashboard = ui.dashboard
    for key in ("throughput", "latency", "queue"):
        low, top = dashboard.plots[key].vb.viewRange()[1]
        peak = max(float(np.nanmax(c.values)) for c in dashboard.curves() if c.plot == key)
        assert low == 0 and peak <= top < 2.5 * max(peak, 0.4)
        assert nice_ceiling(top, AXIS_TOP_STEPS) == pytest.approx(top)


def test_once_the_run_is_over_a_fitted_axis_fits_its_curves_whatever_top_it_reached(qtbot, window):
    """Screenshots of a comparison showed throughput on 0-500 with its curves near 200: a top taken
    while the run streamed, which the curves never fell far enough below to shrink it."""
    ui = window.run_ui
    dashboard = ui.dashboard
    raised = []

    def raise_top(_session) -> None:  # as the run ends, before its final rows are drawn
        raised.append(dashboard.plots["throughput"].vb.viewRange()[1][1])
        dashboard.plots["throughput"].setYRange(0, 2 * raised[0], padding=0)

    ui.controller.ended.connect(raise_top)
    run_and_wait(qtbot, ui)
    assert raised
    low, top = dashboard.plots["throughput"].vb.viewRange()[1]
    peak = max(float(np.nanmax(c.values)) for c in dashboard.curves() if c.plot == "throughput")
    # In view with the headroom, and no further than one step of the axis's tops above that.
    assert low == 0 and peak * Y_HEADROOM <= top <= 1.5 * peak * Y_HEADROOM


def test_a_fitted_axis_takes_the_nearest_top_above_its_data_with_room():
    plot = pg.PlotItem()
    plot.setYRange(0, 1, padding=0)
    # 238 with its headroom is 257: on 0-500 curves near 200 sat in the plot's lower half.
    assert fitted_top(plot, [np.array([190.0, 238.0, 205.0])]) == 300
    plot.setYRange(0, 500, padding=0)
    assert fitted_top(plot, [np.array([190.0, 238.0])]) is None  # while streaming: no jump for so little
    assert fitted_top(plot, [np.array([190.0, 238.0])], final=True) == 300


def test_nice_ceilings():
    assert [nice_ceiling(v) for v in (0.0, 0.7, 1.0, 1.3, 2.2, 3.0, 180.0, 0.031)] == \
        [1.0, 1.0, 1.0, 2.0, 2.5, 5.0, 200.0, 0.05]
    assert [nice_ceiling(v, AXIS_TOP_STEPS) for v in (1.3, 2.2, 257.0, 3.5, 0.07)] == [1.5, 2.5, 300.0, 4.0, 0.08]


def test_the_report_gives_every_policys_and_faults_parameters_and_the_reasons(qtbot, window, tmp_path):
    ui = window.run_ui
    ui.compare_action.setChecked(True)
    run_and_wait(qtbot, ui)
    html = ui.export_report(tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Resilience policies" in html
    # each setting in the words and units of its form
    assert "Timeout 500 ms" in html  # the api's timeout
    assert "Max attempts 2 · Wait 50 ms" in html
    assert "Wait duration in open state 5 s" in html and "Failure rate threshold 50 %" in html
    assert "Window last N calls" in html and "sliding" not in html
    assert "Crash mode hang until callers time out" in html  # the database outage hangs its callers
    assert "<th>Difference</th><th>With resilience</th>" in html
    findings = ui.session.findings()
    assert findings, "an outage behind a breaker has reasons to give"
    assert "<h2>Why</h2>" in html and all(escape(f.text) in html for f in findings)


def _report_pictures(html: str) -> dict[str, QImage]:
    pictures = re.findall(r'<img alt="([^"]*)"(?: width="\d+")? src="data:image/png;base64,([^"]+)"', html)
    return {alt: QImage.fromData(base64.b64decode(data), "PNG") for alt, data in pictures}


def _corner(image: QImage) -> QColor:
    return image.pixelColor(1, 1)


def test_the_reports_pictures_are_light_in_the_dark_theme_and_the_window_keeps_its_look(qtbot, window, tmp_path):
    """A report is read on paper and in mail; PNG exports keep the theme shown on screen."""
    from app.theme import DARK_CANVAS, LIGHT_CANVAS

    ui = window.run_ui
    window.set_theme("dark")
    try:
        run_and_wait(qtbot, ui)
        dashboard = ui.dashboard
        screen_background = dashboard.plots_widget.backgroundBrush().color().rgb()
        pictures = _report_pictures(ui.export_report(tmp_path / "report.html").read_text(encoding="utf-8"))
        design = next(image for alt, image in pictures.items() if alt.startswith("the design"))
        plots = pictures["plots of the run"]
        assert _corner(design).rgb() == QColor(LIGHT_CANVAS.background).rgb()
        assert _corner(plots).lightness() > 200
        # Light series colours on white would be hard to read: the curves are drawn in the light set.
        assert _count(plots, QColor(series_colour(0, dark=False)).getRgb()[:3], step=1) > 0
        assert _count(plots, QColor(series_colour(0, dark=True)).getRgb()[:3], step=1) == 0
        # The window is as it was: dark canvas, dark plots, the application's palette inherited.
        assert window.scene.colours is DARK_CANVAS
        assert dashboard.palette().base().color().lightness() < 128
        assert dashboard.plots_widget.backgroundBrush().color().rgb() == screen_background
        assert not dashboard.testAttribute(Qt.WidgetAttribute.WA_SetPalette)
        # A PNG export is what the user sees on screen.
        exported = QImage(str(dashboard.export_png(tmp_path / "plots.png")))
        assert _corner(exported).lightness() < 128
    finally:
        window.set_theme("light")


def test_exported_axes_are_lines_and_text_not_their_on_screen_pixmaps(qtbot, window, tmp_path):
    # On screen each axis is painted once into a pixmap and copied while the curves redraw.
    ui = window.run_ui
    dashboard = ui.dashboard
    run_and_wait(qtbot, ui)
    qtbot.wait(50)  # painted on screen: the axes' pixmaps are made
    svg = dashboard.export_svg(tmp_path / "plots.svg").read_text(encoding="utf-8")
    assert svg.count("<image") <= 1  # the breaker strip is a picture of its own
    values = set(re.findall(r">\s*([0-9][0-9.]*)\s*<", svg))
    assert {"0", "50", "100"} <= values, sorted(values)  # the percent axes' tick values, as text
    axis = dashboard.plots["throughput"].getAxis("left")
    assert axis.cacheMode() == AXIS_CACHE  # and back to the pixmap on screen
