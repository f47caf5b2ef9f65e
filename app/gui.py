"""Start the Qt application: theme, main window, the file named on the command line."""
from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication


class FileOpenHandler(QObject):
    """Opens the file of a QFileOpenEvent: how macOS hands over files opened while Faultline
    runs (a double-click in the Finder, a drop on the Dock icon)."""

    def __init__(self, window):
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.FileOpen and event.file():
            self._window.open_path(event.file())
            return True
        return False


def keep_startup_out_of_collections() -> None:
    """Leave what the window was built from out of every later garbage collection.

    A full collection walks every object the process tracks: after startup, some 120,000
    (Qt wrappers, pyqtgraph, pydantic, numpy, the example project), which cost the window's
    thread about 100 ms a time. Full collections come unbidden every few tens of seconds of a
    live run, each a stall of that length. What startup built lives as long as the window, so
    it is frozen once (after a collection, so that no garbage is kept): later collections walk
    only what was made since.
    """
    gc.collect()
    gc.freeze()


def main(argv: list[str]) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationName("Faultline")
    app.setOrganizationName("Faultline")
    app.setApplicationDisplayName("Faultline")
    # Wayland docks find the menu entry (and its icon) by this name; X11 uses the window class.
    app.setDesktopFileName("faultline")

    from . import theme
    from .main_window import MainWindow
    from .resources import app_icon

    settings = QSettings()
    theme.apply_theme(app, str(settings.value("window/theme", "system")))
    app.setWindowIcon(app_icon())
    # Live runs (app/run): run controls, Run menu, dashboard, event log and runs panel.
    from .run.ui import install as install_run_ui

    def make_window() -> MainWindow:
        # Every window, including one opened for recovered work, gets the same run side.
        made = MainWindow(settings)
        install_run_ui(made)
        made.window_factory = make_window
        return made

    window = make_window()
    window.show()
    app.installEventFilter(FileOpenHandler(window))
    paths = [a for a in argv if not a.startswith("-")]
    window.start(paths)
    keep_startup_out_of_collections()
    return app.exec()
