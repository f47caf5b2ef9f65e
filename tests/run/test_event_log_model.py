"""The event log's filters, matched by Qt on each row's key, keep their meaning: kind, run, and a
component or a link into it (the rule the log applied row by row in Python before); and a run's end
adds only what the log does not show yet, to the same table a new log would show."""
from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt

from app.run.event_log import ALL
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
