"""Durations in the panes read as a person would write them, and so do the messages about them."""
from __future__ import annotations

import pytest
from editor_helpers import build_three_tier, type_text
from PySide6.QtCore import Qt


@pytest.fixture
def timeout_form(window):
    """The form of a timeout policy on "web" (a field typed in ms), and the policy's id."""
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    pid = window.resilience.add_policy("timeout")
    return window.resilience.form, lambda: doc.policy(ids["web"], pid)


def test_a_timeout_typed_in_minutes_is_shown_in_minutes(window, qtbot, timeout_form):
    form, policy = timeout_form
    type_text(qtbot, form.editors["timeout"], "5 min")
    assert policy().timeout == 300
    assert form.editors["timeout"].text() == "5 min"
    type_text(qtbot, form.editors["timeout"], "1500 ms")
    assert form.editors["timeout"].text() == "1.5 s"
    type_text(qtbot, form.editors["timeout"], "90 s")
    assert form.editors["timeout"].text() == "90 s"  # not "1.5 min": minutes only when whole
    type_text(qtbot, form.editors["timeout"], "0.25 s")
    assert form.editors["timeout"].text() == "250 ms"


def test_every_duration_field_shows_a_value_in_the_same_unit(window, qtbot):
    """Whatever unit a field takes a bare number in, a value reads the same in all of them."""
    doc = window.document
    ids = build_three_tier(doc)
    link = doc.design.link("web -> db").id
    window.faults.add_fault("crash", "db")
    doc.set_selection([ids["web"]])
    window.resilience.add_policy("timeout")
    fields = [  # (what to select, the tabbed dock of its pane, the field)
        (ids["web"], window.resilience_dock, lambda: window.resilience.form.editors["timeout"]),
        (ids["web"], window.faults_dock, lambda: window.faults.form.editors["duration"]),
        (link, window.properties_dock, lambda: window.properties.form.editors["latency"]._editors["value"]),
    ]
    units = set()
    for typed, shown in [("2000 ms", "2 s"), ("0.5 s", "500 ms"), ("120 s", "2 min")]:
        for selected, dock, field in fields:
            doc.set_selection([selected])
            dock.raise_()
            qtbot.waitUntil(lambda field=field: field().isVisible())  # the event loop shows a raised tab
            editor = field()
            units.add(editor.unit)
            type_text(qtbot, editor, typed)
            assert field().text() == shown, (editor.objectName(), typed)
    assert units == {"ms", "s"}


@pytest.mark.parametrize("seconds,shown", [(1 / 3, "333.333 ms"), (0.1 + 0.2, "300 ms"),
                                           (1234.5678901, "1234.57 s"), (7.1234567e-7, "0.712346 µs"),
                                           (2 / 3 * 3600, "40 min")])
def test_a_duration_shows_in_six_figures_at_most_and_no_exponent(window, qtbot, timeout_form, seconds, shown):
    form, policy = timeout_form
    assert form.submit({"timeout": seconds})
    assert form.editors["timeout"].text() == shown


def test_a_bare_number_and_the_arrow_keys_go_by_the_unit_shown(window, qtbot, timeout_form):
    """Shown in the unit that reads best, a field took a bare number in its own: "2" typed over
    "1.5 s" was 2 ms."""
    form, policy = timeout_form
    editor = form.editors["timeout"]
    type_text(qtbot, editor, "1.5 s")
    type_text(qtbot, editor, "2")
    assert policy().timeout == 2.0 and editor.text() == "2 s"
    type_text(qtbot, editor, "5 min")
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Up)
    assert policy().timeout == 360.0 and editor.text() == "6 min"


def test_a_duration_out_of_range_is_explained_in_readable_numbers_and_units(window, qtbot, timeout_form):
    form, policy = timeout_form
    type_text(qtbot, form.editors["timeout"], "1e11 ms")
    assert form.error_text("timeout") == "must be at most 10 000 000 s (got 100 000 000 s)"
    assert policy().timeout == 1.0
    # The bound as the message gives it may be typed back.
    type_text(qtbot, form.editors["timeout"], "10 000 000 s")
    assert form.error_text() == "" and policy().timeout == 10_000_000


def test_a_bound_below_the_field_s_unit_is_given_in_a_unit_that_fits(window, qtbot):
    doc = window.document
    ids = build_three_tier(doc)
    doc.set_selection([ids["web"]])
    window.resilience.add_policy("circuit_breaker")
    form = window.resilience.form
    assert form.editors["wait_duration_in_open_state"].unit == "s"
    type_text(qtbot, form.editors["wait_duration_in_open_state"], "0.5 ms")
    assert form.error_text("wait_duration_in_open_state") == "must be at least 1 ms (got 0.5 ms)"


def test_a_distribution_s_bound_is_given_as_a_duration(window, qtbot):
    doc = window.document
    build_three_tier(doc)
    doc.set_selection([doc.design.link("web -> db").id])
    form = window.properties.form
    type_text(qtbot, form.editors["latency"]._editors["value"], "-5 ms")
    assert form.error_text("latency") == "value must be at least 0 ms (got -5 ms)"
