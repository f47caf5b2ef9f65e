"""The event log's filters, worked out on the model's columns, keep their meaning: kind, run, and a
component or a link into it (the rule the log applied row by row in Python before); a run's end
adds only what the log does not show yet, to the same table a new log would show; sorts are stable;
and a kept run's events are put in words only as the table shows them."""
from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt

from app.run.event_log import ALL, KIND_COLUMN, kind_label
from benchmarks.bench_event_log import add_batch, event_log_window


def _reference(e: dict, kind: str, component: str, variant: str) -> bool:
    """The rule as the log's Python filter wrote it."""
    if kind != ALL and e["kind"] != kind:
        return False
    target = e["link"].split(" -> ")[-1] if e.get("link") else None
    if component != ALL and component not in (e.get("component"), target):
        return False
    return variant == ALL or e.get("variant") == variant


# Names a regular expression would misread unless escaped, and names that begin or end another.
COMPONENTS = ["web", "app", "app.db", "db", "web+", "(cache)", "a"]
LINKS = [None, "web -> app", "app -> app.db", "web+ -> (cache)", "app -> db", "a -> web"]
KINDS = ["fault_started", "breaker_opened", "retry", "instance_crashed"]


def _events() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"protected": [], "unprotected": []}
    for n, (kind, component, link) in enumerate(itertools.product(KINDS, COMPONENTS + [None], LINKS)):
        variant = "protected" if n % 3 else "unprotected"
        out[variant].append({"time": n * 0.25, "kind": kind, "component": component, "link": link,
                             "details": f"event {n}"})
    return out


def _log(qtbot, done: bool):
    window, log, variants = event_log_window(600, 400)
    qtbot.addWidget(window)
    for v, events in _events().items():
        variants[v].events = events
    log.session.done = done
    if done:
        log.show_session(log.session)
    else:
        log.session_updated()
    return window, log


def test_every_filter_shows_what_the_rule_shows(qtbot):
    for done in (False, True):  # rows appended live, and a finished run's log made at once
        _window, log = _log(qtbot, done)
        everything = log.model.events
        assert len(log.visible_events()) == len(everything)
        checked = 0
        for kind, component, variant in itertools.product([ALL, *KINDS, "retry_exhausted"],
                                                          [ALL, *COMPONENTS, "ap", "pp"],
                                                          [ALL, "protected", "unprotected"]):
            # The proxy itself: the window's combos offer only kinds and components the run has.
            log.proxy.set_filter(kind, component, variant)
            want = sorted((e for e in everything if _reference(e, kind, component, variant)),
                          key=lambda e: (e["time"], e["details"]))
            shown = sorted(log.visible_events(), key=lambda e: (e["time"], e["details"]))
            assert shown == want, (kind, component, variant)
            checked += bool(want)
        assert checked > 100  # most choices show some events, not only none


def test_a_filter_holds_for_events_arriving_after_it_is_set(qtbot):
    _window, log = _log(qtbot, False)
    log.proxy.set_filter(ALL, "app.db", ALL)
    before = len(log.visible_events())
    data = log.session.variants["protected"]
    data.events += [{"time": 999.0, "kind": "retry", "component": "app", "link": "app -> app.db", "details": "in"},
                    {"time": 999.5, "kind": "retry", "component": "appXdb", "link": None, "details": "out"}]
    log.session_updated()
    shown = log.visible_events()
    assert len(shown) == before + 1 and shown[-1]["details"] == "in"
    assert log.count_label.text().startswith(f"{before + 1} of ")


def _shown(log) -> list[tuple]:
    """Every cell's words, tooltip, colour, alignment and background, row by row as the table shows them."""
    proxy = log.proxy
    return [tuple((proxy.data(proxy.index(r, c)), proxy.data(proxy.index(r, c), 3),
                   str(proxy.data(proxy.index(r, c), 9)), proxy.data(proxy.index(r, c), 7),
                   proxy.data(proxy.index(r, c), 8))
                  for c in range(proxy.columnCount())) for r in range(proxy.rowCount())]


def _moves(model) -> list[str]:
    """What a model tells its views of rows reordered or remade."""
    said: list[str] = []
    for name in ("modelReset", "layoutChanged", "rowsMoved", "rowsRemoved"):
        getattr(model, name).connect(lambda *_args, name=name: said.append(name))
    return said


