"""A big design on the canvas: dragging a selection, undoing the move, and undoing a bulk delete
cost work in proportion to the design, once, not once per end of every link or per item put back."""
from __future__ import annotations

from collections import Counter

import pytest
from editor_helpers import count_calls, drag
from PySide6.QtCore import QPointF

from app.canvas.link_item import LinkItem
from app.canvas.node_item import NodeItem
from app.canvas.scene import CanvasScene

PAIRS = 30  # services in a chain, each with its database: 60 components, 59 links


def _chain():
    from engine.model import Database, Design, Link, Project, Service

    services = [Service(name=f"svc{i:02}", position={"x": 240.0 * i, "y": 0.0}) for i in range(PAIRS)]
    databases = [Database(name=f"db{i:02}", position={"x": 240.0 * i, "y": 200.0}) for i in range(PAIRS)]
    links = [Link(source=s.name, target=d.name) for s, d in zip(services, databases)]
    links += [Link(source=a.name, target=b.name) for a, b in zip(services, services[1:])]
    return Project(name="chain", designs=[Design(name="chain", components=services + databases, links=links)])


@pytest.fixture
def calls(monkeypatch):
    counts: Counter = Counter()
    count_calls(monkeypatch, counts, LinkItem, "adjust")
    count_calls(monkeypatch, counts, CanvasScene, "drawing_rect")
    return counts


@pytest.fixture
def big(window):
    window.document.load(_chain())
    window.view.fit()
    return window


def _link_ends(window) -> dict:
    return {item.link_id: (item._path.pointAtPercent(0), item._path.pointAtPercent(1))
            for item in window.scene.link_items()}


def test_dragging_a_selection_adjusts_each_link_once_per_move(big, calls):
    window, doc = big, big.document
    links = len(doc.design.links)
    window.select_all_action.trigger()
    node = window.scene.node_items()[0]
    start = node.scenePos()
    before = _link_ends(window)

    calls.clear()
    drag(window.view, start, start + QPointF(120, 60), steps=3)

    # Both ends of every link moved together: one adjust per link and move, not one per end.
    assert calls["LinkItem.adjust"] == 3 * links
    assert doc.undo_stack.undoText() == f"Move {2 * PAIRS} components"
    after = _link_ends(window)
    for link_id, (a, b) in before.items():
        assert after[link_id][0] == a + QPointF(120, 60) and after[link_id][1] == b + QPointF(120, 60)

    calls.clear()
    doc.undo_stack.undo()
    assert calls["LinkItem.adjust"] == links
    assert _link_ends(window) == before


def test_undoing_a_bulk_delete_measures_the_scene_once(big, calls):
    window, doc = big, big.document
    everything = {c.id for c in doc.design.components} | {link.id for link in doc.design.links}
    before = _link_ends(window)
    rect = window.scene.sceneRect()
    window.select_all_action.trigger()

    calls.clear()
    window.delete_action.trigger()
    assert doc.design.components == [] and window.scene.node_items() == []
    # Each item removed used to measure every item left: quadratic in the design.
    assert calls["CanvasScene.drawing_rect"] == 1

    calls.clear()
    doc.undo_stack.undo()
    assert calls["CanvasScene.drawing_rect"] == 1
    assert calls["LinkItem.adjust"] == len(everything) - 2 * PAIRS  # each link made once
    assert {i.component_id for i in window.scene.node_items()} | {i.link_id for i in window.scene.link_items()} \
        == everything
    assert _link_ends(window) == before
    assert window.scene.sceneRect() == rect
    # The canvas shows the document's selection, also for the items made after it was announced.
    assert {i.component_id for i in window.scene.node_items() if i.isSelected()} | \
        {i.link_id for i in window.scene.link_items() if i.isSelected()} == set(doc.selection)


def test_a_paste_shows_and_selects_its_copies(big):
    window, doc = big, big.document
    first = doc.design.components[0]
    doc.set_selection([first.id])
    window.copy()
    window.paste()
    pasted = [i for i in doc.selection if i != first.id]
    assert len(pasted) == 1
    item = window.scene.node_item(pasted[0])
    assert item is not None and item.isSelected()
    assert window.scene.sceneRect().contains(item.sceneBoundingRect())


def test_the_minimap_measures_the_design_again_only_after_it_changed(big, monkeypatch):
    window, doc = big, big.document
    view = window.view
    view.reset_zoom()  # part of the design out of view: the minimap is shown
    measured = Counter()
    original = NodeItem.body_rect
    monkeypatch.setattr(NodeItem, "body_rect", lambda self: measured.update([self.component_id]) or original(self))
    view.minimap.refresh()
    assert view.minimap.isVisible()
    first = view.minimap.design_rect()

    measured.clear()
    for _step in range(5):  # scrolling: each step refreshed the minimap, measuring every node
        view.pan_by(40, 10)
        view.minimap.refresh()
    assert measured.total() == 0

    # A node moved further out: measured again, and the minimap covers it.
    far = doc.design.components[-1]
    doc.edit.move_components({far.id: (far.position.x + 2000, far.position.y + 900)})
    view.minimap.refresh()
    assert view.minimap.design_rect() == first.adjusted(0, 0, 2000, 900)
    doc.undo_stack.undo()
    assert view.minimap.design_rect() == first
