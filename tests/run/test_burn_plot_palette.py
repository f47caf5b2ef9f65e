"""The error-budget burn plot follows the palette as the dashboard's other plots do: a theme switch
left its words dark on dark, and a report's picture of a run made in the dark theme showed them
near-white on white."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from test_dashboard_layout import compared_at, shop  # noqa: F401  (the fixture)

from app.run.plot_export import in_light_palette
from app.theme import light_palette


def _burn_colours(ui) -> dict[str, int]:
    """The colour of each part of the burn plot that is drawn in the colour of words."""
    plot = ui.verdicts.burn_plot
    pace = ui.verdicts._pace
    title = plot.titleLabel
    return {"title": QColor(title.opts["color"]).rgb(),
            "left numbers": plot.getAxis("left").textPen().color().rgb(),
            "bottom numbers": plot.getAxis("bottom").textPen().color().rgb(),
            "left line": plot.getAxis("left").pen().color().rgb(),
            "pace line": pace.pen.color().rgb(),
            "pace label": pace.label.color.rgb()}


def _assert_in(ui, colour: QColor) -> None:
    colours = _burn_colours(ui)
    assert colours == dict.fromkeys(colours, colour.rgb()), colours


@pytest.mark.parametrize("first, then", [("light", "dark"), ("dark", "light")])
def test_the_burn_plot_follows_a_theme_switch_and_the_reports_light_picture(qtbot, shop, restore_look,  # noqa: F811
                                                                           first, then):
    w, ui = shop
    w.set_theme(first)
    compared_at(qtbot, shop, (1280, 720))
    assert ui.verdicts.burn_plot is not None
    _assert_in(ui, ui.dashboard.palette().text().color())
    w.set_theme(then)
    qtbot.wait(20)
    words = ui.dashboard.palette().text().color()
    _assert_in(ui, words)
    # The report's picture is drawn light whatever the theme, burn plot included, and the window's
    # colours come back after it.
    with in_light_palette(ui.dashboard):
        _assert_in(ui, light_palette().text().color())
    _assert_in(ui, words)
