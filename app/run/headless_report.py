"""The window's report, written with no window on screen: the command line's ``report`` and
``run --report`` on a build server without a display write the very report File > Report writes,
pictures of the design and the plots included.

A main window is made off screen, with settings, recent files and autosave of its own in a
temporary folder (the user's are left alone); the run is shown in it as the window would show it,
and its report written.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from engine import RunResult
    from engine.compare import Comparison
    from engine.model import Project

    from ..store import SavedRun
    from .session import RunSession
    from .ui import RunUi

# The window's size while its report is drawn: the size tests and screenshots check the layout at.
WINDOW_SIZE = (1400, 900)


def report_of_kept_run(path: str | Path, project: Project, runs: Iterable[SavedRun], group_id: str) -> Path:
    """Write the report of the kept run ``group_id`` of ``project`` to ``path``."""
    with _window(project, runs) as ui:
        group = next((g for g in ui.runs_panel.groups if g.id == group_id), None)
        if group is None:
            raise KeyError(group_id)
        ui.open_group(group)
        return ui.export_report(path)


def report_of_session(path: str | Path, project: Project, design_name: str, session: RunSession) -> Path:
    """Write the report of a run just made (``session``) of the design ``design_name`` to ``path``."""
    with _window(project, ()) as ui:
        design = next(d for d in project.designs if d.name == design_name)
        ui.doc.set_current_design(design.id)
        ui.show_finished(session)
        return ui.export_report(path)


def session_of(results: dict[str, RunResult], comparison: Comparison | None = None) -> RunSession:
    """The session the window would hold after this run: each variant's (first) results, and with a
    comparison its table and every replication's verdicts."""
    from engine.objectives import evaluate

    from .session import RunSession

    if comparison is None:
        return RunSession.from_results(results)
    session = RunSession.from_results(results, table=comparison.table, replications=comparison.replications)
    if comparison.replications > 1:
        session.replicated_verdicts = {v: [evaluate(r) for r in runs] for v, runs in comparison.runs.items() if runs}
    return session


def _application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Off screen whatever the machine has: nothing flashes on a desktop, and a server needs no display.
    return QApplication(["faultline", "-platform", "offscreen"])


@contextmanager
def _window(project: Project, runs: Iterable[SavedRun]) -> Iterator[RunUi]:
    from ..main_window import MainWindow
    from ..store import Autosave, RecentFiles
    from .ui import install

    _application()
    with tempfile.TemporaryDirectory(prefix="faultline-report-") as folder:
        place = Path(folder)
        window = MainWindow(QSettings(str(place / "settings.ini"), QSettings.Format.IniFormat),
                            RecentFiles(place / "recent"), Autosave(place / "recovery"))
        window.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
        ui = install(window)
        try:
            window.document.load(project, runs=runs)
            window.resize(*WINDOW_SIZE)
            window.show()
            QApplication.processEvents()
            yield ui
        finally:
            window.close()
            window.deleteLater()
            QApplication.processEvents()
