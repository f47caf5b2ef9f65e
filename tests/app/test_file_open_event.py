"""Files handed over by the desktop while Faultline runs (macOS QFileOpenEvent) open in the window."""
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent

from app.gui import FileOpenHandler

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "three_tier.json"


def test_a_file_open_event_opens_the_file(window, qapp):
    handler = FileOpenHandler(window)
    qapp.installEventFilter(handler)
    try:
        QCoreApplication.sendEvent(qapp, QFileOpenEvent(str(EXAMPLE)))
        assert window.document.design.name == "Three-tier web shop"
    finally:
        qapp.removeEventFilter(handler)
