"""The Resilience pane keeps a design runnable: a policy that cannot share its calls with one already
there is not offered, and adding, enabling or moving one onto those calls is refused with the reason."""
from __future__ import annotations

import pytest
from editor_helpers import build_three_tier, choose
from PySide6.QtCore import Qt

from app.document import EditRejected

ONE_BULKHEAD = "a call passes one bulkhead, semaphore or thread-pool"
RETRY_OR_HEDGING = "gRPC gives a call a retry or a hedging policy, never both"


@pytest.fixture
def web(window):
    """The three-tier design with its web service shown in the Resilience pane: web calls cache and db."""
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    assert window.resilience.component_id == ids["web"] and doc.problems() == []
    return ids


def _kinds(doc, cid) -> list[tuple[str, str | None]]:
    return [(p.kind, doc.design.name_of(p.scope) if p.scope else None) for p in doc.component(cid).policies]


@pytest.mark.parametrize("first,second", [("bulkhead", "thread_pool_bulkhead"), ("thread_pool_bulkhead", "bulkhead"),
                                          ("bulkhead", "bulkhead")])
def test_a_second_bulkhead_on_the_same_calls_is_not_offered(window, web, first, second):
    doc, panel = window.document, window.resilience
    assert panel.add_policy(first) is not None
    action = panel.add_actions[second]
    assert not action.isEnabled()
    assert action.toolTip() == f"Every call already has an enabled {first.replace('_', ' ')} policy: {ONE_BULKHEAD}."
    action.trigger()
    assert panel.add_policy(second) is None
    assert ONE_BULKHEAD in panel.empty.text() and not panel.empty.isHidden()
    assert _kinds(doc, web["web"]) == [(first, None)]
    assert doc.problems() == []


@pytest.mark.parametrize("first,second", [("retry", "hedging"), ("hedging", "retry")])
def test_retry_and_hedging_on_the_same_calls_are_not_offered(window, web, first, second):
    doc, panel = window.document, window.resilience
    panel.add_policy(first)
    action = panel.add_actions[second]
    assert not action.isEnabled() and RETRY_OR_HEDGING in action.toolTip()
    assert panel.add_policy(second) is None
    assert RETRY_OR_HEDGING in panel.empty.text()
    with pytest.raises(EditRejected, match="retry or a hedging policy"):
        doc.edit.add_policy(web["web"], second, "db")  # an all-calls one meets it on db's calls too
    assert _kinds(doc, web["web"]) == [(first, None)]
    assert doc.problems() == []


def test_with_a_call_selected_the_menu_judges_that_call(window, web):
    doc, panel = window.document, window.resilience
    doc.edit.add_policy(web["web"], "retry", "cache")
    doc.edit.add_policy(web["web"], "bulkhead", "cache")
    doc.set_selection([next(link.id for link in doc.design.links
                            if (link.source, link.target) == (web["web"], web["db"]))])
    assert panel.call_target == web["db"]
    # nothing guards web -> db yet: every kind is offered for it
    assert panel.add_actions["hedging"].isEnabled() and panel.add_actions["thread_pool_bulkhead"].isEnabled()
    assert panel.add_policy("hedging") is not None
    assert panel.add_policy("thread_pool_bulkhead") is not None
    assert not panel.add_actions["retry"].isEnabled()
    assert panel.add_actions["retry"].toolTip() == (
        f'The calls to "db" already have an enabled hedging policy: {RETRY_OR_HEDGING}.')
    assert not panel.add_actions["bulkhead"].isEnabled()
    assert _kinds(doc, web["web"]) == [("retry", "cache"), ("bulkhead", "cache"), ("hedging", "db"),
                                       ("thread_pool_bulkhead", "db")]
    assert doc.problems() == []


def test_a_policy_for_one_call_beside_an_all_calls_one_overrides_it(window, web):
    doc, panel = window.document, window.resilience
    panel.add_policy("bulkhead")
    panel.add_policy("timeout")
    # the one for db's calls wins there, as the engine applies it
    doc.edit.add_policy(web["web"], "thread_pool_bulkhead", "db")
    doc.edit.add_policy(web["web"], "timeout", "db")
    assert len(doc.component(web["web"]).policies) == 4
    assert doc.problems() == []


def test_enabling_a_policy_that_would_clash_is_refused(window, web):
    doc, panel = window.document, window.resilience
    semaphore = panel.add_policy("bulkhead")
    panel.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert doc.policy(web["web"], semaphore).enabled is False
    # switched off, it guards nothing: a thread pool may take its place
    assert panel.add_actions["thread_pool_bulkhead"].isEnabled()
    assert panel.add_policy("thread_pool_bulkhead") is not None
    steps = doc.undo_stack.index()
    panel.list.item(0).setCheckState(Qt.CheckState.Checked)
    assert doc.policy(web["web"], semaphore).enabled is False
    assert panel.list.item(0).checkState() == Qt.CheckState.Unchecked
    assert f"thread pool bulkhead policy: {ONE_BULKHEAD}" in panel.empty.text() and not panel.empty.isHidden()
    assert doc.undo_stack.index() == steps
    with pytest.raises(EditRejected, match=ONE_BULKHEAD):
        doc.edit.set_policy_fields(web["web"], semaphore, {"enabled": True})
    assert doc.problems() == []


def test_moving_a_policy_onto_calls_that_would_clash_is_refused(window, web):
    doc, panel = window.document, window.resilience
    doc.edit.add_policy(web["web"], "hedging", "db")
    retry = doc.edit.add_policy(web["web"], "retry", "cache")
    panel.show_component(web["web"])
    panel.list.setCurrentRow(1)
    assert panel.policy_id == retry
    choose(panel.scope, str(web["db"]))
    assert doc.design.name_of(doc.policy(web["web"], retry).scope) == "cache"
    assert panel.scope.currentData() == str(web["cache"])
    assert 'The calls to "db" already have an enabled hedging policy' in panel.empty.text()
    assert doc.problems() == []
