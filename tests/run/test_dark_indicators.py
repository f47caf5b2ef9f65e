"""Seen in the sweep window on the dark theme: the experiments' unchecked boxes did not show."""
from __future__ import annotations

import pytest
from colour_contrast import contrast
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialogButtonBox, QListWidget, QListWidgetItem, QStyle

from app import theme


@pytest.mark.parametrize("look", ["light", "dark"])
def test_an_unchecked_box_in_a_list_shows_in_either_theme(qtbot, restore_look, look):
    theme.apply_theme(restore_look, look)
    view = QListWidget()
    qtbot.addWidget(view)
    item = QListWidgetItem("database outage")
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Unchecked)
    view.addItem(item)
    view.resize(200, 60)
    view.show()
    qtbot.waitExposed(view)
    rect = view.visualItemRect(item)
    image = view.viewport().grab().toImage()
    base = view.palette().base().color().lightness()
    # The box lies left of the text: some of its pixels stand out from the list's background.
    marked = [(x, y) for x in range(rect.left(), rect.left() + 22) for y in range(rect.top(), rect.bottom())
              if abs(QColor(image.pixel(x, y)).lightness() - base) > 50]
    assert len(marked) >= 12, marked


@pytest.mark.parametrize("look", ["light", "dark"])
def test_a_checked_box_in_a_list_shows_its_box_and_its_tick_in_either_theme(qtbot, restore_look, look):
    """Seen on the dark theme: a checked box showed only its tick, so it read as a stray mark."""
    theme.apply_theme(restore_look, look)
    view = QListWidget()
    qtbot.addWidget(view)
    item = QListWidgetItem("database outage")
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked)
    view.addItem(item)
    view.setCurrentRow(-1)
    view.clearSelection()
    view.resize(200, 60)
    view.show()
    qtbot.waitExposed(view)
    rect = view.visualItemRect(item)
    image = view.viewport().grab().toImage()
    highlight = view.palette().highlight().color()
    pixels = [QColor(image.pixel(x, y)) for x in range(rect.left(), rect.left() + 22)
              for y in range(rect.top(), rect.bottom())]
    filled = [c for c in pixels if abs(c.red() - highlight.red()) + abs(c.green() - highlight.green())
              + abs(c.blue() - highlight.blue()) < 30]
    # the tick is drawn in the selected text's colour, which reads on the highlight (white or near-black)
    ink = view.palette().highlightedText().color()
    tick = [c for c in pixels
            if abs(c.red() - ink.red()) + abs(c.green() - ink.green()) + abs(c.blue() - ink.blue()) < 40]
    # A box filled with the highlight (at least 8x8 pixels of it) and a tick inside it.
    assert len(filled) >= 64, len(filled)
    assert len(tick) >= 6, len(tick)


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_dialog_close_icon_stands_out_from_its_button_in_either_theme(qtbot, restore_look, look):
    """Seen on the dark theme: Fusion's black Close cross on a dark button."""
    theme.apply_theme(restore_look, look)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    qtbot.addWidget(box)
    button = box.button(QDialogButtonBox.StandardButton.Close)
    # The icon the box gives its Close button (whether it shows icons depends on the desktop).
    icon = box.style().standardIcon(QStyle.StandardPixmap.SP_DialogCloseButton, None, box)
    image = icon.pixmap(16, 16).toImage()
    drawn = [QColor(image.pixelColor(x, y)) for x in range(image.width()) for y in range(image.height())
             if image.pixelColor(x, y).alpha() > 200]
    assert drawn, "the Close button has no icon"
    cross = sum(c.lightness() for c in drawn) / len(drawn)
    assert abs(cross - button.palette().button().color().lightness()) > 100


def test_the_style_pictures_load_from_a_folder_whose_path_has_spaces(qtbot, restore_look, tmp_path, monkeypatch):
    """Installed on Windows, the program lives under "C:/Program Files/...": the style sheet's
    pictures must still be found there."""
    import shutil

    from app import resources
    installed = tmp_path / "Program Files" / "Faultline" / "resources"
    shutil.copytree(resources.resources_dir() / "style", installed / "style")
    monkeypatch.setattr(resources, "resources_dir", lambda: installed)
    test_a_checked_box_in_a_list_shows_its_box_and_its_tick_in_either_theme(qtbot, restore_look, "dark")


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_toolbar_icons_stand_out_in_either_theme(qtbot, tmp_path, restore_look, look):
    """Seen on the dark theme: Run and Stop kept the style's black media icons, so the Run
    button was a dark triangle on a dark toolbar. Every toolbar icon is drawn in the
    palette's text colour and redrawn when the theme changes."""
    from test_run_window import make_window

    w, ui = make_window(qtbot, tmp_path)
    w.set_theme("dark" if look == "light" else "light")   # drawn for the other theme first
    w.set_theme(look)
    background = w.palette().window().color().lightness()
    for action in (ui.run_action, ui.stop_action, w.new_action, w.undo_action, w.zoom_in_action):
        image = action.icon().pixmap(24, 24).toImage()
        drawn = [QColor(image.pixel(x, y)).lightness() for x in range(image.width()) for y in range(image.height())
                 if QColor.fromRgba(image.pixel(x, y)).alpha() > 128]
        assert drawn, action.text()
        assert abs(sum(drawn) / len(drawn) - background) > 100, (action.text(), look)
    ui.shutdown()
    w.close()


@pytest.mark.parametrize("look", ["light", "dark"])
def test_the_breaker_strips_note_reads_in_either_theme(qtbot, restore_look, look):
    """"no circuit breakers in this run" was a fixed grey, dim on the dark background."""
    from app.run.dashboard import Dashboard

    theme.apply_theme(restore_look, look)
    dashboard = Dashboard()
    qtbot.addWidget(dashboard)
    dashboard.show()
    qtbot.waitExposed(dashboard)
    note = dashboard.breaker_strip.note.color
    assert note.name() == theme.secondary_text(look == "dark")
    background = dashboard.palette().base().color()
    assert contrast(note, background) >= 4.5


