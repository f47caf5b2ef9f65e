"""Panes: every form edits the document through undoable commands; invalid input never reaches it."""
from __future__ import annotations

import pytest
from editor_helpers import build_three_tier, choose, type_text

from app.document.model_edit import dump, get_path
from app.panes.fields import (
    BoolEditor,
    ChoiceEditor,
    DistributionEditor,
    DurationEditor,
    InstancesEditor,
    NumberEditor,
    OutcomesEditor,
    RatePreview,
    RetryBudgetEditor,
    ScheduleEditor,
    TargetEditor,
    TextEditor,
)
from app.panes.forms import FAULT_FORMS, POLICY_FORMS, ModelForm

# Values for fields whose generic edit would break the model's own rules.
OVERRIDES = {
    "slow_call_rate_threshold": "80",
    "failure_rate_threshold": "40",
    "multiplier": "2",
    "factor": "3",
    "kill_factor": "6",
    # percentages whose default doubled would pass 100
    "enforcing_consecutive_5xx": "50",
    "enforcing_success_rate": "50",
    "failure_percentage_threshold": "90",
    "target_utilization": "60",
}


def visible(form: ModelForm, path: str) -> bool:
    return form.layout_.isRowVisible(form._rows[path])


def edit_field(qtbot, form: ModelForm, path: str, value):
    """Make one plausible user edit of a field, whatever its editor."""
    editor = form.editors[path]
    name = path.rsplit(".", 1)[-1]
    if isinstance(editor, ScheduleEditor):
        type_text(qtbot, editor, "step 30 200; spike 60 5 400")
    elif isinstance(editor, TextEditor):
        type_text(qtbot, editor, f"{value}x")
    elif isinstance(editor, NumberEditor):
        if name in OVERRIDES:
            text = OVERRIDES[name]
        elif editor.scale != 1:
            text = "12.5"
        elif value is None:
            text = "10"
        elif editor.integer:
            text = str(value + 1)
        else:
            text = f"{value * 2 if value else 5:g}"
        type_text(qtbot, editor, text)
    elif isinstance(editor, DurationEditor):
        if name in ("period", "max_ejection_time"):
            text = "90 s"  # longer than any duration set before it (a period, a base ejection time)
        elif value is None:
            text = "25 ms" if editor.unit == "ms" else "10 s"
        else:
            text = "25 ms" if value < 1 else "2.5 s"
        type_text(qtbot, editor, text)
    elif isinstance(editor, ChoiceEditor):
        choose(editor, index=(editor.currentIndex() + 1) % editor.count())
    elif isinstance(editor, BoolEditor):
        editor.click()
    elif isinstance(editor, OutcomesEditor):
        next(iter(editor.boxes.values())).click()
    elif isinstance(editor, DistributionEditor):
        choose(editor.kind, "uniform" if editor.kind.currentData() != "uniform" else "normal")
    elif isinstance(editor, RetryBudgetEditor):
        choose(editor.kind, index=(editor.kind.currentIndex() + 1) % editor.kind.count())
    elif isinstance(editor, InstancesEditor):
        choose(editor.mode, "count")
        type_text(qtbot, editor.amount, "2")
    elif isinstance(editor, TargetEditor):
        choose(editor.combo, index=(editor.combo.currentIndex() + 1) % editor.combo.count())
    else:
        raise AssertionError(f"no edit known for {type(editor).__name__}")


def exercise(qtbot, doc, form_getter, model_getter, skip=()):
    """Edit every visible field of a form; each edit changes the model, undo restores it, redo re-applies."""
    edited = []
    form = form_getter()
    for spec in list(form.specs):
        form = form_getter()
        if spec.path in skip or not visible(form, spec.path) or isinstance(form.editors[spec.path], RatePreview):
            continue
        before = dump(model_getter())
        count = doc.undo_stack.count()
        edit_field(qtbot, form, spec.path, get_path(before, spec.path))
        after = dump(model_getter())
        assert form_getter().error_text() == "", f"{spec.path}: {form_getter().error_text()}"
        assert get_path(after, spec.path) != get_path(before, spec.path), spec.path
        assert doc.undo_stack.count() >= count + 1
        doc.undo_stack.undo()
        assert dump(model_getter()) == before, spec.path
        doc.undo_stack.redo()
        assert dump(model_getter()) == after, spec.path
        edited.append(spec.path)
    return edited


