"""Seen on the dark theme: white text on the accent (a selected row, the hovered menu item, the run's
progress) read 3.2:1, where text wants 4.5:1."""
from __future__ import annotations

import re

import pytest
from colour_contrast import contrast
from PySide6.QtGui import QColor, QPalette

from app import theme
from app.resources import resources_dir

LOOKS = ["light", "dark"]
GROUPS = [QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive]


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize("group", GROUPS)
def test_selected_text_reads_on_the_accent_in_either_theme(look, group):
    p = theme.palette(look)
    ratio = contrast(p.color(group, QPalette.ColorRole.HighlightedText), p.color(group, QPalette.ColorRole.Highlight))
    assert ratio >= 4.5, (look, ratio)


@pytest.mark.parametrize("look", LOOKS)
def test_a_checked_box_draws_its_tick_in_the_selected_texts_colour(look):
    """The radio's dot and the indeterminate bar are the selected text's colour (the style sheet's
    palette(highlighted-text)); the tick is a picture, one per look, that must match them."""
    sheet = theme.stylesheet(look)
    ticks = set(re.findall(r"check-\w+\.svg", sheet))
    assert ticks == {f"check-{look}.svg"}
    stroke = re.search(r'stroke="(#[0-9a-fA-F]{6})"', (resources_dir() / "style" / f"check-{look}.svg").read_text())
    assert stroke is not None
    assert QColor(stroke.group(1)) == theme.palette(look).color(QPalette.ColorRole.HighlightedText)
