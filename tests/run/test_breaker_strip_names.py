"""The breaker strip's row names never hide the states: a breaker opening in the first seconds of a
run was drawn under its own name, on a white box that was also wrong on the dark theme."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
import pytest
from colour_contrast import contrast
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from test_dashboard_layout import compared_at, shop  # noqa: F401  (the fixture)

from app import theme
from app.run.breaker_strip import LABEL_ROW_PX, MAX_NAME_STEP, NAME_POINT_SIZE, BreakerStrip, name_step, short_names
from app.run.formatting import BREAKER_COLOURS
from app.run.plot_grid import build_plots
from app.run.plot_style import colour_axes, readout_html

TWELVE = [f"frontend -> service-{i}" for i in range(10)] + ["checkout -> payments", "checkout -> inventory"]
TWENTY = [f"frontend -> service-{i}" for i in range(18)] + ["checkout -> payments", "checkout -> inventory"]


def drawn_names(strip: BreakerStrip) -> list[tuple[str, QRectF]]:
    """The names the strip's plot draws, each with its rectangle in the scene."""
    axis = strip.plot.getAxis("left")
    if not axis.isVisible():
        return []
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(text, axis.mapRectToScene(rect)) for rect, _flags, text in texts]


def strip_in_grid(qtbot, names: list[str], width: int, height: int):
    """The dashboard's six plots at ``width`` x ``height``, the strip's rows all closed."""
    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    plots = build_plots(view)
    strip = BreakerStrip(plots["breakers"])
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    strip.build(names, 60.0)
    strip.draw([np.zeros(60) for _ in names], 60, 1.0, True)
    plots["throughput"].setXRange(0, 60, padding=0)
    qtbot.wait(20)
    return view, plots, strip


def data_area(strip: BreakerStrip) -> QRectF:
    """Where the strip draws its states, in the scene."""
    return strip.image.sceneBoundingRect() & strip.plot.vb.sceneBoundingRect()


@pytest.mark.parametrize("count", [1, 2, 5])
def test_no_name_lies_on_the_states_and_every_row_is_named(qtbot, count):
    names = [f"api -> backend-{i}" for i in range(count)]
    view, plots, strip = strip_in_grid(qtbot, names, 900, 420)
    states = data_area(strip)
    # Every pixel of the states is a state's colour: nothing drawn over them.
    shot = view.grab().toImage()
    # Less the time axis's ticks, which reach 5 px up into every plot.
    area = view.mapFromScene(states).boundingRect().adjusted(2, 2, -2, -7)
    closed = QColor(BREAKER_COLOURS["closed"]).rgb()
    covered = [(x, y) for x in range(area.left(), area.right(), 2) for y in range(area.top(), area.bottom(), 2)
               if shot.pixel(x, y) != closed]
    assert not covered, covered[:5]
    drawn = drawn_names(strip)
    assert [text for text, _rect in drawn] == strip.labels and len(drawn) == count
    for i, (_text, rect) in enumerate(drawn):
        assert not rect.intersects(states), (rect, states)
        # Beside its own row.
        row = states.height() / count
        assert states.top() + i * row <= rect.center().y() <= states.top() + (i + 1) * row


def test_the_strip_keeps_its_column_aligned_and_the_title_whole(qtbot):
    view, plots, strip = strip_in_grid(qtbot, ["api -> db", "cache -> db"], 1000, 300)
    # The plot above gives its values as much room: a time lies at the same x down the column.
    assert plots["breakers"].vb.sceneBoundingRect().left() == plots["latency"].vb.sceneBoundingRect().left()
    assert plots["breakers"].vb.width() == plots["latency"].vb.width()
    assert "half-open" in plots["breakers"].titleLabel.item.toPlainText()
    assert not plots["breakers"].titleLabel._cut


@pytest.mark.parametrize("look", ["light", "dark"])
def test_no_dot_marks_a_named_row_where_its_states_begin(qtbot, look):
    """Ticks of length 0 were still drawn, as a dot in the first pixel of every named row."""
    view, plots, strip = strip_in_grid(qtbot, ["api -> db", "cache -> db"], 900, 420)
    colour_axes(strip.plot, theme.palette(look).text().color())
    qtbot.wait(20)
    shot = view.grab().toImage()
    states = view.mapFromScene(data_area(strip)).boundingRect()
    closed = QColor(BREAKER_COLOURS["closed"]).rgb()
    row = states.height() / 2
    # Where the states begin, read a quarter of a row down: no name's middle is there.
    quarter = round(states.top() + row / 4)
    first = next(x for x in range(states.left() - 3, states.right()) if shot.pixel(x, quarter) == closed)
    drawn = drawn_names(strip)
    assert len(drawn) == 2
    for _text, rect in drawn:
        middle = view.mapFromScene(rect.center()).y()
        marks = [(x, y) for x in range(first, first + 3) for y in range(middle - 2, middle + 3)
                 if shot.pixel(x, y) != closed]
        assert not marks, marks


def test_rows_too_low_to_name_are_named_by_the_readout_and_the_tooltip(qtbot):
    view, plots, strip = strip_in_grid(qtbot, TWENTY, 900, 300)
    assert strip.plot.vb.height() / len(TWENTY) < LABEL_ROW_PX / MAX_NAME_STEP
    assert drawn_names(strip) == []  # no names crowded on each other, and none of the axis's numbers
    assert strip.axis.toolTip().split("\n") == TWENTY
    column = np.zeros(60)
    data = SimpleNamespace(link_column=lambda _series, _name: column)
    session = SimpleNamespace(bucket=1.0, primary="protected", variants={"protected": data}, breakers=TWENTY)
    readout = readout_html(session, [], [], 10.0, "breakers")
    assert all(name.replace(">", "&gt;") in readout for name in TWENTY)
    # Taller, they are named again.
    view.resize(900, 900)
    qtbot.waitUntil(lambda: len(drawn_names(strip)) == len(TWENTY), timeout=5_000)
    states = data_area(strip)
    assert not any(rect.intersects(states) for _text, rect in drawn_names(strip))


