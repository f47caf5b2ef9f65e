"""Live runs: the engine in a worker thread, the dashboard, the event log, kept runs and reports.

- ``worker``: ``RunRequest`` and the ``RunWorker`` that drives ``engine.Simulation`` in slices
  inside a QThread and answers with ``LiveFrame`` / ``RunOutcome`` signals.
- ``controller``: ``RunController`` owns the thread; start, stop within a slice, shut down.
- ``session``: ``RunSession``, a run as the window shows it (preallocated buffers per variant).
- ``dashboard``, ``comparison_table``, ``event_log``, ``runs_panel``: the panes.
- ``saved``: sessions to the store's ``SavedRun`` records and back; ``report``: the HTML report.
- ``ui``: ``install(window)`` wires all of it into the editor's main window.
"""
from .controller import RunController
from .session import RunSession
from .worker import LiveFrame, RunOutcome, RunRequest, RunWorker

__all__ = ["LiveFrame", "RunController", "RunOutcome", "RunRequest", "RunSession", "RunWorker"]
