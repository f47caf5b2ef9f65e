"""The document layer: every kind of edit is one undo step that undo and redo replay exactly."""
from __future__ import annotations

import pytest
from editor_helpers import add

from app.document import EditRejected
from app.document.commands import MERGE_WINDOW_S


def dumps(doc):
    return doc.project.model_dump(mode="json")


def test_add_component_undo_redo_and_modified(doc):
    assert not doc.modified
    seen = []
    doc.component_added.connect(seen.append)
    cid = add(doc, "service", 20, 40)
    assert seen == [cid] and doc.modified
    assert doc.component(cid).position.x == 20
    doc.undo_stack.undo()
    assert doc.design.components == [] and not doc.modified
    doc.undo_stack.redo()
    assert doc.component(cid).name == "service"


def test_new_names_are_unique(doc):
    a, b, c = (add(doc, "service") for _ in range(3))
    assert [doc.component(i).name for i in (a, b, c)] == ["service", "service 2", "service 3"]


def test_rapid_edits_of_one_field_merge_into_one_step(doc):
    cid = add(doc, "service")
    count = doc.undo_stack.count()
    for workers in (9, 10, 11, 12):
        doc.edit.set_component_fields(cid, {"workers": workers})
    assert doc.undo_stack.count() == count + 1
    doc.undo_stack.undo()
    assert doc.component(cid).workers == 8


def test_edits_of_different_fields_or_after_a_pause_do_not_merge(doc, monkeypatch):
    cid = add(doc, "service")
    count = doc.undo_stack.count()
    doc.edit.set_component_fields(cid, {"workers": 9})
    doc.edit.set_component_fields(cid, {"instances": 2})
    assert doc.undo_stack.count() == count + 2
    import app.document.commands as commands

    clock = [1000.0]
    monkeypatch.setattr(commands.time, "monotonic", lambda: clock[0])
    doc.edit.set_component_fields(cid, {"workers": 10})
    clock[0] += MERGE_WINDOW_S + 1
    doc.edit.set_component_fields(cid, {"workers": 11})
    assert doc.undo_stack.count() == count + 4


def test_edit_never_merges_into_the_saved_state(doc):
    cid = add(doc, "service")
    doc.edit.set_component_fields(cid, {"workers": 9})
    doc.mark_saved()
    doc.edit.set_component_fields(cid, {"workers": 10})
    assert doc.modified
    doc.undo_stack.undo()
    assert not doc.modified and doc.component(cid).workers == 9


def test_invalid_value_is_rejected_with_the_model_message_and_changes_nothing(doc):
    cid = add(doc, "service")
    before = dumps(doc)
    count = doc.undo_stack.count()
    with pytest.raises(EditRejected) as info:
        doc.edit.set_component_fields(cid, {"workers": 0})
    assert info.value.errors[0].path == "workers"
    assert "at least 1" in info.value.errors[0].message
    with pytest.raises(EditRejected) as info:
        doc.edit.set_component_fields(cid, {"service_time": {"kind": "uniform", "low": 2, "high": 1}})
    assert info.value.errors[0].path == "service_time"
    assert "high must be at least low" in info.value.errors[0].message
    assert dumps(doc) == before and doc.undo_stack.count() == count


def test_move_is_one_step_for_many_components(doc):
    a, b = add(doc, "service", 0, 0), add(doc, "cache", 100, 0)
    moved = []
    doc.components_moved.connect(moved.append)
    doc.edit.move_components({a: (40, 60), b: (140, 60)})
    assert doc.undo_stack.undoText() == "Move 2 components"
    assert sorted(moved[0], key=str) == sorted([a, b], key=str)
    doc.undo_stack.undo()
    assert (doc.component(a).position.x, doc.component(b).position.y) == (0, 0)


def test_link_refusals_say_why(three_tier, doc):
    ids = three_tier
    refusal = doc.edit.link_refusal
    assert "makes no calls" in refusal(ids["db"], ids["web"])
    assert "receives none" in refusal(ids["web"], ids["users"])
    assert "itself" in refusal(ids["web"], ids["web"])
    assert "already calls" in refusal(ids["web"], ids["db"])
    assert "cycle" in refusal(ids["cache"], ids["lb"])
    count = doc.undo_stack.count()
    link_id, reason = doc.edit.connect(ids["db"], ids["web"])
    assert link_id is None and reason and doc.undo_stack.count() == count


