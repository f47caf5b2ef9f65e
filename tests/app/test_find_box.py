"""Seen in a keyboard-only walkthrough: Ctrl+F found components only, so a link could be selected
with the mouse alone; and the palette's current kind was unreadable once the palette lost the focus."""
from __future__ import annotations

import pytest
from colour_contrast import contrast
from editor_helpers import build_three_tier
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from app import theme
from app.canvas import ComponentPalette


def _find(qtbot, window, text: str) -> None:
    """Ctrl+F on the canvas, type ``text``, Enter: the keys a user presses."""
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_box.hasFocus()
    qtbot.keyClicks(window.find_box, text)
    qtbot.keyClick(window.find_box, Qt.Key.Key_Return)


def test_a_link_found_by_keyboard_is_selected_centred_and_shown_in_the_panes(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    link = doc.design.link_between(ids["web"], ids["db"])
    window.view.reset_zoom()
    window.view.centerOn(-3000, -3000)
    _find(qtbot, window, "web db")
    assert doc.selection == [link.id]
    item = window.scene.link_item(link.id)
    assert item.isSelected()
    assert window.view.visible_scene_rect().contains(item.sceneBoundingRect().center())
    assert window.view.hasFocus()
    # the panes follow as they do a click on the link
    assert (window.resilience.component_id, window.resilience.call_target) == (ids["web"], ids["db"])
    assert window.faults.aimed_at("latency") == (link.id, "")
    assert window.properties.title.text() == "web -> db"


def test_the_list_offers_links_by_the_name_the_canvas_gives_them(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    assert "Find component or link" in window.find_box.placeholderText()
    window.find_action.trigger()
    names = window.find_box.completer().model().stringList()
    assert "web -> db" in names and "web" in names
    assert window.scene.link_item(doc.design.link_between(ids["web"], ids["db"]).id).name == "web -> db"
    # picked from the list with the arrow keys: "cache -> db" comes first of those holding "db"
    qtbot.keyClicks(window.find_box, "db")
    popup = window.find_box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert doc.selection == [doc.design.link_between(ids["cache"], ids["db"]).id]


def test_the_list_follows_edits_while_the_box_has_the_focus(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    window.find_action.trigger()
    doc.edit.connect(ids["users"], ids["web"])
    assert "users -> web" in window.find_box.completer().model().stringList()


@pytest.mark.parametrize(("text", "expected"), [
    ("web -> db", ("web", "db")),
    ("web->db", ("web", "db")),
    ("WEB → DB", ("web", "db")),
    ("web db", ("web", "db")),
    ("we  d", ("web", "db")),
    ("cache ->", ("cache", "db")),
    ("-> cache", ("web", "cache")),
    ("cach", "cache"),  # a component still wins where its name holds the text alone
    ("db", "db"),
    ("-> db", 2),  # web -> db and cache -> db
    ("e", 3),  # users, web, cache: several components are a miss, not a cue to try the links
    ("nothing like it", 0),
    ("db web", 0),  # a link is caller then callee
    ("", 0),
])
def test_what_the_find_box_takes_for_a_component_or_a_link(doc, text, expected):
    from app.find_box import find_in

    ids = build_three_tier(doc)
    design = doc.design
    found = find_in(design, text)
    if isinstance(expected, int):
        assert isinstance(found, list) and len(found) == expected
    elif isinstance(expected, tuple):
        assert found == design.link_between(ids[expected[0]], ids[expected[1]])
    else:
        assert found == design.find_component(expected)


def test_a_link_named_in_full_wins_over_one_whose_ends_only_contain_it(doc):
    from app.find_box import find_in

    ids = build_three_tier(doc)
    replica = doc.edit.add_component("database", (320, 300), name="db-replica")
    doc.edit.connect(ids["web"], replica)
    design = doc.design
    assert find_in(design, "web -> db") == design.link_between(ids["web"], ids["db"])
    assert find_in(design, "web -> db-r") == design.link_between(ids["web"], replica)
    assert len(find_in(design, "web -> d")) == 2


def test_nothing_found_says_so_and_keeps_the_selection(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    assert not window.find_box.go_to("-> db")
    assert "2 components or links match" in window.statusBar().currentMessage()
    assert not window.find_box.go_to("nothing like it")
    assert "No component or link matches" in window.statusBar().currentMessage()
    assert doc.selection == [ids["web"]]




@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_palettes_current_kind_stays_highlighted_and_readable_without_the_focus(qtbot, restore_look, look):
    theme.apply_theme(restore_look, look)
    holder = QWidget()
    qtbot.addWidget(holder)
    palette, other = ComponentPalette(), QLineEdit()
    layout = QVBoxLayout(holder)
    layout.addWidget(palette)
    layout.addWidget(other)
    holder.resize(200, 340)
    holder.show()
    qtbot.waitExposed(holder)
    palette.setFocus()
    palette.setCurrentRow(2)
    other.setFocus()
    qtbot.waitUntil(lambda: not palette.hasFocus())
    rect = palette.visualItemRect(palette.item(2))
    image = palette.viewport().grab().toImage()
    shown = image.pixelColor(rect.right() - 8, rect.center().y())
    highlight, text = theme.unfocused_selection(look == "dark")
    assert shown == highlight, (look, shown.name())
    assert contrast(text, shown) >= 4.5, (look, text.name(), shown.name())
    window = palette.palette().color(QPalette.ColorRole.Window)
    assert contrast(shown, window) >= 2, "the current kind stands out from the others"
    # the text is drawn in that colour: not the item's usual one
    assert any(image.pixelColor(x, y) == text for x in range(rect.left(), rect.right())
               for y in range(rect.top(), rect.bottom()))


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_palette_follows_a_change_of_theme(qtbot, restore_look, look):
    theme.apply_theme(restore_look, "dark" if look == "light" else "light")
    palette = ComponentPalette()
    qtbot.addWidget(palette)
    theme.apply_theme(restore_look, look)
    assert theme.unfocused_selection(look == "dark")[0].name() in palette.styleSheet()
    assert theme.palette(look).color(QPalette.ColorRole.Highlight).name() in palette.styleSheet()
