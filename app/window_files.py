"""The main window's files: open, save, save as, revert, import and export, recent files, recovery.

``WindowFiles`` is mixed into ``MainWindow``; it uses the window's
document, settings, recent list, autosave and status bar. Opening runs on a
worker thread (``file_tasks.run_off_thread``) so a large or hostile file
never freezes the window. The file on disk is stamped when it is opened and
after each save; a change by someone else (another window, another person
on a shared drive) is noticed when saving over it and when the window is
activated, and the user chooses: reload, save as, or overwrite.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from engine.model import Project

from .document import new_project
from .file_tasks import Cancelled, FileJob, in_program_dir, run_off_thread, save_dir, suggested_file_name
from .resources import EXAMPLES
from .store import (
    FILE_SUFFIX,
    Autosave,
    DamagedFileError,
    FileStamp,
    OpenedProject,
    ProjectFileError,
    export_json,
    import_json,
    is_read_only,
    open_project,
    opens_in_the_window,
    pending_recoveries,
    save_project,
)
from .store.fileio import stamp_of

FILE_FILTER = "Faultline projects (*.faultline)"
JSON_FILTER = "JSON (*.json)"
FIRST_EXAMPLE = "three_tier.json"
REOPEN_LAST_KEY = "files/reopen_last"
# Answers of the dialog about a file changed on disk.
RELOAD, SAVE_AS, OVERWRITE, KEEP = "reload", "save_as", "overwrite", "keep"


class Example(NamedTuple):
    """A bundled example project: its file, its title and what it shows."""

    path: Path
    name: str
    description: str


def bundled_examples(folder: Path = EXAMPLES) -> list[Example]:
    """The example projects in ``folder``, by title; a file that cannot be read is left out."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            found.append(Example(path, str(data.get("name") or path.stem), str(data.get("description") or "")))
    return sorted(found, key=lambda e: e.name.casefold())


if TYPE_CHECKING:
    from PySide6.QtCore import QSettings, SignalInstance
    from PySide6.QtWidgets import QAbstractButton, QMenu

    from .canvas import CanvasScene, CanvasView
    from .document import ProjectDocument
    from .store import RecentFiles

    # What the checker needs to know: the mixin's methods run on the main window, a QMainWindow.
    _WindowBase = QMainWindow
else:
    _WindowBase = object


