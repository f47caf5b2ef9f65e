"""An architect modelling their system in the Properties pane, kind by kind."""
from __future__ import annotations

import pytest
from editor_helpers import choose, select_new, type_text
from PySide6.QtCore import Qt

from engine import RunOptions, simulate


def _row_shown(form, path) -> bool:
    return form.layout_.isRowVisible(form._rows[path])


def test_the_autoscaler_s_settings_show_once_it_is_on(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    form = window.properties.form
    settings = [p for p in form.editors if p.startswith("autoscaling.") and p != "autoscaling.enabled"]
    assert len(settings) == 8
    assert not any(_row_shown(form, p) for p in settings), "settings that change nothing while it is off"
    form.editors["autoscaling.enabled"].click()
    assert doc.component(web).autoscaling.enabled
    form = window.properties.form
    assert all(_row_shown(form, p) for p in settings)
    doc.undo_stack.undo()
    assert not _row_shown(window.properties.form, "autoscaling.max_replicas")


def test_the_tolerance_s_help_gives_its_default_as_the_field_shows_it(window):
    select_new(window.document, "service", "web")
    form = window.properties.form
    editor = form.editors["autoscaling.tolerance"]
    assert (editor.text(), form.units["autoscaling.tolerance"].text()) == ("10", "%")
    assert "default 10 %" in editor.toolTip()
    assert "0.1" not in editor.toolTip()


def test_a_count_typed_with_its_thousands_apart_as_the_pane_writes_them(window, qtbot):
    doc = window.document
    users = select_new(doc, "client", "users")
    form = window.properties.form
    type_text(qtbot, form.editors["workload.rate"], "20000000")
    assert "at most 10 000 000" in form.error_text("workload.rate")
    type_text(qtbot, form.editors["workload.rate"], "10 000 000")  # the bound, as the message gave it
    assert form.error_text() == ""
    assert doc.component(users).workload.rate == 10_000_000
    web = select_new(doc, "service", "web")
    type_text(qtbot, window.properties.form.editors["queue_capacity"], "1 500")
    assert doc.component(web).queue_capacity == 1500


def _distribution(window, kind, name, field, shape):
    """A new component's distribution field switched to ``shape``: (id, its form, the field's editor)."""
    component = select_new(window.document, kind, name)
    form = window.properties.form
    editor = form.editors[field]
    choose(editor.kind, shape)
    return component, form, editor


def test_a_p50_typed_above_the_old_p99_is_kept_when_the_p99_follows(window, qtbot):
    doc = window.document
    api, form, latency = _distribution(window, "external", "payments", "latency", "lognormal")
    type_text(qtbot, latency._editors["p50"], "500 ms")  # above the 400 ms p99 a new lognormal starts with
    assert "p99 must be at least p50" in form.error_text("latency")
    type_text(qtbot, latency._editors["p99"], "1.5 s")
    assert form.error_text() == ""
    dist = doc.component(api).latency
    assert (dist.p50, dist.p99) == pytest.approx((0.5, 1.5))
    assert latency._editors["p50"].text() == "500 ms"
    assert doc.undo_stack.undoText() == "Change payments latency to lognormal(p50 500 ms, p99 1.5 s)"
    users = doc.edit.add_component("client", (-300, 0), name="users", workload={"type": "open", "rate": 100})
    doc.edit.connect(users, api)
    result = simulate(doc.design, RunOptions(duration=30, seed=3))
    assert result.component_summary("payments")["latency_p50"] == pytest.approx(0.5, rel=0.1)


def test_measured_times_with_their_thousands_apart_stay_whole(window, qtbot):
    doc = window.document
    web, _form, service_time = _distribution(window, "service", "web", "service_time", "empirical")
    type_text(qtbot, service_time._editors["points"], "10 ms, 20 ms, 1,500 ms")
    assert doc.component(web).service_time.points == pytest.approx([0.01, 0.02, 1.5])  # not 1 ms and 500 ms
    type_text(qtbot, service_time._editors["points"], "100,200,300")  # commas alone still part the times
    assert doc.component(web).service_time.points == pytest.approx([0.1, 0.2, 0.3])


def test_a_ramp_ending_before_it_starts_gives_its_times_in_seconds(window, qtbot):
    doc = window.document
    users = select_new(doc, "client", "users")
    form = window.properties.form
    type_text(qtbot, form.editors["workload.schedule"], "ramp 90-60 500")
    assert form.error_text("workload.schedule") == "#1: end must be after start (got start 90 s, end 60 s)"
    assert doc.component(users).workload.schedule == []


def test_zone_aware_calls_are_offered_to_callers_only(window):
    doc = window.document
    select_new(doc, "database", "orders-db")
    assert not _row_shown(window.properties.form, "zone_aware"), "a database calls nothing"
    assert _row_shown(window.properties.form, "zones")
    for kind in ("service", "cache"):
        select_new(doc, kind, f"a {kind}")
        assert _row_shown(window.properties.form, "zone_aware")


def test_a_database_s_instances_are_explained_by_its_connections(window):
    select_new(window.document, "database", "orders-db")
    tip = window.properties.form.editors["instances"].toolTip()
    assert "connections" in tip
    assert "workers" not in tip


def test_a_refusal_by_one_of_several_selected_names_that_one(window, qtbot):
    doc = window.document
    web = doc.edit.add_component("service", (0, 0), name="web")
    api = doc.edit.add_component("service", (0, 200), name="api",
                                 autoscaling={"enabled": True, "min_replicas": 1, "max_replicas": 3})
    doc.set_selection([web, api])
    form = window.properties.form
    type_text(qtbot, form.editors["instances"], "5")
    assert form.error_text("instances").startswith("for “api”: instances 5 must lie between")
    assert (doc.component(web).instances, doc.component(api).instances) == (1, 1)  # one undo step or none
    type_text(qtbot, form.editors["workers"], "0")  # refused by all: no one to single out
    assert form.error_text("workers") == "must be at least 1 (got 0)"


def test_rate_changes_take_times_with_their_units(window, qtbot):
    doc = window.document
    users = select_new(doc, "client", "users")
    form = window.properties.form
    schedule = form.editors["workload.schedule"]
    assert "unless given a unit" in schedule.toolTip()
    type_text(qtbot, schedule, "step 30 s 200; ramp 1 min-2 min 500/s; spike 3 min 10 s 1000")
    assert form.error_text() == ""
    changes = [c.model_dump(exclude={"kind"}) for c in doc.component(users).workload.schedule]
    assert changes == [{"at": 30, "rate": 200}, {"start": 60, "end": 120, "to_rate": 500},
                       {"at": 180, "duration": 10, "rate": 1000}]
    assert schedule.text() == "step 30 200; ramp 60-120 500; spike 180 10 1000"
    type_text(qtbot, schedule, "step 30 200 users")
    assert form.error_text("workload.schedule").startswith('cannot read "step 30 200 users"')


def test_a_service_copied_alone_keeps_one_retry_where_it_had_one_per_call(window):
    # Its retries scoped to the database and to the cache each fell back to all calls in the copy:
    # the pasted service had two retries on the same calls, and the design would not run.
    from editor_helpers import build_three_tier

    doc = window.document
    ids = build_three_tier(doc)
    web = ids["web"]
    doc.edit.add_policy(web, "retry", scope=ids["db"])
    doc.edit.add_policy(web, "retry", scope=ids["cache"])
    doc.edit.add_policy(web, "bulkhead")
    doc.edit.add_policy(web, "thread_pool_bulkhead", scope=ids["db"])
    assert doc.design.problems() == []
    doc.set_selection([web])
    window.duplicate()
    copy = doc.component(doc.selection[0])
    assert [(p.kind, p.scope) for p in copy.policies] == [("retry", None), ("bulkhead", None)]
    assert doc.design.problems() == []


def test_a_resource_exhaustion_s_fields_are_explained_in_the_resource_s_words(window):
    # The help of the fields shown for one resource began with its identifier ("Memory_leak: the
    # slowdown at which ..."), where the Resource box beside them reads "memory leak".
    doc = window.document
    db = select_new(doc, "database", "orders-db")
    pane = window.faults
    pane.add_fault("exhaustion", db)
    tips = {path: editor.toolTip() for path, editor in pane.form.editors.items()}
    assert tips["factor"].startswith("CPU (slower service): service time")
    assert tips["pool_size"].startswith("Worker or connection pool: ")
    assert tips["kill_factor"].startswith("Memory leak: the slowdown")
    assert not [t for t in tips.values() if "_" in t or t.startswith(("Cpu", "Pool:"))], tips


def test_a_refused_value_typed_back_to_the_one_held_clears_its_message(window, qtbot):
    # Typing the value the field already held after a refusal changed nothing, so the refusal's
    # message stayed beneath a value that was fine ("must be at least 1 (got 0)" under "1").
    doc = window.document
    web = select_new(doc, "service", "web")
    form = window.properties.form
    type_text(qtbot, form.editors["workers"], "0")
    assert form.error_text("workers") == "must be at least 1 (got 0)"
    type_text(qtbot, form.editors["workers"], str(doc.component(web).workers))
    assert form.error_text() == ""
    type_text(qtbot, form.editors["instances"], "0")
    form.editors["instances"].setFocus()
    qtbot.keyClick(form.editors["instances"], Qt.Key.Key_Escape)
    assert form.editors["instances"].text() == "1" and form.error_text() == ""
    web, form, time = _distribution(window, "service", "api", "service_time", "uniform")
    high = time._editors["high"].text()
    type_text(qtbot, time._editors["low"], "1 s")
    assert "high must be at least low" in form.error_text("service_time")
    type_text(qtbot, time._editors["high"], high)  # low still holds what was refused
    assert "high must be at least low" in form.error_text("service_time")
    type_text(qtbot, time._editors["low"], time._editors["low"]._shown)
    assert form.error_text() == ""
    pane = window.resilience
    pane.show_component(web)
    pane.add_policy("retry")
    attempts = pane.form.editors["max_attempts"]
    held = attempts.text()
    type_text(qtbot, attempts, "0")
    assert pane.form.error_text("max_attempts") == "must be at least 1 (got 0)"
    type_text(qtbot, attempts, held)
    assert pane.form.error_text() == ""


def test_a_policy_s_field_named_as_the_policy_is_named_once_in_the_undo_step(window, qtbot):
    # "Change web timeout timeout to 2 s": the field's label followed the policy's own name.
    doc = window.document
    web = select_new(doc, "service", "web")
    for kind, typed, said in [("timeout", "2 s", "Change web timeout to 2 s"),
                              ("deadline", "3 s", "Change web deadline to 3 s"),
                              ("retry", "4", "Change web retry max attempts to 4")]:
        pane = window.resilience
        pane.show_component(web)
        pane.add_policy(kind)
        field = {"timeout": "timeout", "deadline": "deadline", "retry": "max_attempts"}[kind]
        type_text(qtbot, pane.form.editors[field], typed)
        assert doc.undo_stack.undoText() == said


def test_a_service_copied_alone_keeps_a_retry_or_a_hedging_not_both(window):
    """Its retry for the database and its hedging for the cache both fell back to all calls in the
    copy, where gRPC's rule allows one or the other: the pasted design would not run."""
    from editor_helpers import build_three_tier

    doc = window.document
    ids = build_three_tier(doc)
    web = ids["web"]
    doc.edit.add_policy(web, "retry", scope=ids["db"])
    doc.edit.add_policy(web, "hedging", scope=ids["cache"])
    assert doc.design.problems() == []
    doc.set_selection([web])
    window.duplicate()
    copy = doc.component(doc.selection[0])
    assert [(p.kind, p.scope) for p in copy.policies] == [("retry", None)]
    assert doc.design.problems() == []