def test_rename_changes_the_name_alone_and_what_refers_to_it_follows(three_tier, doc):
    ids = three_tier
    exp = doc.edit.add_experiment("outage")
    doc.edit.add_fault(exp, "crash", "db")
    doc.edit.add_fault(exp, "latency", "web -> db")
    doc.edit.add_policy(ids["web"], "circuit_breaker", scope="db")
    web_db = doc.design.link_between(ids["web"], ids["db"])
    before = dumps(doc)
    links_before = doc.design.links[:]
    experiment_before = doc.design.experiments[0]
    doc.edit.rename_component(ids["db"], "orders")
    design = doc.design
    # One edit, of the component alone: links, faults and scopes hold its id.
    assert doc.undo_stack.undoText() == 'Rename "db" to "orders"'
    assert all(a is b for a, b in zip(design.links, links_before))
    assert design.experiments[0] is experiment_before
    assert {link.name for link in design.links} >= {"web -> orders", "cache -> orders"}
    assert [f.target for f in design.experiments[0].faults] == [ids["db"], web_db.id]
    assert [design.name_of(f.target) for f in design.experiments[0].faults] == ["orders", "web -> orders"]
    assert doc.component(ids["web"]).policies[0].scope == ids["db"]
    assert design.problems() == []
    doc.undo_stack.undo()
    assert dumps(doc) == before
    assert doc.design.link_between(ids["web"], ids["db"]).name == "web -> db"
    doc.undo_stack.redo()
    assert doc.design.link_between(ids["web"], ids["db"]).name == "web -> orders"
    assert doc.design.name_of(doc.design.experiments[0].faults[1].target) == "web -> orders"


def test_rename_to_a_taken_or_bad_name_is_refused(three_tier, doc):
    with pytest.raises(EditRejected, match="already the name"):
        doc.edit.rename_component(three_tier["db"], "web")
    with pytest.raises(EditRejected, match="->"):
        doc.edit.rename_component(three_tier["db"], "a -> b")


def test_delete_takes_links_and_faults_along_and_undo_restores_order(three_tier, doc):
    ids = three_tier
    exp = doc.edit.add_experiment()
    doc.edit.add_fault(exp, "crash", "cache")
    doc.edit.add_fault(exp, "latency", "web -> cache")
    doc.edit.add_fault(exp, "crash", "db")
    before = dumps(doc)
    doc.edit.delete([ids["cache"], ids["web"]])
    names = [c.name for c in doc.design.components]
    assert names == ["users", "lb", "db"]
    assert [link.name for link in doc.design.links] == ["users -> lb"]
    assert [f.target for f in doc.design.experiments[0].faults] == [ids["db"]]
    doc.undo_stack.undo()
    assert dumps(doc) == before
    assert [doc.design.name_of(f.target) for f in doc.design.experiments[0].faults] == ["cache", "web -> cache", "db"]
    doc.undo_stack.redo()
    assert [c.name for c in doc.design.components] == ["users", "lb", "db"]
    assert [f.target for f in doc.design.experiments[0].faults] == [ids["db"]]


def test_copy_paste_gives_new_ids_and_names_and_keeps_inner_links(three_tier, doc):
    ids = three_tier
    doc.edit.add_policy(ids["web"], "circuit_breaker", scope="db")
    doc.edit.add_policy(ids["web"], "retry", scope="cache")
    fragment = doc.edit.fragment([ids["web"], ids["db"]])
    new = doc.edit.paste(fragment, (0, 200))
    assert [doc.component(i).name for i in new] == ["web 2", "db 2"]
    assert set(new).isdisjoint(ids.values())
    assert doc.selection == new
    assert doc.design.links[-1].name == "web 2 -> db 2"
    scopes = [p.scope for p in doc.component(new[0]).policies]
    assert scopes == [new[1], None]  # the cache was not copied: that retry guards all calls now
    assert doc.design.problems() == []
    # The originals keep theirs.
    assert [p.scope for p in doc.component(ids["web"]).policies] == [ids["db"], ids["cache"]]
    assert doc.component(new[1]).position.y == 320
    pasted = dumps(doc)
    doc.undo_stack.undo()
    assert len(doc.design.components) == 5
    doc.undo_stack.redo()
    assert dumps(doc) == pasted
    assert doc.design.links[-1].source == new[0] and doc.design.links[-1].target == new[1]
    # The copy is its own: renaming the original leaves the copy's link and scope alone.
    doc.edit.rename_component(ids["db"], "orders")
    assert doc.design.links[-1].name == "web 2 -> db 2"
    assert doc.design.name_of(doc.component(new[0]).policies[0].scope) == "db 2"


