"""Zoomed out, as the canvas is fitted beside the plots after a run, a node's name stays legible."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QImage, QPainter, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from app.canvas.node_item import COARSE_LOD, LEGIBLE_POINTS, NAME_POINTS


class _FontRecorder(QPainter):
    """A painter that notes each text drawn through it with its size on screen, in points."""

    def __init__(self, device, zoom: float):
        super().__init__(device)
        self.zoom = zoom
        self.texts: list[tuple[str, float]] = []

    def drawText(self, *args):  # noqa: N802  (Qt's name)
        self.texts.append((args[-1], self.font().pointSizeF() * self.zoom))
        super().drawText(*args)


def _texts(item, zoom: float) -> list[tuple[str, float]]:
    image = QImage(400, 200, QImage.Format.Format_ARGB32)
    painter = _FontRecorder(image, zoom)
    try:
        painter.setWorldTransform(QTransform.fromScale(zoom, zoom))
        item.paint(painter, QStyleOptionGraphicsItem())
    finally:
        painter.end()
    return painter.texts


@pytest.mark.parametrize("zoom", [0.33, 0.5, 0.7])
def test_a_node_a_third_of_its_size_shows_its_name_alone_at_a_legible_size(window, zoom):
    """After a run at 1920x1080 the canvas fits the example storefront at 33 %: names were 3.3
    points on screen, beside figures at 2.8, and the health colours named nothing."""
    cid = window.document.edit.add_component("service", (0, 0), name="recommendations")
    item = window.scene.node_item(cid)
    texts = _texts(item, zoom)
    assert len(texts) == 1, texts                      # no figures line too small to read
    name, points = texts[0]
    start, _, end = name.partition("…")
    assert "recommendations".startswith(start) and "recommendations".endswith(end) and len(name) >= 5
    assert LEGIBLE_POINTS - 0.2 <= points <= LEGIBLE_POINTS + 0.2


def test_near_its_size_a_node_shows_its_name_and_figures_as_designed(window):
    cid = window.document.edit.add_component("service", (0, 0), name="api")
    texts = _texts(window.scene.node_item(cid), 1.0)
    assert texts[0] == ("api", NAME_POINTS) and len(texts) == 2


def test_far_out_a_node_is_a_coloured_box_without_words(window):
    cid = window.document.edit.add_component("service", (0, 0), name="api")
    assert _texts(window.scene.node_item(cid), COARSE_LOD * 0.9) == []
