"""The event log's filters, matched by Qt on each row's key, keep their meaning: kind, run, and a
component or a link into it (the rule the log applied row by row in Python before)."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

from PySide6.QtWidgets import QMainWindow

from app.run.event_log import ALL, EventLog


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
    variants = {v: SimpleNamespace(events=events, result=None) for v, events in _events().items()}
    session = SimpleNamespace(variants=variants, components=COMPONENTS, variant_names=list(variants),
                              is_comparison=True, done=done, design=None, experiment=None,
                              merged_events=lambda: sorted(({**e, "variant": v} for v, d in variants.items()
                                                            for e in d.events), key=lambda e: e["time"]))
    window = QMainWindow()
    log = EventLog()
    window.setCentralWidget(log)
    qtbot.addWidget(window)
    log.show_session(session)
    if not done:
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
    log.set_filter(component="app.db")
    before = len(log.visible_events())
    data = log.session.variants["protected"]
    data.events += [{"time": 999.0, "kind": "retry", "component": "app", "link": "app -> app.db", "details": "in"},
                    {"time": 999.5, "kind": "retry", "component": "appXdb", "link": None, "details": "out"}]
    log.session_updated()
    shown = log.visible_events()
    assert len(shown) == before + 1 and shown[-1]["details"] == "in"
    assert log.count_label.text().startswith(f"{before + 1} of ")
