"""The event log's costs: a whole repaint, and taking a finished run's logs.

A table repaints whole on a resize, a column widening, a filter, or a scroll by more than
its height; each visible cell's text, colour, font and alignment come from the model. The
first figure is the GUI thread's CPU time of ``viewport().repaint()`` on a filled table about
500 pixels tall, median (and best) of many, beside a table of the same size left empty:
what the events' cells add to a repaint. The second is a new live run's first batch of events,
taken and painted, and what of the table it painted. The third is a comparison's end: 20,000
events shown live, then the final logs (a few events more) taken by ``session_ended``. The fourth
is a kept comparison of 30,000 events opened (``show_session`` of a finished run, and the paint
that follows), then those events sorted by Kind and filtered to a component, as a reader would.

The log's measurements (here, in ``bench_gui`` and in ``tests/run/test_event_log_paint.py``)
fill it the same way, with ``event_log_window`` and ``add_batch``.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from engine.events import EVENT_KINDS

from .qt_app import qt_app

ROUNDS = 200
BATCH_KINDS = ("breaker_opened", "breaker_half_open", "breaker_closed", "retry")


def comparison_session(design=None, experiment=None) -> SimpleNamespace:
    """A live comparison as the event log reads it: two runs whose ``events`` lists grow, ``done`` set
    (and the lists replaced by the final logs) when it ends."""
    variants = {v: SimpleNamespace(events=[], result=None) for v in ("protected", "unprotected")}

    def merged_events() -> list[dict]:  # as RunSession.merged_events
        return sorted(({**e, "variant": v} for v, data in variants.items() for e in data.events),
                      key=lambda e: e["time"])

    return SimpleNamespace(variants=variants, components=["web", "app", "db"], variant_names=list(variants),
                           is_comparison=True, done=False, design=design, experiment=experiment,
                           merged_events=merged_events)


def event_log_window(width: int, height: int, design=None, experiment=None):
    """A window of ``width`` x ``height`` holding an event log that shows a new ``comparison_session``:
    the window, the log, and the session's runs (variant -> its data, whose ``events`` to add to)."""
    from PySide6.QtWidgets import QMainWindow

    from app.run.event_log import EventLog

    session = comparison_session(design, experiment)
    window = QMainWindow()
    log = EventLog()
    window.setCentralWidget(log)
    window.resize(width, height)
    window.show()
    log.show_session(session)
    return window, log, session.variants


def add_batch(variants, step: int, behind: float, kinds=BATCH_KINDS, details: str = "event {step}.{i}") -> None:
    """Three events in each run, as a live comparison's frame brings them; the second run ``behind``
    seconds behind the first, so that its events sort in among the first's."""
    for lag, data in zip((0.0, behind), variants.values()):
        for i in range(3):
            data.events.append({"time": step * 1.1 + i * 0.37 - lag, "kind": kinds[(step + i) % len(kinds)],
                                "component": "app", "details": details.format(step=step, i=i)})


