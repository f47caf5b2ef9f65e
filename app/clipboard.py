"""Faultline data on the system clipboard, taken back before the interpreter ends."""
from __future__ import annotations

import atexit

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

_clipboard_cleared_at_exit = False


def put_on_clipboard(mime: QMimeData) -> None:
    """Hand Faultline data to the clipboard, and take it back before the interpreter ends.

    A QMimeData made in Python keeps a Python wrapper; left on the clipboard, Qt destroys it
    in its own exit handlers after Python has finalised, and the process crashes on exit.
    """
    global _clipboard_cleared_at_exit
    QApplication.clipboard().setMimeData(mime)
    if not _clipboard_cleared_at_exit:
        _clipboard_cleared_at_exit = True
        atexit.register(_clear_clipboard)


def _clear_clipboard() -> None:
    if QApplication.instance() is not None:
        QApplication.clipboard().clear()
