"""Start the Qt application: theme, main window, the file named on the command line."""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Faultline")
    app.setOrganizationName("Faultline")
    app.setApplicationDisplayName("Faultline")

    from . import theme
    from .main_window import MainWindow
    from .resources import app_icon

    settings = QSettings()
    theme.apply_theme(app, str(settings.value("window/theme", "system")))
    app.setWindowIcon(app_icon())
    window = MainWindow(settings)
    # Live runs (app/run): run controls, Run menu, dashboard, event log and runs panel.
    from .run.ui import install as install_run_ui
    install_run_ui(window)
    window.show()
    paths = [a for a in argv if not a.startswith("-")]
    window.start(paths)
    return app.exec()
