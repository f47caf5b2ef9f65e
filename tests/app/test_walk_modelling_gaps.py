"""Modelling walkthrough: trying another kind of a value, a node with many badges, a bulkhead of no
permits, and the window a new fault gets."""
from __future__ import annotations

from editor_helpers import add_policy, build_three_tier, choose, select_new, type_text
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from app.canvas.node_item import Badge, _font, badge_row, fault_badge, policy_badge
from engine.model import AFTER_LAST_FAULT, FAULT_CLASSES, POLICY_CLASSES, covering_duration


# -- trying another kind of a value loses nothing typed --------------------------------------
def test_switching_a_workload_away_and_back_brings_its_values_back(window, qtbot):
    doc = window.document
    users = select_new(doc, "client", "users")
    form = window.properties.form
    type_text(qtbot, form.editors["workload.rate"], "42")
    choose(form.editors["workload.arrivals"], "constant")
    choose(form.editors["workload.type"], "closed")
    assert doc.component(users).workload.type == "closed"
    type_text(qtbot, window.properties.form.editors["workload.users"], "250")
    choose(window.properties.form.editors["workload.type"], "open")
    workload = doc.component(users).workload
    assert (workload.type, workload.rate, workload.arrivals) == ("open", 42, "constant")
    assert window.properties.form.editors["workload.rate"].text() == "42"
    choose(window.properties.form.editors["workload.type"], "closed")
    assert doc.component(users).workload.users == 250


def test_each_switch_of_kind_is_one_undo_step(window, qtbot):
    doc = window.document
    users = select_new(doc, "client", "users")
    form = window.properties.form
    type_text(qtbot, form.editors["workload.rate"], "42")
    steps = doc.undo_stack.index()
    choose(form.editors["workload.type"], "closed")
    choose(window.properties.form.editors["workload.type"], "open")  # at once: within the merge window
    assert doc.undo_stack.index() == steps + 2, "a switch back merged into the switch, or vanished with it"
    doc.undo_stack.undo()
    assert doc.component(users).workload.type == "closed"
    doc.undo_stack.undo()
    assert doc.component(users).workload.rate == 42 and doc.component(users).workload.type == "open"
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert doc.component(users).workload.rate == 42
    # Choosing the kind it has already changes nothing, and is no step.
    choose(window.properties.form.editors["workload.type"], "open")
    assert doc.undo_stack.index() == steps + 2 and doc.component(users).workload.rate == 42


def test_the_values_of_a_kind_are_those_of_the_same_component(window, qtbot):
    doc = window.document
    first = select_new(doc, "client", "first")
    type_text(qtbot, window.properties.form.editors["workload.rate"], "42")
    choose(window.properties.form.editors["workload.type"], "closed")
    second = select_new(doc, "client", "second")
    choose(window.properties.form.editors["workload.type"], "closed")
    choose(window.properties.form.editors["workload.type"], "open")
    assert doc.component(second).workload.rate == 10, "another client's rate"
    # Back on the first, after a component of another kind rebuilt the form: its own rate.
    select_new(doc, "service", "web")
    doc.set_selection([first])
    choose(window.properties.form.editors["workload.type"], "open")
    assert doc.component(first).workload.rate == 42


