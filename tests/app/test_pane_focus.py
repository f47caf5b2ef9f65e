"""The keyboard: F6 goes from pane to pane, Tab walks a pane's fields in the order they are laid out,
the focus shows, and each menu item has an Alt letter of its own."""
from __future__ import annotations

import pytest
from editor_helpers import build_three_tier
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QScrollArea, QToolButton, QWidget

from app import theme
from app.pane_focus import panes, region_of
from app.resources import EXAMPLES
from app.store import load_design_from_path
from engine.model import Project


def _activate(window, qtbot) -> None:
    """The window in front with Properties showing, and the fields of the form just made shown
    (a layout shows a widget added to it once the event loop gets back)."""
    window.properties_dock.raise_()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=10_000)
    qtbot.waitUntil(lambda: window.properties.form.isVisible(), timeout=10_000)


def _tab_walk(qtbot, start, presses: int) -> list:
    widget, seen = start, [start]
    for _ in range(presses):
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        seen.append(widget)
    return seen


def test_f6_visits_every_pane_in_view_once_and_shift_f6_comes_back(window, qtbot):
    build_three_tier(window.document)
    window.document.set_selection([])
    _activate(window, qtbot)
    window.view.setFocus()
    regions = panes(window)
    assert window.properties_dock in regions and window.centralWidget() in regions
    visited = []
    for _ in regions:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
        visited.append(region_of(window, QApplication.focusWidget()))
    assert sorted(map(id, visited)) == sorted(map(id, regions))
    assert QApplication.focusWidget() is window.view  # round the whole window, back at the canvas
    qtbot.keyClick(window.view, Qt.Key.Key_F6)
    assert region_of(window, QApplication.focusWidget()) is window.properties_dock
    # the pane's first field, named in the status bar
    assert QApplication.focusWidget() is window.properties.form.editors["name"]
    assert window.statusBar().currentMessage().startswith("Properties")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is window.view


def test_tab_walks_a_services_fields_top_to_bottom(window, qtbot):
    # the example's api has a lognormal service time, whose two editors are made when the form is
    # bound to it, after every other field
    window.document.load(Project(name="shop", designs=[load_design_from_path(EXAMPLES / "three_tier.json")]))
    _activate(window, qtbot)
    window.document.set_selection([window.document.component_named("api").id])
    _activate(window, qtbot)
    first = window.properties.form.editors["name"]
    first.setFocus()
    walked = _tab_walk(qtbot, first, 12)
    tops = [w.mapTo(window, w.rect().topLeft()).y() for w in walked]
    assert all(region_of(window, w) is window.properties_dock for w in walked)
    assert tops == sorted(tops)
    assert not any(isinstance(w, QScrollArea) for w in walked)  # no stop that shows nothing


def test_tab_leaves_the_design_notes_instead_of_typing_a_tab(window, qtbot):
    window.document.set_selection([])
    _activate(window, qtbot)
    pane = window.properties
    pane.form.editors["name"].setFocus()
    walked = _tab_walk(qtbot, pane.form.editors["name"], 2)
    assert walked[1] is pane.notes
    assert walked[2] is not pane.notes and "\t" not in pane.notes.toPlainText()
    # past the pane's last field Tab leaves the pane, rather than going round to its first
    assert region_of(window, walked[2]) is not window.properties_dock


def test_the_canvas_is_outlined_when_the_keyboard_brings_the_focus_not_a_click(window, qtbot):
    build_three_tier(window.document)
    window.document.set_selection([])
    _activate(window, qtbot)
    window.properties.form.editors["name"].setFocus(Qt.FocusReason.TabFocusReason)
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    assert window.view.focus_ring.isVisible()
    assert window.view.focus_ring.geometry() == window.view.viewport().geometry()
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton)
    assert not window.view.focus_ring.isVisible()
    window.properties.form.editors["name"].setFocus(Qt.FocusReason.TabFocusReason)
    window.view.setFocus(Qt.FocusReason.MouseFocusReason)
    assert not window.view.focus_ring.isVisible()


@pytest.mark.parametrize("look", ["light", "dark"])
def test_a_tool_button_shows_it_has_the_focus(qtbot, restore_look, look):
    theme.apply_theme(restore_look, look)
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QHBoxLayout(holder)
    button, other = QToolButton(), QToolButton()
    button.setText("Add fault")
    layout.addWidget(button)
    layout.addWidget(other)
    holder.show()
    holder.activateWindow()
    qtbot.waitUntil(holder.isActiveWindow, timeout=10_000)
    other.setFocus(Qt.FocusReason.TabFocusReason)
    plain = button.grab().toImage()
    button.setFocus(Qt.FocusReason.TabFocusReason)
    assert button.hasFocus() and button.grab().toImage() != plain


def test_no_two_items_of_a_menu_share_their_alt_letter(window):
    import re

    def letters(menu) -> list[str]:
        found = []
        for action in menu.actions():
            m = re.search(r"&(\w)", action.text().replace("&&", ""))
            if m and action.isVisible():
                found.append(m.group(1).lower())
            if action.menu() is not None:
                assert_unique(action.menu())
        return found

    def assert_unique(menu) -> None:
        used = letters(menu)
        assert len(used) == len(set(used)), (menu.title(), sorted(used))

    for action in window.menuBar().actions():
        assert_unique(action.menu())


def test_a_text_longer_than_its_field_shows_its_beginning(window):
    doc = window.document
    build_three_tier(doc)
    experiment = doc.edit.add_experiment()
    doc.edit.set_experiment_description(experiment, "The database hangs for thirty seconds: calls to it never "
                                                    "answer, and the breaker should open within five.")
    about = window.faults.exp_about
    assert about.text().startswith("The database") and about.cursorPosition() == 0


def test_tab_goes_round_the_whole_window_and_shift_tab_comes_back_the_same_way(window, qtbot):
    """With a service selected, Tab from the canvas went Properties, Resilience, then back to the
    canvas: a pane's fields, made anew for each selection, sat at the end of Qt's chain, and leaving
    the Resilience pane from there skipped Faults, the run toolbar and the event log for good."""
    window.document.load(Project(name="shop", designs=[load_design_from_path(EXAMPLES / "three_tier.json")]))
    window.document.set_selection([window.document.component_named("api").id])
    _activate(window, qtbot)
    window.view.setFocus(Qt.FocusReason.TabFocusReason)
    forward = [window.view]
    for _ in range(300):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is window.view:
            break
        forward.append(QApplication.focusWidget())
    else:
        raise AssertionError("Tab never came back to the canvas")
    for dock in (window.properties_dock, window.resilience_dock, window.faults_dock, window.palette_dock):
        assert any(dock.isAncestorOf(w) for w in forward), dock.windowTitle()
    assert window.properties.form.editors["name"] in forward
    assert window.findChild(QWidget, "findBox") in forward
    assert len(set(map(id, forward))) == len(forward)  # each stop once a round
    backward = [window.view]
    for _ in range(len(forward) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
        backward.append(QApplication.focusWidget())
    assert backward[1:] == forward[:0:-1]