def test_policy_commands(three_tier, doc):
    web = three_tier["web"]
    pid = doc.edit.add_policy(web, "retry")
    assert doc.undo_stack.undoText().startswith("Add retry")
    doc.edit.set_policy_fields(web, pid, {"max_attempts": 5})
    doc.edit.set_policy_fields(web, pid, {"enabled": False}, merge=False)
    p = doc.policy(web, pid)
    assert (p.max_attempts, p.enabled) == (5, False)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.policy(web, pid).max_attempts == 3
    doc.edit.remove_policy(web, pid)
    assert doc.component(web).policies == []
    doc.undo_stack.undo()
    assert doc.policy(web, pid).kind == "retry"
    with pytest.raises(EditRejected, match="makes no calls"):
        doc.edit.add_policy(three_tier["db"], "retry")
    with pytest.raises(EditRejected, match="inbound"):
        doc.edit.add_policy(three_tier["users"], "rate_limiter")


def test_experiment_and_fault_commands(three_tier, doc):
    exp = doc.edit.add_experiment("outage")
    assert doc.current_experiment.id == exp
    fid = doc.edit.add_fault(exp, "crash", "db", start=5, duration=10)
    doc.edit.set_fault_fields(exp, fid, {"start": 7})
    doc.edit.rename_experiment(exp, "db outage")
    copy = doc.edit.duplicate_experiment(exp)
    assert doc.experiment(copy).name == "db outage copy"
    assert doc.experiment(copy).faults[0].id != fid
    doc.edit.remove_experiment(exp)
    assert [e.name for e in doc.design.experiments] == ["db outage copy"]
    for _ in range(3):
        doc.undo_stack.undo()
    assert doc.experiment(exp).name == "outage" and doc.fault(exp, fid).start == 7
    with pytest.raises(EditRejected, match="cannot target"):
        doc.edit.add_fault(exp, "partition", "db")
    with pytest.raises(EditRejected, match="cannot target"):
        doc.edit.add_fault(exp, "crash", "users")
    with pytest.raises(EditRejected):
        doc.edit.set_fault_fields(exp, fid, {"period": 5})  # a repeating fault needs a period > duration


def test_design_commands(doc):
    first = doc.design.id
    second = doc.edit.add_design()
    assert doc.design.id == second and len(doc.project.designs) == 2
    doc.edit.rename_design(second, "Payments")
    with pytest.raises(EditRejected, match="already"):
        doc.edit.rename_design(first, "Payments")
    doc.edit.set_design_description(second, "why")
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.design.name == "Design"
    doc.edit.remove_design(second)
    assert doc.design.id == first
    with pytest.raises(EditRejected):
        doc.edit.remove_design(first)
    doc.undo_stack.undo()
    assert len(doc.project.designs) == 2


def test_undo_in_another_design_shows_that_design(doc):
    first = doc.design.id
    add(doc, "service")
    doc.edit.add_design()
    doc.undo_stack.undo()  # removes the new design
    doc.undo_stack.undo()  # removes the service of the first design
    assert doc.design.id == first and doc.design.components == []


def test_load_resets_history_and_selection(three_tier, doc):
    from engine.model import Design, Project

    doc.set_selection([three_tier["web"]])
    replaced = []
    doc.project_replaced.connect(lambda: replaced.append(True))
    doc.load(Project(name="other", designs=[Design(name="d")]), runs=["a run"])
    assert replaced and doc.selection == [] and doc.undo_stack.count() == 0 and not doc.modified
    assert doc.runs == ("a run",)
    doc.load(Project(name="recovered"), modified=True)
    assert doc.modified and doc.design.name == "Design 1"


def test_arrange_lays_out_in_call_order_as_one_step(three_tier, doc):
    from app.document.layout import needs_layout

    ids = three_tier
    for cid in ids.values():
        doc.edit.move_components({cid: (0, 0)})
    assert needs_layout(doc.design)
    count = doc.undo_stack.count()
    doc.edit.arrange()
    assert doc.undo_stack.count() == count + 1 and doc.undo_stack.undoText() == "Arrange"
    x = {name: doc.component(cid).position.x for name, cid in ids.items()}
    assert x["users"] < x["lb"] < x["web"] < x["cache"] < x["db"]  # db is called by the cache: one column further
    spots = {(c.position.x, c.position.y) for c in doc.design.components}
    assert len(spots) == 5
    doc.undo_stack.undo()
    assert needs_layout(doc.design)