def test_switching_a_distribution_away_and_back_brings_its_parameters_back(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    editor = window.properties.form.editors["service_time"]
    choose(editor.kind, "lognormal")
    editor = window.properties.form.editors["service_time"]
    type_text(qtbot, editor._editors["p50"], "20")
    type_text(qtbot, window.properties.form.editors["service_time"]._editors["p99"], "300")
    shaped = doc.component(web).service_time
    choose(window.properties.form.editors["service_time"].kind, "constant")
    assert doc.component(web).service_time.kind == "constant"
    choose(window.properties.form.editors["service_time"].kind, "lognormal")
    assert doc.component(web).service_time == shaped


def test_a_retry_budget_turned_off_and_on_again_keeps_its_settings(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    pane = add_policy(window, web, "retry")
    budget = pane.form.editors["budget"]
    choose(budget.kind, "envoy_budget")
    type_text(qtbot, pane.form.editors["budget"].editors[0], "35")
    assert doc.policy(web, pane.policy_id).budget.budget_percent == 35
    choose(pane.form.editors["budget"].kind, None)
    assert doc.policy(web, pane.policy_id).budget is None
    choose(pane.form.editors["budget"].kind, "envoy_budget")
    assert doc.policy(web, pane.policy_id).budget.budget_percent == 35


def test_an_edit_of_several_clients_starts_a_kind_from_its_defaults(window, qtbot):
    doc = window.document
    first = select_new(doc, "client", "first")
    type_text(qtbot, window.properties.form.editors["workload.rate"], "42")
    choose(window.properties.form.editors["workload.type"], "closed")
    second = doc.edit.add_component("client", (200, 0), name="second")
    doc.set_selection([first, second])
    choose(window.properties.form.editors["workload.type"], "open")
    assert [doc.component(c).workload.rate for c in (first, second)] == [10, 10]


# -- a node's badges: faults are never the ones folded away -----------------------------------
class _Recorder(QPainter):
    """A painter that notes the words drawn through it."""

    def __init__(self, device):
        super().__init__(device)
        self.words: list[str] = []

    def drawText(self, *args):  # noqa: N802  (Qt's name)
        self.words.append(args[-1])
        super().drawText(*args)


def _drawn(item) -> list[str]:
    image = QImage(400, 200, QImage.Format.Format_ARGB32)
    painter = _Recorder(image)
    try:
        item.paint(painter, QStyleOptionGraphicsItem())
    finally:
        painter.end()
    return painter.words


def _guarded_by_many(doc):
    """A service with every policy that may guard its calls, one of each family: a runnable design."""
    web = doc.edit.add_component("service", (0, 0), name="web")
    doc.edit.connect(doc.edit.add_component("client", (-300, 0), name="users"), web)
    doc.edit.connect(web, doc.edit.add_component("service", (300, 0), name="db"))
    for kind in POLICY_CLASSES:
        # one bulkhead and one of retry or hedging guard the same calls
        if kind not in ("thread_pool_bulkhead", "hedging") and doc.edit.policy_refusal(web, kind) is None:
            doc.edit.add_policy(web, kind)
    assert len(doc.component(web).policies) >= 8 and doc.problems() == []
    return web


def test_a_crash_badge_shows_however_many_policies_the_node_has(window):
    doc = window.document
    web = _guarded_by_many(doc)
    experiment = doc.edit.add_experiment()
    doc.edit.add_fault(experiment, "crash", web)
    item = window.scene.node_item(web)
    drawn = _drawn(item)
    assert fault_badge("crash") in drawn, drawn
    more = [word for word in drawn if word.startswith("+")]
    assert len(more) == 1
    # The "+N" stands for policies only, and the tooltip names them.
    policies = [policy_badge(p.kind) for p in doc.component(web).policies]
    shown = [word for word in drawn if word in policies]
    assert int(more[0][1:]) == len(policies) - len(shown)
    tip = item.toolTip()
    assert f"“{more[0]}” on the node:" in tip
    hidden_line = next(line for line in tip.split("<br>") if line.startswith(f"“{more[0]}”"))
    assert hidden_line.count(",") == int(more[0][1:]) - 1
    assert "crash" not in hidden_line


def test_many_faults_on_one_node_are_counted_in_one_fault_badge(window):
    doc = window.document
    db = doc.edit.add_component("service", (0, 0), name="db")
    caller = doc.edit.add_component("service", (-300, 0), name="caller")
    doc.edit.connect(caller, db)
    for kind in ("circuit_breaker", "retry", "timeout"):
        doc.edit.add_policy(db, kind)
    experiment = doc.edit.add_experiment()
    kinds = [k for k in FAULT_CLASSES if k in doc.edit.fault_kinds_for(db)]
    for kind in kinds:
        doc.edit.add_fault(experiment, kind, db)
    item = window.scene.node_item(db)
    drawn = _drawn(item)
    assert f"⚡ {len(kinds)} faults" in drawn
    assert not any(word.startswith("+") and "fault" in word for word in drawn)
    width = QFontMetricsF(_font(7.5, True)).horizontalAdvance
    assert sum(width(w) + 10 for w in drawn if w.startswith(("⚡", "+")) or w in {"CB", "RT", "TO"}) < 160


def test_badges_all_shown_when_they_fit_faults_first():
    def width(text):
        return 10 * len(text)

    def badge(text):
        return Badge(text, QColor("red"), True, text.lower())

    row, hidden = badge_row([badge("F")], [badge("A"), badge("B")], 100, width)
    assert [b.text for b in row] == ["F", "A", "B"] and hidden == []
    row, hidden = badge_row([badge("FFF")], [badge("AAA"), badge("BBB"), badge("CCC")], 100, width)
    assert [b.text for b in row][0] == "FFF" and row[-1].text == f"+{len(hidden)}"
    assert row[-1].words == ", ".join(b.words for b in hidden)


# -- a bulkhead of no permits -----------------------------------------------------------------
def test_a_bulkhead_of_no_permits_is_kept_and_the_form_says_what_it_does(window, qtbot):
    doc = window.document
    web = select_new(doc, "service", "web")
    pane = add_policy(window, web, "bulkhead")
    field = "max_concurrent_calls"
    assert pane.form.caution_text() == ""
    type_text(qtbot, pane.form.editors[field], "0")
    # Resilience4j takes 0 (maxConcurrentCalls >= 0): kept, and said beside the field.
    assert doc.policy(web, pane.policy_id).max_concurrent_calls == 0
    assert pane.form.error_text() == ""
    said = pane.form.caution_text(field)
    assert "every call" in said and "rejected at once" in said
    assert pane.form.cautions[field].isVisibleTo(pane.form)
    type_text(qtbot, pane.form.editors["max_wait_duration"], "200 ms")
    assert "after waiting" in pane.form.caution_text(field)
    type_text(qtbot, pane.form.editors[field], "5")
    assert pane.form.caution_text() == ""
    type_text(qtbot, pane.form.editors[field], "-1")
    assert "at least 0" in pane.form.error_text(field)
    assert doc.policy(web, pane.policy_id).max_concurrent_calls == 5


# -- the window a new fault gets --------------------------------------------------------------
def test_a_fault_added_from_the_pane_leaves_room_before_and_after_it_in_the_run(window):
    doc = window.document
    build_three_tier(doc)
    pane = window.faults
    fid = pane.add_fault("crash", "db")
    experiment = doc.current_experiment
    fault = doc.fault(experiment.id, fid)
    # With no run length set, the length a run of the experiment gets (60 s with no faults yet).
    assert (fault.start, fault.duration) == (20, 20)
    # The form says so, as for any fault; the list too.
    assert pane.form.editors["start"].text() == "20 s" and pane.form.editors["duration"].text() == "20 s"
    assert "20 s → 40 s" in pane.list.item(0).text()
    # A run that follows the experiment keeps its time after the fault for the recovery.
    assert covering_duration([experiment]) >= 40 + AFTER_LAST_FAULT
    # The run length the run controls give: the new fault takes the middle of that run.
    pane.set_run_duration(300)
    second = pane.add_fault("latency", "web")
    fault = doc.fault(doc.current_experiment.id, second)
    assert (fault.start, fault.duration) == (100, 100)
    assert "after the run" not in pane.list.item(1).text()
    # Each addition is one undo step, window and all.
    doc.undo_stack.undo()
    assert [f.id for f in doc.current_experiment.faults] == [fid]
