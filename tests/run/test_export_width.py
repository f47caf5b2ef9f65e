"""Exports carry whole plot titles and the whole legend, whatever the window's size: at 1280x720
the dashboard cuts its plot titles with "…", a picture for a document must not."""
from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from test_dashboard_layout import shop  # noqa: F401  (the fixture)
from test_run_window import run_and_wait
from test_window_fit import _fit

from app.run import plot_export
from app.run.elide import ELLIPSIS
from app.run.plot_style import series_colour


def _titles(dashboard) -> dict[str, tuple[str, bool]]:
    """Each plot's title as drawn and whether it is cut (of the plots shown)."""
    return {key: (plot.titleLabel.item.toPlainText(), plot.titleLabel._cut) for key, plot in dashboard.plots.items()
            if plot.isVisible()}


@pytest.mark.parametrize("screen", [(1280, 720), (1920, 1080)])
def test_exports_draw_whole_titles_and_legend_and_leave_the_window_as_it_was(qtbot, shop, screen,  # noqa: F811
                                                                             monkeypatch, tmp_path):
    w, ui = shop
    _fit(qtbot, w, *screen)
    run_and_wait(qtbot, ui)
    qtbot.wait(50)
    dashboard = ui.dashboard
    if screen == (1280, 720):
        assert any(cut for _text, cut in _titles(dashboard).values())  # the screen cuts some
    on_screen = (_titles(dashboard), dashboard.plots_widget.ci.geometry(), dashboard.plots_widget.size())

    drawn: list[dict] = []
    render = plot_export.render_plots

    def watch(dash, painter, key=None):
        drawn.append(_titles(dash))
        render(dash, painter, key)
    monkeypatch.setattr(plot_export, "render_plots", watch)

    svg = dashboard.export_svg(tmp_path / "plots.svg").read_text(encoding="utf-8")
    png = dashboard.export_png(tmp_path / "plots.png")
    one = dashboard.export_png(tmp_path / "errors.png", key="errors")
    report = ui.export_report(tmp_path / "report.html")
    assert len(drawn) == 4 and report.exists()
    assert len(drawn[2]) == 1  # one plot alone
    for i, titles in enumerate(drawn):
        for key, (text, cut) in titles.items():
            assert not cut and ELLIPSIS not in text, (i, key, text)
    assert "Error rate by outcome · browsers" in svg and "open (short-circuits calls)" in svg
    assert ELLIPSIS not in re.sub(r"<[^>]+>", "", svg)
    assert QImage(str(png)).width() >= 2 * plot_export.EXPORT_WIDTH
    # One plot alone over the whole width, with its time axis, as when enlarged.
    assert QImage(str(one)).width() >= 2 * 0.9 * plot_export.EXPORT_WIDTH
    # The window is laid out as before.
    assert dashboard.enlarged is None and all(plot.isVisible() for plot in dashboard.plots.values())
    assert (_titles(dashboard), dashboard.plots_widget.ci.geometry(), dashboard.plots_widget.size()) == on_screen


def _ink(image: QImage, colour: QColor, top: int) -> float:
    """How much of ``colour`` the image holds below ``top``, in pixels' worth: each pixel counts by
    how close it is to the colour against the background (antialiased edges count in part)."""
    rgb32 = image.convertToFormat(QImage.Format.Format_RGB32)
    rgb = np.frombuffer(rgb32.constBits(), dtype=np.uint8).reshape(image.height(), image.width(), 4)
    rgb = rgb[top:, :, 2::-1].astype(float)
    background = rgb[0, 0]
    ink = np.array([colour.red(), colour.green(), colour.blue()], dtype=float)
    towards = (rgb - background) @ (ink - background) / float((ink - background) @ (ink - background))
    off_line = np.linalg.norm(rgb - background - towards[..., None] * (ink - background), axis=2)
    # The colour's own mixes with the background only: the grey of a fault's window, another
    # series or the text is not counted.
    counted = (off_line < 12) & (towards > 0.25)
    return float(np.clip(towards, 0.0, 1.0)[counted].sum())


