"""Fixtures for the run tests: a small three-tier design and a guard against leftover threads and timers."""
from __future__ import annotations

import gc
import weakref

import pytest
from PySide6.QtCore import QThread, QTimer
from run_builders import make_three_tier
from shiboken6 import Shiboken

from engine.model import Design


def pytest_collection_modifyitems(config, items):
    # Qt warnings fail these tests; the offscreen platform's notes on what it cannot do are noise.
    for item in items:
        if "tests/run/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support"))


@pytest.fixture
def design() -> Design:
    return make_three_tier()


@pytest.fixture(autouse=True)
def no_dangling_threads_or_timers(monkeypatch):
    """Fail a test that leaves a QThread running or a QTimer active (napari's rule)."""
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
    gc.collect()
    active = []
    for t in [o for o in gc.get_objects() if isinstance(o, QTimer)] + [ref() for ref in timers]:
        try:
            if t is not None and Shiboken.isValid(t) and t.isActive():
                active.append(t.objectName() or "QTimer")
                t.stop()
        except RuntimeError:  # deleted on the C++ side meanwhile
            pass
    assert not running, f"threads left running: {running}"
    assert not active, f"timers left active: {active}"