@pytest.mark.parametrize("count", [9, 12])
def test_rows_too_low_for_every_name_have_every_other_one(qtbot, count):
    """Nine breakers in a dashboard at 1920x1080 had rows of 10 px and no names at all."""
    names = TWELVE[:count]
    view, plots, strip = strip_in_grid(qtbot, names, 900, 300)
    row = strip.plot.vb.height() / count
    assert LABEL_ROW_PX / MAX_NAME_STEP <= row < LABEL_ROW_PX
    drawn = drawn_names(strip)
    # From the top one down, every other breaker: the first is always named.
    assert [text for text, _rect in drawn] == strip.labels[::2]
    states = data_area(strip)
    for (_text, rect), index in zip(drawn, range(0, count, 2), strict=True):
        assert not rect.intersects(states), (rect, states)
        # Beside its own row, not between two.
        scene_row = states.height() / count
        assert abs(rect.center().y() - (states.top() + (index + 0.5) * scene_row)) < 1
    middles = [rect.center().y() for _text, rect in drawn]
    assert min(b - a for a, b in zip(middles, middles[1:])) >= LABEL_ROW_PX - 1
    assert strip.axis.toolTip().split("\n") == names  # the ones between, whole


def test_names_are_spaced_by_whole_rows_and_never_more_than_every_other_one():
    assert name_step(13.0 * 9, 9) == 1
    assert name_step(12.9 * 9, 9) == name_step(6.5 * 9, 9) == 2
    assert name_step(6.4 * 9, 9) is None
    assert name_step(100.0, 0) is None and name_step(0.0, 3) is None


def test_a_rebuilt_strip_without_breakers_shows_no_names_nor_numbers(qtbot):
    view, plots, strip = strip_in_grid(qtbot, ["api -> db"], 900, 420)
    strip.build([], 60.0)
    qtbot.wait(20)
    assert drawn_names(strip) == [] and strip.labels == []


def test_names_fit_the_axis_whole_shortened_alike_and_told_apart():
    font = QFont()
    font.setPointSizeF(NAME_POINT_SIZE)
    metrics = QFontMetricsF(font)
    room = metrics.horizontalAdvance("cache -> db") - 1
    assert short_names(["api -> db"], metrics, room) == ["api -> db"]
    # One form for the column: "api -> db" is shortened with "cache -> db".
    assert short_names(["api -> db", "cache -> db"], metrics, room) == ["api→db", "cache→db"]
    room = metrics.horizontalAdvance("→inventory")
    for names in (TWELVE, ["frontend -> inventory", "inventory -> inventory-db", "checkout -> inventory"],
                  ["gateway -> search", "frontend -> search"], ["a-name-without-an-arrow-that-is-long"]):
        shown = short_names(names, metrics, room)
        assert len(shown) == len(names) and len(set(shown)) == len(shown), shown
        assert all(metrics.horizontalAdvance(text) <= room for text in shown), shown
    # The end the rows share is the one left out.
    assert short_names(["gateway -> search", "frontend -> search"], metrics, room) == ["gateway→", "frontend→"]


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_names_read_in_either_theme_on_screen_and_in_pictures(qtbot, restore_look, look):
    from app.run.dashboard import Dashboard
    from app.run.plot_export import in_light_palette

    theme.apply_theme(restore_look, look)
    dashboard = Dashboard()
    qtbot.addWidget(dashboard)
    dashboard.resize(1000, 500)
    dashboard.show()
    qtbot.waitExposed(dashboard)
    strip = dashboard.breaker_strip
    strip.build(["api -> db", "cache -> db"], 60.0)
    qtbot.wait(20)

    def readable() -> float:
        return contrast(strip.axis.textPen().color(), dashboard.plots_widget.backgroundBrush().color())

    assert readable() >= 4.5
    with in_light_palette(dashboard):  # a picture, and the report, are drawn light
        assert readable() >= 4.5
    assert readable() >= 4.5


def test_after_a_run_at_1280_each_breaker_is_named_beside_its_row(qtbot, shop):  # noqa: F811
    w, ui = compared_at(qtbot, shop, (1280, 720))
    strip = ui.dashboard.breaker_strip
    names = list(ui.session.breakers)
    assert names and strip.names == names
    drawn = drawn_names(strip)
    assert len(drawn) == len(names)
    states = data_area(strip)
    assert not any(rect.intersects(states) for _text, rect in drawn)
    readout = ui.dashboard._readout(1.0, "breakers")
    assert all(name.replace(">", "&gt;") in readout for name in names)


@pytest.mark.parametrize("width", [560, 900, 1600])
def test_a_run_without_breakers_says_so_within_the_strip(qtbot, width):
    """At 1280x720 the strip's note ran past both its edges ("ircuit breakers in this")."""
    view, _plots, strip = strip_in_grid(qtbot, [], width, 300)
    said = strip.note.textItem.toPlainText()
    assert said in ("no circuit breakers in this run", "no circuit breakers", "none")
    qtbot.wait(20)
    assert strip.plot.vb.sceneBoundingRect().contains(strip.note.sceneBoundingRect()), said
    if width == 1600:
        assert said == "no circuit breakers in this run"
