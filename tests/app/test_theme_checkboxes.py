"""Seen on the dark theme: an unchecked check box (Compare, Baseline, "Cancel the call on timeout") was
a box of the base colour on the window, with no outline to speak of: about 1.1:1."""
from __future__ import annotations

import pytest
from colour_contrast import contrast
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QRadioButton, QStyle, QStyleOptionButton, QWidget

from app import theme

LOOKS = ["light", "dark"]
BUTTONS = [(QCheckBox, QStyle.SubElement.SE_CheckBoxIndicator),
           (QRadioButton, QStyle.SubElement.SE_RadioButtonIndicator)]





def _shown(qtbot, kind, checked: bool = False, enabled: bool = True) -> tuple[QWidget, QWidget]:
    holder = QWidget()
    qtbot.addWidget(holder)
    button = kind("Cancel the call on timeout")
    button.setChecked(checked)
    button.setEnabled(enabled)
    QHBoxLayout(holder).addWidget(button)
    holder.show()
    qtbot.waitExposed(holder)
    return holder, button


def _outline(image: QImage, rect, background: QColor) -> list[float]:
    """For each side of the indicator, the best contrast with the background near its middle."""
    cx, cy = rect.center().x(), rect.center().y()
    sides = ([(x, cy) for x in range(rect.left(), rect.left() + 3)],
             [(x, cy) for x in range(rect.right() - 2, rect.right() + 1)],
             [(cx, y) for y in range(rect.top(), rect.top() + 3)],
             [(cx, y) for y in range(rect.bottom() - 2, rect.bottom() + 1)])
    return [max(contrast(image.pixelColor(x, y), background) for x, y in side) for side in sides]


def _indicator(holder: QWidget, button, element):
    option = QStyleOptionButton()
    button.initStyleOption(option)
    rect = button.style().subElementRect(element, option, button)
    image = holder.grab().toImage()
    return image, rect.translated(button.pos()), image.pixelColor(holder.width() - 2, holder.height() - 2)


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize(("kind", "element"), BUTTONS)
def test_an_unchecked_box_has_an_outline_that_stands_out_in_either_theme(qtbot, restore_look, look, kind, element):
    theme.apply_theme(restore_look, look)
    holder, button = _shown(qtbot, kind)
    image, rect, background = _indicator(holder, button, element)
    assert background == holder.palette().window().color()
    outline = _outline(image, rect, background)
    assert min(outline) >= 3, outline


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize(("kind", "element"), BUTTONS)
def test_a_disabled_box_shows_and_differs_from_an_enabled_one(qtbot, restore_look, look, kind, element):
    theme.apply_theme(restore_look, look)
    holder, button = _shown(qtbot, kind, enabled=False)
    image, rect, background = _indicator(holder, button, element)
    disabled = _outline(image, rect, background)
    holder, button = _shown(qtbot, kind)
    image, rect, background = _indicator(holder, button, element)
    enabled = _outline(image, rect, background)
    assert min(disabled) >= 2, disabled
    assert max(disabled) < min(enabled) - 0.5, (disabled, enabled)


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize(("kind", "element"), BUTTONS)
def test_a_checked_box_is_filled_with_the_highlight_and_marked_in_either_theme(
        qtbot, restore_look, look, kind, element):
    theme.apply_theme(restore_look, look)
    holder, button = _shown(qtbot, kind, checked=True)
    image, rect, _background = _indicator(holder, button, element)
    highlight = holder.palette().highlight().color()
    pixels = [image.pixelColor(x, y) for x in range(rect.left(), rect.right() + 1)
              for y in range(rect.top(), rect.bottom() + 1)]
    filled = [c for c in pixels if contrast(c, highlight) < 1.2]
    mark = [c for c in pixels if contrast(c, highlight) >= 3]
    assert len(filled) >= len(pixels) // 3, (len(filled), len(pixels))
    assert len(mark) >= 4, len(mark)

