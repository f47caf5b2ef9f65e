"""File work the window hands to a worker thread, and where file dialogs start.

Opening a project reads, checks and decodes the whole file; a large or
hostile one takes long enough to freeze the window. ``run_off_thread``
runs such a call on a worker QThread (a parentless QObject moved to it, as
``app/run/worker.py`` does) and waits in a local event loop under a busy
indicator, so the window keeps painting and answering while the caller
gets its result as if the call had been made directly.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QStandardPaths, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from .resources import resources_dir

# The busy indicator shows only for work that lasts longer than this.
BUSY_AFTER_MS = 300
# Threads whose caller stopped waiting (a Cancel); kept until they end so none is destroyed running.
_ABANDONED: list[tuple[QThread, QObject]] = []


class _Call(QObject):
    """Runs one function in the worker thread and reports its result or its exception."""

    done = Signal(object, object)

    def __init__(self, fn: Callable[..., Any], args: tuple) -> None:
        super().__init__()
        self._fn, self._args = fn, args

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(*self._args)
        except Exception as exc:  # handed to the waiting caller, which re-raises it in its own thread
            self.done.emit(None, exc)
        else:
            self.done.emit(result, None)


class _Waiter(QObject):
    """Lives in the window's thread: receives the result and ends the local event loop."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.outcome: tuple[Any, BaseException | None] | None = None

    @Slot(object, object)
    def finish(self, result: Any, error: BaseException | None) -> None:
        self.outcome = (result, error)
        self.loop.quit()


class FileJob(QObject):
    """``fn(*args)`` on a worker thread that the window does not wait on: ``done`` is emitted in
    the window's thread when it ends, with ``result`` or ``error`` set.

    Saving uses it: the window keeps taking input while the file is written. ``wait`` spins a
    local event loop until the job ends, for callers that need the outcome (a save before
    closing), so the window keeps painting and answering meanwhile.
    """

    done = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.result: Any = None
        self.error: BaseException | None = None
        self.finished = False
        self._thread = QThread()
        self._call = _Call(fn, args)
        self._call.moveToThread(self._thread)
        self._thread.started.connect(self._call.run)
        self._call.done.connect(self._finish, Qt.ConnectionType.QueuedConnection)
        self._call.done.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        self._thread.start()

    @Slot(object, object)
    def _finish(self, result: Any, error: BaseException | None) -> None:
        self._thread.wait()
        self.result, self.error, self.finished = result, error, True
        self.done.emit()

    def wait(self) -> None:
        """Return once the job has ended (its ``done`` handlers have run), the window responsive meanwhile."""
        if self.finished:
            return
        loop = QEventLoop()
        self.done.connect(loop.quit)
        try:
            loop.exec()
        finally:
            self.done.disconnect(loop.quit)


class Cancelled(Exception):
    """The user stopped waiting for work run with ``run_off_thread``."""


def run_off_thread(parent: QWidget, text: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on a worker thread, the window responsive and busy meanwhile; its result or exception.

    A Cancel in the busy indicator raises Cancelled at once; the worker
    finishes on its own and its result is dropped.
    """
    loop = QEventLoop()
    waiter = _Waiter(loop)
    thread = QThread()
    call = _Call(fn, args)
    call.moveToThread(thread)
    thread.started.connect(call.run)
    call.done.connect(waiter.finish, Qt.ConnectionType.QueuedConnection)
    # Direct: quit from the worker itself, so an abandoned thread ends without the window's loop.
    call.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    busy = QProgressDialog(text, "Cancel", 0, 0, parent)
    busy.setWindowTitle("Faultline")
    busy.setWindowModality(Qt.WindowModality.WindowModal)
    busy.setMinimumDuration(BUSY_AFTER_MS)
    busy.canceled.connect(loop.quit)
    thread.start()
    try:
        if waiter.outcome is None:
            loop.exec()
    finally:
        busy.canceled.disconnect(loop.quit)
        busy.reset()
        busy.deleteLater()
    if waiter.outcome is None:
        _ABANDONED.append((thread, call))
        thread.finished.connect(lambda: _ABANDONED.remove((thread, call)))
        raise Cancelled()
    thread.quit()
    thread.wait()
    result, error = waiter.outcome
    if error is not None:
        raise error
    return result


def documents_dir() -> Path:
    """The user's documents folder, or the home folder where the platform names none."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found and Path(found).is_dir():
        return Path(found)
    return Path.home()


def program_dirs() -> list[Path]:
    """Folders of the installed program, where the user's files must never be suggested."""
    dirs = [resources_dir().resolve(), Path(__file__).resolve().parent.parent]
    if getattr(sys, "frozen", False):
        dirs.append(Path(sys.executable).resolve().parent)
    return dirs


def in_program_dir(path: Path) -> bool:
    """Whether ``path`` lies inside the installed program."""
    resolved = path.resolve()
    return any(resolved == d or d in resolved.parents for d in program_dirs())


FILE_NAME_LENGTH = 120  # characters of a suggested name: far below any file system's limit


def safe_file_name(text: str) -> str:
    """``text`` with the characters file systems refuse replaced: a design named "Checkout / EU"
    suggests a file, not a folder that does not exist."""
    return "".join("_" if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in text).strip(" .")[:FILE_NAME_LENGTH]


def suggested_file_name(name: str, suffix: str) -> str:
    """The name a save dialog offers for ``name``: made safe, its ``suffix`` (".json") kept whole."""
    return f"{safe_file_name(name) or 'faultline'}{suffix}"


def save_dir(current: Path | None, remembered: str | None) -> Path:
    """Where a save dialog starts: the current file's folder, the last folder used, else Documents.

    A folder of the program itself (where the bundled examples live) is never suggested.
    """
    for candidate in (current.parent if current is not None else None,
                      Path(remembered) if remembered else None):
        if candidate is not None and candidate.is_dir() and not in_program_dir(candidate):
            return candidate
    return documents_dir()
