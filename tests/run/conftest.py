"""Fixtures for the run tests: a small three-tier design and a guard against leftover threads and timers."""
from __future__ import annotations

import weakref

import pytest
from PySide6.QtCore import QThread, QTimer

from run_builders import make_three_tier
from engine.model import Design


@pytest.fixture
def design() -> Design:
    return make_three_tier()


@pytest.fixture(autouse=True)
def no_dangling_threads_or_timers(monkeypatch):
    """Fail a test that leaves a QThread running or a QTimer of ours active."""
    threads: list[weakref.ref] = []
    timers: list[weakref.ref] = []
    thread_start = QThread.start
    timer_start = QTimer.start

    def start_thread(self, *args):
        threads.append(weakref.ref(self))
        return thread_start(self, *args)

    def start_timer(self, *args):
        timers.append(weakref.ref(self))
        return timer_start(self, *args)

    monkeypatch.setattr(QThread, "start", start_thread)
    monkeypatch.setattr(QTimer, "start", start_timer)
    yield
    running = []
    for ref in threads:
        t = ref()
        try:
            if t is not None and t.isRunning():
                running.append(t.objectName() or "QThread")
                t.quit()
                t.wait(2000)
        except RuntimeError:  # the C++ object is gone, so is its thread
            pass
    active = []
    for ref in timers:
        t = ref()
        try:
            if t is not None and t.isActive() and (t.objectName() or "").startswith("faultline"):
                active.append(t.objectName())
                t.stop()
        except RuntimeError:
            pass
    assert not running, f"threads left running: {running}"
    assert not active, f"timers left active: {active}"
