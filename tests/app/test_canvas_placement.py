"""Pasted and duplicated components land beside the originals, never on another; Arrange shows the result."""
from __future__ import annotations

from itertools import combinations

from editor_helpers import add, build_three_tier

from app.canvas.node_item import NODE_HEIGHT, NODE_WIDTH
from app.canvas.placement import PASTE_STEP, fragment_positions, free_offset


def overlapping(doc) -> list[tuple[str, str]]:
    spots = [(c.name, c.position.x, c.position.y) for c in doc.design.components]
    return [(a, b) for (a, ax, ay), (b, bx, by) in combinations(spots, 2)
            if abs(ax - bx) < NODE_WIDTH and abs(ay - by) < NODE_HEIGHT]


def test_free_offset_skips_every_spot_that_is_taken():
    dx, dy = free_offset([(0, 0)], [(0, 0)])
    assert dx == dy and dy >= NODE_HEIGHT and dy - PASTE_STEP < NODE_HEIGHT  # the first step that clears it
    taken = [(0, 0), (PASTE_STEP, PASTE_STEP), (2 * PASTE_STEP, 2 * PASTE_STEP)]
    # a node's box is 160 x 64: the copy must move until its box clears every one of them
    dx, dy = free_offset([(0, 0)], taken)
    assert dy - 2 * PASTE_STEP >= NODE_HEIGHT and dy - 3 * PASTE_STEP < NODE_HEIGHT and dx == dy
    assert free_offset([(0, 0)], [(500, 500)], first=0) == (0.0, 0.0)
    assert fragment_positions({"components": [{"position": {"x": 3, "y": "bad"}}, {}]}) == [(0.0, 0.0), (0.0, 0.0)]


def test_repeated_pastes_and_duplicates_never_land_on_a_component(window):
    doc = window.document
    ids = build_three_tier(doc)
    # something already sits where the first copy of web would land (two steps clear its box)
    add(doc, "service", 80 + 2 * PASTE_STEP, 2 * PASTE_STEP, "squatter")
    window.view.setFocus()
    doc.set_selection([ids["web"]])
    window.copy_action.trigger()
    for _ in range(3):
        window.paste_action.trigger()
    doc.set_selection([ids["lb"], ids["web"]])
    window.duplicate_action.trigger()
    window.duplicate_action.trigger()
    assert len(doc.design.components) == 6 + 3 + 4
    assert overlapping(doc) == []
    assert doc.undo_stack.undoText() == "Duplicate 2 components"


def test_a_cut_pastes_back_in_place(window):
    doc = window.document
    ids = build_three_tier(doc)
    window.view.setFocus()
    before = doc.component(ids["cache"]).position
    doc.set_selection([ids["cache"]])
    window.cut_action.trigger()
    window.paste_action.trigger()
    pasted = doc.component_named("cache")
    assert (pasted.position.x, pasted.position.y) == (before.x, before.y)
    window.paste_action.trigger()  # a second paste of the cut: beside it
    assert overlapping(doc) == []


def test_arrange_fits_the_view_to_the_laid_out_design(window, qtbot):
    doc = window.document
    build_three_tier(doc)
    window.view.set_zoom(3.0)
    window.view.centerOn(5000, 5000)
    window.arrange_action.trigger()
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    for item in window.scene.node_items():
        assert visible.contains(item.mapRectToScene(item.body_rect()))
    assert window.view.zoom() <= 1.0
