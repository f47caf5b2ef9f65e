"""The event log's whole repaint: a full viewport of a comparison's events painted anew.

A table repaints whole on a resize, a column widening, a filter, or a scroll by more than
its height; each visible cell's text, colour, font and alignment come from the model. The
figure is the GUI thread's CPU time of ``viewport().repaint()`` on a filled table about
500 pixels tall, median (and best) of many, beside a table of the same size left empty:
what the events' cells add to a repaint.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from types import SimpleNamespace

from engine.events import EVENT_KINDS

ROUNDS = 200


def _log(events: int):
    from PySide6.QtWidgets import QMainWindow

    from app.run.event_log import EventLog

    kinds = list(EVENT_KINDS)
    variants = {v: SimpleNamespace(events=[], result=None) for v in ("protected", "unprotected")}
    for n, data in enumerate(variants.values()):
        for i in range(events // 2):
            data.events.append({"time": i * 0.71 + n * 0.3, "kind": kinds[(i * 7 + n) % len(kinds)],
                                "component": "app", "link": "web -> app" if i % 3 == 0 else None,
                                "details": f"event {i} of the run, with words enough to fill the column"})
    session = SimpleNamespace(variants=variants, components=["web", "app", "db"], variant_names=list(variants),
                              is_comparison=True, done=False, design=None, experiment=None)
    window = QMainWindow()
    log = EventLog()
    window.setCentralWidget(log)
    window.resize(900, 560)
    window.show()
    log.show_session(session)
    log.session_updated()
    return window, log


def measure_repaint(events: int = 2_000, rounds: int = ROUNDS) -> dict[str, float]:
    """CPU milliseconds of one whole repaint of the log's viewport, filled and empty."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    out: dict[str, float] = {}
    for name, count in (("filled", events), ("empty", 0)):
        window, log = _log(count)
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


def main(argv: list[str] | None = None) -> None:
    if hasattr(os, "getloadavg"):
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work competes for them)")
    r = measure_repaint()
    print(f"event log, one whole repaint of a {r['height']:.0f} px viewport ({r['rows']:.0f} rows of a comparison): "
          f"{r['filled_ms']:.2f} ms CPU (best {r['filled_best_ms']:.2f}); the same table empty "
          f"{r['empty_ms']:.2f} ms (median of {ROUNDS})")


if __name__ == "__main__":
    main(sys.argv[1:])
