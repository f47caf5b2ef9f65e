"""Alignment guides while dragging one component."""
from __future__ import annotations

from editor_helpers import drag, mouse
from PySide6.QtCore import QPointF, QRectF

from app.canvas.guides import AlignmentGuides, align, guide_lines


def test_align_finds_the_nearest_shared_centre_or_edge_per_axis():
    body = QRectF(0, 0, 100, 40)
    other = QRectF(203, 55, 100, 40)
    assert align(body.translated(198, 300), [other]) == (203, None)  # left edges, 5 apart
    assert align(body.translated(500, 52), [other]) == (None, 55)  # tops, 3 apart
    assert align(body.translated(500, 300), [other]) == (None, None)
    # a wider body lines up its centre with the other's centre
    wide = QRectF(0, 0, 200, 40).translated(155, 500)
    assert align(wide, [other]) == (153, None)
    lines = guide_lines(QRectF(203, 300, 100, 40), [other])
    assert {(line.x1(), line.x2()) for line in lines} == {(203, 203), (253, 253), (303, 303)}


def guides_in(scene) -> list[AlignmentGuides]:
    return [i for i in scene.items() if isinstance(i, AlignmentGuides)]


def test_dragging_a_component_snaps_it_in_line_with_another_and_shows_the_guide(window):
    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("database", (0, 0), name="b")
    window.scene.snap_to_grid = False  # placed off the grid, as with snapping off
    doc.edit.move_components({b: (307.0, 203.0)})
    window.scene.snap_to_grid = True
    window.view.fit()
    start = window.scene.node_item(a).pos()
    mouse(window.view, "press", start)
    for i in range(1, 7):
        mouse(window.view, "move", QPointF(start.x() + 305 * i / 6, start.y() + 400 * i / 6))
    (guides,) = guides_in(window.scene)
    assert 307 in {line.x1() for line in guides.lines if line.x1() == line.x2()}  # b's centre line
    mouse(window.view, "release", QPointF(start.x() + 305, start.y() + 400))
    moved = doc.component(a).position
    assert (moved.x, moved.y) == (307.0, 400.0)  # x from b's centre, y from the grid
    assert guides_in(window.scene) == []
    assert doc.undo_stack.undoText().startswith("Move")


def test_far_from_any_other_the_grid_rules(window):
    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("database", (0, 0), name="b")
    window.scene.snap_to_grid = False
    doc.edit.move_components({b: (307.0, 203.0)})
    window.scene.snap_to_grid = True
    window.view.fit()
    start = window.scene.node_item(a).pos()
    drag(window.view, start, QPointF(start.x() + 61, start.y() + 489))
    moved = doc.component(a).position
    assert (moved.x, moved.y) == (60.0, 480.0)
