"""What the walk-through showed in the themed window (the style sheet on, as the application always
has it): the run toolbar's last control in its overflow at 1280x720, and the waiting comparison
table headed "1 2 3 4"."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QToolButton
from test_window_fit import _fit, small_window  # noqa: F401  (the fixture)

from app.run.comparison_table import HEADERS, STACKED_HEADERS, ComparisonTable

THEMES = ["light", "dark"]


@pytest.fixture
def themed(small_window):  # noqa: F811
    app = QApplication.instance()
    old_palette, old_sheet, old_style = app.palette(), app.styleSheet(), app.style().name()
    yield small_window
    app.setStyle(old_style)
    app.setPalette(old_palette)
    app.setStyleSheet(old_sheet)


@pytest.mark.parametrize("theme", THEMES)
def test_every_run_control_is_on_the_toolbar_at_1280(qtbot, themed, theme):
    w = themed
    w.set_theme(theme)
    _fit(qtbot, w, 1280, 720)
    qtbot.wait(50)
    bar = w.run_ui.toolbar
    hidden = [bar.widgetForAction(a) for a in bar.actions()
              if bar.widgetForAction(a) is not None and not bar.widgetForAction(a).isVisible()]
    assert not hidden, [getattr(h, "text", lambda h=h: type(h).__name__)() for h in hidden]
    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()


def test_a_waiting_comparison_table_is_headed_by_its_columns(qtbot):
    box = ComparisonTable()
    qtbot.addWidget(box)
    box.resize(500, 300)
    box.wait()
    table = box.table
    qtbot.waitExposed(box)
    assert [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())] == HEADERS
    box.resize(200, 300)  # beside the plots at 1280: the runs will go under each figure
    qtbot.waitUntil(lambda: box.stacked)
    assert [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())] == STACKED_HEADERS