@pytest.mark.parametrize("runs", [1, 2])  # one run's events in order; a comparison's sorted in among
def test_a_runs_end_adds_the_events_not_shown_and_shows_what_a_new_log_would(qtbot, runs):
    window, log, variants = event_log_window(600, 400)
    qtbot.addWidget(window)
    for step in range(40):
        add_batch(variants, step, 2.6)
        if runs == 1:
            variants["unprotected"].events.clear()
        log.session_updated()
    log.follow_time(3.0, 6.0)
    moves = _moves(log.model)
    # The final logs: complete, with events no frame brought, before and after those shown.
    for data in variants.values():
        data.events = data.events + [{"time": 500.0, "kind": "fault_ended", "component": "db", "link": "app -> db",
                                      "details": "after the last frame"},
                                     {"time": 7.5, "kind": "retry", "component": "db", "details": "logged late"}]
    log.session.done = True
    log.session_ended()
    fresh_window, fresh, _ = event_log_window(600, 400)
    qtbot.addWidget(fresh_window)
    fresh.show_session(log.session)
    assert log.visible_events() == fresh.visible_events() == log.session.merged_events()
    assert _shown(log) == _shown(fresh)  # cells as made anew, the highlight gone
    assert log.count_label.text() == fresh.count_label.text()
    assert log.kind_combo.count() == fresh.kind_combo.count()
    assert moves == []  # the rows shown stayed where they were: the new ones only appended
    rows = log.model.highlight(3.0, 6.0)
    assert rows and all(3.0 <= log.model.events[r]["time"] < 6.0 for r in rows)
    assert sorted(rows) == [r for r, e in enumerate(log.model.events) if 3.0 <= e["time"] < 6.0]
    assert [log.model.events[r]["time"] for r in rows] == sorted(log.model.events[r]["time"] for r in rows)


def _tied_comparison(qtbot):
    """A comparison whose runs log events at the same times, the second run's arriving first."""
    window, log, variants = event_log_window(600, 400)
    qtbot.addWidget(window)
    protected, unprotected = variants["protected"], variants["unprotected"]
    for step in range(6):
        unprotected.events += [{"time": float(step), "kind": "fault_started", "component": "db",
                                "details": f"b{step}"}, {"time": float(step), "kind": "retry", "component": "app",
                                                          "details": f"a{step}"}]
        log.session_updated()
    for step in range(6):
        protected.events += [{"time": float(step), "kind": "fault_started", "component": "db",
                              "details": f"z{step}"}]
        log.session_updated()
    return log


def test_events_at_the_same_time_show_in_the_order_of_the_runs_and_of_their_logs(qtbot):
    log = _tied_comparison(qtbot)
    assert log.visible_events() == log.session.merged_events()  # live, though the second run's came first
    log.session.done = True
    log.session_ended()
    assert log.visible_events() == log.session.merged_events()
    log.view.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # Details: the ties in another order
    assert log.visible_events() != log.session.merged_events()
    log.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert log.visible_events() == log.session.merged_events()


def test_the_time_slider_marks_the_events_at_its_time_whatever_order_they_came_in(qtbot):
    log = _tied_comparison(qtbot)
    log.session.done = True
    log.session_ended()
    marked = log.follow_time(2.0, 4.0)
    assert marked == [e for e in log.session.merged_events() if 2.0 <= e["time"] < 4.0]
    assert log.follow_time(2.5, 2.75) == []
    assert len(log.model.highlighted) == 0


def test_a_runs_end_whose_logs_differ_from_what_was_shown_rebuilds_the_log(qtbot):
    window, log, variants = event_log_window(600, 400)
    qtbot.addWidget(window)
    for step in range(10):
        add_batch(variants, step, 2.6)
        log.session_updated()
    variants["protected"].events[4] = {**variants["protected"].events[4], "details": "said otherwise"}
    log.session.done = True
    log.session_ended()
    assert log.model.events == log.session.merged_events()
    assert "said otherwise" in [e["details"] for e in log.visible_events()]


def test_a_big_designs_link_names_are_read_with_one_table_of_names(qtbot, monkeypatch):
    """Each end of each link made the design's table of names again: 0.35 s to show the log of a
    run of 1,000 components, as the run started."""
    from engine.model import Client, Design, Link, Service

    services = [Client(name="svc0"), *(Service(name=f"svc{i}") for i in range(1, 40))]
    design = Design(name="chain", components=services,
                    links=[Link(source=a.name, target=b.name) for a, b in zip(services, services[1:])]).check()
    made = []
    names = Design.names
    monkeypatch.setattr(Design, "names", lambda self: made.append(1) or names(self))
    window, log, _variants = event_log_window(600, 400, design)
    qtbot.addWidget(window)
    assert len(made) == 1
    assert "svc0 -> svc1" in log.model.places and "svc38 -> svc39" in log.model.places


