"""A bulk edit is one change: Select All + Delete of a big design, and its undo, refresh the
canvas's selection and the panes once, not once per component or link removed or put back."""
from __future__ import annotations

from collections import Counter

import pytest
from editor_helpers import add, count_calls
from PySide6.QtCore import Qt

from app.canvas.scene import CanvasScene
from app.panes import FaultInjectionPanel, PropertiesPane, ResiliencePanel

SERVICES = 100  # and as many databases: 200 components, 199 links


def _big_project():
    """100 services in a chain, each with its own database; one experiment with a fault on the first."""
    from app.document import ProjectDocument

    doc = ProjectDocument()
    services = [add(doc, "service", 200.0 * i, 0.0, f"svc{i:03}") for i in range(SERVICES)]
    databases = [add(doc, "database", 200.0 * i, 200.0, f"db{i:03}") for i in range(SERVICES)]
    for i, (svc, db) in enumerate(zip(services, databases)):
        assert doc.edit.connect(svc, db)[1] is None
        if i + 1 < SERVICES:
            assert doc.edit.connect(svc, services[i + 1])[1] is None
    experiment = doc.edit.add_experiment()
    doc.edit.add_fault(experiment, "crash", services[0])
    project = doc.snapshot()
    doc.deleteLater()
    return project


@pytest.fixture
def calls(monkeypatch):
    """How often the costly refreshes ran: patched on the classes before the window connects them."""
    counts: Counter = Counter()

    def counting(cls, name):
        count_calls(monkeypatch, counts, cls, name)

    # The scene's selection handler reads the scene's whole selection each time it does its work.
    counting(CanvasScene, "selectedItems")
    counting(CanvasScene, "_refresh_problems")
    counting(PropertiesPane, "refresh")
    counting(PropertiesPane, "_refresh_problems")
    counting(FaultInjectionPanel, "refresh")
    counting(ResiliencePanel, "_follow_selection")
    return counts


def test_select_all_delete_and_undo_refresh_once_not_per_item(calls, window, qtbot):
    doc = window.document
    doc.load(_big_project())
    design = doc.design
    assert len(design.components) == 2 * SERVICES and len(design.links) == 2 * SERVICES - 1
    everything = {c.id for c in design.components} | {link.id for link in design.links}
    fault_target = design.experiments[0].faults[0].target

    window.select_all_action.trigger()
    assert set(doc.selection) == everything
    assert window.properties.title.text() == f"{len(everything)} items selected"

    window.view.setFocus()
    calls.clear()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    deleted = dict(calls)

    # Everything went, in one undo step, and everything shows it.
    assert doc.design.components == [] and doc.design.links == []
    assert doc.selection == []
    assert window.scene.node_items() == [] and window.scene.link_items() == []
    assert window.scene.selectedItems() == []
    assert window.properties.subject == ("design", doc.design.id)
    assert doc.current_experiment.faults == []  # the fault aimed at a deleted component went too
    assert window.faults.list.count() == 0
    assert window.resilience.component_id is None
    assert doc.undo_stack.count() == 1

    calls.clear()
    window.undo_action.trigger()
    undone = dict(calls)

    # All of it is back: items on the canvas, the fault in its pane; the selection stays empty.
    assert {c.id for c in doc.design.components} | {link.id for link in doc.design.links} == everything
    assert {n.component_id for n in window.scene.node_items()} | {
        lk.link_id for lk in window.scene.link_items()} == everything
    assert [f.target for f in doc.current_experiment.faults] == [fault_target]
    assert window.faults.list.count() == 1
    assert doc.selection == [] and window.scene.selectedItems() == []
    assert window.properties.subject == ("design", doc.design.id)

    # One refresh per change, however many items it touched (the old code ran each per item:
    # hundreds of times, each reading the whole design).
    for label, counts in (("delete", deleted), ("undo", undone)):
        for name, n in counts.items():
            assert n <= 3, f"{label}: {name} ran {n} times for one command"


def test_scene_selection_follows_a_single_delete_and_its_undo(window, qtbot):
    """The one-item paths keep working: delete a selected component with its links, undo, redo."""
    doc = window.document
    a = add(doc, "service", 0, 0, "a")
    b = add(doc, "database", 200, 0, "b")
    c = add(doc, "database", 200, 200, "c")
    doc.edit.connect(a, b)
    doc.edit.connect(a, c)
    doc.set_selection([a, b])
    assert {i.component_id for i in window.scene.selectedItems()} == {a, b}

    doc.edit.delete([a])
    assert doc.selection == [b]
    assert [i.component_id for i in window.scene.selectedItems()] == [b]
    assert window.properties.subject == ("component", b)
    assert window.scene.link_items() == []

    doc.undo_stack.undo()
    assert len(window.scene.link_items()) == 2 and window.scene.node_item(a) is not None
    assert doc.selection == [b]
    doc.undo_stack.redo()
    assert window.scene.node_item(a) is None and doc.selection == [b]


def test_duplicating_a_big_design_resolves_no_names_per_item(window, monkeypatch):
    """Each pasted component and link was resolved against the whole design, though it holds
    ids only: a paste of 200 linked components took over a second."""
    import engine.model.design as design_module

    doc = window.document
    doc.load(_big_project())
    resolved: list[int] = []
    original = design_module.resolve_names
    monkeypatch.setattr(design_module, "resolve_names", lambda data: resolved.append(1) or original(data))
    everything = [c.id for c in doc.design.components]
    copies = doc.edit.duplicate(everything)
    assert len(copies) == len(everything) and len(doc.design.links) == 2 * (2 * SERVICES - 1)
    assert len(resolved) <= 3, f"names resolved {len(resolved)} times for one paste"
    # a link that names its ends (a design built in code) is still resolved to their ids
    from engine.model import Link

    named = doc.design.resolve(Link(source="svc000", target="db001"))
    assert named.source == doc.design.component("svc000").id and named.target == doc.design.component("db001").id


def test_deleting_many_components_finds_their_links_once(window, monkeypatch):
    """Each component removed looked through every link of the design for its own: deleting a
    thousand components read a million links (0.6 s of Select All + Delete)."""
    from app.document import commands

    window.document.load(_big_project())
    given = []
    original = commands.RemoveComponentCommand.__init__

    def spying(self, document, component_id, *args, links=None, **kwargs):
        given.append(links)
        original(self, document, component_id, *args, links=links, **kwargs)

    monkeypatch.setattr(commands.RemoveComponentCommand, "__init__", spying)
    before = window.document.snapshot()
    window.select_all()
    window.delete_selection()
    assert len(given) == 2 * SERVICES and all(links is not None for links in given)
    assert sum(len(links) for links in given) == 2 * (2 * SERVICES - 1)  # each link by both its ends
    assert not window.document.design.components and not window.document.design.links
    window.document.undo_stack.undo()
    assert window.document.snapshot() == before