def test_kept_runs_change_only_through_the_document_which_says_so(doc):
    import dataclasses
    import uuid

    @dataclasses.dataclass
    class Run:
        id: uuid.UUID
        label: str

    first, second = Run(uuid.uuid4(), "before — with"), Run(uuid.uuid4(), "before — without")
    changes = []
    doc.runs_changed.connect(lambda: changes.append([r.label for r in doc.runs]))
    doc.keep_runs([first, second])
    assert doc.modified and changes == [["before — with", "before — without"]]
    assert isinstance(doc.runs, tuple)  # a copy: editing it cannot change the project behind its back
    doc.relabel_runs({first.id: "after — with"})
    assert changes[-1] == ["after — with", "before — without"] and first.label == "before — with"
    doc.relabel_runs({first.id: "after — with"})  # no change, no signal
    assert len(changes) == 2
    doc.mark_saved()
    doc.remove_runs([second.id, uuid.uuid4()])
    assert [r.label for r in doc.runs] == ["after — with"] and doc.modified and len(changes) == 3
    doc.remove_runs([second.id])
    assert len(changes) == 3


def test_undo_labels_say_in_words_what_changed(three_tier, doc):
    web = three_tier["web"]
    doc.edit.set_component_fields(web, {"workers": doc.component(web).workers + 1})
    assert doc.undo_stack.undoText() == f"Change web workers to {doc.component(web).workers}"
    # Edits of one field merge, and the label follows to the value they ended on.
    doc.edit.set_component_fields(web, {"workers": 12})
    assert doc.undo_stack.undoText() == "Change web workers to 12"
    pid = doc.edit.add_policy(web, "retry")
    doc.edit.set_policy_fields(web, pid, {"max_attempts": 5})
    assert doc.undo_stack.undoText() == "Change web retry max attempts to 5"
    exp = doc.edit.add_experiment("outage")
    fid = doc.edit.add_fault(exp, "crash", "db", start=5, duration=10)
    doc.edit.set_fault_fields(exp, fid, {"start": 7})
    assert doc.undo_stack.undoText() == "Change crash fault start to 7 s"
    doc.edit.set_fault_fields(exp, fid, {"duration": 0.25})
    assert doc.undo_stack.undoText() == "Change crash fault duration to 250 ms"
    doc.edit.set_component_fields(three_tier["db"], {"instances": 10_000})
    assert doc.undo_stack.undoText() == "Change db instances to 10 000"


def test_undo_labels_say_what_a_workload_or_its_rate_changes_became(three_tier, doc):
    """They read "Change users workload to new settings" and "Change users rate changes to 2 items"."""
    users = three_tier["users"]
    doc.edit.set_component_fields(users, {"workload": {"type": "closed", "users": 2500}})
    assert doc.undo_stack.undoText() == "Change users workload to closed loop of 2,500 users thinking exp(mean 1 s)"
    doc.edit.set_component_fields(users, {"workload": {"type": "open", "rate": 40}})
    doc.edit.set_component_fields(users, {"workload.schedule": [
        {"kind": "step", "at": 30, "rate": 200}, {"kind": "ramp", "start": 60, "end": 90, "to_rate": 500},
        {"kind": "spike", "at": 120, "duration": 10, "rate": 1000}, {"kind": "step", "at": 150, "rate": 40}]})
    assert doc.undo_stack.undoText() == ("Change users rate changes to step at 30 s to 200/s; ramp over 60 s–90 s "
                                         "to 500/s; spike at 120 s to 1,000/s for 10 s and 1 more")


def test_relinking_a_link_whose_caller_names_no_component_is_refused_in_words(doc):
    import engine.model as m

    design = m.Design(name="d", components=[m.Client(name="users"),
                                            m.Service(name="api"), m.Service(name="db")],
                      links=[m.Link(source="ghost", target="api")])
    doc.load(m.Project(name="p", designs=[design]))
    link = doc.design.links[0]
    db = doc.component_named("db")
    count = doc.undo_stack.count()
    assert doc.edit.relink_refusal(link.id, db.id) == 'the link\'s caller "ghost" is not in the design'
    assert doc.edit.relink(link.id, db.id) == 'the link\'s caller "ghost" is not in the design'
    assert doc.undo_stack.count() == count and doc.design.links[0].target == link.target


def test_a_pasted_link_is_named_by_its_ends_names_before_they_are_in_the_design(three_tier, doc):
    ids = three_tier
    captured = []
    fragment = doc.edit.fragment([ids["web"], ids["db"]])
    import app.document.commands as commands

    class Watching(commands.AddLinkCommand):
        def __init__(self, document, link, *args, **kwargs):
            super().__init__(document, link, *args, **kwargs)
            # Held outside any design until the macro is pushed: its name may not show ids.
            captured.append((self.text(), link.name))

    commands.AddLinkCommand, original = Watching, commands.AddLinkCommand
    try:
        doc.edit.paste(fragment, (0, 200))
    finally:
        commands.AddLinkCommand = original
    assert captured == [('Link "web 2 -> db 2"', "")]
    assert doc.design.links[-1].name == "web 2 -> db 2"
