"""What the window's thread did in its longest tick: an account for ``bench_gui --account``.

``AccountingApp`` times every event the Qt event loop hands out (paints, timers, queued
signals, layout requests), nested ones indented under the event that sent them, and every
garbage collection in any thread. A timed dashboard call misses the paint it causes and the
queued work that lands in the same tick; this does not. Its own cost (a Python call per event)
inflates the figures a little: read them as shares, not as the window's speed.
"""
from __future__ import annotations

import gc
import threading
import time

from PySide6.QtWidgets import QApplication

SHOWN_MS = 0.3  # events cheaper than this are left out of the account


def _name(obj) -> str:
    """A receiver's class and object name, and for a scroll area's viewport the class of its area."""
    name = f"{type(obj).__name__} {obj.objectName()}".rstrip()
    parent = obj.parent() if obj.objectName() == "qt_scrollarea_viewport" else None
    return f"{name} of {type(parent).__name__}" if parent is not None else name


class AccountingApp(QApplication):
    """A QApplication that logs the CPU time of every event it dispatches while ``on``."""

    def __init__(self, argv: list[str]):
        super().__init__(argv)
        self.on = False
        self._depth = 0
        self._log: list[tuple[float, float, int, str]] = []  # start, CPU s, depth, what
        self._gcs: list[tuple[float, float, str]] = []  # start, wall s, thread
        self._gc_start = 0.0
        self._main = threading.get_ident()
        gc.callbacks.append(self._on_gc)

    def notify(self, receiver, event):
        if not self.on:
            return super().notify(receiver, event)
        # Named before it is handled: the receiver may be gone after.
        what = f"{event.type().name} to {_name(receiver)}"
        start, cpu = time.perf_counter(), time.thread_time()
        self._depth += 1
        try:
            return super().notify(receiver, event)
        finally:
            self._depth -= 1
            spent = time.thread_time() - cpu
            if spent * 1000 >= SHOWN_MS:
                self._log.append((start, spent, self._depth, what))

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif self.on:
            thread = "window" if threading.get_ident() == self._main else "worker"
            self._gcs.append((self._gc_start, time.perf_counter() - self._gc_start,
                              f"garbage collection of generation {info['generation']} in the {thread} thread"))

    def clear(self) -> None:
        self._log.clear()
        self._gcs.clear()

    def account(self, start: float, end: float) -> list[str]:
        """The events begun between ``start`` and ``end`` (perf_counter), in order, with their CPU ms."""
        lines = [(t, f"{'  ' * depth}{1000 * cpu:6.1f} ms  {what}")
                 for t, cpu, depth, what in self._log if start <= t <= end]
        lines += [(t, f"{1000 * wall:6.1f} ms  {what} (wall)") for t, wall, what in self._gcs if start <= t <= end]
        return [text for _t, text in sorted(lines)]
