"""Random sequences of edits: undoing all of them restores the project exactly, redoing all of them
restores the end state, and the canvas mirrors the document at every step."""
from __future__ import annotations

import random

import pytest
from editor_helpers import build_three_tier

from app.document import EditRejected
from engine.model import COMPONENT_KINDS, FAULT_KINDS
from engine.model.resilience import CALLER_POLICY_KINDS, INBOUND_POLICY_KINDS


def snapshot(doc):
    return [d.model_dump(mode="json") for d in doc.project.designs]


def canvas_matches(window) -> None:
    doc, scene = window.document, window.scene
    design = doc.design
    assert {i.component_id for i in scene.node_items()} == {c.id for c in design.components}
    assert {i.link_id for i in scene.link_items()} == {link.id for link in design.links}
    for c in design.components:
        item = scene.node_item(c.id)
        assert (item.pos().x(), item.pos().y()) == (c.position.x, c.position.y)
        assert item.view.name == c.name and item.view.figures == c.key_figures()
        assert item.view.policies == [(p.kind, p.enabled) for p in c.policies]
    for link in design.links:
        item = scene.link_item(link.id)
        assert (item.source.view.name, item.target.view.name) == (design.name_of(link.source),
                                                                   design.name_of(link.target))


def random_edit(rng: random.Random, doc) -> None:
    e = doc.edit
    design = doc.design
    comps = list(design.components)
    links = list(design.links)
    choice = rng.randrange(12)
    if choice == 0 or not comps:
        e.add_component(rng.choice(COMPONENT_KINDS), (rng.randrange(-20, 20) * 20.0, rng.randrange(-20, 20) * 20.0))
    elif choice == 1 and len(comps) >= 2:
        a, b = rng.sample(comps, 2)
        if links and rng.random() < 0.3:
            e.relink(rng.choice(links).id, b.id)
        else:
            e.connect(a.id, b.id)  # refusals are fine: nothing is pushed
    elif choice == 2:
        e.delete(rng.sample([c.id for c in comps] + [link.id for link in links], k=1))
    elif choice == 3:
        c = rng.choice(comps)
        e.rename_component(c.id, f"{c.name[:40]}-{rng.randrange(1000)}")
    elif choice == 4:
        e.move_components({c.id: (c.position.x + 20, c.position.y - 40) for c in rng.sample(comps, min(3, len(comps)))})
    elif choice == 5:
        c = rng.choice(comps)
        if c.kind in ("service", "cache", "database"):
            e.set_component_fields(c.id, {"instances": rng.randrange(1, 6)})
        else:
            e.set_component_fields(c.id, {"error_probability": rng.random()} if c.kind != "load_balancer"
                                   else {"strategy": rng.choice(["random", "round_robin"])})
    elif choice == 6:
        c = rng.choice(comps)
        kind = rng.choice(CALLER_POLICY_KINDS + INBOUND_POLICY_KINDS)
        if e.policy_refusal(c.id, kind) is None:
            e.add_policy(c.id, kind)
    elif choice == 7:
        with_policies = [c for c in comps if c.policies]
        if with_policies:
            c = rng.choice(with_policies)
            p = rng.choice(c.policies)
            if rng.random() < 0.5:
                e.remove_policy(c.id, p.id)
            else:
                e.set_policy_fields(c.id, p.id, {"enabled": not p.enabled}, merge=False)
    elif choice == 8:
        if not design.experiments or rng.random() < 0.2:
            e.add_experiment()
        else:
            exp = rng.choice(design.experiments)
            kind = rng.choice(FAULT_KINDS)
            targets = e.fault_targets(kind)
            if targets:
                e.add_fault(exp.id, kind, rng.choice(targets), start=float(rng.randrange(0, 50)))
    elif choice == 9:
        fragment = e.fragment(rng.sample([c.id for c in comps], min(2, len(comps))))
        if fragment:
            e.paste(fragment, (60, 60))
    elif choice == 10:
        e.nudge([rng.choice(comps).id], 20, 0)
    else:
        exps = [x for x in design.experiments if x.faults]
        if exps:
            exp = rng.choice(exps)
            fault = rng.choice(exp.faults)
            if rng.random() < 0.5:
                e.remove_fault(exp.id, fault.id)
            else:
                e.set_fault_fields(exp.id, fault.id, {"start": fault.start + 1})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_undo_and_redo_exactly(window, seed):
    doc = window.document
    build_three_tier(doc)
    start, first = snapshot(doc), doc.undo_stack.index()
    rng = random.Random(seed)
    for _ in range(120):
        try:
            random_edit(rng, doc)
        except EditRejected:
            pass
        canvas_matches(window)
    end = snapshot(doc)
    steps = doc.undo_stack.index()
    while doc.undo_stack.index() > first:
        doc.undo_stack.undo()
    assert snapshot(doc) == start
    canvas_matches(window)
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert snapshot(doc) == end and doc.undo_stack.index() == steps
    canvas_matches(window)
