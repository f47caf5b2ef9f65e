"""Starts, stops and tears down runs: owns the QThread and the worker, relays their signals."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, Signal

from .session import RunSession
from .worker import LiveFrame, RunOutcome, RunRequest, RunWorker

# Threads that outlived shutdown's wait; kept alive so that their QThread is never destroyed running.
_UNFINISHED: list[tuple[QThread, RunWorker | None]] = []


class RunController(QObject):
    """One run at a time, in a worker thread; the GUI listens to the signals below.

    ``started`` carries the new ``RunSession``; ``updated`` fires after each
    frame has been applied to it; ``ended`` fires once the run finished, was
    stopped or failed (the session's ``status`` says which); ``idle`` fires
    when the thread has really gone, after which a new run may start.
    """

    started = Signal(object)  # RunSession
    updated = Signal(object)  # RunSession
    ended = Signal(object)  # RunSession
    idle = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: RunWorker | None = None
        self.session: RunSession | None = None
        self.stop_requested_at: float | None = None
        self.stop_latency: float | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, request: RunRequest) -> RunSession:
        """Begin a run; raises RuntimeError while another one is still going."""
        if self.running:
            raise RuntimeError("a run is already going; stop it first")
        session = RunSession.live(request)
        self.session = session
        self.stop_requested_at = None
        self.stop_latency = None
        thread = QThread()
        thread.setObjectName("faultline-run")
        worker = RunWorker(request)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Receivers live in the GUI thread, so these connections are queued.
        worker.frame.connect(self._on_frame)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self.started.emit(session)
        thread.start(QThread.Priority.LowPriority)
        return session

    def stop(self) -> None:
        """Ask the running run to end now; ``ended`` follows within a slice."""
        if self._worker is not None and not self._worker.stop_requested:
            self.stop_requested_at = time.perf_counter()
            self._worker.request_stop()

    def set_speed(self, speed: float | None) -> None:
        """Pace the running run anew: simulated seconds per second, None for full speed."""
        if self._worker is not None:
            self._worker.set_speed(speed)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop any run and wait for its thread (window closing, application quitting).

        A stopped run ends within a slice; only building a simulation cannot be
        interrupted, hence the generous timeout.
        """
        thread, worker = self._thread, self._worker
        if thread is None:
            return
        if worker is not None:
            worker.request_stop()
        thread.quit()
        if not thread.wait(timeout_ms):
            # Destroying a running QThread aborts the process: keep it referenced instead.
            _UNFINISHED.append((thread, worker))
        self._release()

    # -- worker signals (GUI thread) ----------------------------------------------
    def _on_frame(self, frame: LiveFrame) -> None:
        session = self.session
        if session is None or self._worker is None or session.done:
            return
        session.apply_frame(frame)
        self.updated.emit(session)

    def _on_finished(self, outcome: RunOutcome) -> None:
        session = self.session
        if session is None or session.done:
            return
        if self.stop_requested_at is not None:
            self.stop_latency = time.perf_counter() - self.stop_requested_at
        session.finish(outcome)
        self.ended.emit(session)

    def _on_failed(self, message: str) -> None:
        session = self.session
        if session is None or session.done:
            return
        session.fail(message)
        self.ended.emit(session)

    def _on_thread_finished(self) -> None:
        # A thread let go of by shutdown() may report after a newer one has started.
        if self._thread is not None and self.sender() is self._thread:
            self._thread.wait()
            self._release()

    def _release(self) -> None:
        if self._thread is None:
            return
        self._thread = None
        self._worker = None
        self.idle.emit()
