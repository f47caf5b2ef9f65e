"""The Qt application of the benchmarks that open windows: on the offscreen platform unless the
environment names another, made once, and with the offscreen platform's note about top-level
windows' size hints left out of the output, where it came once per window and buried the
figures (the platforms users run on never print it). And the window they measure, whose
settings, recent files and recovery copies stay out of the user's own."""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_OFFSCREEN_NOTE = "This plugin does not support propagateSizeHints()"
_quiet = False


def _print_but_the_note(mode, context, message: str) -> None:
    if message != _OFFSCREEN_NOTE:
        print(message, file=sys.stderr)


def qt_app(kind: type | None = None):
    """The running QApplication, or a new one of ``kind`` (QApplication when None)."""
    global _quiet
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    if not _quiet:
        qInstallMessageHandler(_print_but_the_note)
        _quiet = True
    return QApplication.instance() or (kind or QApplication)([sys.argv[0]])


def scratch_window():
    """A main window whose settings, recent files and recovery copies live in a folder of its
    own, removed when the process ends; and that folder, for the files a benchmark writes."""
    from PySide6.QtCore import QSettings

    from app.main_window import MainWindow
    from app.store import Autosave, RecentFiles

    folder = Path(tempfile.mkdtemp(prefix="faultline-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    window = MainWindow(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), RecentFiles(folder),
                        Autosave(folder / "recovery"))
    return window, folder