class WindowFiles(_WindowBase):
    """File handling of the main window (a mixin: the window provides ``_doc``, settings and the rest)."""

    if TYPE_CHECKING:
        _doc: ProjectDocument
        settings: QSettings
        recent: RecentFiles
        recent_menu: QMenu
        autosave: Autosave
        scene: CanvasScene
        view: CanvasView
        document_replaced: SignalInstance

        def _update_title(self) -> None: ...

    _disk_stamp: FileStamp | None = None
    _stamp_declined: FileStamp | None = None
    _damaged_source: Path | None = None
    _asking_about_disk = False
    busy_with: str | None = None
    _save_job: FileJob | None = None
    _autosave_job: FileJob | None = None
    # What writes a project file; a test slows it down to look at the window during a save.
    write_project = staticmethod(save_project)
    window_factory: Callable[[], WindowFiles] | None = None

    # -- questions (tests replace these) ------------------------------------------------------
    def ask_save_changes(self) -> str:
        """'save', 'discard' or 'cancel' — asked before unsaved changes would be lost."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to “{self._doc.path.name if self._doc.path else self._doc.project.name}”?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                               | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def ask_open_damaged(self, message: str) -> bool:
        """Whether to open what is left of a damaged file, read-only."""
        answer = QMessageBox.warning(
            self, "Damaged project file",
            f"{message}.\n\nOpen what is left, read-only? Saving it asks for a new file, so the damaged one "
            "stays as it is.",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Open

    def ask_changed_on_disk(self, path: Path, saving: bool) -> str:
        """RELOAD, SAVE_AS, OVERWRITE or KEEP: what to do about ``path`` changed by someone else."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("File changed on disk")
        happened = "changed" if path.exists() else "moved or deleted"
        box.setText(f"“{path.name}” was {happened} by another window or program since you opened it.")
        box.setInformativeText(
            ("Saving now would replace those changes. " if saving else "")
            + "Reload it (your unsaved changes here are lost), save your version as another file, or overwrite "
            "the file with your version?")
        buttons: dict[QAbstractButton, str] = {
            box.addButton("Reload", QMessageBox.ButtonRole.DestructiveRole): RELOAD,
            box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole): SAVE_AS,
            box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole): OVERWRITE,
        }
        keep = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        return buttons.get(box.clickedButton(), KEEP)

    def ask_recover(self, recovery) -> bool:
        when = recovery.written.astimezone().strftime("%Y-%m-%d %H:%M") if recovery.written else "recently"
        original = f" ({recovery.original})" if recovery.original else ""
        answer = QMessageBox.question(
            self, "Recover unsaved work",
            f"Faultline did not close properly. A recovery copy of “{recovery.project_name}”{original} "
            f"from {when} was found.\n\nOpen it? (No deletes the copy.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def choose_open_path(self, caption: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, caption, str(self._last_dir()), filters)
        return path or None

    def choose_save_path(self, caption: str, filters: str, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, caption, str(self._save_dir() / suggested), filters)
        return path or None

    def show_error(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)

    def _last_dir(self) -> Path:
        return save_dir(None, self._remembered_dir())

    def _save_dir(self) -> Path:
        return save_dir(self._doc.path, self._remembered_dir())

    def _remembered_dir(self) -> str | None:
        remembered = self.settings.value("files/last_dir", None, type=str)
        return remembered if isinstance(remembered, str) else None

    # -- opening ---------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True if it is fine to drop the current project (saved, discarded, or unchanged)."""
        self.wait_for_save()
        if not self._doc.modified:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_project(self) -> None:
        """Start an empty project (after asking about unsaved changes)."""
        if self.maybe_save():
            self._replace(new_project(), None, [])
            self.statusBar().showMessage("New project.", 4000)

    def open_example(self, path: Path) -> bool:
        """Open a copy of a bundled example as an untitled project: Save asks where to keep it."""
        if not self.import_path(path):
            return False
        self.statusBar().showMessage(f"Opened a copy of the example “{self._doc.project.name}”; save it to keep "
                                     "your changes.", 8000)
        return True

    def _add_file_extras(self, file_menu) -> None:
        """File › Open Example and the Reopen Last Project preference, added after Open Recent."""
        self.examples_menu = file_menu.addMenu("Open E&xample")
        self.examples_menu.setToolTipsVisible(True)
        self.examples_menu.aboutToShow.connect(self._fill_examples)
        self.reopen_last_action = file_menu.addAction("Reopen Last Project on Start")
        self.reopen_last_action.setCheckable(True)
        self.reopen_last_action.setStatusTip("On start, open the project that was opened or saved last.")
        self.reopen_last_action.setChecked(self.settings.value(REOPEN_LAST_KEY, False, type=bool))
        self.reopen_last_action.toggled.connect(lambda on: self.settings.setValue(REOPEN_LAST_KEY, on))

    def _fill_examples(self) -> None:
        self.examples_menu.clear()
        examples = bundled_examples()
        if not examples:
            self.examples_menu.addAction("No examples installed").setEnabled(False)
            return
        for example in examples:
            action = self.examples_menu.addAction(example.name)
            action.setToolTip(example.description or example.name)
            action.setStatusTip(example.description)
            action.triggered.connect(lambda _=False, p=example.path: self.open_example(p))

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path = self.choose_open_path("Open project", f"{FILE_FILTER};;{JSON_FILTER};;All files (*)")
        if path:
            self.open_path(path, ask=False)

    def read_project(self, path: Path) -> OpenedProject:
        """Open ``path`` on a worker thread while the window stays responsive (raises like open_project)."""
        return self._off_thread(f"Opening {path.name}…", open_project, path)

    def _off_thread(self, text: str, fn, *args):
        """``fn(*args)`` on a worker thread with ``text`` as the busy state; raises what it raises.

        Raises Cancelled if the window is already reading a file (a second
        request made while the first one is under way).
        """
        if self.busy_with is not None:
            raise Cancelled()
        self.busy_with = text
        self.statusBar().showMessage(text)
        try:
            return run_off_thread(self, text, fn, *args)
        finally:
            self.busy_with = None
            self.statusBar().clearMessage()

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a .faultline project (or import a JSON file); False if refused or cancelled."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            return self.import_path(path, ask)
        if ask and not self.maybe_save():
            return False
        try:
            opened = self.read_project(path)
        except Cancelled:
            return False
        except DamagedFileError as exc:
            return self._open_damaged(path, exc)
        except ProjectFileError as exc:
            self.show_error("Cannot open project", str(exc))
            if not path.exists():
                self._forget_recent(path)
            return False
        self._replace(opened.project, path, opened.runs, stamp=opened.stamp)
        self._remember(path)
        self.statusBar().showMessage(f"Opened {path.name}.", 5000)
        return True

    def _open_damaged(self, path: Path, exc: DamagedFileError) -> bool:
        if exc.salvage is None:
            self.show_error("Cannot open project", str(exc))
            return False
        if not self.ask_open_damaged(str(exc)):
            return False
        self._replace(exc.salvage.project, None, exc.salvage.runs, damaged_source=path)
        self.statusBar().showMessage(f"Opened what is left of {path.name}, read-only: save it as a new file "
                                     "to keep it.", 10000)
        return True

    def revert(self) -> None:
        """Reload the file, dropping unsaved changes after a confirmation."""
        path = self._doc.path
        if path is None:
            return
        if self._doc.modified:
            answer = QMessageBox.question(self, "Revert", f"Drop all unsaved changes and reload {path.name}?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._reload(path)

    def _reload(self, path: Path) -> bool:
        try:
            opened = self.read_project(path)
        except Cancelled:
            return False
        except ProjectFileError as exc:
            self.show_error("Cannot reload", str(exc))
            return False
        self._replace(opened.project, path, opened.runs, stamp=opened.stamp)
        return True

    # -- saving ----------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the current file, or ask for one (there is none, or it is marked read-only);
        False if cancelled or refused."""
        if self._doc.path is None or is_read_only(self._doc.path):
            return self.save_as()
        return self._save_to(self._doc.path)

    def save_as(self) -> bool:
        """Ask for a file and save there; False if cancelled or refused."""
        source = self._doc.path or self._damaged_source
        suggested = source.name if source else suggested_file_name(self._doc.project.name, FILE_SUFFIX)
        path = self.choose_save_path("Save project as", FILE_FILTER, suggested)
        if not path:
            return False
        if Path(path).suffix.lower() != FILE_SUFFIX:
            # "shop.FAULTLINE" is already a project's name; only a name without the suffix gets it.
            path += FILE_SUFFIX
        if self._damaged_source is not None and Path(path).resolve() == self._damaged_source.resolve():
            self.show_error("Cannot save project", f"{Path(path).name} is the damaged file this project was read "
                                                   "from; save what is left of it as another file.")
            return False
        return self._save_to(Path(path))

    def _save_to(self, path: Path, overwrite: bool = False) -> bool:
        if self._save_job is not None:
            self.statusBar().showMessage("A save is under way: it must end before another starts.", 5000)
            return False
        if not overwrite and path == self._doc.path and self._changed_on_disk():
            answer = self.ask_changed_on_disk(path, saving=True)
            if answer == RELOAD:
                self._reload(path)
                return False
            if answer == SAVE_AS:
                return self.save_as()
            if answer != OVERWRITE:
                return False
        # What is written is taken here, on the window's thread; the writing is done on a worker,
        # so the window keeps answering, and edits made meanwhile leave the project modified.
        snapshot = self._doc.snapshot()
        # The file records when its content last changed; the store writes what it is given.
        snapshot.modified = max(datetime.now(UTC).replace(microsecond=0), snapshot.created)
        job = FileJob(self.write_project, path, snapshot, self._doc.runs)
        project, generation = self._doc.project, self._doc.generation
        job.done.connect(lambda: self._save_finished(job, path, project, generation, snapshot.modified))
        self._save_job = job
        self.statusBar().showMessage(f"Saving {path.name}…")
        job.start()
        job.wait()
        if job.error is not None and not isinstance(job.error, ProjectFileError):
            raise job.error
        return job.error is None

    def _save_finished(self, job: FileJob, path: Path, project: Project, generation: int, modified) -> None:
        """Record a save's outcome as soon as it ends (whatever the window is doing by then)."""
        self._save_job = None
        self.statusBar().clearMessage()
        if job.error is not None:
            if isinstance(job.error, ProjectFileError):
                self.show_error("Cannot save project", str(job.error))
            return
        if self._doc.project is not project:
            return  # another project was opened meanwhile; the file was written all the same
        self._doc.project.modified = modified
        complete = self._doc.mark_saved(path, generation)
        self._disk_stamp, self._stamp_declined, self._damaged_source = job.result, None, None
        if complete:
            self.discard_autosave()
        self._remember(path)
        self._update_title()
        self.statusBar().showMessage(f"Saved {path.name}." if complete else
                                     f"Saved {path.name}; the changes made while saving are not in it yet.", 5000)

    def wait_for_save(self) -> None:
        """Return once no save is under way (before closing, opening or replacing the project)."""
        job = self._save_job
        if job is not None:
            job.wait()

    def saving(self) -> bool:
        """Whether a save is being written now."""
        return self._save_job is not None

    # -- changes by someone else -----------------------------------------------------------------
    def _changed_on_disk(self) -> bool:
        path, stamp = self._doc.path, self._disk_stamp
        return path is not None and stamp is not None and stamp.changed(path)

    def check_file_on_disk(self) -> str | None:
        """Ask what to do if the open file was changed by someone else; the answer, or None if unchanged.

        Asked once per change: after Cancel, the same change is not asked about
        again when the window is activated (a save still asks).
        """
        path = self._doc.path
        if path is None or self._asking_about_disk or not self._changed_on_disk():
            return None
        seen = self._stamp_declined
        if seen is not None and not seen.changed(path):
            return None
        self._asking_about_disk = True
        try:
            answer = self.ask_changed_on_disk(path, saving=False)
            if answer == RELOAD:
                self._reload(path)
            elif answer == SAVE_AS:
                self.save_as()
            elif answer == OVERWRITE:
                self._save_to(path, overwrite=True)
            else:
                self._stamp_declined = _stamp_now(path)
        finally:
            self._asking_about_disk = False
        return answer

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.check_file_on_disk()

    # -- import and export -----------------------------------------------------------------------
    def import_dialog(self) -> None:
        if not self.maybe_save():
            return
        path = self.choose_open_path("Import JSON", f"{JSON_FILTER};;All files (*)")
        if path:
            self.import_path(path, ask=False)

    def import_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a JSON project or design as a new, unsaved project."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            item = self._off_thread(f"Importing {path.name}…", import_json, path)
        except Cancelled:
            return False
        except ProjectFileError as exc:
            self.show_error("Cannot import", str(exc))
            return False
        project = item if isinstance(item, Project) else Project(name=item.name, designs=[item])
        self._replace(project, None, [])
        if not in_program_dir(path.parent):
            self.settings.setValue("files/last_dir", str(path.parent))
        self.statusBar().showMessage(f"Imported {path.name}; save it as a project to keep it.", 6000)
        return True

    def export_dialog(self) -> None:
        design = self._doc.design
        path = self.choose_save_path("Export design as JSON", JSON_FILTER, suggested_file_name(design.name, ".json"))
        if path:
            self.export_path(path)

    def export_project_dialog(self) -> None:
        path = self.choose_save_path("Export project as JSON", JSON_FILTER,
                                     suggested_file_name(self._doc.project.name, ".json"))
        if path:
            self.export_path(path, whole_project=True)

    def export_path(self, path: str | Path, whole_project: bool = False) -> bool:
        """Write the current design (or the whole project) as JSON to ``path``."""
        path = Path(path)
        if path.suffix.lower() != ".json":
            path = path.with_suffix(path.suffix + ".json") if path.suffix else path.with_suffix(".json")
        try:
            export_json(self._doc.snapshot() if whole_project else self._doc.design.model_copy(deep=True), path)
        except ProjectFileError as exc:
            self.show_error("Cannot export", str(exc))
            return False
        what = self._doc.project.name if whole_project else self._doc.design.name
        self.statusBar().showMessage(f"Exported “{what}” to {path.name}.", 5000)
        return True

    def _replace(self, project: Project, path: Path | None, runs, modified: bool = False,
                 stamp: FileStamp | None = None, damaged_source: Path | None = None) -> None:
        from .document.layout import laid_out, needs_layout

        if any(needs_layout(d) for d in project.designs):
            # Hand-written JSON leaves every component at the origin: lay it out before showing it.
            project = project.model_copy(update={"designs": [laid_out(d) if needs_layout(d) else d
                                                             for d in project.designs]})
        self.scene.clear_health()
        self._disk_stamp, self._stamp_declined, self._damaged_source = stamp, None, damaged_source
        self._doc.load(project, path, runs, modified=modified)
        self.discard_autosave()
        self._update_title()
        self.view.fit()
        self.document_replaced.emit()

    # -- recent files, drops ---------------------------------------------------------------------
    def _remember(self, path: Path) -> None:
        self.settings.setValue("files/last_dir", str(path.parent))
        try:
            self.recent.add(path)
        except ProjectFileError:
            pass  # the recent list is a convenience; failing to keep it must not fail a save

    def _forget_recent(self, path: Path) -> None:
        try:
            self.recent.remove(path)
        except ProjectFileError:
            pass

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.existing()
        if not paths:
            empty = self.recent_menu.addAction("No recent projects")
            empty.setEnabled(False)
            return
        for i, (path, label) in enumerate(zip(paths, recent_labels(paths)), start=1):
            action = self.recent_menu.addAction(f"&{i} {label}" if i < 10 else label)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.addSeparator()
        self.recent_menu.addAction("Clear List", self._clear_recent)

    def _clear_recent(self) -> None:
        try:
            self.recent.clear()
        except ProjectFileError as exc:
            self.statusBar().showMessage(str(exc), 6000)

    def _open_dropped(self, paths: list) -> None:
        if paths:
            self.open_path(paths[0])

    def dragEnterEvent(self, event):
        if any(u.isLocalFile() and opens_in_the_window(u.toLocalFile()) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event):
        files = [u.toLocalFile() for u in event.mimeData().urls()
                 if u.isLocalFile() and opens_in_the_window(u.toLocalFile())]
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])

    # -- start-up, autosave, recovery ------------------------------------------------------------
    def start(self, argv_paths: list[str]) -> None:
        """Open what the command line names, offer recovery, else the last project (if asked) or the first example.

        A file named on the command line (a double-click) always opens; recovered
        work of another file then opens in a window of its own.
        """
        if argv_paths:
            opened = self.open_path(argv_paths[0], ask=False)
            self.offer_recovery(elsewhere=opened)
            return
        if self.offer_recovery():
            return
        if self.settings.value(REOPEN_LAST_KEY, False, type=bool):
            last = self.recent.existing()[:1]
            if last and self.open_path(last[0], ask=False):
                return
        if not self.settings.value("app/started_before", False, type=bool):
            self.settings.setValue("app/started_before", True)
            example = EXAMPLES / FIRST_EXAMPLE
            if example.is_file():
                self.import_path(example, ask=False)
                self.statusBar().showMessage("This is an example design: a client, a load balancer, services and a "
                                             "database. Select a component to edit it.", 15000)
                return
        self.view.fit()

    def new_window(self):
        """Another main window beside this one (made by ``window_factory`` when the application sets one)."""
        window = self.window_factory() if self.window_factory is not None else type(self)(
            self.settings, self.recent, Autosave(self.autosave.directory))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Held here while open: a top-level window without a Python owner would be collected.
        self._other_windows = getattr(self, "_other_windows", []) + [window]
        window.destroyed.connect(lambda *_: self._other_windows.remove(window))
        window.show()
        return window

    def offer_recovery(self, elsewhere: bool = False) -> bool:
        """Offer the recovery copies a crash left; True if one was opened.

        With ``elsewhere`` (this window already holds a file) an accepted copy
        opens in a new window. A copy that cannot be read, say one written by a
        newer Faultline, is kept for the version that can read it.
        """
        for recovery in pending_recoveries(self.autosave.directory):
            problem = recovery.version_problem()
            if problem:
                self.statusBar().showMessage(f"A recovery copy of “{recovery.project_name}” was kept: {problem}.",
                                             10000)
                continue
            if not self.ask_recover(recovery):
                recovery.discard()
                continue
            try:
                opened = self._off_thread(f"Recovering “{recovery.project_name}”…", recovery.open)
            except Cancelled:
                continue
            except ProjectFileError as exc:
                self.show_error("Cannot recover", f"{exc}\n\nThe recovery copy is kept in {recovery.path.parent}.")
                continue
            same_file = recovery.original is not None and recovery.original == self._doc.path
            here = not elsewhere or (same_file and not self._doc.modified)
            target = self if here else self.new_window()
            target._replace(opened.project, recovery.original, opened.runs, modified=True,
                            stamp=recovery.original_stamp)
            # Keep the work safe under this session's own copy before letting the old one go.
            target.write_autosave()
            recovery.discard()
            target.statusBar().showMessage("Recovered unsaved work: save it to keep it.", 10000)
            return True
        return False

    def write_autosave(self, wait: bool = True) -> None:
        """Write the recovery copy, if there are unsaved changes. The timer does not ``wait``: the
        copy is written on a worker thread from a snapshot taken here, so the window keeps
        answering while a large project is written; one copy is written at a time, and the next
        tick takes what changed meanwhile. Otherwise (recovery at start-up) it is written now."""
        if self._autosave_job is not None:
            if not wait:
                return
            self.wait_for_autosave()
        if not self._doc.modified:
            return
        args = (self._doc.snapshot(), self._doc.path, list(self._doc.runs), self._disk_stamp)
        if wait:
            try:
                self._write_recovery_copy(*args)
            except ProjectFileError as exc:
                self.statusBar().showMessage(f"Autosave failed: {exc}", 8000)
            return
        job = FileJob(self._write_recovery_copy, *args)
        job.done.connect(lambda: self._autosave_finished(job))
        self._autosave_job = job
        job.start()

    def _write_recovery_copy(self, project: Project, original: Path | None, runs: list, stamp) -> Path:
        return self.autosave.write(project, original, runs, original_stamp=stamp)

    def _autosave_finished(self, job: FileJob) -> None:
        self._autosave_job = None
        if isinstance(job.error, ProjectFileError):
            self.statusBar().showMessage(f"Autosave failed: {job.error}", 8000)
        elif job.error is not None:
            raise job.error
        elif not self._doc.modified:
            self.autosave.discard()  # saved while the copy was written: it recovers nothing

    def wait_for_autosave(self) -> None:
        """Return once no recovery copy is being written."""
        job = self._autosave_job
        if job is not None:
            job.wait()

    def discard_autosave(self) -> None:
        """Remove the recovery copy, after any copy being written has landed (or it would come back)."""
        self.wait_for_autosave()
        self.autosave.discard()


def recent_labels(paths: list[Path]) -> list[str]:
    """How Open Recent names each file: by its name, and where names repeat (a "design.faultline" in
    every client's folder) also by as much of its folder as tells it from the others."""
    def folder_end(path: Path, depth: int) -> str:
        return str(Path(*path.parent.parts[-depth:]))

    labels = []
    for path in paths:
        twins = [other for other in paths if other.name == path.name]
        if len(twins) == 1:
            labels.append(path.name)
            continue
        depth = 1
        while depth < len(path.parent.parts) and \
                sum(folder_end(t, depth) == folder_end(path, depth) for t in twins) > 1:
            depth += 1
        labels.append(f"{path.name} — {folder_end(path, depth)}")
    return labels


def _stamp_now(path: Path) -> FileStamp | None:
    try:
        return stamp_of(path, path.read_bytes())
    except OSError:
        return None
