"""Copy, paste, duplicate and delete as a user meets them: long names, fragments edited as text, undo wording."""
from __future__ import annotations

import json

from editor_helpers import build_three_tier
from PySide6.QtCore import QMimeData

from app.clipboard import put_on_clipboard

LONGEST = "payments-authorisation-gateway-europe-west-primary-cluster-alpha"  # 64 characters, the limit


def _names(doc) -> list[str]:
    return [c.name for c in doc.design.components]


def test_a_component_with_the_longest_name_allowed_duplicates_and_pastes(window):
    """Ctrl+D on a component named with 64 characters added nothing: its copy's name "… 2" was
    66 characters, refused, and only the status bar said so."""
    doc = window.document
    cid = doc.edit.add_component("service", (0, 0), name=LONGEST)
    assert doc.component(cid).name == LONGEST
    window.duplicate()
    doc.set_selection([cid])
    window.copy()
    window.paste()
    window.paste()
    copies = _names(doc)[1:]
    assert len(copies) == 3, window.statusBar().currentMessage()
    assert len(set(copies)) == 3 and LONGEST not in copies
    assert all(len(name) <= len(LONGEST) and name.startswith(LONGEST[:50]) for name in copies), copies
    assert [name.rsplit(" ", 1)[1] for name in copies] == ["2", "3", "4"]


def _paste_text(window, text: str) -> None:
    mime = QMimeData()
    mime.setText(text)
    put_on_clipboard(mime)
    window.paste()


def test_a_fragment_written_by_hand_without_ids_pastes_by_names(window):
    """The clipboard's text is JSON that links by name for hand-written fragments; one without
    ids raised KeyError: 'id' out of Paste."""
    doc = window.document
    _paste_text(window, json.dumps({
        "format": "faultline-fragment/1",
        "components": [{"kind": "service", "name": "api"}, {"kind": "database", "name": "orders"}],
        "links": [{"source": "api", "target": "orders"}],
    }))
    assert sorted(_names(doc)) == ["api", "orders"]
    assert [link.name for link in doc.design.links] == ["api -> orders"]
    assert [p.message for p in doc.problems() if p.subject is not None] == []
    doc.undo_stack.undo()
    assert _names(doc) == [] and doc.design.links == []


def test_a_fragment_with_wrong_values_is_refused_with_the_component_and_field_named(window):
    """A position typed as text, or a policies entry that is not a list, raised ValueError or
    TypeError out of Paste instead of saying what was wrong."""
    doc = window.document
    build_three_tier(doc)
    before = _names(doc)
    bad = {
        "format": "faultline-fragment/1",
        "components": [{"kind": "service", "name": "api", "position": {"x": "left", "y": 0}}],
    }
    _paste_text(window, json.dumps(bad))
    assert _names(doc) == before
    message = window.statusBar().currentMessage()
    assert '"api"' in message and "position x" in message and "number" in message, message
    bad["components"] = [{"kind": "service", "name": "api", "policies": 3}]
    _paste_text(window, json.dumps(bad))
    assert _names(doc) == before
    message = window.statusBar().currentMessage()
    assert '"api"' in message and "policies" in message, message


def test_undo_of_deleting_one_linked_component_names_it(window):
    """Deleting "db" (with its two links and a fault aimed at it) offered "Undo Delete", naming
    nothing, where deleting an unlinked one offered 'Undo Delete "cache"'."""
    doc = window.document
    ids = build_three_tier(doc)
    experiment = doc.edit.add_experiment("Outage")
    doc.edit.add_fault(experiment, "crash", "db")
    doc.set_selection([ids["db"]])
    window.delete_selection()
    assert doc.undo_stack.undoText() == 'Delete "db"'
    assert window.undo_action.text() == '&Undo Delete "db"'
    doc.undo_stack.undo()
    link = doc.design.link_between(ids["web"], ids["db"])
    doc.set_selection([link.id])
    window.delete_selection()
    assert doc.undo_stack.undoText() == 'Delete link "web -> db"'


def test_deleting_a_dependency_takes_the_policies_that_guarded_calls_to_it_and_undo_restores_them(window):
    """Deleting "db" left web's retry scoped to it: the design could not run ("retry policy: its
    scope is not one of its dependencies") until the user found and removed the policy by hand."""
    doc = window.document
    ids = build_three_tier(doc)
    web = ids["web"]
    guarding_db = doc.edit.add_policy(web, "retry", scope="db")
    guarding_all = doc.edit.add_policy(web, "timeout")
    before = doc.component(web)
    doc.set_selection([ids["db"]])
    window.cut()
    assert [p.id for p in doc.component(web).policies] == [guarding_all]
    assert not [p for p in doc.problems() if "scope" in p.message], doc.problems()
    doc.undo_stack.undo()
    assert doc.component(web) == before and doc.component(web).policies[0].id == guarding_db
    assert doc.undo_stack.undoText() == 'Add timeout to "web"'


def _in_sight(window, cid) -> bool:
    item = window.scene.node_item(cid)
    return window.view.visible_scene_rect().intersects(item.mapRectToScene(item.body_rect()))


def test_a_paste_into_another_window_is_brought_into_sight(window):
    """Copied from far out in one design and pasted into a new window, the copy landed 2,000 units
    from what the new window showed: Ctrl+V seemed to do nothing."""
    doc = window.document
    far = doc.edit.add_component("service", (2400.0, 1600.0), name="far")
    doc.set_selection([far])
    window.copy()
    other = window.new_window()
    try:
        other.resize(1000, 700)
        other.paste()
        [pasted] = other.document.selection
        assert other.document.component(pasted).name == "far"
        assert _in_sight(other, pasted)
    finally:
        other.close()


def test_a_paste_while_scrolled_away_is_brought_into_sight_and_a_visible_one_does_not_scroll(window):
    doc, view = window.document, window.view
    ids = build_three_tier(doc)
    view.reset_zoom()
    view.centerOn(1800, 1800)
    doc.set_selection([ids["web"]])
    window.copy()
    window.paste()
    [pasted] = doc.selection
    assert _in_sight(window, pasted)
    shown = view.visible_scene_rect()
    window.paste()  # beside the first copy, already in sight: the view stays put
    assert view.visible_scene_rect() == shown


def test_a_fragment_whose_components_are_not_a_list_is_refused_in_words(window):
    """'"components": 5' in the clipboard's text raised TypeError while the copies were being placed."""
    doc = window.document
    _paste_text(window, json.dumps({"format": "faultline-fragment/1", "components": 5}))
    assert _names(doc) == []
    assert window.statusBar().currentMessage() == 'the clipboard\'s "components" is not a list'
