"""The panes' messages, as a demanding user read them: each names what is wrong in the form's own words."""
from __future__ import annotations

import pytest
from editor_helpers import add_policy, choose, select_new, type_text
from PySide6.QtCore import Qt


def test_a_message_about_two_fields_names_them_by_their_labels(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    form = window.properties.form
    form.editors["autoscaling.enabled"].click()
    type_text(qtbot, form.editors["autoscaling.min_replicas"], "5")
    message = form.error_text("autoscaling.min_replicas")
    assert "“Min replicas” 5" in message and "“Max replicas” 10" in message
    assert "min_replicas" not in message and "max_replicas" not in message
    assert doc.component(web).autoscaling.min_replicas == 1


def test_a_policy_needing_one_of_two_fields_names_both_as_labelled(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    pane = add_policy(window, web, "load_shedding")
    wait = pane.form.editors["max_queue_wait"]
    wait.setFocus()
    wait.selectAll()
    qtbot.keyClick(wait, Qt.Key.Key_Delete)
    qtbot.keyClick(wait, Qt.Key.Key_Return)
    message = pane.form.error_text()
    assert "“Max queue wait”" in message and "“Max queue length”" in message, message
    assert "max_queue" not in message
    assert doc.policy(web, pane.policy_id).max_queue_wait == 1.0


def test_a_small_bound_beside_a_large_value_keeps_a_readable_unit(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    pane = add_policy(window, web, "circuit_breaker")
    wait = pane.form.editors["wait_duration_in_open_state"]
    assert wait.text() == "1 min"
    type_text(qtbot, wait, "-1")  # typed over "1 min": minus one minute
    message = pane.form.error_text("wait_duration_in_open_state")
    assert "at least 1 ms (got -1 min)" in message, message
    assert doc.policy(web, pane.policy_id).wait_duration_in_open_state == 60.0


def test_a_call_without_policies_is_named_by_its_dependency(window):
    doc = window.document
    web = doc.edit.add_component("service", (0, 0), name="web")
    db = doc.edit.add_component("database", (300, 0), name="orders-db")
    link_id, _reason = doc.edit.connect(web, db)
    doc.set_selection([link_id])
    pane = window.resilience
    assert not pane.empty.isHidden()
    assert "for the calls to “orders-db” only" in pane.empty.text()
    assert str(db) not in pane.empty.text()


def test_times_a_message_gives_by_name_carry_their_unit(window, qtbot):
    doc = window.document
    doc.edit.add_component("service", (0, 0), name="web")
    pane = window.faults
    pane.add_fault("crash")
    form = pane.form
    type_text(qtbot, form.editors["duration"], "2 min")
    type_text(qtbot, form.editors["period"], "90 s")
    message = form.error_text("period")
    assert "(got period 1.5 min, duration 2 min)" in message, message


def test_a_distribution_message_shows_its_times_as_typed(window, qtbot):
    doc = window.document
    select_new(doc, "service", "web")
    form = window.properties.form
    service_time = form.editors["service_time"]
    choose(service_time.kind, "lognormal")
    type_text(qtbot, service_time._editors["p99"], "1 ms")
    message = form.error_text("service_time")
    assert "p99 must be at least p50" in message and "ms, p99 1 ms)" in message, message


def test_a_share_of_instances_typed_in_percent_is_refused_in_percent(window, qtbot):
    doc = window.document
    web = doc.edit.add_component("service", (0, 0), name="web", instances=4)
    doc.set_selection([web])
    pane = window.faults
    pane.add_fault("crash")
    instances = pane.form.editors["instances"]
    choose(instances.mode, "fraction")
    type_text(qtbot, instances.amount, "150 %")
    message = pane.form.error_text("instances")
    assert "must be at most 100 % (got 150 %)" in message, message


@pytest.mark.parametrize("kind", ["error", "latency"])
def test_a_fault_on_calls_is_not_aimed_at_a_client_nobody_calls(window, kind):
    doc = window.document
    users = doc.edit.add_component("client", (0, 0), name="users")
    api = doc.edit.add_component("service", (300, 0), name="api")
    doc.edit.connect(users, api)
    pane = window.faults
    doc.set_selection([])
    pane.add_fault(kind)
    assert doc.current_experiment.faults[-1].target == api  # the first target that takes calls
    doc.set_selection([users])
    pane.add_fault(kind)
    assert doc.current_experiment.faults[-1].target == api
    assert "nothing calls users" in pane.message.text()


def test_a_partition_with_a_component_selected_cuts_a_link_of_that_component(window):
    """With a database selected, Add fault offered a partition on the first link of the design,
    one that had nothing to do with the database."""
    doc = window.document
    users = doc.edit.add_component("client", (0, 0), name="users")
    api = doc.edit.add_component("service", (300, 0), name="api")
    db = doc.edit.add_component("database", (600, 0), name="db")
    doc.edit.connect(users, api)
    into_db, _refused = doc.edit.connect(api, db)
    pane = window.faults
    doc.set_selection([db])
    pane.add_button.menu().aboutToShow.emit()   # the entries name their targets as the menu opens
    assert pane.add_actions["partition"].text() == "Partition on api -> db"
    pane.add_fault("partition")
    assert doc.current_experiment.faults[-1].target == into_db
    assert "the link that calls the selected db" in pane.message.text()
    doc.set_selection([users])
    pane.add_fault("partition")
    assert doc.current_experiment.faults[-1].target == doc.design.links_from(users)[0].id
    assert "the link the selected users calls over" in pane.message.text()


def test_a_count_of_instances_must_be_whole_and_says_so(window, qtbot):
    doc = window.document
    doc.edit.add_component("service", (0, 0), name="web", instances=4)
    pane = window.faults
    pane.add_fault("crash")
    instances = pane.form.editors["instances"]
    choose(instances.mode, "count")
    type_text(qtbot, instances.amount, "2.5")
    assert pane.form.error_text("instances") == '"2.5" is not a whole number'


def test_a_number_typed_with_the_unit_beside_its_field_is_read(window, qtbot):
    """ "20/s", "5 users" and "8 workers" were refused as not numbers, beside the very unit they name."""
    doc = window.document
    users = select_new(doc, "client", "users")
    form = window.properties.form
    type_text(qtbot, form.editors["workload.rate"], "20/s")
    assert doc.component(users).workload.rate == 20
    choose(form.editors["workload.type"], "closed")
    type_text(qtbot, form.editors["workload.users"], "1 500 users")
    assert doc.component(users).workload.users == 1500
    web = select_new(doc, "service", "web")
    form = window.properties.form
    type_text(qtbot, form.editors["workers"], "1 worker")
    assert doc.component(web).workers == 1
    type_text(qtbot, form.editors["workers"], "8 ms")
    assert form.error_text("workers") == '"8 ms" is not a whole number of workers'
    assert doc.component(web).workers == 1


def test_a_window_size_is_typed_in_the_unit_its_window_kind_gives(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    pane = add_policy(window, web, "circuit_breaker")
    size = pane.form.editors["sliding_window_size"]
    type_text(qtbot, size, "40 calls")
    assert doc.policy(web, pane.policy_id).sliding_window_size == 40
    choose(pane.form.editors["sliding_window_type"], "time_based")
    size = pane.form.editors["sliding_window_size"]
    type_text(qtbot, size, "40 calls")
    assert pane.form.error_text("sliding_window_size") == '"40 calls" is not a whole number of seconds'
    type_text(qtbot, size, "30 s")
    assert doc.policy(web, pane.policy_id).sliding_window_size == 30
