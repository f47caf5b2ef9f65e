"""Gestures on the canvas that outlive what they started from: an undo or a delete in the middle of a drag."""
from __future__ import annotations

from editor_helpers import build_three_tier, mouse
from PySide6.QtCore import QPointF


def test_undoing_the_component_a_link_is_being_drawn_from_ends_the_gesture(window):
    """Ctrl+Z while drawing a link from a component just added removed that component, and every
    further mouse move raised KeyError out of the canvas (the refusal note asked about it)."""
    doc, view, scene = window.document, window.view, window.scene
    ids = build_three_tier(doc)
    added = doc.edit.add_component("service", (80, 300), name="search")
    view.fit()
    node = scene.node_item(added)
    port = node.mapToScene(node.port_pos())
    mouse(view, "press", port)
    mouse(view, "move", port + QPointF(60, 0))
    window.undo_action.trigger()
    assert doc.kind_of(added) is None
    links_before = list(doc.design.links)
    db = scene.node_item(ids["db"]).scenePos()
    mouse(view, "move", db)
    mouse(view, "release", db)
    assert doc.design.links == links_before
    assert not [item for item in scene.items() if item.zValue() >= 10]  # no line or note left behind
    # the canvas goes on working: a new link from web to the search service, redone, can be drawn
    window.redo_action.trigger()
    web = scene.node_item(ids["web"])
    mouse(view, "press", web.mapToScene(web.port_pos()))
    mouse(view, "move", scene.node_item(added).scenePos())
    mouse(view, "release", scene.node_item(added).scenePos())
    assert doc.design.link_between(ids["web"], added) is not None


def test_deleting_the_link_being_pointed_elsewhere_ends_the_gesture(window):
    doc, view, scene = window.document, window.view, window.scene
    ids = build_three_tier(doc)
    link = doc.design.link_between(ids["web"], ids["cache"])
    view.fit()
    doc.set_selection([link.id])
    head = scene.link_item(link.id)
    end = next(QPointF(x, y) for x in range(200, 330, 2) for y in range(-160, -80, 2)
               if head.hit_end(QPointF(x, y)))
    mouse(view, "press", end)
    mouse(view, "move", end + QPointF(0, 40))
    doc.edit.delete([link.id])
    db = scene.node_item(ids["db"]).scenePos()
    mouse(view, "move", db)
    mouse(view, "release", db)
    assert doc.design.link_between(ids["web"], ids["db"]) is not None  # unchanged, the one there before
    assert doc.design.link_between(ids["web"], ids["cache"]) is None
    assert not [item for item in scene.items() if item.zValue() >= 10]


def test_the_panning_hand_goes_when_the_canvas_loses_the_focus_with_space_held(window, qtbot):
    """Space held, then Alt+Tab: the open hand stayed over the canvas, though a drag then drew a
    rubber band instead of panning."""
    from PySide6.QtCore import Qt

    view = window.view
    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    assert view.viewport().cursor().shape() == Qt.CursorShape.OpenHandCursor
    window.find_box.setFocus()  # the focus goes elsewhere before Space is released
    qtbot.keyRelease(window.find_box, Qt.Key.Key_Space)
    assert view.viewport().cursor().shape() == Qt.CursorShape.ArrowCursor
