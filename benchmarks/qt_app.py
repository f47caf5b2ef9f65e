"""The Qt application of the benchmarks that open windows: on the offscreen platform unless the
environment names another, made once, and with the offscreen platform's note about top-level
windows' size hints left out of the output, where it came once per window and buried the
figures (the platforms users run on never print it)."""
from __future__ import annotations

import os
import sys

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
