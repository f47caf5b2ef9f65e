"""Pictures of a run: the breaker strip, the design in the report, and what the pointer leaves behind."""
from __future__ import annotations

import base64
import re

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage
from pyqtgraph.exporters import ImageExporter

from app.canvas.export import picture_rect, render_svg
from app.run.dashboard import _STRIP_LUT
from engine.model import Project
from test_run_window import FULL_SPEED, make_window, run_and_wait
from run_builders import EXPERIMENT, make_three_tier


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
    inside = plot.vb.mapViewToScene(QPointF(10.0, 1.0))
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
    dashboard._on_mouse_moved(dashboard.plots["throughput"].vb.mapViewToScene(QPointF(12.0, 1.0)))
    hovered = QImage.fromData(dashboard.plots_png(width=900))
    assert plain == hovered
