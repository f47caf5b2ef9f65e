"""The window's Run hands its worker a snapshot of the design, not a deep copy: edits made while
the run goes on must not reach it."""
from __future__ import annotations

import numpy as np
from test_run_window import run_and_wait, window  # noqa: F401  (the fixture)

from app.document.document import design_snapshot
from app.run.session import FINISHED
from engine.model import Design


def _figures(session) -> dict:
    return {name: (variant.summary, {k: np.nan_to_num(v[:variant.n]).tolist() for k, v in variant.series.items()})
            for name, variant in session.variants.items()}


def _edit_everything(doc) -> None:
    """Every kind of edit the worker could otherwise see: a component's fields, a rename, a policy
    removed, a link's latency, a link deleted, a fault moved and another added."""
    api, db = doc.component_named("api"), doc.component_named("db")
    doc.edit.set_component_fields(api.id, {"workers": 1, "instances": 1})
    doc.edit.rename_component(db.id, "renamed db")
    doc.edit.remove_policy(api.id, api.policies[-1].id)
    lb_api = next(link for link in doc.design.links if link.name == "lb -> api")
    doc.edit.set_link_fields(lb_api.id, {"latency": {"kind": "constant", "value": 0.2}})
    doc.edit.delete([next(link.id for link in doc.design.links if link.name == "api -> renamed db")])
    experiment = doc.design.experiments[0]
    doc.edit.set_fault_fields(experiment.id, experiment.faults[0].id, {"start": 1.0, "duration": 30.0})
    doc.edit.add_fault(experiment.id, "latency", doc.component_named("api").id)


def test_edits_made_while_a_run_goes_on_do_not_reach_it(qtbot, window):  # noqa: F811
    ui = window.run_ui
    doc = window.document
    ui.compare_action.setChecked(True)
    ui.speed_combo.setCurrentIndex(3)  # 100x: the run is still going when the edits land
    before = doc.design.model_dump(mode="json")

    ui.run()
    # Straight after Run, before the worker has built either variant's simulation.
    assert ui.controller.running
    _edit_everything(doc)
    assert ui.controller.running and doc.design.model_dump(mode="json") != before
    with qtbot.waitSignal(ui.controller.idle, timeout=30_000):
        pass
    edited_during = ui.session
    assert edited_during.status == FINISHED
    assert edited_during.design.model_dump(mode="json") == before
    assert [link.name for link in edited_during.design.links] == ["users -> lb", "lb -> api", "api -> db"]

    # The same run of the design as it was, with the edits undone, gives the very same figures.
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.design.model_dump(mode="json") == before
    ui.speed_combo.setCurrentIndex(4)
    untouched = run_and_wait(qtbot, ui)
    assert _figures(edited_during) == _figures(untouched)

    # And the edits do change a run, so the comparison above could have failed.
    ui.confirm = lambda _question: True  # one worker for all of the api: the overload warning
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    edited = run_and_wait(qtbot, ui)
    assert _figures(edited) != _figures(untouched)


def test_a_design_snapshot_is_independent_of_the_design_and_names_links_by_itself(design: Design):
    copy = design_snapshot(design)
    assert copy.model_dump() == design.model_dump()
    assert copy.components is not design.components and copy.links is not design.links
    assert copy.experiments is not design.experiments
    assert all(a is b for a, b in zip(copy.components, design.components))  # immutable parts are shared
    db = next(i for i, c in enumerate(design.components) if c.name == "db")
    design.components[db] = design.components[db].model_copy(update={"name": "store"})
    design.links.pop(0)
    assert [link.name for link in design.links] == ["lb -> api", "api -> store"]
    assert [link.name for link in copy.links] == ["users -> lb", "lb -> api", "api -> db"]
