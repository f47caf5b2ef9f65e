"""The minimap: shown while part of the design is out of view; a click there moves the view."""
from __future__ import annotations

from editor_helpers import add
from PySide6.QtCore import QPoint, QPointF, Qt


def spread_design(doc, n: int = 12) -> None:
    for i in range(n):
        add(doc, "service", (i % 4) * 900.0, (i // 4) * 700.0, f"s{i}")


def test_the_minimap_shows_only_while_the_design_is_bigger_than_the_view(window, qtbot):
    doc = window.document
    view, minimap = window.view, window.view.minimap
    add(doc, "service", 0, 0, "alone")
    view.fit()
    qtbot.waitUntil(lambda: not minimap.needed())
    assert not minimap.isVisible()
    spread_design(doc)
    view.reset_zoom()
    view.centerOn(0, 0)
    qtbot.waitUntil(minimap.isVisible, timeout=20_000)
    port = view.viewport().rect()
    assert port.contains(minimap.geometry())
    assert minimap.geometry().right() > port.center().x() and minimap.geometry().bottom() > port.center().y()
    view.fit()
    qtbot.waitUntil(lambda: not minimap.isVisible(), timeout=20_000)


def test_clicking_the_minimap_centres_the_view_there(window, qtbot):
    doc = window.document
    spread_design(doc)
    view, minimap = window.view, window.view.minimap
    view.reset_zoom()
    view.centerOn(0, 0)
    qtbot.waitUntil(minimap.isVisible, timeout=20_000)
    far = doc.component_named("s11")  # the bottom-right component
    spot = minimap.to_map(window.scene.node_item(far.id).mapRectToScene(window.scene.node_item(far.id).body_rect()))
    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=spot.center().toPoint())
    centre = view.mapToScene(view.viewport().rect().center())
    assert (centre - QPointF(far.position.x, far.position.y)).manhattanLength() < 60
    assert view.visible_scene_rect().contains(QPointF(far.position.x, far.position.y))
    # the outline of the view moved with it
    outline = minimap.to_map(view.visible_scene_rect())
    assert outline.contains(QPoint(int(spot.center().x()), int(spot.center().y())))
