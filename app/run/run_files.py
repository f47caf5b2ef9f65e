"""What a run writes to files from the window: its HTML report, the design's picture, and a
copy of the project without its kept runs.

``RunFiles`` is mixed into ``RunUi``; it uses the run side's window, document, canvas scene,
dashboard and shown session. Every file is written as a save is (whole or not at all), and a
failure is a message naming the file and the cause.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog

from ..canvas.export import PRINT_SCALE, render_picture, render_png
from ..file_tasks import suggested_file_name
from ..store import ProjectFileError, save_file, save_project
from ..theme import LIGHT_CANVAS
from .report import write_report
from .saved import design_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..canvas.scene import CanvasScene
    from ..document import ProjectDocument
    from .dashboard import Dashboard
    from .session import RunSession

REPORT_WIDTH = 1060  # the report's column, in CSS pixels


class RunFiles:
    """The run side's file exports (a mixin: ``RunUi`` provides the window and the rest)."""

    if TYPE_CHECKING:
        window: Any
        doc: ProjectDocument
        scene: CanvasScene
        dashboard: Dashboard
        session: RunSession | None
        choose_report_path: Callable[[str], str | None]

        def _status(self, text: str) -> None: ...

    def save_copy_without_runs_dialog(self) -> Path | None:
        suggested = suggested_file_name(f"{self.doc.project.name} (without runs)", ".faultline")
        path = self.window.choose_save_path("Save a copy without runs", "Faultline projects (*.faultline)", suggested)
        if not path:
            return None
        if not path.endswith(".faultline"):
            path += ".faultline"
        return self.save_copy_without_runs(path)

    def save_copy_without_runs(self, path: str | Path) -> Path | None:
        """Write the project without kept runs to ``path``; the open file and its state stay as they are."""
        try:
            save_project(path, self.doc.snapshot(), include_runs=False)
        except ProjectFileError as exc:
            self.window.show_error("Cannot save the copy", str(exc))
            return None
        self._status(f"Saved a copy without runs to {path}")
        return Path(path)

    def _choose_report_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export run report", suggested, "HTML report (*.html)")
        return path or None

    def export_design_picture_dialog(self, kind: str = "png") -> Path | None:
        """Ask where to save the design on the canvas as a PNG or SVG picture, and save it."""
        design = self.doc.design
        suggested = suggested_file_name(f"{design.name} - {date.today().isoformat()}", f".{kind}")
        filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
        other = "svg" if kind == "png" else "png"
        path = self.window.choose_save_path("Export design picture", f"{filters[kind]};;{filters[other]}", suggested)
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() not in (".png", ".svg"):
            target = target.with_name(f"{target.name}.{kind}")   # "shop v1.2" is a name, not a suffix
        try:
            written = save_file(target, render_picture(self.scene, target.suffix.lower()[1:], design.name))
        except (ProjectFileError, ValueError) as exc:
            self.window.show_error("Cannot export the design", str(exc))
            return None
        self._status(f"Design picture written to {written}")
        return written

    def export_report_dialog(self) -> Path | None:
        session = self.session
        if session is None or not session.results():
            return None
        path = self.choose_report_path(f"{self.dashboard.default_file_name('report')}.html")
        if not path:
            return None
        if not path.lower().endswith((".html", ".htm")):
            path += ".html"
        try:
            return self.export_report(path)
        except ProjectFileError as exc:
            self.window.show_error("Cannot export the report", str(exc))
            return None

    def export_report(self, path: str | Path) -> Path:
        """Write the HTML report of the shown run to ``path``."""
        session = self.session
        if session is None:
            raise ValueError("there is no run to report")
        design = design_of(session, self.doc.project.designs)
        # A report is read on paper and in mail: its pictures are light whatever the window's theme.
        design_png = (render_png(self.scene, colours=LIGHT_CANVAS)
                      if design is not None and design.id == self.doc.design.id else None)
        written = write_report(path, session, design, design_png,
                               self.dashboard.plots_png(width=round(REPORT_WIDTH * PRINT_SCALE), light=True),
                               plotted=list(self.dashboard.components), health_time=self.dashboard.cursor_time,
                               density=PRINT_SCALE)
        self._status(f"Report written to {written}")
        return written