@pytest.mark.parametrize("kind", ["client", "load_balancer", "service", "database", "cache", "queue", "external"])
def test_every_component_form_field_edits_and_undoes(window, qtbot, kind):
    doc = window.document
    cid = doc.edit.add_component(kind, (0, 0))
    doc.set_selection([cid])
    pane = window.properties
    edited = exercise(qtbot, doc, lambda: pane.form, lambda: doc.component(cid))
    assert "name" in edited and len(edited) >= 2
    if kind == "client":
        # Switching to a closed loop shows its own fields; edit those too.
        assert doc.component(cid).workload.type == "closed"
        again = exercise(qtbot, doc, lambda: pane.form, lambda: doc.component(cid), skip={"workload.type"})
        assert {"workload.users", "workload.think_time"} <= set(again)


def test_client_rate_preview_follows_the_schedule(window, qtbot):
    doc = window.document
    cid = doc.edit.add_component("client", (0, 0))
    doc.set_selection([cid])
    form = window.properties.form
    preview = form.editors["workload"]
    assert preview.points[0] == (0.0, 10.0)
    type_text(qtbot, form.editors["workload.schedule"], "ramp 10-20 50; spike 40 5 200")
    assert max(r for _, r in preview.points) == 200 and preview.points[-1][0] >= 45
    type_text(qtbot, form.editors["workload.schedule"], "spike 10 20 50; step 15 3")
    assert "begins before" in form.error_text()
    assert [c.kind for c in doc.component(cid).workload.schedule] == ["ramp", "spike"]


