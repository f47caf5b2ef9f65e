"""Names too long for their node stay told apart: siblings differ at the end of their names."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QImage, QPainter, QTransform
from PySide6.QtWidgets import QStyleOptionGraphicsItem


class _TextRecorder(QPainter):
    """A painter that notes each text drawn through it."""

    def __init__(self, device):
        super().__init__(device)
        self.texts: list[str] = []

    def drawText(self, *args):  # noqa: N802  (Qt's name)
        self.texts.append(args[-1])
        super().drawText(*args)


def _drawn_name(item, zoom: float) -> str:
    image = QImage(400, 200, QImage.Format.Format_ARGB32)
    painter = _TextRecorder(image)
    try:
        painter.setWorldTransform(QTransform.fromScale(zoom, zoom))
        item.paint(painter, QStyleOptionGraphicsItem())
    finally:
        painter.end()
    return painter.texts[0]


@pytest.mark.parametrize("zoom", [1.0, 0.31])
def test_components_whose_names_differ_at_the_end_are_drawn_differently(window, zoom):
    """200 services fitted at 1920x1080 (31 %) all read "servic…": "service 10" and "service 110"
    could not be told apart, nor two regional copies of one long name at 100 %."""
    names = ["payments-authorisation-gateway-eu-1", "payments-authorisation-gateway-eu-2",
             "service 10", "service 110", "service 17", "service 170"]
    edit = window.document.edit
    ids = [edit.add_component("service", (i * 200.0, 0), name=name) for i, name in enumerate(names)]
    drawn = [_drawn_name(window.scene.node_item(cid), zoom) for cid in ids]
    long_names = [(name, shown) for name, shown in zip(names, drawn) if shown != name]
    assert long_names, drawn  # the case is about names that do not fit
    assert len(set(drawn)) == len(drawn), drawn
    for name, shown in long_names:
        start, _, end = shown.partition("…")
        assert name.startswith(start) and name.endswith(end) and end, (name, shown)
