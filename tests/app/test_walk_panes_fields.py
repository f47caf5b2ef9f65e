"""The panes' editors, as a demanding user typed into them."""
from __future__ import annotations

import pytest
from editor_helpers import add_policy, choose, select_new, type_text

from app.panes.fields import DistributionEditor


def test_measured_points_may_each_carry_their_unit(qtbot):
    editor = DistributionEditor("ms")
    qtbot.addWidget(editor)
    editor.set_value({"kind": "empirical", "points": [0.01, 0.02]})
    committed, refused = [], []
    editor.committed.connect(committed.append)
    editor.invalid.connect(refused.append)
    points = editor._editors["points"]
    assert "unless a unit is given" in points.toolTip()
    type_text(qtbot, points, "12 ms, 15 ms, 1.5 s")
    assert not refused, refused
    assert committed[-1]["points"] == pytest.approx([0.012, 0.015, 1.5])
    type_text(qtbot, points, "12, lots, 4")
    assert refused and '"lots"' in refused[-1]


def test_an_empirical_latency_typed_with_units_reaches_the_link(window, qtbot):
    doc = window.document
    a = doc.edit.add_component("service", (0, 0), name="a")
    b = doc.edit.add_component("service", (300, 0), name="b")
    link_id, _reason = doc.edit.connect(a, b)
    doc.set_selection([link_id])
    form = window.properties.form
    latency = next(e for e in form.editors.values() if isinstance(e, DistributionEditor))
    choose(latency.kind, "empirical")
    type_text(qtbot, latency._editors["points"], "2 ms 4 ms 30 ms")
    assert form.error_text() == ""
    assert doc.link(link_id).latency.points == pytest.approx([0.002, 0.004, 0.03])


def test_one_component_selected_after_several_shows_its_name_again(window, qtbot):
    doc = window.document
    web = doc.edit.add_component("service", (0, 0), name="web")
    api = doc.edit.add_component("service", (0, 300), name="api")
    pane = window.properties
    doc.set_selection([web, api])
    assert not pane.form.layout_.isRowVisible(pane.form._rows["name"])  # one name cannot be two components'
    doc.set_selection([api])
    assert pane.form.layout_.isRowVisible(pane.form._rows["name"])
    type_text(qtbot, pane.form.editors["name"], "checkout")
    assert doc.component(api).name == "checkout"


def test_a_large_rate_shows_every_figure_without_an_exponent(window, qtbot):
    doc = window.document
    users = select_new(doc, "client", "users")
    rate = window.properties.form.editors["workload.rate"]
    type_text(qtbot, rate, "1234567.5")
    assert doc.component(users).workload.rate == 1234567.5
    assert rate.text() == "1234567.5"
    type_text(qtbot, rate, "2500000")
    assert rate.text() == "2500000"


def test_a_negative_rate_in_the_schedule_is_refused_not_made_positive(window, qtbot):
    doc = window.document
    users = select_new(doc, "client", "users")
    form = window.properties.form
    schedule = form.editors["workload.schedule"]
    type_text(qtbot, schedule, "step 30 -5")
    assert doc.component(users).workload.schedule == []
    assert form.error_text("workload.schedule"), "the minus sign was dropped"
    type_text(qtbot, schedule, "ramp 60-90 500; step 120 -1")
    assert doc.component(users).workload.schedule == []
    assert form.error_text("workload.schedule").startswith("#2 rate: must be at least 0")  # which change
    type_text(qtbot, schedule, "ramp 60-90 500")
    assert [(c.start, c.end, c.to_rate) for c in doc.component(users).workload.schedule] == [(60, 90, 500)]


def test_a_breakers_window_size_reads_calls_or_seconds_by_its_window(window, qtbot):
    """The unit read "calls or s" whichever the window was; the report and undo said no unit."""
    from app.document.wording import settings_words as parameters

    doc = window.document
    cid = select_new(doc, "service", "api")
    pane = add_policy(window, cid, "circuit_breaker")
    assert pane.form.units["sliding_window_size"].text() == "calls"
    pid = doc.component(cid).policies[0].id
    doc.edit.set_policy_fields(cid, pid, {"sliding_window_type": "time_based", "sliding_window_size": 30})
    assert pane.form.units["sliding_window_size"].text() == "s"
    policy = doc.component(cid).policies[0]
    assert "Window size 30 s" in parameters(policy)
    doc.edit.set_policy_fields(cid, pid, {"sliding_window_size": 45})
    assert doc.undo_stack.undoText().endswith("window size to 45 s")
    doc.edit.set_policy_fields(cid, pid, {"sliding_window_type": "count_based"})
    assert pane.form.units["sliding_window_size"].text() == "calls"
    assert "Window size 45 calls" in parameters(doc.component(cid).policies[0])
