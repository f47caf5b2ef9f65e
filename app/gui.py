"""Start the Qt application."""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Faultline")
    app.setOrganizationName("Faultline")
    window = QMainWindow()
    window.setWindowTitle("Faultline")
    window.resize(1280, 800)
    window.show()
    return app.exec()