def _fill(variants, events: int, components=("app",)) -> None:
    """``events`` events of every kind, half of each run, at ``components`` and on links into them."""
    kinds = list(EVENT_KINDS)
    for n, data in enumerate(variants.values()):
        for i in range(events // 2):
            at = components[i % len(components)]
            data.events.append({"time": i * 0.71 + n * 0.3, "kind": kinds[(i * 7 + n) % len(kinds)],
                                "component": at, "link": f"web -> {at}" if i % 3 == 0 else None,
                                "details": f"event {i} of the run, with words enough to fill the column"})


def _filled_log(events: int):
    """A log of ``events`` events of every kind, half of each run, shown as one frame brought them."""
    window, log, variants = event_log_window(900, 560)
    _fill(variants, events)
    log.session_updated()
    return window, log


def measure_repaint(events: int = 2_000, rounds: int = ROUNDS) -> dict[str, float]:
    """CPU milliseconds of one whole repaint of the log's viewport, filled and empty."""
    app = qt_app()
    out: dict[str, float] = {}
    for name, count in (("filled", events), ("empty", 0)):
        window, log = _filled_log(count)
        for _ in range(3):
            app.processEvents()
        if count:
            log.view.scrollTo(log.proxy.index(log.proxy.rowCount() // 2, 0))
            app.processEvents()
        viewport = log.view.viewport()
        costs = []
        for _ in range(rounds):
            cpu = time.thread_time()
            viewport.repaint()
            costs.append(time.thread_time() - cpu)
        out[f"{name}_ms"] = 1000 * statistics.median(costs)
        out[f"{name}_best_ms"] = 1000 * min(costs)
        out["height"] = viewport.height()
        if count:
            out["rows"] = viewport.height() / log.view.rowHeight(0)
        window.close()
    return out


def measure_first_batch(trials: int = 7) -> dict[str, float]:
    """CPU milliseconds of a new live comparison's first batch of events (three of each run), taken and
    painted, best of ``trials``; and the heights of the paints of the table it caused."""
    from PySide6.QtCore import QEvent, QObject

    from engine.model import parse_design

    class Painted(QObject):
        def __init__(self):
            super().__init__()
            self.heights: list[int] = []

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                self.heights.append(event.region().boundingRect().height())
            return False

    app = qt_app()
    # A live run knows its design: the Kind column is as wide as its kinds from the start.
    design = parse_design((Path(__file__).resolve().parents[1] / "resources" / "examples" / "three_tier.json")
                          .read_text())
    costs, heights = [], []
    for _ in range(trials):
        window, log, variants = event_log_window(900, 560, design, "database outage")
        for _ in range(3):
            app.processEvents()
        painted = Painted()
        log.view.viewport().installEventFilter(painted)
        add_batch(variants, 0, 2.6)
        cpu = time.thread_time()
        log.session_updated()
        for _ in range(3):  # the rows laid out (a zero timer), the header told a moment later, the paint
            app.processEvents()
        costs.append(time.thread_time() - cpu)
        heights = painted.heights
        window.close()
    return {"first_ms": 1000 * min(costs), "paints": heights, "viewport": log.view.viewport().height(),
            "rows": 6 * log.view.rowHeight(0)}


def measure_end(events: int = 20_000, trials: int = 3) -> dict[str, float]:
    """CPU milliseconds of ``session_ended`` after a comparison of ``events`` events streamed in batches,
    the final logs holding 1 % more (frames a live run left out), best of ``trials``."""
    app = qt_app()
    costs = []
    for _ in range(trials):
        window, log, variants = event_log_window(900, 560)
        for step in range(events // 6):
            add_batch(variants, step, 2.6)
            if step % 50 == 49:
                log.session_updated()
        log.session_updated()
        app.processEvents()
        for data in variants.values():
            data.events = data.events + [{"time": e["time"] + 1e6, "kind": e["kind"], "component": "db",
                                          "details": "after the last frame"} for e in data.events[: events // 200]]
        log.session.done = True
        cpu = time.thread_time()
        log.session_ended()
        costs.append(time.thread_time() - cpu)
        assert log.model.rowCount() == sum(len(d.events) for d in variants.values())
        assert log.visible_events() == log.session.merged_events()  # what a new log would show
        window.close()
    return {"end_ms": 1000 * min(costs), "events": events}


def measure_open(events: int = 30_000, trials: int = 3) -> dict[str, float]:
    """CPU milliseconds of opening a kept comparison of ``events`` events in the log (its events merged
    and shown, and the paint after), then of sorting them by Kind and of filtering them to one
    component, each with its paint; best of ``trials``."""
    from PySide6.QtCore import Qt

    from app.run.event_log import KIND_COLUMN

    app = qt_app()
    costs: dict[str, list[float]] = {"open_ms": [], "sort_ms": [], "filter_ms": []}
    for _ in range(trials):
        window, log, variants = event_log_window(900, 560)
        _fill(variants, events, ("app", "db", "cache"))
        log.session.done = True
        for _ in range(3):
            app.processEvents()
        for name in costs:
            cpu = time.thread_time()
            if name == "open_ms":
                log.show_session(log.session)
            elif name == "sort_ms":
                log.view.sortByColumn(KIND_COLUMN, Qt.SortOrder.AscendingOrder)
            else:
                log.set_filter(component="db")
            app.processEvents()
            costs[name].append(time.thread_time() - cpu)
        assert log.model.rowCount() == events and 0 < log.proxy.rowCount() < events
        window.close()
    return {"events": events, **{name: 1000 * min(c) for name, c in costs.items()}}


def main(argv: list[str] | None = None) -> None:
    if hasattr(os, "getloadavg"):
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work competes for them)")
    r = measure_repaint()
    print(f"event log, one whole repaint of a {r['height']:.0f} px viewport ({r['rows']:.0f} rows of a comparison): "
          f"{r['filled_ms']:.2f} ms CPU (best {r['filled_best_ms']:.2f}); the same table empty "
          f"{r['empty_ms']:.2f} ms (median of {ROUNDS})")
    f = measure_first_batch()
    print(f"event log, a new live comparison's first batch of 6 events: {f['first_ms']:.2f} ms CPU taken and painted "
          f"(best of 7); painted {len(f['paints'])} time(s), {', '.join(map(str, f['paints']))} px of the "
          f"{f['viewport']} px viewport (the new rows: {f['rows']} px)")
    e = measure_end()
    print(f"event log, a comparison's end: {e['events']:,} events shown live, the final logs taken in "
          f"{e['end_ms']:.0f} ms CPU (best of 3)")
    o = measure_open()
    print(f"event log, a kept comparison of {o['events']:,} events opened: {o['open_ms']:.0f} ms CPU, painted; "
          f"then sorted by Kind {o['sort_ms']:.0f} ms, filtered to a component {o['filter_ms']:.0f} ms (best of 3)")


if __name__ == "__main__":
    main(sys.argv[1:])
