"""Live runs: the engine in a worker thread, the dashboard, the event log, saved runs and reports."""
from .controller import RunController
from .session import RunSession
from .worker import LiveFrame, RunOutcome, RunRequest, RunWorker

__all__ = ["LiveFrame", "RunController", "RunOutcome", "RunRequest", "RunSession", "RunWorker"]
