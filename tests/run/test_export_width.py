"""Exports carry whole plot titles and the whole legend, whatever the window's size: at 1280x720
the dashboard cuts its plot titles with "…", a picture for a document must not."""
from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QImage
from test_dashboard_layout import shop  # noqa: F401  (the fixture)
from test_run_window import run_and_wait
from test_window_fit import _fit

from app.run import plot_export
from app.run.elide import ELLIPSIS


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