def _kept_comparison(qtbot, events: int):
    """A log showing a finished comparison of ``events`` events (times past 10 s and past ten minutes),
    as a kept run is opened."""
    window, log, variants = event_log_window(600, 400)
    qtbot.addWidget(window)
    for n, data in enumerate(variants.values()):
        data.events = [{"time": i * 0.5 + n * 0.25, "kind": KINDS[i % len(KINDS)], "component": COMPONENTS[i % 3],
                        "link": LINKS[i % len(LINKS)], "details": f"event {i}"} for i in range(events // 2)]
    log.session.done = True
    log.show_session(log.session)
    return log


def test_a_kept_runs_events_are_put_in_words_only_as_the_table_shows_them(qtbot, monkeypatch):
    """Each of a kept run's 30,000 events made into the table's cells up front held the window still
    for more than a second as the run opened."""
    from app.run import event_log as event_log_module

    said: list[float] = []
    event_time = event_log_module.event_time
    monkeypatch.setattr(event_log_module, "event_time", lambda t: said.append(t) or event_time(t))
    log = _kept_comparison(qtbot, 3000)
    qtbot.waitExposed(log.window())
    qtbot.waitUntil(lambda: bool(said))  # the table laid out and painted
    log.view.viewport().repaint()
    rows = log.view.viewport().height() // log.view.rowHeight(0) + 1
    assert log.proxy.rowCount() == 3000 and 0 < len(said) <= 2 * rows
    assert log.visible_events() == log.session.merged_events()
    assert log.proxy.index(2999, 0).data() == "12:29"  # and the last, once asked
    assert log.proxy.index(2999, 4).data(Qt.ItemDataRole.ToolTipRole) == "event 1499"


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorted_by_a_column_events_of_equal_words_stay_in_time_order(qtbot, order):
    """Sorted by Kind, each kind's events read as they happened, 9.5 s before 10 s, either way round
    (each kind's rows had been put in the order of their times' words: 10.000 before 9.500)."""
    log = _kept_comparison(qtbot, 200)
    log.view.sortByColumn(KIND_COLUMN, order)
    shown = log.visible_events()
    labels = [kind_label(e["kind"]) for e in shown]
    assert labels == sorted(labels, reverse=order == Qt.SortOrder.DescendingOrder)
    for kind in KINDS:
        of_kind = [e for e in log.session.merged_events() if e["kind"] == kind]
        assert [e for e in shown if e["kind"] == kind] == of_kind
    log.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert log.visible_events() == log.session.merged_events()


def test_events_arriving_while_sorted_backwards_by_time_go_in_their_places(qtbot):
    window, log, variants = event_log_window(600, 400)
    qtbot.addWidget(window)
    log.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    for step in range(30):
        add_batch(variants, step, 2.6)  # the second run's events sort in among the first's
        if step:  # and one at the time of one shown already
            variants["unprotected"].events[-3]["time"] = variants["protected"].events[-4]["time"]
        log.session_updated()
        assert log.visible_events() == log.session.merged_events()[::-1]
    log.view.sortByColumn(KIND_COLUMN, Qt.SortOrder.AscendingOrder)
    add_batch(variants, 30, 2.6, ("retry", "fault_started"))
    log.session_updated()
    labels = [kind_label(e["kind"]) for e in log.visible_events()]
    assert labels == sorted(labels) and len(labels) == log.model.rowCount() == 6 * 31


def test_a_filter_keeps_the_selected_event_selected_while_it_shows(qtbot):
    log = _kept_comparison(qtbot, 400)
    view = log.view
    view.selectRow(37)
    chosen = log.visible_events()[37]
    log.set_filter(kind=chosen["kind"])
    assert view.verticalHeader().count() == log.proxy.rowCount() < 400  # the table has the rows the filter left
    selected = view.selectionModel().selectedRows()
    assert [log.model.event_at(log.proxy.mapToSource(i).row()) for i in selected] == [chosen]
    assert log.model.event_at(log.proxy.mapToSource(view.currentIndex()).row()) == chosen
    log.view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    selected = view.selectionModel().selectedRows()
    assert [log.model.event_at(log.proxy.mapToSource(i).row()) for i in selected] == [chosen]
    log.set_filter(kind=next(k for k in KINDS if k != chosen["kind"]))
    assert view.selectionModel().selectedRows() == []  # hidden, it is not chosen any more
    assert view.verticalHeader().count() == log.proxy.rowCount()