def test_link_form_edits_latency_with_p50_p99(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    link = doc.design.link("web -> db")
    doc.set_selection([link.id])
    pane = window.properties
    assert pane.title.text() == "web -> db"
    edited = exercise(qtbot, doc, lambda: pane.form, lambda: doc.link(link.id))
    assert edited == ["latency", "probability", "count"]
    latency = pane.form.editors["latency"]
    choose(latency.kind, "lognormal")
    type_text(qtbot, latency._editors["p50"], "20 ms")
    # p50 above the current p99 is refused inline; raise p99 first.
    assert "p99 must be at least p50" in pane.form.error_text("latency")
    type_text(qtbot, latency._editors["p99"], "200")
    type_text(qtbot, latency._editors["p50"], "20 ms")
    dist = doc.link(link.id).latency
    assert (dist.p50, dist.p99) == (0.02, 0.2)
    # Each figure is held together by no-break spaces, so that the summary wraps between figures only.
    assert pane.form.editors["latency"].summary.text().replace("\u00a0", " ").startswith("p50 20 ms · p99 200 ms")
    assert ids


@pytest.mark.parametrize("kind", list(POLICY_FORMS))
def test_every_policy_form_field_edits_and_undoes(window, qtbot, kind):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    panel = window.resilience
    pid = panel.add_policy(kind)
    assert pid is not None and type(panel.form) is POLICY_FORMS[kind]
    assert panel.form.editors[next(iter(panel.form.editors))].toolTip()  # every field explains itself
    edited = exercise(qtbot, doc, lambda: panel.form, lambda: doc.policy(ids["web"], pid))
    assert len(edited) == len([s for s in panel.form.specs if visible(panel.form, s.path)]) or len(edited) >= 2


def test_retry_budget_editor(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    pid = window.resilience.add_policy("retry")
    budget = window.resilience.form.editors["budget"]
    choose(budget.kind, "grpc_throttling")
    assert doc.policy(ids["web"], pid).budget.max_tokens == 10
    type_text(qtbot, budget.editors[0], "25")
    type_text(qtbot, budget.editors[1], "0.2")
    b = doc.policy(ids["web"], pid).budget
    assert (b.kind, b.max_tokens, b.token_ratio) == ("grpc_throttling", 25, 0.2)
    type_text(qtbot, budget.editors[0], "5000")
    assert "at most 1000" in window.resilience.form.error_text("budget")
    choose(budget.kind, None)
    assert doc.policy(ids["web"], pid).budget is None


def test_policy_scope_enable_and_remove(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    panel = window.resilience
    pid = panel.add_policy("circuit_breaker")
    assert [panel.scope.itemText(i) for i in range(panel.scope.count())] == [
        "all outgoing calls", 'calls to "cache"', 'calls to "db"']
    choose(panel.scope, str(doc.component_named("db").id))
    assert doc.design.name_of(doc.policy(ids["web"], pid).scope) == "db"
    assert panel.list.item(0).text() == 'Circuit breaker — calls to "db"'
    from PySide6.QtCore import Qt

    panel.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert doc.policy(ids["web"], pid).enabled is False
    assert window.scene.node_item(ids["web"]).view.policies == [("circuit_breaker", False)]
    doc.undo_stack.undo()
    assert doc.policy(ids["web"], pid).enabled is True
    panel.remove_policy()
    assert doc.component(ids["web"]).policies == []
    doc.undo_stack.undo()
    assert doc.design.name_of(doc.policy(ids["web"], pid).scope) == "db"


def test_the_pane_shows_how_the_patterns_wrap_a_call(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    panel = window.resilience
    panel.add_policy("timeout")
    assert panel.nesting.text().startswith("Around each call, outer to inner: timeout → the call.")
    assert "bounds the whole call (no retry)" in panel.nesting.text()
    panel.add_policy("retry")
    panel.add_policy("bulkhead")
    text = panel.nesting.text()
    assert "retry → timeout → bulkhead → the call" in text
    assert "bounds each attempt: up to 3 attempts" in text
    retry = next(p for p in doc.component(ids["web"]).policies if p.kind == "retry")
    doc.edit.set_policy_fields(ids["web"], retry.id, {"enabled": False})
    assert ("outer to inner: timeout → bulkhead → the call. The timeout (1 s) bounds the whole call"
            in panel.nesting.text())


def test_with_a_link_selected_the_nesting_is_that_calls_whole_stack(window, qtbot):
    """Seen at 1280x720: on api -> db, choosing the all-calls timeout said "timeout → the call"."""
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    panel = window.resilience
    panel.add_policy("timeout")  # every call of web
    link = next(link for link in doc.design.links_from(ids["web"]) if link.target == ids["db"])
    doc.set_selection([link.id])
    panel.add_policy("circuit_breaker")  # calls to db only
    rows = [panel.list.item(i).text() for i in range(panel.list.count())]
    panel.list.setCurrentRow(next(i for i, text in enumerate(rows) if text.startswith("Timeout")))
    assert 'Around calls to "db", outer to inner: circuit breaker → timeout → the call.' in panel.nesting.text()
    # The component alone: the timeout guards every call, the breaker only those to db.
    doc.set_selection([ids["web"]])
    panel.list.setCurrentRow(next(i for i in range(panel.list.count())
                                  if panel.list.item(i).text().startswith("Timeout")))
    assert panel.nesting.text().startswith("Around each call, outer to inner: timeout → the call.")


def test_policy_back_to_library_defaults(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    panel = window.resilience
    pid = panel.add_policy("circuit_breaker")
    choose(panel.scope, str(doc.component_named("db").id))
    type_text(qtbot, panel.form.editors["failure_rate_threshold"], "20")
    type_text(qtbot, panel.form.editors["wait_duration_in_open_state"], "5 s")
    panel.defaults_button.click()
    p = doc.policy(ids["web"], pid)
    assert (p.failure_rate_threshold, p.wait_duration_in_open_state, p.scope) == (50, 60, ids["db"])
    assert panel.form.editors["failure_rate_threshold"].text() == "50"
    doc.undo_stack.undo()
    assert doc.policy(ids["web"], pid).failure_rate_threshold == 20


def test_policy_kinds_that_do_not_fit_are_disabled_with_a_reason(window):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["db"]])
    actions = window.resilience.add_actions
    assert not actions["retry"].isEnabled() and "makes no calls" in actions["retry"].toolTip()
    assert actions["rate_limiter"].isEnabled() and actions["load_shedding"].isEnabled()
    doc.set_selection([ids["lb"]])
    assert not actions["rate_limiter"].isEnabled()


@pytest.mark.parametrize("kind", list(FAULT_FORMS))
def test_every_fault_form_field_edits_and_undoes(window, qtbot, kind):
    doc = window.document
    ids = build_three_tier(doc)
    target = "web -> db" if kind == "partition" else "db"
    panel = window.faults
    fid = panel.add_fault(kind, target)
    assert fid is not None and type(panel.form) is FAULT_FORMS[kind]
    exp = doc.current_experiment.id
    edited = exercise(qtbot, doc, lambda: panel.form, lambda: doc.fault(exp, fid))
    assert {"target", "start", "duration", "period", "enabled"} <= set(edited)
    assert ids


def test_experiments_create_rename_duplicate_delete_and_timeline(window, qtbot):
    doc = window.document
    build_three_tier(doc)
    panel = window.faults
    panel.new_exp.click()
    assert doc.current_experiment.name == "Experiment"
    type_text(qtbot, panel.exp_name, "DB outage")
    assert doc.current_experiment.name == "DB outage"
    type_text(qtbot, panel.exp_about, "Does the breaker hold?")
    assert doc.current_experiment.description == "Does the breaker hold?"
    doc.undo_stack.undo()
    assert doc.current_experiment.description == "" and panel.exp_about.text() == ""
    doc.undo_stack.redo()
    panel.add_fault("crash", "db")
    panel.add_fault("latency", "web -> cache")
    type_text(qtbot, panel.form.editors["start"], "30")
    type_text(qtbot, panel.form.editors["duration"], "15 s")
    # a new fault takes the middle of the run (20 s to 40 s of 60 s), the second as edited
    assert [f.windows(60) for f in panel.timeline.faults] == [[(20.0, 40.0)], [(30.0, 45.0)]]
    assert panel.timeline.horizon() >= 60
    panel.dup_exp.click()
    assert doc.current_experiment.name == "DB outage copy"
    assert len(doc.current_experiment.faults) == 2
    assert panel.experiments.count() == 2
    panel.del_exp.click()
    assert [e.name for e in doc.design.experiments] == ["DB outage"]
    doc.undo_stack.undo()
    assert len(doc.design.experiments) == 2
    type_text(qtbot, panel.exp_name, "DB outage")
    assert "already the name" in panel.exp_error.text()
    assert not panel.exp_error.isHidden()
    # with the experiment the name was typed for gone, so is the message about it
    panel.del_exp.click()
    assert panel.exp_error.isHidden()


def test_timeline_click_selects_a_fault(window, qtbot):
    doc = window.document
    build_three_tier(doc)
    panel = window.faults
    panel.add_fault("crash", "db")
    second = panel.add_fault("error", "web")
    first = doc.current_experiment.faults[0].id
    panel.select_fault(first)
    assert panel.list.currentItem().data(0x0100) == first
    from PySide6.QtCore import QPoint, Qt

    qtbot.mouseClick(panel.timeline, Qt.MouseButton.LeftButton, pos=QPoint(50, 4 + panel.timeline.ROW + 5))
    assert panel.fault_id == second


def test_invalid_input_shows_the_message_and_leaves_the_document_unchanged(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    form = window.properties.form
    before = doc.project.model_dump(mode="json")
    count = doc.undo_stack.count()
    type_text(qtbot, form.editors["workers"], "0")
    assert form.error_text("workers") == "must be at least 1 (got 0)"
    type_text(qtbot, form.editors["instances"], "two")
    assert "not a whole number" in form.error_text("instances")
    type_text(qtbot, form.editors["error_probability"], "150")
    assert "at most 1" in form.error_text("error_probability")
    type_text(qtbot, form.editors["name"], "db")
    assert "already the name" in form.error_text("name")
    dist = form.editors["service_time"]
    choose(dist.kind, "uniform")
    type_text(qtbot, dist._editors["low"], "90 ms")
    assert "high must be at least low" in form.error_text("service_time")
    type_text(qtbot, dist._editors["high"], "5 parsecs")
    assert "unknown unit" in form.error_text("service_time")
    changed = doc.project.model_dump(mode="json")
    # Only the kind switch (a valid edit) got through.
    assert doc.undo_stack.count() == count + 1
    doc.undo_stack.undo()
    assert doc.project.model_dump(mode="json") == before != changed
    # A rule across fields: a repeating fault needs a period longer than its duration.
    window.faults.add_fault("crash", "db")
    fault_form = window.faults.form
    type_text(qtbot, fault_form.editors["duration"], "10 s")
    type_text(qtbot, fault_form.editors["period"], "5 s")
    assert "period must be longer than duration" in fault_form.error_text("period")
    assert doc.current_experiment.faults[0].period is None
    # A valid edit clears the message.
    type_text(qtbot, fault_form.editors["period"], "20 s")
    assert fault_form.error_text() == "" and doc.current_experiment.faults[0].period == 20


def test_panes_follow_the_selection(window):
    doc = window.document
    ids = build_three_tier(doc)
    pane, res, faults = window.properties, window.resilience, window.faults
    doc.set_selection([ids["cache"]])
    assert pane.title.text() == "cache" and pane.subtitle.text() == "Cache"
    assert pane.form.editors["hit_ratio"].text() == "85"
    assert res.title.text() == "Resilience of “cache”"
    doc.set_selection([ids["db"]])
    assert pane.title.text() == "db" and "connections" in pane.form.editors
    assert res.title.text() == "Resilience of “db”"
    doc.set_selection([ids["db"], ids["web"]])
    assert pane.title.text() == "2 items selected" and pane.form is None
    assert res.component_id is None
    doc.set_selection([])
    assert pane.title.text() == doc.design.name
    faults.add_fault("crash")
    assert doc.design.name_of(doc.current_experiment.faults[0].target) == "web"  # first target that fits
    doc.set_selection([ids["cache"]])
    faults.add_fault("error")
    assert doc.design.name_of(doc.current_experiment.faults[1].target) == "cache"  # the selected component
    doc.edit.rename_component(ids["cache"], "sessions")
    assert pane.title.text() == "sessions"
    assert faults.list.item(1).text().startswith("Error injection on “sessions”")


def test_several_components_of_one_kind_edit_together(window, qtbot):
    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("service", (0, 200), name="b")
    db = doc.edit.add_component("database", (300, 0), name="db")
    doc.set_selection([a, b])
    pane = window.properties
    assert pane.title.text() == "2 services" and not visible(pane.form, "name")
    count = doc.undo_stack.count()
    type_text(qtbot, pane.form.editors["workers"], "32")
    assert doc.component(a).workers == doc.component(b).workers == 32
    # in the form's words, as one component's edit is: "error probability" would read "error rate"
    assert doc.undo_stack.count() == count + 1 and doc.undo_stack.undoText() == "Change workers of 2 components to 32"
    type_text(qtbot, pane.form.editors["error_probability"], "20 %")
    assert doc.undo_stack.undoText() == "Change error rate of 2 components to 20 %"
    type_text(qtbot, pane.form.editors["instances"], "0")
    assert "at least 1" in pane.form.error_text("instances")
    assert doc.component(a).instances == doc.component(b).instances == 1
    doc.undo_stack.undo()   # the error rate
    doc.undo_stack.undo()
    assert doc.component(a).workers == doc.component(b).workers == 8
    doc.set_selection([a, db])
    assert pane.form is None and pane.title.text() == "2 items selected"


def test_design_name_and_notes_edit_undoably(window, qtbot):
    doc = window.document
    pane = window.properties
    doc.set_selection([])
    type_text(qtbot, pane.form.editors["name"], "Checkout")
    assert doc.design.name == "Checkout" and window.design_combo.currentText() == "Checkout"
    pane.notes.setFocus()
    pane.notes.setPlainText("p99 under 300 ms")
    window.view.setFocus()
    qtbot.waitUntil(lambda: doc.design.description == "p99 under 300 ms", timeout=20_000)
    doc.undo_stack.undo()
    assert doc.design.description == ""


def test_a_lognormal_given_by_mean_and_std_is_edited_by_its_percentiles(qapp):
    from app.panes.fields import DistributionEditor
    from engine.model import LogNormal

    editor = DistributionEditor()
    by_moments = LogNormal(mean=0.004, std=0.004)
    editor.set_value(by_moments)
    assert editor._editors["p50"].text() != "" and editor._editors["p99"].text() != ""
    committed = []
    editor.committed.connect(committed.append)
    editor._param("p99", 0.05)
    assert committed and committed[0]["p50"] == pytest.approx(by_moments.quantile(0.5))
    assert "mean" not in committed[0]
    LogNormal.model_validate(committed[0])


def test_selecting_a_link_edits_the_policies_on_that_call(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    panel = window.resilience
    everywhere = panel.add_policy("timeout")
    panel.add_policy("bulkhead")
    choose(panel.scope, str(doc.component_named("cache").id))
    doc.set_selection([doc.design.link("web -> db").id])
    assert panel.title.text() == "Resilience of the calls web → db"
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == ["Timeout — all outgoing calls"]
    assert not panel.add_actions["rate_limiter"].isEnabled()  # inbound: about the component, not a call
    added = panel.add_policy("circuit_breaker")
    assert doc.design.name_of(doc.policy(ids["web"], added).scope) == "db"
    assert panel.list.count() == 2 and panel.policy_id == added
    doc.set_selection([ids["web"]])
    assert panel.list.count() == 3 and panel.title.text() == "Resilience of “web”"
    assert doc.policy(ids["web"], everywhere).scope is None


def test_ctrl_equals_zooms_in_as_ctrl_plus_does(window, qtbot):
    from PySide6.QtCore import Qt

    window.view.setFocus()
    before = window.view.transform().m11()
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.transform().m11() > before


def test_ctrl_y_redoes(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    assert QKeySequence("Ctrl+Y") in window.redo_action.shortcuts()
    doc = window.document
    ids = build_three_tier(doc)
    count = len(doc.design.components)
    doc.edit.delete([ids["db"]])
    doc.undo_stack.undo()
    assert len(doc.design.components) == count
    window.view.setFocus()
    qtbot.keyClick(window.view, "y", modifier=Qt.KeyboardModifier.ControlModifier)
    assert len(doc.design.components) == count - 1


@pytest.mark.parametrize("kind", ["service", "database", "cache", "queue"])
def test_queue_discipline_shows_its_own_parameters(window, qtbot, kind):
    doc = window.document
    cid = doc.edit.add_component(kind, (0, 0))
    doc.set_selection([cid])
    pane = window.properties
    assert not any(visible(pane.form, p) for p in ("codel_target", "codel_interval", "lifo_after"))
    assert "CoDel" in pane.form.editors["queue_discipline"].toolTip()
    choose(pane.form.editors["queue_discipline"], "codel")
    assert doc.component(cid).queue_discipline == "codel"
    assert visible(pane.form, "codel_target") and visible(pane.form, "codel_interval")
    assert "default 5 ms" in pane.form.editors["codel_target"].toolTip()
    type_text(qtbot, pane.form.editors["codel_target"], "20 ms")
    assert doc.component(cid).codel_target == pytest.approx(0.020)
    choose(pane.form.editors["queue_discipline"], "adaptive_lifo")
    assert visible(pane.form, "lifo_after") and not visible(pane.form, "codel_target")
    type_text(qtbot, pane.form.editors["lifo_after"], "250 ms")
    assert doc.component(cid).lifo_after == pytest.approx(0.25)


@pytest.mark.parametrize("kind", ["service", "cache", "queue"])
def test_non_blocking_calls_show_their_bound_and_continuation(window, qtbot, kind):
    doc = window.document
    cid = doc.edit.add_component(kind, (0, 0))
    doc.set_selection([cid])
    pane = window.properties
    assert not any(visible(pane.form, p) for p in ("max_outstanding", "continuation_time"))
    assert "event loop" in pane.form.editors["call_mode"].toolTip()
    choose(pane.form.editors["call_mode"], "non_blocking")
    assert doc.component(cid).call_mode == "non_blocking"
    assert visible(pane.form, "max_outstanding") and visible(pane.form, "continuation_time")
    type_text(qtbot, pane.form.editors["max_outstanding"], "64")
    assert doc.component(cid).max_outstanding == 64
    doc.undo_stack.undo()
    assert doc.component(cid).max_outstanding is None


def test_the_pane_says_what_a_deadline_and_hedging_do_to_a_call(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    panel = window.resilience
    panel.add_policy("deadline")
    panel.add_policy("timeout")
    panel.add_policy("hedging")
    text = panel.nesting.text()
    assert "deadline → hedging → timeout → the call" in text
    assert "bounds each of up to 2 hedged copies" in text
    assert "travels with the call to the callee" in text
    form = panel.form
    assert "hedgingDelay" in form.editors["hedging_delay"].toolTip()
    assert "nonFatalStatusCodes" in form.editors["non_fatal_outcomes"].toolTip()


def test_a_rejected_value_is_explained_inline_in_the_field_s_own_terms(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    form = window.properties.form
    type_text(qtbot, form.editors["error_probability"], "150")
    # A percentage field speaks in percent, as typed; the value stays for the user to correct.
    assert form.error_text("error_probability") == "must be at most 100 % (got 150 %)"
    assert form.editors["error_probability"].text() == "150"
    assert not form.errors["error_probability"].isHidden()
    type_text(qtbot, form.editors["workers"], "0")
    assert form.error_text("workers") == "must be at least 1 (got 0)"


def test_a_component_renamed_can_be_renamed_back_from_the_same_field(window, qtbot):
    """After "service" -> "web api", typing "service" again did nothing: the field still took
    "service" for the name shown, and Escape "restored" it too."""
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    name = window.properties.form.editors["name"]
    type_text(qtbot, name, "web api")
    assert doc.design.name_of(ids["web"]) == "web api"
    type_text(qtbot, name, "web")
    assert doc.design.name_of(ids["web"]) == "web" and name.text() == "web"
    doc.undo_stack.undo()
    assert doc.design.name_of(ids["web"]) == "web api"