def _one_run_at_1600(qtbot, window_and_ui):
    """The dashboard of one finished run (no comparison) in the window at 1600x1000."""
    w, ui = window_and_ui
    ui.compare_action.setChecked(False)
    _fit(qtbot, w, 1600, 1000)
    run_and_wait(qtbot, ui)
    ui.dashboard.flush()
    return ui.dashboard


def test_an_export_at_three_times_draws_its_curves_three_times_as_wide(qtbot, shop):  # noqa: F811
    dashboard = _one_run_at_1600(qtbot, shop)
    colour = QColor(series_colour(0, dark=dashboard._dark()))  # the first component's, throughput
    inks = {}
    with plot_export.laid_out_for_export(dashboard, "throughput"):
        qtbot.wait(50)  # the curves drawn again for the plot's export width
        size = plot_export.plots_picture_size(dashboard, "throughput")
        # Below the title and legend, whose text and swatches grow by the scale in both directions.
        header = size.height() - dashboard.plots["throughput"].sceneBoundingRect().height()
        for scale in (1.0, 3.0, 1.0):
            image = plot_export.plots_image(dashboard, "throughput", scale)
            inks.setdefault(scale, []).append(_ink(image, colour, round((header + 2) * scale)))
    assert inks[1.0][0] == inks[1.0][1] > 100  # the same picture each time, and the curve in it
    # A stroke's ink is its length times its width: three times as long at 3x, and as wide again.
    width_ratio = inks[3.0][0] / inks[1.0][0] / 3.0
    assert 2.4 < width_ratio < 3.8, (inks, width_ratio)
    # The window's own curves are as thin as before.
    curve = next(c.item for c in dashboard.curves() if c.plot == "throughput")
    assert curve.opts["pen"].widthF() <= 1.0


def _thickness(pixels: np.ndarray, background: np.ndarray) -> int:
    """The longest run of pixels unlike the background along a row or column of pixels."""
    inked = np.abs(pixels.astype(int) - background.astype(int)).sum(axis=-1) > 60
    longest = run = 0
    for on in inked:
        run = run + 1 if on else 0
        longest = max(longest, run)
    return longest


def test_an_export_at_two_and_three_times_draws_its_axes_as_heavy_as_its_curves(qtbot, shop):  # noqa: F811
    """The axes' pens are cosmetic like the curves': left alone, a 3x picture drew them a third as
    heavy as on screen, hairlines beside curves three pixels wide."""
    dashboard = _one_run_at_1600(qtbot, shop)
    plot = dashboard.plots["throughput"]
    thickness: dict[float, tuple[float, float]] = {}
    with plot_export.laid_out_for_export(dashboard, "throughput"):
        qtbot.wait(50)
        source = plot.sceneBoundingRect()
        header = plot_export.plots_picture_size(dashboard, "throughput").height() - source.height()
        # The plot's view in the picture: the left axis's line runs down its left edge, the time axis's under it.
        view = plot.vb.sceneBoundingRect().translated(-source.left(), header - source.top())
        for scale in (1.0, 2.0, 3.0):
            image = plot_export.plots_image(dashboard, "throughput", scale).convertToFormat(QImage.Format.Format_RGB32)
            rgb = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(image.height(), image.width(), 4)[..., :3]
            background = rgb[0, 0]
            reach = round(4 * scale)  # around where the line is, short of the ticks' words
            left, bottom = round(view.left() * scale), round(view.bottom() * scale)
            # Across the axis's line at many places: the median leaves out where a tick or a curve meets it.
            rows = np.linspace(view.top() + 10, view.bottom() - 10, 40) * scale
            columns = np.linspace(view.left() + 10, view.right() - 10, 40) * scale
            thickness[scale] = (
                float(np.median([_thickness(rgb[round(y), left - reach:left + reach], background) for y in rows])),
                float(np.median([_thickness(rgb[bottom - reach:bottom + reach, round(x)], background)
                                 for x in columns])))
    assert thickness[1.0] == (1.0, 1.0), thickness
    assert thickness[2.0] == (2.0, 2.0) and thickness[3.0] == (3.0, 3.0), thickness
    # The window's own axes are as thin as before.
    assert plot.getAxis("left").pen().widthF() <= 1.0 and plot.getAxis("bottom").pen().widthF() <= 1.0
